//! The one async driver: runs a [`Verification`] over the ports (GitHub and the clock).
//! Every decision — retries, backoff, deadline, stage — is the machine's, and whether a
//! request may go is the outage guard's; this only asks them, sends, sleeps, reads the clock
//! and counts (docs/contract.md §10).

use std::future::Future;
use std::ops::ControlFlow;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use secrecy::SecretString;

use crate::counters::Counters;
use crate::outage::{OutageGuard, OutageSettings, OutageState, Permit};
use crate::policy::RetryPolicy;
use crate::ports::{Clock, GithubApi};
use crate::report::VerifyReport;
use crate::token::TokenIds;
use crate::verdict::Identity;
use crate::verification::{Halted, Plan, Step, Verification};

/// GitHub, a clock and a retry policy: everything needed to judge a PAT; with the outage
/// guard and the counters every verification of this verifier (and of its clones, and of the
/// [`Validator`](crate::Validator) over it) shares.
#[derive(Clone, Debug)]
pub struct Verifier<G, C> {
    github: G,
    clock: C,
    policy: RetryPolicy,
    plan: Plan,
    shared: Arc<Shared>,
}

/// What every verification of one verifier shares, each behind its own lock (held for a
/// quick decision or a few additions, never across a request).
#[derive(Debug, Default)]
struct Shared {
    guard: Mutex<OutageGuard>,
    counters: Mutex<Counters>,
    /// Names each token for the guard without the guard keeping it.
    token_ids: TokenIds,
}

/// The value behind `lock`, even if a thread panicked while holding it: the guard and the
/// counters are plain values, consistent after every method.
fn locked<T>(lock: &Mutex<T>) -> MutexGuard<'_, T> {
    lock.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<G: GithubApi, C: Clock> Verifier<G, C> {
    /// A verifier over these ports, with the default outage guard (docs/contract.md §10:
    /// threshold 6, cool-down 30 s).
    pub fn new(github: G, clock: C, policy: RetryPolicy) -> Self {
        Self {
            github,
            clock,
            policy,
            plan: Plan::TwoCalls,
            shared: Arc::default(),
        }
    }

    /// The same verifier making the calls `plan` says: [`Plan::OneCall`] is the one round
    /// trip of docs/contract.md §11 (`--one-call`, Python's `one_call=True`).
    #[must_use]
    pub fn with_plan(self, plan: Plan) -> Self {
        Self { plan, ..self }
    }

    /// The calls each verification makes.
    pub fn plan(&self) -> Plan {
        self.plan
    }

    /// The same verifier with a fresh outage guard of these settings
    /// ([`OutageSettings::off`] turns it off) and fresh counters.
    #[must_use]
    pub fn with_outage(self, settings: OutageSettings) -> Self {
        Self {
            shared: Arc::new(Shared {
                guard: Mutex::new(OutageGuard::new(settings)),
                ..Shared::default()
            }),
            ..self
        }
    }

    /// The outage guard's state: `None` while closed (requests go), else since when it is
    /// open, when the next probe may go and how many failures it counted.
    pub fn outage(&self) -> Option<OutageState> {
        locked(&self.shared.guard).state()
    }

    /// A copy of the counters as they are now.
    pub fn counters(&self) -> Counters {
        locked(&self.shared.counters).clone()
    }

    /// The counters as Prometheus text (docs/contract.md §10).
    pub fn metrics_text(&self) -> String {
        let open = locked(&self.shared.guard).is_open();
        locked(&self.shared.counters).to_prometheus(open)
    }

    /// The counters as plain data (Python's `.metrics()`), the guard's gauge included.
    pub fn metrics_json(&self) -> serde_json::Value {
        let open = locked(&self.shared.guard).is_open();
        locked(&self.shared.counters).to_json(open)
    }

    /// Counts what a handler answered (the driver of `check` and `broadcast`).
    pub(crate) fn count(&self, count: impl FnOnce(&mut Counters)) {
        count(&mut locked(&self.shared.counters));
    }

    /// The clock, for handlers that stamp what they store.
    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// Pre-checks `raw`, then the identity and (only if it is valid) the test query, inside
    /// one deadline.
    pub async fn verify(&self, raw: &SecretString) -> VerifyReport {
        let step = self.start(raw);
        match self.drive(step, no_pin).await {
            Ok(report) => report,
            Err(halted) => match halted.reason {},
        }
    }

    /// Verifies a pre-checked token (no pin): what *check* does with a stored PAT.
    pub(crate) async fn verify_token(&self, token: crate::token::Token) -> VerifyReport {
        let step = self.start_token(token);
        match self.drive(step, no_pin).await {
            Ok(report) => report,
            Err(halted) => match halted.reason {},
        }
    }

    /// A verification of `raw` starting now.
    pub(crate) fn start(&self, raw: &SecretString) -> Step {
        Verification::start_planned(raw, self.plan, self.policy, self.clock.monotonic())
    }

    /// A verification of a pre-checked token starting now.
    pub(crate) fn start_token(&self, token: crate::token::Token) -> Step {
        Verification::with_token_planned(token, self.plan, self.policy, self.clock.monotonic())
    }

    /// Runs the machine from `step` to its end: sends what it asks, sleeps until it says,
    /// and at the identity asks `pin` whether to go on.
    pub(crate) async fn drive<R, P, F>(
        &self,
        mut step: Step,
        pin: P,
    ) -> Result<VerifyReport, Halted<R>>
    where
        P: FnOnce(&Identity) -> F,
        F: Future<Output = ControlFlow<R>>,
    {
        let mut pin = Some(pin);
        loop {
            step = match step {
                Step::Send(call) => {
                    let (endpoint, timeout, token_id) = {
                        let request = call.request();
                        let token_id = self.shared.token_ids.id(request.token());
                        (request.endpoint(), request.timeout(), token_id)
                    };
                    let permit =
                        locked(&self.shared.guard).before_request(self.clock.monotonic(), timeout);
                    let probe = match permit {
                        Permit::ShortCircuit(refusal) => {
                            step = call.refuse(refusal.verdict());
                            continue;
                        }
                        Permit::Go => None,
                        Permit::Probe(ticket) => Some(ticket),
                    };
                    // A probe whose future is dropped here is released by its lease (the
                    // request's timeout plus the grace): it never wedges the guard.
                    let sent = self.clock.monotonic();
                    let result = {
                        let request = call.request();
                        self.github.send(endpoint, request.token(), timeout).await
                    };
                    let (now, wall) = (self.clock.monotonic(), self.clock.wall());
                    let (next, answered) = call.receive_answered(&result, now, wall);
                    let change = {
                        let mut guard = locked(&self.shared.guard);
                        match probe {
                            Some(ticket) => {
                                guard.record_probe(ticket, answered.guard, token_id, now, wall)
                            }
                            None => guard.record(answered.guard, token_id, now, wall),
                        }
                    };
                    {
                        let mut counters = locked(&self.shared.counters);
                        counters.count_request(&answered, now.saturating_sub(sent));
                        counters.count_guard(change);
                    }
                    next
                }
                Step::Wait(wait) => {
                    self.clock
                        .sleep(wait.duration_from(self.clock.monotonic()))
                        .await;
                    wait.resume(self.clock.monotonic())
                }
                Step::IdentityKnown(known) => {
                    let decision = match pin.take() {
                        Some(pin) => pin(known.identity()).await,
                        None => ControlFlow::Continue(()),
                    };
                    match decision {
                        ControlFlow::Continue(()) => known.proceed(self.clock.monotonic()),
                        ControlFlow::Break(reason) => return Err(known.stop(reason)),
                    }
                }
                Step::Done(report) => {
                    let cause = report.cause_kind();
                    self.count(|counters| counters.count_verdict(cause));
                    return Ok(report);
                }
            };
        }
    }
}

/// The pin of `verify`, `check` and `audit`: none, the identity is only reported.
pub(crate) fn no_pin(_: &Identity) -> std::future::Ready<ControlFlow<std::convert::Infallible>> {
    std::future::ready(ControlFlow::Continue(()))
}
