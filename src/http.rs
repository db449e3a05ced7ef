//! The two GitHub calls as data, and what an adapter hands back from one of them.
//!
//! The core says *what* to send ([`Endpoint`]: method, path, auth scheme, body) and reads
//! *what came back* ([`CallResult`]); an adapter only moves bytes. Keeping the request shape
//! here means every adapter (ureq, the fake GitHub, a host's own client) sends the same thing.

use std::fmt;

use thiserror::Error;

use crate::token::Token;

/// The body of the test query (docs/contract.md §1): the cheapest GraphQL query that needs the access
/// scoring needs.
pub const TEST_QUERY_BODY: &str = r#"{"query": "{ viewer { login } }"}"#;

/// The body of the one call that answers both questions (docs/contract.md §11): the viewer's
/// login and its `databaseId`, which is the REST account id.
pub const ONE_CALL_BODY: &str = r#"{"query": "{ viewer { login databaseId } }"}"#;

/// The default API root, for users; tests always point at a loopback fake.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// Which GitHub call of a verification: the two of gittensor's protocol, or the one call that
/// answers both (docs/contract.md §11).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `GET {api}/user` with `Authorization: token {pat}`: who owns the PAT.
    Identity,
    /// `POST {api}/graphql` with `Authorization: Bearer {pat}`: does it have scoring's access.
    TestQuery,
    /// `POST {api}/graphql` asking for the viewer's `databaseId` too (docs/contract.md §11):
    /// both questions in one call.
    OneCall,
}

impl Endpoint {
    /// Every call, for those who count or script them all (fakes, tests, dashboards).
    pub const ALL: [Self; 3] = [Self::Identity, Self::TestQuery, Self::OneCall];

    /// The HTTP method.
    #[must_use]
    pub const fn method(self) -> &'static str {
        match self {
            Self::Identity => "GET",
            Self::TestQuery | Self::OneCall => "POST",
        }
    }

    /// The path under the API root.
    #[must_use]
    pub const fn path(self) -> &'static str {
        match self {
            Self::Identity => "/user",
            Self::TestQuery | Self::OneCall => "/graphql",
        }
    }

    /// The request body, for the call that has one.
    #[must_use]
    pub const fn body(self) -> Option<&'static str> {
        match self {
            Self::Identity => None,
            Self::TestQuery => Some(TEST_QUERY_BODY),
            Self::OneCall => Some(ONE_CALL_BODY),
        }
    }

    /// The `Accept` header's value: GitHub's media type for its REST API v3, which its
    /// GraphQL endpoint accepts too.
    #[must_use]
    pub const fn accept(self) -> &'static str {
        "application/vnd.github+json"
    }

    /// The `Content-Type` header's value, for the call that has a body (JSON).
    #[must_use]
    pub const fn content_type(self) -> Option<&'static str> {
        match self {
            Self::Identity => None,
            Self::TestQuery | Self::OneCall => Some("application/json"),
        }
    }

    /// The `Authorization` header's value. The result holds the secret: put it in the
    /// request and nowhere else.
    #[must_use]
    pub fn authorization(self, token: &Token) -> String {
        let scheme = match self {
            Self::Identity => "token",
            Self::TestQuery | Self::OneCall => "Bearer",
        };
        format!("{scheme} {}", token.expose_secret())
    }

    /// How the API is named in reason texts (`GitHub GraphQL API returned 503`).
    #[must_use]
    pub(crate) const fn api_name(self) -> &'static str {
        match self {
            Self::Identity => "GitHub /user API",
            Self::TestQuery | Self::OneCall => "GitHub GraphQL API",
        }
    }
}

/// The largest response body an HTTP adapter reads, and that a host's own client hands over,
/// before the body is [`Body::OverCap`]. GitHub's answers to both calls are a few KiB; one
/// cap everywhere turns the same bytes into the same evidence.
pub const BODY_CAP: usize = 1 << 20;

/// What one call returned: a response (of any status) or a transport failure.
pub type CallResult = Result<HttpResponse, TransportError>;

/// An HTTP response, reduced to what classification reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code, as sent (any `u16`; odd ones are inconclusive, never a panic).
    pub status: u16,
    /// The headers that carry rate limits and token metadata.
    pub headers: RelevantHeaders,
    /// The body, or the fact that it was larger than the adapter's cap.
    pub body: Body,
}

impl HttpResponse {
    /// A response with no relevant headers; handy for fakes and tests.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: RelevantHeaders::default(),
            body: Body::Complete(body.into()),
        }
    }

    /// A response known by its status alone ([`Body::Absent`]), for a host whose client
    /// handed over no body.
    #[must_use]
    pub fn status_only(status: u16) -> Self {
        Self {
            status,
            headers: RelevantHeaders::default(),
            body: Body::Absent,
        }
    }
}

/// A response body as the adapter read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// The whole body.
    Complete(Vec<u8>),
    /// The body was larger than `cap` bytes; the adapter stopped reading (memory stays bounded).
    OverCap {
        /// The cap, in bytes.
        cap: usize,
    },
    /// No body was handed over at all: a host that classifies its own client's answer from
    /// the status alone (the Python package's `body=None`). Not the same as an empty body,
    /// which was received: an empty 4xx came from something in front of GitHub's API and is
    /// not evidence, while a 4xx with no body handed over is judged by its status, as the
    /// contract's table says (docs/contract.md §2). An HTTP adapter always has a body, even an
    /// empty one, so it never answers this.
    Absent,
}

impl Body {
    /// The bytes, when the body was read whole.
    #[must_use]
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Self::Complete(bytes) => Some(bytes),
            Self::OverCap { .. } | Self::Absent => None,
        }
    }
}

/// The response headers classification reads; all others are dropped at the edge.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RelevantHeaders {
    /// `retry-after`.
    pub retry_after: Option<String>,
    /// `x-ratelimit-remaining`.
    pub ratelimit_remaining: Option<String>,
    /// `x-ratelimit-reset` (epoch seconds).
    pub ratelimit_reset: Option<String>,
    /// `x-oauth-scopes`.
    pub oauth_scopes: Option<String>,
    /// `github-authentication-token-expiration`.
    pub token_expiration: Option<String>,
}

/// Longest header value kept; GitHub's are tens of bytes, so anything longer is hostile.
const MAX_HEADER_VALUE: usize = 1024;

impl RelevantHeaders {
    /// Picks the relevant headers (names case-insensitive) out of any header list; a value
    /// that is not UTF-8 or is over 1 KiB is dropped rather than trusted.
    pub fn from_pairs<'a, I>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (&'a str, &'a [u8])>,
    {
        let mut headers = Self::default();
        for (name, value) in pairs {
            if value.len() > MAX_HEADER_VALUE {
                continue;
            }
            let Ok(value) = std::str::from_utf8(value) else {
                continue;
            };
            if let Some(slot) = headers.slot(name) {
                *slot = Some(value.trim().to_owned());
            }
        }
        headers
    }

    /// Sets one header by name; names that classification does not read are ignored.
    #[must_use]
    pub fn with(mut self, name: &str, value: &str) -> Self {
        if let Some(slot) = self.slot(name) {
            *slot = Some(value.trim().to_owned());
        }
        self
    }

    fn slot(&mut self, name: &str) -> Option<&mut Option<String>> {
        let is = |wanted: &str| name.eq_ignore_ascii_case(wanted);
        if is("retry-after") {
            Some(&mut self.retry_after)
        } else if is("x-ratelimit-remaining") {
            Some(&mut self.ratelimit_remaining)
        } else if is("x-ratelimit-reset") {
            Some(&mut self.ratelimit_reset)
        } else if is("x-oauth-scopes") {
            Some(&mut self.oauth_scopes)
        } else if is("github-authentication-token-expiration") {
            Some(&mut self.token_expiration)
        } else {
            None
        }
    }
}

/// A call that produced no HTTP response. Always inconclusive: it says nothing about the PAT.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("{kind}: {detail}")]
pub struct TransportError {
    /// What kind of failure, for people and for tests.
    pub kind: TransportErrorKind,
    /// The adapter's own words (never the token).
    pub detail: String,
}

impl TransportError {
    /// A transport failure of `kind`, described by `detail`.
    pub fn new(kind: TransportErrorKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into(),
        }
    }
}

/// The ways a call can fail below HTTP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransportErrorKind {
    /// No answer within the time the deadline left.
    Timeout,
    /// The connection could not be made (refused, unreachable).
    Connect,
    /// The host name did not resolve.
    Dns,
    /// The peer reset or closed the connection mid-exchange.
    ConnectionReset,
    /// The TLS handshake or session failed.
    Tls,
    /// The peer's bytes are not TLS at all: it answered in plain text, most often because an
    /// `https://` URL names an `http://` server. A distinct kind so that a reader can say so
    /// (the CLI's "try http://") without reading the HTTP client's words; its text is
    /// [`Tls`](Self::Tls)'s, `TLS failed`, so the reason (R5) reads as it did.
    NotTls,
    /// The body ended before its declared length.
    TruncatedBody,
    /// The response could not be read as HTTP.
    Protocol,
    /// Anything else the adapter could not place.
    Other,
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Timeout => "timed out",
            Self::Connect => "connection failed",
            Self::Dns => "host name did not resolve",
            Self::ConnectionReset => "connection reset",
            Self::Tls | Self::NotTls => "TLS failed",
            Self::TruncatedBody => "response body truncated",
            Self::Protocol => "malformed HTTP response",
            Self::Other => "transport failure",
        })
    }
}
