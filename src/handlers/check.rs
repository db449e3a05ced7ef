//! *check* (SPEC §6): the answer to "do you have my PAT, and does it still work?".

use std::fmt;

use secrecy::ExposeSecret;
use serde::Serialize;

use crate::messages;
use crate::ports::StoreError;
use crate::store::{Hotkey, StoredPat, Uid};
use crate::token::{Token, TokenError};
use crate::verdict::Verdict;
use crate::verification::{Stage, VerifyReport};

/// The check endpoint's answer, field for field as miners' CLIs read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckResponse {
    /// Whether we hold a PAT for this miner; `None` when we did not look (unregistered).
    pub has_pat: Option<bool>,
    /// Whether it works; `None` when we could not tell (GitHub or the store unavailable).
    pub pat_valid: Option<bool>,
    /// Why not, in words; `None` when valid.
    pub rejection_reason: Option<String>,
}

/// The row a miner's CLI shows for a check answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckCategory {
    /// `pat_valid` is true.
    Valid,
    /// We looked and hold no PAT for this miner.
    NoPat,
    /// We hold a PAT and GitHub says it is bad.
    InvalidPat,
    /// We could not tell: GitHub was unavailable, or the store was (never "no PAT" while we
    /// could not look).
    Inconclusive,
    /// We did not look: the hotkey is not registered.
    NoResponse,
}

impl CheckCategory {
    /// The word used in JSON and tables.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::NoPat => "no_pat",
            Self::InvalidPat => "invalid_pat",
            Self::Inconclusive => "inconclusive",
            Self::NoResponse => "no_response",
        }
    }
}

impl fmt::Display for CheckCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl CheckResponse {
    fn new(has_pat: Option<bool>, pat_valid: Option<bool>, reason: Option<String>) -> Self {
        Self {
            has_pat,
            pat_valid,
            rejection_reason: reason,
        }
    }

    /// The hotkey is not in the registry.
    #[must_use]
    pub fn not_registered() -> Self {
        Self::new(None, None, Some(messages::HOTKEY_NOT_REGISTERED.to_owned()))
    }

    /// The store could not be read: we do not know whether we hold a PAT.
    #[must_use]
    pub fn store_unavailable() -> Self {
        Self::new(
            Some(false),
            None,
            Some(messages::STORE_UNAVAILABLE.to_owned()),
        )
    }

    /// We hold no (current) PAT for this miner.
    #[must_use]
    pub fn no_pat() -> Self {
        Self::new(
            Some(false),
            Some(false),
            Some(messages::NO_PAT_STORED.to_owned()),
        )
    }

    fn unavailable() -> Self {
        Self::new(
            Some(true),
            None,
            Some(messages::GITHUB_UNAVAILABLE_CHECK.to_owned()),
        )
    }

    fn invalid(reason: String) -> Self {
        Self::new(Some(true), Some(false), Some(reason))
    }

    /// The answer for a verification of the stored PAT of `uid`.
    #[must_use]
    pub fn judged(uid: Uid, report: &VerifyReport) -> Self {
        match (&report.verdict, report.stage) {
            (Verdict::Valid(()), _) => Self::new(Some(true), Some(true), None),
            (Verdict::Inconclusive { .. }, _) => Self::unavailable(),
            (Verdict::Invalid { reason }, Some(Stage::TestQuery)) => {
                Self::invalid(messages::test_query_failed(reason))
            }
            (Verdict::Invalid { .. }, Some(Stage::Identity) | Some(Stage::Token) | None) => {
                Self::invalid(messages::no_github_id(uid))
            }
        }
    }

    /// The category of SPEC §6.
    #[must_use]
    pub fn category(&self) -> CheckCategory {
        match (self.has_pat, self.pat_valid) {
            (_, Some(true)) => CheckCategory::Valid,
            (None, _) => CheckCategory::NoResponse,
            (Some(false), Some(false)) => CheckCategory::NoPat,
            (Some(true), Some(false)) => CheckCategory::InvalidPat,
            (Some(_), None) => CheckCategory::Inconclusive,
        }
    }
}

/// The decision between reading the store and calling GitHub: the stored token to verify, or
/// the answer already known (store down, nothing stored, an entry left by another hotkey, or a
/// stored PAT that cannot be sent).
pub(super) fn stored_token(
    uid: Uid,
    hotkey: &Hotkey,
    lookup: Result<Option<StoredPat>, StoreError>,
) -> Result<Token, CheckResponse> {
    let entry = match lookup {
        Err(_) => return Err(CheckResponse::store_unavailable()),
        Ok(None) => return Err(CheckResponse::no_pat()),
        Ok(Some(entry)) if entry.hotkey != *hotkey => return Err(CheckResponse::no_pat()),
        Ok(Some(entry)) => entry,
    };
    match Token::from_secret(&entry.pat) {
        Ok(token) => Ok(token),
        Err(TokenError::Empty) => Err(CheckResponse::no_pat()),
        Err(error @ TokenError::Malformed { .. }) => {
            debug_assert!(!entry.pat.expose_secret().is_empty());
            Err(CheckResponse::invalid(messages::stored_pat_malformed(
                uid, error,
            )))
        }
    }
}
