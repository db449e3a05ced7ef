//! Retries and the deadline, as pure functions of (attempts, elapsed, verdict) (docs/contract.md §4).
//!
//! An inconclusive call is retried with exponential backoff while the deadline allows, at most
//! three attempts; a valid or invalid one never is (the answer would not change). A
//! `Retry-After` that ends past the deadline is not waited for: the verdict is inconclusive at
//! once and carries the wait, so the caller can pass it on.

use std::time::Duration;

use crate::verdict::Verdict;

/// One bound for a whole verdict, a dendrite's default timeout.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(12);

/// How hard to try before answering "inconclusive".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per call, the first included.
    pub max_attempts: u32,
    /// Wait before the second attempt; doubled for each further one.
    pub first_backoff: Duration,
    /// Upper bound of the backoff (a `Retry-After` may ask for more).
    pub max_backoff: Duration,
    /// Bound for the whole verdict: identity, test query and every retry.
    pub deadline: Duration,
    /// A retry is not started unless at least this much of the deadline is left after the
    /// wait: an attempt with no time to answer only adds load on a struggling GitHub.
    pub min_attempt_time: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            first_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(4),
            deadline: DEFAULT_DEADLINE,
            min_attempt_time: Duration::from_millis(250),
        }
    }
}

impl RetryPolicy {
    /// The default policy with another deadline.
    #[must_use]
    pub fn with_deadline(deadline: Duration) -> Self {
        Self {
            deadline,
            ..Self::default()
        }
    }

    /// What to do after `attempts` attempts of one call, `elapsed` into the verdict's
    /// deadline, when the last one gave `verdict`.
    #[must_use]
    pub fn after_attempt<T>(&self, attempts: u32, elapsed: Duration, verdict: &Verdict<T>) -> Next {
        let Verdict::Inconclusive { retry_after, .. } = verdict else {
            return Next::Stop;
        };
        self.next_attempt(attempts, elapsed, *retry_after)
    }

    /// Whether one more attempt fits after `attempts` attempts of one call, `elapsed` into
    /// the deadline, when the answer asked for `retry_after`: the same rule for every retry
    /// (an inconclusive answer, or GitHub contradicting itself, docs/contract.md §4), so no
    /// retry ever exceeds the attempts or the deadline.
    #[must_use]
    pub fn next_attempt(
        &self,
        attempts: u32,
        elapsed: Duration,
        retry_after: Option<Duration>,
    ) -> Next {
        if attempts >= self.max_attempts {
            return Next::Stop;
        }
        let wait = self
            .backoff(attempts)
            .max(retry_after.unwrap_or(Duration::ZERO));
        let resumes_at = elapsed.saturating_add(wait);
        if resumes_at.saturating_add(self.min_attempt_time) > self.deadline {
            return Next::Stop;
        }
        Next::Retry { wait }
    }

    /// The backoff after `attempts` attempts: `first_backoff × 2^(attempts-1)`, capped.
    #[must_use]
    pub fn backoff(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(16);
        self.first_backoff
            .saturating_mul(1 << doublings)
            .min(self.max_backoff)
    }

    /// How much of the deadline is left `elapsed` into it.
    #[must_use]
    pub fn remaining(&self, elapsed: Duration) -> Duration {
        self.deadline.saturating_sub(elapsed)
    }
}

/// The policy's answer after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Sleep `wait`, then try the same call again.
    Retry {
        /// How long to sleep first.
        wait: Duration,
    },
    /// Keep this verdict.
    Stop,
}
