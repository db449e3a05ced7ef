//! The ports: the four things the handlers need from the world, as traits. Adapters implement
//! them (ureq for GitHub, a JSON file or memory for the store, a real or manual clock); the
//! core never names an adapter.
//!
//! Port errors are core types: an adapter turns its own failure (`ureq::Error`,
//! `std::io::Error`) into a [`TransportError`](crate::http::TransportError) or a
//! [`StoreError`] at the edge, keeping the cause.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use thiserror::Error;

use crate::http::{CallResult, Endpoint};
use crate::miner::{Hotkey, Uid};
use crate::store::{Listing, SaveOutcome, StoredPat};
use crate::time::UnixTime;
use crate::token::Token;

/// GitHub's API, as far as verification needs it: send one call, get what came back.
#[async_trait]
pub trait GithubApi: Send + Sync {
    /// Sends `endpoint` (method, path, auth scheme and body from [`Endpoint`]) with `token`,
    /// and returns within `timeout` — the deadline's remainder — with a response of any
    /// status or a transport failure. Implementations must not block the async runtime and
    /// must never put the token anywhere but the `Authorization` header.
    async fn send(&self, endpoint: Endpoint, token: &Token, timeout: Duration) -> CallResult;
}

/// Time, injected: the core reads no clock, so tests can run retries and deadlines without
/// sleeping.
#[async_trait]
pub trait Clock: Send + Sync {
    /// A monotonic reading (from any fixed origin), for deadlines.
    fn monotonic(&self) -> Duration;
    /// Wall-clock time, for `stored_at` and `x-ratelimit-reset`.
    fn wall(&self) -> UnixTime;
    /// Waits `duration` (a backoff or a `Retry-After`).
    async fn sleep(&self, duration: Duration);
}

/// Where PATs are kept, keyed by uid (at most one entry per uid).
///
/// Every method reports an unreadable or unwritable store as a [`StoreError`], never as
/// "empty": the handlers then fail closed. A write must never replace a store that could not
/// be read. Only a store that does not exist yet is empty; every other failure to look is an
/// error (docs/contract.md §7).
///
/// Every method returns within a bound the store was given (the verdict's deadline, docs/contract.md §7):
/// a store that must wait — for a lock held by another process — waits only that long, then
/// answers [`StoreError::Read`] or [`StoreError::Write`] ("unavailable", retryable).
///
/// An entry the store holds but cannot use ([`UnusableEntry`](crate::store::UnusableEntry))
/// affects only its own uid: [`get`](Self::get) and [`save_pinned`](Self::save_pinned) for
/// that uid answer [`StoreError::Corrupt`] with the reason, every other uid is served,
/// [`all`](Self::all) leaves it out and [`listing`](Self::listing) reports it.
#[async_trait]
pub trait PatStore: Send + Sync {
    /// The entry for `uid`, if any.
    async fn get(&self, uid: Uid) -> Result<Option<StoredPat>, StoreError>;
    /// Every usable entry, in uid order.
    async fn all(&self) -> Result<Vec<StoredPat>, StoreError>;
    /// Every entry from one read: the usable ones (as [`all`](Self::all)) and the unusable
    /// ones, for an audit that shows them all. The default is [`all`](Self::all) with nothing
    /// unusable, right for a store that cannot hold an unusable entry (memory).
    async fn listing(&self) -> Result<Listing, StoreError> {
        Ok(Listing {
            entries: self.all().await?,
            unusable: Vec::new(),
        })
    }
    /// Inserts or replaces the entry for `entry.uid`, unconditionally (no pin check); an
    /// unusable entry held for that uid is replaced too.
    async fn upsert(&self, entry: StoredPat) -> Result<(), StoreError>;
    /// The broadcast's final step as one atomic operation under the store's lock: decide with
    /// [`plan_save`](crate::store::plan_save) against the entry stored now, and write only if
    /// it allows. Two racing broadcasts for one hotkey cannot both pass the pin.
    async fn save_pinned(&self, entry: StoredPat) -> Result<SaveOutcome, StoreError>;
}

/// The subnet's registry: which uid a hotkey holds, if it is registered.
pub trait Registry: Send + Sync {
    /// The uid of `hotkey`, or `None` when it is not registered.
    fn uid_of(&self, hotkey: &Hotkey) -> Option<Uid>;
}

/// A boxed cause, so a port error can carry any adapter's error without naming its type.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// An error and its causes as one line (`a: b: c`): how a store failure reads in a reason
/// text or a `detail`, with the path and the OS error that caused it.
#[must_use]
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

/// The store could not do what was asked. Handlers answer "store unavailable" (retryable).
#[derive(Debug, Error)]
pub enum StoreError {
    /// It could not be read (I/O, permissions, not a regular file, a lock not granted in
    /// time).
    #[error("cannot read the PAT store")]
    Read(#[source] BoxError),
    /// It was read but is not a store (bad JSON, not an array of entries), or the entry for
    /// the uid asked about cannot be used.
    #[error("the PAT store is corrupt")]
    Corrupt(#[source] BoxError),
    /// It could not be written (including a lock not granted in time).
    #[error("cannot write the PAT store")]
    Write(#[source] BoxError),
}

#[async_trait]
impl<T: GithubApi + ?Sized> GithubApi for Arc<T> {
    async fn send(&self, endpoint: Endpoint, token: &Token, timeout: Duration) -> CallResult {
        (**self).send(endpoint, token, timeout).await
    }
}

#[async_trait]
impl<T: Clock + ?Sized> Clock for Arc<T> {
    fn monotonic(&self) -> Duration {
        (**self).monotonic()
    }
    fn wall(&self) -> UnixTime {
        (**self).wall()
    }
    async fn sleep(&self, duration: Duration) {
        (**self).sleep(duration).await;
    }
}

#[async_trait]
impl<T: PatStore + ?Sized> PatStore for Arc<T> {
    async fn get(&self, uid: Uid) -> Result<Option<StoredPat>, StoreError> {
        (**self).get(uid).await
    }
    async fn all(&self) -> Result<Vec<StoredPat>, StoreError> {
        (**self).all().await
    }
    async fn listing(&self) -> Result<Listing, StoreError> {
        (**self).listing().await
    }
    async fn upsert(&self, entry: StoredPat) -> Result<(), StoreError> {
        (**self).upsert(entry).await
    }
    async fn save_pinned(&self, entry: StoredPat) -> Result<SaveOutcome, StoreError> {
        (**self).save_pinned(entry).await
    }
}

impl<T: Registry + ?Sized> Registry for Arc<T> {
    fn uid_of(&self, hotkey: &Hotkey) -> Option<Uid> {
        (**self).uid_of(hotkey)
    }
}
