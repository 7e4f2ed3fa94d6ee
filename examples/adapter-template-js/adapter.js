// A complete truc codec adapter in JavaScript: its legacy system reports statuses as text lines,
// `SENDER;DOCUMENT-ID;CODE;NOTE`, e.g. `000.00.00.H41;000.00.00.G22,2026/11/20,7816/VPCP-TTĐT;03;Đã vào sổ`.
import { BlobWriter } from "truc:adapter/blobs@0.1.0";

const NAME = "status-line-js";
const VERSION = "1.0.0";
const MAX_INPUT = 1 << 20;
const CODES = {
  "01": "received", "02": "rejected", "03": "accepted", "04": "assigned", "05": "processing",
  "06": "completed", "13": "revoke-request", "15": "agreed", "16": "refused",
};

// A thrown `{ tag, val }` becomes the `err` of the call's result.
const malformed = (message, location) => ({ tag: "malformed", val: { message, location } });

const organ = (id) => ({
  id, organizationInCharge: "", name: "", address: "", email: "", telephone: "", fax: "", website: "",
});

// `yyyy/MM/dd` as in a DocumentId (QCVN 102 §4.5); undefined when it is not one.
function date(text) {
  const m = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/.exec(text.trim());
  return m ? { year: +m[1], month: +m[2], day: +m[3] } : undefined;
}

function status(sender, documentId, code, note) {
  const [organId = "", day = "", ...rest] = documentId.split(",");
  const notation = rest.join(",");
  const padded = code.trim().padStart(2, "0");
  return {
    tag: "status",
    val: {
      sender: organ(sender),
      responseFor: { organId: organId.trim(), code: notation.trim(), promulgationDate: date(day), documentId },
      staff: { department: "", name: "", mobile: "", email: "" },
      code: CODES[padded] ? { tag: CODES[padded] } : { tag: "other", val: padded },
      description: note,
      timestamp: undefined,
    },
  };
}

function codeOf(code) {
  if (code.tag === "other") return code.val;
  return Object.keys(CODES).find((k) => CODES[k] === code.tag);
}

export const codec = {
  describe() {
    return { name: NAME, version: VERSION, vendor: "Example Software JSC", formats: ["text/plain"], description: "Statuses as text lines." };
  },

  decode(input) {
    if (input.body.size() > BigInt(MAX_INPUT)) throw malformed(`the input is larger than ${MAX_INPUT} bytes`);
    let text;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(input.body.read(0n, MAX_INPUT));
    } catch {
      throw malformed("not UTF-8 text");
    }
    return text
      .split(/\r?\n/)
      .filter((l) => l.trim() !== "")
      .map((line, i) => {
        const fields = line.split(";");
        if (fields.length < 4) throw malformed("expected SENDER;DOCUMENT-ID;CODE;NOTE", `line ${i + 1}`);
        return status(fields[0], fields[1], fields[2], fields.slice(3).join(";"));
      });
  },

  encode(message) {
    if (message.tag !== "status") throw { tag: "unsupported", val: { message: "this system takes statuses only" } };
    const s = message.val;
    const line = `${s.sender.id};${s.responseFor.documentId};${codeOf(s.code)};${s.description}\n`;
    const writer = new BlobWriter();
    writer.write(new TextEncoder().encode(line));
    return { contentType: "text/plain", body: BlobWriter.finish(writer) };
  },
};
