//! `truc demo`, run as a user runs it: the real binary, its exit code and what it prints.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn truc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_truc"))
}

#[test]
fn the_demo_tells_the_whole_story_and_exits_0() {
    let out = truc().arg("demo").output().expect("run truc demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "truc demo failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    for expected in [
        // Four systems, four formats.
        "speaks edXML (edxml-native)",
        "speaks JSON over HTTP (json-office)",
        "speaks GOITIN in TCVN3 (legacy-tcvn3)",
        "speaks national-axis SDK (VXP)",
        // Statuses both ways.
        "VPCP ← TP HCM    01 → 03 → 04 → 05 → 06",
        "Cao Bằng  ← VPCP 01 → 03 → 04 → 05 → 06",
        // The revocation.
        "status 13 from VPCP",
        "status 15 from Nghệ An",
        // The upgrade and rollback, and both versions delivering.
        "operator activates canary 1.1.0 (50 %)",
        "operator rolls back → json-office@1.0.0",
        "received all 40 documents, each once",
        "truc-json-office/1.1.0 ×10",
        // The breaker.
        "its circuit breaker is open",
        // The closing table.
        "revoked (agreed)",
        "dead letters: 0",
        "intact",
        "Every step above was checked.",
    ] {
        assert!(
            stdout.contains(expected),
            "the demo's output lacks {expected:?}:\n{stdout}"
        );
    }
}

#[test]
fn the_demo_refuses_a_data_directory_that_already_holds_a_hub() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("truc.db"), b"").unwrap();
    let out = truc()
        .arg("--data-dir")
        .arg(dir.path())
        .arg("demo")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("already holds a hub"), "{stderr}");
    assert_eq!(
        std::fs::read(dir.path().join("truc.db")).unwrap(),
        b"",
        "the existing store is untouched"
    );
}

#[test]
fn keep_running_leaves_the_hub_up_until_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = truc()
        .arg("--data-dir")
        .arg(dir.path())
        .args(["demo", "--keep-running"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let url = loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the demo printed where the hub keeps running");
        if let Some(rest) = line.strip_prefix("The hub keeps running at ") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    let health = http_get(&format!("{url}/healthz"));
    assert_eq!(health, "ok");
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let code = child.wait().unwrap();
    assert!(code.success(), "after Ctrl-C the demo exits 0, not {code}");
    assert!(
        dir.path().join("truc.db").exists(),
        "the data stays in --data-dir"
    );
}

/// A GET over a plain TCP socket (the test needs no HTTP client for one request).
fn http_get(url: &str) -> String {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest
        .split_once('/')
        .map(|(h, p)| (h, format!("/{p}")))
        .unwrap();
    let mut s = std::net::TcpStream::connect(host).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    answer
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_owned()
}
