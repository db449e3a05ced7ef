//! The outage guard through the command line (docs/contract.md §10): an audit into a GitHub
//! that answers 503 to everything notices the outage once and answers the rest at once;
//! `--outage-threshold 0` turns it off; `--metrics-file` holds the run's counters.

#![allow(
    clippy::expect_used,
    reason = "fixtures outside #[test] functions: a failed setup should panic the test"
)]

mod common;

use common::{Fixture, run};
use pat_verdict_fake_github::Reply;
use serde_json::Value;

/// A store of `count` entries whose PATs the fake answers with 503, every attempt.
fn outage_store(fixture: &Fixture, count: u32) {
    fixture.write_many(count, "ghp_down_", |_| Reply::status(503));
}

#[test]
fn an_audit_into_an_outage_asks_github_a_few_times_not_a_thousand() {
    let fixture = Fixture::new();
    outage_store(&fixture, 256);
    let metrics = fixture.dir.path().join("pat_verdict.prom");
    let out = run(fixture
        .cmd()
        .args(["audit", "--json", "--metrics-file"])
        .arg(&metrics)
        .arg("--store")
        .arg(fixture.store()))
    .exiting(0);
    let lines = out.json_lines();
    let (rows, summary) = lines.split_at(lines.len() - 1);
    assert_eq!(rows.len(), 256);
    assert!(
        rows.iter().all(|row| row["verdict"] == "inconclusive"),
        "nobody is told their PAT is invalid"
    );
    let sent = fixture.all_requests();
    assert!(sent <= 64, "{sent} requests into the outage");
    let summary = &summary[0];
    assert_eq!(summary["inconclusive"], 256);
    assert_eq!(summary["requests"], sent);
    let short_circuited = summary["short_circuited"].as_u64().expect("a count");
    assert!(short_circuited >= 200, "{summary}");
    let text = std::fs::read_to_string(&metrics).expect("the metrics file");
    for line in [
        "pat_verdict_outage_guard_open 1\n".to_owned(),
        "pat_verdict_outage_guard_opened_total 1\n".to_owned(),
        format!(
            "pat_verdict_verdicts_total{{verdict=\"inconclusive\",cause=\"short_circuited\"}} {short_circuited}\n"
        ),
        format!("pat_verdict_github_requests_total{{endpoint=\"user\",outcome=\"5xx\"}} {sent}\n"),
    ] {
        assert!(text.contains(&line), "{line} missing from:\n{text}");
    }
    // Each short-circuited row says so as its cause (one per verdict the counters counted),
    // and in words why, and when GitHub is asked again.
    let guarded: Vec<&Value> = rows
        .iter()
        .filter(|row| row["cause"] == "short_circuited")
        .collect();
    assert_eq!(guarded.len() as u64, short_circuited, "{summary}");
    let reason = guarded[0]["reason"].as_str().expect("a reason");
    assert!(reason.starts_with("GitHub API unavailable: "), "{reason}");
    assert!(
        reason.contains(" requests in a row failed; not asking again before "),
        "{reason}"
    );
}

#[test]
fn the_guard_turned_off_spends_every_attempt() {
    let fixture = Fixture::new();
    outage_store(&fixture, 8);
    let out = run(fixture
        .cmd()
        .args([
            "--outage-threshold",
            "0",
            "audit",
            "--json",
            "--concurrency",
            "8",
            "--store",
        ])
        .arg(fixture.store()))
    .exiting(0);
    assert_eq!(fixture.all_requests(), 8 * 3);
    let summary = out.json_lines().pop().expect("a summary");
    assert_eq!(summary["short_circuited"], 0);
    assert_eq!(summary["requests"], 24);
}

#[test]
fn a_cool_down_out_of_range_is_a_usage_error() {
    let fixture = Fixture::new();
    for bad in ["0", "-1", "601", "soon"] {
        let out = run(fixture
            .cmd()
            .args(["--outage-cooldown", bad, "audit", "--store"])
            .arg(fixture.store()))
        .exiting(2);
        assert!(
            out.stderr.contains("the outage cool-down must be"),
            "{bad}: {}",
            out.stderr
        );
    }
}
