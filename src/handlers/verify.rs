//! The one async driver: runs a [`Verification`] over the ports (GitHub and the clock).
//! Every decision — retries, backoff, deadline, stage — is the machine's; this only sends,
//! sleeps and reads the clock.

use std::future::Future;
use std::ops::ControlFlow;

use secrecy::SecretString;

use crate::policy::RetryPolicy;
use crate::ports::{Clock, GithubApi};
use crate::report::VerifyReport;
use crate::verdict::Identity;
use crate::verification::{Halted, Step, Verification};

/// GitHub, a clock and a retry policy: everything needed to judge a PAT.
#[derive(Clone, Debug)]
pub struct Verifier<G, C> {
    github: G,
    clock: C,
    policy: RetryPolicy,
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
        Verification::start(raw, self.policy, self.clock.monotonic())
    }

    /// A verification of a pre-checked token starting now.
    pub(crate) fn start_token(&self, token: crate::token::Token) -> Step {
        Verification::with_token(token, self.policy, self.clock.monotonic())
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
                    let result = {
                        let request = call.request();
                        self.github
                            .send(request.endpoint(), request.token(), request.timeout())
                            .await
                    };
                    call.receive(result, self.clock.monotonic(), self.clock.wall())
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
                Step::Done(report) => return Ok(report),
            };
        }
    }
}

/// The pin of `verify`, `check` and `audit`: none, the identity is only reported.
pub(crate) fn no_pin(_: &Identity) -> std::future::Ready<ControlFlow<std::convert::Infallible>> {
    std::future::ready(ControlFlow::Continue(()))
}
