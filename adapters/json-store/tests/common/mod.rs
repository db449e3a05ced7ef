//! Helpers shared by the JSON store's test files.

use std::path::PathBuf;

use pat_verdict::{PatStore, StoreError, StoredPat, Uid, error_chain};
use pat_verdict_json_store::JsonStore;

/// A PAT that must never appear in an error or a `Debug` text.
pub const SECRET: &str = "ghp_SECRETxSECRETxSECRETxSECRETxSECRETx";

/// A store at `miner_pats.json` in `dir`, and its path.
pub fn store_in(dir: &tempfile::TempDir) -> (JsonStore, PathBuf) {
    let path = dir.path().join("miner_pats.json");
    (JsonStore::new(&path), path)
}

/// The error's `Debug` and every message in its chain, as one text.
pub fn full_text(error: &StoreError) -> String {
    format!("{error:?}\n{}", error_chain(error))
}

/// The errors of `get(uid)`, `all()`, `upsert(upserted)` and `save_pinned(pinned)` on a store
/// whose file cannot be used, in that order: the fail-closed tests ask every operation the
/// same way. Panics if one of them succeeds.
#[expect(
    clippy::unwrap_used,
    reason = "a helper of the tests: an operation that succeeds should fail the test loudly"
)]
pub async fn errors_everywhere(
    store: &JsonStore,
    uid: Uid,
    upserted: StoredPat,
    pinned: StoredPat,
) -> Vec<StoreError> {
    vec![
        store.get(uid).await.unwrap_err(),
        store.all().await.unwrap_err(),
        store.upsert(upserted).await.unwrap_err(),
        store.save_pinned(pinned).await.unwrap_err(),
    ]
}
