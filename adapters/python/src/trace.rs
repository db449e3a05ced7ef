//! What a call did, for its log records: every request it sent and what came back (never
//! the token), and how long it took — recorded on the runtime's threads without the GIL, so
//! Python can log each retry afterwards in the caller's thread.
//!
//! A leaf: it names only the core's port and the clock adapter.

use std::cell::RefCell;
use std::future::Future;
use std::time::Duration;

use async_trait::async_trait;
use pat_verdict::{CallResult, Clock, Endpoint, GithubApi, Token};
use pat_verdict_system_clock::SystemClock;

/// One request a call sent, and in a few words what came back (never the token).
#[derive(Clone, Debug)]
pub(crate) struct Sent {
    pub(crate) endpoint: Endpoint,
    pub(crate) outcome: String,
}

tokio::task_local! {
    /// The requests of the call running in this task.
    static TRAIL: RefCell<Vec<Sent>>;
}

/// What one call did: its requests in order and how long it took.
#[derive(Debug, Default)]
pub(crate) struct Trail {
    pub(crate) sent: Vec<Sent>,
    pub(crate) elapsed: Duration,
}

/// Runs `call`, recording every request it sends through [`Logged`] and the time it took.
///
/// The elapsed time is read twice from one clock: the system clock's monotonic reading counts
/// from the clock's own creation, so a reading from a clock made for the end alone would be
/// about zero (every record said `in 0 ms`, even for a call that took a second).
pub(crate) async fn traced<T>(call: impl Future<Output = T>) -> (T, Trail) {
    let clock = SystemClock::new();
    let started = clock.monotonic();
    TRAIL
        .scope(RefCell::new(Vec::new()), async move {
            let out = call.await;
            let sent = TRAIL.with(RefCell::take);
            (
                out,
                Trail {
                    sent,
                    elapsed: clock.monotonic().saturating_sub(started),
                },
            )
        })
        .await
}

/// A GitHub client that notes each request of the current call in its [`Trail`].
#[derive(Debug)]
pub(crate) struct Logged<G>(pub(crate) G);

#[async_trait]
impl<G: GithubApi> GithubApi for Logged<G> {
    async fn send(&self, endpoint: Endpoint, token: &Token, timeout: Duration) -> CallResult {
        let result = self.0.send(endpoint, token, timeout).await;
        let outcome = match &result {
            Ok(response) => format!("answered {}", response.status),
            // The kind only: an adapter's detail is free text.
            Err(error) => format!("failed in transport ({})", error.kind),
        };
        // Outside a traced call (none today) there is nothing to note it in.
        let _ = TRAIL.try_with(|trail| trail.borrow_mut().push(Sent { endpoint, outcome }));
        result
    }
}
