//! `pat-verdict check` and `broadcast` against a fake GitHub and a real store file: every
//! category and exit status of docs/contract.md §6/§8, store outages, the identity pin, the registry file.

mod common;

use common::{Fixture, SECRET, keys, read_store, run, sorted};
use pat_verdict_fake_github::Reply;
use serde_json::json;

const CHECK_KEYS: &[&str] = &["has_pat", "pat_valid", "rejection_reason", "category"];
const BROADCAST_KEYS: &[&str] = &["accepted", "rejection_reason", "retryable"];

fn broadcast(fixture: &Fixture, hotkey: &str, token: &str, extra: &[&str]) -> common::Run {
    run(fixture
        .handler("broadcast", hotkey)
        .arg("--json")
        .args(extra)
        .env("GITHUB_TOKEN", token))
}

#[test]
fn broadcast_stores_the_pat_and_check_then_says_valid() {
    let fixture = Fixture::new();
    fixture.github.valid(SECRET, 42, "bob");
    let out = broadcast(&fixture, "5Bob", SECRET, &[]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(keys(&out.json()), sorted(BROADCAST_KEYS));
    assert_eq!(
        out.json(),
        json!({"accepted": true, "rejection_reason": null, "retryable": false})
    );
    let stored = read_store(&fixture.store());
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["uid"], 1);
    assert_eq!(stored[0]["hotkey"], "5Bob");
    assert_eq!(stored[0]["github_id"], "42");

    let out = fixture.check_json("5Bob", &[]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(keys(&out.json()), sorted(CHECK_KEYS));
    assert_eq!(
        out.json(),
        json!({"has_pat": true, "pat_valid": true, "rejection_reason": null, "category": "valid"})
    );
}

#[test]
fn broadcast_reads_the_token_from_stdin() {
    let fixture = Fixture::new();
    fixture.github.valid(SECRET, 42, "bob");
    let out = run(fixture
        .handler("broadcast", "5Bob")
        .args(["--json", "--token-stdin"])
        .write_stdin(format!("{SECRET}\r\n")));
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(read_store(&fixture.store())[0]["pat"], SECRET);
}

#[test]
fn broadcast_of_a_revoked_pat_is_rejected_exit_1_and_stores_nothing() {
    let fixture = Fixture::new();
    let out = broadcast(&fixture, "5Bob", SECRET, &[]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(
        out.json(),
        json!({
            "accepted": false,
            "rejection_reason": "No Github id found for miner 1's PAT",
            "retryable": false
        })
    );
    assert!(!fixture.store().exists());
}

#[test]
fn broadcast_during_an_outage_is_retryable_exit_75() {
    let fixture = Fixture::new();
    fixture.script_secret([Reply::user(42, "bob")], [Reply::not_json(503)]);
    // Roomy: under load a 1 s deadline could end during the identity lookup, a different row.
    let out = broadcast(&fixture, "5Bob", SECRET, &["--timeout", "30"]);
    let value = out.json_exiting(75);
    assert_eq!(value["accepted"], false);
    assert_eq!(value["retryable"], true);
    assert!(
        value["rejection_reason"].as_str().is_some_and(
            |r| r.starts_with("GitHub API temporarily unavailable during PAT test query")
        ),
        "{value}"
    );
    assert!(!fixture.store().exists());
}

#[test]
fn broadcast_with_a_corrupt_store_is_retryable_and_writes_nothing() {
    let fixture = Fixture::new();
    fixture.github.valid(SECRET, 42, "bob");
    std::fs::write(fixture.store(), "{corrupt").expect("write");
    let out = broadcast(&fixture, "5Bob", SECRET, &[]);
    assert_eq!(out.code, 75, "{out:?}");
    assert_eq!(out.json()["retryable"], true);
    assert!(
        out.json()["rejection_reason"]
            .as_str()
            .is_some_and(|r| r.starts_with("Validator PAT store temporarily unavailable")),
        "{out:?}"
    );
    assert_eq!(
        std::fs::read_to_string(fixture.store()).expect("read"),
        "{corrupt"
    );
}

#[test]
fn broadcast_of_another_account_for_a_pinned_hotkey_is_rejected() {
    let fixture = Fixture::new();
    fixture.write_store(&[(1, "ghp_oldPat", "7")]);
    fixture.github.valid(SECRET, 42, "bob");
    let out = broadcast(&fixture, "5Bob", SECRET, &[]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.json()["rejection_reason"]
            .as_str()
            .is_some_and(|r| r.starts_with("GitHub identity is locked")),
        "{out:?}"
    );
    assert_eq!(read_store(&fixture.store())[0]["github_id"], "7");
}

#[test]
fn broadcast_from_an_unregistered_hotkey_or_with_an_empty_pat_is_rejected() {
    let fixture = Fixture::new();
    let out = broadcast(&fixture, "5Mallory", SECRET, &[]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(
        out.json()["rejection_reason"],
        "Hotkey not registered on subnet"
    );
    let out = broadcast(&fixture, "5Carol", "  ", &[]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(
        out.json()["rejection_reason"],
        "No Github PAT provided by miner 2"
    );
    assert_eq!(fixture.all_requests(), 0);
}

#[test]
fn broadcast_for_people_names_the_outcome() {
    let fixture = Fixture::new();
    fixture.github.valid(SECRET, 42, "bob");
    let out = fixture.run_for_people("broadcast", "5Bob");
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("accepted"), "{out:?}");
    assert!(out.stdout.contains("miner_pats.json"), "{out:?}");
}

#[test]
fn check_with_a_corrupt_store_is_inconclusive_exit_75() {
    let fixture = Fixture::new();
    std::fs::write(fixture.store(), "[1, 2").expect("write");
    let out = fixture.check_json("5Bob", &[]);
    assert_eq!(out.code, 75, "{out:?}");
    let mut answer = out.json();
    // docs/contract.md §8: the added "detail" says why: the path and what is wrong with it.
    let detail = answer["detail"].take();
    let detail = detail.as_str().expect("a detail");
    assert!(
        detail.contains(&fixture.store().display().to_string()),
        "{detail}"
    );
    assert!(
        detail.contains("entry 0 is a number, not an object"),
        "{detail}"
    );
    answer.as_object_mut().expect("object").remove("detail");
    assert_eq!(
        answer,
        json!({
            "has_pat": false,
            "pat_valid": null,
            "rejection_reason": "Validator PAT store temporarily unavailable; please retry.",
            "category": "inconclusive"
        })
    );
    assert_eq!(fixture.all_requests(), 0);
}

#[test]
fn check_for_people_never_says_no_pat_while_the_store_is_down() {
    let fixture = Fixture::new();
    std::fs::write(fixture.store(), "{}").expect("write");
    let out = run(&mut fixture.handler("check", "5Bob"));
    assert_eq!(out.code, 75, "{out:?}");
    assert!(out.stdout.contains("inconclusive"), "{out:?}");
    assert!(
        out.stdout.contains("unknown (store unavailable)"),
        "{out:?}"
    );
}

#[test]
fn check_without_a_stored_pat_is_no_pat_exit_1() {
    let fixture = Fixture::new();
    let out = fixture.check_json("5Bob", &[]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.json()["category"], "no_pat");
    assert_eq!(out.json()["has_pat"], false);
    assert_eq!(out.json()["pat_valid"], false);
}

#[test]
fn check_from_an_unregistered_hotkey_is_no_response_exit_1() {
    let fixture = Fixture::new();
    let out = fixture.check_json("5Mallory", &[]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(
        out.json(),
        json!({
            "has_pat": null,
            "pat_valid": null,
            "rejection_reason": "Hotkey not registered on subnet",
            "category": "no_response"
        })
    );
}

#[test]
fn check_of_a_revoked_stored_pat_is_invalid_pat_exit_1() {
    let fixture = Fixture::new();
    fixture.write_store(&[(1, SECRET, "42")]);
    let out = fixture.check_json("5Bob", &[]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.json()["category"], "invalid_pat");
    assert_eq!(
        out.json()["rejection_reason"],
        "No Github id found for miner 1's PAT"
    );
}

#[test]
fn check_during_a_github_outage_is_inconclusive_exit_75() {
    let fixture = Fixture::new();
    fixture.write_store(&[(1, SECRET, "42")]);
    fixture.script_secret([Reply::reset()], []);
    let out = fixture.check_json("5Bob", &["--timeout", "1"]);
    assert_eq!(out.code, 75, "{out:?}");
    assert_eq!(
        out.json(),
        json!({
            "has_pat": true,
            "pat_valid": null,
            "rejection_reason": "GitHub API temporarily unavailable; retry the check in a few minutes.",
            "category": "inconclusive"
        })
    );
}

#[test]
fn check_finds_the_store_through_the_environment_variable() {
    let fixture = Fixture::new();
    fixture.write_store(&[(0, SECRET, "42")]);
    fixture.github.valid(SECRET, 42, "alice");
    let out = run(fixture
        .cmd()
        .args(["check", "--json", "--hotkey", "5Alice", "--hotkeys"])
        .arg(fixture.hotkeys())
        .env("GITTENSOR_MINER_PATS_FILE", fixture.store()));
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()["category"], "valid");
}

#[test]
fn check_for_people_shows_category_and_reason() {
    let fixture = Fixture::new();
    let out = run(&mut fixture.handler("check", "5Bob"));
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains("no_pat"), "{out:?}");
    assert!(
        out.stdout.contains("No PAT stored for this miner"),
        "{out:?}"
    );
}

#[test]
fn an_unusable_hotkeys_file_is_a_usage_error() {
    let fixture = Fixture::new();
    let cases: [(&str, Option<&str>); 4] = [
        ("missing.json", None),
        ("garbage.json", Some("not json")),
        ("object.json", Some("{}")),
        ("numbers.json", Some("[1, 2]")),
    ];
    for (name, contents) in cases {
        let path = fixture.dir.path().join(name);
        if let Some(contents) = contents {
            std::fs::write(&path, contents).expect("write");
        }
        for sub in ["check", "broadcast"] {
            let out = run(fixture
                .cmd()
                .args([sub, "--json", "--hotkey", "5Bob", "--hotkeys"])
                .arg(&path)
                .env("GITHUB_TOKEN", SECRET));
            assert_eq!(out.code, 2, "{name} {sub}: {out:?}");
            assert!(out.stderr.contains("--hotkeys"), "{out:?}");
            assert!(out.stdout.is_empty());
        }
    }
    assert_eq!(fixture.all_requests(), 0);
}

/// Issue 16, item 4, through the command line: a broadcast changes its own entry and keeps
/// every other as read — keys in the order read, each value's text, nested objects included.
#[test]
fn broadcast_keeps_every_other_entry_as_it_was_read() {
    let fixture = Fixture::new();
    fixture.github.valid(SECRET, 42, "bob");
    let carol = r#"{"stored_at":"2026-01-01T00:00:00Z","pat":"ghp_carol","meta": {"z": [1,  2], "a": 1.50},"hotkey":"5Carol","github_id":7,"uid":2}"#;
    let alice = r#"{"hotkey": "5Alice", "uid": 0, "pat": "ghp_alice"}"#;
    std::fs::write(fixture.store(), format!("[{carol},\n   {alice}]")).expect("write");
    let out = fixture.run_for_people("broadcast", "5Bob");
    assert_eq!(out.code, 0, "{out:?}");
    let text = std::fs::read_to_string(fixture.store()).expect("store");
    assert!(
        text.starts_with(
            "[\n  {\n    \"hotkey\": \"5Alice\",\n    \"uid\": 0,\n    \"pat\": \"ghp_alice\"\n  },\n  {\n    \"uid\": 1,\n    \"hotkey\": \"5Bob\","
        ),
        "{text}"
    );
    assert!(
        text.ends_with(
            "  {\n    \"stored_at\": \"2026-01-01T00:00:00Z\",\n    \"pat\": \"ghp_carol\",\n    \"meta\": {\"z\": [1,  2], \"a\": 1.50},\n    \"hotkey\": \"5Carol\",\n    \"github_id\": 7,\n    \"uid\": 2\n  }\n]\n"
        ),
        "{text}"
    );
}
