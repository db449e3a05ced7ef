//! `pat-verdict check` and `broadcast` against a fake GitHub and a real store file: every
//! category and exit status of docs/contract.md §6/§8, store outages, the identity pin, the registry file.

mod common;

use common::{Fixture, SECRET, keys, read_store, run, sorted};
use pat_verdict_fake_github::Reply;
use serde_json::{Value, json};

const CHECK_KEYS: &[&str] = &[
    "has_pat",
    "pat_valid",
    "rejection_reason",
    "category",
    "cause",
];
const BROADCAST_KEYS: &[&str] = &["accepted", "rejection_reason", "retryable", "cause"];

fn broadcast(fixture: &Fixture, hotkey: &str, token: &str, extra: &[&str]) -> common::Run {
    run(fixture
        .handler("broadcast", hotkey)
        .arg("--json")
        .args(extra)
        .env("GITHUB_TOKEN", token))
}

/// Asserts the broadcast answer's `rejection_reason` starts with `words`: the reasons whose
/// tail (a path, a retry hint) is not what the test is about.
#[track_caller]
fn assert_rejected_because(answer: &Value, words: &str) {
    assert!(
        answer["rejection_reason"]
            .as_str()
            .is_some_and(|reason| reason.starts_with(words)),
        "{words:?}: {answer}"
    );
}

#[test]
fn broadcast_stores_the_pat_and_check_then_says_valid() {
    let fixture = Fixture::new();
    fixture.github.valid(SECRET, 42, "bob");
    let value = broadcast(&fixture, "5Bob", SECRET, &[]).json_exiting(0);
    assert_eq!(keys(&value), sorted(BROADCAST_KEYS));
    assert_eq!(
        value,
        json!({"accepted": true, "rejection_reason": null, "retryable": false, "cause": "ok"})
    );
    let stored = read_store(&fixture.store());
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["uid"], 1);
    assert_eq!(stored[0]["hotkey"], "5Bob");
    assert_eq!(stored[0]["github_id"], "42");

    let value = fixture.check_json("5Bob", &[]).json_exiting(0);
    assert_eq!(keys(&value), sorted(CHECK_KEYS));
    assert_eq!(
        value,
        json!({"has_pat": true, "pat_valid": true, "rejection_reason": null, "category": "valid", "cause": "ok"})
    );
}

#[test]
fn broadcast_reads_the_token_from_stdin() {
    let fixture = Fixture::new();
    fixture.github.valid(SECRET, 42, "bob");
    run(fixture
        .handler("broadcast", "5Bob")
        .args(["--json", "--token-stdin"])
        .write_stdin(format!("{SECRET}\r\n")))
    .exiting(0);
    assert_eq!(read_store(&fixture.store())[0]["pat"], SECRET);
}

#[test]
fn broadcast_of_a_revoked_pat_is_rejected_exit_1_and_stores_nothing() {
    let fixture = Fixture::new();
    assert_eq!(
        broadcast(&fixture, "5Bob", SECRET, &[]).json_exiting(1),
        json!({
            "accepted": false,
            "rejection_reason": "No Github id found for miner 1's PAT",
            "retryable": false,
            "cause": "bad_credentials"
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
    assert_rejected_because(
        &value,
        "GitHub API temporarily unavailable during PAT test query",
    );
    assert!(!fixture.store().exists());
}

#[test]
fn broadcast_with_a_corrupt_store_is_retryable_and_writes_nothing() {
    let fixture = Fixture::new();
    fixture.github.valid(SECRET, 42, "bob");
    std::fs::write(fixture.store(), "{corrupt").expect("write");
    let value = broadcast(&fixture, "5Bob", SECRET, &[]).json_exiting(75);
    assert_eq!(value["retryable"], true);
    assert_rejected_because(&value, "Validator PAT store temporarily unavailable");
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
    let value = broadcast(&fixture, "5Bob", SECRET, &[]).json_exiting(1);
    assert_rejected_because(&value, "GitHub identity is locked");
    assert_eq!(read_store(&fixture.store())[0]["github_id"], "7");
}

#[test]
fn broadcast_from_an_unregistered_hotkey_or_with_an_empty_pat_is_rejected() {
    let fixture = Fixture::new();
    for (hotkey, token, reason) in [
        ("5Mallory", SECRET, "Hotkey not registered on subnet"),
        ("5Carol", "  ", "No Github PAT provided by miner 2"),
    ] {
        let value = broadcast(&fixture, hotkey, token, &[]).json_exiting(1);
        assert_eq!(value["rejection_reason"], reason, "{hotkey}");
    }
    assert_eq!(fixture.all_requests(), 0);
}

#[test]
fn broadcast_for_people_names_the_outcome() {
    let fixture = Fixture::new();
    fixture.github.valid(SECRET, 42, "bob");
    fixture
        .run_for_people("broadcast", "5Bob")
        .exiting(0)
        .assert_stdout_has(&["accepted", "miner_pats.json"]);
}

#[test]
fn check_with_a_corrupt_store_is_inconclusive_exit_75() {
    let fixture = Fixture::with_store_text("[1, 2");
    let mut answer = fixture.check_json("5Bob", &[]).json_exiting(75);
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
            "category": "inconclusive",
            "cause": "store_unavailable"
        })
    );
    assert_eq!(fixture.all_requests(), 0);
}

#[test]
fn check_without_a_stored_pat_is_no_pat_exit_1() {
    let fixture = Fixture::new();
    let value = fixture.check_json("5Bob", &[]).json_exiting(1);
    assert_eq!(value["category"], "no_pat");
    assert_eq!(value["has_pat"], false);
    assert_eq!(value["pat_valid"], false);
}

#[test]
fn check_from_an_unregistered_hotkey_is_no_response_exit_1() {
    let fixture = Fixture::new();
    assert_eq!(
        fixture.check_json("5Mallory", &[]).json_exiting(1),
        json!({
            "has_pat": null,
            "pat_valid": null,
            "rejection_reason": "Hotkey not registered on subnet",
            "category": "no_response",
            "cause": "not_registered"
        })
    );
}

#[test]
fn check_of_a_revoked_stored_pat_is_invalid_pat_exit_1() {
    let fixture = Fixture::with_bobs_secret_stored();
    let value = fixture.check_json("5Bob", &[]).json_exiting(1);
    assert_eq!(value["category"], "invalid_pat");
    assert_eq!(
        value["rejection_reason"],
        "No Github id found for miner 1's PAT"
    );
}

#[test]
fn check_during_a_github_outage_is_inconclusive_exit_75() {
    let fixture = Fixture::with_bobs_secret_stored();
    fixture.script_secret([Reply::reset()], []);
    assert_eq!(
        fixture
            .check_json("5Bob", &["--timeout", "1"])
            .json_exiting(75),
        json!({
            "has_pat": true,
            "pat_valid": null,
            "rejection_reason": "GitHub API temporarily unavailable; retry the check in a few minutes.",
            "category": "inconclusive",
            "cause": "transport"
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
    assert_eq!(out.json_exiting(0)["category"], "valid");
}

/// Both of check's answers for people about the store: the category and its reason, and never
/// "no PAT" while the store is down (the same steps, so one table).
#[test]
fn check_for_people_shows_category_and_reason_and_never_no_pat_while_the_store_is_down() {
    let cases = [
        (
            "no PAT stored",
            Fixture::new(),
            1,
            ["no_pat", "No PAT stored for this miner"],
        ),
        (
            "the store is down",
            Fixture::with_store_text("{}"),
            75,
            ["inconclusive", "unknown (store unavailable)"],
        ),
    ];
    for (case, fixture, code, words) in cases {
        let out = fixture.check_for_people("5Bob");
        assert_eq!(out.code, code, "{case}: {out:?}");
        for word in words {
            assert!(out.stdout.contains(word), "{case}: {word:?}: {out:?}");
        }
    }
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
            out.assert_stderr_has(&["--hotkeys"]);
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
    fixture.run_for_people("broadcast", "5Bob").exiting(0);
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
