// Builds a JavaScript adapter into a component with ComponentizeJS's API (the `jco componentize`
// command line mishandles our WIT path). Usage: node componentize-js.mjs SOURCE WIT_DIR WORLD OUT
//
// Every WASI feature of the engine is disabled: an adapter gets time, randomness and HTTP only as
// its world declares them, so a codec component imports nothing but the truc contract.
import { componentize } from "@bytecodealliance/componentize-js";
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";

const [source, witPath, worldName, out] = process.argv.slice(2);
if (!out) {
  console.error("usage: node componentize-js.mjs SOURCE WIT_DIR WORLD OUT");
  process.exit(2);
}
const { component } = await componentize({
  sourcePath: resolve(source),
  witPath: resolve(witPath),
  worldName,
  disableFeatures: ["stdio", "random", "clocks", "http", "fetch-event"],
});
await writeFile(out, component);
console.log(`${out}: ${component.length} bytes`);
