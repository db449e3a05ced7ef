//! Helpers shared by the JSON store's test files.

use std::path::PathBuf;

use pat_verdict::{StoreError, error_chain};
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
