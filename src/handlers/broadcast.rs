//! *broadcast* (docs/contract.md §6): a miner sends a PAT; check it, learn its account, pin, store.
//!
//! Order: registered? → token pre-check → identity → identity pin → test query → identity pin
//! again and save, as one atomic store step. Store errors anywhere fail closed: reject,
//! retryable, never write. GitHub calls happen outside the store's lock.

use secrecy::SecretString;
use serde::Serialize;

use super::Validator;
use crate::cause::{AnswerCause, CauseKind, HandlerCause};
use crate::messages;
use crate::metrics::BroadcastCategory;
use crate::miner::{Hotkey, Uid};
use crate::ports::{
    Clock, GithubApi, PatStore, Registry, StoreError, StoreFailureKind, error_chain,
};
use crate::report::{Stage, VerifyReport};
use crate::store::{PinDecision, SaveOutcome, StoredPat, pin_decision};
use crate::token::{Token, TokenError};
use crate::verdict::{Identity, Verdict};
use std::ops::ControlFlow;

/// What a broadcast decided: the answer a caller acts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BroadcastOutcome {
    /// The PAT was stored.
    Accepted,
    /// Refused on evidence (or by the pin): sending the same again will not help.
    Rejected {
        /// Why, in the words miners read.
        reason: String,
        /// Why, as one word.
        cause: AnswerCause,
    },
    /// Refused for now (GitHub or the store was unavailable): the same broadcast may succeed
    /// later.
    RetryLater {
        /// Why, in the words miners read.
        reason: String,
        /// Why, as one word.
        cause: AnswerCause,
        /// When the store failed (the cause `store_unavailable`): its failure's kind, for a
        /// reader that acts on it (docs/contract.md §13: a corrupt store needs a person, not a
        /// retry) without reading `reason`. Not on the wire: [`BroadcastResponse`] has no
        /// such field.
        store_failure: Option<StoreFailureKind>,
    },
}

impl BroadcastOutcome {
    /// Why not, in words; `None` when accepted.
    #[must_use]
    pub fn rejection_reason(&self) -> Option<&str> {
        match self {
            Self::Accepted => None,
            Self::Rejected { reason, .. } | Self::RetryLater { reason, .. } => Some(reason),
        }
    }

    /// Why, as one word (docs/contract.md §13): `ok` when accepted.
    #[must_use]
    pub const fn cause(&self) -> AnswerCause {
        match self {
            Self::Accepted => AnswerCause::Verdict(CauseKind::Ok),
            Self::Rejected { cause, .. } | Self::RetryLater { cause, .. } => *cause,
        }
    }

    /// Refused for good, in these words, for this cause.
    pub fn rejected(reason: impl Into<String>, cause: impl Into<AnswerCause>) -> Self {
        Self::Rejected {
            reason: reason.into(),
            cause: cause.into(),
        }
    }

    /// Refused for now, in these words, for this cause (not a store failure of a known kind).
    pub fn retry_later(reason: impl Into<String>, cause: impl Into<AnswerCause>) -> Self {
        Self::RetryLater {
            reason: reason.into(),
            cause: cause.into(),
            store_failure: None,
        }
    }

    /// The answer for a verification of a PAT broadcast by `uid` (docs/contract.md §6), or
    /// the identity to pin and save it under when the PAT works.
    ///
    /// # Errors
    ///
    /// The answer when the PAT does not work (rejected, on evidence) or could not be judged
    /// (retry later), in the words of the stage that stopped it.
    pub fn judged(uid: Uid, report: &VerifyReport) -> Result<&Identity, Self> {
        let (stage, verdict) = match report {
            VerifyReport::Valid { identity, .. } => return Ok(identity),
            VerifyReport::Stopped { stage, verdict, .. } => (*stage, verdict),
        };
        let cause = verdict.cause_kind();
        Err(match (stage, verdict) {
            (_, Verdict::Valid(never)) => match *never {},
            (Stage::Token | Stage::Identity, Verdict::Invalid { .. }) => {
                Self::rejected(messages::no_github_id(uid), cause)
            }
            (Stage::Token | Stage::Identity, Verdict::Inconclusive { .. }) => {
                Self::retry_later(messages::identity_transient(uid), cause)
            }
            (Stage::TestQuery, Verdict::Invalid { reason, .. }) => {
                Self::rejected(messages::test_query_failed(reason), cause)
            }
            (Stage::TestQuery, Verdict::Inconclusive { reason, .. }) => {
                Self::retry_later(messages::github_unavailable_broadcast(reason), cause)
            }
        })
    }

    /// Refused for now because the store failed with `error`: its text in the reason, its
    /// kind kept.
    fn store_unavailable(error: &StoreError) -> Self {
        Self::RetryLater {
            reason: messages::store_unavailable(&error_chain(error)),
            cause: HandlerCause::StoreUnavailable.into(),
            store_failure: Some(error.kind()),
        }
    }
}

/// The broadcast endpoint's answer on the wire (`{"accepted", "rejection_reason",
/// "retryable"}`), made only from a [`BroadcastOutcome`], so `accepted` and `retryable` are
/// never both true. The PAT is never echoed back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BroadcastResponse {
    /// Whether the PAT was stored.
    pub accepted: bool,
    /// Why not, in words; `None` when accepted.
    pub rejection_reason: Option<String>,
    /// Whether the same broadcast may succeed later (GitHub or the store was unavailable).
    pub retryable: bool,
    /// Why, as one word (docs/contract.md §13): `ok` when accepted.
    pub cause: AnswerCause,
}

impl From<BroadcastOutcome> for BroadcastResponse {
    fn from(outcome: BroadcastOutcome) -> Self {
        let (accepted, retryable) = match &outcome {
            BroadcastOutcome::Accepted => (true, false),
            BroadcastOutcome::Rejected { .. } => (false, false),
            BroadcastOutcome::RetryLater { .. } => (false, true),
        };
        let cause = outcome.cause();
        let rejection_reason = match outcome {
            BroadcastOutcome::Accepted => None,
            BroadcastOutcome::Rejected { reason, .. }
            | BroadcastOutcome::RetryLater { reason, .. } => Some(reason),
        };
        Self {
            accepted,
            rejection_reason,
            retryable,
            cause,
        }
    }
}

impl From<&BroadcastOutcome> for BroadcastCategory {
    fn from(outcome: &BroadcastOutcome) -> Self {
        match outcome {
            BroadcastOutcome::Accepted => Self::Accepted,
            BroadcastOutcome::Rejected { .. } => Self::Rejected,
            BroadcastOutcome::RetryLater { .. } => Self::RetryLater,
        }
    }
}

fn token_rejection(uid: Uid, error: TokenError) -> BroadcastOutcome {
    let reason = match error {
        TokenError::Empty => messages::no_pat_provided(uid),
        TokenError::Malformed { .. } | TokenError::TooLong { .. } => {
            messages::malformed_pat(uid, error)
        }
    };
    BroadcastOutcome::rejected(reason, CauseKind::MalformedToken)
}

impl<G: GithubApi, S: PatStore, R: Registry, C: Clock> Validator<G, S, R, C> {
    /// *broadcast*: a miner sends a PAT to be checked and stored (docs/contract.md §6), in
    /// the order above; the decisions are [`BroadcastOutcome::judged`]'s and the store's.
    pub async fn broadcast(&self, hotkey: &Hotkey, pat: &SecretString) -> BroadcastOutcome {
        let outcome = self.broadcast_uncounted(hotkey, pat).await;
        let category = BroadcastCategory::from(&outcome);
        self.verifier
            .count(|counters| counters.count_broadcast(category));
        outcome
    }

    /// *broadcast*'s answer, before it is counted.
    async fn broadcast_uncounted(&self, hotkey: &Hotkey, pat: &SecretString) -> BroadcastOutcome {
        let Some(uid) = self.registry.uid_of(hotkey) else {
            return BroadcastOutcome::rejected(
                messages::HOTKEY_NOT_REGISTERED,
                HandlerCause::NotRegistered,
            );
        };
        let token = match Token::from_secret(pat) {
            Ok(token) => token,
            Err(error) => return token_rejection(uid, error),
        };
        let verifier = &self.verifier;
        let store = &self.store;

        // The early pin check spares a test query for a broadcast that could never be stored.
        let pin = |identity: &Identity| {
            let github_id = identity.github_id.clone();
            async move {
                match store.get(uid).await {
                    Err(error) => ControlFlow::Break(BroadcastOutcome::store_unavailable(&error)),
                    Ok(existing) => {
                        if pin_decision(existing.as_ref(), hotkey, &github_id)
                            == PinDecision::Locked
                        {
                            ControlFlow::Break(BroadcastOutcome::rejected(
                                messages::IDENTITY_LOCKED,
                                HandlerCause::IdentityLocked,
                            ))
                        } else {
                            ControlFlow::Continue(())
                        }
                    }
                }
            }
        };
        let report = match verifier
            .drive(verifier.start_token(token.clone()), pin)
            .await
        {
            Ok(report) => report,
            Err(halted) => return halted.reason,
        };
        let identity = match BroadcastOutcome::judged(uid, &report) {
            Ok(identity) => identity,
            Err(answer) => return answer,
        };

        let entry = StoredPat::new(
            uid,
            hotkey.clone(),
            token.to_secret(),
            identity.github_id.clone(),
            verifier.clock().wall().to_iso8601(),
        );
        match self.store.save_pinned(entry).await {
            Ok(SaveOutcome::Saved) => BroadcastOutcome::Accepted,
            Ok(SaveOutcome::IdentityLocked) => {
                BroadcastOutcome::rejected(messages::IDENTITY_LOCKED, HandlerCause::IdentityLocked)
            }
            Err(error) => BroadcastOutcome::store_unavailable(&error),
        }
    }
}
