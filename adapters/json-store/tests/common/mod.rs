//! Helpers shared by the JSON store's test files.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use pat_verdict::store::{SaveOutcome, StoredPat};
use pat_verdict::testing::entry;
use pat_verdict::{PatStore, StoreError, Uid, error_chain};
use pat_verdict_json_store::JsonStore;
use serde_json::Value;

/// A PAT that must never appear in an error or a `Debug` text.
pub const SECRET: &str = "ghp_SECRETxSECRETxSECRETxSECRETxSECRETx";

/// A store at `miner_pats.json` in `dir`, and its path.
pub fn store_in(dir: &tempfile::TempDir) -> (JsonStore, PathBuf) {
    let path = dir.path().join("miner_pats.json");
    (JsonStore::new(&path), path)
}

/// A scratch folder and [`store_in`] it, the file holding `contents` as written: most tests
/// start from a file someone else wrote (by hand, by gittensor's Python, or corrupt). Keep the
/// folder bound (`_dir`, not `_`) for as long as the store is used.
#[expect(
    clippy::unwrap_used,
    reason = "a helper of the tests: a scratch file that cannot be written should fail them loudly"
)]
pub fn store_holding(contents: impl AsRef<[u8]>) -> (tempfile::TempDir, JsonStore, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let (store, path) = store_in(&dir);
    std::fs::write(&path, contents).unwrap();
    (dir, store, path)
}

/// The file at `path` as JSON: what the tests read back after a write.
#[expect(
    clippy::unwrap_used,
    reason = "a helper of the tests: a file that is not JSON after a write should fail them loudly"
)]
pub fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The uids of `entries`, in their order: what the tests of `all` and of concurrent writers
/// compare.
pub fn uids(entries: &[StoredPat]) -> Vec<u32> {
    entries.iter().map(|e| e.uid.0).collect()
}

/// A broadcast's save of `saved`, which the pin must allow (a new uid, or the same hotkey and
/// account): the step that rewrites the file in most tests.
pub async fn save(store: &JsonStore, saved: StoredPat) {
    assert_saves(store, saved, SaveOutcome::Saved).await;
}

/// Asserts `save_pinned(pinned)` succeeds with `outcome` (the uid in the message): every
/// write of these tests is a broadcast's save, as every write in production is, so each one
/// is checked, not only unwrapped.
#[expect(
    clippy::unwrap_used,
    reason = "a helper of the tests: a save that fails should fail the test loudly"
)]
pub async fn assert_saves(store: &JsonStore, pinned: StoredPat, outcome: SaveOutcome) {
    let uid = pinned.uid;
    assert_eq!(
        store.save_pinned(pinned).await.unwrap(),
        outcome,
        "uid {uid:?}"
    );
}

/// What `python3 -c script arg` prints, asserting it ran and succeeded (its stderr in the
/// message): the tests that hold the file to gittensor's own Python all ask it this way.
#[expect(
    clippy::expect_used,
    reason = "a helper of the tests: python3 missing should fail them loudly"
)]
pub fn python3(script: &str, arg: impl AsRef<OsStr>) -> Vec<u8> {
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(arg)
        .output()
        .expect("python3 runs (it is on every machine this project targets)");
    assert!(
        output.status.success(),
        "python3 failed on the file: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// The error's `Debug` and every message in its chain, as one text.
pub fn full_text(error: &StoreError) -> String {
    format!("{error:?}\n{}", error_chain(error))
}

/// The errors of `get(uid)`, `all()` and `save_pinned(pinned)` on a store whose file cannot
/// be used, in that order: the fail-closed tests ask every operation the same way. Panics if
/// one of them succeeds.
#[expect(
    clippy::unwrap_used,
    reason = "a helper of the tests: an operation that succeeds should fail the test loudly"
)]
pub async fn errors_everywhere(store: &JsonStore, uid: Uid, pinned: StoredPat) -> Vec<StoreError> {
    vec![
        store.get(uid).await.unwrap_err(),
        store.all().await.unwrap_err(),
        store.save_pinned(pinned).await.unwrap_err(),
    ]
}

/// [`errors_everywhere`] for uid 1 and a save of uid 2, then `listing()`'s error: a store
/// that cannot be used at all (not a file, a lock not granted, too large) fails every
/// operation, the audit's listing included.
#[expect(
    clippy::unwrap_used,
    reason = "a helper of the tests: an operation that succeeds should fail the test loudly"
)]
pub async fn every_error(store: &JsonStore) -> Vec<StoreError> {
    let mut errors = errors_everywhere(store, Uid(1), entry(2, "hk2", "ghp_b", "20")).await;
    errors.push(store.listing().await.unwrap_err());
    errors
}
