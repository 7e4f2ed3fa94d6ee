//! The operator's verbs through the real binary: on the store of a data directory, and with
//! `--server` through a running hub's admin API.

use std::path::Path;
use std::process::{Command, Output};

use crate::hub::{self, ADMIN};
use crate::world::{G22, H41, document};

fn truc(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_truc"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("TRUC_ADMIN_TOKEN")
        .output()
        .expect("run truc")
}

fn ok(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "truc failed ({}): {stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn failed(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "truc should have failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(&ok(out)).expect("--json prints JSON")
}

#[test]
fn an_operator_registers_agencies_and_endpoints_then_a_document_travels() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&truc(
        d,
        &["agency", "add", G22, "--name", "Văn phòng Chính phủ"],
    ));
    ok(&truc(
        d,
        &["agency", "add", H41, "--name", "UBND tỉnh Nghệ An"],
    ));
    ok(&truc(
        d,
        &[
            "agency",
            "add",
            "000.01.00.H41",
            "--name",
            "Sở Nội vụ Nghệ An",
            "--parent",
            H41,
        ],
    ));
    let list = json(&truc(d, &["agency", "list", "--parent", H41, "--json"]));
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["code"], "000.01.00.H41");

    let vpcp = ok(&truc(d, &["endpoint", "add", "vpcp", "--agency", G22]));
    assert!(vpcp.contains("API key"), "the key is printed once: {vpcp}");
    ok(&truc(d, &["endpoint", "add", "nghean", "--agency", H41]));
    let endpoints = json(&truc(d, &["endpoint", "list", "--json"]));
    assert_eq!(endpoints.as_array().unwrap().len(), 2);
    assert!(
        !endpoints.to_string().contains("api_key_hash"),
        "no key material is listed: {endpoints}"
    );

    let file = d.join("doc.edxml");
    std::fs::write(&file, document(G22, &[H41], 7)).unwrap();
    let receipt = json(&truc(
        d,
        &["send", file.to_str().unwrap(), "--as", "vpcp", "--json"],
    ));
    assert_eq!(receipt["deliveries"][0]["receiver"], H41);
    let again = json(&truc(
        d,
        &["send", file.to_str().unwrap(), "--as", "vpcp", "--json"],
    ));
    assert_eq!(again["duplicate"], true, "sending twice stores once");

    let inbox = json(&truc(d, &["inbox", "--as", "nghean", "--json"]));
    assert_eq!(inbox.as_array().unwrap().len(), 1);
    let saved = d.join("saved");
    ok(&truc(
        d,
        &["inbox", "--as", "nghean", "--save", saved.to_str().unwrap()],
    ));
    let files: Vec<_> = std::fs::read_dir(&saved).unwrap().collect();
    assert_eq!(files.len(), 1, "the package was saved");
    let saved_bytes = std::fs::read(files[0].as_ref().unwrap().path()).unwrap();
    assert!(
        String::from_utf8_lossy(&saved_bytes).contains("<edXML"),
        "saved as edXML"
    );
    assert!(
        ok(&truc(d, &["inbox", "--as", "nghean"])).contains("is empty"),
        "saving acknowledged it"
    );

    let id = crate::world::doc_id(G22, 7);
    let timeline = json(&truc(d, &["document", "timeline", &id, "--json"]));
    let events: Vec<&str> = timeline
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["accepted", "delivered"]);

    assert!(ok(&truc(d, &["audit", "verify"])).contains("intact"));
    assert!(ok(&truc(d, &["dead-letters", "list"])).contains("no dead letters"));
}

#[test]
fn mistakes_get_errors_that_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let e = failed(&truc(d, &["agency", "add", "not-a-code", "--name", "x"]));
    assert!(e.contains("not-a-code"), "{e}");
    let file = d.join("doc.edxml");
    std::fs::write(&file, document(G22, &[H41], 1)).unwrap();
    let e = failed(&truc(
        d,
        &["send", file.to_str().unwrap(), "--as", "nobody"],
    ));
    assert!(
        e.contains("endpoint `nobody` does not exist; see `truc endpoint list`"),
        "{e}"
    );
    let e = failed(&truc(
        d,
        &[
            "send",
            d.join("missing.edxml").to_str().unwrap(),
            "--as",
            "nobody",
        ],
    ));
    assert!(e.contains("nobody") || e.contains("missing.edxml"), "{e}");
    let e = failed(&truc(d, &["dead-letters", "retry"]));
    assert!(e.contains("--all"), "{e}");
    let e = failed(&truc(
        d,
        &["--server", "http://127.0.0.1:9", "agency", "list"],
    ));
    assert!(e.contains("admin token"), "{e}");
    let e = failed(&truc(
        d,
        &["--server", "http://127.0.0.1:9", "inbox", "--as", "x"],
    ));
    assert!(e.contains("Drop --server"), "{e}");
}

#[test]
fn a_tampered_audit_log_is_reported_with_exit_status_1() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&truc(d, &["agency", "add", G22, "--name", "VPCP"]));
    ok(&truc(d, &["agency", "add", H41, "--name", "Nghệ An"]));
    ok(&truc(d, &["endpoint", "add", "vpcp", "--agency", G22]));
    ok(&truc(d, &["endpoint", "add", "nghean", "--agency", H41]));
    for n in 1..=3 {
        let file = d.join(format!("{n}.edxml"));
        std::fs::write(&file, document(G22, &[H41], n)).unwrap();
        ok(&truc(d, &["send", file.to_str().unwrap(), "--as", "vpcp"]));
    }
    // Forge one entry's details directly in the database.
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = truc::store::Store::open(&format!("sqlite:{}", d.join("truc.db").display()))
            .await
            .unwrap();
        sqlx::query("UPDATE audit SET detail = '{\"forged\":true}' WHERE seq = 2")
            .execute(store.pool())
            .await
            .unwrap();
        store.close().await;
    });
    let out = truc(d, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("BROKEN at entry 2"), "{text}");
}

/// Runs truc with `--server` off the async runtime (the hub serves on it meanwhile).
async fn remote(url: &str, data: &Path, token: &str, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_truc"));
    cmd.arg("--data-dir")
        .arg(data)
        .args(["--server", url, "--admin-token", token])
        .args(args);
    tokio::task::spawn_blocking(move || cmd.output().expect("run truc"))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_verbs_work_through_a_running_hub() {
    let h = hub::start().await;
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    ok(&remote(
        &h.url,
        d,
        ADMIN,
        &["agency", "add", G22, "--name", "Văn phòng Chính phủ"],
    )
    .await);
    let created = json(
        &remote(
            &h.url,
            d,
            ADMIN,
            &["endpoint", "add", "vpcp", "--agency", G22, "--json"],
        )
        .await,
    );
    assert!(
        created["api_key"].as_str().is_some_and(|k| k.len() > 20),
        "{created}"
    );
    assert_eq!(
        json(&remote(&h.url, d, ADMIN, &["agency", "list", "--json"]).await)[0]["code"],
        G22
    );
    assert!(ok(&remote(&h.url, d, ADMIN, &["audit", "verify"]).await).contains("intact"));
    assert!(
        ok(&remote(&h.url, d, ADMIN, &["dead-letters", "list"]).await).contains("no dead letters")
    );
    let e = failed(
        &remote(
            &h.url,
            d,
            "a-wrong-token-of-enough-length",
            &["agency", "list"],
        )
        .await,
    );
    assert!(e.contains("401"), "{e}");
    // It went to the hub, not to the local data directory.
    assert!(
        !d.join("truc.db").exists(),
        "--server must not touch the local store"
    );
    h.stop().await;
}

#[test]
fn every_verb_has_help() {
    let dir = tempfile::tempdir().unwrap();
    for verb in [
        vec!["serve"],
        vec!["demo"],
        vec!["agency", "add"],
        vec!["agency", "import"],
        vec!["agency", "list"],
        vec!["endpoint", "add"],
        vec!["endpoint", "list"],
        vec!["endpoint", "rotate-key"],
        vec!["adapter", "install"],
        vec!["adapter", "activate"],
        vec!["adapter", "rollback"],
        vec!["adapter", "list"],
        vec!["send"],
        vec!["inbox"],
        vec!["document", "timeline"],
        vec!["audit", "verify"],
        vec!["dead-letters", "list"],
        vec!["dead-letters", "retry"],
    ] {
        let mut args = verb.clone();
        args.push("--help");
        let out = truc(dir.path(), &args);
        let text = ok(&out);
        assert!(text.contains("Usage: truc"), "{verb:?}: {text}");
    }
}
