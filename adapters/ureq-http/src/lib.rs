//! The [`GithubApi`] port over [ureq 3](https://docs.rs/ureq): real HTTP(S) to GitHub's API
//! (or a GitHub Enterprise root, or the loopback fake in tests).
//!
//! One [`UreqGithub`] holds one `ureq::Agent` behind an `Arc`; clones share it, so every
//! call — across miners, across the handlers — reuses its pooled connections.
//!
//! What each call does, and why:
//!
//! - **The request is the core's.** Method, path, `Authorization` scheme and body come from
//!   [`Endpoint`]; this crate adds `User-Agent: pat-verdict/<version>` (GitHub rejects
//!   requests without one), `Accept: application/vnd.github+json` and, for the test query,
//!   `Content-Type: application/json`. The token goes into `Authorization` and nowhere else.
//! - **A status is never an error and a redirect is never followed**: every status reaches
//!   the classifier as it was sent, so a 302 is judged (inconclusive), not chased.
//! - **One timeout per call**, the `timeout` argument — the deadline's remainder — covering
//!   resolve, connect, send, and the whole body.
//! - **Bodies are capped** ([`DEFAULT_BODY_CAP`], 1 MiB): a larger body is
//!   [`Body::OverCap`] and is not read any further (the connection is dropped), so a hostile
//!   or broken server cannot make a validator allocate without bound.
//! - **Failures below HTTP become [`TransportError`]s** with a kind (see the table on
//!   [`transport_error`]) and ureq's own words as the detail.
//! - **ureq blocks**, so each call runs on tokio's blocking pool (`spawn_blocking`) and the
//!   async runtime never waits on a socket.
//!
//! HTTP proxies are taken from the environment (`HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`), as
//! ureq does by default. Calls need a tokio runtime (any flavour) for the blocking pool.
//!
//! ```no_run
//! use pat_verdict::{RetryPolicy, SecretString, Verifier};
//! use pat_verdict_system_clock::SystemClock;
//! use pat_verdict_ureq_http::UreqGithub;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let github = UreqGithub::new(pat_verdict::DEFAULT_API_URL)?;
//! let verifier = Verifier::new(github, SystemClock::new(), RetryPolicy::default());
//! let report = verifier.verify(&SecretString::from("ghp_example")).await;
//! println!("{}: {:?}", report.verdict.kind(), report.verdict.error());
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod error;
mod resolver;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use pat_verdict::{
    Body, CallResult, Endpoint, ExposeSecret, GithubApi, HttpResponse, RelevantHeaders,
    SecretString, Token, TransportError, TransportErrorKind,
};
use thiserror::Error;
use ureq::http::{Request, Uri, header};
use ureq::{Agent, SendBody};

pub use crate::error::{Phase, transport_error};

/// The largest response body read by default. GitHub's answers to both calls are a few KiB.
pub const DEFAULT_BODY_CAP: usize = 1 << 20;

/// `User-Agent` of every request. GitHub refuses requests without one.
const USER_AGENT: &str = concat!("pat-verdict/", env!("CARGO_PKG_VERSION"));
/// GitHub's media type for its REST API v3.
const ACCEPT: &str = "application/vnd.github+json";

/// Why an API URL cannot be used. The URL itself is not repeated: a mistaken paste could
/// hold a credential.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum InvalidApiUrl {
    /// It does not parse as a URL.
    #[error("the GitHub API URL is not a valid URL ({0})")]
    Unparsable(String),
    /// Its scheme is not `http` or `https`.
    #[error("the GitHub API URL must start with https:// (or http://)")]
    Scheme,
    /// It names no host.
    #[error("the GitHub API URL has no host")]
    NoHost,
    /// It carries user information, a query or a fragment, which an API root never has.
    #[error("the GitHub API URL must not contain credentials, a query or a fragment")]
    Extra,
}

/// GitHub's API over ureq. Cheap to clone: clones share one agent and its connection pool.
#[derive(Clone)]
pub struct UreqGithub {
    shared: Arc<Shared>,
    body_cap: usize,
}

struct Shared {
    agent: Agent,
    /// The API root without a trailing slash: `https://api.github.com`.
    root: String,
}

impl std::fmt::Debug for UreqGithub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UreqGithub")
            .field("root", &self.shared.root)
            .field("body_cap", &self.body_cap)
            .finish_non_exhaustive()
    }
}

impl UreqGithub {
    /// A client for the API rooted at `api_url` (`https://api.github.com`, a GitHub
    /// Enterprise `https://ghe.example.com/api/v3`, or a loopback fake). A trailing slash is
    /// fine.
    ///
    /// # Errors
    ///
    /// When `api_url` is not an `http`/`https` URL with a host, or carries credentials, a
    /// query or a fragment.
    pub fn new(api_url: &str) -> Result<Self, InvalidApiUrl> {
        let root = api_root(api_url)?;
        let config = Agent::config_builder()
            // Every status is an answer for the classifier, never an `Err`.
            .http_status_as_error(false)
            // A redirect is not evidence about the PAT, and following one could send the
            // token to another host: return it as it is.
            .max_redirects(0)
            .user_agent(USER_AGENT)
            .accept(ACCEPT)
            // An audit validates many PATs against one host: keep enough idle connections.
            .max_idle_connections(64)
            .max_idle_connections_per_host(32)
            .build();
        Ok(Self {
            shared: Arc::new(Shared {
                agent: Agent::with_parts(
                    config,
                    ureq::unversioned::transport::DefaultConnector::default(),
                    resolver::CachingResolver::default(),
                ),
                root,
            }),
            body_cap: DEFAULT_BODY_CAP,
        })
    }

    /// The same client with another body cap, in bytes (clones keep sharing the agent).
    #[must_use]
    pub fn with_body_cap(self, cap: usize) -> Self {
        Self {
            body_cap: cap,
            ..self
        }
    }

    /// The API root requests go to, without a trailing slash.
    #[must_use]
    pub fn api_root(&self) -> &str {
        &self.shared.root
    }

    /// The body cap in force, in bytes.
    #[must_use]
    pub fn body_cap(&self) -> usize {
        self.body_cap
    }

    /// One call, blocking the current thread: the work `send` hands to the blocking pool.
    fn send_blocking(
        &self,
        endpoint: Endpoint,
        authorization: &SecretString,
        timeout: Duration,
    ) -> CallResult {
        let url = format!("{}{}", self.shared.root, endpoint.path());
        let agent = &self.shared.agent;
        let request = Request::builder()
            .method(endpoint.method())
            .uri(url)
            .header(header::AUTHORIZATION, authorization.expose_secret());
        let exchanged = match endpoint.body() {
            None => request
                .body(SendBody::none())
                .map_err(ureq::Error::from)
                .and_then(|request| run_within(agent, request, timeout)),
            Some(body) => request
                .header(header::CONTENT_TYPE, "application/json")
                .body(body)
                .map_err(ureq::Error::from)
                .and_then(|request| run_within(agent, request, timeout)),
        };
        let with_limit = |mut error: TransportError| {
            if error.kind == TransportErrorKind::Timeout {
                error.detail = format!("{} (limit {:.1} s)", error.detail, timeout.as_secs_f64());
            }
            error
        };
        let mut response =
            exchanged.map_err(|error| with_limit(transport_error(&error, Phase::Exchange)))?;

        let status = response.status().as_u16();
        let headers = RelevantHeaders::from_pairs(
            response
                .headers()
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_bytes())),
        );
        let cap = u64::try_from(self.body_cap).unwrap_or(u64::MAX);
        // A declared length over the cap needs no reading to judge.
        let declared_over_cap = response
            .body()
            .content_length()
            .is_some_and(|length| length > cap);
        let body = if declared_over_cap {
            Body::OverCap { cap: self.body_cap }
        } else {
            match response.body_mut().with_config().limit(cap).read_to_vec() {
                Ok(bytes) => Body::Complete(bytes),
                Err(ureq::Error::BodyExceedsLimit(_)) => Body::OverCap { cap: self.body_cap },
                Err(error) => return Err(with_limit(transport_error(&error, Phase::Body))),
            }
        };
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

#[async_trait]
impl GithubApi for UreqGithub {
    async fn send(&self, endpoint: Endpoint, token: &Token, timeout: Duration) -> CallResult {
        let client = self.clone();
        let authorization = SecretString::from(endpoint.authorization(token));
        let token = token.clone();
        let joined = tokio::task::spawn_blocking(move || {
            client
                .send_blocking(endpoint, &authorization, timeout)
                // ureq's words never hold the token; this keeps it that way if they change.
                .map_err(|error| TransportError {
                    detail: token.redact(&error.detail),
                    ..error
                })
        })
        .await;
        joined.unwrap_or_else(|join_error| {
            Err(TransportError::new(
                TransportErrorKind::Other,
                format!("the HTTP call did not complete: {join_error}"),
            ))
        })
    }
}

/// Checks `api_url` and returns it without a trailing slash.
fn api_root(api_url: &str) -> Result<String, InvalidApiUrl> {
    let trimmed = api_url.trim();
    if trimmed.contains('#') {
        return Err(InvalidApiUrl::Extra);
    }
    let uri: Uri = trimmed
        .parse()
        .map_err(|error: ureq::http::uri::InvalidUri| {
            InvalidApiUrl::Unparsable(error.to_string())
        })?;
    let scheme = uri.scheme_str().ok_or(InvalidApiUrl::Scheme)?;
    if !(scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http")) {
        return Err(InvalidApiUrl::Scheme);
    }
    let authority = uri.authority().ok_or(InvalidApiUrl::NoHost)?;
    if authority.as_str().contains('@') || uri.query().is_some() {
        return Err(InvalidApiUrl::Extra);
    }
    if authority.host().is_empty() {
        return Err(InvalidApiUrl::NoHost);
    }
    let path = uri.path().trim_end_matches('/');
    Ok(format!(
        "{}://{}{path}",
        scheme.to_ascii_lowercase(),
        authority.as_str()
    ))
}

/// Runs `request` on `agent` with `timeout` for the whole exchange, body included.
fn run_within(
    agent: &Agent,
    request: Request<impl ureq::AsSendBody>,
    timeout: Duration,
) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
    agent.run(
        agent
            .configure_request(request)
            .timeout_global(Some(timeout))
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_lose_their_trailing_slash_and_keep_their_path() {
        for (given, root) in [
            ("https://api.github.com", "https://api.github.com"),
            ("https://api.github.com/", "https://api.github.com"),
            (" http://127.0.0.1:8080// ", "http://127.0.0.1:8080"),
            (
                "https://ghe.example.com/api/v3/",
                "https://ghe.example.com/api/v3",
            ),
            ("HTTPS://api.github.com", "https://api.github.com"),
        ] {
            assert_eq!(api_root(given).as_deref(), Ok(root), "{given}");
        }
    }

    #[test]
    fn only_plain_http_roots_are_accepted() {
        for (given, error) in [
            ("ftp://api.github.com", InvalidApiUrl::Scheme),
            ("api.github.com", InvalidApiUrl::Scheme),
            ("/user", InvalidApiUrl::Scheme),
            (
                "https://user:ghp_secret@api.github.com",
                InvalidApiUrl::Extra,
            ),
            ("https://api.github.com/?x=1", InvalidApiUrl::Extra),
            ("https://api.github.com/#top", InvalidApiUrl::Extra),
        ] {
            assert_eq!(api_root(given), Err(error), "{given}");
        }
        assert!(matches!(
            api_root("https://exa mple.com"),
            Err(InvalidApiUrl::Unparsable(_))
        ));
        assert!(api_root("").is_err());
    }

    #[test]
    fn errors_never_repeat_the_url() {
        let error = UreqGithub::new("https://user:ghp_secret@api.github.com")
            .expect_err("credentials are refused");
        assert!(!error.to_string().contains("ghp_secret"));
    }

    #[test]
    fn the_body_cap_is_set_per_client() {
        let client = UreqGithub::new("https://api.github.com").expect("a valid root");
        assert_eq!(client.body_cap(), DEFAULT_BODY_CAP);
        assert_eq!(client.with_body_cap(10).body_cap(), 10);
    }
}
