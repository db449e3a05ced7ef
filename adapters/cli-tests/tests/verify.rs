//! `pat-verdict verify` against a fake GitHub on loopback: each verdict, each exit status,
//! the JSON shape, every token source, and the token never printed.

mod common;

use std::time::Duration;

use common::{Fixture, Run, SECRET, keys, run};
use pat_verdict::{Clock, Endpoint};
use pat_verdict_fake_github::Reply;
use pat_verdict_system_clock::SystemClock;
use serde_json::{Value, json};

/// docs/contract.md §8's example answer of `verify --json` for a revoked PAT, byte for byte:
/// every key shown is always present, in the order shown. The tests take the key set from it,
/// so they hold the answer to the contract's own words rather than to a list of their own.
const CONTRACT_REVOKED_LINE: &str = r#"{"verdict":"invalid","github_id":null,"login":null,"reason":"GitHub /user API returned 401","stage":"identity","retry_after_secs":null,"scopes":null,"expires_at":null,"cause":"bad_credentials"}"#;

/// The keys of every `verify --json` answer, sorted: those of [`CONTRACT_REVOKED_LINE`].
#[expect(
    clippy::expect_used,
    reason = "a helper of the tests: a contract line that is not JSON should fail them loudly"
)]
fn verify_keys() -> Vec<String> {
    keys(&serde_json::from_str(CONTRACT_REVOKED_LINE).expect("the contract's line is JSON"))
}

#[test]
fn valid_pat_exits_0_with_every_json_key() {
    let fixture = Fixture::new();
    fixture.script_secret(
        [Reply::user(42, "alice")
            .header("x-oauth-scopes", "repo, read:org")
            .header(
                "github-authentication-token-expiration",
                "2099-01-02 15:04:05 -0700",
            )],
        [Reply::viewer("alice")],
    );
    let out = fixture.verify_json(SECRET, &[]);
    let value = out.json_exiting(0);
    assert_eq!(keys(&value), verify_keys());
    assert_eq!(
        value,
        json!({
            "verdict": "valid",
            "github_id": "42",
            "login": "alice",
            "reason": null,
            "stage": null,
            "retry_after_secs": null,
            "scopes": ["repo", "read:org"],
            "expires_at": "2099-01-02T22:04:05Z",
            "cause": "ok",
        })
    );
    assert_eq!(fixture.requests_for(SECRET), 2);
}

/// `verify --json`'s line from `out`, which must be an Invalid verdict at `stage` with the
/// contract's keys, exit 1.
fn invalid_at(out: &Run, stage: &str) -> Value {
    let value = out.json_exiting(1);
    assert_eq!(keys(&value), verify_keys());
    assert_eq!(value["verdict"], "invalid", "{value}");
    assert_eq!(value["stage"], stage, "{value}");
    value
}

#[test]
fn revoked_pat_exits_1_at_the_identity_stage() {
    let fixture = Fixture::new();
    // Unscripted: the fake answers 401 Bad credentials.
    let out = fixture.verify_json(SECRET, &[]);
    let value = invalid_at(&out, "identity");
    assert_eq!(value["reason"], "GitHub /user API returned 401");
    assert_eq!(value["github_id"], Value::Null);
    assert_eq!(fixture.requests_for(SECRET), 1, "evidence is never retried");
    // The whole line is the contract's example, keys in its order.
    assert_eq!(out.stdout.lines().last(), Some(CONTRACT_REVOKED_LINE));
}

#[test]
fn scope_less_fine_grained_pat_is_invalid_at_the_test_query() {
    let fixture = Fixture::new();
    fixture.script_test_query_after_alice([Reply::json(200, json!({"data": {"viewer": null}}))]);
    let out = fixture.verify_json(SECRET, &[]);
    let value = out.json_exiting(1);
    assert_eq!(value["stage"], "test_query");
    assert_eq!(value["github_id"], "42", "the identity is still reported");
    assert_eq!(
        value["reason"],
        "Fine-grained PATs need 'Public Repositories (read-only)' permission"
    );
}

#[test]
fn a_503_burst_is_inconclusive_exit_75_after_three_attempts() {
    let fixture = Fixture::new();
    fixture.script_test_query_after_alice([Reply::status(503)]);
    // Roomy: three attempts and their backoffs must fit whatever the machine's load.
    let out = fixture.verify_json(SECRET, &["--timeout", "30"]);
    let value = out.json_exiting(75);
    assert_eq!(value["verdict"], "inconclusive");
    assert_eq!(value["stage"], "test_query");
    assert_eq!(value["reason"], "GitHub GraphQL API returned 503");
    assert_eq!(value["cause"], "github_down");
    assert_eq!(fixture.github.requests_for(SECRET, Endpoint::TestQuery), 3);
}

#[test]
fn a_rate_limit_past_the_deadline_is_inconclusive_at_once_with_retry_after() {
    let fixture = Fixture::new();
    fixture.script_secret([Reply::status(429).header("retry-after", "120")], []);
    let out = fixture.verify_json(SECRET, &[]);
    let value = out.json_exiting(75);
    assert_eq!(value["verdict"], "inconclusive");
    assert_eq!(value["retry_after_secs"], 120);
    assert_eq!(value["cause"], "rate_limited");
    assert_eq!(fixture.requests_for(SECRET), 1);
}

#[test]
fn a_stalled_github_is_inconclusive_within_the_timeout() {
    let fixture = Fixture::new();
    fixture.script_secret([Reply::stall()], []);
    // The fake never answers: only the deadline can end this run. `run` fails if the
    // process had to be killed by the runner's 30 s hang guard, so an exit here is the
    // deadline's doing, not the stall's.
    let out = fixture.verify_json(SECRET, &["--timeout", "1"]);
    let value = out.json_exiting(75);
    assert_eq!(value["verdict"], "inconclusive");
    assert_eq!(value["stage"], "identity");
    assert_eq!(
        fixture.requests_for(SECRET),
        1,
        "the stalled attempt used the whole deadline: no retry, no test query"
    );
}

#[test]
fn a_connection_reset_is_inconclusive() {
    let fixture = Fixture::new();
    fixture.script_secret([Reply::reset()], []);
    let value = fixture
        .verify_json(SECRET, &["--timeout", "2"])
        .json_exiting(75);
    assert_eq!(value["verdict"], "inconclusive");
    assert_eq!(value["cause"], "transport");
}

#[test]
fn a_malformed_token_is_never_sent() {
    let fixture = Fixture::new();
    for bad in [
        "ghp_SECRETsecret123\r\nX-Injected: yes",
        "ghp_SECRET secret123",
        "ghp_SECRÉTsecret123",
    ] {
        let out = fixture.verify_json(bad, &[]);
        let value = invalid_at(&out, "token");
        assert_eq!(value["cause"], "malformed_token");
        assert!(
            value["reason"]
                .as_str()
                .is_some_and(|r| r.contains("outside GitHub's token alphabet"))
        );
        assert!(!out.stdout.contains("SECRET") && !out.stderr.contains("SECRET"));
    }
    assert_eq!(fixture.all_requests(), 0, "nothing reached GitHub");
}

#[test]
fn an_empty_token_is_invalid_without_a_request() {
    let fixture = Fixture::new();
    let value = fixture.verify_json(" \n ", &[]).json_exiting(1);
    assert_eq!(value["stage"], "token");
    assert_eq!(value["reason"], "no token was provided");
    assert_eq!(fixture.all_requests(), 0);
}

#[test]
fn an_unset_token_variable_is_a_usage_error() {
    let fixture = Fixture::new();
    run(fixture.cmd().args(["verify", "--json"]))
        .exiting(2)
        .assert_stderr_has(&["$GITHUB_TOKEN is not set"]);
    run(fixture
        .cmd()
        .args(["verify", "--token-env", "MINER_PAT"])
        .env("GITHUB_TOKEN", SECRET))
    .exiting(2)
    .assert_stderr_has(&["$MINER_PAT"]);
    assert_eq!(fixture.all_requests(), 0);
}

#[test]
fn the_token_can_come_from_stdin() {
    let fixture = Fixture::new();
    fixture.github.valid(SECRET, 42, "alice");
    let out = fixture.verify_stdin(&["--json", "--token-stdin"], format!("{SECRET}\n"));
    assert_eq!(out.json_exiting(0)["login"], "alice");
    assert_eq!(fixture.requests_for(SECRET), 2, "sent without its newline");
}

#[test]
fn stdin_over_the_cap_is_a_usage_error() {
    let fixture = Fixture::new();
    fixture
        .verify_stdin(&["--token-stdin"], vec![b'a'; 64 * 1024 + 1])
        .exiting(2);
    assert_eq!(fixture.all_requests(), 0);
}

#[test]
fn the_token_can_come_from_a_named_variable() {
    let fixture = Fixture::new();
    fixture.github.valid(SECRET, 42, "alice");
    run(fixture
        .cmd()
        .args(["verify", "--json", "--token-env", "MINER_PAT"])
        .env("MINER_PAT", SECRET)
        .env("GITHUB_TOKEN", "ghp_notTheOneToUse"))
    .exiting(0);
    assert_eq!(fixture.requests_for("ghp_notTheOneToUse"), 0);
}

#[test]
fn people_see_scopes_expiry_and_a_warning_when_it_is_close() {
    let fixture = Fixture::new();
    let soon = SystemClock::new()
        .wall()
        .plus(Duration::from_secs(3 * 86_400 + 600));
    let header = soon.to_iso8601().replace('T', " ").replace('Z', " UTC");
    fixture.script_secret(
        [Reply::user(42, "alice")
            .header("x-oauth-scopes", "repo")
            .header("github-authentication-token-expiration", &header)],
        [Reply::viewer("alice")],
    );
    let out = run(fixture.cmd().arg("verify").env("GITHUB_TOKEN", SECRET)).exiting(0);
    out.assert_stdout_has(&["valid", "alice", "42", "repo", &soon.to_iso8601()]);
    assert!(!out.stdout.contains('\u{1b}'), "no colour with NO_COLOR");
    assert!(
        out.stderr.contains("warning: this PAT expires") && out.stderr.contains("in 3 days"),
        "{out:?}"
    );
}

#[test]
fn no_warning_for_a_far_expiry_and_words_for_inconclusive() {
    let fixture = Fixture::new();
    fixture.script_secret([Reply::status(503)], []);
    let out = run(fixture
        .cmd()
        .args(["verify", "--timeout", "1"])
        .env("GITHUB_TOKEN", SECRET))
    .exiting(75);
    out.assert_stdout_has(&["inconclusive", "not evidence against the PAT"]);
    assert!(!out.stderr.contains("warning"));
}

#[test]
fn a_github_message_quoting_the_token_is_redacted() {
    let fixture = Fixture::new();
    fixture.script_test_query_after_alice([Reply::json(
        200,
        json!({"errors": [{"message": format!("token {SECRET} lacks access")}]}),
    )]);
    let value = fixture.verify_json(SECRET, &[]).json_exiting(1);
    assert_eq!(
        value["reason"],
        "GraphQL error: token [REDACTED] lacks access"
    );
}

#[test]
fn trace_logging_never_prints_the_token() {
    let fixture = Fixture::new();
    fixture.script_test_query_after_alice([Reply::status(502), Reply::viewer("alice")]);
    // `verify --json` of `token` with every log line on (`run` checks both streams).
    let traced = |token: &str| {
        run(fixture
            .cmd()
            .args(["verify", "--json"])
            .env("GITHUB_TOKEN", token)
            .env("RUST_LOG", "trace"))
    };
    let out = traced(SECRET).exiting(0);
    assert!(out.stderr.contains("verified"), "logging is on: {out:?}");
    assert!(
        !out.stderr.to_ascii_lowercase().contains("authorization"),
        "no request headers in the log: {out:?}"
    );
    // And for a token that never passes the pre-check.
    traced(&format!("{SECRET}\n\u{7}")).exiting(1);
}
