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
//! - **Bodies are capped** ([`BODY_CAP`](pat_verdict::BODY_CAP), 1 MiB): a larger body is
//!   [`Body::OverCap`] and is not read any further (the connection is dropped), so a hostile
//!   or broken server cannot make a validator allocate without bound.
//! - **Failures below HTTP become [`TransportError`]s** with a kind (see the table on
//!   [`transport_error`]) and ureq's own words as the detail.
//! - **One write per request**: the head and the body leave together (the `cork` module), so
//!   a `POST` costs the server one segment and one wake-up, as a `GET` does.
//! - **ureq blocks**, so each call runs on tokio's blocking pool (`spawn_blocking`) and the
//!   async runtime never waits on a socket.
//!
//! Certificates are checked against the operating system's trust store (or `SSL_CERT_FILE`
//! / `SSL_CERT_DIR` when set), the bundled Mozilla roots and any
//! [`ca_file`](UreqGithubBuilder::ca_file), all together; why one merged set rather than
//! ureq's platform verifier is in the `roots` module.
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
//! println!("{}: {:?}", report.kind(), report.verdict().error());
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod cork;
mod error;
mod resolver;
mod roots;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use pat_verdict::{
    ApiUrl, ApiUrlError, BODY_CAP, Body, CallResult, Endpoint, ExposeSecret, GithubApi,
    HttpResponse, RelevantHeaders, SecretString, Token, TransportError, TransportErrorKind,
};
use thiserror::Error;
use ureq::http::{Request, header};
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
use ureq::unversioned::transport::{Connector, DefaultConnector};
use ureq::{Agent, SendBody};

pub use crate::error::{Phase, transport_error};

/// `User-Agent` of every request. GitHub refuses requests without one.
const USER_AGENT: &str = concat!("pat-verdict/", env!("CARGO_PKG_VERSION"));

/// The longest a single call may take, whatever it is given: far beyond any deadline the
/// core allows, and small enough that adding it to a clock can never overflow (ureq would
/// panic on a `Duration` like 9.3e18 s).
pub const MAX_CALL_TIMEOUT: Duration = Duration::from_secs(86_400);

/// Why a client could not be built. Never repeats the URL (a mistaken paste could hold a
/// credential).
#[derive(Debug, Error)]
pub enum ClientError {
    /// The API URL failed the strict parse ([`ApiUrl::parse`]).
    #[error(transparent)]
    ApiUrl(#[from] ApiUrlError),
    /// The CA file could not be read.
    #[error("cannot read the CA file {path}: {source}")]
    CaFileUnreadable {
        /// The file named.
        path: PathBuf,
        /// Why it could not be read.
        #[source]
        source: std::io::Error,
    },
    /// The CA file is not PEM, or a certificate in it is damaged.
    #[error("the CA file {path} is not valid PEM: {detail}")]
    CaFileInvalid {
        /// The file named.
        path: PathBuf,
        /// ureq's words.
        detail: String,
    },
    /// The CA file holds no certificate.
    #[error("the CA file {path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)")]
    CaFileEmpty {
        /// The file named.
        path: PathBuf,
    },
}

/// How to build a [`UreqGithub`]: the API root, extra trusted roots, the body cap.
#[derive(Debug)]
#[must_use]
pub struct UreqGithubBuilder {
    api_url: String,
    ca_files: Vec<PathBuf>,
    body_cap: usize,
}

impl UreqGithubBuilder {
    /// Trusts the CA certificates in the PEM file at `path` as well as the system's trust
    /// store and the bundled (Mozilla) roots: a GitHub Enterprise Server behind a private
    /// CA. May be given more than once.
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_files.push(path.into());
        self
    }

    /// The largest body read, in bytes (default [`BODY_CAP`]).
    pub fn body_cap(self, cap: usize) -> Self {
        Self {
            body_cap: cap,
            ..self
        }
    }

    /// The client.
    ///
    /// # Errors
    ///
    /// [`ClientError`]: a URL that fails the strict parse, or a CA file that cannot be read
    /// or holds no certificate. Nothing is sent anywhere before that.
    pub fn build(self) -> Result<UreqGithub, ClientError> {
        let url = ApiUrl::parse(&self.api_url)?;
        let mut extra_roots = Vec::new();
        for path in &self.ca_files {
            extra_roots.extend(read_ca_file(path)?);
        }
        let mut config = Agent::config_builder()
            // Every status is an answer for the classifier, never an `Err`.
            .http_status_as_error(false)
            // A redirect is not evidence about the PAT, and following one could send the
            // token to another host: return it as it is.
            .max_redirects(0)
            .user_agent(USER_AGENT)
            // An audit validates many PATs against one host: keep enough idle connections.
            .max_idle_connections(64)
            .max_idle_connections_per_host(32);
        // The system's store, the bundled roots and the operator's, together (see `roots`
        // for why one merged set and not ureq's platform verifier).
        let roots = roots::merge(
            roots::bundled_roots()
                .chain(roots::system_roots())
                .chain(extra_roots),
        );
        config = config.tls_config(
            TlsConfig::builder()
                .root_certs(RootCerts::new_with_certs(&roots))
                .build(),
        );
        Ok(UreqGithub {
            shared: Arc::new(Shared {
                agent: Agent::with_parts(
                    config.build(),
                    // ureq's chain (proxy, TCP, TLS), then one write per request (`cork`).
                    Connector::chain(DefaultConnector::default(), cork::Cork),
                    resolver::CachingResolver::default(),
                ),
                identity_url: url.url_of(Endpoint::Identity),
                test_query_url: url.url_of(Endpoint::TestQuery),
                url,
            }),
            body_cap: self.body_cap,
        })
    }
}

/// The certificates of a PEM file (keys and other items in it are skipped).
fn read_ca_file(path: &Path) -> Result<Vec<Certificate<'static>>, ClientError> {
    let pem = std::fs::read(path).map_err(|source| ClientError::CaFileUnreadable {
        path: path.to_owned(),
        source,
    })?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(cert)) => certs.push(cert.to_owned()),
            Ok(_) => {}
            Err(error) => {
                return Err(ClientError::CaFileInvalid {
                    path: path.to_owned(),
                    detail: error.to_string(),
                });
            }
        }
    }
    if certs.is_empty() {
        return Err(ClientError::CaFileEmpty {
            path: path.to_owned(),
        });
    }
    Ok(certs)
}

/// GitHub's API over ureq. Cheap to clone: clones share one agent and its connection pool.
#[derive(Clone)]
pub struct UreqGithub {
    shared: Arc<Shared>,
    body_cap: usize,
}

struct Shared {
    agent: Agent,
    /// The API root, strictly parsed.
    url: ApiUrl,
    /// `GET` here for the identity (`{root}/user`).
    identity_url: String,
    /// `POST` here for the test query (`{root}/graphql`; `…/api/graphql` on Enterprise).
    test_query_url: String,
}

impl std::fmt::Debug for UreqGithub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UreqGithub")
            .field("root", &self.shared.url.root())
            .field("body_cap", &self.body_cap)
            .finish_non_exhaustive()
    }
}

impl UreqGithub {
    /// A client for the API rooted at `api_url` (`https://api.github.com`, a GitHub
    /// Enterprise `https://ghe.example.com/api/v3`, or a loopback fake), trusting the
    /// system's trust store and the bundled roots. A trailing slash is fine. [`UreqGithub::builder`] adds trusted roots.
    ///
    /// # Errors
    ///
    /// When `api_url` fails the strict parse of [`ApiUrl::parse`]: not `http`/`https`, no
    /// host, a port that is not 1–65535, credentials, a query or a fragment.
    pub fn new(api_url: &str) -> Result<Self, ClientError> {
        Self::builder(api_url).build()
    }

    /// A builder for a client of `api_url`, for more options (a CA file, the body cap).
    pub fn builder(api_url: &str) -> UreqGithubBuilder {
        UreqGithubBuilder {
            api_url: api_url.to_owned(),
            ca_files: Vec::new(),
            body_cap: BODY_CAP,
        }
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
        self.shared.url.root()
    }

    /// The full URL each call goes to (docs/contract.md §1: on Enterprise the test query goes to
    /// `…/api/graphql`, not `…/api/v3/graphql`).
    #[must_use]
    pub fn url_of(&self, endpoint: Endpoint) -> &str {
        match endpoint {
            Endpoint::Identity => &self.shared.identity_url,
            Endpoint::TestQuery | Endpoint::OneCall => &self.shared.test_query_url,
        }
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
        let url = self.url_of(endpoint);
        let agent = &self.shared.agent;
        // Never a panic on an absurd timeout: ureq adds it to a clock.
        let timeout = timeout.min(MAX_CALL_TIMEOUT);
        let request = Request::builder()
            .method(endpoint.method())
            .uri(url)
            .header(header::AUTHORIZATION, authorization.expose_secret())
            .header(header::ACCEPT, endpoint.accept());
        let exchanged = match endpoint.body().zip(endpoint.content_type()) {
            None => request
                .body(SendBody::none())
                .map_err(ureq::Error::from)
                .and_then(|request| run_within(agent, request, timeout)),
            Some((body, content_type)) => request
                .header(header::CONTENT_TYPE, content_type)
                .body(body)
                .map_err(ureq::Error::from)
                .and_then(|request| run_within(agent, request, timeout)),
        };
        let with_limit = |mut error: TransportError| {
            if error.kind == TransportErrorKind::Timeout {
                error.detail = format!(
                    "{} (limit {})",
                    error.detail,
                    pat_verdict::format_seconds(timeout)
                );
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
    fn roots_are_parsed_strictly_and_enterprise_graphql_moves() {
        let root = "https://ghe.example.com/api/v3/";
        let client = UreqGithub::new(root).expect("a valid root");
        assert_eq!(client.api_root(), "https://ghe.example.com/api/v3");
        // The core's layout (docs/contract.md §1, tested there), not a copy of it.
        let parsed = ApiUrl::parse(root).expect("a valid root");
        for endpoint in [Endpoint::Identity, Endpoint::TestQuery] {
            assert_eq!(client.url_of(endpoint), parsed.url_of(endpoint));
        }
        assert!(client.url_of(Endpoint::TestQuery).ends_with("/api/graphql"));
        for bad in [
            "http://127.0.0.1:99999",
            "http://127.0.0.1:abc",
            "http://127.0.0.1:",
        ] {
            assert!(matches!(
                UreqGithub::new(bad),
                Err(ClientError::ApiUrl(
                    ApiUrlError::Port | ApiUrlError::EmptyPort
                ))
            ));
        }
    }

    #[test]
    fn a_ca_file_must_hold_a_certificate() {
        let missing = UreqGithub::builder("https://api.github.com")
            .ca_file("/nonexistent/ca.pem")
            .build();
        assert!(matches!(missing, Err(ClientError::CaFileUnreadable { .. })));
        let dir = std::env::temp_dir().join(format!("ureq-http-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").expect("write");
        let built = UreqGithub::builder("https://api.github.com")
            .ca_file(&empty)
            .build();
        assert!(matches!(built, Err(ClientError::CaFileEmpty { .. })));
        let _ = std::fs::remove_dir_all(&dir);
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
        assert_eq!(client.body_cap(), BODY_CAP);
        assert_eq!(client.with_body_cap(10).body_cap(), 10);
    }
}
