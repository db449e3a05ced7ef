//! `pat-verdict check`, `broadcast` and `audit` against store files that are wrong in the ways
//! an operator meets (docs/contract.md §7–§8): a lock held by another process, a lock that cannot be
//! opened, a FIFO, a missing file, one bad entry among good ones, an oversized `--hotkeys`.
#![cfg(unix)]

mod common;

use common::{Fixture, SECRET, run};
use serde_json::{Value, json};

#[test]
fn a_lock_held_by_another_process_is_store_unavailable_within_the_timeout() {
    let fixture = Fixture::with_bobs_secret_stored();
    fixture.github.valid(SECRET, 42, "bob");
    // This test process holds the lock; the command under test is the other process.
    let lock =
        std::fs::File::create(fixture.dir.path().join("miner_pats.json.lock")).expect("lock file");
    fs4::FileExt::lock(&lock).expect("locked");

    // Before the fix, check blocked until the lock was let go: the runner's 30 s safety
    // timeout killed it.
    let out = fixture.check_json("5Bob", &["--timeout", "0.2"]);
    assert_eq!(out.json_exiting(75)["category"], "inconclusive");
    out.assert_detail_contains("miner_pats.json.lock is held by another process");

    let out = run(fixture
        .handler("broadcast", "5Bob")
        .args(["--json", "--timeout", "0.2"])
        .env("GITHUB_TOKEN", SECRET));
    let value = out.json_exiting(75);
    assert_eq!(value["retryable"], true);
    assert!(
        value["rejection_reason"]
            .as_str()
            .unwrap_or_default()
            .contains("held by another process"),
        "{out:?}"
    );

    drop(lock);
    fixture.check_json("5Bob", &[]).exiting(0);
}

#[test]
fn a_lock_that_cannot_be_opened_is_unavailable_never_no_pat() {
    let fixture = Fixture::with_bobs_secret_stored();
    std::os::unix::fs::symlink(
        fixture.dir.path().join("nowhere").join("x.lock"),
        fixture.dir.path().join("miner_pats.json.lock"),
    )
    .expect("symlink");
    // Before the fix: no_pat (exit 1), and audit saw an empty store.
    let out = fixture.check_json("5Bob", &[]);
    assert_eq!(out.json_exiting(75)["category"], "inconclusive");
    out.assert_detail_contains("miner_pats.json.lock");
    fixture
        .audit_json(&fixture.store())
        .exiting(75)
        .assert_stderr_has(&["miner_pats.json.lock"]);
}

#[test]
fn a_fifo_as_the_store_is_unavailable_at_once() {
    let fixture = Fixture::new();
    let made = std::process::Command::new("mkfifo")
        .arg(fixture.store())
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    // Before the fix this hung until the runner's safety timeout.
    fixture
        .check_json("5Bob", &[])
        .exiting(75)
        .assert_detail_contains("is a FIFO, not a regular file");
}

#[test]
fn check_for_people_says_why_the_store_is_unavailable() {
    let fixture = Fixture::new();
    std::fs::create_dir(fixture.store()).expect("a directory in the store's place");
    fixture
        .check_for_people("5Bob")
        .exiting(75)
        .assert_stdout_has(&[
            "is a directory, not a regular file",
            &fixture.store().display().to_string(),
        ]);
}

#[test]
fn a_missing_store_is_no_pat_for_check_and_exit_66_for_audit() {
    let fixture = Fixture::new();
    fixture
        .check_for_people("5Bob")
        .exiting(1)
        .assert_stdout_has(&["does not exist yet"]);
    // JSON says it as people are told it (issue 16): a `"detail"` after the four keys.
    let out = fixture.check_json("5Bob", &[]);
    assert_eq!(out.json_exiting(1)["category"], "no_pat");
    out.assert_detail_contains("does not exist yet");

    let out = fixture
        .audit_json(&fixture.dir.path().join("typo.json"))
        .exiting(66);
    out.assert_stderr_has(&["typo.json does not exist"]);
    assert!(out.stdout.is_empty(), "{out:?}");
    assert_eq!(fixture.all_requests(), 0);
}

#[test]
fn one_unusable_entry_is_its_own_row_and_no_one_elses_problem() {
    let fixture = Fixture::new();
    fixture.github.valid(SECRET, 42, "bob");
    std::fs::write(
        fixture.store(),
        format!(
            r#"[{{"uid": 1, "hotkey": "5Bob", "pat": "{SECRET}", "github_id": "42"}},
                {{"uid": 2, "hotkey": "5Carol", "pat": 7}},
                {{"uid": 0, "hotkey": "5Alice", "pat": "ghp_alice"}}]"#
        ),
    )
    .expect("write");
    // Alice's entry has no github_id: it pins nothing, and it is served.
    fixture.github.valid("ghp_alice", 7, "alice");

    fixture.check_json("5Bob", &[]).exiting(0);
    fixture.check_json("5Alice", &[]).exiting(0);
    fixture
        .check_json("5Carol", &[])
        .exiting(75)
        .assert_detail_contains("the entry for uid 2 cannot be used: entry 1: \"pat\" is a number");

    let out = fixture.audit_json(&fixture.store()).exiting(0);
    let lines = out.json_lines();
    let carol: Vec<&Value> = lines.iter().filter(|line| line["uid"] == 2).collect();
    assert_eq!(carol.len(), 1, "{out:?}");
    assert_eq!(carol[0]["verdict"], "inconclusive");
    assert_eq!(carol[0]["hotkey"], "5Carol");
    // docs/contract.md §7: unusable, with the reason (what is wrong, never the value).
    assert_eq!(
        carol[0]["reason"],
        "the store entry cannot be used: entry 1: \"pat\" is a number, expected a string",
        "{out:?}"
    );
    assert_eq!(
        lines.last(),
        Some(
            &json!({"valid": 2, "invalid": 0, "inconclusive": 1, "total": 3, "requests": 4, "short_circuited": 0})
        )
    );
}

#[test]
fn an_oversized_hotkeys_file_is_a_usage_error() {
    let fixture = Fixture::new();
    // Before the fix, /dev/zero was read into memory without end.
    for sub in ["check", "broadcast"] {
        let out = run(fixture
            .cmd()
            .args([
                sub,
                "--json",
                "--hotkey",
                "5Bob",
                "--hotkeys",
                "/dev/zero",
                "--store",
            ])
            .arg(fixture.store())
            .env("GITHUB_TOKEN", SECRET));
        assert_eq!(out.code, 2, "{sub}: {out:?}");
        out.assert_stderr_has(&["larger than 64 MiB"]);
    }
}
