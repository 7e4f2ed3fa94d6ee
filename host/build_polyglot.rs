//! Builds the adapters written in Python (`app.py`, componentize-py) and JavaScript
//! (`adapter.js`, ComponentizeJS) when their toolchains are installed (`tools/install`), and
//! tells the crate where each component is or why it is missing (`$OUT_DIR/polyglot.rs`).
//!
//! Such a component carries its language's interpreter (12-18 MB) and takes 15-20 s to build,
//! so each build is cached under `target/plugins/polyglot/` by the SHA-256 of everything that
//! goes into it: the adapter's sources, the contract, and the toolchain's version. A missing
//! toolchain is not an error here: the tests that need the component say they are skipped and
//! why (and fail under `CI=true`). A toolchain that is present but fails to build is an error.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

/// The language an adapter is written in, known by its entry file.
#[derive(Clone, Copy)]
enum Language {
    Python,
    JavaScript,
}

impl Language {
    fn of(dir: &Path) -> Option<Language> {
        if dir.join("Cargo.toml").exists() || !dir.join("manifest.toml").exists() {
            None
        } else if dir.join("app.py").exists() {
            Some(Language::Python)
        } else if dir.join("adapter.js").exists() {
            Some(Language::JavaScript)
        } else {
            None
        }
    }

    fn label(self) -> &'static str {
        match self {
            Language::Python => "Python",
            Language::JavaScript => "JavaScript",
        }
    }

    fn source_ext(self) -> &'static str {
        match self {
            Language::Python => "py",
            Language::JavaScript => "js",
        }
    }
}

/// A toolchain found on this machine: how to run it and its version (part of the cache key).
struct Tool {
    program: PathBuf,
    args: Vec<String>,
    version: String,
}

/// Finds the tool for `language`: the pinned one in `tools/` first, then the PATH.
fn find_tool(root: &Path, language: Language) -> Result<Tool, String> {
    let install = "run `tools/install` to install the pinned toolchains";
    match language {
        Language::Python => {
            let local = root.join("tools/.venv/bin/componentize-py");
            let program = if local.exists() {
                local
            } else {
                PathBuf::from("componentize-py")
            };
            let version = Command::new(&program)
                .arg("--version")
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
                .ok_or_else(|| format!("componentize-py is not installed; {install}"))?;
            Ok(Tool {
                program,
                args: Vec::new(),
                version,
            })
        }
        Language::JavaScript => {
            let package = root.join("tools/node_modules/@bytecodealliance/componentize-js");
            let manifest = fs::read_to_string(package.join("package.json"))
                .map_err(|_| format!("componentize-js is not installed; {install}"))?;
            let node_ok = Command::new("node")
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success());
            if !node_ok {
                return Err(format!(
                    "node is not on the PATH; install Node.js 20, then {install}"
                ));
            }
            Ok(Tool {
                program: PathBuf::from("node"),
                args: vec![root.join("tools/componentize-js.mjs").display().to_string()],
                version: manifest,
            })
        }
    }
}

/// One Python or JavaScript adapter of the repository.
struct Adapter {
    name: String,
    dir: PathBuf,
    language: Language,
}

fn discover(root: &Path) -> Vec<Adapter> {
    let mut found = Vec::new();
    let dirs = [root.join("plugins"), root.join("examples")];
    for parent in dirs {
        let Ok(entries) = fs::read_dir(&parent) else {
            continue;
        };
        for entry in entries.flatten() {
            let dir = entry.path();
            let Some(language) = Language::of(&dir) else {
                continue;
            };
            let manifest = fs::read_to_string(dir.join("manifest.toml")).unwrap_or_default();
            let name = manifest
                .lines()
                .find_map(|l| l.trim().strip_prefix("name = \"")?.strip_suffix('"'))
                .unwrap_or_else(|| panic!("{}/manifest.toml has no name", dir.display()))
                .to_owned();
            found.push(Adapter {
                name,
                dir,
                language,
            });
        }
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

/// The WIT world the manifest asks for (`world = "codec"` or `"connector"`).
fn world(dir: &Path) -> &'static str {
    let manifest = fs::read_to_string(dir.join("manifest.toml")).unwrap_or_default();
    if manifest
        .lines()
        .any(|l| l.replace(' ', "") == "world=\"connector\"")
    {
        "connector-adapter"
    } else {
        "codec-adapter"
    }
}

/// Every regular file under `dir` whose name ends in one of `exts`, sorted.
fn files(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "__pycache__" && name != "node_modules" && name != "samples" {
                files(&path, exts, out);
            }
        } else if exts.iter().any(|e| name.ends_with(&format!(".{e}"))) {
            out.push(path);
        }
    }
    out.sort();
}

/// The cache key: SHA-256 over the toolchain version, the contract and the adapter's sources.
fn input_hash(root: &Path, adapter: &Adapter, tool: &Tool) -> String {
    let mut inputs = Vec::new();
    files(&root.join("wit"), &["wit"], &mut inputs);
    files(&adapter.dir, &[adapter.language.source_ext()], &mut inputs);
    if let Language::JavaScript = adapter.language {
        inputs.push(root.join("tools/componentize-js.mjs"));
    }
    let mut h = Sha256::new();
    h.update(tool.version.as_bytes());
    h.update(world(&adapter.dir).as_bytes());
    for path in inputs {
        h.update(
            path.strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .as_bytes(),
        );
        h.update([0]);
        h.update(fs::read(&path).unwrap_or_default());
        h.update([0]);
    }
    h.finalize()
        .iter()
        .take(12)
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Builds `adapter` into `out` with `tool`; panics with the tool's own errors on failure.
fn build(root: &Path, adapter: &Adapter, tool: &Tool, out: &Path) {
    let wit = root.join("wit/truc-adapter@0.1.0");
    let partial = out.with_extension("partial");
    let mut cmd = Command::new(&tool.program);
    cmd.args(&tool.args);
    match adapter.language {
        Language::Python => {
            // Built from a copy: componentize-py leaves __pycache__ beside the sources, which
            // would make cargo rerun this script on every build.
            let staging = out.with_extension("src");
            let _ = fs::remove_dir_all(&staging);
            let mut sources = Vec::new();
            files(&adapter.dir, &["py"], &mut sources);
            for src in sources {
                let dest = staging.join(src.strip_prefix(&adapter.dir).unwrap_or(&src));
                fs::create_dir_all(dest.parent().unwrap_or(&staging))
                    .and_then(|()| fs::copy(&src, &dest).map(drop))
                    .unwrap_or_else(|e| panic!("copy {} for the build: {e}", src.display()));
            }
            cmd.arg("-d")
                .arg(&wit)
                .arg("-w")
                .arg(world(&adapter.dir))
                .arg("componentize")
                .arg("-p")
                .arg(&staging)
                .arg("app")
                .arg("-o")
                .arg(&partial);
        }
        Language::JavaScript => {
            cmd.arg(adapter.dir.join("adapter.js"))
                .arg(&wit)
                .arg(world(&adapter.dir))
                .arg(&partial)
                .current_dir(root.join("tools"));
        }
    }
    let output = cmd.output().unwrap_or_else(|e| {
        panic!(
            "could not run {} to build adapter `{}`: {e}",
            tool.program.display(),
            adapter.name
        )
    });
    assert!(
        output.status.success() && partial.exists(),
        "building the {} adapter `{}` failed:\n{}{}",
        adapter.language.label(),
        adapter.name,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    fs::rename(&partial, out).expect("move the built component into the cache");
    let _ = fs::remove_dir_all(out.with_extension("src"));
}

/// Removes the cached builds of `name` other than `keep`.
fn prune(cache: &Path, name: &str, keep: &Path) {
    let Ok(entries) = fs::read_dir(cache) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let file = entry.file_name().to_string_lossy().into_owned();
        let hash = file
            .strip_prefix(name)
            .and_then(|r| r.strip_prefix('-'))
            .and_then(|r| r.strip_suffix(".wasm"));
        if hash.is_some_and(|h| h.len() == 24 && !h.contains('-')) && path != keep {
            let _ = fs::remove_file(path);
        }
    }
}

/// Builds (or finds in the cache) every Python and JavaScript adapter and writes
/// `$OUT_DIR/polyglot.rs`.
pub fn build_all(root: &Path, target_dir: &Path, out_dir: &Path) {
    println!("cargo:rerun-if-changed=tools/requirements.txt");
    println!("cargo:rerun-if-changed=tools/package-lock.json");
    println!("cargo:rerun-if-changed=tools/componentize-js.mjs");
    // Installing the tools must make the next build pick them up. Cargo reruns a build script on
    // every build while a watched path is missing, so the stamps are watched only once both
    // exist; until then the (small) `tools` directory is.
    let stamps = ["tools/.venv/.installed", "tools/node_modules/.installed"];
    if stamps.iter().all(|s| root.join(s).exists()) {
        for s in stamps {
            println!("cargo:rerun-if-changed={s}");
        }
    } else {
        println!("cargo:rerun-if-changed=tools");
    }
    println!("cargo:rerun-if-env-changed=PATH");
    let cache = target_dir.join("polyglot");
    fs::create_dir_all(&cache).expect("create target/plugins/polyglot");
    let mut generated = String::from("// Generated by host/build_polyglot.rs.\n\n");
    let mut all = String::new();
    for adapter in discover(root) {
        let ident = adapter.name.to_uppercase().replace('-', "_");
        let built = find_tool(root, adapter.language).map(|tool| {
            let wasm = cache.join(format!(
                "{}-{}.wasm",
                adapter.name,
                input_hash(root, &adapter, &tool)
            ));
            if !wasm.exists() {
                build(root, &adapter, &tool, &wasm);
                prune(&cache, &adapter.name, &wasm);
            }
            wasm
        });
        let component = match built {
            Ok(wasm) => format!("Ok({:?})", wasm.display().to_string()),
            Err(why) => format!("Err({why:?})"),
        };
        let _ = writeln!(
            generated,
            "/// The `{name}` adapter ({lang}).\npub const {ident}: Polyglot = Polyglot {{ name: {name:?}, language: {lang:?}, source_dir: {dir:?}, manifest_path: {manifest:?}, component: {component} }};",
            name = adapter.name,
            lang = adapter.language.label(),
            dir = adapter.dir.display().to_string(),
            manifest = adapter.dir.join("manifest.toml").display().to_string(),
        );
        let _ = writeln!(all, "    {ident},");
    }
    let _ = writeln!(
        generated,
        "\n/// Every Python and JavaScript adapter of the repository.\npub const ALL: &[Polyglot] = &[\n{all}];"
    );
    fs::write(out_dir.join("polyglot.rs"), generated).expect("write polyglot.rs into OUT_DIR");
}
