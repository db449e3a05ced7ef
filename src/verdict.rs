//! What a GitHub call taught us about a PAT: [`Verdict`] and the values a valid call carries.
//!
//! | verdict | meaning | gittensor's `error` | gittensor's `transient_failure` |
//! |---|---|---|---|
//! | `Valid` | the PAT works | none | false |
//! | `Invalid` | GitHub gave evidence that the PAT itself is bad | set | false |
//! | `Inconclusive` | we learned nothing about the PAT; retry later | set | true |
//!
//! The principle behind every classification: only evidence about the PAT makes it `Invalid`.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize};

use crate::cause::{Cause, CauseKind};
pub use crate::kind::VerdictKind;
use crate::time::UnixTime;

/// The outcome of a call (or of a whole verification). `T` is what a valid answer carries:
/// an [`Identity`] for `GET /user`, a [`Viewer`] for the test query, `()` when nothing is.
///
/// A verdict that is not valid carries its [`Cause`], and is built from it
/// ([`Verdict::because`]): the variant and the reason text are functions of the cause
/// (docs/contract.md §13).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict<T = ()> {
    /// The PAT works.
    Valid(T),
    /// GitHub gave evidence that the PAT itself is bad: tell the miner to fix it.
    Invalid {
        /// Why, as a value: an evidence cause.
        cause: Cause,
        /// Why, in words a miner can act on: the cause rendered.
        reason: String,
    },
    /// We learned nothing about the PAT (outage, rate limit, odd answer): retry later.
    Inconclusive {
        /// Why, as a value: a cause that is not evidence.
        cause: Cause,
        /// What went wrong, in words: the cause rendered.
        reason: String,
        /// How long GitHub asked us to wait, when it said.
        retry_after: Option<Duration>,
    },
}

impl<T> Verdict<T> {
    /// The verdict `cause` makes: `Invalid` when it is evidence, else `Inconclusive` with the
    /// wait GitHub asked for (dropped for evidence: there is nothing to retry), the reason
    /// rendered from the cause.
    pub fn because(cause: Cause, retry_after: Option<Duration>) -> Self {
        let reason = cause.to_string();
        if cause.is_evidence() {
            Self::Invalid { cause, reason }
        } else {
            Self::Inconclusive {
                cause,
                reason,
                retry_after,
            }
        }
    }

    /// gittensor's `error` field: the reason, unless the PAT is valid.
    #[must_use]
    pub fn error(&self) -> Option<&str> {
        match self {
            Self::Valid(_) => None,
            Self::Invalid { reason, .. } | Self::Inconclusive { reason, .. } => Some(reason),
        }
    }

    /// Why it is not valid; `None` when it is.
    #[must_use]
    pub fn cause(&self) -> Option<&Cause> {
        match self {
            Self::Valid(_) => None,
            Self::Invalid { cause, .. } | Self::Inconclusive { cause, .. } => Some(cause),
        }
    }

    /// The cause's word on the wire: [`CauseKind::Ok`] when valid.
    #[must_use]
    pub fn cause_kind(&self) -> CauseKind {
        self.cause().map_or(CauseKind::Ok, Cause::kind)
    }

    /// gittensor's `transient_failure` field: true exactly when the verdict is inconclusive.
    #[must_use]
    pub fn transient_failure(&self) -> bool {
        matches!(self, Self::Inconclusive { .. })
    }

    /// Whether GitHub refused for rate reasons (docs/contract.md §4) rather than failing.
    #[must_use]
    pub fn rate_limited(&self) -> bool {
        self.cause_kind() == CauseKind::RateLimited
    }

    /// Which of the three verdicts this is.
    #[must_use]
    pub fn kind(&self) -> VerdictKind {
        match self {
            Self::Valid(_) => VerdictKind::Valid,
            Self::Invalid { .. } => VerdictKind::Invalid,
            Self::Inconclusive { .. } => VerdictKind::Inconclusive,
        }
    }

    /// The wait GitHub asked for, if this verdict is inconclusive and it asked.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Inconclusive { retry_after, .. } => *retry_after,
            Self::Valid(_) | Self::Invalid { .. } => None,
        }
    }

    /// The same verdict with the valid payload transformed.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Verdict<U> {
        match self.into_result() {
            Ok(value) => Verdict::Valid(f(value)),
            Err(failed) => failed.widen(),
        }
    }

    /// The payload of a valid verdict, or the verdict that is not valid, typed so that it
    /// cannot be: what a verification that stops keeps.
    ///
    /// # Errors
    ///
    /// The invalid or inconclusive verdict itself.
    pub fn into_result(self) -> Result<T, Verdict<std::convert::Infallible>> {
        match self {
            Self::Valid(value) => Ok(value),
            Self::Invalid { cause, reason } => Err(Verdict::Invalid { cause, reason }),
            Self::Inconclusive {
                cause,
                reason,
                retry_after,
            } => Err(Verdict::Inconclusive {
                cause,
                reason,
                retry_after,
            }),
        }
    }
}

impl<T> Verdict<T> {
    /// The same verdict with its reason text passed through `f` (a last redaction of the
    /// token, docs/contract.md §5); the cause is kept.
    #[must_use]
    pub(crate) fn map_reason(self, f: impl FnOnce(&str) -> String) -> Self {
        match self {
            Self::Valid(value) => Self::Valid(value),
            Self::Invalid { cause, reason } => Self::Invalid {
                cause,
                reason: f(&reason),
            },
            Self::Inconclusive {
                cause,
                reason,
                retry_after,
            } => Self::Inconclusive {
                cause,
                reason: f(&reason),
                retry_after,
            },
        }
    }
}

impl Verdict<std::convert::Infallible> {
    /// A verdict that cannot be valid, as a verdict of any payload.
    #[must_use]
    pub fn widen<U>(self) -> Verdict<U> {
        match self {
            Self::Valid(never) => match never {},
            Self::Invalid { cause, reason } => Verdict::Invalid { cause, reason },
            Self::Inconclusive {
                cause,
                reason,
                retry_after,
            } => Verdict::Inconclusive {
                cause,
                reason,
                retry_after,
            },
        }
    }
}

/// GitHub's numeric account id, kept as a decimal string as the store keeps it (docs/contract.md §3, §7).
///
/// Deserializes from a number or a string, so older stores holding `42` pin the same
/// identity as `"42"` and nobody is locked out over a type.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct GithubId(String);

crate::text_id::text_id!(GithubId, "GitHub id");

impl<'de> Deserialize<'de> for GithubId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl serde::de::Visitor<'_> for IdVisitor {
            type Value = GithubId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a GitHub id as a number or a string")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<GithubId, E> {
                Ok(GithubId(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<GithubId, E> {
                Ok(GithubId(v.to_string()))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<GithubId, E> {
                Ok(GithubId(v.to_owned()))
            }
        }
        deserializer.deserialize_any(IdVisitor)
    }
}

/// What GitHub says about the token itself, from the identity call's headers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenInfo {
    /// `X-OAuth-Scopes` split on commas (classic PATs); `None` when GitHub did not send it.
    pub scopes: Option<Vec<String>>,
    /// `github-authentication-token-expiration`; `None` when absent or unreadable.
    pub expires_at: Option<UnixTime>,
}

impl TokenInfo {
    /// Whether the token expires within `window` of `now` (or already has).
    #[must_use]
    pub fn expires_within(&self, now: UnixTime, window: Duration) -> bool {
        self.expires_at.is_some_and(|at| at <= now.plus(window))
    }
}

/// Who owns the PAT: the payload of a valid `GET /user`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The account's numeric id, as a decimal string.
    pub github_id: GithubId,
    /// The account's login, when GitHub sent one.
    pub login: Option<String>,
    /// Scopes and expiry, for people (not part of the verdict).
    pub token: TokenInfo,
}

/// The payload of a valid test query: `data.viewer`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Viewer {
    /// `data.viewer.login`, when it is a string.
    pub login: Option<String>,
}
