//! The [`PatStore`] over `miner_pats.json`, the file validators already keep (docs/contract.md §7).
//!
//! # The file
//!
//! A JSON array of entries, one per uid:
//!
//! ```json
//! [
//!   {
//!     "uid": 3,
//!     "hotkey": "5F…",
//!     "pat": "github_pat_…",
//!     "github_id": "42",
//!     "stored_at": "2026-01-01T00:00:00Z"
//!   }
//! ]
//! ```
//!
//! - Written pretty-printed (two-space indent, as gittensor's `json.dump(entries, indent=2)`,
//!   and a final newline), sorted by uid. The entry a write creates or changes has the five
//!   known keys first and any others after them; every other entry keeps its keys in the order
//!   they were read and each value's exact text, nested objects included (only its own keys
//!   are re-indented), so entries of a file gittensor wrote come out byte for byte.
//!   The PAT is in clear: the file is mode 0600. Python's `json.load` reads it back as written.
//! - Nothing is lost on a rewrite: keys this version does not know keep their exact JSON text
//!   (`12345678901234567890123` keeps every digit); a `github_id` or `stored_at` that was
//!   absent stays absent, and an old numeric `github_id` (`42`, read as `"42"`) is written back
//!   as it was. A uid listed twice (a hand-edited file) reads as its **last** entry, and the
//!   next write keeps only that one.
//! - One bad entry does not take the store down (docs/contract.md §7). An entry without `github_id`, or
//!   with `""`, `"0"` or `null`, pins nothing (gittensor's placeholder). An entry that cannot
//!   be used at all — no integer `uid`, no string `hotkey` or `pat`, or a `github_id` that is
//!   neither a string nor an integer — is kept byte for byte on every rewrite; only its own
//!   uid's [`get`](PatStore::get) and [`save_pinned`](PatStore::save_pinned) answer
//!   [`StoreError::Corrupt`] (with the reason), [`listing`](PatStore::listing) reports it, and
//!   every other miner is served. No save replaces it (the pin cannot be decided against it):
//!   a person fixes or removes it in the file.
//! - Only a file that is not a JSON array of objects (`{`, `{}`, `null`, `[1]`, non-UTF-8) is
//!   [`StoreError::Corrupt`] as a whole, and nothing is ever written over it.
//! - Only a store file that does not exist (or whose folder does not) is an empty store. Every
//!   other failure to look is an error, never "empty": a file that cannot be read, a store path
//!   that is not a regular file (a directory, a FIFO, a device: refused at once, without
//!   opening it), a lock file that cannot be opened.
//! - Errors carry a [`JsonStoreError`] naming the path and the cause, and never quote the file
//!   (it holds PATs): a bad file or entry is described by position, entry index, key and the
//!   kind of value, never by the value.
//!
//! # Writes and locking
//!
//! Every write ([`save_pinned`](PatStore::save_pinned), the only one) is one
//! read-modify-write under an exclusive advisory lock on the sibling file
//! `miner_pats.json.lock` (the data file itself is replaced, so it cannot carry the lock);
//! reads take a shared lock. A lock held by someone else is waited for at most the store's
//! [lock wait](JsonStore::with_lock_wait) (the CLI passes the verdict's deadline), then the
//! operation fails with [`JsonStoreError::LockTimeout`] inside [`StoreError::Read`] or
//! [`StoreError::Write`]: "store unavailable, retry" rather than a hang. `save_pinned` makes its
//! pin decision with [`plan_save`] against the entry read under that lock, so two racing
//! broadcasts — threads or processes — cannot both pass the pin, and no update is lost.
//! The new contents go to `.miner_pats.json.tmp.<pid>.<n>` (created mode 0600), are synced,
//! renamed over the store, and the folder is synced: a crash leaves the old or the new store,
//! whole. Temp files of a writer that died are removed by the next writer. A missing folder
//! (`data/`) is created, mode 0700.
//!
//! # Symbolic links
//!
//! A store path that is a symbolic link is written through: the link stays, and the file it
//! names is replaced atomically in that file's own folder, where its lock file and temp files
//! live too (a link to a file not written yet is created by the first save). A symbolic link in
//! the lock file's place is never followed — that would create or lock a file elsewhere — and
//! makes the store unavailable.
//!
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use pat_verdict::store::{Listing, SaveOutcome, StoredPat, plan_save};
use pat_verdict::{PatStore, StoreError, StoreFailure, StoreFailureKind, Uid};
use thiserror::Error;

mod file;
mod format;

pub use format::Problem;

/// The environment variable naming the store file, as the gittensor validator reads it.
pub const ENV_VAR: &str = "GITTENSOR_MINER_PATS_FILE";

/// The store file when neither `--store` nor [`ENV_VAR`] names one.
pub const DEFAULT_PATH: &str = "data/miner_pats.json";

/// The largest store file read: 64 MiB. gittensor's store for 256 miners is about 60 KB, so
/// a larger file is not a store anyone wrote; reading it whole on every check (three
/// concurrent checks of a 2 GB file held 6 GB) would let a broken or hostile file take the
/// validator down. It is unavailable, with a reason, and read no further.
pub const MAX_STORE_BYTES: u64 = 64 * 1024 * 1024;

/// How long an operation waits for a lock someone else holds, unless
/// [`with_lock_wait`](JsonStore::with_lock_wait) says otherwise: the verdict's default
/// deadline (docs/contract.md §4), so a store never answers later than a verdict would.
pub const DEFAULT_LOCK_WAIT: Duration = pat_verdict::DEFAULT_DEADLINE;

/// The store's path: `flag` (`--store`), else `env_value` (the value of [`ENV_VAR`]) when set
/// and non-empty, else [`DEFAULT_PATH`]. Pure: the caller reads the environment.
#[must_use]
pub fn resolve_path(flag: Option<PathBuf>, env_value: Option<OsString>) -> PathBuf {
    flag.or_else(|| env_value.filter(|v| !v.is_empty()).map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(DEFAULT_PATH))
}

/// Why the store file could not be used: the source inside every [`StoreError`] of this
/// crate. Never holds any of the file's contents.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum JsonStoreError {
    /// A file operation failed.
    #[error("{doing} {}", path.display())]
    Io {
        /// What was being done, as words (`cannot read`).
        doing: &'static str,
        /// The file or folder it was done to.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The store file does not exist: an empty store to every operation, and an answer of its
    /// own to a caller that asks with [`JsonStore::require_file`] (an audit).
    #[error("{} does not exist", path.display())]
    Missing {
        /// The store file (after following symbolic links).
        path: PathBuf,
        /// The operating system's "not found".
        #[source]
        source: std::io::Error,
    },
    /// The file was read but is not a store.
    #[error("{} holds {problem}", path.display())]
    Corrupt {
        /// The store file.
        path: PathBuf,
        /// What is wrong with it.
        problem: Problem,
    },
    /// The store path is not a regular file (a directory, a FIFO, a device): unavailable at
    /// once, without opening it (a FIFO would block the open).
    #[error("{} is {found}, not a regular file", path.display())]
    NotAFile {
        /// The store file (after following symbolic links).
        path: PathBuf,
        /// What it is instead.
        found: &'static str,
    },
    /// The store file is larger than [`MAX_STORE_BYTES`]: read no further (a 2 GB file, sparse
    /// or not, must not cost 2 GB a read).
    #[error(
        "{} is {size} bytes, more than a PAT store can be (at most {} bytes)",
        path.display(),
        MAX_STORE_BYTES
    )]
    TooLarge {
        /// The store file.
        path: PathBuf,
        /// Its size, or at least how much was found before reading stopped.
        size: u64,
    },
    /// Another process held the lock for longer than the store may wait.
    #[error(
        "{} is held by another process; gave up after {:.3} s",
        path.display(),
        waited.as_secs_f64()
    )]
    LockTimeout {
        /// The lock file.
        path: PathBuf,
        /// How long the store waited.
        waited: Duration,
    },
    /// The entry held for the uid asked about cannot be used; other uids are served.
    #[error("{}: the entry for uid {uid} cannot be used: {problem}", path.display())]
    UnusableEntry {
        /// The store file.
        path: PathBuf,
        /// The uid.
        uid: Uid,
        /// What is wrong with the entry.
        problem: Problem,
    },
    /// The entries could not be turned into JSON (not expected to happen).
    #[error("cannot encode the entries for {}", path.display())]
    Encode {
        /// The store file.
        path: PathBuf,
    },
    /// The blocking task doing the file work panicked or was cancelled.
    #[error("the file task for {} did not finish", path.display())]
    Task {
        /// The store file.
        path: PathBuf,
        /// Tokio's report.
        #[source]
        source: tokio::task::JoinError,
    },
}

impl JsonStoreError {
    /// The kind a reader acts on (docs/contract.md §13): decided here, where the failure is
    /// known, so no reader has to read the text.
    #[must_use]
    pub fn kind(&self) -> StoreFailureKind {
        match self {
            Self::Io { source, .. } if source.kind() == std::io::ErrorKind::PermissionDenied => {
                StoreFailureKind::Permission
            }
            Self::Io { .. } => StoreFailureKind::Io,
            Self::Missing { .. } => StoreFailureKind::Missing,
            Self::Corrupt { .. } | Self::UnusableEntry { .. } => StoreFailureKind::Corrupt,
            Self::NotAFile { .. } => StoreFailureKind::NotAFile,
            Self::TooLarge { .. } => StoreFailureKind::TooLarge,
            Self::LockTimeout { .. } => StoreFailureKind::LockHeld,
            Self::Encode { .. } | Self::Task { .. } => StoreFailureKind::Other,
        }
    }

    /// The file (or folder, or lock file) it is about.
    #[must_use]
    pub fn path(&self) -> &Path {
        match self {
            Self::Io { path, .. }
            | Self::Missing { path, .. }
            | Self::Corrupt { path, .. }
            | Self::NotAFile { path, .. }
            | Self::TooLarge { path, .. }
            | Self::LockTimeout { path, .. }
            | Self::UnusableEntry { path, .. }
            | Self::Encode { path }
            | Self::Task { path, .. } => path,
        }
    }
}

/// The core's failure, with this error's kind, path and OS error number as values and this
/// error as its cause (its text unchanged).
impl From<JsonStoreError> for StoreFailure {
    fn from(error: JsonStoreError) -> Self {
        let kind = error.kind();
        let path = error.path().to_owned();
        Self::new(kind, error).at(path)
    }
}

/// PATs in a `miner_pats.json` file. Cheap to clone; holds only the path and the lock wait,
/// so any number of clones, threads and processes may use one file at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonStore {
    path: PathBuf,
    lock_wait: Duration,
}

impl JsonStore {
    /// A store in the file at `path` (see [`resolve_path`]), waiting at most
    /// [`DEFAULT_LOCK_WAIT`] for a lock. Does no I/O: the file and its folder are created by
    /// the first write.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            lock_wait: DEFAULT_LOCK_WAIT,
        }
    }

    /// The same store, waiting at most `wait` for a lock another process holds before the
    /// operation fails as unavailable (docs/contract.md §7: within the verdict's deadline).
    #[must_use]
    pub fn with_lock_wait(mut self, wait: Duration) -> Self {
        self.lock_wait = wait;
        self
    }

    /// How long an operation waits for a held lock.
    #[must_use]
    pub fn lock_wait(&self) -> Duration {
        self.lock_wait
    }

    /// The store file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `Ok` when the store file exists; a [`StoreError::Read`] of kind
    /// [`StoreFailureKind::Missing`] (with the path and the OS's error number) when it does
    /// not. Every operation reads a missing file as an empty store; this is for a caller to
    /// whom a missing store is an answer of its own — an audit of a file that is not there is
    /// a typo in a path, not an audit of nothing — decided as the operations decide it
    /// (symbolic links followed). A store that cannot even be looked at is `Ok` here: the
    /// operation that follows says why. One `stat`, on the calling thread.
    ///
    /// # Errors
    ///
    /// As above: only the missing store.
    pub fn require_file(&self) -> Result<(), StoreError> {
        file::exists(&self.path)
    }

    /// When the store file does not exist, the words that say so for a check that answered
    /// `no_pat` from it: `{path} does not exist yet: no PAT has been stored (a broadcast
    /// creates it)`. A typo in a store path reads exactly like a miner who never broadcast,
    /// so the CLI and Python both add these words, and say them the same way from here
    /// (docs/contract.md §8, §9). `None` when the file exists, or cannot even be looked at
    /// (then no read found it empty). Decided as [`require_file`](Self::require_file) decides.
    #[must_use]
    pub fn not_created_yet(&self) -> Option<String> {
        match self.require_file() {
            Err(error) if error.kind() == StoreFailureKind::Missing => Some(format!(
                "{} does not exist yet: no PAT has been stored (a broadcast creates it)",
                self.path.display()
            )),
            Ok(()) | Err(_) => None,
        }
    }

    /// Runs `work` on the blocking pool; a task that did not finish becomes a `wrap` error.
    async fn blocking<R: Send + 'static>(
        &self,
        wrap: fn(StoreFailure) -> StoreError,
        work: impl FnOnce(&Path, Duration) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, StoreError> {
        let path = self.path.clone();
        let wait = self.lock_wait;
        let task = tokio::task::spawn_blocking(move || work(&path, wait));
        task.await.unwrap_or_else(|source| {
            Err(wrap(
                JsonStoreError::Task {
                    path: self.path.clone(),
                    source,
                }
                .into(),
            ))
        })
    }
}

fn unusable_entry(path: &Path, uid: Uid, problem: Problem) -> StoreError {
    StoreError::Corrupt(
        JsonStoreError::UnusableEntry {
            path: path.to_owned(),
            uid,
            problem,
        }
        .into(),
    )
}

#[async_trait]
impl PatStore for JsonStore {
    async fn get(&self, uid: Uid) -> Result<Option<StoredPat>, StoreError> {
        self.blocking(StoreError::Read, move |path, wait| {
            let mut entries = file::read(path, wait)?;
            if let Some(kept) = entries.unusable_for(uid) {
                return Err(unusable_entry(path, uid, kept.problem.clone()));
            }
            Ok(entries.usable.remove(&uid))
        })
        .await
    }

    async fn all(&self) -> Result<Vec<StoredPat>, StoreError> {
        self.blocking(StoreError::Read, |path, wait| {
            Ok(file::read(path, wait)?.usable.into_values().collect())
        })
        .await
    }

    async fn listing(&self) -> Result<Listing, StoreError> {
        self.blocking(StoreError::Read, |path, wait| {
            let entries = file::read(path, wait)?;
            Ok(Listing {
                unusable: entries
                    .unusable
                    .iter()
                    .map(format::Unusable::describe)
                    .collect(),
                entries: entries.usable.into_values().collect(),
            })
        })
        .await
    }

    async fn save_pinned(&self, entry: StoredPat) -> Result<SaveOutcome, StoreError> {
        self.blocking(StoreError::Write, move |path, wait| {
            let uid = entry.uid;
            let planned = file::update(path, wait, |entries| {
                if let Some(kept) = entries.unusable_for(uid) {
                    // The pin cannot be decided against an entry we cannot read: fail closed.
                    return (Err(kept.problem.clone()), false);
                }
                match plan_save(entries.usable.get(&uid), entry) {
                    Some(entry) => {
                        entries.replace(entry);
                        (Ok(SaveOutcome::Saved), true)
                    }
                    None => (Ok(SaveOutcome::IdentityLocked), false),
                }
            })?;
            planned.map_err(|problem| unusable_entry(path, uid, problem))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_beats_the_environment_which_beats_the_default() {
        let flag = Some(PathBuf::from("/a/flag.json"));
        let env = Some(OsString::from("/b/env.json"));
        assert_eq!(
            resolve_path(flag.clone(), env.clone()),
            flag.clone().unwrap()
        );
        assert_eq!(resolve_path(None, env), PathBuf::from("/b/env.json"));
        assert_eq!(
            resolve_path(None, Some(OsString::new())),
            PathBuf::from(DEFAULT_PATH)
        );
        assert_eq!(resolve_path(None, None), PathBuf::from(DEFAULT_PATH));
        assert_eq!(
            resolve_path(flag, Some(OsString::new())),
            PathBuf::from("/a/flag.json")
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_refused_access_is_permission_with_its_errno_and_its_words_unchanged() {
        let error = JsonStoreError::Io {
            doing: "cannot open",
            path: PathBuf::from("/srv/miner_pats.json"),
            source: std::io::Error::from_raw_os_error(libc::EACCES),
        };
        let text = error.to_string();
        let failure = StoreFailure::from(error);
        assert_eq!(failure.kind(), StoreFailureKind::Permission);
        assert_eq!(failure.errno(), Some(libc::EACCES));
        assert_eq!(failure.path(), Some(Path::new("/srv/miner_pats.json")));
        let error = StoreError::Read(failure);
        assert_eq!(
            pat_verdict::error_chain(&error),
            format!(
                "cannot read the PAT store: {text}: {}",
                std::io::Error::from_raw_os_error(libc::EACCES)
            )
        );
        let other = JsonStoreError::Io {
            doing: "cannot sync",
            path: PathBuf::from("/srv"),
            source: std::io::Error::from_raw_os_error(libc::EIO),
        };
        assert_eq!(other.kind(), StoreFailureKind::Io);
    }

    #[test]
    fn new_does_no_io() {
        let store = JsonStore::new("/nonexistent/folder/miner_pats.json");
        assert_eq!(
            store.path(),
            Path::new("/nonexistent/folder/miner_pats.json")
        );
        assert!(!store.path().exists());
    }
}
