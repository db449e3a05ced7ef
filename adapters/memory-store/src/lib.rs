//! An in-memory [`PatStore`]: the store port over a map behind a mutex.
//!
//! For tests, demos and hosts that keep PATs somewhere of their own and only want the
//! handlers. Safe to share across tasks (`Arc<MemoryStore>`): every operation takes the lock
//! once and never holds it across an `.await`, so [`PatStore::save_pinned`] is one atomic
//! pin-check-and-write. It never fails; to test failures wrap it in
//! `pat_verdict::testing::FaultyStore`.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use pat_verdict::store::plan_save;
use pat_verdict::store::{SaveOutcome, StoredPat};
use pat_verdict::{PatStore, StoreError, Uid};

/// PATs in memory, by uid.
#[derive(Debug, Default)]
pub struct MemoryStore {
    entries: Mutex<BTreeMap<Uid, StoredPat>>,
}

impl MemoryStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A store holding `entries` (a later entry for the same uid wins).
    #[must_use]
    pub fn with_entries(entries: impl IntoIterator<Item = StoredPat>) -> Self {
        Self {
            entries: Mutex::new(
                entries
                    .into_iter()
                    .map(|entry| (entry.uid, entry))
                    .collect(),
            ),
        }
    }

    fn entries(&self) -> MutexGuard<'_, BTreeMap<Uid, StoredPat>> {
        // A panic elsewhere while holding the lock leaves the map whole (every write is a
        // single insert), so the data is still good.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl PatStore for MemoryStore {
    async fn get(&self, uid: Uid) -> Result<Option<StoredPat>, StoreError> {
        Ok(self.entries().get(&uid).cloned())
    }

    async fn all(&self) -> Result<Vec<StoredPat>, StoreError> {
        Ok(self.entries().values().cloned().collect())
    }

    async fn save_pinned(&self, entry: StoredPat) -> Result<SaveOutcome, StoreError> {
        let mut entries = self.entries();
        match plan_save(entries.get(&entry.uid), entry) {
            Some(entry) => {
                entries.insert(entry.uid, entry);
                Ok(SaveOutcome::Saved)
            }
            None => Ok(SaveOutcome::IdentityLocked),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn honours_the_store_contract() {
        pat_verdict::testing::store_contract::run(MemoryStore::new).await;
    }
}
