//! docs/contract.md §4 through the handlers: retries with backoff on an injected clock (no test sleeps),
//! at most three attempts, evidence never retried, one deadline for the whole verdict.

mod world;

use std::time::Duration;

use pat_verdict::Clock;
use pat_verdict::testing::Reply;
use pat_verdict::{Endpoint, RetryPolicy, Stage, Verdict};
use serde_json::json;
use world::World;

const SECOND: Duration = Duration::from_secs(1);

#[tokio::test]
async fn inconclusive_calls_are_tried_three_times_with_growing_backoff() {
    let world = World::new();
    world.script("ghp_x", [Reply::user(1, "m")], [Reply::status(503)]);
    let report = world.verify("ghp_x").await;
    assert!(report.verdict().transient_failure());
    assert_eq!(report.stage(), Some(Stage::TestQuery));
    assert_eq!(world.github.requests(Endpoint::TestQuery), 3);
    assert_eq!(
        report.requests(),
        4,
        "one identity call and three test queries"
    );
    let sleeps = world.clock.sleeps();
    assert_eq!(sleeps.len(), 2);
    assert!(sleeps[1] > sleeps[0], "backoff grows: {sleeps:?}");
}

#[tokio::test]
async fn evidence_is_never_retried() {
    for reply in [
        Reply::json(
            403,
            json!({ "message": "Resource not accessible by personal access token" }),
        ),
        Reply::json(
            200,
            json!({ "errors": [{ "type": "NOT_FOUND", "message": "gone" }] }),
        ),
        Reply::json(200, json!({ "errors": [{ "message": "nope" }] })),
        Reply::json(200, json!({ "data": null })),
    ] {
        let world = World::new();
        world.script("ghp_x", [Reply::user(1, "m")], [reply]);
        let report = world.verify("ghp_x").await;
        assert_eq!(report.verdict().kind(), pat_verdict::VerdictKind::Invalid);
        assert_eq!(world.github.requests(Endpoint::TestQuery), 1);
        assert!(world.clock.sleeps().is_empty());
    }
}

/// docs/contract.md §4 "GitHub contradicting itself", through the async driver: a test-query
/// 401 right after a valid identity is asked again once, after the backoff; a second 401 is
/// Invalid, a viewer is Valid.
#[tokio::test]
async fn a_test_query_401_after_a_valid_identity_is_asked_again_once() {
    let unauthorized = || Reply::json(401, json!({ "message": "Bad credentials" }));
    for (then, kind) in [
        (unauthorized(), pat_verdict::VerdictKind::Invalid),
        (Reply::viewer("m"), pat_verdict::VerdictKind::Valid),
    ] {
        let world = World::new();
        world.script("ghp_x", [Reply::user(1, "m")], [unauthorized(), then]);
        let report = world.verify("ghp_x").await;
        assert_eq!(report.verdict().kind(), kind);
        assert_eq!(world.github.requests(Endpoint::TestQuery), 2);
        assert_eq!(report.requests(), 3);
        assert_eq!(world.clock.sleeps(), [RetryPolicy::default().first_backoff]);
    }
}

#[tokio::test]
async fn a_retry_after_past_the_deadline_is_not_waited_for() {
    let world = World::new();
    let limited = Reply::json(
        403,
        json!({ "message": "You have exceeded a secondary rate limit." }),
    )
    .header("retry-after", "60");
    world.script("ghp_x", [Reply::user(1, "m")], [limited]);
    let report = world.verify("ghp_x").await;
    assert_eq!(world.github.requests(Endpoint::TestQuery), 1);
    assert!(
        world.clock.sleeps().is_empty(),
        "no wait for a Retry-After past the deadline"
    );
    let verdict = report.verdict();
    assert!(verdict.transient_failure(), "{verdict:?}");
    assert_eq!(verdict.retry_after(), Some(Duration::from_secs(60)));
    assert!(verdict.rate_limited());
    assert!(world.clock.monotonic() < SECOND, "answered at once");
}

#[tokio::test]
async fn a_retry_after_inside_the_deadline_is_honoured() {
    let world = World::new();
    let limited = Reply::json(429, json!({})).header("retry-after", "3");
    world.script(
        "ghp_x",
        [Reply::user(1, "m")],
        [limited, Reply::viewer("m")],
    );
    let report = world.verify("ghp_x").await;
    assert_eq!(report.verdict(), Verdict::Valid(()));
    assert_eq!(world.clock.sleeps(), vec![3 * SECOND]);
}

#[tokio::test]
async fn one_deadline_bounds_identity_test_query_and_retries() {
    let world = World::new();
    // Identity takes 8 s; the test query stalls far past what is left.
    world.script(
        "ghp_x",
        [Reply::user(1, "m").after(8 * SECOND)],
        [Reply::viewer("m").after(60 * SECOND)],
    );
    let report = world.verify("ghp_x").await;
    assert!(report.verdict().transient_failure(), "{report:?}");
    assert!(
        world.clock.monotonic() <= 12 * SECOND,
        "verdict inside the 12 s deadline, took {:?}",
        world.clock.monotonic()
    );
}

#[tokio::test]
async fn a_slow_outage_is_retried_only_while_time_remains() {
    let world = World::with_policy(RetryPolicy::with_deadline(5 * SECOND));
    let slow_outage = Reply::status(503).after(2 * SECOND);
    world.github.on("ghp_x", Endpoint::Identity, [slow_outage]);
    let report = world.verify("ghp_x").await;
    assert!(report.verdict().transient_failure());
    assert_eq!(report.stage(), Some(Stage::Identity));
    // 2 s + 0.5 s wait + 2 s = 4.5 s; a third attempt could not finish inside 5 s.
    assert_eq!(world.github.requests(Endpoint::Identity), 2);
    assert!(world.clock.monotonic() <= 5 * SECOND);
}

#[tokio::test]
async fn verify_reports_identity_scopes_and_expiry() {
    let world = World::new();
    let identity = Reply::json(200, json!({ "id": 42, "login": "octocat" }))
        .header("x-oauth-scopes", "repo, read:org")
        .header(
            "github-authentication-token-expiration",
            "2026-01-05 00:00:00 UTC",
        );
    world.script("ghp_x", [identity], [Reply::viewer("octocat")]);
    let report = world.verify("ghp_x").await;
    assert_eq!(report.verdict(), Verdict::Valid(()));
    assert_eq!(report.stage(), None);
    assert_eq!(report.login(), Some("octocat"));
    let identity = report.identity().expect("identity");
    assert_eq!(identity.github_id.as_str(), "42");
    assert_eq!(
        identity.token.scopes,
        Some(vec!["repo".to_owned(), "read:org".to_owned()])
    );
    assert!(
        identity
            .token
            .expires_within(world.clock.wall(), 7 * 24 * 3600 * SECOND)
    );
}

#[tokio::test]
async fn verify_refuses_a_malformed_token_without_a_request() {
    let world = World::new();
    let report = world.verify("ghp_\u{7f}x").await;
    assert_eq!(report.stage(), Some(Stage::Token));
    assert_eq!(report.verdict().kind(), pat_verdict::VerdictKind::Invalid);
    assert_eq!(report.requests(), 0);
    assert_eq!(world.github.requests(Endpoint::Identity), 0);
}
