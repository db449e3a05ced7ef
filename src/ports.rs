//! The ports: the four things the handlers need from the world, as traits. Adapters implement
//! them (ureq for GitHub, a JSON file or memory for the store, a real or manual clock); the
//! core never names an adapter.
//!
//! Port errors are core types: an adapter turns its own failure (`ureq::Error`,
//! `std::io::Error`) into a [`TransportError`](crate::http::TransportError) or a
//! [`StoreError`] at the edge, keeping the cause.

use std::path::{Path, PathBuf};
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
/// answers [`StoreError::Read`] or [`StoreError::Write`] of kind
/// [`StoreFailureKind::LockHeld`] ("unavailable", retryable).
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
    /// The broadcast's final step as one atomic operation under the store's lock: decide with
    /// [`plan_save`](crate::store::plan_save) against the entry stored now, and write only if
    /// it allows. Two racing broadcasts for one hotkey cannot both pass the pin.
    ///
    /// The store's only write: whatever fills a store (a broadcast, a demo, a test) writes
    /// through the pin, and concurrent writers — threads or processes — lose no update.
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
///
/// The variant says what was being done (its words open the error's text); the
/// [`StoreFailure`] inside says what went wrong as values — its [kind](Self::kind), the
/// [path](Self::path) and the OS error number ([`errno`](Self::errno)) — so a reader that
/// must act on the why (the CLI's exit 66 and "fix or restore it", Python's
/// `StoreUnavailableError.errno` and `.filename`) decides from values, never from the text
/// (docs/contract.md §13). The text, with its causes ([`error_chain`]), is for people.
#[derive(Debug, Error)]
pub enum StoreError {
    /// It could not be read (I/O, permissions, not a regular file, a lock not granted in
    /// time).
    #[error("cannot read the PAT store")]
    Read(#[source] StoreFailure),
    /// It was read but is not a store (bad JSON, not an array of entries), or the entry for
    /// the uid asked about cannot be used.
    #[error("the PAT store is corrupt")]
    Corrupt(#[source] StoreFailure),
    /// It could not be written (including a lock not granted in time).
    #[error("cannot write the PAT store")]
    Write(#[source] StoreFailure),
}

impl StoreError {
    /// What went wrong, as values.
    #[must_use]
    pub const fn failure(&self) -> &StoreFailure {
        match self {
            Self::Read(failure) | Self::Corrupt(failure) | Self::Write(failure) => failure,
        }
    }

    /// What kind of failure, for a reader that acts on it: the CLI's exit status and advice,
    /// Python's exception. A [`Corrupt`](Self::Corrupt) store is always
    /// [`StoreFailureKind::Corrupt`], whatever its failure says.
    #[must_use]
    pub const fn kind(&self) -> StoreFailureKind {
        match self {
            Self::Corrupt(_) => StoreFailureKind::Corrupt,
            Self::Read(failure) | Self::Write(failure) => failure.kind(),
        }
    }

    /// The file (or folder, or lock file) the failure is about, when the store has one: what
    /// Python's `OSError.filename` holds.
    #[must_use]
    pub fn path(&self) -> Option<&Path> {
        self.failure().path()
    }

    /// The operating system's error number, when the failure was the operating system's (or
    /// is the one it would give, as `EISDIR` for a directory): what Python's `OSError.errno`
    /// holds.
    #[must_use]
    pub const fn errno(&self) -> Option<i32> {
        self.failure().errno()
    }
}

/// What went wrong in a store, as values, and the adapter's own error as its cause.
///
/// Its text is the cause's text and its [`source`](std::error::Error::source) the cause's
/// source, so wrapping an error in one changes no message: [`error_chain`] of a
/// [`StoreError`] reads as it did when the variants held the cause directly.
#[derive(Debug)]
pub struct StoreFailure {
    kind: StoreFailureKind,
    path: Option<PathBuf>,
    errno: Option<i32>,
    cause: BoxError,
}

impl StoreFailure {
    /// A failure of `kind` caused by `cause`, with the OS error number found in `cause`'s
    /// chain (the first [`std::io::Error`] that has one), if any.
    pub fn new(kind: StoreFailureKind, cause: impl Into<BoxError>) -> Self {
        let cause = cause.into();
        let errno = os_error_number(&*cause);
        Self {
            kind,
            path: None,
            errno,
            cause,
        }
    }

    /// The same, about the file (or folder, or lock file) at `path`.
    #[must_use]
    pub fn at(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// The same, with the OS error number `errno` (for a failure the store found without an
    /// OS call failing, stated as the OS would: `EISDIR` for a directory).
    #[must_use]
    pub const fn with_errno(mut self, errno: i32) -> Self {
        self.errno = Some(errno);
        self
    }

    /// What kind of failure.
    #[must_use]
    pub const fn kind(&self) -> StoreFailureKind {
        self.kind
    }

    /// The file the failure is about, if the store said.
    #[must_use]
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The OS error number, if any.
    #[must_use]
    pub const fn errno(&self) -> Option<i32> {
        self.errno
    }
}

impl std::fmt::Display for StoreFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.cause.fmt(f)
    }
}

impl std::error::Error for StoreFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause.source()
    }
}

/// The first OS error number in `error`'s chain, `error` included.
fn os_error_number(error: &(dyn std::error::Error + 'static)) -> Option<i32> {
    let mut next = Some(error);
    while let Some(error) = next {
        if let Some(code) = error
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::raw_os_error)
        {
            return Some(code);
        }
        next = error.source();
    }
    None
}

/// The kinds of store failure a reader acts on differently (docs/contract.md §7, §13).
/// Exhaustive on purpose: a new kind must make every reader decide what it means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StoreFailureKind {
    /// The store file does not exist. A store reads a missing file as an empty store; this
    /// kind is for the callers to whom a missing file is an answer of its own (an audit: exit
    /// 66, Python's `FileNotFoundError`).
    Missing,
    /// The store path is not a regular file (a directory, a FIFO, a device).
    NotAFile,
    /// Another process held the store's lock for longer than the store may wait.
    LockHeld,
    /// The operating system refused access (`EACCES`, `EPERM`).
    Permission,
    /// The file was read but is not a store, or the entry asked about cannot be used:
    /// retrying does not help, a person must fix or restore it.
    Corrupt,
    /// The file is larger than a store can be.
    TooLarge,
    /// Another failure of the operating system's (reading, writing, locking, syncing).
    Io,
    /// Anything else (the store's own work failed).
    Other,
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
    async fn save_pinned(&self, entry: StoredPat) -> Result<SaveOutcome, StoreError> {
        (**self).save_pinned(entry).await
    }
}

impl<T: Registry + ?Sized> Registry for Arc<T> {
    fn uid_of(&self, hotkey: &Hotkey) -> Option<Uid> {
        (**self).uid_of(hotkey)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An adapter's error with a cause of its own, as a store's are.
    #[derive(Debug, Error)]
    #[error("cannot open /srv/miner_pats.json")]
    struct Opening(#[source] std::io::Error);

    #[test]
    fn a_failure_changes_no_words_and_finds_the_os_error_number() {
        let os = std::io::Error::from_raw_os_error(13);
        let os_text = os.to_string();
        let error = StoreError::Read(
            StoreFailure::new(StoreFailureKind::Permission, Opening(os)).at("/srv/miner_pats.json"),
        );
        assert_eq!(
            error_chain(&error),
            format!("cannot read the PAT store: cannot open /srv/miner_pats.json: {os_text}")
        );
        assert_eq!(error.kind(), StoreFailureKind::Permission);
        assert_eq!(error.errno(), Some(13));
        assert_eq!(error.path(), Some(Path::new("/srv/miner_pats.json")));

        let plain = StoreError::Corrupt(StoreFailure::new(StoreFailureKind::Other, "bad"));
        assert_eq!(error_chain(&plain), "the PAT store is corrupt: bad");
        assert_eq!(plain.kind(), StoreFailureKind::Corrupt);
        assert_eq!((plain.errno(), plain.path()), (None, None));
        let stated = StoreFailure::new(StoreFailureKind::NotAFile, "a directory").with_errno(21);
        assert_eq!(stated.errno(), Some(21));
    }
}
