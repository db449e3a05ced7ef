//! The [`PatStore`] over `miner_pats.json`, the file validators already keep (SPEC §7).
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
//! - Written pretty-printed (two-space indent, a final newline), sorted by uid, the five known
//!   keys first and any others after them. The PAT is in clear: the file is mode 0600.
//! - Read leniently where old files differ: `github_id` as a number reads as its decimal
//!   string; `stored_at` may be missing; keys this version does not know are kept and written
//!   back. A uid listed twice (a hand-edited file) reads as its **last** entry, and the next
//!   write keeps only that one.
//! - Read strictly everywhere else, failing closed: a file that cannot be read is
//!   [`StoreError::Read`]; one that is not an array of entry objects (`{`, `{}`, `null`,
//!   `[1]`, non-UTF-8, an entry without `uid`, …) is [`StoreError::Corrupt`], and nothing is
//!   ever written over it. A missing file, or a missing folder, is an empty store.
//! - Errors carry a [`JsonStoreError`] naming the path and the cause, and never quote the file
//!   (it holds PATs): a corrupt file is described by position, entry index, key and the kind
//!   of value, never by the value.
//!
//! # Writes and locking
//!
//! Every write ([`upsert`](PatStore::upsert), [`save_pinned`](PatStore::save_pinned)) is one
//! read-modify-write under an exclusive advisory lock on the sibling file
//! `miner_pats.json.lock` (the data file itself is replaced, so it cannot carry the lock);
//! reads take a shared lock. `save_pinned` makes its pin decision with
//! [`plan_save`] against the entry read under that lock, so two
//! racing broadcasts — threads or processes — cannot both pass the pin, and no update is lost.
//! The new contents go to `.miner_pats.json.tmp.<pid>.<n>` (created mode 0600), are synced,
//! renamed over the store, and the folder is synced: a crash leaves the old or the new store,
//! whole. Temp files of a writer that died are removed by the next writer. A missing folder
//! (`data/`) is created, mode 0700.
//!
//! The file work is blocking and runs on tokio's blocking pool
//! ([`spawn_blocking`](tokio::task::spawn_blocking)), so the store must be used inside a tokio
//! runtime and never blocks it. Dropping a write's future does not cancel the write: it
//! completes (or not) atomically either way.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use pat_verdict::BoxError;
use pat_verdict::plan_save;
use pat_verdict::{PatStore, SaveOutcome, StoreError, StoredPat, Uid};
use thiserror::Error;

mod file;
mod format;

pub use format::Problem;

/// The environment variable naming the store file, as the gittensor validator reads it.
pub const ENV_VAR: &str = "GITTENSOR_MINER_PATS_FILE";

/// The store file when neither `--store` nor [`ENV_VAR`] names one.
pub const DEFAULT_PATH: &str = "data/miner_pats.json";

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
    /// The file was read but is not a store.
    #[error("{} holds {problem}", path.display())]
    Corrupt {
        /// The store file.
        path: PathBuf,
        /// What is wrong with it.
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

/// PATs in a `miner_pats.json` file. Cheap to clone; holds only the path, so any number of
/// clones, threads and processes may use one file at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonStore {
    path: PathBuf,
}

impl JsonStore {
    /// A store in the file at `path` (see [`resolve_path`]). Does no I/O: the file and its
    /// folder are created by the first write.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The store file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `work` on the blocking pool; a task that did not finish becomes a `wrap` error.
    async fn blocking<R: Send + 'static>(
        &self,
        wrap: fn(BoxError) -> StoreError,
        work: impl FnOnce(&Path) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, StoreError> {
        let path = self.path.clone();
        let task = tokio::task::spawn_blocking(move || work(&path));
        task.await.unwrap_or_else(|source| {
            Err(wrap(Box::new(JsonStoreError::Task {
                path: self.path.clone(),
                source,
            })))
        })
    }
}

#[async_trait]
impl PatStore for JsonStore {
    async fn get(&self, uid: Uid) -> Result<Option<StoredPat>, StoreError> {
        self.blocking(StoreError::Read, move |path| {
            Ok(file::read(path)?.remove(&uid))
        })
        .await
    }

    async fn all(&self) -> Result<Vec<StoredPat>, StoreError> {
        self.blocking(StoreError::Read, |path| {
            Ok(file::read(path)?.into_values().collect())
        })
        .await
    }

    async fn upsert(&self, entry: StoredPat) -> Result<(), StoreError> {
        self.blocking(StoreError::Write, move |path| {
            file::update(path, |entries| {
                entries.insert(entry.uid, entry);
                ((), true)
            })
        })
        .await
    }

    async fn save_pinned(&self, entry: StoredPat) -> Result<SaveOutcome, StoreError> {
        self.blocking(StoreError::Write, move |path| {
            file::update(path, |entries| {
                match plan_save(entries.get(&entry.uid), entry) {
                    Some(entry) => {
                        entries.insert(entry.uid, entry);
                        (SaveOutcome::Saved, true)
                    }
                    None => (SaveOutcome::IdentityLocked, false),
                }
            })
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
