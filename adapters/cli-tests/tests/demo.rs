//! `pat-verdict-demo` (adapters/demo), the README's first command: every scenario against a fake
//! GitHub on loopback, its `--json`, and its help. The demo was `pat-verdict demo` until the
//! command operators install stopped carrying the fakes (docs/contract.md §15); it behaves as
//! it did.

mod common;

use common::{demo, keys, run, sorted};
use serde_json::Value;

#[test]
fn demo_runs_every_scenario_and_exits_0() {
    run(&mut demo()).exiting(0).assert_stdout_has(&[
        "valid PAT",
        "revoked PAT",
        "scope-less fine-grained",
        "503 burst",
        "connection reset",
        "stall",
        "rate limit",
        "blip",
        "GitHub bug in a 200",
        "valid PAT, one call",
        "Outages were never reported as invalid",
    ]);
}

#[test]
fn demo_json_is_one_object_per_scenario_then_a_summary() {
    let out = run(demo().args(["--json", "--timeout", "1"])).exiting(0);
    let lines = out.json_lines();
    assert_eq!(lines.len(), 11, "{out:?}");
    for line in &lines[..10] {
        assert_eq!(
            keys(line),
            sorted(&[
                "scenario",
                "github",
                "outage",
                "requests",
                "verify",
                "broadcast",
                "check"
            ])
        );
        if line["outage"] == true {
            assert_ne!(line["verify"]["verdict"], "invalid", "{line}");
            assert_ne!(line["check"]["category"], "invalid_pat", "{line}");
        }
    }
    let scenario = |name: &str| -> &Value {
        let found = lines.iter().find(|line| line["scenario"] == name);
        found.unwrap_or_else(|| panic!("no scenario {name:?}: {out:?}"))
    };
    let bug = scenario("GitHub bug in a 200");
    assert_eq!(bug["verify"]["verdict"], "inconclusive", "{bug}");
    assert!(
        bug["verify"]["reason"].as_str().is_some_and(
            |reason| reason.starts_with("GitHub GraphQL API failed: Something went wrong")
        ),
        "{bug}"
    );
    assert_eq!(bug["check"]["category"], "inconclusive", "{bug}");
    // The one-call scenario (docs/contract.md §11): valid in one request, pinned by the id.
    let one_call = scenario("valid PAT, one call");
    assert_eq!(one_call["requests"], 1, "{one_call}");
    assert_eq!(one_call["verify"]["verdict"], "valid", "{one_call}");
    assert_eq!(one_call["verify"]["github_id"], "5830010", "{one_call}");
    assert_eq!(one_call["broadcast"]["accepted"], true, "{one_call}");
    assert_eq!(one_call["check"]["category"], "valid", "{one_call}");
    let summary = &lines[10];
    assert_eq!(summary["scenarios"], 10);
    assert_eq!(summary["outages_reported_invalid"], 0);
}

#[test]
fn demo_help_hides_the_flags_demo_ignores_and_says_its_own_deadline() {
    let out = run(demo().arg("--help"));
    assert_eq!(out.code, 0, "{out:?}");
    let text = out.stdout;
    assert!(!text.contains("--api-url <URL>"), "{text}");
    assert!(!text.contains("--ca-file <PEM>"), "{text}");
    assert!(!text.contains("--one-call"), "{text}");
    assert!(text.contains("--timeout <SECONDS>"), "{text}");
    assert!(text.contains("[default: 2]"), "{text}");
    assert!(!text.contains("[default: 12"), "{text}");
    assert!(text.contains("Examples:"), "{text}");
    // Still accepted (a script may pass them to every command).
    for args in [
        &["--api-url", "http://127.0.0.1:9", "--help"][..],
        &[
            "--api-url",
            "http://127.0.0.1:9",
            "--ca-file",
            "x.pem",
            "--one-call",
            "--help",
        ],
    ] {
        assert_eq!(run(demo().args(args)).code, 0, "{args:?}");
    }
}
