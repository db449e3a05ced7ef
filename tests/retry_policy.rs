//! docs/contract.md §4, retries and the deadline, on the pure policy: Valid and Invalid are never retried;
//! Inconclusive is retried while attempts < 3 and the deadline allows; never more than three
//! attempts; a `Retry-After` that would end past the deadline is not waited for; waits are at
//! least the `Retry-After`; the backoff grows. No clock, no sleeping.

mod common;

use std::time::Duration;

use common::config;
use pat_verdict::{Cause, Endpoint, RateLimit, Verdict};
use pat_verdict::{DEFAULT_DEADLINE, Next, RetryPolicy};
use proptest::prelude::*;

const MAX_ATTEMPTS: u32 = 3;

/// The default policy, or the default with any deadline from 0 to 60 s (the CLI's `--timeout`).
fn arb_policy() -> impl Strategy<Value = RetryPolicy> {
    prop_oneof![
        Just(RetryPolicy::default()),
        (0_u64..=60_000).prop_map(|ms| RetryPolicy::with_deadline(Duration::from_millis(ms))),
    ]
}

/// A `Retry-After`: none, short, long, or absurd.
fn arb_retry_after() -> impl Strategy<Value = Option<Duration>> {
    prop_oneof![
        Just(None),
        (0_u64..=5_000).prop_map(|ms| Some(Duration::from_millis(ms))),
        (0_u64..=120).prop_map(|s| Some(Duration::from_secs(s))),
        any::<u64>().prop_map(|s| Some(Duration::from_secs(s))),
    ]
}

fn arb_inconclusive() -> impl Strategy<Value = Verdict> {
    (arb_retry_after(), any::<bool>())
        .prop_map(|(retry_after, rate_limited)| inconclusive(retry_after, rate_limited))
}

/// An Inconclusive verdict: a rate limit (429) or GitHub down (503), with this wait.
fn inconclusive(retry_after: Option<Duration>, rate_limited: bool) -> Verdict {
    let endpoint = Endpoint::TestQuery;
    let cause = if rate_limited {
        Cause::RateLimited(RateLimit::Status {
            endpoint,
            status: 429,
            wait: retry_after,
        })
    } else {
        Cause::GithubDown {
            endpoint,
            status: 503,
        }
    };
    Verdict::because(cause, retry_after)
}

/// Attempts so far: mostly the ones that may be retried, sometimes any count at all.
fn arb_attempts() -> impl Strategy<Value = u32> {
    prop_oneof![4 => 1..MAX_ATTEMPTS, 1 => any::<u32>()]
}

fn arb_elapsed() -> impl Strategy<Value = Duration> {
    prop_oneof![
        (0_u64..=15_000).prop_map(Duration::from_millis),
        (0_u64..=120_000).prop_map(Duration::from_millis),
        any::<u64>().prop_map(Duration::from_secs),
    ]
}

proptest! {
    #![proptest_config(config(256))]

    /// §4: a Valid call is never retried (the answer would not change).
    #[test]
    fn policy_valid_is_never_retried(
        policy in arb_policy(),
        attempts in any::<u32>(),
        elapsed in arb_elapsed(),
    ) {
        prop_assert_eq!(policy.after_attempt(attempts, elapsed, &Verdict::Valid(())), Next::Stop);
    }

    /// §4: an Invalid call is never retried.
    #[test]
    fn policy_invalid_is_never_retried(
        policy in arb_policy(),
        attempts in any::<u32>(),
        elapsed in arb_elapsed(),
        reason in "\\PC{0,20}",
    ) {
        let verdict: Verdict = Verdict::because(Cause::GraphqlError { message: Some(reason) }, None);
        prop_assert_eq!(policy.after_attempt(attempts, elapsed, &verdict), Next::Stop);
    }

    /// §4: at most 3 attempts per call, whatever the deadline.
    #[test]
    fn policy_never_more_than_three_attempts(
        policy in arb_policy(),
        attempts in prop_oneof![3 => Just(MAX_ATTEMPTS), 1 => MAX_ATTEMPTS..=10, 1 => Just(u32::MAX)],
        elapsed in arb_elapsed(),
        verdict in arb_inconclusive(),
    ) {
        prop_assert_eq!(policy.after_attempt(attempts, elapsed, &verdict), Next::Stop);
    }

    /// §4: an Inconclusive call is retried while attempts < 3 and the deadline allows (here:
    /// the longest backoff or the `Retry-After`, plus a second to answer, fits).
    #[test]
    fn policy_inconclusive_is_retried_while_deadline_allows(
        (policy, verdict, elapsed) in prop_oneof![
            Just(RetryPolicy::default()),
            (6_000_u64..=60_000).prop_map(|ms| RetryPolicy::with_deadline(Duration::from_millis(ms))),
        ]
        .prop_flat_map(|policy| {
            let room = policy.deadline.saturating_sub(policy.max_backoff + Duration::from_secs(1));
            let room_ms = u64::try_from(room.as_millis()).unwrap_or(u64::MAX);
            let retry_after = proptest::option::of((0..=room_ms).prop_map(Duration::from_millis));
            (Just(policy), retry_after, any::<bool>(), any::<proptest::sample::Index>())
        })
        .prop_map(|(policy, retry_after, rate_limited, at)| {
            let wanted = policy.max_backoff.max(retry_after.unwrap_or_default());
            let slack = policy.deadline.saturating_sub(wanted + Duration::from_secs(1));
            let slack_ms = usize::try_from(slack.as_millis()).unwrap_or(usize::MAX);
            let elapsed_ms = u64::try_from(at.index(slack_ms + 1)).unwrap_or(0);
            let verdict: Verdict = inconclusive(retry_after, rate_limited);
            (policy, verdict, Duration::from_millis(elapsed_ms))
        }),
        attempts in 1..MAX_ATTEMPTS,
    ) {
        let wanted = policy.max_backoff.max(verdict.retry_after().unwrap_or_default());
        prop_assert!(elapsed + wanted + Duration::from_secs(1) <= policy.deadline);
        let next = policy.after_attempt(attempts, elapsed, &verdict);
        prop_assert!(matches!(next, Next::Retry { .. }), "{:?}", next);
    }

    /// §4 with the default 12 s deadline: the first and second failures early in the verdict
    /// are retried.
    #[test]
    fn policy_default_retries_early_failures(
        attempts in 1..MAX_ATTEMPTS,
        elapsed_ms in 0_u64..=5_000,
        retry_after_ms in proptest::option::of(0_u64..=2_000),
    ) {
        let verdict: Verdict = inconclusive(retry_after_ms.map(Duration::from_millis), false);
        let next = RetryPolicy::default().after_attempt(
            attempts,
            Duration::from_millis(elapsed_ms),
            &verdict,
        );
        prop_assert!(matches!(next, Next::Retry { .. }), "{:?}", next);
    }

    /// §4: a retry never ends past the deadline — the wait ends before it.
    #[test]
    fn policy_retry_never_ends_past_deadline(
        policy in arb_policy(),
        attempts in arb_attempts(),
        elapsed in arb_elapsed(),
        verdict in arb_inconclusive(),
    ) {
        if let Next::Retry { wait } = policy.after_attempt(attempts, elapsed, &verdict) {
            let end = elapsed.checked_add(wait);
            prop_assert!(end.is_some_and(|end| end < policy.deadline), "{:?} + {:?}", elapsed, wait);
        }
    }

    /// §4: a `Retry-After` that ends past the deadline is not waited for: Stop at once (the
    /// verdict, unchanged, carries the `retry_after`).
    #[test]
    fn policy_retry_after_past_deadline_stops(
        policy in arb_policy(),
        attempts in 1..MAX_ATTEMPTS,
        elapsed in arb_elapsed(),
        past_by_ms in 1_u64..=60_000,
        rate_limited in any::<bool>(),
    ) {
        let retry_after = policy
            .deadline
            .saturating_sub(elapsed)
            .saturating_add(Duration::from_millis(past_by_ms));
        let verdict: Verdict = inconclusive(Some(retry_after), rate_limited);
        prop_assert_eq!(policy.after_attempt(attempts, elapsed, &verdict), Next::Stop);
    }

    /// §4: once the deadline has passed, nothing is retried.
    #[test]
    fn policy_past_deadline_stops(
        policy in arb_policy(),
        attempts in arb_attempts(),
        past_by in arb_elapsed(),
        verdict in arb_inconclusive(),
    ) {
        let elapsed = policy.deadline.saturating_add(past_by);
        prop_assert_eq!(policy.after_attempt(attempts, elapsed, &verdict), Next::Stop);
    }

    /// §4: the wait is at least what GitHub asked for.
    #[test]
    fn policy_wait_is_at_least_retry_after(
        policy in arb_policy(),
        attempts in arb_attempts(),
        elapsed in arb_elapsed(),
        verdict in arb_inconclusive(),
    ) {
        if let Next::Retry { wait } = policy.after_attempt(attempts, elapsed, &verdict) {
            prop_assert!(wait >= verdict.retry_after().unwrap_or_default());
            prop_assert!(wait > Duration::ZERO, "a retry with no backoff at all");
        }
    }

    /// §4: the backoff grows — the wait before the third attempt is longer than the wait
    /// before the second, and it never shrinks as attempts go on.
    #[test]
    fn policy_backoff_grows(deadline_s in 12_u64..=600, attempts in 1_u32..64) {
        let policy = RetryPolicy::with_deadline(Duration::from_secs(deadline_s));
        let failed = inconclusive(None, false);
        let first = policy.after_attempt(1, Duration::ZERO, &failed);
        let second = policy.after_attempt(2, Duration::ZERO, &failed);
        match (first, second) {
            (Next::Retry { wait: w1 }, Next::Retry { wait: w2 }) => {
                prop_assert!(w2 > w1, "{:?} then {:?}", w1, w2);
            }
            other => return Err(TestCaseError::fail(format!("not retried: {other:?}"))),
        }
        prop_assert!(policy.backoff(attempts + 1) >= policy.backoff(attempts));
    }

    /// §4 end to end on the policy alone: a call that keeps failing is tried at most three
    /// times, and every wait ends within the deadline.
    #[test]
    fn policy_a_failing_call_is_tried_at_most_three_times_within_the_deadline(
        policy in arb_policy(),
        start in (0_u64..=12_000).prop_map(Duration::from_millis),
        attempts_took in proptest::collection::vec(
            ((0_u64..=6_000).prop_map(Duration::from_millis), arb_retry_after()),
            10,
        ),
    ) {
        let mut elapsed = start;
        let mut attempts = 0_u32;
        for (took, retry_after) in attempts_took {
            attempts += 1;
            elapsed = elapsed.saturating_add(took);
            let verdict: Verdict = inconclusive(retry_after, retry_after.is_some());
            match policy.after_attempt(attempts, elapsed, &verdict) {
                Next::Retry { wait } => {
                    elapsed = elapsed.saturating_add(wait);
                    prop_assert!(elapsed < policy.deadline, "slept past the deadline");
                }
                Next::Stop => break,
            }
        }
        prop_assert!(attempts <= MAX_ATTEMPTS, "{} attempts", attempts);
    }
}

/// §4: the default deadline is 12 s (a dendrite's default timeout), three attempts.
#[test]
fn policy_defaults_match_spec() {
    assert_eq!(DEFAULT_DEADLINE, Duration::from_secs(12));
    let policy = RetryPolicy::default();
    assert_eq!(policy.deadline, Duration::from_secs(12));
    assert_eq!(policy.max_attempts, MAX_ATTEMPTS);
    assert_eq!(
        RetryPolicy::with_deadline(Duration::from_secs(3)).max_attempts,
        3
    );
}

/// §4: with the default policy, a steady 503 gets exactly two retries, the second wait longer.
#[test]
fn policy_default_walk_through() {
    let policy = RetryPolicy::default();
    let failed: Verdict = inconclusive(None, false);
    let Next::Retry { wait: first } = policy.after_attempt(1, Duration::ZERO, &failed) else {
        panic!("first failure not retried");
    };
    let Next::Retry { wait: second } = policy.after_attempt(2, first, &failed) else {
        panic!("second failure not retried");
    };
    assert!(second > first);
    assert_eq!(policy.after_attempt(3, first + second, &failed), Next::Stop);
}

/// The boundary of "while the deadline allows": a retry that would leave exactly the minimum
/// attempt time is made; one that would leave a millisecond less is not.
#[test]
fn policy_retry_that_leaves_exactly_the_minimum_attempt_time_is_made() {
    let policy = RetryPolicy::default();
    let outage: Verdict = inconclusive(None, false);
    let wait = policy.backoff(1);
    let last_start = policy.deadline - wait - policy.min_attempt_time;
    assert_eq!(
        policy.after_attempt(1, last_start, &outage),
        Next::Retry { wait }
    );
    assert_eq!(
        policy.after_attempt(1, last_start + Duration::from_millis(1), &outage),
        Next::Stop
    );
}
