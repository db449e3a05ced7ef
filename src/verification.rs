//! One verification as a pure state machine: no `async`, no clock, no I/O.
//!
//! Modelled on ureq-proto's `Call`: the machine says what to do next, the caller does it with
//! whatever HTTP client and timer it has, and feeds back what came back together with the time
//! it is now. The same machine runs under the crate's async driver
//! ([`Verifier`](crate::Verifier)) and under a host that brings its own HTTP client.
//!
//! ```text
//!  Verification::start(raw PAT, policy, now)
//!     │ pre-check (token rules) ──✗──────────────────────────────────► Done (Invalid, stage: token)
//!     ▼
//!  ┌► Send(GET /user) ── receive(what came back, now, wall) ─┐
//!  │     ▲                                                    │ Inconclusive, attempts < 3,
//!  │     └──── Wait(until) ◄── resume(now) ───────────────────┤ backoff / Retry-After fits
//!  │                                                          │ the deadline
//!  │   deadline passed ───────────────────────────────────────┼──────► Done (Inconclusive)
//!  │                                         Invalid / Inconclusive ─► Done (stage: identity)
//!  │                                                          │ Valid(identity)
//!  │                                                          ▼
//!  │                       IdentityKnown(identity) ── stop(reason) ──► Halted(reason)
//!  │                                                          │ proceed(now)
//!  │                                                          ▼
//!  └─ the same loop for POST /graphql ──────────────────────────────► Done (stage: test_query,
//!       (a first 401 there, after the valid identity, is asked again once:      or Valid)
//!        GitHub contradicting itself; a second 401 is Invalid)
//! ```
//!
//! Each state is its own type and every transition consumes it, so a request after `Done` (or
//! after `stop`) does not compile: `Done` holds a report and nothing that can send.
//!
//! ## Walking it
//!
//! ```
//! use std::time::Duration;
//! use pat_verdict::{CallResult, Endpoint, HttpResponse, RetryPolicy, SecretString, UnixTime, Verdict};
//! use pat_verdict::verification::{Step, Verification};
//!
//! let wall = UnixTime(1_767_225_600);
//! let mut now = Duration::ZERO;
//! let mut step = Verification::start(&SecretString::from("ghp_example"), RetryPolicy::default(), now);
//! let mut sent = Vec::new();
//! let report = loop {
//!     step = match step {
//!         Step::Send(call) => {
//!             let request = call.request();
//!             sent.push((request.method(), request.path()));
//!             // Any HTTP client sends it; here GitHub answers from a script.
//!             let answer: CallResult = match (request.endpoint(), sent.len()) {
//!                 (Endpoint::Identity, _) => Ok(HttpResponse::new(200, r#"{"id": 42, "login": "octocat"}"#)),
//!                 (Endpoint::TestQuery, 2) => Ok(HttpResponse::new(503, "")), // an outage: retried
//!                 (Endpoint::TestQuery | Endpoint::OneCall, _) => Ok(HttpResponse::new(200, r#"{"data": {"viewer": {"login": "octocat"}}}"#)),
//!             };
//!             now += Duration::from_millis(100);
//!             call.receive(answer, now, wall)
//!         }
//!         Step::Wait(wait) => {
//!             now = wait.until(); // sleep
//!             wait.resume(now)
//!         }
//!         Step::IdentityKnown(known) => {
//!             assert_eq!(known.identity().github_id.as_str(), "42"); // pin it here
//!             known.proceed(now)
//!         }
//!         Step::Done(report) => break report,
//!     };
//! };
//! assert_eq!(report.verdict(), Verdict::Valid(()));
//! assert_eq!(sent, [("GET", "/user"), ("POST", "/graphql"), ("POST", "/graphql")]);
//! assert_eq!(report.requests(), 3);
//! ```

use std::convert::Infallible;
use std::time::Duration;

use secrecy::SecretString;

use crate::cause::Cause;
use crate::classify::{
    classify_identity_redacting, classify_one_call_redacting, classify_test_query_redacting,
};
use crate::http::{CallResult, Endpoint};
use crate::metrics::RequestOutcome;
use crate::outage::GuardOutcome;
use crate::policy::{Next, RetryPolicy};
use crate::report::{Stage, VerifyReport};
use crate::time::UnixTime;
use crate::token::Token;
use crate::verdict::{Identity, Verdict, Viewer};

/// What to do next. Every variant but [`Step::Done`] holds the machine; each of their
/// methods consumes it and answers the next step.
#[derive(Debug)]
pub enum Step {
    /// Send this request, then [`SendRequest::receive`] what came back.
    Send(SendRequest),
    /// Wait (a backoff or a `Retry-After`) until [`Wait::until`], then [`Wait::resume`].
    Wait(Wait),
    /// The identity call was valid: the caller may pin the account
    /// ([`IdentityKnown::proceed`] or [`IdentityKnown::stop`]).
    IdentityKnown(IdentityKnown),
    /// The verification is over.
    Done(VerifyReport),
}

/// The machine's state between transitions (private: only the step types reach it).
#[derive(Debug)]
struct Machine {
    token: Token,
    policy: RetryPolicy,
    /// The monotonic reading the deadline counts from.
    started: Duration,
    /// Requests sent so far, both calls.
    requests: u32,
    /// The call in progress (and, during the test query, the identity it follows).
    call: Call,
    /// Attempts of that call so far.
    attempts: u32,
    /// Whether a test-query 401 after a valid identity was already asked again (once per
    /// verification, docs/contract.md §4 "GitHub contradicting itself").
    contradiction_retried: bool,
}

/// Which calls a verification makes: gittensor's two (the default), or the one GraphQL call
/// that answers both questions (docs/contract.md §11). A plan of its own: the machine's
/// states are the same, only the first call and what its valid answer leads to differ.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Plan {
    /// `GET /user`, the identity pin point, then `POST /graphql` (docs/contract.md §1).
    #[default]
    TwoCalls,
    /// One `POST /graphql` asking for `viewer { login databaseId }`: its valid answer is the
    /// identity and the verdict at once; every failure is at stage `test_query`. There is no
    /// pin point before it (no call is left to spare); a broadcast pins at the save.
    OneCall,
}

/// Entry points: a verification starts here.
#[derive(Debug)]
pub struct Verification;

impl Verification {
    /// Pre-checks `raw` (surrounding whitespace stripped; empty or not visible ASCII is
    /// invalid with no request), then starts with the identity call. `now` is a monotonic
    /// reading: the deadline counts from it.
    #[must_use]
    pub fn start(raw: &SecretString, policy: RetryPolicy, now: Duration) -> Step {
        Self::start_planned(raw, Plan::TwoCalls, policy, now)
    }

    /// [`start`](Self::start) with the calls `plan` says.
    #[must_use]
    pub fn start_planned(
        raw: &SecretString,
        plan: Plan,
        policy: RetryPolicy,
        now: Duration,
    ) -> Step {
        match Token::from_secret(raw) {
            Ok(token) => Self::with_token_planned(token, plan, policy, now),
            Err(error) => Step::Done(VerifyReport::stopped(
                Stage::Token,
                Verdict::because(Cause::MalformedToken(error), None),
                None,
                0,
            )),
        }
    }

    /// Starts with a token that already passed the pre-check (the handlers answer a bad token
    /// with their own words).
    #[must_use]
    pub fn with_token(token: Token, policy: RetryPolicy, now: Duration) -> Step {
        Self::with_token_planned(token, Plan::TwoCalls, policy, now)
    }

    /// [`with_token`](Self::with_token) with the calls `plan` says.
    #[must_use]
    pub fn with_token_planned(
        token: Token,
        plan: Plan,
        policy: RetryPolicy,
        now: Duration,
    ) -> Step {
        Machine {
            token,
            policy,
            started: now,
            requests: 0,
            call: match plan {
                Plan::TwoCalls => Call::Identity,
                Plan::OneCall => Call::Both,
            },
            attempts: 0,
            contradiction_retried: false,
        }
        .ready(now)
    }
}

impl Machine {
    /// About to make an attempt of the current call: send it, unless the deadline has passed.
    fn ready(self, now: Duration) -> Step {
        let timeout = self.remaining(now);
        if timeout.is_zero() {
            let deadline = self.policy.deadline;
            let verdict = Verdict::because(Cause::Deadline { deadline }, None);
            return self.finish(verdict);
        }
        Step::Send(SendRequest {
            machine: self,
            timeout,
        })
    }

    fn remaining(&self, now: Duration) -> Duration {
        self.policy.remaining(now.saturating_sub(self.started))
    }

    /// Ends the verification with the current call's verdict (not valid, or no time left),
    /// at that call's stage.
    fn finish(self, verdict: Verdict<Infallible>) -> Step {
        let (stage, identity) = match self.call {
            Call::Identity => (Stage::Identity, None),
            Call::TestQuery(identity) => (Stage::TestQuery, Some(identity)),
            Call::Both => (Stage::TestQuery, None),
        };
        Step::Done(VerifyReport::stopped(
            stage,
            verdict,
            identity,
            self.requests,
        ))
    }

    /// What the policy says after an attempt that gave `verdict`.
    fn next<T>(&self, verdict: &Verdict<T>, now: Duration) -> Next {
        let elapsed = now.saturating_sub(self.started);
        self.policy.after_attempt(self.attempts, elapsed, verdict)
    }

    /// Waits `wait` from `now` before the next attempt of the same call.
    fn wait(self, wait: Duration, now: Duration) -> Step {
        Step::Wait(Wait {
            until: now.saturating_add(wait),
            machine: self,
        })
    }

    /// A valid identity lookup: the test query comes next, with the identity.
    fn identity_known(self, identity: Identity) -> Step {
        Step::IdentityKnown(IdentityKnown {
            machine: self,
            identity,
        })
    }

    /// A valid one call (docs/contract.md §11): the whole verdict.
    fn valid_in_one_call(self, identity: Identity) -> Step {
        Step::Done(VerifyReport::Valid {
            viewer: Viewer {
                login: identity.login.clone(),
            },
            identity,
            requests: self.requests,
        })
    }

    /// A call's `verdict` on `result`: retried when the policy says so, else the end at this
    /// call's stage, or `valid` with its payload.
    fn answered<T>(
        self,
        endpoint: Endpoint,
        result: &CallResult,
        verdict: Verdict<T>,
        now: Duration,
        valid: impl FnOnce(Self, T) -> Step,
    ) -> (Step, Answered) {
        let answered = Answered::of(endpoint, result, &verdict);
        let step = match self.next(&verdict, now) {
            Next::Retry { wait } => self.wait(wait, now),
            Next::Stop => match verdict.into_result() {
                Ok(payload) => valid(self, payload),
                Err(failure) => self.finish(failure),
            },
        };
        (step, answered)
    }

    /// The test query's answer, after `identity` (taken out of the machine, which holds it
    /// again for any further attempt).
    fn test_query_answered(
        mut self,
        identity: Identity,
        result: &CallResult,
        now: Duration,
        wall: UnixTime,
    ) -> (Step, Answered) {
        let verdict = classify_test_query_redacting(result, wall, &self.token);
        let answered = Answered::of(Endpoint::TestQuery, result, &verdict);
        if self.contradicts_identity(result, &verdict) {
            self.call = Call::TestQuery(identity);
            return (self.ask_again(now), answered);
        }
        let step = match self.next(&verdict, now) {
            Next::Retry { wait } => {
                self.call = Call::TestQuery(identity);
                self.wait(wait, now)
            }
            Next::Stop => Step::Done(match verdict.into_result() {
                Ok(viewer) => VerifyReport::Valid {
                    identity,
                    viewer,
                    requests: self.requests,
                },
                Err(failure) => {
                    VerifyReport::stopped(Stage::TestQuery, failure, Some(identity), self.requests)
                }
            }),
        };
        (step, answered)
    }
}

impl Machine {
    /// Whether the test query's answer is a 401 that is evidence, right after this
    /// verification's identity lookup was valid, for the first time: GitHub contradicting
    /// itself (its GraphQL authentication has flapped in incidents while REST kept working).
    fn contradicts_identity<T>(&self, result: &CallResult, verdict: &Verdict<T>) -> bool {
        !self.contradiction_retried
            && matches!(verdict, Verdict::Invalid { .. })
            && matches!(result, Ok(response) if response.status == 401)
    }

    /// Asks again once, like an inconclusive answer: the retry counts as an attempt and must
    /// fit the deadline. When it cannot, nothing settled the contradiction: inconclusive.
    fn ask_again(mut self, now: Duration) -> Step {
        self.contradiction_retried = true;
        let elapsed = now.saturating_sub(self.started);
        match self.policy.next_attempt(self.attempts, elapsed, None) {
            Next::Retry { wait } => self.wait(wait, now),
            Next::Stop => self.finish(Verdict::because(Cause::Contradicted, None)),
        }
    }
}

/// The call in progress. The test query follows a valid identity, so it carries it: a
/// verification that ends after it always knows who owns the PAT.
#[derive(Debug)]
enum Call {
    /// `GET /user`.
    Identity,
    /// `POST /graphql`, after this identity.
    TestQuery(Identity),
    /// The one `POST /graphql` of [`Plan::OneCall`].
    Both,
}

impl Call {
    const fn endpoint(&self) -> Endpoint {
        match self {
            Self::Identity => Endpoint::Identity,
            Self::TestQuery(_) => Endpoint::TestQuery,
            Self::Both => Endpoint::OneCall,
        }
    }
}

/// A request to send. Holds the token: its `Debug` shows only the endpoint.
pub struct SendRequest {
    machine: Machine,
    timeout: Duration,
}

impl std::fmt::Debug for SendRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendRequest")
            .field("endpoint", &self.machine.call.endpoint())
            .field("attempt", &(self.machine.attempts + 1))
            .finish_non_exhaustive()
    }
}

/// Everything a host needs to send one GitHub call with any HTTP client. The token appears
/// only in [`Request::authorization`]; `Debug` never shows it.
#[derive(Clone, Copy)]
pub struct Request<'a> {
    endpoint: Endpoint,
    token: &'a Token,
    timeout: Duration,
}

impl std::fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method())
            .field("path", &self.path())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl<'a> Request<'a> {
    /// Which call this is.
    #[must_use]
    pub fn endpoint(&self) -> Endpoint {
        self.endpoint
    }

    /// The HTTP method (`GET`, `POST`).
    #[must_use]
    pub fn method(&self) -> &'static str {
        self.endpoint.method()
    }

    /// The path under the API root (`/user`, `/graphql`).
    #[must_use]
    pub fn path(&self) -> &'static str {
        self.endpoint.path()
    }

    /// The body, for the call that has one (JSON).
    #[must_use]
    pub fn body(&self) -> Option<&'static str> {
        self.endpoint.body()
    }

    /// The `Accept` header's value.
    #[must_use]
    pub fn accept(&self) -> &'static str {
        self.endpoint.accept()
    }

    /// The `Content-Type` header's value, for the call that has a body.
    #[must_use]
    pub fn content_type(&self) -> Option<&'static str> {
        self.endpoint.content_type()
    }

    /// The `Authorization` header's value (`token …` or `Bearer …`). It holds the secret: put
    /// it in the request and nowhere else.
    #[must_use]
    pub fn authorization(&self) -> String {
        self.endpoint.authorization(self.token)
    }

    /// The token, for ports that build the request themselves.
    #[must_use]
    pub fn token(&self) -> &'a Token {
        self.token
    }

    /// How long the request may take: what is left of the verdict's deadline.
    #[must_use]
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
}

impl SendRequest {
    /// The request to send. Its timeout is what was left of the deadline when this step
    /// was made.
    #[must_use]
    pub fn request(&self) -> Request<'_> {
        Request {
            endpoint: self.machine.call.endpoint(),
            token: &self.machine.token,
            timeout: self.timeout,
        }
    }

    /// Feeds back what came back (a response of any status, or a transport failure), at
    /// monotonic `now` and wall time `wall` (for `x-ratelimit-reset`).
    #[must_use]
    pub fn receive(self, result: CallResult, now: Duration, wall: UnixTime) -> Step {
        self.receive_answered(&result, now, wall).0
    }

    /// [`receive`](Self::receive), and what this one answer was apart from where the
    /// verification goes next: what an outage guard and the counters read
    /// (docs/contract.md §10).
    #[must_use]
    pub fn receive_answered(
        self,
        result: &CallResult,
        now: Duration,
        wall: UnixTime,
    ) -> (Step, Answered) {
        let mut machine = self.machine;
        machine.requests += 1;
        machine.attempts += 1;
        // The identity is taken out for the test query's answer, which ends with it or puts
        // it back; `Identity` stands in meanwhile.
        match std::mem::replace(&mut machine.call, Call::Identity) {
            // GitHub's words may quote what it was sent: the classifier redacts the token from
            // every string it keeps (reason, login, id, scopes) before cutting any
            // (docs/contract.md §5).
            Call::Identity => {
                let verdict = classify_identity_redacting(result, wall, &machine.token);
                let valid = Machine::identity_known;
                machine.answered(Endpoint::Identity, result, verdict, now, valid)
            }
            Call::Both => {
                machine.call = Call::Both;
                let verdict = classify_one_call_redacting(result, wall, &machine.token);
                let valid = Machine::valid_in_one_call;
                machine.answered(Endpoint::OneCall, result, verdict, now, valid)
            }
            Call::TestQuery(identity) => machine.test_query_answered(identity, result, now, wall),
        }
    }

    /// The outage guard answered for this request instead of GitHub (docs/contract.md §10):
    /// the verification ends at this call's stage with `verdict` (Inconclusive, from
    /// the guard's refusal), and no request is counted: none was sent.
    #[must_use]
    pub fn refuse(self, verdict: Verdict<Infallible>) -> Step {
        self.machine.finish(verdict)
    }
}

/// One answer as an outage guard and the counters read it: which call, the status class and
/// what it means to the guard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answered {
    /// The call it answered.
    pub endpoint: Endpoint,
    /// Its status class (the `outcome` label of the request counter).
    pub outcome: RequestOutcome,
    /// What it means to the outage guard.
    pub guard: GuardOutcome,
}

impl Answered {
    fn of<T>(endpoint: Endpoint, result: &CallResult, verdict: &Verdict<T>) -> Self {
        Self {
            endpoint,
            outcome: RequestOutcome::of(result),
            guard: GuardOutcome::of_verdict(verdict),
        }
    }
}

/// A wait before the next attempt of the same call.
#[derive(Debug)]
pub struct Wait {
    until: Duration,
    machine: Machine,
}

impl Wait {
    /// The monotonic instant to wait for.
    #[must_use]
    pub fn until(&self) -> Duration {
        self.until
    }

    /// How long that is from `now`.
    #[must_use]
    pub fn duration_from(&self, now: Duration) -> Duration {
        self.until.saturating_sub(now)
    }

    /// The wait is over (at monotonic `now`): the next attempt, or the end if the deadline
    /// passed meanwhile.
    #[must_use]
    pub fn resume(self, now: Duration) -> Step {
        self.machine.ready(now)
    }
}

/// The identity call was valid; the test query has not been sent.
#[derive(Debug)]
pub struct IdentityKnown {
    machine: Machine,
    identity: Identity,
}

/// A verification the caller stopped at the identity (the pin refused it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Halted<R> {
    /// The caller's reason.
    pub reason: R,
    /// The identity that was known.
    pub identity: Identity,
    /// Requests made so far.
    pub requests: u32,
}

impl IdentityKnown {
    /// Who owns the PAT.
    #[must_use]
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The pin allows it: go on to the test query (at monotonic `now`), within the same
    /// deadline.
    #[must_use]
    pub fn proceed(self, now: Duration) -> Step {
        let mut machine = self.machine;
        machine.call = Call::TestQuery(self.identity);
        machine.attempts = 0;
        machine.ready(now)
    }

    /// The pin refuses it: the verification ends here, with the caller's `reason`.
    #[must_use]
    pub fn stop<R>(self, reason: R) -> Halted<R> {
        Halted {
            reason,
            identity: self.identity,
            requests: self.machine.requests,
        }
    }
}
