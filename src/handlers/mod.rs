//! The validator's endpoints, as thin drivers over the ports: gather (ports), decide (pure
//! functions in this module's children), apply (ports).
//!
//! One verification, drawn once:
//!
//! ```text
//!  raw PAT ──► Token::parse ──✗──► Invalid (stage: token), no request
//!                 │ ok
//!                 ▼
//!          GET /user ──Inconclusive──► retry (≤3 attempts, backoff, deadline) ──► Inconclusive
//!                 │ Invalid ─────────────────────────────────────────────────────► Invalid
//!                 │ Valid(github_id)
//!                 ▼
//!          [broadcast only] identity pin against the stored entry ──locked──► rejected
//!                 │
//!                 ▼
//!          POST /graphql ──Inconclusive──► retry (same deadline) ──────────────► Inconclusive
//!                 │ Invalid ─────────────────────────────────────────────────────► Invalid
//!                 │ Valid
//!                 ▼
//!          [broadcast only] pin check + save, one atomic store step ──► accepted
//! ```
//!
//! Every step of it is the pure [`Verification`](crate::verification::Verification) machine (whose module
//! draws it in detail); [`Verifier`] is the one async driver that runs it over the ports, and
//! the handlers only pin (at the identity) and save.
//!
//! ## Walking it: the outage that must not read as a bad PAT (docs/contract.md §1)
//!
//! A stored PAT whose test query meets a GitHub outage (503) is not reported invalid:
//!
//! ```
//! use std::sync::Arc;
//! use pat_verdict::testing::{ManualClock, Reply, ScriptedGithub, entry};
//! use pat_verdict::{
//!     CauseKind, CheckCategory, CheckOutcome, CheckResponse, Endpoint, Hotkey, HotkeyList,
//!     RetryPolicy, Unavailable, Validator, Verifier,
//! };
//! use pat_verdict_memory_store::MemoryStore;
//!
//! let clock = Arc::new(ManualClock::default());
//! let github = ScriptedGithub::new(Some(clock.clone()));
//! github
//!     .on("ghp_stored", Endpoint::Identity, [Reply::user(1001, "miner1")])
//!     .on("ghp_stored", Endpoint::TestQuery, [Reply::status(503)]);
//! let store = MemoryStore::with_entries([entry(1, "hotkey_1", "ghp_stored", "1001")]);
//! let registry = HotkeyList::new(vec![Hotkey::new("hotkey_0"), Hotkey::new("hotkey_1")]);
//! let validator = Validator::new(Verifier::new(github, clock, RetryPolicy::default()), store, registry);
//!
//! let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
//! let answer = runtime.block_on(validator.check(&Hotkey::new("hotkey_1")));
//! // Not "invalid": GitHub was down.
//! assert_eq!(answer, CheckOutcome::Inconclusive(Unavailable::Github(CauseKind::GithubDown)));
//! let wire = CheckResponse::from(answer);
//! assert_eq!((wire.has_pat, wire.pat_valid), (Some(true), None));
//! assert_eq!(wire.category, CheckCategory::Inconclusive);
//! ```

mod audit;
mod broadcast;
mod check;
mod verify;

pub use audit::{AuditRow, AuditSummary, audit, audit_with, in_uid_order};
pub use broadcast::{BroadcastOutcome, BroadcastResponse};
pub use check::{CheckCategory, CheckOutcome, CheckResponse, Unavailable};
pub use verify::Verifier;

use crate::ports::{Clock, GithubApi, PatStore, Registry};

/// The validator's two endpoints over its ports: a [`Verifier`] (GitHub + clock + policy), a
/// store and a registry. Share it across tasks behind an `Arc`; every method takes `&self`.
pub struct Validator<G, S, R, C> {
    verifier: Verifier<G, C>,
    store: S,
    registry: R,
}

impl<G, S, R, C> Validator<G, S, R, C>
where
    G: GithubApi,
    S: PatStore,
    R: Registry,
    C: Clock,
{
    /// Wires the endpoints to their ports.
    pub fn new(verifier: Verifier<G, C>, store: S, registry: R) -> Self {
        Self {
            verifier,
            store,
            registry,
        }
    }

    /// The verifier, for `verify` and `audit`.
    pub fn verifier(&self) -> &Verifier<G, C> {
        &self.verifier
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }
}
