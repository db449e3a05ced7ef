//! Fakes for the ports and the store contract, for this crate's tests and for adapters' and
//! host validators' tests (feature `testing`).
//!
//! - [`ManualClock`]: time that moves only when told; `sleep` advances it at once, so retry
//!   and deadline tests never wait for real.
//! - [`Reply`]: one scripted answer of GitHub, from a response to a transport fault, held or
//!   slow — the one vocabulary of both fakes, this module's and the loopback
//!   `pat-verdict-fake-github`.
//! - [`ScriptedGithub`]: a GitHub in memory, scripted per token and endpoint with
//!   [`Reply`]s, counting requests, able to hold calls until the test or enough arrivals
//!   open a gate (to make races overlap).
//! - [`FaultyStore`]: wraps any store and makes its reads or writes fail, counting the writes
//!   that were attempted.
//! - [`store_contract`]: what every [`PatStore`] must do; adapters run it on their store.

// Test support: a broken contract should stop the test loudly, as an assertion does.
#![allow(clippy::expect_used)]

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use futures::channel::oneshot;
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::http::{
    Body, CallResult, Endpoint, HttpResponse, RelevantHeaders, TransportError, TransportErrorKind,
};
use crate::miner::{Hotkey, Uid};
use crate::ports::{Clock, GithubApi, PatStore, StoreError, StoreFailure, StoreFailureKind};
use crate::report::{Stage, VerifyReport};
use crate::store::{SaveOutcome, StoredPat};
use crate::time::UnixTime;
use crate::token::Token;
use crate::verdict::{GithubId, Identity, TokenInfo, Verdict, Viewer};

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A clock that moves only when told. `sleep` advances it by the duration and returns at
/// once; every sleep is recorded.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<(Duration, UnixTime)>,
    sleeps: Mutex<Vec<Duration>>,
}

impl ManualClock {
    /// A clock at monotonic zero and wall time `wall`.
    #[must_use]
    pub fn new(wall: UnixTime) -> Self {
        Self {
            now: Mutex::new((Duration::ZERO, wall)),
            sleeps: Mutex::new(Vec::new()),
        }
    }

    /// Moves both readings forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = lock(&self.now);
        now.0 += by;
        now.1 = now.1.plus(by);
    }

    /// Every sleep asked for so far, in order.
    #[must_use]
    pub fn sleeps(&self) -> Vec<Duration> {
        lock(&self.sleeps).clone()
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new(UnixTime(1_767_225_600)) // 2026-01-01T00:00:00Z
    }
}

#[async_trait]
impl Clock for ManualClock {
    fn monotonic(&self) -> Duration {
        lock(&self.now).0
    }
    fn wall(&self) -> UnixTime {
        lock(&self.now).1
    }
    async fn sleep(&self, duration: Duration) {
        lock(&self.sleeps).push(duration);
        self.advance(duration);
    }
}

/// One scripted answer of a fake GitHub to one request, in the vocabulary both fakes share:
/// [`ScriptedGithub`] here (in memory) and the loopback `pat-verdict-fake-github` server (on
/// the wire). It is plain data — what to answer ([`Answer`]), which headers, after what
/// latency, held behind which [`Hold`] — so a test written against one fake reads the same
/// against the other.
///
/// Responses carry `Content-Type: application/json` on the wire unless a scripted header
/// replaces it. Faults ([`Reply::reset`], [`Reply::stall`], [`Reply::truncated`],
/// [`Reply::oversized`], [`Reply::raw`], [`Reply::fail`]) let tests prove that a broken
/// exchange becomes a transport failure rather than evidence about the PAT; in memory each
/// becomes the [`TransportErrorKind`] a real adapter reports for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// What is answered.
    pub answer: Answer,
    /// Response headers, in order (CR and LF already removed).
    pub headers: Vec<(String, String)>,
    /// How long the answer takes once the request is in (on the fake's clock in memory, real
    /// time on the wire).
    pub latency: Duration,
    /// The gate the answer waits behind, if any.
    pub hold: Option<Hold>,
}

/// What a [`Reply`] answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A whole response.
    Respond {
        /// The status code.
        status: u16,
        /// The body bytes.
        body: Vec<u8>,
    },
    /// A transport failure of this kind. On the wire: a stall for
    /// [`Timeout`](TransportErrorKind::Timeout), a truncated body for
    /// [`TruncatedBody`](TransportErrorKind::TruncatedBody), bytes that are not HTTP for
    /// [`Protocol`](TransportErrorKind::Protocol), and a reset for every other kind (loopback
    /// cannot fail DNS, connect or TLS per request).
    Fail(TransportErrorKind),
    /// Close with a TCP RST and no answer (in memory: `ConnectionReset`).
    Reset,
    /// Never answer (in memory: the time left passes, then `Timeout`).
    Stall,
    /// Declare `declared` body bytes, send only `sent`, close (in memory: `TruncatedBody`).
    Truncated {
        /// The status code.
        status: u16,
        /// The `Content-Length` announced.
        declared: usize,
        /// The bytes actually sent.
        sent: Vec<u8>,
    },
    /// A JSON-looking body of `bytes` bytes, streamed on the wire (in memory: a body over
    /// [`BODY_CAP`] is [`Body::OverCap`], as the ureq adapter reports it).
    Oversized {
        /// The status code.
        status: u16,
        /// The body's size.
        bytes: u64,
        /// `Transfer-Encoding: chunked` rather than a `Content-Length`.
        chunked: bool,
    },
    /// These bytes instead of an HTTP response, then close (in memory: `Protocol`, or
    /// `ConnectionReset` when there are none).
    Raw(Vec<u8>),
}

/// A gate a [`Reply`] waits behind before it is played: opened by the test
/// (`open_gate`), or by itself once `arrivals` answers are waiting at it. An open gate stays
/// open. Tests force an interleaving this way instead of hoping a latency is long enough.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hold {
    /// The gate's name; answers held on the same name are released together.
    pub gate: String,
    /// Open the gate once this many answers wait at it (`None`: only the test opens it).
    pub arrivals: Option<usize>,
}

/// GitHub's words for its own failure in a 200 (docs/contract.md §2), with a request id.
pub const SOMETHING_WENT_WRONG: &str = "Something went wrong while executing your query. This may be the result of a timeout, or it could be a GitHub bug. Please include `D4C1:2F3A:9B1E0C:A1B2C3:6756F0A1` when reporting this issue.";

/// The scopes and expiry of a `/user` answer's headers, which a valid identity carries.
pub use crate::classify::token_info;
pub use crate::http::BODY_CAP;
/// The rate-limit rules of docs/contract.md §4 one by one — the signals, the wait and its
/// two header readers — for the property tests and fuzz targets that check each over any
/// text. Hosts get them through the classifiers' verdicts.
pub use crate::rate_limit::{
    MAX_RETRY_AFTER, RATE_LIMIT_PHRASES, documentation_url_signals_rate_limit, mentions_rate_limit,
    parse_ratelimit_reset, parse_retry_after, retry_after,
};

impl Reply {
    /// A reply that answers `answer` at once, with no headers.
    #[must_use]
    pub fn of(answer: Answer) -> Self {
        Self {
            answer,
            headers: Vec::new(),
            latency: Duration::ZERO,
            hold: None,
        }
    }

    /// A response with this status and an empty body.
    #[must_use]
    pub fn status(status: u16) -> Self {
        Self::body(status, Vec::new())
    }

    /// A response with this status and `body` as JSON.
    #[must_use]
    pub fn json(status: u16, body: Value) -> Self {
        Self::body(status, body.to_string())
    }

    /// A response with this status and these exact body bytes.
    #[must_use]
    pub fn body(status: u16, bytes: impl Into<Vec<u8>>) -> Self {
        Self::of(Answer::Respond {
            status,
            body: bytes.into(),
        })
    }

    /// `GET /user` for account `id`: a 200 with the fields GitHub sends for an authenticated
    /// user (about 1.3 KB), so parsing costs what it costs against the real API.
    #[must_use]
    pub fn user(id: u64, login: &str) -> Self {
        Self::json(200, user_body(id, login))
    }

    /// `POST /graphql` answering `{ viewer { login } }`.
    #[must_use]
    pub fn viewer(login: &str) -> Self {
        Self::json(200, json!({ "data": { "viewer": { "login": login } } }))
    }

    /// The one call's 200 (docs/contract.md §11): the viewer with its `databaseId`.
    #[must_use]
    pub fn viewer_with_id(login: &str, id: u64) -> Self {
        Self::json(
            200,
            json!({ "data": { "viewer": { "login": login, "databaseId": id } } }),
        )
    }

    /// An HTML error page with this status, as a proxy or load balancer in front of GitHub
    /// sends.
    #[must_use]
    pub fn not_json(status: u16) -> Self {
        let page = format!(
            "<!DOCTYPE html>\n<html><head><title>{status} {reason}</title></head>\n\
             <body><h1>{reason}</h1><p>Unicorn! GitHub is having trouble serving this \
             request.</p></body></html>\n",
            reason = reason_phrase(status),
        );
        Self::body(status, page).header("Content-Type", "text/html; charset=utf-8")
    }

    /// A plain-text answer with this status (`Content-Type: text/plain`), as a proxy, a
    /// firewall or a misrouted host sends: not GitHub's JSON (docs/contract.md §2).
    #[must_use]
    pub fn text(status: u16, text: &str) -> Self {
        Self::body(status, text).header("Content-Type", "text/plain; charset=utf-8")
    }

    /// GitHub's own failure inside a 200, as it answers GraphQL during incidents (logged as
    /// "RESPONSE (OK)" by GitHub's migration tool and by `gh`): `data: null` and
    /// [`SOMETHING_WENT_WRONG`] in `errors[0].message`. Inconclusive (docs/contract.md §2).
    #[must_use]
    pub fn github_failure() -> Self {
        Self::json(
            200,
            json!({ "data": null, "errors": [{ "message": SOMETHING_WENT_WRONG }] }),
        )
    }

    /// GitHub's JSON 401 (`Bad credentials` with its `documentation_url`): evidence.
    #[must_use]
    pub fn bad_credentials() -> Self {
        Self::json(
            401,
            json!({ "message": "Bad credentials", "documentation_url": "https://docs.github.com/rest" }),
        )
    }

    /// A transport failure of `kind` (see [`Answer::Fail`] for what it is on the wire).
    #[must_use]
    pub fn fail(kind: TransportErrorKind) -> Self {
        Self::of(Answer::Fail(kind))
    }

    /// Reads the request, then closes with a TCP RST and no answer.
    #[must_use]
    pub fn reset() -> Self {
        Self::of(Answer::Reset)
    }

    /// Reads the request and never answers, until the client gives up.
    #[must_use]
    pub fn stall() -> Self {
        Self::of(Answer::Stall)
    }

    /// Declares a `Content-Length` of `declared` bytes, sends only `sent`, then closes.
    #[must_use]
    pub fn truncated(status: u16, declared: usize, sent: impl Into<Vec<u8>>) -> Self {
        Self::of(Answer::Truncated {
            status,
            declared,
            sent: sent.into(),
        })
    }

    /// A JSON-looking body of exactly `bytes` bytes with a `Content-Length`, streamed in
    /// chunks on the wire (never held in memory).
    #[must_use]
    pub fn oversized(status: u16, bytes: u64) -> Self {
        Self::of(Answer::Oversized {
            status,
            bytes,
            chunked: false,
        })
    }

    /// [`Reply::oversized`] with `Transfer-Encoding: chunked` and no `Content-Length`, so the
    /// client cannot tell the size up front and must stop reading at its cap.
    #[must_use]
    pub fn oversized_chunked(status: u16, bytes: u64) -> Self {
        Self::of(Answer::Oversized {
            status,
            bytes,
            chunked: true,
        })
    }

    /// Writes `bytes` as they are instead of an HTTP response, then closes: for clients'
    /// handling of answers that are not HTTP at all.
    #[must_use]
    pub fn raw(bytes: impl Into<Vec<u8>>) -> Self {
        Self::of(Answer::Raw(bytes.into()))
    }

    /// Adds a response header (`retry-after`, `x-ratelimit-remaining`, `x-oauth-scopes`, …).
    /// On the wire a `Content-Type` replaces the default one. CR and LF are removed from
    /// name and value, so a script cannot split the response by accident. Ignored by
    /// answers that send no headers.
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let clean = |text: &str| text.replace(['\r', '\n'], "");
        self.headers.push((clean(name), clean(value)));
        self
    }

    /// Takes `latency` to answer, once the request is in (and any hold is released). In
    /// memory the fake's clock moves; a latency longer than the time the caller has left is
    /// a timeout, as a real adapter reports it.
    #[must_use]
    pub fn after(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Holds the answer, once the request is in, until the test opens `gate`
    /// (`open_gate` on either fake). A test that needs a request to be in flight holds it
    /// here.
    #[must_use]
    pub fn held(mut self, gate: &str) -> Self {
        self.hold = Some(Hold {
            gate: gate.to_owned(),
            arrivals: None,
        });
        self
    }

    /// Holds the answer until `arrivals` answers wait at `gate` (or the test opens it), then
    /// releases them together: makes concurrent calls overlap for race tests.
    #[must_use]
    pub fn held_until(mut self, gate: &str, arrivals: usize) -> Self {
        self.hold = Some(Hold {
            gate: gate.to_owned(),
            arrivals: Some(arrivals),
        });
        self
    }

    /// What an adapter would return for this reply, ignoring latency and hold: the response,
    /// or the transport failure each fault becomes. `None` for [`Answer::Stall`], which
    /// never ends by itself.
    #[must_use]
    pub fn to_call_result(&self) -> Option<CallResult> {
        let fail = |kind| Some(Err(TransportError::new(kind, "scripted failure")));
        let headers = || {
            RelevantHeaders::from_pairs(
                self.headers
                    .iter()
                    .map(|(name, value)| (name.as_str(), value.as_bytes())),
            )
        };
        match &self.answer {
            Answer::Respond { status, body } => Some(Ok(HttpResponse {
                status: *status,
                headers: headers(),
                body: Body::Complete(body.clone()),
            })),
            Answer::Fail(kind) => fail(*kind),
            Answer::Reset => fail(TransportErrorKind::ConnectionReset),
            Answer::Stall => None,
            Answer::Truncated { .. } => fail(TransportErrorKind::TruncatedBody),
            // Closing without a byte is how a reset looks to a client.
            Answer::Raw(bytes) if bytes.is_empty() => fail(TransportErrorKind::ConnectionReset),
            Answer::Raw(_) => fail(TransportErrorKind::Protocol),
            Answer::Oversized { status, bytes, .. } => {
                let body = match usize::try_from(*bytes) {
                    Ok(size) if size <= BODY_CAP => Body::Complete(padded_json(size)),
                    Ok(_) | Err(_) => Body::OverCap { cap: BODY_CAP },
                };
                Some(Ok(HttpResponse {
                    status: *status,
                    headers: headers(),
                    body,
                }))
            }
        }
    }
}

/// A JSON-looking body of exactly `size` bytes (`{` spaces `}`, shorter sizes cut).
fn padded_json(size: usize) -> Vec<u8> {
    let mut body = vec![b' '; size];
    if let Some(first) = body.first_mut() {
        *first = b'{';
    }
    if size > 1
        && let Some(last) = body.last_mut()
    {
        *last = b'}';
    }
    body
}

/// What GitHub answers to `GET /user` for a token's owner (fields as of the 2022-11-28 API).
fn user_body(id: u64, login: &str) -> Value {
    let api = format!("https://api.github.com/users/{login}");
    let mut user = json!({
        "login": login,
        "id": id,
        "node_id": format!("MDQ6VXNlcj{id}"),
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{id}?v=4"),
        "gravatar_id": "",
        "url": api,
        "html_url": format!("https://github.com/{login}"),
        "followers_url": format!("{api}/followers"),
        "following_url": format!("{api}/following{{/other_user}}"),
        "gists_url": format!("{api}/gists{{/gist_id}}"),
        "starred_url": format!("{api}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{api}/subscriptions"),
        "organizations_url": format!("{api}/orgs"),
        "repos_url": format!("{api}/repos"),
        "events_url": format!("{api}/events{{/privacy}}"),
        "received_events_url": format!("{api}/received_events"),
    });
    // Two halves: one `json!` this long exceeds the macro recursion limit.
    let profile = json!({
        "type": "User",
        "user_view_type": "private",
        "site_admin": false,
        "name": "Octo Miner",
        "company": null,
        "blog": "",
        "location": "Earth",
        "email": null,
        "hireable": null,
        "bio": "Mining commits since 2024.",
        "twitter_username": null,
        "notification_email": null,
        "public_repos": 42,
        "public_gists": 3,
        "followers": 17,
        "following": 5,
        "created_at": "2019-04-01T12:00:00Z",
        "updated_at": "2025-12-01T08:30:00Z",
        "private_gists": 0,
        "total_private_repos": 4,
        "owned_private_repos": 4,
        "disk_usage": 10240,
        "collaborators": 0,
        "two_factor_authentication": true,
        "plan": {
            "name": "free",
            "space": 976_562_499,
            "collaborators": 0,
            "private_repos": 10000
        }
    });
    if let (Value::Object(urls), Value::Object(profile)) = (&mut user, profile) {
        urls.extend(profile);
    }
    user
}
/// The reason phrase of a status line (any text is valid HTTP; these read naturally): the
/// loopback fake writes it, the HTML error page of [`Reply::not_json`] shows it.
pub fn reason_phrase(code: u16) -> &'static str {
    match code {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// A [`Hold`]'s gate in memory: the answers waiting at it, and whether it is open.
#[derive(Default)]
struct Gate {
    waiting: Vec<oneshot::Sender<()>>,
    open: bool,
}

/// A GitHub in memory. Each (token, endpoint) has a script of replies played in order, the
/// last one repeating; a token with no script gets 401, as GitHub answers unknown tokens.
pub struct ScriptedGithub {
    clock: Option<Arc<ManualClock>>,
    scripts: Mutex<HashMap<(String, Endpoint), VecDeque<Reply>>>,
    requests: Mutex<HashMap<(String, Endpoint), usize>>,
    gates: Mutex<HashMap<String, Gate>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

impl ScriptedGithub {
    /// A GitHub with no scripts. With a clock, a reply's latency (and a stall) advances it.
    #[must_use]
    pub fn new(clock: Option<Arc<ManualClock>>) -> Self {
        Self {
            clock,
            scripts: Mutex::new(HashMap::new()),
            requests: Mutex::new(HashMap::new()),
            gates: Mutex::new(HashMap::new()),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        }
    }

    /// The most calls that were in progress at once.
    #[must_use]
    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }

    /// Scripts `endpoint` for `token`: these replies in order, the last one repeating.
    pub fn on(
        &self,
        token: &str,
        endpoint: Endpoint,
        replies: impl IntoIterator<Item = Reply>,
    ) -> &Self {
        lock(&self.scripts).insert((token.to_owned(), endpoint), replies.into_iter().collect());
        self
    }

    /// Scripts a working PAT for account `id`: `/user` and the test query both valid.
    pub fn valid(&self, token: &str, id: u64, login: &str) -> &Self {
        self.on(token, Endpoint::Identity, [Reply::user(id, login)])
            .on(token, Endpoint::TestQuery, [Reply::viewer(login)])
    }

    /// Requests made to `endpoint`, all tokens together.
    #[must_use]
    pub fn requests(&self, endpoint: Endpoint) -> usize {
        lock(&self.requests)
            .iter()
            .filter(|((_, e), _)| *e == endpoint)
            .map(|(_, n)| n)
            .sum()
    }

    /// Requests made to `endpoint` with `token`.
    #[must_use]
    pub fn requests_for(&self, token: &str, endpoint: Endpoint) -> usize {
        lock(&self.requests)
            .get(&(token.to_owned(), endpoint))
            .copied()
            .unwrap_or(0)
    }

    fn next_reply(&self, token: &str, endpoint: Endpoint) -> Reply {
        let mut scripts = lock(&self.scripts);
        let unknown = || Reply::json(401, json!({ "message": "Bad credentials" }));
        match scripts.get_mut(&(token.to_owned(), endpoint)) {
            Some(script) if script.len() > 1 => script.pop_front().unwrap_or_else(unknown),
            Some(script) => script.front().cloned().unwrap_or_else(unknown),
            None => unknown(),
        }
    }

    /// Opens `gate`: every answer [held](Reply::held) on it goes on, and later ones are not
    /// held.
    pub fn open_gate(&self, gate: &str) {
        let mut gates = lock(&self.gates);
        let gate = gates.entry(gate.to_owned()).or_default();
        gate.open = true;
        for waiter in gate.waiting.drain(..) {
            let _ = waiter.send(());
        }
    }

    /// Waits at `hold`'s gate until it opens (by the test, or by enough arrivals).
    async fn pass(&self, hold: &Hold) {
        let (sender, receiver) = oneshot::channel();
        {
            let mut gates = lock(&self.gates);
            let gate = gates.entry(hold.gate.clone()).or_default();
            if gate.open {
                return;
            }
            gate.waiting.push(sender);
            if hold
                .arrivals
                .is_some_and(|arrivals| gate.waiting.len() >= arrivals)
            {
                gate.open = true;
                for waiter in gate.waiting.drain(..) {
                    let _ = waiter.send(());
                }
            }
        }
        let _ = receiver.await;
    }

    /// Lets `duration` pass on the clock, if there is one.
    fn pass_time(&self, duration: Duration) {
        if let Some(clock) = &self.clock {
            clock.advance(duration);
        }
    }

    /// Plays a reply. Like a real adapter it honours `timeout`: a reply slower than the time
    /// left (a stall included) is a timeout once that time has passed.
    async fn play(&self, reply: Reply, timeout: Duration) -> CallResult {
        if let Some(hold) = &reply.hold {
            self.pass(hold).await;
        }
        let slower = |what| Err(TransportError::new(TransportErrorKind::Timeout, what));
        if reply.latency > timeout {
            self.pass_time(timeout);
            return slower("scripted reply slower than the deadline");
        }
        self.pass_time(reply.latency);
        match reply.to_call_result() {
            Some(result) => result,
            None => {
                self.pass_time(timeout - reply.latency);
                slower("scripted stall")
            }
        }
    }
}

#[async_trait]
impl GithubApi for ScriptedGithub {
    async fn send(&self, endpoint: Endpoint, token: &Token, timeout: Duration) -> CallResult {
        let token = token.expose_secret();
        *lock(&self.requests)
            .entry((token.to_owned(), endpoint))
            .or_insert(0) += 1;
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let reply = self.next_reply(token, endpoint);
        let result = self.play(reply, timeout).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        result
    }
}

/// Wraps a store and makes its reads and/or writes fail on demand, counting the writes that
/// reached it (attempted or not), so tests can assert a failed store was never written.
pub struct FaultyStore<S> {
    inner: S,
    fail_reads: AtomicBool,
    fail_writes: AtomicBool,
    writes: AtomicUsize,
}

impl<S: PatStore> FaultyStore<S> {
    /// A working wrapper around `inner`.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            fail_reads: AtomicBool::new(false),
            fail_writes: AtomicBool::new(false),
            writes: AtomicUsize::new(0),
        }
    }

    /// Makes reads fail (or work again).
    pub fn fail_reads(&self, fail: bool) {
        self.fail_reads.store(fail, Ordering::SeqCst);
    }

    /// Makes writes fail (or work again).
    pub fn fail_writes(&self, fail: bool) {
        self.fail_writes.store(fail, Ordering::SeqCst);
    }

    /// Write calls (`save_pinned`) that reached this store, failed or not.
    pub fn write_calls(&self) -> usize {
        self.writes.load(Ordering::SeqCst)
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    fn read_fault(&self) -> Result<(), StoreError> {
        if self.fail_reads.load(Ordering::SeqCst) {
            return Err(StoreError::Read(StoreFailure::new(
                StoreFailureKind::Io,
                "injected read failure",
            )));
        }
        Ok(())
    }

    fn write_fault(&self) -> Result<(), StoreError> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.read_fault()?;
        if self.fail_writes.load(Ordering::SeqCst) {
            return Err(StoreError::Write(StoreFailure::new(
                StoreFailureKind::Io,
                "injected write failure",
            )));
        }
        Ok(())
    }
}

#[async_trait]
impl<S: PatStore> PatStore for FaultyStore<S> {
    async fn get(&self, uid: Uid) -> Result<Option<StoredPat>, StoreError> {
        self.read_fault()?;
        self.inner.get(uid).await
    }
    async fn all(&self) -> Result<Vec<StoredPat>, StoreError> {
        self.read_fault()?;
        self.inner.all().await
    }
    async fn listing(&self) -> Result<crate::store::Listing, StoreError> {
        self.read_fault()?;
        self.inner.listing().await
    }
    async fn save_pinned(&self, entry: StoredPat) -> Result<SaveOutcome, StoreError> {
        self.write_fault()?;
        self.inner.save_pinned(entry).await
    }
}

/// A store entry for tests.
#[must_use]
pub fn entry(uid: u32, hotkey: &str, pat: &str, github_id: &str) -> StoredPat {
    StoredPat::new(
        Uid(uid),
        Hotkey::new(hotkey),
        SecretString::from(pat),
        GithubId::new(github_id),
        "2026-01-01T00:00:00Z".to_owned(),
    )
}

/// The report a verification ending in `verdict` gives, for tests of what reads reports: a
/// valid one knows the account `1` (`octocat`) and its viewer; one that is not valid stopped
/// at `stage` (unused when valid) knowing no identity. One request either way.
#[must_use]
pub fn report(verdict: Verdict, stage: Stage) -> VerifyReport {
    match verdict.into_result() {
        Ok(()) => VerifyReport::Valid {
            identity: Identity {
                github_id: GithubId::new("1"),
                login: Some("octocat".to_owned()),
                token: TokenInfo::default(),
            },
            viewer: Viewer {
                login: Some("octocat".to_owned()),
            },
            requests: 1,
        },
        Err(failure) => VerifyReport::Stopped {
            stage,
            verdict: failure,
            identity: None,
            requests: 1,
        },
    }
}

/// What every [`PatStore`] must do. Each function takes a fresh, empty, working store and
/// panics (as a test does) when the store breaks the contract. [`run`](store_contract::run)
/// calls them all.
pub mod store_contract {
    use super::{Hotkey, PatStore, SaveOutcome, StoredPat, Uid, entry};
    use serde_json::value::RawValue;

    /// Runs every check, each on a fresh store from `make`.
    pub async fn run<S: PatStore, F: FnMut() -> S>(mut make: F) {
        missing_is_none(&make()).await;
        a_save_replaces_only_its_own_uid(&make()).await;
        all_is_in_uid_order(&make()).await;
        save_pinned_refuses_a_changed_identity(&make()).await;
        save_pinned_allows_a_new_miner_and_rotation(&make()).await;
        unknown_keys_survive_a_rewrite(&make()).await;
    }

    /// Saves `entry`, which the pin must allow: how these checks fill a store.
    async fn save<S: PatStore>(store: &S, entry: StoredPat) {
        let uid = entry.uid;
        let saved = store.save_pinned(entry).await.expect("save");
        assert_eq!(saved, SaveOutcome::Saved, "uid {uid:?}");
    }

    /// A uid with no entry reads as `None`, and an empty store lists nothing.
    pub async fn missing_is_none<S: PatStore>(store: &S) {
        assert!(store.get(Uid(7)).await.expect("get").is_none());
        assert!(store.all().await.expect("all").is_empty());
    }

    /// A save replaces the entry for its uid (a new miner's, with another account) and leaves
    /// the others.
    pub async fn a_save_replaces_only_its_own_uid<S: PatStore>(store: &S) {
        save(store, entry(1, "hk1", "ghp_a", "10")).await;
        save(store, entry(2, "hk2", "ghp_b", "20")).await;
        save(store, entry(1, "hk1b", "ghp_c", "11")).await;
        assert_eq!(
            store.get(Uid(1)).await.expect("get"),
            Some(entry(1, "hk1b", "ghp_c", "11"))
        );
        assert_eq!(
            store.get(Uid(2)).await.expect("get"),
            Some(entry(2, "hk2", "ghp_b", "20"))
        );
        assert_eq!(store.all().await.expect("all").len(), 2);
    }

    /// `all` lists entries by uid.
    pub async fn all_is_in_uid_order<S: PatStore>(store: &S) {
        for uid in [5, 1, 3] {
            save(store, entry(uid, "hk", "ghp_x", "1")).await;
        }
        let uids: Vec<u32> = store
            .all()
            .await
            .expect("all")
            .iter()
            .map(|e| e.uid.0)
            .collect();
        assert_eq!(uids, vec![1, 3, 5]);
    }

    /// The same hotkey with another GitHub id is refused and nothing changes.
    pub async fn save_pinned_refuses_a_changed_identity<S: PatStore>(store: &S) {
        let first = entry(1, "hk1", "ghp_a", "10");
        assert_eq!(
            store.save_pinned(first.clone()).await.expect("save"),
            SaveOutcome::Saved
        );
        let other = entry(1, "hk1", "ghp_b", "99");
        assert_eq!(
            store.save_pinned(other).await.expect("save"),
            SaveOutcome::IdentityLocked
        );
        assert_eq!(store.get(Uid(1)).await.expect("get"), Some(first));
    }

    /// A new hotkey on the uid may bring any account; the same hotkey may rotate its PAT.
    pub async fn save_pinned_allows_a_new_miner_and_rotation<S: PatStore>(store: &S) {
        store
            .save_pinned(entry(1, "old", "ghp_a", "10"))
            .await
            .expect("save");
        let new_miner = entry(1, "new", "ghp_b", "20");
        assert_eq!(
            store.save_pinned(new_miner).await.expect("save"),
            SaveOutcome::Saved
        );
        let rotated = entry(1, "new", "ghp_c", "20");
        assert_eq!(
            store.save_pinned(rotated.clone()).await.expect("save"),
            SaveOutcome::Saved
        );
        let stored = store.get(Uid(1)).await.expect("get").expect("entry");
        assert_eq!(stored.hotkey, Hotkey::new("new"));
        assert_eq!(stored, rotated);
    }

    /// Keys the store does not know are kept when the same hotkey rewrites its entry.
    pub async fn unknown_keys_survive_a_rewrite<S: PatStore>(store: &S) {
        let mut old = entry(1, "hk1", "ghp_a", "10");
        let big = RawValue::from_string("12345678901234567890123".to_owned()).expect("json");
        old.extra.insert("scored_at", big);
        save(store, old).await;
        save(store, entry(1, "hk1", "ghp_b", "10")).await;
        let stored = store.get(Uid(1)).await.expect("get").expect("entry");
        assert_eq!(
            stored.extra.get("scored_at").map(RawValue::get),
            Some("12345678901234567890123")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_body_is_about_the_size_of_githubs() {
        let size = user_body(583_231, "octocat").to_string().len();
        assert!((1100..=1600).contains(&size), "{size} bytes");
    }

    #[test]
    fn headers_cannot_split_the_response() {
        let reply = Reply::status(200).header("x-a\r\n", "b\r\nInjected: yes");
        assert_eq!(
            reply.headers,
            vec![("x-a".to_owned(), "bInjected: yes".to_owned())]
        );
    }

    #[test]
    fn each_fault_is_the_transport_failure_an_adapter_reports() {
        let kind = |reply: Reply| match reply.to_call_result() {
            Some(Err(error)) => Some(error.kind),
            Some(Ok(_)) | None => None,
        };
        assert_eq!(
            kind(Reply::reset()),
            Some(TransportErrorKind::ConnectionReset)
        );
        assert_eq!(
            kind(Reply::truncated(200, 10, "{")),
            Some(TransportErrorKind::TruncatedBody)
        );
        assert_eq!(
            kind(Reply::raw("garbage")),
            Some(TransportErrorKind::Protocol)
        );
        assert_eq!(
            kind(Reply::fail(TransportErrorKind::Dns)),
            Some(TransportErrorKind::Dns)
        );
        assert!(Reply::stall().to_call_result().is_none());
    }

    #[test]
    fn a_body_over_the_cap_is_over_cap_and_one_under_it_is_whole() {
        let body = |bytes| match Reply::oversized(200, bytes).to_call_result() {
            Some(Ok(response)) => response.body,
            Some(Err(_)) | None => Body::Complete(Vec::new()),
        };
        assert_eq!(body(BODY_CAP as u64 + 1), Body::OverCap { cap: BODY_CAP });
        assert_eq!(body(5), Body::Complete(b"{   }".to_vec()));
    }

    #[test]
    fn scripted_headers_reach_the_response() {
        let reply = Reply::status(403).header("Retry-After", "30");
        let Some(Ok(response)) = reply.to_call_result() else {
            panic!("a response");
        };
        assert_eq!(response.headers.retry_after.as_deref(), Some("30"));
    }
}

#[cfg(test)]
mod gates {
    use super::*;

    fn token() -> Token {
        Token::parse("ghp_gated").expect("a well-formed token")
    }

    #[tokio::test]
    async fn a_held_reply_waits_until_the_test_opens_its_gate() {
        let github = ScriptedGithub::new(None);
        github.on(
            "ghp_gated",
            Endpoint::Identity,
            [Reply::user(7, "g").held("gate")],
        );
        let token = token();
        let mut call = Box::pin(github.send(Endpoint::Identity, &token, Duration::from_secs(5)));
        assert!(futures::poll!(call.as_mut()).is_pending());
        assert_eq!(github.requests(Endpoint::Identity), 1);
        github.open_gate("gate");
        assert!(matches!(call.await, Ok(response) if response.status == 200));
        // An open gate stays open: the next call is not held.
        let again = github.send(Endpoint::Identity, &token, Duration::from_secs(5));
        assert!(futures::poll!(Box::pin(again)).is_ready());
    }

    #[tokio::test]
    async fn replies_held_until_arrivals_go_on_together() {
        let github = ScriptedGithub::new(None);
        github.on(
            "ghp_gated",
            Endpoint::Identity,
            [Reply::status(200).held_until("wave", 2)],
        );
        let token = token();
        let timeout = Duration::from_secs(5);
        let mut first = Box::pin(github.send(Endpoint::Identity, &token, timeout));
        assert!(futures::poll!(first.as_mut()).is_pending());
        let mut second = Box::pin(github.send(Endpoint::Identity, &token, timeout));
        assert!(futures::poll!(second.as_mut()).is_ready());
        assert!(futures::poll!(first.as_mut()).is_ready());
        assert_eq!(github.max_in_flight(), 2);
    }
}
