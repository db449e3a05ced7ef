//! The `fake-github` binary as the README uses it: `--help`, and a store and hotkey list
//! scripted with working and revoked PATs.
// Test helpers too: a failed step should stop the test loudly, as an assertion does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_fake-github");

#[test]
fn help_says_how_to_start_it_and_script_a_revoked_pat() {
    let output = Command::new(BIN).arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for words in [
        "--valid N",
        "--invalid M",
        "--write-store",
        "--write-hotkeys",
        "url http",
    ] {
        assert!(help.contains(words), "{words} missing from:\n{help}");
    }
    let output = Command::new(BIN).arg("--bogus").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn it_writes_a_store_with_revoked_pats_and_a_hotkey_list_one_longer() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("miner_pats.json");
    let hotkeys = dir.path().join("hotkeys.json");
    let mut child = Command::new(BIN)
        .args(["--valid", "2", "--invalid", "1", "--write-store"])
        .arg(&store)
        .arg("--write-hotkeys")
        .arg(&hotkeys)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("url http://127.0.0.1:"), "{line}");
    drop(child.stdin.take()); // closing stdin stops it
    assert!(child.wait().unwrap().success());

    let text = std::fs::read_to_string(&store).unwrap();
    // gittensor's layout and key order (json.dump(entries, f, indent=2)), not sorted keys.
    assert!(
        text.starts_with(
            "[\n  {\n    \"uid\": 0,\n    \"hotkey\": \"hotkey_0\",\n    \"pat\": \"ghp_bench_0\",\n    \"github_id\": \"1\",\n    \"stored_at\""
        ),
        "{text}"
    );
    let stored: Value = serde_json::from_str(&text).unwrap();
    let pats: Vec<&str> = stored
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pat"].as_str().unwrap())
        .collect();
    assert_eq!(pats, ["ghp_bench_0", "ghp_bench_1", "ghp_revoked_0"]);
    assert_eq!(stored[2]["github_id"], json!("3"));
    let listed: Value = serde_json::from_str(&std::fs::read_to_string(&hotkeys).unwrap()).unwrap();
    assert_eq!(
        listed,
        json!(["hotkey_0", "hotkey_1", "hotkey_2", "hotkey_3"])
    );
}

#[test]
fn a_flag_that_wants_a_number_says_so() {
    for flag in ["--valid", "--invalid", "--latency-ms"] {
        let output = Command::new(BIN).args([flag, "two"]).output().unwrap();
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            stderr.contains(&format!("{flag} expects a number")),
            "{stderr}"
        );
        assert!(!stderr.contains("invalid digit"), "{stderr}");
    }
}

#[test]
fn help_lists_every_reply_type() {
    let output = Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    for words in [
        "Reply types",
        r#"{"status": 503}"#,
        r#""json": {...}"#,
        r#""body": "raw text""#,
        r#"{"user": [42, "octocat"]}"#,
        r#"{"viewer": "octocat"}"#,
        r#"{"not_json": 502}"#,
        r#"{"raw": "bytes as text"}"#,
        r#"{"fault": "reset"}"#,
        r#"{"fault": "stall"}"#,
        r#"{"fault": "truncated""#,
        r#"{"fault": "oversized""#,
        r#""headers": {"name": "value", ...}"#,
        r#""after_ms": 300"#,
    ] {
        assert!(help.contains(words), "{words} missing from:\n{help}");
    }
}
