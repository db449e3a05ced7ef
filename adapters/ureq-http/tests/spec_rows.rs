//! Every row of docs/contract.md §2 (test query), §3 (identity) and §4 (rate limits, retries, deadline)
//! through real sockets: the fake GitHub answers, ureq carries, the core classifies.

#![allow(
    clippy::expect_used,
    reason = "test helpers: a broken expectation fails the test loudly, as an assertion does"
)]

mod common;

use std::time::Duration;

use pat_verdict::{Endpoint, RetryPolicy, SecretString, Verdict, VerdictKind, Verifier};
use pat_verdict_fake_github::{FakeGithub, Reply};
use pat_verdict_system_clock::SystemClock;
use serde_json::json;

use common::{NOW, TIMEOUT, call_within, identity, is_rate_limited, reason, test_query};

fn fake() -> FakeGithub {
    FakeGithub::start().expect("the fake starts")
}

// ---- docs/contract.md §2: the test query ----

#[tokio::test]
async fn test_query_200_with_a_viewer_is_valid() {
    let github = fake();
    let verdict = test_query(&github, Reply::viewer("alice")).await;
    assert_eq!(
        verdict,
        Verdict::Valid(pat_verdict::Viewer {
            login: Some("alice".to_owned())
        })
    );
    let empty_errors = json!({ "errors": [], "data": { "viewer": { "login": "bob" } } });
    assert_eq!(
        test_query(&github, Reply::json(200, empty_errors))
            .await
            .kind(),
        VerdictKind::Valid
    );
}

#[tokio::test]
async fn test_query_5xx_is_inconclusive() {
    let github = fake();
    for status in [500, 502, 503, 504, 599] {
        let verdict = test_query(&github, Reply::status(status)).await;
        assert!(verdict.transient_failure(), "{status}: {verdict:?}");
        assert_eq!(
            reason(&verdict),
            format!("GitHub GraphQL API returned {status}")
        );
    }
    // A load balancer's HTML error page says no more than its status.
    let verdict = test_query(&github, Reply::not_json(502)).await;
    assert_eq!(reason(&verdict), "GitHub GraphQL API returned 502");
}

#[tokio::test]
async fn test_query_transport_failures_are_inconclusive() {
    let github = fake();
    // Only the stall needs a short timeout (nothing else ends it); the other faults get a
    // generous one, so that on a loaded machine they are seen as themselves, not as a
    // timeout that happened to come first.
    let short = Duration::from_millis(300);
    for (reply, timeout) in [
        (Reply::reset(), TIMEOUT),
        (Reply::stall(), short),
        (Reply::truncated(200, 500, r#"{"data":{"vie"#), TIMEOUT),
    ] {
        let result = call_within(&github, Endpoint::TestQuery, reply.clone(), timeout).await;
        let verdict = pat_verdict::classify_test_query(&result, NOW);
        assert!(verdict.transient_failure(), "{reply:?}: {verdict:?}");
        assert!(
            reason(&verdict).starts_with("GitHub GraphQL API unreachable: "),
            "{verdict:?}"
        );
    }
}

#[tokio::test]
async fn test_query_408_429_and_rate_limited_403_are_inconclusive_rate_limited() {
    let github = fake();
    let rate_limited = [
        Reply::status(408),
        Reply::status(429),
        Reply::status(403).header("x-ratelimit-remaining", "0"),
        Reply::status(403).header("retry-after", "30"),
        Reply::json(
            403,
            json!({ "message": "You have exceeded a secondary rate limit. Please wait." }),
        ),
    ];
    for reply in rate_limited {
        let verdict = test_query(&github, reply.clone()).await;
        assert!(is_rate_limited(&verdict), "{reply:?}: {verdict:?}");
        assert!(reason(&verdict).starts_with("GitHub GraphQL API returned 4"));
    }
}

#[tokio::test]
async fn test_query_401_and_403_are_invalid_and_other_4xx_refuse_the_request() {
    let github = fake();
    // docs/contract.md §13 (added 2026-12-07): the seed's "any other 4xx is Invalid" made
    // exact; 400, 404 and 422 say the request or the route is wrong, not the token.
    let refused = "GitHub refused the request, not the token (is the API URL GitHub's API root? a proxy rewriting requests?)";
    for (status, message) in [
        (401, "Bad credentials"),
        (403, "Bad credentials"),
        (400, "Not Found"),
        (404, "Not Found"),
        (422, "Not Found"),
    ] {
        let verdict = test_query(&github, Reply::json(status, json!({ "message": message }))).await;
        let returned = format!("GitHub GraphQL API returned {status}");
        let expected = if matches!(status, 401 | 403) {
            common::invalid(returned)
        } else {
            common::inconclusive(format!("{returned}: {refused}"))
        };
        assert_eq!(verdict, expected, "{status}");
    }
}

#[tokio::test]
async fn test_query_200_rate_limit_errors_are_inconclusive_rate_limited() {
    let github = fake();
    for error in [
        json!({ "type": "RATE_LIMITED", "message": "API rate limit exceeded for user ID 1." }),
        json!({ "type": "RATE_LIMIT", "message": "API rate limit exceeded" }),
        json!({ "code": "graphql_rate_limit", "message": "Slow down" }),
    ] {
        let body = json!({ "errors": [error], "data": null });
        let verdict = test_query(&github, Reply::json(200, body)).await;
        assert!(is_rate_limited(&verdict), "{verdict:?}");
    }
}

#[tokio::test]
async fn test_query_200_other_errors_are_invalid_and_checked_before_data() {
    let github = fake();
    let body = json!({
        "errors": [{ "type": "FORBIDDEN", "message": "Resource not accessible by personal access token" }],
        "data": { "viewer": { "login": "alice" } }
    });
    assert_eq!(
        test_query(&github, Reply::json(200, body)).await,
        common::invalid("GraphQL error: Resource not accessible by personal access token")
    );
    let no_message = json!({ "errors": [{ "type": "FORBIDDEN" }] });
    assert_eq!(
        test_query(&github, Reply::json(200, no_message)).await,
        common::invalid("GraphQL error: unknown")
    );
}

#[tokio::test]
async fn test_query_200_without_a_viewer_is_invalid() {
    let github = fake();
    for body in [
        json!({}),
        json!({ "data": null }),
        json!({ "data": {} }),
        json!({ "data": { "viewer": null } }),
    ] {
        assert_eq!(
            test_query(&github, Reply::json(200, body.clone())).await,
            common::invalid("Fine-grained PATs need 'Public Repositories (read-only)' permission"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn test_query_200_with_an_unreadable_body_is_inconclusive() {
    let github = fake();
    for reply in [
        Reply::not_json(200),
        Reply::body(200, "[1, 2]"),
        Reply::body(200, ""),
        Reply::oversized(200, 2 << 20),
        Reply::oversized_chunked(200, 2 << 20),
    ] {
        let verdict = test_query(&github, reply.clone()).await;
        assert!(verdict.transient_failure(), "{reply:?}: {verdict:?}");
        assert!(!is_rate_limited(&verdict));
    }
}

#[tokio::test]
async fn test_query_1xx_3xx_and_other_2xx_are_inconclusive() {
    let github = fake();
    for status in [201, 202, 204, 301, 302, 304, 307] {
        let verdict = test_query(
            &github,
            Reply::status(status).header("Location", "https://example.invalid/"),
        )
        .await;
        assert_eq!(
            verdict,
            common::inconclusive(format!("GitHub GraphQL API returned {status}")),
            "{status}"
        );
    }
    // A lone interim answer: ureq waits for a final one that never comes.
    let result = call_within(
        &github,
        Endpoint::TestQuery,
        Reply::status(100),
        Duration::from_millis(300),
    )
    .await;
    let verdict = pat_verdict::classify_test_query(&result, NOW);
    assert!(verdict.transient_failure(), "{verdict:?}");
}

// ---- docs/contract.md §3: the identity lookup ----

#[tokio::test]
async fn identity_200_with_an_id_is_valid_with_the_id_as_a_decimal_string() {
    let github = fake();
    let Verdict::Valid(found) = identity(&github, Reply::user(42, "alice")).await else {
        panic!("a valid identity");
    };
    assert_eq!(found.github_id.as_str(), "42");
    assert_eq!(found.login.as_deref(), Some("alice"));

    let as_string = json!({ "id": "583231", "login": "octocat" });
    let Verdict::Valid(found) = identity(&github, Reply::json(200, as_string)).await else {
        panic!("a valid identity");
    };
    assert_eq!(found.github_id.as_str(), "583231");
}

#[tokio::test]
async fn identity_headers_reach_the_token_info() {
    let github = fake();
    let reply = Reply::user(7, "miner")
        .header("X-OAuth-Scopes", "repo, read:org")
        .header(
            "github-authentication-token-expiration",
            "2026-01-02 15:04:05 UTC",
        );
    let Verdict::Valid(found) = identity(&github, reply).await else {
        panic!("a valid identity");
    };
    assert_eq!(
        found.token.scopes,
        Some(vec!["repo".to_owned(), "read:org".to_owned()])
    );
    assert!(found.token.expires_at.is_some());
}

#[tokio::test]
async fn identity_200_without_an_id_or_not_an_object_is_inconclusive() {
    let github = fake();
    for reply in [
        Reply::json(200, json!({ "login": "alice" })),
        Reply::json(200, json!({ "id": null })),
        Reply::json(200, json!([{ "id": 1 }])),
        Reply::not_json(200),
        Reply::oversized(200, 3 << 20),
    ] {
        let verdict = identity(&github, reply.clone()).await;
        assert!(verdict.transient_failure(), "{reply:?}: {verdict:?}");
    }
}

#[tokio::test]
async fn identity_408_429_and_rate_limited_403_are_inconclusive_rate_limited() {
    let github = fake();
    for reply in [
        Reply::status(408),
        Reply::status(429),
        Reply::json(
            403,
            json!({ "message": "API rate limit exceeded for 1.2.3.4." }),
        )
        .header("x-ratelimit-remaining", "0"),
        Reply::status(403).header("Retry-After", "60"),
    ] {
        let verdict = identity(&github, reply.clone()).await;
        assert!(is_rate_limited(&verdict), "{reply:?}: {verdict:?}");
    }
}

#[tokio::test]
async fn identity_401_and_403_are_invalid_and_other_4xx_refuse_the_request() {
    let github = fake();
    for (status, kind) in [
        (401, VerdictKind::Invalid),
        (403, VerdictKind::Invalid),
        // docs/contract.md §13 (added 2026-12-07): not about the token.
        (400, VerdictKind::Inconclusive),
        (404, VerdictKind::Inconclusive),
    ] {
        let verdict = identity(
            &github,
            Reply::json(status, json!({ "message": "Bad credentials" })),
        )
        .await;
        assert_eq!(verdict.kind(), kind, "{status}");
    }
}

#[tokio::test]
async fn identity_5xx_transport_3xx_and_other_2xx_are_inconclusive() {
    let github = fake();
    // Only the stall needs a short timeout; every other row gets a generous one, so that
    // it is judged on its own answer and not on a timeout that came first under load.
    let short = Duration::from_millis(300);
    for (reply, timeout) in [
        (Reply::status(500), TIMEOUT),
        (Reply::status(503), TIMEOUT),
        (Reply::not_json(504), TIMEOUT),
        (Reply::status(204), TIMEOUT),
        (Reply::status(302).header("Location", "/login"), TIMEOUT),
        (Reply::reset(), TIMEOUT),
        (Reply::stall(), short),
        (Reply::truncated(200, 1000, r#"{"id":"#), TIMEOUT),
    ] {
        let result = call_within(&github, Endpoint::Identity, reply.clone(), timeout).await;
        let verdict = pat_verdict::classify_identity(&result, NOW);
        assert!(verdict.transient_failure(), "{reply:?}: {verdict:?}");
    }
}

// ---- docs/contract.md §4: rate-limit waits, retries, the deadline, requests per verdict ----

#[tokio::test]
async fn retry_after_comes_from_retry_after_or_the_reset_time() {
    let github = fake();
    let verdict = test_query(&github, Reply::status(429).header("retry-after", "60")).await;
    assert_eq!(verdict.retry_after(), Some(Duration::from_secs(60)));
    let reset = (NOW.0 + 120).to_string();
    let verdict = test_query(
        &github,
        Reply::status(403)
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset", &reset),
    )
    .await;
    assert_eq!(verdict.retry_after(), Some(Duration::from_secs(120)));
}

/// A generous deadline for verdicts whose every answer comes at once: the rows below count
/// requests and must not be cut short by a deadline on a loaded machine.
const ROOMY: Duration = Duration::from_secs(60);

/// A verifier over the real adapter and the real clock, with short waits.
fn verifier(
    github: &FakeGithub,
    deadline: Duration,
) -> Verifier<pat_verdict_ureq_http::UreqGithub, SystemClock> {
    let policy = RetryPolicy {
        first_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(40),
        min_attempt_time: Duration::from_millis(50),
        ..RetryPolicy::with_deadline(deadline)
    };
    Verifier::new(common::client(github), SystemClock::new(), policy)
}

fn secret(pat: &str) -> SecretString {
    SecretString::from(pat)
}

#[tokio::test]
async fn requests_per_verdict() {
    let github = fake();
    let verifier = verifier(&github, ROOMY);

    // Valid: one identity, one test query.
    github.valid("ghp_valid", 1, "valid");
    let report = verifier.verify(&secret("ghp_valid")).await;
    assert_eq!(report.verdict(), Verdict::Valid(()));
    assert_eq!(report.requests(), 2);
    assert_eq!(report.identity().map(|id| id.github_id.as_str()), Some("1"));

    // Invalid identity: one request, never retried, no test query.
    let report = verifier.verify(&secret("ghp_unknown")).await;
    assert_eq!(report.verdict().kind(), VerdictKind::Invalid);
    assert_eq!(report.requests(), 1);
    assert_eq!(github.requests_for("ghp_unknown", Endpoint::TestQuery), 0);

    // An outage on /user: three attempts, then inconclusive; no test query.
    github.script("ghp_outage", Endpoint::Identity, [Reply::status(502)]);
    let report = verifier.verify(&secret("ghp_outage")).await;
    assert_eq!(report.verdict().kind(), VerdictKind::Inconclusive);
    assert_eq!(report.requests(), 3);
    assert_eq!(github.requests_for("ghp_outage", Endpoint::Identity), 3);
    assert_eq!(github.requests_for("ghp_outage", Endpoint::TestQuery), 0);

    // A blip on the test query is retried and the PAT judged valid.
    github.script("ghp_blip", Endpoint::Identity, [Reply::user(2, "blip")]);
    github.script(
        "ghp_blip",
        Endpoint::TestQuery,
        [Reply::reset(), Reply::status(503), Reply::viewer("blip")],
    );
    let report = verifier.verify(&secret("ghp_blip")).await;
    assert_eq!(report.verdict(), Verdict::Valid(()));
    assert_eq!(report.requests(), 4);

    // Invalid test query: identity + one test query, never retried.
    github.script("ghp_fine", Endpoint::Identity, [Reply::user(3, "fine")]);
    github.script(
        "ghp_fine",
        Endpoint::TestQuery,
        [Reply::json(200, json!({ "data": { "viewer": null } }))],
    );
    let report = verifier.verify(&secret("ghp_fine")).await;
    assert_eq!(
        report.verdict(),
        common::invalid("Fine-grained PATs need 'Public Repositories (read-only)' permission")
    );
    assert_eq!(report.requests(), 2);

    // A malformed token costs no request at all.
    github.reset_counts();
    let report = verifier.verify(&secret("ghp_bad\r\nX-Injected: 1")).await;
    assert_eq!(report.verdict().kind(), VerdictKind::Invalid);
    assert_eq!(report.requests(), 0);
    assert_eq!(github.requests(Endpoint::Identity), 0);
}

#[tokio::test]
async fn a_retry_after_past_the_deadline_is_not_waited_for() {
    let github = fake();
    github.script(
        "ghp_limited",
        Endpoint::Identity,
        [Reply::status(429).header("retry-after", "3600")],
    );
    let report = verifier(&github, ROOMY)
        .verify(&secret("ghp_limited"))
        .await;
    assert_eq!(report.requests(), 1);
    assert_eq!(
        report.verdict().retry_after(),
        Some(Duration::from_secs(3600))
    );
    assert!(is_rate_limited(&report.verdict()));
}

#[tokio::test]
async fn a_stalled_github_ends_inconclusive_at_the_deadline() {
    let github = fake();
    github.script("ghp_stalled", Endpoint::Identity, [Reply::stall()]);
    let verifier = verifier(&github, Duration::from_millis(400));
    // Bounded from outside too, as a hang guard: a client that ignored the deadline would
    // stall for good (the fake never answers) and fail here instead of hanging.
    let report = tokio::time::timeout(
        Duration::from_secs(60),
        verifier.verify(&secret("ghp_stalled")),
    )
    .await
    .expect("the deadline ends the verdict; the stall never would");
    assert_eq!(report.verdict().kind(), VerdictKind::Inconclusive);
    assert_eq!(report.requests(), 1, "no time is left for a retry");
    assert!(
        reason(&report.verdict()).contains("timed out"),
        "{:?}",
        report.verdict()
    );
}
