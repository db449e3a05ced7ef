//! Fakes for the ports and the store contract, for this crate's tests and for adapters' and
//! host validators' tests (feature `testing`).
//!
//! - [`ManualClock`]: time that moves only when told; `sleep` advances it at once, so retry
//!   and deadline tests never wait for real.
//! - [`ScriptedGithub`]: a GitHub in memory, scripted per token and endpoint, counting
//!   requests, able to hold calls until several have arrived (to make races overlap).
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
    CallResult, Endpoint, HttpResponse, RelevantHeaders, TransportError, TransportErrorKind,
};
use crate::ports::{Clock, GithubApi, PatStore, StoreError};
use crate::store::{Hotkey, SaveOutcome, StoredPat, Uid};
use crate::time::UnixTime;
use crate::token::Token;
use crate::verdict::GithubId;

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

/// One scripted answer of [`ScriptedGithub`].
#[derive(Clone, Debug)]
pub enum Reply {
    /// Answer with this response.
    Respond(HttpResponse),
    /// Fail below HTTP.
    Fail(TransportError),
    /// Let `latency` pass on the clock (the call "takes" that long), then reply.
    Slow(Duration, Box<Reply>),
    /// Wait until `arrivals` calls held under `group` have arrived, then reply: makes
    /// concurrent calls overlap for race tests.
    Held {
        /// Calls held under the same name are released together.
        group: &'static str,
        /// How many must arrive before all are released.
        arrivals: usize,
        /// The reply once released.
        then: Box<Reply>,
    },
}

impl Reply {
    /// A response with this status and an empty body.
    #[must_use]
    pub fn status(status: u16) -> Self {
        Self::Respond(HttpResponse::new(status, Vec::new()))
    }

    /// A response with this status and JSON body.
    #[must_use]
    pub fn json(status: u16, body: &Value) -> Self {
        Self::Respond(HttpResponse::new(status, body.to_string()))
    }

    /// A response with this status, headers and JSON body.
    #[must_use]
    pub fn json_with(status: u16, headers: RelevantHeaders, body: &Value) -> Self {
        Self::Respond(HttpResponse {
            status,
            headers,
            body: crate::http::Body::Complete(body.to_string().into_bytes()),
        })
    }

    /// `GET /user` answering for account `id` with `login`.
    #[must_use]
    pub fn user(id: u64, login: &str) -> Self {
        Self::json(200, &json!({ "id": id, "login": login, "type": "User" }))
    }

    /// `POST /graphql` answering with a viewer.
    #[must_use]
    pub fn viewer(login: &str) -> Self {
        Self::json(200, &json!({ "data": { "viewer": { "login": login } } }))
    }

    /// A transport failure of `kind`.
    #[must_use]
    pub fn fail(kind: TransportErrorKind) -> Self {
        Self::Fail(TransportError::new(kind, "scripted failure"))
    }

    /// This reply after `latency` on the clock.
    #[must_use]
    pub fn after(self, latency: Duration) -> Self {
        Self::Slow(latency, Box::new(self))
    }

    /// This reply once `arrivals` calls have arrived under `group`.
    #[must_use]
    pub fn held(self, group: &'static str, arrivals: usize) -> Self {
        Self::Held {
            group,
            arrivals,
            then: Box::new(self),
        }
    }
}

#[derive(Default)]
struct Gate {
    waiting: Vec<oneshot::Sender<()>>,
}

/// A GitHub in memory. Each (token, endpoint) has a script of replies played in order, the
/// last one repeating; a token with no script gets 401, as GitHub answers unknown tokens.
pub struct ScriptedGithub {
    clock: Option<Arc<ManualClock>>,
    scripts: Mutex<HashMap<(String, Endpoint), VecDeque<Reply>>>,
    requests: Mutex<HashMap<(String, Endpoint), usize>>,
    gates: Mutex<HashMap<&'static str, Gate>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

impl ScriptedGithub {
    /// A GitHub with no scripts. With a clock, [`Reply::Slow`] advances it.
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
        match scripts.get_mut(&(token.to_owned(), endpoint)) {
            Some(script) if script.len() > 1 => script.pop_front().unwrap_or(Reply::status(401)),
            Some(script) => script.front().cloned().unwrap_or(Reply::status(401)),
            None => Reply::json(401, &json!({ "message": "Bad credentials" })),
        }
    }

    /// Plays a reply. Like a real adapter it honours `timeout`: a reply slower than the time
    /// left is a timeout once that time has passed.
    async fn play(&self, mut reply: Reply, mut timeout: Duration) -> CallResult {
        loop {
            reply = match reply {
                Reply::Respond(response) => return Ok(response),
                Reply::Fail(error) => return Err(error),
                Reply::Slow(latency, then) => {
                    let waited = latency.min(timeout);
                    if let Some(clock) = &self.clock {
                        clock.advance(waited);
                    }
                    if latency > timeout {
                        return Err(TransportError::new(
                            TransportErrorKind::Timeout,
                            "scripted reply slower than the deadline",
                        ));
                    }
                    timeout -= waited;
                    *then
                }
                Reply::Held {
                    group,
                    arrivals,
                    then,
                } => {
                    let (sender, receiver) = oneshot::channel();
                    {
                        let mut gates = lock(&self.gates);
                        let gate = gates.entry(group).or_default();
                        gate.waiting.push(sender);
                        if gate.waiting.len() >= arrivals {
                            for waiter in gate.waiting.drain(..) {
                                let _ = waiter.send(());
                            }
                        }
                    }
                    let _ = receiver.await;
                    *then
                }
            };
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

    /// Write calls that reached this store (`upsert` and `save_pinned`), failed or not.
    pub fn write_calls(&self) -> usize {
        self.writes.load(Ordering::SeqCst)
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    fn read_fault(&self) -> Result<(), StoreError> {
        if self.fail_reads.load(Ordering::SeqCst) {
            return Err(StoreError::Read("injected read failure".into()));
        }
        Ok(())
    }

    fn write_fault(&self) -> Result<(), StoreError> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.read_fault()?;
        if self.fail_writes.load(Ordering::SeqCst) {
            return Err(StoreError::Write("injected write failure".into()));
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
    async fn upsert(&self, entry: StoredPat) -> Result<(), StoreError> {
        self.write_fault()?;
        self.inner.upsert(entry).await
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

/// What every [`PatStore`] must do. Each function takes a fresh, empty, working store and
/// panics (as a test does) when the store breaks the contract. [`run`](store_contract::run)
/// calls them all.
pub mod store_contract {
    use super::{Hotkey, PatStore, SaveOutcome, Uid, entry};
    use serde_json::value::RawValue;

    /// Runs every check, each on a fresh store from `make`.
    pub async fn run<S: PatStore, F: FnMut() -> S>(mut make: F) {
        missing_is_none(&make()).await;
        upsert_replaces(&make()).await;
        all_is_in_uid_order(&make()).await;
        save_pinned_refuses_a_changed_identity(&make()).await;
        save_pinned_allows_a_new_miner_and_rotation(&make()).await;
        unknown_keys_survive_a_rewrite(&make()).await;
    }

    /// A uid with no entry reads as `None`, and an empty store lists nothing.
    pub async fn missing_is_none<S: PatStore>(store: &S) {
        assert!(store.get(Uid(7)).await.expect("get").is_none());
        assert!(store.all().await.expect("all").is_empty());
    }

    /// `upsert` replaces the entry for a uid and leaves the others.
    pub async fn upsert_replaces<S: PatStore>(store: &S) {
        store
            .upsert(entry(1, "hk1", "ghp_a", "10"))
            .await
            .expect("upsert");
        store
            .upsert(entry(2, "hk2", "ghp_b", "20"))
            .await
            .expect("upsert");
        store
            .upsert(entry(1, "hk1b", "ghp_c", "11"))
            .await
            .expect("upsert");
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
            store
                .upsert(entry(uid, "hk", "ghp_x", "1"))
                .await
                .expect("upsert");
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
        store.upsert(old).await.expect("upsert");
        store
            .save_pinned(entry(1, "hk1", "ghp_b", "10"))
            .await
            .expect("save");
        let stored = store.get(Uid(1)).await.expect("get").expect("entry");
        assert_eq!(
            stored.extra.get("scored_at").map(RawValue::get),
            Some("12345678901234567890123")
        );
    }
}
