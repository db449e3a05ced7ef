//! Helpers shared by the integration tests: a client for a fake, and one scripted call
//! through the real adapter, classified by the core.

#![allow(
    clippy::expect_used,
    reason = "test helpers: a broken expectation fails the test loudly, as an assertion does"
)]
#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use pat_verdict::{CallResult, Endpoint, GithubApi, Identity, Token, UnixTime, Verdict, Viewer};
use pat_verdict::{classify_identity, classify_test_query};
use pat_verdict_fake_github::{FakeGithub, Reply};
use pat_verdict_ureq_http::UreqGithub;

/// The wall clock the classifiers are given: 2026-01-01T00:00:00Z.
pub const NOW: UnixTime = UnixTime(1_767_225_600);

/// Long enough for any loopback answer; the faults that need a short one pass their own.
pub const TIMEOUT: Duration = Duration::from_secs(30);

pub fn client(github: &FakeGithub) -> UreqGithub {
    UreqGithub::new(&github.url()).expect("the fake's URL is valid")
}

pub fn token(text: &str) -> Token {
    Token::parse(text).expect("a well-formed test token")
}

/// A token no other row of the same test uses.
pub fn fresh_token() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("ghp_row{:04}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Scripts `reply` for a fresh token on `endpoint` and sends one call through the adapter.
pub async fn call(github: &FakeGithub, endpoint: Endpoint, reply: Reply) -> CallResult {
    call_within(github, endpoint, reply, TIMEOUT).await
}

pub async fn call_within(
    github: &FakeGithub,
    endpoint: Endpoint,
    reply: Reply,
    timeout: Duration,
) -> CallResult {
    let pat = fresh_token();
    github.script(&pat, endpoint, [reply]);
    client(github).send(endpoint, &token(&pat), timeout).await
}

/// One test query answered with `reply`, classified per docs/contract.md §2.
pub async fn test_query(github: &FakeGithub, reply: Reply) -> Verdict<Viewer> {
    classify_test_query(&call(github, Endpoint::TestQuery, reply).await, NOW)
}

/// One identity lookup answered with `reply`, classified per docs/contract.md §3.
pub async fn identity(github: &FakeGithub, reply: Reply) -> Verdict<Identity> {
    classify_identity(&call(github, Endpoint::Identity, reply).await, NOW)
}

/// The reason of a verdict that is not valid.
pub fn reason<T: std::fmt::Debug>(verdict: &Verdict<T>) -> &str {
    verdict
        .error()
        .unwrap_or_else(|| panic!("expected a reason, got {verdict:?}"))
}

pub fn is_rate_limited<T>(verdict: &Verdict<T>) -> bool {
    verdict.rate_limited()
}

/// A verdict that is not valid as the contract's tables state it: which one and its words.
#[derive(Debug)]
pub struct Judged {
    pub kind: pat_verdict::VerdictKind,
    pub reason: String,
}

impl<T> PartialEq<Judged> for Verdict<T> {
    fn eq(&self, judged: &Judged) -> bool {
        self.kind() == judged.kind && self.error() == Some(judged.reason.as_str())
    }
}

/// Invalid, for `reason`.
#[allow(dead_code, reason = "not every test file judges a verdict whole")]
pub fn invalid(reason: impl Into<String>) -> Judged {
    Judged {
        kind: pat_verdict::VerdictKind::Invalid,
        reason: reason.into(),
    }
}

/// Inconclusive, for `reason`.
#[allow(dead_code, reason = "not every test file judges a verdict whole")]
pub fn inconclusive(reason: impl Into<String>) -> Judged {
    Judged {
        kind: pat_verdict::VerdictKind::Inconclusive,
        reason: reason.into(),
    }
}
