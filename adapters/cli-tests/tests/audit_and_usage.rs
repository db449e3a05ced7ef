//! `pat-verdict audit`, `--help` and the usage errors shared by every subcommand (the demo,
//! a program of its own, is tests/demo.rs).

mod common;

use common::{Fixture, SECRET, bare, keys, run, sorted};
use pat_verdict::Endpoint;
use pat_verdict_fake_github::Reply;
use serde_json::json;

const AUDIT_ROW_KEYS: &[&str] = &[
    "uid",
    "hotkey",
    "verdict",
    "reason",
    "github_id",
    "requests",
    "cause",
];
const AUDIT_SUMMARY_KEYS: &[&str] = &[
    "valid",
    "invalid",
    "inconclusive",
    "total",
    "requests",
    "short_circuited",
];

/// A store of three: uid 0 valid, uid 1 revoked, uid 2 behind a 503 burst.
fn three_entries() -> Fixture {
    let fixture = Fixture::with_three_entries("ghp_carolBurst");
    fixture
        .github
        .script("ghp_carolBurst", Endpoint::Identity, [Reply::status(503)]);
    fixture
}

#[test]
fn audit_json_prints_a_line_per_entry_then_the_summary() {
    let fixture = three_entries();
    let out = run(fixture
        .cmd()
        .args([
            "audit",
            "--json",
            // Roomy: Alice's answer must not be cut short on a loaded machine (Carol's 503s
            // end after three attempts whatever the deadline).
            "--timeout",
            "30",
            "--concurrency",
            "2",
            "--store",
        ])
        .arg(fixture.store()))
    .exiting(0);
    let mut lines = out.json_lines();
    assert_eq!(lines.len(), 4, "{out:?}");
    // Rows come as they finish; the summary is always last.
    lines[..3].sort_by_key(|row| row["uid"].as_u64());
    for row in &lines[..3] {
        assert_eq!(keys(row), sorted(AUDIT_ROW_KEYS));
    }
    // In the contract's order, `requests` then `cause` added at the end.
    for line in out.stdout.lines().take(3) {
        assert!(line.starts_with(r#"{"uid":"#), "{line}");
        let at = |key: &str| line.find(&format!("\"{key}\":")).unwrap_or(usize::MAX);
        let positions: Vec<usize> = AUDIT_ROW_KEYS.iter().map(|key| at(key)).collect();
        assert!(positions.is_sorted(), "{line}");
    }
    assert_eq!(
        lines[0],
        json!({"uid": 0, "hotkey": "5Alice", "verdict": "valid", "reason": null, "github_id": "1", "requests": 2, "cause": "ok"})
    );
    // `requests` as the table shows it: one for a 401, three for Carol's 503 burst.
    assert_eq!(lines[1]["requests"], 1);
    assert_eq!(lines[2]["requests"], 3);
    assert_eq!(lines[1]["verdict"], "invalid");
    assert_eq!(lines[1]["reason"], "GitHub /user API returned 401");
    assert_eq!(lines[1]["cause"], "bad_credentials");
    assert_eq!(lines[2]["verdict"], "inconclusive");
    assert_eq!(lines[2]["cause"], "github_down");
    assert_eq!(keys(&lines[3]), sorted(AUDIT_SUMMARY_KEYS));
    assert_eq!(
        lines[3],
        json!({"valid": 1, "invalid": 1, "inconclusive": 1, "total": 3, "requests": 6, "short_circuited": 0})
    );
}

#[test]
fn audit_for_people_shows_a_table_and_the_counts() {
    let fixture = three_entries();
    let out = run(fixture
        .cmd()
        .args(["audit", "--timeout", "30", "--store"])
        .arg(fixture.store()))
    .exiting(0);
    out.assert_stdout_has(&[
        "uid",
        "5Alice",
        "5Bob",
        "5Carol",
        "valid",
        "invalid",
        "inconclusive",
        "total",
        "audit again later",
    ]);
    assert!(
        !out.stderr.contains("auditing"),
        "no progress bar off a terminal"
    );
}

#[test]
fn audit_of_an_empty_store_runs() {
    // An empty store file; a store file that does not exist is exit 66 (docs/contract.md §8).
    let fixture = Fixture::with_store_text("[]");
    assert_eq!(
        fixture.audit_json(&fixture.store()).json_exiting(0),
        json!({"valid": 0, "invalid": 0, "inconclusive": 0, "total": 0, "requests": 0, "short_circuited": 0})
    );
}

#[test]
fn audit_of_an_unreadable_store_exits_75() {
    let fixture = Fixture::with_store_text("null");
    let out = fixture.audit_json(&fixture.store()).exiting(75);
    assert!(out.stdout.is_empty(), "{out:?}");
    // `null` is a corrupt file, not an outage: it names the fault and says what to do.
    out.assert_stderr_has(&["the PAT store is corrupt", "fix or restore it"]);
    // A store that cannot be read (a directory) is unavailable.
    std::fs::remove_file(fixture.store()).expect("remove");
    std::fs::create_dir(fixture.store()).expect("mkdir");
    let out = fixture.audit_json(&fixture.store()).exiting(75);
    out.assert_stderr_has(&["PAT store is unavailable"]);
}

#[test]
fn every_subcommand_has_help_with_an_example() {
    for sub in ["verify", "check", "broadcast", "audit"] {
        let out = run(bare().args([sub, "--help"]));
        assert_eq!(out.code, 0, "{sub}: {out:?}");
        assert!(out.stdout.contains("Examples:"), "{sub}: {out:?}");
    }
    let out = run(bare().arg("--help"));
    assert_eq!(out.code, 0);
    // The command operators install has no demo: that is pat-verdict-demo (docs/contract.md §15).
    assert!(!out.stdout.contains("demo"), "{out:?}");
    let out = run(bare().arg("demo"));
    assert_eq!(out.code, 2, "{out:?}");
}

#[test]
fn usage_errors_exit_2() {
    let fixture = Fixture::new();
    let cases: &[&[&str]] = &[
        &["verify", "--timeout", "0"],
        &["verify", "--timeout", "-1"],
        &["verify", "--timeout", "NaN"],
        &["verify", "--timeout", "inf"],
        &["verify", "--token-stdin", "--token-env", "X"],
        &["verify", "--token", "ghp_x"],
        &["audit", "--concurrency", "0"],
        &["check", "--hotkey", "5Bob"],
        &["frobnicate"],
    ];
    for args in cases {
        let out = run(fixture.cmd().args(*args).env("GITHUB_TOKEN", SECRET));
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
    }
    run(bare()
        .args(["verify", "--api-url", "ftp://example.invalid"])
        .env("GITHUB_TOKEN", SECRET))
    .exiting(2)
    .assert_stderr_has(&["--api-url"]);
    assert_eq!(fixture.all_requests(), 0);
}
