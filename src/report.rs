//! What one verification learned ([`VerifyReport`]) and its one wire form
//! ([`VerifyResponse`]), which the CLI's `verify --json` and the Python package's `Verdict`
//! both print, so the two never disagree on a key, a rounding or a `null`.

use std::convert::Infallible;
use std::time::Duration;

use serde::{Serialize, Serializer};

use crate::cause::{AnswerCause, Cause, CauseKind, HandlerCause};
use crate::time::UnixTime;
use crate::verdict::{Identity, Verdict, VerdictKind, Viewer};

crate::words::words! {
    /// Where a verification stopped.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Stage {
        /// The token pre-check (no request was made).
        Token => "token",
        /// `GET /user`.
        Identity => "identity",
        /// `POST /graphql`.
        TestQuery => "test_query",
    }
}

/// The stage a call stops a verification at (the one call of docs/contract.md §11 is the
/// test query's).
impl From<crate::http::Endpoint> for Stage {
    fn from(endpoint: crate::http::Endpoint) -> Self {
        match endpoint {
            crate::http::Endpoint::Identity => Self::Identity,
            crate::http::Endpoint::TestQuery | crate::http::Endpoint::OneCall => Self::TestQuery,
        }
    }
}

/// Everything one verification learned: what [`Step::Done`](crate::verification::Step::Done) carries.
///
/// It says what happened, so no reader meets a combination that cannot be: a valid PAT
/// always has its identity and viewer and no stage; a stopped one always has a stage and a
/// verdict that is not valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyReport {
    /// Both calls were valid: the PAT works.
    Valid {
        /// Who owns the PAT (`GET /user`).
        identity: Identity,
        /// The test query's viewer.
        viewer: Viewer,
        /// How many GitHub requests the verdict cost (retries included).
        requests: u32,
    },
    /// The verification stopped before a valid test query.
    Stopped {
        /// Where it stopped.
        stage: Stage,
        /// Why: invalid (evidence) or inconclusive (retry later); never valid.
        verdict: Verdict<Infallible>,
        /// Who owns the PAT, when the identity call was valid (the test query was not).
        identity: Option<Identity>,
        /// How many GitHub requests the verdict cost (retries included).
        requests: u32,
    },
}

impl VerifyReport {
    /// The verdict on the PAT, without its payload.
    #[must_use]
    pub fn verdict(&self) -> Verdict {
        match self {
            Self::Valid { .. } => Verdict::Valid(()),
            Self::Stopped { verdict, .. } => verdict.clone().widen(),
        }
    }

    /// Which of the three verdicts this is.
    #[must_use]
    pub fn kind(&self) -> VerdictKind {
        match self {
            Self::Valid { .. } => VerdictKind::Valid,
            Self::Stopped { verdict, .. } => verdict.kind(),
        }
    }

    /// Why: the cause's word, [`CauseKind::Ok`] when valid (docs/contract.md §13).
    #[must_use]
    pub fn cause_kind(&self) -> CauseKind {
        match self {
            Self::Valid { .. } => CauseKind::Ok,
            Self::Stopped { verdict, .. } => verdict.cause_kind(),
        }
    }

    /// Why, as a value; `None` when valid.
    #[must_use]
    pub fn cause(&self) -> Option<&Cause> {
        match self {
            Self::Valid { .. } => None,
            Self::Stopped { verdict, .. } => verdict.cause(),
        }
    }

    /// Where it stopped; `None` when valid.
    #[must_use]
    pub fn stage(&self) -> Option<Stage> {
        match self {
            Self::Valid { .. } => None,
            Self::Stopped { stage, .. } => Some(*stage),
        }
    }

    /// Who owns the PAT, when the identity call was valid.
    #[must_use]
    pub fn identity(&self) -> Option<&Identity> {
        match self {
            Self::Valid { identity, .. } => Some(identity),
            Self::Stopped { identity, .. } => identity.as_ref(),
        }
    }

    /// The test query's viewer, when the PAT is valid.
    #[must_use]
    pub fn viewer(&self) -> Option<&Viewer> {
        match self {
            Self::Valid { viewer, .. } => Some(viewer),
            Self::Stopped { .. } => None,
        }
    }

    /// How many GitHub requests the verdict cost (retries included).
    #[must_use]
    pub fn requests(&self) -> u32 {
        match self {
            Self::Valid { requests, .. } | Self::Stopped { requests, .. } => *requests,
        }
    }

    /// The login, from the identity call or else the test query.
    #[must_use]
    pub fn login(&self) -> Option<&str> {
        self.identity()
            .and_then(|identity| identity.login.as_deref())
            .or_else(|| self.viewer().and_then(|viewer| viewer.login.as_deref()))
    }

    /// A verification that stopped at `stage` with a verdict that is not valid.
    pub(crate) fn stopped(
        stage: Stage,
        verdict: Verdict<Infallible>,
        identity: Option<Identity>,
        requests: u32,
    ) -> Self {
        Self::Stopped {
            stage,
            verdict,
            identity,
            requests,
        }
    }
}

/// A verdict on the wire: the object `pat-verdict verify --json` prints (docs/contract.md §8)
/// and the Python package's `Verdict` holds, made only from a verdict, so its fields never
/// disagree. Keys in the contract's order, every one always present (`null` when unknown).
///
/// `requests` is part of the value (people and Python read it) but not of the contract's
/// `verify` object, whose keys are only ever added at the end (`cause`, added 2026-12-07).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct VerifyResponse {
    /// Which verdict.
    pub verdict: VerdictKind,
    /// The account's id, when the identity lookup was valid.
    pub github_id: Option<String>,
    /// The account's login, from the identity lookup or else the test query.
    pub login: Option<String>,
    /// Why not valid; `None` when valid.
    pub reason: Option<String>,
    /// Where verification stopped; `None` when valid.
    pub stage: Option<Stage>,
    /// The wait GitHub asked for; on the wire `retry_after_secs`, whole seconds rounded up
    /// (waiting a fraction too little would hit the limit again).
    #[serde(rename = "retry_after_secs", serialize_with = "whole_seconds")]
    pub retry_after: Option<Duration>,
    /// The classic PAT's scopes (`X-OAuth-Scopes`); `None` when GitHub did not say.
    pub scopes: Option<Vec<String>>,
    /// When the token expires, ISO-8601 UTC.
    pub expires_at: Option<String>,
    /// Why, as one word (docs/contract.md §13): `ok` when valid.
    pub cause: AnswerCause,
    /// GitHub requests the verdict cost, retries included (0 for one classified answer).
    #[serde(skip)]
    pub requests: u32,
}

/// A wait in whole seconds, rounded up.
fn whole_seconds_of(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

#[expect(
    clippy::ref_option,
    reason = "serde's `serialize_with` hands the field by reference"
)]
fn whole_seconds<S: Serializer>(wait: &Option<Duration>, out: S) -> Result<S::Ok, S::Error> {
    match wait {
        Some(wait) => out.serialize_some(&whole_seconds_of(*wait)),
        None => out.serialize_none(),
    }
}

impl VerifyResponse {
    /// Whether GitHub refused for rate reasons rather than failing (inconclusive only).
    #[must_use]
    pub fn rate_limited(&self) -> bool {
        self.cause == AnswerCause::Verdict(CauseKind::RateLimited)
    }

    /// The wait GitHub asked for in whole seconds, rounded up, as the wire says it.
    #[must_use]
    pub fn retry_after_secs(&self) -> Option<u64> {
        self.retry_after.map(whole_seconds_of)
    }

    /// The response of `verdict` alone (no identity, no request counted), stopped at `stage`
    /// unless valid.
    fn of_verdict<T>(verdict: &Verdict<T>, stage: Stage, requests: u32) -> Self {
        let retry_after = verdict.retry_after();
        Self {
            verdict: verdict.kind(),
            github_id: None,
            login: None,
            reason: verdict.error().map(str::to_owned),
            stage: (!matches!(verdict, Verdict::Valid(_))).then_some(stage),
            retry_after,
            scopes: None,
            expires_at: None,
            cause: verdict.cause_kind().into(),
            requests,
        }
    }

    /// The same with what the identity lookup told.
    fn with_identity(mut self, identity: Option<&Identity>) -> Self {
        if let Some(identity) = identity {
            self.github_id = Some(identity.github_id.as_str().to_owned());
            self.login.clone_from(&identity.login);
            self.scopes.clone_from(&identity.token.scopes);
            self.expires_at = identity.token.expires_at.map(UnixTime::to_iso8601);
        }
        self
    }
}

impl From<&VerifyReport> for VerifyResponse {
    fn from(report: &VerifyReport) -> Self {
        let stage = report.stage().unwrap_or(Stage::TestQuery);
        let mut response = match report {
            VerifyReport::Valid { .. } => {
                Self::of_verdict(&Verdict::Valid(()), stage, report.requests())
            }
            VerifyReport::Stopped { verdict, .. } => {
                Self::of_verdict(verdict, stage, report.requests())
            }
        }
        .with_identity(report.identity());
        response.login = report.login().map(str::to_owned);
        response
    }
}

/// One classified `GET /user` answer (docs/contract.md §3): stopped at the identity unless
/// valid.
impl From<&Verdict<Identity>> for VerifyResponse {
    fn from(verdict: &Verdict<Identity>) -> Self {
        let identity = match verdict {
            Verdict::Valid(identity) => Some(identity),
            Verdict::Invalid { .. } | Verdict::Inconclusive { .. } => None,
        };
        Self::of_verdict(verdict, Stage::Identity, 0).with_identity(identity)
    }
}

/// One classified test-query answer (docs/contract.md §2): stopped at the test query unless
/// valid.
impl From<&Verdict<Viewer>> for VerifyResponse {
    fn from(verdict: &Verdict<Viewer>) -> Self {
        let mut response = Self::of_verdict(verdict, Stage::TestQuery, 0);
        if let Verdict::Valid(viewer) = verdict {
            response.login.clone_from(&viewer.login);
        }
        response
    }
}

/// The row of a store entry audited without a request (it cannot be used): inconclusive,
/// with the store's reason and no stage.
pub(crate) fn unjudged(reason: String) -> VerifyResponse {
    VerifyResponse {
        verdict: VerdictKind::Inconclusive,
        github_id: None,
        login: None,
        reason: Some(reason),
        stage: None,
        retry_after: None,
        scopes: None,
        expires_at: None,
        cause: HandlerCause::StoreUnavailable.into(),
        requests: 0,
    }
}
