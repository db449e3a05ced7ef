//! `--one-call` (docs/contract.md §11) through the loopback fake: every row of §2's table as
//! the one call's answer, the viewer's `databaseId` by §3's rules, the pin by it, and the
//! handlers' test-query words. One request per verdict, never `GET /user`.

mod common;

use common::{Fixture, SECRET, read_store, run};
use pat_verdict::{BODY_CAP, Endpoint};
use pat_verdict_fake_github::{Reply, SOMETHING_WENT_WRONG};
use serde_json::{Value, json};

/// `verify --json --one-call` with `$GITHUB_TOKEN` = [`SECRET`], whose one call plays
/// `replies`, with a one-second deadline (a retried outage ends inside it): the answer and
/// its exit status.
fn verify_one_call(replies: Vec<Reply>) -> (Fixture, i32, Value) {
    let fixture = Fixture::new();
    fixture.github.script(SECRET, Endpoint::OneCall, replies);
    let out = fixture.verify_json(SECRET, &["--one-call", "--timeout", "1"]);
    let value = out.json();
    (fixture, out.code, value)
}

/// A 200 whose body is `body`.
fn ok(body: Value) -> Reply {
    Reply::json(200, body)
}

/// The viewer with its account id, as GitHub answers the one call.
fn viewer(id: Value) -> Value {
    json!({"data": {"viewer": {"login": "alice", "databaseId": id}}})
}

/// One row of §2's table: what the one call answered, and what `verify` must say of it.
struct Row {
    name: &'static str,
    reply: fn() -> Reply,
    verdict: &'static str,
    /// The verdict's cause on the wire (docs/contract.md §13).
    cause: &'static str,
    reason: Option<&'static str>,
}

const GRAPHQL: &str = "GitHub GraphQL API";

/// §2's table, row by row, as the one call's answer (the valid row is its own test below).
fn rows() -> Vec<Row> {
    vec![
        Row {
            name: "5xx",
            reply: || Reply::status(503),
            verdict: "inconclusive",
            cause: "github_down",
            reason: Some("GitHub GraphQL API returned 503"),
        },
        Row {
            name: "transport failure",
            reply: Reply::reset,
            verdict: "inconclusive",
            cause: "transport",
            reason: None,
        },
        Row {
            name: "408",
            reply: || Reply::status(408),
            verdict: "inconclusive",
            cause: "rate_limited",
            reason: Some("GitHub GraphQL API returned 408 (rate limited)"),
        },
        Row {
            name: "429 with retry-after",
            reply: || Reply::status(429).header("retry-after", "30"),
            verdict: "inconclusive",
            cause: "rate_limited",
            reason: Some("GitHub GraphQL API returned 429 (rate limited; retry after 30 s)"),
        },
        Row {
            name: "403 with a rate-limit signal",
            reply: || {
                Reply::json(403, json!({"message": "API rate limit exceeded"}))
                    .header("x-ratelimit-remaining", "0")
            },
            verdict: "inconclusive",
            cause: "rate_limited",
            reason: Some("GitHub GraphQL API returned 403 (rate limited)"),
        },
        Row {
            name: "4xx with an HTML page",
            reply: || Reply::not_json(403),
            verdict: "inconclusive",
            cause: "not_github",
            reason: Some(
                "GitHub GraphQL API returned 403 with a body that is not GitHub's JSON (a proxy, a firewall or a wrong API URL?)",
            ),
        },
        Row {
            name: "401 bad credentials",
            reply: Reply::bad_credentials,
            verdict: "invalid",
            cause: "bad_credentials",
            reason: Some("GitHub GraphQL API returned 401"),
        },
        Row {
            // Changed by the dated 4xx rule (docs/contract.md §13, 2026-12-07): a 422 with
            // GitHub's JSON refuses the request, not the token; it was `invalid`.
            name: "4xx with a JSON object",
            reply: || Reply::json(422, json!({})),
            verdict: "inconclusive",
            cause: "request_refused",
            // R17's words, then the CLI's hint naming --api-url (asserted in mistakes.rs).
            reason: None,
        },
        Row {
            name: "200 GraphQL rate limit",
            reply: || {
                ok(
                    json!({"errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded for user"}]}),
                )
            },
            verdict: "inconclusive",
            cause: "rate_limited",
            reason: Some("API rate limit exceeded for user"),
        },
        Row {
            name: "200 GitHub's own failure",
            reply: Reply::github_failure,
            verdict: "inconclusive",
            cause: "github_failure",
            reason: None,
        },
        Row {
            name: "200 GraphQL error that is evidence",
            reply: || {
                ok(
                    json!({"errors": [{"type": "FORBIDDEN", "message": "Resource not accessible by personal access token"}]}),
                )
            },
            verdict: "invalid",
            cause: "graphql_error",
            reason: Some("GraphQL error: Resource not accessible by personal access token"),
        },
        Row {
            name: "200 data null",
            reply: || ok(json!({"data": null})),
            verdict: "invalid",
            cause: "no_viewer",
            reason: Some("Fine-grained PATs need 'Public Repositories (read-only)' permission"),
        },
        Row {
            name: "200 viewer null",
            reply: || ok(json!({"data": {"viewer": null}})),
            verdict: "invalid",
            cause: "no_viewer",
            reason: Some("Fine-grained PATs need 'Public Repositories (read-only)' permission"),
        },
        Row {
            name: "200 larger than the cap",
            reply: || Reply::oversized(200, BODY_CAP as u64 + 1),
            verdict: "inconclusive",
            cause: "not_github",
            reason: None,
        },
        Row {
            name: "200 not JSON",
            reply: || Reply::body(200, "<html>"),
            verdict: "inconclusive",
            cause: "not_github",
            reason: None,
        },
        Row {
            name: "200 JSON not an object",
            reply: || ok(json!([null, null])),
            verdict: "inconclusive",
            cause: "not_github",
            reason: Some("GitHub GraphQL API returned JSON that is not an object"),
        },
        Row {
            name: "3xx",
            reply: || Reply::status(302).header("location", "http://127.0.0.1:1/"),
            verdict: "inconclusive",
            cause: "not_github",
            reason: Some("GitHub GraphQL API returned 302"),
        },
        Row {
            name: "2xx other than 200",
            reply: || Reply::status(204),
            verdict: "inconclusive",
            cause: "not_github",
            reason: Some("GitHub GraphQL API returned 204"),
        },
    ]
}

#[test]
fn every_row_of_the_test_query_table_decides_the_one_call() {
    for row in rows() {
        let (fixture, code, value) = verify_one_call(vec![(row.reply)()]);
        let name = row.name;
        assert_eq!(value["verdict"], row.verdict, "{name}: {value}");
        let expected_code = if row.verdict == "invalid" { 1 } else { 75 };
        assert_eq!(code, expected_code, "{name}: {value}");
        assert_eq!(value["stage"], "test_query", "{name}: {value}");
        assert_eq!(value["cause"], row.cause, "{name}: {value}");
        let reason = value["reason"].as_str().unwrap_or_default();
        match row.reason {
            Some(expected) => assert_eq!(reason, expected, "{name}"),
            None => assert!(reason.starts_with(GRAPHQL), "{name}: {value}"),
        }
        assert_eq!(value["github_id"], Value::Null, "{name}: {value}");
        // Never `GET /user`, never the two-call test query.
        assert_eq!(
            fixture.github.requests_for(SECRET, Endpoint::Identity),
            0,
            "{name}"
        );
        assert_eq!(
            fixture.github.requests_for(SECRET, Endpoint::TestQuery),
            0,
            "{name}"
        );
        let sent = fixture.github.requests_for(SECRET, Endpoint::OneCall);
        assert!(sent >= 1, "{name}");
        if row.verdict == "invalid" {
            // Evidence at the first answer: no call is asked again.
            assert_eq!(sent, 1, "{name}");
        }
    }
}

#[test]
fn a_valid_viewer_is_one_request_with_the_id_login_scopes_and_expiry_of_its_answer() {
    let reply = ok(viewer(json!(42)))
        .header("x-oauth-scopes", "repo, read:user")
        .header(
            "github-authentication-token-expiration",
            "2099-01-01 00:00:00 UTC",
        );
    let (fixture, code, value) = verify_one_call(vec![reply]);
    assert_eq!(code, 0, "{value}");
    assert_eq!(value["verdict"], "valid");
    assert_eq!(value["github_id"], "42");
    assert_eq!(value["login"], "alice");
    assert_eq!(value["scopes"], json!(["repo", "read:user"]));
    assert!(
        value["expires_at"]
            .as_str()
            .is_some_and(|at| at.starts_with("2099-01-01")),
        "{value}"
    );
    assert_eq!(value["stage"], Value::Null);
    assert_eq!(fixture.github.requests_for(SECRET, Endpoint::OneCall), 1);
    assert_eq!(fixture.github.requests_for(SECRET, Endpoint::Identity), 0);
    assert_eq!(fixture.github.requests_for(SECRET, Endpoint::TestQuery), 0);
    // The one call is GraphQL with a Bearer token and the query that asks for the id.
    let request = fixture
        .github
        .last_request(Endpoint::OneCall)
        .expect("the one call was recorded");
    assert_eq!(request.method, "POST");
    assert!(request.path.ends_with("/graphql"), "{}", request.path);
    assert_eq!(request.auth_scheme.as_deref(), Some("Bearer"));
    assert!(
        String::from_utf8_lossy(&request.body).contains("databaseId"),
        "the query asks for the account id"
    );
}

#[test]
fn githubs_own_failure_beside_the_viewer_with_its_id_is_valid() {
    let (_, code, value) = verify_one_call(vec![ok(json!({
        "errors": [{"message": SOMETHING_WENT_WRONG}],
        "data": {"viewer": {"login": "alice", "databaseId": 42}},
    }))]);
    assert_eq!(code, 0, "{value}");
    assert_eq!(value["github_id"], "42");
}

#[test]
fn a_viewer_without_a_usable_database_id_is_inconclusive_never_valid() {
    let without = "GitHub /user API returned no account id";
    let not_decimal = "GitHub /user API returned an account id that is not a non-negative integer";
    let cases = [
        (
            "missing",
            json!({"data": {"viewer": {"login": "alice"}}}),
            without,
        ),
        ("null", viewer(Value::Null), without),
        ("negative", viewer(json!(-1)), not_decimal),
        ("fraction", viewer(json!(4.2)), not_decimal),
        ("words", viewer(json!("forty-two")), not_decimal),
        ("the token echoed", viewer(json!(SECRET)), not_decimal),
    ];
    for (name, body, reason) in cases {
        let (_, code, value) = verify_one_call(vec![ok(body)]);
        assert_eq!(code, 75, "{name}: {value}");
        assert_eq!(value["verdict"], "inconclusive", "{name}");
        assert_eq!(value["stage"], "test_query", "{name}");
        assert_eq!(value["reason"], reason, "{name}");
        assert_eq!(value["github_id"], Value::Null, "{name}");
    }
    // A string of digits is an id, as §3 reads `id`.
    let (_, code, value) = verify_one_call(vec![ok(viewer(json!("42")))]);
    assert_eq!(code, 0, "{value}");
    assert_eq!(value["github_id"], "42");
}

#[test]
fn an_outage_is_asked_again_within_the_deadline_and_then_valid() {
    let (fixture, code, value) = verify_one_call(vec![Reply::status(502), ok(viewer(json!(42)))]);
    assert_eq!(code, 0, "{value}");
    assert_eq!(fixture.github.requests_for(SECRET, Endpoint::OneCall), 2);
}

/// `broadcast --json --one-call --hotkey 5Bob` with `$GITHUB_TOKEN` = [`SECRET`].
/// Bob's `broadcast --one-call` of [`SECRET`], which GitHub answers with `reply`, over a
/// store holding `stored` (uid, PAT, `github_id`) entries: the fixture and the answer,
/// exited with `exit`.
fn broadcast(stored: &[(u32, &str, &str)], reply: Reply, exit: i32) -> (Fixture, Value) {
    let fixture = Fixture::new();
    if !stored.is_empty() {
        fixture.write_store(stored);
    }
    fixture.github.script(SECRET, Endpoint::OneCall, [reply]);
    let value = run(fixture
        .handler("broadcast", "5Bob")
        .args(["--json", "--one-call", "--timeout", "1"])
        .env("GITHUB_TOKEN", SECRET))
    .json_exiting(exit);
    (fixture, value)
}

#[test]
fn broadcast_pins_the_database_id_and_refuses_another_account() {
    // A fresh hotkey: stored, pinned to the viewer's databaseId, with one request.
    let (fixture, value) = broadcast(&[], ok(viewer(json!(42))), 0);
    assert_eq!(value["accepted"], true, "{value}");
    let stored = read_store(&fixture.store());
    assert_eq!(stored[0]["github_id"], "42");
    assert_eq!(fixture.github.requests_for(SECRET, Endpoint::OneCall), 1);
    assert_eq!(fixture.github.requests_for(SECRET, Endpoint::Identity), 0);

    // The hotkey is pinned to account 7: a PAT of account 42 is refused, the entry kept.
    let (fixture, value) = broadcast(&[(1, "ghp_oldPat", "7")], ok(viewer(json!(42))), 1);
    assert!(
        value["rejection_reason"]
            .as_str()
            .is_some_and(|reason| reason.starts_with("GitHub identity is locked")),
        "{value}"
    );
    assert_eq!(read_store(&fixture.store())[0]["github_id"], "7");

    // The same account again (a rotated PAT): accepted, still pinned to 7.
    let (fixture, value) = broadcast(&[(1, "ghp_oldPat", "7")], ok(viewer(json!(7))), 0);
    assert_eq!(value["accepted"], true, "{value}");
    let stored = read_store(&fixture.store());
    assert_eq!(stored[0]["github_id"], "7");
    assert_eq!(stored[0]["pat"], SECRET);
}

#[test]
fn the_handlers_speak_of_the_test_query_when_the_one_call_fails() {
    // Invalid: broadcast rejects in the test query's words (two calls would say
    // "No Github id found…"), and check calls the PAT invalid in the same words.
    let (fixture, value) = broadcast(&[], Reply::bad_credentials(), 1);
    assert_eq!(
        value,
        json!({
            "accepted": false,
            "rejection_reason": "PAT test query failed: GitHub GraphQL API returned 401",
            "retryable": false,
            "cause": "bad_credentials",
        })
    );
    fixture.write_store(&[(1, SECRET, "42")]);
    let value = fixture.check_json("5Bob", &["--one-call"]).json_exiting(1);
    assert_eq!(value["category"], "invalid_pat", "{value}");
    assert_eq!(
        value["rejection_reason"],
        "PAT test query failed: GitHub GraphQL API returned 401"
    );

    // Inconclusive: broadcast says to retry in the test query's words; check says GitHub is
    // unavailable. The store is left as it was.
    let (fixture, value) = broadcast(&[], Reply::status(503), 75);
    assert_eq!(value["accepted"], false);
    assert_eq!(value["retryable"], true);
    assert_eq!(
        value["rejection_reason"],
        "GitHub API temporarily unavailable during PAT test query; retry the broadcast in a few minutes. (GitHub GraphQL API returned 503)"
    );
    assert!(!fixture.store().exists() || read_store(&fixture.store()).is_empty());
    fixture.write_store(&[(1, SECRET, "42")]);
    let value = fixture
        .check_json("5Bob", &["--one-call", "--timeout", "1"])
        .json_exiting(75);
    assert_eq!(value["category"], "inconclusive", "{value}");
    assert_eq!(
        value["rejection_reason"],
        "GitHub API temporarily unavailable; retry the check in a few minutes."
    );
    assert_eq!(fixture.github.requests_for(SECRET, Endpoint::Identity), 0);
}

#[test]
fn audit_makes_one_request_per_stored_pat() {
    let fixture = Fixture::new();
    let pats = ["ghp_oneCallAaaa1", "ghp_oneCallBbbb2", "ghp_oneCallCccc3"];
    for (id, pat) in (1_u64..).zip(pats) {
        fixture.github.valid(pat, id, "miner");
    }
    fixture.write_store(&[(0, pats[0], "1"), (1, pats[1], "2"), (2, pats[2], "3")]);
    let out = run(fixture
        .cmd()
        .args(["audit", "--json", "--one-call", "--store"])
        .arg(fixture.store()));
    let lines = out.json_lines();
    let summary = lines.last().expect("a summary line");
    assert_eq!(summary["valid"], 3, "{summary}");
    assert_eq!(summary["requests"], 3, "{summary}");
    assert_eq!(fixture.github.requests(Endpoint::OneCall), 3);
    assert_eq!(fixture.github.requests(Endpoint::Identity), 0);
    assert_eq!(fixture.github.requests(Endpoint::TestQuery), 0);
}
