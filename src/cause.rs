//! Why a verdict is what it is, as a value (docs/contract.md §13, added 2026-12-07).
//!
//! A verdict used to say *why* only in words, and every reader that had to act on the why —
//! the counters' `cause` label, the CLI's hints and exit codes, the Python log levels — read
//! the words again. Now the classifier decides the why once, as a [`Cause`] carrying what its
//! reason text needs (a status, GitHub's message already redacted and cut, the transport
//! failure's kind, the wait…), and everything else is derived from it:
//!
//! - the reason text is the cause's `Display` (docs/contract.md's R-, T- and G-ids);
//! - the verdict is a function of the cause ([`Cause::is_evidence`]): `Invalid` for exactly
//!   the evidence causes, `Inconclusive` for every other, so no cause is `Invalid` in one
//!   place and `Inconclusive` in another;
//! - the wire word ([`CauseKind`]) is one vocabulary for `--json`, Python's `.cause` and the
//!   counters' `cause` label.
//!
//! A valid verdict has no cause value: [`CauseKind::Ok`] is its word.
//!
//! ```
//! use pat_verdict::{Cause, CauseKind, Endpoint, Verdict, VerdictKind, WhyRefused};
//!
//! // A 404 with GitHub's JSON on `/user`: the route is wrong, not the token.
//! let cause = Cause::RequestRefused {
//!     endpoint: Endpoint::Identity,
//!     status: 404,
//!     why: WhyRefused::Route,
//! };
//! let verdict: Verdict = Verdict::because(cause, None);
//! assert_eq!(verdict.kind(), VerdictKind::Inconclusive);
//! assert_eq!(verdict.cause_kind(), CauseKind::RequestRefused);
//! assert!(verdict.error().unwrap().starts_with("GitHub /user API returned 404: "));
//! ```

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use crate::http::{Endpoint, TransportErrorKind};
use crate::kind::VerdictKind;
use crate::messages;
use crate::time::UnixTime;
use crate::token::TokenError;

/// Why a verdict that is not `Valid` is what it is. Every string inside came from outside
/// (GitHub, an HTTP client) and was redacted and cut where it was read, so rendering it is
/// safe to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cause {
    /// The token pre-check refused it; nothing was sent (docs/contract.md §5, T1–T3).
    MalformedToken(TokenError),
    /// 401 with GitHub's JSON, or the status alone (R1); also a 401 that repeats after a
    /// valid `/user` (§4).
    BadCredentials {
        /// The call that was answered.
        endpoint: Endpoint,
    },
    /// 403 with GitHub's JSON (or the status alone) carrying no rate-limit, GitHub-side or
    /// request-side signal: the token may not do this (R1).
    Forbidden {
        /// The call that was answered.
        endpoint: Endpoint,
    },
    /// A GraphQL error that is evidence (R6): `errors[0].message`, redacted and cut.
    GraphqlError {
        /// The message; `None` when `errors[0]` had no string `message`.
        message: Option<String>,
    },
    /// The test query could not see the viewer (R7).
    NoViewer,
    /// Any rate-limit signal (§4): primary, secondary, abuse detection, the failed-login
    /// lockout.
    RateLimited(RateLimit),
    /// A 5xx (R1).
    GithubDown {
        /// The call that was answered.
        endpoint: Endpoint,
        /// The status.
        status: u16,
    },
    /// GitHub's own failure inside a 200 (R15).
    GithubFailure {
        /// The call that was answered.
        endpoint: Endpoint,
        /// What GitHub said, redacted and cut; `None` when it said nothing.
        message: Option<String>,
    },
    /// An answer that is not GitHub's API speaking (R14, R8–R11, an odd status's R1).
    NotGithub {
        /// The call that was answered.
        endpoint: Endpoint,
        /// What was wrong with it.
        answer: OddAnswer,
    },
    /// GitHub's JSON refusing the *request*, not the token (R17): a wrong API root, a proxy
    /// rewriting the request, a client bug.
    RequestRefused {
        /// The call that was answered.
        endpoint: Endpoint,
        /// The status.
        status: u16,
        /// What the refusal was about.
        why: WhyRefused,
    },
    /// A 200 from `/user` without a usable `id` (R12), or a one call without a usable
    /// `databaseId` (§11).
    NoAccountId(AccountId),
    /// No HTTP answer (R5).
    Transport {
        /// The call that was not answered.
        endpoint: Endpoint,
        /// What kind of failure.
        kind: TransportErrorKind,
        /// The HTTP client's own words, redacted and cut.
        detail: String,
    },
    /// The test query answered 401 right after a valid `/user`, and the one retry that settles
    /// it did not fit (R16).
    Contradicted,
    /// The deadline passed before a call could be (re)tried (R13).
    Deadline {
        /// The whole deadline.
        deadline: Duration,
    },
    /// The outage guard answered; nothing was sent (G1, §10).
    ShortCircuited {
        /// Consecutive GitHub-side failures counted.
        failures: u32,
        /// When the next request may go.
        retry_at: UnixTime,
    },
}

/// A rate limit's parts, as its reason text shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RateLimit {
    /// Said by the status (408, 429, a 403 with a signal): R2 with a wait, R3 without.
    Status {
        /// The call that was answered.
        endpoint: Endpoint,
        /// The status.
        status: u16,
        /// The wait GitHub asked for, when it said.
        wait: Option<Duration>,
    },
    /// A GraphQL rate-limit error inside a 200: R4 (its message, redacted and cut), R4′ when it
    /// had none.
    Graphql {
        /// `errors[0].message`.
        message: Option<String>,
    },
}

/// What made an answer not GitHub's API speaking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OddAnswer {
    /// A 4xx whose body was received and is not a JSON object (R14).
    NotGithubsJson {
        /// The status.
        status: u16,
    },
    /// A status that says nothing about the PAT: 1xx, 3xx, a 2xx other than 200, a nonsense
    /// one (R1).
    Status {
        /// The status.
        status: u16,
    },
    /// A body larger than the cap (R8).
    OverCap {
        /// The cap, in bytes.
        cap: usize,
    },
    /// A body that is not JSON (R9): the parser's position message, which never quotes it.
    NotJson {
        /// The parser's words.
        error: String,
    },
    /// JSON that is not an object, or a 200 handed over without its body (R10).
    NotObject,
    /// A JSON object of a shape GitHub never sends (R11).
    Unexpected {
        /// Which part, in words.
        what: &'static str,
    },
}

/// What a refused request was refused for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhyRefused {
    /// 404, 405, 406, 410, 415, 422 (or another 4xx that is not 401, 403, 408, 429) with
    /// GitHub's JSON: `/user` and `/graphql` exist for every token, so the route or the request
    /// is wrong.
    Route,
    /// A 403 saying the User-Agent is missing or invalid.
    UserAgent,
}

/// Why an account id is not usable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountId {
    /// None came back (R12).
    Missing,
    /// One came back that is not a non-negative decimal integer, or that repeats the token.
    NotDecimal,
}

crate::words::words! {
    /// A verdict's cause as one word on the wire (docs/contract.md §13): `"cause"` in every
    /// `--json` output, Python's `.cause`, the counters' `cause` label. Hosts match on these
    /// words: they do not change.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
    #[serde(rename_all = "snake_case")]
    pub enum CauseKind {
        /// Valid: both calls (or the one call) valid.
        Ok => "ok",
        /// See [`Cause::MalformedToken`].
        MalformedToken => "malformed_token",
        /// See [`Cause::BadCredentials`].
        BadCredentials => "bad_credentials",
        /// See [`Cause::Forbidden`].
        Forbidden => "forbidden",
        /// See [`Cause::GraphqlError`].
        GraphqlError => "graphql_error",
        /// See [`Cause::NoViewer`].
        NoViewer => "no_viewer",
        /// See [`Cause::RateLimited`].
        RateLimited => "rate_limited",
        /// See [`Cause::GithubDown`].
        GithubDown => "github_down",
        /// See [`Cause::GithubFailure`].
        GithubFailure => "github_failure",
        /// See [`Cause::NotGithub`].
        NotGithub => "not_github",
        /// See [`Cause::RequestRefused`].
        RequestRefused => "request_refused",
        /// See [`Cause::NoAccountId`].
        NoAccountId => "no_account_id",
        /// See [`Cause::Transport`].
        Transport => "transport",
        /// See [`Cause::Contradicted`].
        Contradicted => "contradicted",
        /// See [`Cause::Deadline`].
        Deadline => "deadline",
        /// See [`Cause::ShortCircuited`].
        ShortCircuited => "short_circuited",
    }
}

crate::words::words! {
    /// The handlers' own words for an answer no verification decided (docs/contract.md §6,
    /// §13): beside [`CauseKind`] in check and broadcast answers and audit rows.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
    #[serde(rename_all = "snake_case")]
    pub enum HandlerCause {
        /// No entry for the uid, an entry left by a previous miner, or an empty stored PAT.
        NoPat => "no_pat",
        /// The hotkey is not in the subnet's hotkey list.
        NotRegistered => "not_registered",
        /// The stored entry for this hotkey names another GitHub account.
        IdentityLocked => "identity_locked",
        /// The store could not be read or written, or the uid's entry cannot be used.
        StoreUnavailable => "store_unavailable",
    }
}

/// Why an answer is what it is, as one word on the wire: a verification's [`CauseKind`], or
/// the handler's own [`HandlerCause`] where the handler decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(untagged)]
pub enum AnswerCause {
    /// A verification decided.
    Verdict(CauseKind),
    /// The handler decided, before or without a verification.
    Handler(HandlerCause),
}

impl AnswerCause {
    /// The word.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Verdict(cause) => cause.as_str(),
            Self::Handler(cause) => cause.as_str(),
        }
    }

    /// The verdict a verification's cause goes with (§13's table); `None` for the handler's
    /// own word, which no verification decided.
    #[must_use]
    pub const fn verdict(self) -> Option<VerdictKind> {
        match self {
            Self::Verdict(cause) => Some(cause.verdict()),
            Self::Handler(_) => None,
        }
    }
}

impl fmt::Display for AnswerCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<CauseKind> for AnswerCause {
    fn from(cause: CauseKind) -> Self {
        Self::Verdict(cause)
    }
}

impl From<HandlerCause> for AnswerCause {
    fn from(cause: HandlerCause) -> Self {
        Self::Handler(cause)
    }
}

impl CauseKind {
    /// The verdict that goes with this cause (docs/contract.md §13's table): the one place
    /// that says which causes are evidence.
    #[must_use]
    pub const fn verdict(self) -> VerdictKind {
        match self {
            Self::Ok => VerdictKind::Valid,
            Self::MalformedToken
            | Self::BadCredentials
            | Self::Forbidden
            | Self::GraphqlError
            | Self::NoViewer => VerdictKind::Invalid,
            Self::RateLimited
            | Self::GithubDown
            | Self::GithubFailure
            | Self::NotGithub
            | Self::RequestRefused
            | Self::NoAccountId
            | Self::Transport
            | Self::Contradicted
            | Self::Deadline
            | Self::ShortCircuited => VerdictKind::Inconclusive,
        }
    }
}

impl Cause {
    /// Its word on the wire.
    #[must_use]
    pub const fn kind(&self) -> CauseKind {
        match self {
            Self::MalformedToken(_) => CauseKind::MalformedToken,
            Self::BadCredentials { .. } => CauseKind::BadCredentials,
            Self::Forbidden { .. } => CauseKind::Forbidden,
            Self::GraphqlError { .. } => CauseKind::GraphqlError,
            Self::NoViewer => CauseKind::NoViewer,
            Self::RateLimited(_) => CauseKind::RateLimited,
            Self::GithubDown { .. } => CauseKind::GithubDown,
            Self::GithubFailure { .. } => CauseKind::GithubFailure,
            Self::NotGithub { .. } => CauseKind::NotGithub,
            Self::RequestRefused { .. } => CauseKind::RequestRefused,
            Self::NoAccountId(_) => CauseKind::NoAccountId,
            Self::Transport { .. } => CauseKind::Transport,
            Self::Contradicted => CauseKind::Contradicted,
            Self::Deadline { .. } => CauseKind::Deadline,
            Self::ShortCircuited { .. } => CauseKind::ShortCircuited,
        }
    }

    /// Whether it is evidence about the PAT, which makes the verdict `Invalid`.
    #[must_use]
    pub const fn is_evidence(&self) -> bool {
        matches!(self.kind().verdict(), VerdictKind::Invalid)
    }
}

impl fmt::Display for Cause {
    /// The reason text of docs/contract.md §2–§5 and §10, word for word.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MalformedToken(error) => write!(f, "{error}"),
            Self::BadCredentials { endpoint } => {
                f.write_str(&messages::api_returned(*endpoint, 401))
            }
            Self::Forbidden { endpoint } => f.write_str(&messages::api_returned(*endpoint, 403)),
            Self::GraphqlError { message } => {
                f.write_str(&messages::graphql_error(message.as_deref()))
            }
            Self::NoViewer => f.write_str(messages::VIEWER_MISSING),
            Self::RateLimited(RateLimit::Status {
                endpoint,
                status,
                wait,
            }) => f.write_str(&messages::rate_limited(*endpoint, *status, *wait)),
            Self::RateLimited(RateLimit::Graphql { message }) => {
                f.write_str(message.as_deref().unwrap_or(messages::GRAPHQL_RATE_LIMITED))
            }
            Self::GithubDown { endpoint, status } => {
                f.write_str(&messages::api_returned(*endpoint, *status))
            }
            Self::GithubFailure { endpoint, message } => {
                f.write_str(&messages::github_failed(*endpoint, message.as_deref()))
            }
            Self::NotGithub { endpoint, answer } => f.write_str(&match answer {
                OddAnswer::NotGithubsJson { status } => {
                    messages::not_githubs_json(*endpoint, *status)
                }
                OddAnswer::Status { status } => messages::api_returned(*endpoint, *status),
                OddAnswer::OverCap { cap } => messages::body_over_cap(*endpoint, *cap),
                OddAnswer::NotJson { error } => messages::body_not_json(*endpoint, error),
                OddAnswer::NotObject => messages::body_not_object(*endpoint),
                OddAnswer::Unexpected { what } => messages::body_unexpected(*endpoint, what),
            }),
            Self::RequestRefused {
                endpoint,
                status,
                why,
            } => f.write_str(&match why {
                WhyRefused::Route => messages::request_refused(*endpoint, *status),
                WhyRefused::UserAgent => messages::user_agent_refused(*endpoint, *status),
            }),
            Self::NoAccountId(AccountId::Missing) => f.write_str(messages::IDENTITY_WITHOUT_ID),
            Self::NoAccountId(AccountId::NotDecimal) => {
                f.write_str(messages::IDENTITY_ID_NOT_DECIMAL)
            }
            Self::Transport {
                endpoint,
                kind,
                detail,
            } => f.write_str(&messages::unreachable(*endpoint, *kind, detail)),
            Self::Contradicted => f.write_str(&messages::contradiction_unresolved()),
            Self::Deadline { deadline } => f.write_str(&messages::deadline_passed(*deadline)),
            Self::ShortCircuited { failures, retry_at } => {
                f.write_str(&messages::short_circuit(*failures, *retry_at))
            }
        }
    }
}
