//! *check*: the answer to "do you have my PAT, and does it still work?".

use super::Validator;
use crate::ports::{Clock, GithubApi};

use secrecy::ExposeSecret;
use serde::Serialize;

use crate::cause::{AnswerCause, CauseKind, HandlerCause};
use crate::messages;
pub use crate::metrics::CheckCategory;
use crate::miner::{Hotkey, Uid};
use crate::ports::{PatStore, Registry};
use crate::ports::{StoreError, StoreFailureKind, error_chain};
use crate::report::{Stage, VerifyReport};
use crate::store::StoredPat;
use crate::token::{Token, TokenError};
use crate::verdict::Verdict;

/// What a check decided: one variant per row category a miner's CLI shows, carrying what
/// the caller acts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckOutcome {
    /// We hold the miner's PAT and it works.
    Valid,
    /// We looked and hold no (current) PAT for this miner.
    NoPat,
    /// We hold a PAT and GitHub gave evidence that it is bad (or it cannot be sent).
    InvalidPat {
        /// What, in the words miners read.
        reason: String,
        /// Why, as a value: an evidence cause.
        cause: CauseKind,
    },
    /// We could not tell: never "no PAT" while we could not look.
    Inconclusive(Unavailable),
    /// We did not look: the hotkey is not registered.
    NoResponse,
}

/// Who could not answer a check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unavailable {
    /// GitHub (an outage, a rate limit, an odd answer, the deadline), for this cause.
    Github(CauseKind),
    /// The store could not be read; `detail` is the failure with its causes (the path and the
    /// OS error), because a corrupt file or a directory will not fix itself on retry.
    Store {
        /// The store error's full cause chain.
        detail: String,
        /// The store error's kind, for a reader that acts on it (docs/contract.md §13: a
        /// corrupt store needs a person, not a retry) without reading `detail`. Not on the
        /// wire: [`CheckResponse`] carries `detail` only.
        kind: StoreFailureKind,
    },
}

impl CheckOutcome {
    /// The row category.
    #[must_use]
    pub const fn category(&self) -> CheckCategory {
        match self {
            Self::Valid => CheckCategory::Valid,
            Self::NoPat => CheckCategory::NoPat,
            Self::InvalidPat { .. } => CheckCategory::InvalidPat,
            Self::Inconclusive(_) => CheckCategory::Inconclusive,
            Self::NoResponse => CheckCategory::NoResponse,
        }
    }

    /// Why not valid, in the words miners read; `None` when valid.
    #[must_use]
    pub fn rejection_reason(&self) -> Option<&str> {
        match self {
            Self::Valid => None,
            Self::NoPat => Some(messages::NO_PAT_STORED),
            Self::InvalidPat { reason, .. } => Some(reason),
            Self::Inconclusive(Unavailable::Github(_)) => Some(messages::GITHUB_UNAVAILABLE_CHECK),
            Self::Inconclusive(Unavailable::Store { .. }) => Some(messages::STORE_UNAVAILABLE),
            Self::NoResponse => Some(messages::HOTKEY_NOT_REGISTERED),
        }
    }

    /// Why, as one word (docs/contract.md §13): the verification's cause where it decided,
    /// the handler's own word where the handler did.
    #[must_use]
    pub const fn cause(&self) -> AnswerCause {
        match self {
            Self::Valid => AnswerCause::Verdict(CauseKind::Ok),
            Self::NoPat => AnswerCause::Handler(HandlerCause::NoPat),
            Self::InvalidPat { cause, .. } | Self::Inconclusive(Unavailable::Github(cause)) => {
                AnswerCause::Verdict(*cause)
            }
            Self::Inconclusive(Unavailable::Store { .. }) => {
                AnswerCause::Handler(HandlerCause::StoreUnavailable)
            }
            Self::NoResponse => AnswerCause::Handler(HandlerCause::NotRegistered),
        }
    }

    /// The answer for a verification of the stored PAT of `uid` (docs/contract.md §6): valid,
    /// GitHub unavailable, or invalid in the words of the stage that gave the evidence.
    #[must_use]
    pub fn judged(uid: Uid, report: &VerifyReport) -> Self {
        let (stage, verdict) = match report {
            VerifyReport::Valid { .. } => return Self::Valid,
            VerifyReport::Stopped { stage, verdict, .. } => (*stage, verdict),
        };
        let cause = verdict.cause_kind();
        match (verdict, stage) {
            (Verdict::Valid(never), _) => match *never {},
            (Verdict::Inconclusive { .. }, _) => Self::Inconclusive(Unavailable::Github(cause)),
            (Verdict::Invalid { reason, .. }, Stage::TestQuery) => Self::InvalidPat {
                reason: messages::test_query_failed(reason),
                cause,
            },
            (Verdict::Invalid { .. }, Stage::Identity | Stage::Token) => Self::InvalidPat {
                reason: messages::no_github_id(uid),
                cause,
            },
        }
    }
}

/// The check endpoint's answer on the wire, field for field as miners' CLIs read it
/// (`{"has_pat", "pat_valid", "rejection_reason", "category"}`, plus `"detail"` when the store
/// is unavailable). Made only from a [`CheckOutcome`], so the fields never disagree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CheckResponse {
    /// Whether we hold a PAT for this miner; `None` when we did not look (unregistered).
    /// A store outage is `Some(false)`, gittensor's shape; the category says "inconclusive".
    pub has_pat: Option<bool>,
    /// Whether it works; `None` when we could not tell (GitHub or the store unavailable).
    pub pat_valid: Option<bool>,
    /// Why not, in words; `None` when valid.
    pub rejection_reason: Option<String>,
    /// The row a miner's CLI shows.
    pub category: CheckCategory,
    /// Why, as one word (docs/contract.md §13).
    pub cause: AnswerCause,
    /// Why the store is unavailable (path and OS error); only then present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl From<CheckOutcome> for CheckResponse {
    fn from(outcome: CheckOutcome) -> Self {
        let (has_pat, pat_valid) = match &outcome {
            CheckOutcome::Valid => (Some(true), Some(true)),
            CheckOutcome::NoPat => (Some(false), Some(false)),
            CheckOutcome::InvalidPat { .. } => (Some(true), Some(false)),
            CheckOutcome::Inconclusive(Unavailable::Github(_)) => (Some(true), None),
            CheckOutcome::Inconclusive(Unavailable::Store { .. }) => (Some(false), None),
            CheckOutcome::NoResponse => (None, None),
        };
        let rejection_reason = outcome.rejection_reason().map(str::to_owned);
        let category = outcome.category();
        let cause = outcome.cause();
        let detail = match outcome {
            CheckOutcome::Inconclusive(Unavailable::Store { detail, .. }) => Some(detail),
            CheckOutcome::Valid
            | CheckOutcome::NoPat
            | CheckOutcome::InvalidPat { .. }
            | CheckOutcome::Inconclusive(Unavailable::Github(_))
            | CheckOutcome::NoResponse => None,
        };
        Self {
            has_pat,
            pat_valid,
            rejection_reason,
            category,
            cause,
            detail,
        }
    }
}

/// The decision between reading the store and calling GitHub: the stored token to verify, or
/// the answer already known (store down, nothing stored, an entry left by another hotkey, or a
/// stored PAT that cannot be sent).
fn stored_token(
    uid: Uid,
    hotkey: &Hotkey,
    lookup: Result<Option<StoredPat>, StoreError>,
) -> Result<Token, CheckOutcome> {
    let entry = match lookup {
        Err(error) => {
            return Err(CheckOutcome::Inconclusive(Unavailable::Store {
                detail: error_chain(&error),
                kind: error.kind(),
            }));
        }
        Ok(None) => return Err(CheckOutcome::NoPat),
        Ok(Some(entry)) if entry.hotkey != *hotkey => return Err(CheckOutcome::NoPat),
        Ok(Some(entry)) => entry,
    };
    match Token::from_secret(&entry.pat) {
        Ok(token) => Ok(token),
        Err(TokenError::Empty) => Err(CheckOutcome::NoPat),
        Err(error @ (TokenError::Malformed { .. } | TokenError::TooLong { .. })) => {
            debug_assert!(!entry.pat.expose_secret().is_empty());
            Err(CheckOutcome::InvalidPat {
                reason: messages::stored_pat_malformed(uid, error),
                cause: CauseKind::MalformedToken,
            })
        }
    }
}

impl<G: GithubApi, S: PatStore, R: Registry, C: Clock> Validator<G, S, R, C> {
    /// *check*: a miner asks whether we hold its PAT and whether it still works
    /// (docs/contract.md §6).
    pub async fn check(&self, hotkey: &Hotkey) -> CheckOutcome {
        self.check_with_report(hotkey).await.0
    }

    /// *check*, with the verification behind the answer when the stored PAT was verified.
    ///
    /// Miners read the outcome's words (docs/contract.md §6), which say what to do but not
    /// always what GitHub said (`No Github id found for miner 2's PAT`); an operator at a
    /// command line also wants the verdict's own reason (`GitHub /user API returned 401`).
    /// The outcome is exactly [`check`](Self::check)'s. Order: registered? → the stored
    /// entry → its verification.
    pub async fn check_with_report(&self, hotkey: &Hotkey) -> (CheckOutcome, Option<VerifyReport>) {
        let found = match self.registry.uid_of(hotkey) {
            None => Err(CheckOutcome::NoResponse),
            Some(uid) => {
                stored_token(uid, hotkey, self.store.get(uid).await).map(|token| (uid, token))
            }
        };
        let answer = match found {
            Err(answer) => (answer, None),
            Ok((uid, token)) => {
                let report = self.verifier.verify_token(token).await;
                (CheckOutcome::judged(uid, &report), Some(report))
            }
        };
        let category = answer.0.category();
        self.verifier
            .count(|counters| counters.count_check(category));
        answer
    }
}
