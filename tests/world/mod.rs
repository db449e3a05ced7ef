//! A validator wired to fakes: a scripted GitHub, a manual clock, a memory store that can be
//! made to fail, and a registry of three hotkeys (`hotkey_0`, `hotkey_1`, `hotkey_2`).

#![allow(
    dead_code,
    reason = "each test file uses a different part of the world"
)]
#![allow(
    clippy::expect_used,
    reason = "a fixture that cannot be set up should stop the test loudly"
)]

use std::sync::Arc;

use pat_verdict::TransportErrorKind;
use pat_verdict::testing::{FaultyStore, ManualClock, Reply, ScriptedGithub};
use pat_verdict::{
    BroadcastOutcome, CheckResponse, Endpoint, Hotkey, HotkeyList, RetryPolicy, SecretString,
    Validator, Verifier, VerifyReport,
};
use pat_verdict_memory_store::MemoryStore;

/// The validator's type in these tests.
pub type TestValidator =
    Validator<Arc<ScriptedGithub>, Arc<FaultyStore<MemoryStore>>, HotkeyList, Arc<ManualClock>>;

/// Everything a handler test touches.
pub struct World {
    pub github: Arc<ScriptedGithub>,
    pub clock: Arc<ManualClock>,
    pub store: Arc<FaultyStore<MemoryStore>>,
    pub validator: TestValidator,
}

impl World {
    /// A validator over an empty store with the default policy (12 s deadline, 3 attempts).
    pub fn new() -> Self {
        Self::with_policy(RetryPolicy::default())
    }

    /// The same with another policy.
    pub fn with_policy(policy: RetryPolicy) -> Self {
        let clock = Arc::new(ManualClock::default());
        let github = Arc::new(ScriptedGithub::new(Some(clock.clone())));
        let store = Arc::new(FaultyStore::new(MemoryStore::new()));
        let registry = HotkeyList::new(
            ["hotkey_0", "hotkey_1", "hotkey_2"]
                .into_iter()
                .map(Hotkey::new)
                .collect(),
        );
        let verifier = Verifier::new(github.clone(), clock.clone(), policy);
        let validator = Validator::new(verifier, store.clone(), registry);
        Self {
            github,
            clock,
            store,
            validator,
        }
    }
}

impl World {
    /// A miner with `hotkey` broadcasts `pat`.
    pub async fn broadcast(&self, hotkey: &str, pat: &str) -> BroadcastOutcome {
        self.validator
            .broadcast(&Hotkey::new(hotkey), &SecretString::from(pat))
            .await
    }

    /// A miner with `hotkey` checks its stored PAT; the answer as it goes on the wire.
    pub async fn check(&self, hotkey: &str) -> CheckResponse {
        self.validator.check(&Hotkey::new(hotkey)).await.into()
    }

    /// A world (default policy) whose store already holds one entry: `hotkey`'s PAT `pat` for
    /// account `github_id` at uid 1, the start of most check and broadcast rows.
    pub async fn with_entry(hotkey: &str, pat: &str, github_id: &str) -> Self {
        let world = Self::new();
        world
            .seed(pat_verdict::testing::entry(1, hotkey, pat, github_id))
            .await;
        world
    }

    /// Scripts `token`'s answers on both endpoints, `/user` then the test query: the setup of
    /// every test about what follows an identity, in one call instead of the same
    /// two-endpoint script in each.
    pub fn script(
        &self,
        token: &str,
        identity: impl IntoIterator<Item = Reply>,
        test_query: impl IntoIterator<Item = Reply>,
    ) -> &Self {
        self.github.on(token, Endpoint::Identity, identity).on(
            token,
            Endpoint::TestQuery,
            test_query,
        );
        self
    }

    /// The verifier's report on `token`, as the validator's verifier gives it.
    pub async fn verify(&self, token: &str) -> VerifyReport {
        self.validator.verifier().verify(&pat(token)).await
    }

    /// Puts an entry in the store directly (not counted as a handler's write), as a broadcast
    /// saves it: the pin must allow it.
    pub async fn seed(&self, entry: pat_verdict::store::StoredPat) {
        use pat_verdict::PatStore;
        let saved = self.store.inner().save_pinned(entry).await;
        assert_eq!(
            saved.expect("seed the store"),
            pat_verdict::store::SaveOutcome::Saved
        );
    }
}

/// A hotkey.
pub fn hk(name: &str) -> Hotkey {
    Hotkey::new(name)
}

/// A PAT as a miner sends it.
pub fn pat(text: &str) -> SecretString {
    SecretString::from(text)
}

/// The GitHub outages of the seed's reproduction: 5xx answers and transport failures, none of
/// them evidence about the PAT.
pub fn seed_outages() -> [Reply; 7] {
    [
        Reply::status(503),
        Reply::status(500),
        Reply::status(502),
        Reply::status(504),
        Reply::fail(TransportErrorKind::Timeout),
        Reply::fail(TransportErrorKind::Connect),
        Reply::fail(TransportErrorKind::ConnectionReset),
    ]
}

/// A check answer's three fields, as the rows of the check table list them.
pub fn row(response: &CheckResponse) -> (Option<bool>, Option<bool>, Option<&str>) {
    (
        response.has_pat,
        response.pat_valid,
        response.rejection_reason.as_deref(),
    )
}
