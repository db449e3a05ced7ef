//! Classifier, token pre-check and retry-policy costs (issue: "how fast, against what").
//!
//! Each docs/contract.md §2/§3 row on a realistic GitHub body, then the same classification over bodies of
//! 1 KiB, 64 KiB and 1 MiB (cost grows linearly, and an over-cap body costs nothing), then the
//! pure helpers. Run: `cargo bench --bench classify`.

#![allow(
    clippy::expect_used,
    reason = "a benchmark whose setup fails should stop loudly"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use pat_verdict::{
    Body, CallResult, HttpResponse, RelevantHeaders, RetryPolicy, Token, TransportError,
    TransportErrorKind, UnixTime, Verdict,
};
use pat_verdict::{
    classify_identity, classify_identity_redacting, classify_test_query,
    classify_test_query_redacting,
};

const NOW: UnixTime = UnixTime(1_767_225_600);

/// A `GET /user` body as GitHub sends it for a classic PAT (about 1.3 KB).
const USER_BODY: &str = r#"{"login":"octocat","id":583231,"node_id":"MDQ6VXNlcjU4MzIzMQ==","avatar_url":"https://avatars.githubusercontent.com/u/583231?v=4","gravatar_id":"","url":"https://api.github.com/users/octocat","html_url":"https://github.com/octocat","followers_url":"https://api.github.com/users/octocat/followers","following_url":"https://api.github.com/users/octocat/following{/other_user}","gists_url":"https://api.github.com/users/octocat/gists{/gist_id}","starred_url":"https://api.github.com/users/octocat/starred{/owner}{/repo}","subscriptions_url":"https://api.github.com/users/octocat/subscriptions","organizations_url":"https://api.github.com/users/octocat/orgs","repos_url":"https://api.github.com/users/octocat/repos","events_url":"https://api.github.com/users/octocat/events{/privacy}","received_events_url":"https://api.github.com/users/octocat/received_events","type":"User","user_view_type":"public","site_admin":false,"name":"The Octocat","company":"@github","blog":"https://github.blog","location":"San Francisco","email":null,"hireable":null,"bio":null,"twitter_username":null,"notification_email":null,"public_repos":8,"public_gists":8,"followers":21000,"following":9,"created_at":"2011-01-25T18:44:36Z","updated_at":"2026-01-22T12:13:08Z"}"#;

fn response(status: u16, body: &str) -> CallResult {
    Ok(HttpResponse::new(status, body))
}

fn rows(c: &mut Criterion) {
    let identity_headers = RelevantHeaders::default()
        .with("x-oauth-scopes", "repo, read:org, workflow")
        .with(
            "github-authentication-token-expiration",
            "2026-03-01 12:00:00 UTC",
        )
        .with("x-ratelimit-remaining", "4999")
        .with("x-ratelimit-reset", "1767229200");
    let identity_valid = Ok(HttpResponse {
        status: 200,
        headers: identity_headers,
        body: Body::Complete(USER_BODY.as_bytes().to_vec()),
    });
    let rate_limited_403 = Ok(HttpResponse {
        status: 403,
        headers: RelevantHeaders::default()
            .with("x-ratelimit-remaining", "0")
            .with("x-ratelimit-reset", "1767229200"),
        body: Body::Complete(
            br#"{"message":"API rate limit exceeded for user ID 583231.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api","status":"403"}"#.to_vec(),
        ),
    });
    let cases: Vec<(&str, CallResult)> = vec![
        (
            "valid_viewer",
            response(200, r#"{"data":{"viewer":{"login":"octocat"}}}"#),
        ),
        ("viewer_null", response(200, r#"{"data":{"viewer":null}}"#)),
        (
            "graphql_error",
            response(
                200,
                r#"{"errors":[{"type":"FORBIDDEN","path":["viewer"],"locations":[{"line":1,"column":3}],"message":"Resource not accessible by personal access token"}],"data":{"viewer":null}}"#,
            ),
        ),
        (
            "graphql_rate_limited",
            response(
                200,
                r#"{"errors":[{"type":"RATE_LIMITED","code":"graphql_rate_limit","message":"API rate limit exceeded for user ID 583231."}]}"#,
            ),
        ),
        ("status_503", response(503, "")),
        (
            "status_401",
            response(
                401,
                r#"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}"#,
            ),
        ),
        ("status_403_rate_limited", rate_limited_403.clone()),
        (
            "not_json",
            response(200, "<html><body>Unicorn!</body></html>"),
        ),
        (
            "timeout",
            Err(TransportError::new(
                TransportErrorKind::Timeout,
                "timeout: global",
            )),
        ),
    ];
    let mut group = c.benchmark_group("classify_test_query");
    for (name, result) in &cases {
        group.bench_function(*name, |b| {
            b.iter(|| classify_test_query(black_box(result), NOW))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("classify_identity");
    group.bench_function("valid_user", |b| {
        b.iter(|| classify_identity(black_box(&identity_valid), NOW))
    });
    let identity_bare = response(200, USER_BODY);
    group.bench_function("valid_user_without_token_headers", |b| {
        b.iter(|| classify_identity(black_box(&identity_bare), NOW))
    });
    group.bench_function("status_401", |b| {
        let result = &cases[5].1;
        b.iter(|| classify_identity(black_box(result), NOW))
    });
    group.bench_function("status_403_rate_limited", |b| {
        b.iter(|| classify_identity(black_box(&rate_limited_403), NOW))
    });
    group.finish();

    // What the verification machine runs: the same rows with every GitHub-supplied string
    // checked for the token (and redacted) before it is cut (docs/contract.md §5).
    let token = Token::parse("ghp_16C7e42F292c6912E7710c838347Ae178B4a").expect("a token");
    let mut group = c.benchmark_group("redacting");
    group.bench_function("test_query_valid_viewer", |b| {
        let result = &cases[0].1;
        b.iter(|| classify_test_query_redacting(black_box(result), NOW, &token))
    });
    group.bench_function("identity_valid_user", |b| {
        b.iter(|| classify_identity_redacting(black_box(&identity_valid), NOW, &token))
    });
    group.finish();
}

/// A valid test-query answer padded to `size` bytes with an ignored field.
fn padded_viewer(size: usize) -> Vec<u8> {
    let head = r#"{"data":{"viewer":{"login":"octocat"}},"extensions":{"pad":""#;
    let tail = r#""}}"#;
    let mut body = head.as_bytes().to_vec();
    body.resize(size.saturating_sub(tail.len()).max(head.len()), b'x');
    body.extend_from_slice(tail.as_bytes());
    body
}

fn body_sizes(c: &mut Criterion) {
    let mut group = c.benchmark_group("classify_test_query_body_size");
    for size in [1 << 10, 64 << 10, 1 << 20] {
        let result: CallResult = Ok(HttpResponse::new(200, padded_viewer(size)));
        assert!(matches!(
            classify_test_query(&result, NOW),
            Verdict::Valid(_)
        ));
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::from_parameter(size), &result, |b, result| {
            b.iter(|| classify_test_query(black_box(result), NOW))
        });
    }
    let over_cap: CallResult = Ok(HttpResponse {
        status: 200,
        headers: RelevantHeaders::default(),
        body: Body::OverCap { cap: 1 << 20 },
    });
    group.bench_function("over_cap", |b| {
        b.iter(|| classify_test_query(black_box(&over_cap), NOW))
    });
    group.finish();
}

fn helpers(c: &mut Criterion) {
    let mut group = c.benchmark_group("precheck_and_policy");
    group.bench_function("token_parse_classic", |b| {
        b.iter(|| Token::parse(black_box("ghp_16C7e42F292c6912E7710c838347Ae178B4a")))
    });
    group.bench_function("token_parse_fine_grained", |b| {
        b.iter(|| {
            Token::parse(black_box(
                "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ab",
            ))
        })
    });
    let policy = RetryPolicy::default();
    let down = pat_verdict::Cause::GithubDown {
        endpoint: pat_verdict::Endpoint::TestQuery,
        status: 503,
    };
    let outage: Verdict = Verdict::because(down, None);
    group.bench_function("retry_policy_after_attempt", |b| {
        b.iter(|| {
            policy.after_attempt(black_box(1), black_box(Duration::from_millis(300)), &outage)
        })
    });
    group.finish();
}

criterion_group!(benches, rows, body_sizes, helpers);
criterion_main!(benches);
