//! The adapter itself against the fake on loopback: what it sends, what it hands back, how
//! each fault surfaces as a `TransportError`, and that bodies, time and connections stay
//! bounded.

#![allow(
    clippy::expect_used,
    reason = "test helpers: a broken expectation fails the test loudly, as an assertion does"
)]

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use pat_verdict::testing::ScriptedGithub;
use pat_verdict::{ApiUrlError, BODY_CAP};
use pat_verdict::{Body, Endpoint, GithubApi, HttpResponse, TransportError, TransportErrorKind};
use pat_verdict_fake_github::{Answer, FakeGithub, Reply};
use pat_verdict_ureq_http::{ClientError, UreqGithub};

use common::{TIMEOUT, call, call_within, client, fresh_token, token};

fn fake() -> FakeGithub {
    FakeGithub::start().expect("the fake starts")
}

fn response(result: Result<HttpResponse, TransportError>) -> HttpResponse {
    result.unwrap_or_else(|error| panic!("expected a response, got {error:?}"))
}

/// The transport failure `result` must be, of `kind`; an answer or another kind fails the
/// test, showing what came instead. The failure, for the test's further checks.
fn fails_as(
    kind: TransportErrorKind,
    result: Result<HttpResponse, TransportError>,
) -> TransportError {
    let error = failure(result);
    assert_eq!(error.kind, kind, "{error}");
    error
}

fn failure(result: Result<HttpResponse, TransportError>) -> TransportError {
    match result {
        Ok(response) => panic!("expected a transport failure, got {response:?}"),
        Err(error) => error,
    }
}

/// A hang guard for calls that must come back on their own: generous, because it only
/// turns a hang into a failure and is never what a test measures.
const HANG_GUARD: Duration = Duration::from_secs(60);

/// Bounds a call from outside, so a client that ignored its timeout fails the test instead of
/// hanging. The bound is a hang guard, many times the call's own timeout: no test here
/// measures speed (that is the benchmarks' job).
async fn within<T>(limit: Duration, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(limit, future)
        .await
        .expect("the call came back in time")
}

/// [`call_within`] under the [`HANG_GUARD`]: for the tests about a call's own timeout.
async fn timed_call(
    github: &FakeGithub,
    endpoint: Endpoint,
    reply: Reply,
    timeout: Duration,
) -> Result<HttpResponse, TransportError> {
    within(HANG_GUARD, call_within(github, endpoint, reply, timeout)).await
}

#[tokio::test]
async fn requests_have_the_schemes_headers_and_body_github_expects() {
    let github = fake();
    github.valid("ghp_shape", 9, "shape");
    let client = client(&github);
    // 200s prove the schemes: the fake answers 401 to `Bearer` on /user and `token` on /graphql.
    let user = response(
        client
            .send(Endpoint::Identity, &token("ghp_shape"), TIMEOUT)
            .await,
    );
    assert_eq!(user.status, 200);
    let viewer = response(
        client
            .send(Endpoint::TestQuery, &token("ghp_shape"), TIMEOUT)
            .await,
    );
    assert_eq!(viewer.status, 200);

    let get = github
        .last_request(Endpoint::Identity)
        .expect("a /user request");
    assert_eq!((get.method.as_str(), get.path.as_str()), ("GET", "/user"));
    assert_eq!(get.auth_scheme.as_deref(), Some("token"));
    assert_eq!(
        get.header("user-agent"),
        Some(concat!("pat-verdict/", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(get.header("accept"), Some("application/vnd.github+json"));
    assert!(get.body.is_empty());
    assert_eq!(get.header("content-length"), None);

    let post = github
        .last_request(Endpoint::TestQuery)
        .expect("a /graphql request");
    assert_eq!(
        (post.method.as_str(), post.path.as_str()),
        ("POST", "/graphql")
    );
    assert_eq!(post.auth_scheme.as_deref(), Some("Bearer"));
    assert_eq!(post.header("content-type"), Some("application/json"));
    assert_eq!(
        Some(post.body.as_slice()),
        Endpoint::TestQuery.body().map(str::as_bytes)
    );
    assert_eq!(
        post.header("user-agent"),
        Some(concat!("pat-verdict/", env!("CARGO_PKG_VERSION")))
    );
}

#[tokio::test]
async fn a_trailing_slash_on_the_api_url_is_fine() {
    let github = fake();
    github.valid("ghp_slash", 1, "slash");
    let client = UreqGithub::new(&format!("{}/", github.url())).expect("valid");
    let user = response(
        client
            .send(Endpoint::Identity, &token("ghp_slash"), TIMEOUT)
            .await,
    );
    assert_eq!(user.status, 200);
    assert_eq!(github.requests_for("ghp_slash", Endpoint::Identity), 1);
}

#[tokio::test]
async fn only_http_and_https_urls_are_accepted() {
    assert!(matches!(
        UreqGithub::new("ftp://127.0.0.1"),
        Err(ClientError::ApiUrl(ApiUrlError::Scheme))
    ));
    assert!(UreqGithub::new("not a url").is_err());
    assert!(UreqGithub::new("https://api.github.com/").is_ok());
}

#[tokio::test]
async fn statuses_are_answers_and_redirects_are_not_followed() {
    let github = fake();
    let pat = fresh_token();
    github.valid(&pat, 5, "target");
    // A redirect to a URL that would answer 200: it must come back as the 302 itself.
    let location = format!("{}/user", github.url());
    let moved = fresh_token();
    github.script(
        &moved,
        Endpoint::Identity,
        [Reply::status(302).header("Location", &location)],
    );
    let answer = response(
        client(&github)
            .send(Endpoint::Identity, &token(&moved), TIMEOUT)
            .await,
    );
    assert_eq!(answer.status, 302);
    assert_eq!(
        github.requests(Endpoint::Identity),
        1,
        "the redirect was not followed"
    );

    for status in [401, 404, 500, 503] {
        let answer = response(call(&github, Endpoint::Identity, Reply::status(status)).await);
        assert_eq!(answer.status, status);
    }
}

#[tokio::test]
async fn relevant_headers_and_non_json_bodies_come_back_as_sent() {
    let github = fake();
    let answer = response(
        call(
            &github,
            Endpoint::Identity,
            Reply::not_json(403)
                .header("Retry-After", "30")
                .header("X-RateLimit-Remaining", "0")
                .header("X-RateLimit-Reset", "1767225700")
                .header("X-OAuth-Scopes", "repo")
                .header("X-Unrelated", "dropped"),
        )
        .await,
    );
    assert_eq!(answer.status, 403);
    assert_eq!(answer.headers.retry_after.as_deref(), Some("30"));
    assert_eq!(answer.headers.ratelimit_remaining.as_deref(), Some("0"));
    assert_eq!(
        answer.headers.ratelimit_reset.as_deref(),
        Some("1767225700")
    );
    assert_eq!(answer.headers.oauth_scopes.as_deref(), Some("repo"));
    let html = answer.body.bytes().expect("a complete body");
    assert!(html.starts_with(b"<!DOCTYPE html>"));
}

#[tokio::test]
async fn a_reset_is_a_connection_reset() {
    let github = fake();
    let error = fails_as(
        TransportErrorKind::ConnectionReset,
        call(&github, Endpoint::TestQuery, Reply::reset()).await,
    );
    assert!(!error.detail.contains("ghp_"), "{error}");
}

#[tokio::test]
async fn a_close_without_an_answer_is_a_connection_reset() {
    let github = fake();
    fails_as(
        TransportErrorKind::ConnectionReset,
        call(&github, Endpoint::Identity, Reply::raw(Vec::new())).await,
    );
}

#[tokio::test]
async fn a_stall_times_out_within_the_timeout() {
    let github = fake();
    let short = Duration::from_millis(300);
    fails_as(
        TransportErrorKind::Timeout,
        timed_call(&github, Endpoint::Identity, Reply::stall(), short).await,
    );
    // A slow answer counts against the same timeout: this one is held until the fake is
    // dropped, so only the client's timeout can end the call.
    let slow_body = Reply::user(1, "slow").held("never opened");
    fails_as(
        TransportErrorKind::Timeout,
        timed_call(&github, Endpoint::Identity, slow_body, short).await,
    );
}

#[tokio::test]
async fn no_time_left_is_a_timeout_not_a_hang() {
    let github = fake();
    fails_as(
        TransportErrorKind::Timeout,
        timed_call(&github, Endpoint::Identity, Reply::stall(), Duration::ZERO).await,
    );
}

#[tokio::test]
async fn a_short_body_is_a_truncated_body() {
    let github = fake();
    fails_as(
        TransportErrorKind::TruncatedBody,
        call(
            &github,
            Endpoint::Identity,
            Reply::truncated(200, 4096, r#"{"login":"alice","id":"#),
        )
        .await,
    );
    // Even on an error status: the answer is incomplete, so it is not judged.
    fails_as(
        TransportErrorKind::TruncatedBody,
        call(
            &github,
            Endpoint::TestQuery,
            Reply::truncated(401, 100, "{"),
        )
        .await,
    );
}

#[tokio::test]
async fn an_answer_that_is_not_http_is_a_protocol_error() {
    let github = fake();
    fails_as(
        TransportErrorKind::Protocol,
        call(
            &github,
            Endpoint::Identity,
            Reply::raw("SSH-2.0-OpenSSH_9.6\r\n\r\n"),
        )
        .await,
    );
}

#[tokio::test]
async fn a_refused_port_is_a_connect_failure() {
    // A socket bound but not listening: the port stays ours for the whole test (a port
    // freed and reused could be taken by another test's server meanwhile, and answer), and
    // a connection to it is refused.
    let socket =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("a socket");
    socket
        .bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .expect("bind");
    let port = socket
        .local_addr()
        .expect("address")
        .as_socket()
        .expect("an IP address")
        .port();
    let client = UreqGithub::new(&format!("http://127.0.0.1:{port}")).expect("valid");
    let error = fails_as(
        TransportErrorKind::Connect,
        client
            .send(Endpoint::Identity, &token("ghp_refused"), TIMEOUT)
            .await,
    );
    assert!(!error.detail.contains("ghp_refused"));
    drop(socket);
}

#[tokio::test]
async fn an_unresolvable_host_is_a_dns_failure() {
    let client = UreqGithub::new("http://nonexistent.invalid").expect("valid");
    fails_as(
        TransportErrorKind::Dns,
        within(
            HANG_GUARD,
            // Long enough for a slow resolver to answer: a lookup cut short would be a
            // timeout, not the DNS failure this test is about.
            client.send(
                Endpoint::Identity,
                &token("ghp_dns"),
                Duration::from_secs(30),
            ),
        )
        .await,
    );
}

/// A plain-text peer is a TLS failure of its own kind, `NotTls` (read from rustls's error,
/// not its words), whose text is still R5's `TLS failed`.
#[tokio::test]
async fn https_to_a_plain_http_server_is_a_tls_failure() {
    let github = fake();
    let https = github.url().replacen("http://", "https://", 1);
    let client = UreqGithub::new(&https).expect("valid");
    let error = fails_as(
        TransportErrorKind::NotTls,
        client
            .send(Endpoint::Identity, &token("ghp_tls"), TIMEOUT)
            .await,
    );
    assert!(error.to_string().starts_with("TLS failed: "), "{error}");
}

#[tokio::test]
async fn bodies_over_the_cap_are_over_cap_and_not_read() {
    let github = fake();
    let client = client(&github).with_body_cap(100);
    let pat = fresh_token();
    github.valid(&pat, 1, "alice"); // ~1.3 KB of /user
    let user = response(client.send(Endpoint::Identity, &token(&pat), TIMEOUT).await);
    assert_eq!(user.status, 200);
    assert_eq!(user.body, Body::OverCap { cap: 100 });
    // Exactly at the cap is whole; one byte more is not.
    for (size, whole) in [(100, true), (101, false)] {
        let pat = fresh_token();
        github.script(
            &pat,
            Endpoint::TestQuery,
            [Reply::body(200, vec![b' '; size])],
        );
        let answer = response(
            client
                .send(Endpoint::TestQuery, &token(&pat), TIMEOUT)
                .await,
        );
        assert_eq!(
            matches!(answer.body, Body::Complete(_)),
            whole,
            "{size} bytes"
        );
    }
    // The connection of an unread body is dropped, not reused half-read: the next call works.
    let pat = fresh_token();
    github.script(&pat, Endpoint::TestQuery, [Reply::body(200, "{}")]);
    let answer = response(
        client
            .send(Endpoint::TestQuery, &token(&pat), TIMEOUT)
            .await,
    );
    assert_eq!(answer.body, Body::Complete(b"{}".to_vec()));
}

/// Peak resident memory of this test process, in bytes (Linux only).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[tokio::test]
async fn a_300_mib_body_is_over_cap_and_memory_stays_bounded() {
    const HUGE: u64 = 300 << 20;
    let github = fake();
    for reply in [
        Reply::oversized(200, HUGE),
        // No length announced: the adapter must stop reading at the cap.
        Reply::oversized_chunked(200, HUGE),
    ] {
        let answer = response(within(HANG_GUARD, call(&github, Endpoint::TestQuery, reply)).await);
        assert_eq!(answer.body, Body::OverCap { cap: BODY_CAP });
    }
    if let Some(peak) = peak_rss() {
        assert!(peak < 150 << 20, "peak RSS {} MiB", peak >> 20);
    }
}

#[tokio::test]
async fn calls_and_clones_share_one_pooled_connection() {
    let github = fake();
    github.valid("ghp_pool", 3, "pool");
    let first = client(&github);
    let second = first.clone();
    for client in [&first, &second, &first, &second] {
        for endpoint in [Endpoint::Identity, Endpoint::TestQuery] {
            let answer = response(client.send(endpoint, &token("ghp_pool"), TIMEOUT).await);
            assert_eq!(answer.status, 200);
        }
    }
    assert_eq!(github.requests(Endpoint::Identity), 4);
    assert_eq!(
        github.connections(),
        1,
        "keep-alive across calls and clones"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn calls_never_block_the_runtime() {
    let github = fake();
    // The slow answer is held by the fake until the test opens the gate: the slow call is
    // in flight for exactly as long as the test says, whatever the machine's load.
    github.script(
        "ghp_slow",
        Endpoint::Identity,
        [Reply::user(4, "slow").held("slow")],
    );
    github.valid("ghp_fast", 5, "fast");
    let client = client(&github);
    // On a one-thread runtime, a call that blocked the thread would stop every other task
    // until it returned; a call on the blocking pool lets the test go on meanwhile.
    let slow = tokio::spawn({
        let client = client.clone();
        async move {
            client
                .send(Endpoint::Identity, &token("ghp_slow"), HANG_GUARD)
                .await
        }
    });
    // Wait, without blocking the runtime, until the slow request has reached the fake: the
    // slow task has then started its call and the fake is holding it.
    let arrivals = github.arrivals();
    let arrived = tokio::task::spawn_blocking(move || {
        arrivals.wait(Endpoint::Identity, Some("ghp_slow"), 1, HANG_GUARD)
    })
    .await
    .expect("the waiting thread");
    assert!(arrived, "the slow request never reached the fake");
    // The slow call is in flight and cannot end before the gate opens. A second call on the
    // same (only) runtime thread still completes: the first one does not occupy it.
    let fast = within(
        HANG_GUARD,
        client.send(Endpoint::Identity, &token("ghp_fast"), HANG_GUARD),
    )
    .await;
    assert!(matches!(fast, Ok(ref ok) if ok.status == 200), "{fast:?}");
    assert!(
        !slow.is_finished(),
        "the slow call ended while its answer was held"
    );
    github.open_gate("slow");
    let slow = within(HANG_GUARD, slow).await.expect("the slow task");
    assert!(matches!(slow, Ok(ref ok) if ok.status == 200), "{slow:?}");
    assert_eq!(github.requests_for("ghp_slow", Endpoint::Identity), 1);
}

/// What a call through each fake came back as, to compare: a response whole, a failure by
/// its kind (the words differ between the adapter and the in-memory fake).
fn outcome(
    result: Result<HttpResponse, TransportError>,
) -> Result<HttpResponse, TransportErrorKind> {
    result.map_err(|error| error.kind)
}

#[tokio::test]
async fn one_reply_comes_back_the_same_from_the_wire_and_from_memory() {
    let github = fake();
    let short = Duration::from_millis(300);
    let over_cap = u64::try_from(BODY_CAP).expect("the cap fits") + 1;
    let replies = [
        Reply::user(42, "octocat"),
        Reply::status(503).header("retry-after", "3"),
        Reply::not_json(502),
        Reply::json(403, serde_json::json!({ "message": "slow down" }))
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset", "1767225700"),
        Reply::oversized(200, over_cap),
        Reply::oversized_chunked(200, over_cap),
        Reply::reset(),
        Reply::stall(),
        Reply::raw(Vec::new()),
        Reply::raw("SSH-2.0-OpenSSH_9.6\r\n\r\n"),
        Reply::truncated(200, 4096, r#"{"login":"alice","id":"#),
        Reply::fail(TransportErrorKind::Timeout),
        Reply::fail(TransportErrorKind::ConnectionReset),
        Reply::fail(TransportErrorKind::TruncatedBody),
        Reply::fail(TransportErrorKind::Protocol),
    ];
    for reply in replies {
        // Only a reply that never comes gets the short timeout; the others have all the time
        // they need, so a loaded machine cannot turn them into timeouts.
        let never_comes = matches!(
            reply.answer,
            Answer::Stall | Answer::Fail(TransportErrorKind::Timeout)
        );
        let timeout = if never_comes { short } else { TIMEOUT };
        let wire = timed_call(&github, Endpoint::Identity, reply.clone(), timeout).await;
        let memory = ScriptedGithub::new(None);
        memory.on("ghp_memory", Endpoint::Identity, [reply.clone()]);
        let in_memory = memory
            .send(Endpoint::Identity, &token("ghp_memory"), timeout)
            .await;
        assert_eq!(outcome(wire), outcome(in_memory), "{reply:?}");
    }
}
