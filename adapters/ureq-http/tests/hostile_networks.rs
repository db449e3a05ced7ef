//! Hostile networks over real sockets (docs/contract.md §4 transport failures): GitHub Enterprise's layout, real TLS with a private CA (and
//! certificates that must be refused), absurd timeouts, and a GitHub that echoes the token.

#![allow(
    clippy::expect_used,
    reason = "test setup: a failed fixture or an unexpected answer fails the test loudly"
)]

mod common;

use std::time::Duration;

use common::{NOW, TIMEOUT, token};
use pat_verdict::{
    Endpoint, GithubApi, RetryPolicy, SecretString, TransportErrorKind, Verdict, Verifier,
};
use pat_verdict::{classify_identity_redacting, classify_test_query_redacting};
use pat_verdict_fake_github::tls::TestCa;
use pat_verdict_fake_github::{Echo, FakeGithub, Layout};
use pat_verdict_system_clock::SystemClock;
use pat_verdict_ureq_http::UreqGithub;

const PAT: &str = "ghp_HostileNetworks0123456789";

fn verifier(client: UreqGithub) -> Verifier<UreqGithub, SystemClock> {
    Verifier::new(
        client,
        SystemClock::new(),
        RetryPolicy::with_deadline(TIMEOUT),
    )
}

/// A CA file in a fresh temporary folder (kept alive by the returned guard).
fn ca_file(ca: &TestCa) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ca.pem");
    std::fs::write(&path, ca.cert_pem()).expect("write the CA file");
    (dir, path)
}

/// A TLS fake whose certificate, issued by `ca`, names `names`.
fn tls_fake(ca: &TestCa, names: &[&str]) -> FakeGithub {
    let identity = ca.issue(names).expect("a certificate");
    FakeGithub::builder().tls(identity).start().expect("starts")
}

/// A client of `github` that trusts `trusted` through a CA file (the guard keeps the file).
fn client_trusting(github: &FakeGithub, trusted: &TestCa) -> (tempfile::TempDir, UreqGithub) {
    let (dir, path) = ca_file(trusted);
    let client = UreqGithub::builder(&github.url())
        .ca_file(&path)
        .build()
        .expect("the CA file reads");
    (dir, client)
}

#[tokio::test]
async fn enterprise_roots_send_the_test_query_to_api_graphql() {
    let github = FakeGithub::builder().enterprise().start().expect("starts");
    assert!(github.url().ends_with("/api/v3"), "{}", github.url());
    github.valid(PAT, 42, "octo");
    let client = UreqGithub::new(&github.url()).expect("valid root");
    let report = verifier(client).verify(&SecretString::from(PAT)).await;
    assert_eq!(report.verdict(), Verdict::Valid(()), "{report:?}");
    let graphql = github
        .last_request(Endpoint::TestQuery)
        .expect("the test query arrived");
    assert_eq!(
        graphql.path,
        Layout::Enterprise.path_of(Endpoint::TestQuery)
    );
    let user = github
        .last_request(Endpoint::Identity)
        .expect("the identity call arrived");
    assert_eq!(user.path, "/api/v3/user");
}

#[tokio::test]
async fn dotcom_roots_keep_graphql_under_the_root() {
    let github = FakeGithub::start().expect("starts");
    github.valid(PAT, 42, "octo");
    let client = UreqGithub::new(&github.url()).expect("valid root");
    let report = verifier(client).verify(&SecretString::from(PAT)).await;
    assert_eq!(report.verdict(), Verdict::Valid(()), "{report:?}");
    assert_eq!(
        github.last_request(Endpoint::TestQuery).map(|r| r.path),
        Some("/graphql".to_owned())
    );
}

#[tokio::test]
async fn a_private_ca_in_the_ca_file_is_trusted() {
    let ca = TestCa::new("pat-verdict test CA").expect("a CA");
    let github = tls_fake(&ca, &["127.0.0.1", "localhost"]);
    assert!(github.url().starts_with("https://127.0.0.1:"));
    github.valid(PAT, 42, "octo");
    let (_dir, client) = client_trusting(&github, &ca);
    let report = verifier(client).verify(&SecretString::from(PAT)).await;
    assert_eq!(report.verdict(), Verdict::Valid(()), "{report:?}");
    assert_eq!(github.failed_handshakes(), 0);
}

/// Sends one identity call to a TLS fake and checks it failed in the handshake: a TLS
/// transport error, Inconclusive, and the fake never saw a request (so never the token).
async fn refused(github: &FakeGithub, client: &UreqGithub) -> String {
    github.valid(PAT, 42, "octo");
    let result = client.send(Endpoint::Identity, &token(PAT), TIMEOUT).await;
    let error = result.clone().expect_err("the handshake must fail");
    assert_eq!(error.kind, TransportErrorKind::Tls, "{error:?}");
    let verdict = classify_identity_redacting(&result, NOW, &token(PAT));
    assert!(verdict.transient_failure(), "{verdict:?}");
    assert_eq!(
        github.requests(Endpoint::Identity),
        0,
        "a request got through"
    );
    assert_eq!(github.requests_for(PAT, Endpoint::Identity), 0);
    assert!(github.last_request(Endpoint::Identity).is_none());
    verdict.error().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn an_untrusted_certificate_is_inconclusive_and_no_token_is_sent() {
    let ca = TestCa::new("a CA nobody trusts").expect("a CA");
    let github = tls_fake(&ca, &["127.0.0.1"]);
    // The bundled roots and the system's store: neither knows this private CA.
    let client = UreqGithub::new(&github.url()).expect("valid root");
    let reason = refused(&github, &client).await;
    assert!(reason.contains("TLS"), "{reason}");
    assert!(reason.to_lowercase().contains("certificate"), "{reason}");

    // Another CA in the CA file does not make this one trusted.
    let other = TestCa::new("another CA").expect("a CA");
    let (_dir, client) = client_trusting(&github, &other);
    refused(&github, &client).await;
}

#[tokio::test]
async fn a_certificate_for_another_name_is_inconclusive_and_no_token_is_sent() {
    let ca = TestCa::new("pat-verdict test CA").expect("a CA");
    let github = tls_fake(&ca, &["ghe.example.com"]);
    let (_dir, client) = client_trusting(&github, &ca);
    let reason = refused(&github, &client).await;
    assert!(reason.contains("TLS"), "{reason}");
    assert!(reason.to_lowercase().contains("certificate"), "{reason}");
}

#[tokio::test]
async fn an_absurd_timeout_is_saturated_not_a_panic() {
    let github = FakeGithub::start().expect("starts");
    github.valid(PAT, 42, "octo");
    let client = UreqGithub::new(&github.url()).expect("valid root");
    for timeout in [Duration::MAX, Duration::from_secs_f64(9.3e18)] {
        let result = client.send(Endpoint::Identity, &token(PAT), timeout).await;
        assert_eq!(result.map(|response| response.status).ok(), Some(200));
    }
}

#[tokio::test]
async fn an_echoing_server_never_gets_the_token_into_a_verdict() {
    let github = FakeGithub::start().expect("starts");
    github.set_echo(Some(Echo {
        in_id: false,
        // The token straddles the 300-character cut.
        message_padding: 300 - PAT.len() / 2,
        rate_limited: false,
    }));
    let client = UreqGithub::new(&github.url()).expect("valid root");
    let pat = token(PAT);
    let identity = client.send(Endpoint::Identity, &pat, TIMEOUT).await;
    let Verdict::Valid(identity) = classify_identity_redacting(&identity, NOW, &pat) else {
        panic!("the echoed identity has a numeric id");
    };
    let shown = format!("{identity:?}");
    assert!(!shown.contains(PAT), "{shown}");
    assert!(!shown.contains(&PAT[..PAT.len() / 2]), "{shown}");
    assert_eq!(identity.login.as_deref(), Some("[REDACTED]"));
    let query = client.send(Endpoint::TestQuery, &pat, TIMEOUT).await;
    let verdict = classify_test_query_redacting(&query, NOW, &pat);
    let reason = verdict.error().expect("a GraphQL error is a reason");
    assert!(!reason.contains(&PAT[..PAT.len() / 2]), "{reason}");

    github.set_echo(Some(Echo {
        in_id: true,
        ..Echo::default()
    }));
    let identity = client.send(Endpoint::Identity, &pat, TIMEOUT).await;
    let verdict = classify_identity_redacting(&identity, NOW, &pat);
    assert!(
        verdict.transient_failure(),
        "an echoed id is no identity: {verdict:?}"
    );
}
