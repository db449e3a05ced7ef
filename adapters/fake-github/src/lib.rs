//! A scripted GitHub on loopback: `GET /user` and `POST /graphql` over real HTTP/1.1 sockets,
//! with the faults a real GitHub incident brings (resets, stalls, truncated and oversized
//! bodies, HTML error pages, rate-limit headers).
//!
//! It is the far end for the ureq adapter's tests, the CLI's `demo`, benchmarks, and host
//! validators' CI: everything the decision core is tested against in memory
//! (`pat_verdict::testing::ScriptedGithub`) can be replayed here through a real client.
//!
//! ## Behaviour
//!
//! - Binds `127.0.0.1:0`; one thread accepts, one thread serves each connection
//!   (keep-alive, `TCP_NODELAY`). Dropping the [`FakeGithub`] stops and joins them all.
//! - The token comes from `Authorization`: `/user` wants `token {pat}`, `/graphql` wants
//!   `Bearer {pat}`, as GitHub's documentation shows them. A wrong scheme, no header, or a
//!   token without a script gets GitHub's `401 {"message": "Bad credentials", …}` — so a test
//!   that gets a 200 proves the client used the right scheme.
//! - Scripts are per token and endpoint: [`Reply`]s (the vocabulary of
//!   `pat_verdict::testing`) played in order, the last one repeating.
//! - Requests are counted per endpoint and token, scripted or not, as soon as they are read
//!   (before any latency); the last one on each endpoint is kept ([`FakeGithub::last_request`],
//!   without the credential). Tests wait for a request to arrive ([`Arrivals`]) and hold an
//!   answer until they release it ([`Reply::held`], [`FakeGithub::open_gate`]), so an
//!   interleaving is forced, never assumed from timing.
//! - Other paths answer 404. Whatever a client sends gives an answer or a closed connection,
//!   never a panic: heads over 16 KiB get 431, bodies over 64 KiB 413, garbage 400.
//!
//! ```
//! use pat_verdict::Endpoint;
//! use pat_verdict_fake_github::{FakeGithub, Reply};
//!
//! let github = FakeGithub::start()?;
//! github.valid("ghp_alice", 42, "alice");
//! github.script("ghp_flaky", Endpoint::TestQuery, [Reply::status(502), Reply::viewer("bob")]);
//! assert!(github.url().starts_with("http://127.0.0.1:"));
//! assert_eq!(github.requests(Endpoint::Identity), 0);
//! # Ok::<(), std::io::Error>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod request;
mod server;
#[cfg(feature = "tls")]
pub mod tls;

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use pat_verdict::Endpoint;
use serde_json::json;

use crate::server::{CountKey, Shared, accept_loop, lock, wake_accept};
/// The vocabulary the fake is scripted in, shared with the in-memory
/// `pat_verdict::testing::ScriptedGithub`: a test reads the same against either fake.
pub use pat_verdict::testing::{Answer, Hold, Reply, SOMETHING_WENT_WRONG};

/// Which paths the fake answers the two calls on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Layout {
    /// github.com: `GET /user` and `POST /graphql`, the root being the origin.
    #[default]
    DotCom,
    /// GitHub Enterprise Server: `GET /api/v3/user` and `POST /api/graphql`, the root being
    /// `…/api/v3`. Every other path (`/api/v3/graphql` included) answers 404, as Enterprise
    /// does.
    Enterprise,
}

impl Layout {
    /// The API root's path under the origin.
    #[must_use]
    pub const fn root_path(self) -> &'static str {
        match self {
            Self::DotCom => "",
            Self::Enterprise => "/api/v3",
        }
    }

    /// The path each call is served on.
    #[must_use]
    pub const fn path_of(self, endpoint: Endpoint) -> &'static str {
        match (self, endpoint) {
            (Self::DotCom, Endpoint::Identity) => "/user",
            (Self::DotCom, Endpoint::TestQuery | Endpoint::OneCall) => "/graphql",
            (Self::Enterprise, Endpoint::Identity) => "/api/v3/user",
            (Self::Enterprise, Endpoint::TestQuery | Endpoint::OneCall) => "/api/graphql",
        }
    }

    /// The call a request is: by method and path, and for GraphQL by what the query asks —
    /// the one call of docs/contract.md §11 asks for the viewer's `databaseId`.
    pub(crate) fn endpoint_at(self, method: &str, path: &str, body: &[u8]) -> Option<Endpoint> {
        let endpoint = [Endpoint::Identity, Endpoint::TestQuery]
            .into_iter()
            .find(|&endpoint| method == endpoint.method() && path == self.path_of(endpoint))?;
        let asks_id = body
            .windows(b"databaseId".len())
            .any(|window| window == b"databaseId");
        Some(if endpoint == Endpoint::TestQuery && asks_id {
            Endpoint::OneCall
        } else {
            endpoint
        })
    }
}

/// A hostile GitHub: for a credential without a script, answer by reflecting the
/// credential (the whole `Authorization` value after the scheme) into every string a client
/// might show — to prove that a client never prints or stores it.
///
/// - `/user`: 200 with `login` and `name` set to the credential, `X-OAuth-Scopes:
///   repo, {credential}`, `github-authentication-token-expiration: {credential}`, and `id`
///   42 — or the credential itself with [`Echo::in_id`].
/// - `/graphql`: 200 with `errors[0].message` = [`Echo::message_padding`] `x`s, then the
///   credential (so it can straddle a 300-character cut), and `type` `RATE_LIMITED` with
///   [`Echo::rate_limited`], else `FORBIDDEN`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Echo {
    /// Put the credential in `/user`'s `id` as well.
    pub in_id: bool,
    /// Characters before the credential in the GraphQL message.
    pub message_padding: usize,
    /// Make the GraphQL error a rate limit (inconclusive) rather than evidence (invalid).
    pub rate_limited: bool,
}

impl Echo {
    pub(crate) fn reply(self, endpoint: Endpoint, credential: &str) -> Reply {
        match endpoint {
            Endpoint::Identity => {
                let id = if self.in_id {
                    json!(credential)
                } else {
                    json!(42)
                };
                Reply::json(
                    200,
                    json!({ "login": credential, "id": id, "name": credential }),
                )
                .header("X-OAuth-Scopes", &format!("repo, {credential}"))
                .header("github-authentication-token-expiration", credential)
            }
            Endpoint::TestQuery | Endpoint::OneCall => {
                let message = format!(
                    "{}{credential} cannot see the viewer",
                    "x".repeat(self.message_padding)
                );
                let kind = if self.rate_limited {
                    "RATE_LIMITED"
                } else {
                    "FORBIDDEN"
                };
                Reply::json(
                    200,
                    json!({
                        "errors": [{ "type": kind, "message": message }],
                        "data": { "viewer": { "login": credential } }
                    }),
                )
            }
        }
    }
}

/// How to start a [`FakeGithub`]: its [`Layout`] and, with feature `tls`, a certificate to
/// serve HTTPS with.
#[derive(Debug, Default)]
#[must_use]
pub struct Builder {
    layout: Layout,
    #[cfg(feature = "tls")]
    tls: Option<tls::ServerIdentity>,
}

impl Builder {
    /// Serve the GitHub Enterprise Server paths ([`Layout::Enterprise`]).
    pub fn enterprise(mut self) -> Self {
        self.layout = Layout::Enterprise;
        self
    }

    /// Serve HTTPS with `identity` (a TLS handshake before every connection's first request).
    #[cfg(feature = "tls")]
    pub fn tls(mut self, identity: tls::ServerIdentity) -> Self {
        self.tls = Some(identity);
        self
    }

    /// Starts the server on `127.0.0.1` and a free port.
    ///
    /// # Errors
    ///
    /// When the socket cannot be bound, the accept thread cannot be started, or (with TLS)
    /// the certificate cannot be served.
    pub fn start(self) -> std::io::Result<FakeGithub> {
        #[cfg(feature = "tls")]
        let (shared, https) = {
            let config = self
                .tls
                .as_ref()
                .map(tls::ServerIdentity::server_config)
                .transpose()
                .map_err(std::io::Error::other)?;
            let https = config.is_some();
            (Shared::new(self.layout, config), https)
        };
        #[cfg(not(feature = "tls"))]
        let (shared, https) = (Shared::new(self.layout), false);
        FakeGithub::start_shared(shared, https)
    }
}

/// A scripted GitHub listening on `127.0.0.1`. Dropping it stops the server and joins its
/// threads (a stalled or slow answer ends at once; the client sees the connection close).
pub struct FakeGithub {
    addr: SocketAddr,
    https: bool,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl FakeGithub {
    /// Starts a server on `127.0.0.1` and a free port.
    ///
    /// # Errors
    ///
    /// When the socket cannot be bound or the accept thread cannot be started.
    pub fn start() -> std::io::Result<Self> {
        Self::builder().start()
    }

    /// A fake with other options: the Enterprise layout, TLS.
    pub fn builder() -> Builder {
        Builder::default()
    }

    fn start_shared(shared: Shared, https: bool) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0))?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(shared);
        let for_thread = Arc::clone(&shared);
        let accept = std::thread::Builder::new()
            .name("fake-github-accept".to_owned())
            .spawn(move || accept_loop(&listener, &for_thread))?;
        Ok(Self {
            addr,
            https,
            shared,
            accept: Some(accept),
        })
    }

    /// The API root to give a client: `http://127.0.0.1:PORT` (`https://` with TLS; with
    /// `/api/v3` after it in the Enterprise layout).
    #[must_use]
    pub fn url(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{}{}", self.addr, self.shared.layout.root_path())
    }

    /// The layout served.
    #[must_use]
    pub fn layout(&self) -> Layout {
        self.shared.layout
    }

    /// Answers every credential that has no script by reflecting it ([`Echo`]); `None`
    /// turns that off (unscripted credentials get 401 again).
    pub fn set_echo(&self, echo: Option<Echo>) {
        *lock(&self.shared.echo) = echo;
    }

    /// TLS handshakes that failed — a client that refused the certificate. Such a client
    /// sent no request, so [`FakeGithub::requests`] does not count it.
    #[must_use]
    pub fn failed_handshakes(&self) -> usize {
        self.shared.failed_handshakes.load(Ordering::SeqCst)
    }

    /// The socket address the server listens on.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Scripts `token` on `endpoint`: each request plays the next reply, and the last one
    /// repeats forever. Replaces any earlier script for that token and endpoint; an empty
    /// list removes it (the token then gets 401).
    pub fn script(
        &self,
        token: &str,
        endpoint: Endpoint,
        replies: impl IntoIterator<Item = Reply>,
    ) {
        let replies: VecDeque<Reply> = replies.into_iter().collect();
        let mut scripts = lock(&self.shared.scripts);
        let key = (token.to_owned(), endpoint);
        if replies.is_empty() {
            scripts.remove(&key);
        } else {
            scripts.insert(key, replies);
        }
    }

    /// Scripts a working PAT of account `id`: `/user` answers [`Reply::user`], `/graphql`
    /// answers [`Reply::viewer`], and the one call (docs/contract.md §11)
    /// [`Reply::viewer_with_id`], every time.
    pub fn valid(&self, token: &str, id: u64, login: &str) {
        self.script(token, Endpoint::Identity, [Reply::user(id, login)]);
        self.script(token, Endpoint::TestQuery, [Reply::viewer(login)]);
        self.script(token, Endpoint::OneCall, [Reply::viewer_with_id(login, id)]);
    }

    /// Waits `latency` before every answer, 401s and 404s included; a reply's own
    /// [`Reply::after`] adds to it.
    pub fn set_latency(&self, latency: Duration) {
        *lock(&self.shared.latency) = latency;
    }

    /// Requests received on `endpoint`, for every token (and none).
    #[must_use]
    pub fn requests(&self, endpoint: Endpoint) -> usize {
        lock(&self.shared.counts)
            .iter()
            .filter(|((counted, _), _)| *counted == endpoint)
            .map(|(_, count)| count)
            .sum()
    }

    /// Requests received on `endpoint` with `token` as the credential, whatever the scheme.
    #[must_use]
    pub fn requests_for(&self, token: &str, endpoint: Endpoint) -> usize {
        lock(&self.shared.counts)
            .get(&(endpoint, Some(token.to_owned())))
            .copied()
            .unwrap_or(0)
    }

    /// The last request received on `endpoint` (any token), if any.
    #[must_use]
    pub fn last_request(&self, endpoint: Endpoint) -> Option<RecordedRequest> {
        lock(&self.shared.last).get(&endpoint).cloned()
    }

    /// Connections accepted so far: with keep-alive, far fewer than requests.
    #[must_use]
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Opens `gate`: every answer [held](Reply::held) on it goes on, and later ones are not
    /// held.
    pub fn open_gate(&self, gate: &str) {
        self.shared.open_gate(gate);
    }

    /// A handle to wait for requests to arrive, which can be moved to another thread (a
    /// blocking task of an async test, say) while the fake stays where it is.
    #[must_use]
    pub fn arrivals(&self) -> Arrivals {
        Arrivals {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Blocks until `at_least` requests on `endpoint` (any token) have arrived, or `limit`
    /// passes; whether they did. See [`Arrivals::wait`].
    #[must_use]
    pub fn wait_for_requests(&self, endpoint: Endpoint, at_least: usize, limit: Duration) -> bool {
        self.arrivals().wait(endpoint, None, at_least, limit)
    }

    /// Blocks until `at_least` requests on `endpoint` with `token` have arrived, or `limit`
    /// passes; whether they did. See [`Arrivals::wait`].
    #[must_use]
    pub fn wait_for_requests_for(
        &self,
        token: &str,
        endpoint: Endpoint,
        at_least: usize,
        limit: Duration,
    ) -> bool {
        self.arrivals().wait(endpoint, Some(token), at_least, limit)
    }

    /// Forgets every count, of requests and of connections (scripts stay).
    pub fn reset_counts(&self) {
        lock(&self.shared.counts).clear();
        self.shared.connections.store(0, Ordering::SeqCst);
    }
}

/// Waits for requests to arrive at a [`FakeGithub`], from any thread: a test that needs a
/// request to be in flight (read by the fake, not yet answered) waits for it here rather than
/// assuming that a spawned call got that far. A request counts once the fake has read it in
/// full, before any latency or [held](Reply::held) answer.
#[derive(Clone)]
pub struct Arrivals {
    shared: Arc<Shared>,
}

impl Arrivals {
    /// Blocks until `at_least` requests on `endpoint` — with `token` as the credential, or
    /// any when `None` — have arrived since the last [`FakeGithub::reset_counts`], or until
    /// `limit` passes; whether they did. `limit` is a hang guard, not a measurement: make it
    /// generous.
    #[must_use]
    pub fn wait(
        &self,
        endpoint: Endpoint,
        token: Option<&str>,
        at_least: usize,
        limit: Duration,
    ) -> bool {
        let seen = |counts: &HashMap<CountKey, usize>| -> usize {
            counts
                .iter()
                .filter(|((counted, credential), _)| {
                    *counted == endpoint
                        && token.is_none_or(|token| credential.as_deref() == Some(token))
                })
                .map(|(_, count)| count)
                .sum()
        };
        let (counts, _) = self
            .shared
            .arrived
            .wait_timeout_while(lock(&self.shared.counts), limit, |counts| {
                seen(counts) < at_least
            })
            .unwrap_or_else(PoisonError::into_inner);
        seen(&counts) >= at_least
    }
}

impl fmt::Debug for Arrivals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Arrivals").finish_non_exhaustive()
    }
}

/// A request as the fake received it, to assert what a client sends. The credential itself
/// is not kept, only the `Authorization` scheme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path, without its query string.
    pub path: String,
    /// The `Authorization` scheme (`token`, `Bearer`), when the header had one.
    pub auth_scheme: Option<String>,
    /// Every header but `Authorization`, in the order sent.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The value of header `name` (case-insensitive), if it was sent.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(sent, _)| sent.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

impl fmt::Debug for FakeGithub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeGithub")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for FakeGithub {
    fn drop(&mut self) {
        self.shared.stop();
        if let Some(accept) = self.accept.take() {
            // The accept thread is woken by a connection; if none can be made it stays
            // parked in `accept` (not spinning) and is left behind rather than joined forever.
            if wake_accept(self.addr) {
                let _ = accept.join();
            }
        }
    }
}
