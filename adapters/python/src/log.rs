//! What each call tells the `pat_verdict` logger (docs/contract.md §9): one DEBUG record a
//! verification, a WARNING for each retry and for every Inconclusive GitHub caused.
//!
//! A WARNING also says when the outage guard opened (docs/contract.md §10), once per opening:
//! from then on the answers are short-circuited, and an operator should hear why once rather
//! than only see a wall of inconclusive verdicts.
//!
//! The records are built here, as `(level, message)` pairs, and handed to Python with the
//! answer; `pat_verdict/__init__.py` logs them in the caller's thread (or task), so the
//! runtime's threads never take the GIL to log and a host's handlers never run on them.
//! Nothing here can hold the token: the trail has endpoints and statuses only, and the
//! reasons are the core's, already redacted.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::run::Trail;
use pat_verdict::{OutageState, Stage, VerdictKind, VerifyResponse};

use crate::types::{BroadcastResponse, CheckResponse};

/// `logging.DEBUG`.
const DEBUG: u32 = 10;
/// `logging.WARNING`.
const WARNING: u32 = 30;

/// Records for Python's `logging`: `(level, message)`.
pub(crate) type Records = Vec<(u32, String)>;

/// A WARNING for each request that was followed by another to the same endpoint: a retry.
fn retries(trail: &Trail, records: &mut Records) {
    for pair in trail.sent.windows(2) {
        if let [sent, next] = pair
            && sent.endpoint == next.endpoint
        {
            records.push((
                WARNING,
                format!(
                    "{} {}: GitHub {}; retrying",
                    sent.endpoint.method(),
                    sent.endpoint.path(),
                    sent.outcome
                ),
            ));
        }
    }
}

fn millis(trail: &Trail) -> u128 {
    trail.elapsed.as_millis()
}

/// The records of one verification (`verify`, an audited entry).
pub(crate) fn verification(
    what: &str,
    trail: &Trail,
    verdict: &VerifyResponse,
    records: &mut Records,
) {
    retries(trail, records);
    records.push((
        DEBUG,
        format!(
            "{what}: {}, stage {}, reason {}, {} requests in {} ms",
            verdict.verdict,
            verdict.stage.map_or("none", Stage::as_str),
            verdict.reason.as_deref().unwrap_or("none"),
            verdict.requests,
            millis(trail)
        ),
    ));
    if verdict.verdict == VerdictKind::Inconclusive
        && let Some(stage @ (Stage::Identity | Stage::TestQuery)) = verdict.stage
    {
        records.push((
            WARNING,
            format!(
                "{what}: GitHub left the PAT unjudged (inconclusive at {}): {}",
                stage.as_str(),
                verdict.reason.as_deref().unwrap_or("no reason given")
            ),
        ));
    }
}

/// The records of a check.
pub(crate) fn check(trail: &Trail, answer: &CheckResponse) -> Records {
    // Inconclusive without the store's `detail`: GitHub's doing, whether it was asked or the
    // outage guard answered for it (no request then).
    let github_failed = answer.category == "inconclusive" && answer.detail.is_none();
    handler(
        "check",
        answer.category,
        answer.rejection_reason.as_deref(),
        github_failed,
        trail,
    )
}

/// The records of a broadcast.
pub(crate) fn broadcast(trail: &Trail, answer: &BroadcastResponse) -> Records {
    // Retryable after GitHub's last answer was no evidence, or before any request (the outage
    // guard answered for GitHub; the store is only read after the identity): GitHub's doing.
    let github_failed = !answer.accepted
        && answer.retryable
        && trail
            .sent
            .last()
            .is_none_or(|sent| !sent.outcome.starts_with("answered 2"));
    let outcome = if answer.accepted {
        "accepted"
    } else {
        "refused"
    };
    handler(
        "broadcast",
        outcome,
        answer.rejection_reason.as_deref(),
        github_failed,
        trail,
    )
}

/// A handler's records: its retries, one DEBUG line with the answer, and a WARNING when
/// GitHub (not the store, not the PAT) left the answer open.
fn handler(
    what: &str,
    outcome: &str,
    reason: Option<&str>,
    github_failed: bool,
    trail: &Trail,
) -> Records {
    let mut records = Records::new();
    retries(trail, &mut records);
    let reason = reason.unwrap_or("none");
    records.push((
        DEBUG,
        format!(
            "{what}: {outcome}, reason {reason}, {} requests in {} ms",
            trail.sent.len(),
            millis(trail)
        ),
    ));
    if github_failed {
        records.push((
            WARNING,
            format!("{what}: GitHub left the PAT unjudged: {reason}"),
        ));
    }
    records
}

/// A WARNING when the outage guard has opened since the last call of this object that
/// reported it: `logged` holds the openings already told, so calls finishing together tell
/// an opening once. Nothing when it has closed again meanwhile (the outage is over).
pub(crate) fn guard(
    logged: &AtomicU64,
    (opened, state): (u64, Option<OutageState>),
    records: &mut Records,
) {
    let told = logged.fetch_max(opened, Ordering::Relaxed);
    if opened <= told {
        return;
    }
    if let Some(state) = state {
        records.push((
            WARNING,
            format!(
                "GitHub API outage: {} requests in a row failed; every verification is \
                 inconclusive at once, without a request, until one probe at {}",
                state.failures,
                state.retry_at.to_iso8601()
            ),
        ));
    }
}
