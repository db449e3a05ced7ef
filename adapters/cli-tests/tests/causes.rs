//! Issue 28: every `--json` answer says *why* as one word, `"cause"` (docs/contract.md §13),
//! and the exit status follows the verdict the cause implies, never the words of a reason.
//! A representative answer of each kind, through the command line against the fake GitHub on
//! loopback: `verify`, `check`, `broadcast` and `audit` rows, the handlers' own words too.

mod common;

use common::{Fixture, HOTKEYS, SECRET, run};
use pat_verdict::Endpoint;
use pat_verdict_fake_github::Reply;
use serde_json::{Value, json};

/// One answer GitHub gives, and what `verify --json` must say of it.
struct Case {
    name: &'static str,
    /// Scripts the fixture (the token is [`SECRET`] unless `token` says otherwise).
    script: fn(&Fixture),
    token: &'static str,
    cause: &'static str,
    verdict: &'static str,
}

/// GitHub's JSON with `message`, as it answers a refusal.
fn github_json(status: u16, message: &str) -> Reply {
    Reply::json(
        status,
        json!({"message": message, "documentation_url": "https://docs.github.com/rest"}),
    )
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "both calls valid",
            script: |f| f.script_secret([Reply::user(42, "alice")], [Reply::viewer("alice")]),
            token: SECRET,
            cause: "ok",
            verdict: "valid",
        },
        Case {
            name: "a token outside GitHub's alphabet",
            script: |_| {},
            token: "ghp_not a token",
            cause: "malformed_token",
            verdict: "invalid",
        },
        Case {
            name: "401 Bad credentials",
            script: |_| {},
            token: SECRET,
            cause: "bad_credentials",
            verdict: "invalid",
        },
        Case {
            name: "403 without any signal",
            script: |f| {
                f.script_secret(
                    [github_json(
                        403,
                        "Resource not accessible by personal access token",
                    )],
                    [],
                );
            },
            token: SECRET,
            cause: "forbidden",
            verdict: "invalid",
        },
        Case {
            name: "a GraphQL error that is evidence",
            script: |f| {
                f.script_test_query_after_alice([Reply::json(
                    200,
                    json!({"errors": [{"type": "FORBIDDEN", "message": "Resource not accessible by personal access token"}]}),
                )]);
            },
            token: SECRET,
            cause: "graphql_error",
            verdict: "invalid",
        },
        Case {
            name: "a viewer the test query cannot see",
            script: |f| {
                f.script_test_query_after_alice([Reply::json(
                    200,
                    json!({"data": {"viewer": null}}),
                )]);
            },
            token: SECRET,
            cause: "no_viewer",
            verdict: "invalid",
        },
        Case {
            name: "GitHub's real failed-login lockout wording",
            script: |f| {
                f.script_secret(
                    [Reply::json(
                        403,
                        json!({"message": "Max number of login attempt exceeded"}),
                    )],
                    [],
                );
            },
            token: SECRET,
            cause: "rate_limited",
            verdict: "inconclusive",
        },
        Case {
            name: "GitHub's own failure in a 200",
            script: |f| f.script_test_query_after_alice([Reply::github_failure()]),
            token: SECRET,
            cause: "github_failure",
            verdict: "inconclusive",
        },
        Case {
            name: "a 404 that is not GitHub's JSON",
            script: |f| f.script_secret([Reply::not_json(404)], []),
            token: SECRET,
            cause: "not_github",
            verdict: "inconclusive",
        },
        Case {
            name: "a 404 with GitHub's JSON (a wrong API root)",
            script: |f| f.script_secret([github_json(404, "Not Found")], []),
            token: SECRET,
            cause: "request_refused",
            verdict: "inconclusive",
        },
        Case {
            name: "a 403 refusing a missing User-Agent",
            script: |f| {
                f.script_secret(
                    [Reply::body(
                        403,
                        "{\"message\": \"Missing or invalid User Agent string. See https://developer.github.com/v3/#user-agent-required\"}",
                    )
                    .header("content-type", "application/octet-stream")],
                    [],
                );
            },
            token: SECRET,
            cause: "request_refused",
            verdict: "inconclusive",
        },
        Case {
            name: "a 200 from /user without an id",
            script: |f| f.script_secret([Reply::json(200, json!({"login": "alice"}))], []),
            token: SECRET,
            cause: "no_account_id",
            verdict: "inconclusive",
        },
        Case {
            name: "no answer at all",
            script: |f| f.script_secret([Reply::reset()], []),
            token: SECRET,
            cause: "transport",
            verdict: "inconclusive",
        },
    ]
}

/// The exit status docs/contract.md §8 gives a verdict word.
fn exit_for(verdict: &str) -> i32 {
    match verdict {
        "valid" => 0,
        "invalid" => 1,
        _ => 75,
    }
}

#[test]
fn verify_json_says_the_cause_of_each_kind_of_answer_and_exits_by_its_verdict() {
    for case in cases() {
        let fixture = Fixture::new();
        (case.script)(&fixture);
        let out = fixture.verify_json(case.token, &["--timeout", "2"]);
        let name = case.name;
        let value = out.json();
        assert_eq!(value["cause"], case.cause, "{name}: {out:?}");
        assert_eq!(value["verdict"], case.verdict, "{name}: {out:?}");
        assert_eq!(out.code, exit_for(case.verdict), "{name}: {out:?}");
        // `cause` is the last key: keys are only ever added at the end.
        let line = out.stdout.lines().last().unwrap_or_default();
        assert!(
            line.ends_with(&format!(r#","cause":"{}"}}"#, case.cause)),
            "{name}: {line}"
        );
    }
}

#[test]
fn a_refused_request_is_never_rejected_by_broadcast_nor_invalid_to_check() {
    // The issue's harm: a wrong --api-url made every stored PAT invalid and rejected a
    // working PAT's broadcast as "No Github id found".
    let fixture = Fixture::with_bobs_secret_stored();
    fixture.script_secret([Reply::json(404, json!({"message": "Not Found"}))], []);
    let value = fixture.check_json("5Bob", &[]).json_exiting(75);
    assert_eq!(value["category"], "inconclusive", "{value}");
    assert_eq!(value["pat_valid"], Value::Null, "{value}");
    assert_eq!(value["cause"], "request_refused", "{value}");

    let fixture = Fixture::new();
    fixture.script_secret([Reply::json(404, json!({"message": "Not Found"}))], []);
    let out = run(fixture
        .handler("broadcast", "5Bob")
        .arg("--json")
        .env("GITHUB_TOKEN", SECRET));
    let value = out.json_exiting(75);
    assert_eq!(value["retryable"], true, "{value}");
    assert_eq!(value["cause"], "request_refused", "{value}");
    assert!(!fixture.store().exists(), "nothing stored");
}

#[test]
fn the_handlers_own_words_say_why_when_no_verification_decided() {
    let fixture = Fixture::new();
    // No store file: no PAT, and the handler decided.
    let value = fixture.check_json("5Bob", &[]).json_exiting(1);
    assert_eq!(value["cause"], "no_pat", "{value}");
    let value = fixture.check_json("5Mallory", &[]).json_exiting(1);
    assert_eq!(value["cause"], "not_registered", "{value}");

    // Pinned to account 7: another account's PAT is refused by the pin.
    fixture.write_store(&[(1, "ghp_oldPat", "7")]);
    fixture.github.valid(SECRET, 42, "bob");
    let broadcast = |hotkey: &str| {
        run(fixture
            .handler("broadcast", hotkey)
            .arg("--json")
            .env("GITHUB_TOKEN", SECRET))
    };
    let value = broadcast("5Bob").json_exiting(1);
    assert_eq!(value["cause"], "identity_locked", "{value}");
    let value = broadcast("5Mallory").json_exiting(1);
    assert_eq!(value["cause"], "not_registered", "{value}");

    // A store that is a directory: unavailable, for both handlers.
    std::fs::remove_file(fixture.store()).expect("remove");
    std::fs::create_dir(fixture.store()).expect("mkdir");
    let value = fixture.check_json("5Bob", &[]).json_exiting(75);
    assert_eq!(value["cause"], "store_unavailable", "{value}");
    let value = broadcast("5Bob").json_exiting(75);
    assert_eq!(value["cause"], "store_unavailable", "{value}");
}

#[test]
fn every_audit_row_says_its_cause_and_the_summary_counts_refused_requests_apart() {
    let fixture = Fixture::new();
    // uid 0 valid, uid 1 revoked (the fake's 401), uid 2 refused as a request (a 404 with
    // GitHub's JSON), and an entry without a uid that cannot be used.
    let pats = ["ghp_causeAlice1", "ghp_causeBob222", "ghp_causeCarol3"];
    fixture.github.valid(pats[0], 1, "alice");
    fixture.github.script(
        pats[2],
        Endpoint::Identity,
        [Reply::json(404, json!({"message": "Not Found"}))],
    );
    let mut entries: Vec<Value> = pats
        .iter()
        .zip(HOTKEYS)
        .enumerate()
        .map(|(uid, (pat, hotkey))| json!({"uid": uid, "hotkey": hotkey, "pat": pat, "github_id": "1"}))
        .collect();
    entries.push(json!({"hotkey": "5Nobody", "pat": "ghp_causeNobody"}));
    std::fs::write(fixture.store(), Value::Array(entries).to_string()).expect("write store");

    let out = fixture.audit_json(&fixture.store()).exiting(0);
    let lines = out.json_lines();
    let cause_of = |uid: Value| {
        lines
            .iter()
            .find(|row| row.get("verdict").is_some() && row["uid"] == uid)
            .map(|row| row["cause"].clone())
    };
    assert_eq!(cause_of(json!(0)), Some(json!("ok")), "{out:?}");
    assert_eq!(
        cause_of(json!(1)),
        Some(json!("bad_credentials")),
        "{out:?}"
    );
    assert_eq!(
        cause_of(json!(2)),
        Some(json!("request_refused")),
        "{out:?}"
    );
    assert_eq!(
        cause_of(Value::Null),
        Some(json!("store_unavailable")),
        "{out:?}"
    );
    let summary = lines.last().expect("a summary");
    assert_eq!(summary["inconclusive"], 2, "{summary}");
    assert_eq!(
        summary["invalid"], 1,
        "a refused request is not invalid: {summary}"
    );

    // For people, the refused row is told apart from GitHub being down: check the URL rather
    // than wait.
    let out = run(fixture
        .cmd()
        .args(["audit", "--store"])
        .arg(fixture.store()))
    .exiting(0);
    out.assert_stdout_has(&[
        "1 PATs were not judged because GitHub refused the request, not the PAT (see their \
         reason): check --api-url (and any proxy) before auditing again.",
    ]);
    assert!(
        !out.stdout
            .contains("Inconclusive PATs were not judged (GitHub could not answer)"),
        "GitHub answered every request: {out:?}"
    );
}
