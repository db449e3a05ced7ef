//! `pat-verdict verify` against the shapes GitHub really sends when it is the one failing
//! (docs/contract.md §2 "GitHub's own failures are never evidence" and "An answer that did
//! not come from GitHub's API is not GitHub's judgement", §4 "GitHub contradicting itself"),
//! through the loopback fake: none of them tells a miner to rotate a working PAT.

mod common;

use common::{Fixture, SECRET, assert_secret_absent};
use pat_verdict::Endpoint;
use pat_verdict_fake_github::{Reply, SOMETHING_WENT_WRONG};
use serde_json::Value;

/// `verify --json` with `$GITHUB_TOKEN` = the fixture's secret and these flags.
fn verify(fixture: &Fixture, extra: &[&str]) -> (i32, Value) {
    let out = fixture.verify_json(SECRET, extra);
    assert_secret_absent(&out);
    let value = out.json();
    (out.code, value)
}

/// [`verify`] with a one-second deadline, asserted inconclusive (exit 75): every failure of
/// GitHub's own in this file ends so, and each test then says at which stage and why.
#[track_caller]
fn inconclusive(fixture: &Fixture) -> Value {
    let (code, value) = verify(fixture, &["--timeout", "1"]);
    assert_eq!(code, 75, "{value}");
    assert_eq!(value["verdict"], "inconclusive", "{value}");
    value
}

fn not_githubs(api: &str, status: u16) -> String {
    format!(
        "{api} returned {status} with a body that is not GitHub's JSON (a proxy, a firewall or a wrong API URL?)"
    )
}

#[test]
fn a_test_query_401_right_after_a_valid_identity_is_asked_again_once() {
    // GraphQL's authentication flapped while REST worked: the second answer is the viewer.
    let fixture = Fixture::new();
    fixture.script_test_query_after_alice([Reply::bad_credentials(), Reply::viewer("alice")]);
    let (code, value) = verify(&fixture, &[]);
    assert_eq!(code, 0, "{value}");
    assert_eq!(value["verdict"], "valid");
    assert_eq!(fixture.github.requests_for(SECRET, Endpoint::TestQuery), 2);

    // A second 401 is evidence.
    let fixture = Fixture::new();
    fixture.script_test_query_after_alice([Reply::bad_credentials()]);
    let (code, value) = verify(&fixture, &[]);
    assert_eq!(code, 1, "{value}");
    assert_eq!(value["verdict"], "invalid");
    assert_eq!(value["stage"], "test_query");
    assert_eq!(value["reason"], "GitHub GraphQL API returned 401");
    assert_eq!(fixture.github.requests_for(SECRET, Endpoint::TestQuery), 2);
    assert_eq!(fixture.github.requests_for(SECRET, Endpoint::Identity), 1);
}

#[test]
fn a_4xx_that_is_not_githubs_json_is_inconclusive_at_either_call() {
    // The identity lookup answered by an HTML page (an Enterprise web UI behind a wrong
    // --api-url, a firewall): exit 75, never "invalid". Then the test query answered by HTML,
    // plain text or nothing at all.
    let identity = || vec![Reply::user(42, "alice")];
    let cases = [
        ("identity HTML", vec![Reply::not_json(404)], vec![], 404),
        (
            "test query HTML",
            identity(),
            vec![Reply::not_json(403)],
            403,
        ),
        (
            "test query text",
            identity(),
            vec![Reply::text(403, "Request blocked.\n")],
            403,
        ),
        ("test query 404", identity(), vec![Reply::status(404)], 404),
        ("test query 401", identity(), vec![Reply::status(401)], 401),
    ];
    for (name, identity, test_query, status) in cases {
        let fixture = Fixture::new();
        // No test query scripted: the case is the identity lookup's.
        let (stage, api) = if test_query.is_empty() {
            ("identity", "GitHub /user API")
        } else {
            ("test_query", "GitHub GraphQL API")
        };
        fixture.script_secret(identity, test_query);
        let value = inconclusive(&fixture);
        assert_eq!(value["stage"], stage, "{name}: {value}");
        assert_eq!(
            value["reason"],
            not_githubs(api, status).as_str(),
            "{name}: {value}"
        );
    }
}

#[test]
fn githubs_own_failure_in_a_200_is_inconclusive_and_quoted() {
    let fixture = Fixture::new();
    fixture.script_test_query_after_alice([Reply::github_failure()]);
    assert_eq!(
        inconclusive(&fixture)["reason"],
        format!("GitHub GraphQL API failed: {SOMETHING_WENT_WRONG}").as_str()
    );
}

#[test]
fn githubs_abuse_and_login_lockout_answers_are_rate_limits() {
    for message in [
        "You have triggered an abuse detection mechanism. Please wait a few minutes before you try again.",
        "Maximum number of login attempts exceeded. Please try again later.",
    ] {
        let fixture = Fixture::new();
        fixture.script_secret([Reply::json(
                403,
                serde_json::json!({
                    "message": message,
                    "documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#abuse-rate-limits",
                }),
            )], []);
        assert_eq!(
            inconclusive(&fixture)["reason"],
            "GitHub /user API returned 403 (rate limited)",
            "{message}"
        );
    }
}
