//! *broadcast* (SPEC §6): a miner sends a PAT; check it, learn its account, pin, store.
//!
//! Order: registered? → token pre-check → identity → identity pin → test query → identity pin
//! again and save, as one atomic store step. Store errors anywhere fail closed: reject,
//! retryable, never write. GitHub calls happen outside the store's lock.

use secrecy::SecretString;
use serde::Serialize;
use serde_json::Map;

use super::Validator;
use crate::messages;
use crate::ports::{Clock, GithubApi, PatStore, Registry, StoreError};
use crate::store::{Hotkey, PinDecision, SaveOutcome, StoredPat, Uid, pin_decision};
use crate::token::{Token, TokenError};
use crate::verdict::{Identity, Verdict};
use crate::verification::Stage;
use std::ops::ControlFlow;

/// The broadcast endpoint's answer. The PAT is never echoed back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BroadcastResponse {
    /// Whether the PAT was stored.
    pub accepted: bool,
    /// Why not, in words; `None` when accepted.
    pub rejection_reason: Option<String>,
    /// Whether the same broadcast may succeed later (GitHub or the store was unavailable).
    pub retryable: bool,
}

impl BroadcastResponse {
    /// Stored.
    #[must_use]
    pub fn accepted() -> Self {
        Self {
            accepted: true,
            rejection_reason: None,
            retryable: false,
        }
    }

    /// Refused on evidence: sending the same again will not help.
    #[must_use]
    pub fn rejected(reason: impl Into<String>) -> Self {
        Self {
            accepted: false,
            rejection_reason: Some(reason.into()),
            retryable: false,
        }
    }

    /// Refused for now: GitHub or the store was unavailable; retry later.
    #[must_use]
    pub fn retry_later(reason: impl Into<String>) -> Self {
        Self {
            accepted: false,
            rejection_reason: Some(reason.into()),
            retryable: true,
        }
    }

    fn store_unavailable(error: &StoreError) -> Self {
        Self::retry_later(messages::store_unavailable(&messages::error_chain(error)))
    }
}

fn token_rejection(uid: Uid, error: TokenError) -> BroadcastResponse {
    BroadcastResponse::rejected(match error {
        TokenError::Empty => messages::no_pat_provided(uid),
        TokenError::Malformed { .. } => messages::malformed_pat(uid, error),
    })
}

pub(super) async fn run<G, S, R, C>(
    validator: &Validator<G, S, R, C>,
    hotkey: &Hotkey,
    pat: &SecretString,
) -> BroadcastResponse
where
    G: GithubApi,
    S: PatStore,
    R: Registry,
    C: Clock,
{
    let Some(uid) = validator.registry.uid_of(hotkey) else {
        return BroadcastResponse::rejected(messages::HOTKEY_NOT_REGISTERED);
    };
    let token = match Token::from_secret(pat) {
        Ok(token) => token,
        Err(error) => return token_rejection(uid, error),
    };
    let verifier = &validator.verifier;
    let store = &validator.store;

    // The early pin check spares a test query for a broadcast that could never be stored.
    let pin = |identity: &Identity| {
        let github_id = identity.github_id.clone();
        async move {
            match store.get(uid).await {
                Err(error) => ControlFlow::Break(BroadcastResponse::store_unavailable(&error)),
                Ok(existing) => {
                    if pin_decision(existing.as_ref(), hotkey, &github_id) == PinDecision::Locked {
                        ControlFlow::Break(BroadcastResponse::rejected(messages::IDENTITY_LOCKED))
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
    let identity = match (report.verdict, report.stage, report.identity) {
        (Verdict::Valid(()), _, Some(identity)) => identity,
        (Verdict::Invalid { .. }, Some(Stage::Identity), _) => {
            return BroadcastResponse::rejected(messages::no_github_id(uid));
        }
        (Verdict::Inconclusive { .. }, Some(Stage::Identity), _) => {
            return BroadcastResponse::retry_later(messages::identity_transient(uid));
        }
        (Verdict::Invalid { reason }, _, _) => {
            return BroadcastResponse::rejected(messages::test_query_failed(&reason));
        }
        (Verdict::Inconclusive { reason, .. }, _, _) => {
            return BroadcastResponse::retry_later(messages::github_unavailable_broadcast(&reason));
        }
        (Verdict::Valid(()), _, None) => unreachable!("a valid verification knows the identity"),
    };

    let entry = StoredPat {
        uid,
        hotkey: hotkey.clone(),
        pat: token.to_secret(),
        github_id: identity.github_id,
        stored_at: verifier.clock().wall().to_iso8601(),
        extra: Map::new(),
    };
    match validator.store.save_pinned(entry).await {
        Ok(SaveOutcome::Saved) => BroadcastResponse::accepted(),
        Ok(SaveOutcome::IdentityLocked) => BroadcastResponse::rejected(messages::IDENTITY_LOCKED),
        Err(error) => BroadcastResponse::store_unavailable(&error),
    }
}
