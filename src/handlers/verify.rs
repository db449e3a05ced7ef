//! One verification: token pre-check, identity, test query, each call retried per the policy
//! inside one deadline.

use secrecy::SecretString;
use serde::Serialize;

use crate::classify::{classify_identity_redacting, classify_test_query_redacting};
use crate::http::{CallResult, Endpoint};
use crate::messages;
use crate::policy::{Next, RetryPolicy};
use crate::ports::{Clock, GithubApi};
use crate::time::UnixTime;
use crate::token::Token;
use crate::verdict::{Identity, Verdict, Viewer};

/// Where a verification stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The pre-check of SPEC §5 (no request was made).
    Token,
    /// `GET /user`.
    Identity,
    /// `POST /graphql`.
    TestQuery,
}

impl Stage {
    /// The word used in JSON (`"token"`, `"identity"`, `"test_query"`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::Identity => "identity",
            Self::TestQuery => "test_query",
        }
    }
}

/// Everything one verification learned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyReport {
    /// The verdict on the PAT.
    pub verdict: Verdict,
    /// Where it stopped when not valid; `None` when valid.
    pub stage: Option<Stage>,
    /// Who owns the PAT, when the identity call was valid (even if the test query was not).
    pub identity: Option<Identity>,
    /// The test query's viewer, when it was valid.
    pub viewer: Option<Viewer>,
    /// How many GitHub requests the verdict cost (retries included).
    pub requests: u32,
}

impl VerifyReport {
    /// The login, from the identity call or else the test query.
    #[must_use]
    pub fn login(&self) -> Option<&str> {
        self.identity
            .as_ref()
            .and_then(|identity| identity.login.as_deref())
            .or_else(|| {
                self.viewer
                    .as_ref()
                    .and_then(|viewer| viewer.login.as_deref())
            })
    }

    fn stopped<T>(
        stage: Stage,
        verdict: Verdict<T>,
        identity: Option<Identity>,
        requests: u32,
    ) -> Self {
        Self {
            verdict: verdict.map(|_| ()),
            stage: Some(stage),
            identity,
            viewer: None,
            requests,
        }
    }
}

/// GitHub, a clock and a retry policy: everything needed to judge a PAT.
#[derive(Clone, Debug)]
pub struct Verifier<G, C> {
    github: G,
    clock: C,
    policy: RetryPolicy,
}

/// One call's verdict and how many requests it took.
pub(crate) struct Attempted<T> {
    pub(crate) verdict: Verdict<T>,
    pub(crate) requests: u32,
}

impl<G: GithubApi, C: Clock> Verifier<G, C> {
    /// A verifier over these ports.
    pub fn new(github: G, clock: C, policy: RetryPolicy) -> Self {
        Self {
            github,
            clock,
            policy,
        }
    }

    /// The clock, for handlers that stamp what they store.
    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// The policy in force.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// Pre-checks `raw` (SPEC §5), then verifies it.
    pub async fn verify(&self, raw: &SecretString) -> VerifyReport {
        match Token::from_secret(raw) {
            Ok(token) => self.verify_token(&token).await,
            Err(error) => VerifyReport::stopped(
                Stage::Token,
                Verdict::<()>::invalid(error.to_string()),
                None,
                0,
            ),
        }
    }

    /// Identity, then (only if it is valid) the test query, inside one deadline.
    pub async fn verify_token(&self, token: &Token) -> VerifyReport {
        let started = self.clock.monotonic();
        let identity = self.identity(token, started).await;
        let mut requests = identity.requests;
        let identity = match identity.verdict {
            Verdict::Valid(identity) => identity,
            other @ (Verdict::Invalid { .. } | Verdict::Inconclusive { .. }) => {
                return VerifyReport::stopped(Stage::Identity, other, None, requests);
            }
        };
        let test_query = self.test_query(token, started).await;
        requests += test_query.requests;
        match test_query.verdict {
            Verdict::Valid(viewer) => VerifyReport {
                verdict: Verdict::Valid(()),
                stage: None,
                identity: Some(identity),
                viewer: Some(viewer),
                requests,
            },
            other @ (Verdict::Invalid { .. } | Verdict::Inconclusive { .. }) => {
                VerifyReport::stopped(Stage::TestQuery, other, Some(identity), requests)
            }
        }
    }

    /// `GET /user` with retries, within the deadline that began at `started`.
    pub(crate) async fn identity(
        &self,
        token: &Token,
        started: std::time::Duration,
    ) -> Attempted<Identity> {
        self.call(
            Endpoint::Identity,
            token,
            started,
            classify_identity_redacting,
        )
        .await
    }

    /// `POST /graphql` with retries, within the deadline that began at `started`.
    pub(crate) async fn test_query(
        &self,
        token: &Token,
        started: std::time::Duration,
    ) -> Attempted<Viewer> {
        self.call(
            Endpoint::TestQuery,
            token,
            started,
            classify_test_query_redacting,
        )
        .await
    }

    /// The driver: send, classify, ask the policy, sleep if told, until it says stop.
    async fn call<T>(
        &self,
        endpoint: Endpoint,
        token: &Token,
        started: std::time::Duration,
        classify: fn(&CallResult, UnixTime, &Token) -> Verdict<T>,
    ) -> Attempted<T> {
        let mut requests = 0;
        loop {
            let elapsed = self.clock.monotonic().saturating_sub(started);
            let remaining = self.policy.remaining(elapsed);
            if remaining.is_zero() {
                return Attempted {
                    verdict: Verdict::inconclusive(messages::deadline_passed(self.policy.deadline)),
                    requests,
                };
            }
            let result = self.github.send(endpoint, token, remaining).await;
            requests += 1;
            // GitHub's words may quote what it was sent: the classifier redacts the token
            // from every string it keeps, before cutting any (SPEC §5).
            let verdict = classify(&result, self.clock.wall(), token);
            let elapsed = self.clock.monotonic().saturating_sub(started);
            match self.policy.after_attempt(requests, elapsed, &verdict) {
                Next::Stop => return Attempted { verdict, requests },
                Next::Retry { wait } => self.clock.sleep(wait).await,
            }
        }
    }
}
