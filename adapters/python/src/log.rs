//! What each call tells the `pat_verdict` logger (docs/contract.md §9): one DEBUG record a
//! verification or handler call, a WARNING for each retry and for every Inconclusive GitHub
//! caused.
//!
//! The level is decided from the answer's cause (docs/contract.md §13), never from its
//! words: a verification's cause whose verdict is Inconclusive is GitHub's doing (it failed,
//! refused the request, rate-limited us, ran out the deadline, or the outage guard answered
//! for it); a handler's own word (`store_unavailable`, `no_pat`…) and every Invalid are not.
//!
//! A WARNING also says when the outage guard opened (docs/contract.md §10), once per opening:
//! from then on the answers are short-circuited, and an operator should hear why once rather
//! than only see a wall of inconclusive verdicts.
//!
//! The records are built here, as `(level, message)` pairs, and handed to Python with the
//! answer; `pat_verdict/__init__.py` logs them in the caller's thread (or task), so the
//! runtime's threads never take the GIL to log and a host's handlers never run on them.
//! Nothing here can hold the token: the trail has endpoints and statuses only, the reasons
//! are the core's, already redacted, and a handler's record shows the hotkey (public) cut to
//! its first 16 characters, as gittensor's own handler logs do.

use std::sync::atomic::{AtomicU64, Ordering};

use pat_verdict::outage::OutageState;
use pat_verdict::{AnswerCause, Stage, Uid, VerdictKind, VerifyResponse};

use crate::trace::Trail;

/// `logging.DEBUG`.
const DEBUG: u32 = 10;
/// `logging.WARNING`.
const WARNING: u32 = 30;

/// Records for Python's `logging`: `(level, message)`.
pub(crate) type Records = Vec<(u32, String)>;

/// Whether GitHub left the answer open: a verification decided it, and its verdict is
/// Inconclusive.
fn github_left_open(cause: AnswerCause) -> bool {
    cause.verdict() == Some(VerdictKind::Inconclusive)
}

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

/// How long the call took, as the records say it.
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
            "{what}: {}, cause {}, stage {}, reason {}, {} requests in {} ms",
            verdict.verdict,
            verdict.cause,
            verdict.stage.map_or("none", Stage::as_str),
            verdict.reason.as_deref().unwrap_or("none"),
            verdict.requests,
            millis(trail)
        ),
    ));
    if github_left_open(verdict.cause) {
        records.push((
            WARNING,
            format!(
                "{what}: GitHub left the PAT unjudged ({} at {}): {}",
                verdict.cause,
                verdict.stage.map_or("none", Stage::as_str),
                verdict.reason.as_deref().unwrap_or("no reason given")
            ),
        ));
    }
}

/// Who a handler call was for, as gittensor's handler logs show it: the uid (`none` when the
/// hotkey is not registered) and the hotkey's first 16 characters.
pub(crate) struct Caller<'a> {
    pub(crate) uid: Option<Uid>,
    pub(crate) hotkey: &'a str,
}

impl std::fmt::Display for Caller<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.uid {
            Some(uid) => write!(f, "UID: {}", uid.0)?,
            None => f.write_str("UID: none")?,
        }
        let short: String = self.hotkey.chars().take(16).collect();
        if short.is_empty() {
            f.write_str(", hotkey: (none)")
        } else {
            write!(f, ", hotkey: {short}...")
        }
    }
}

/// The records of a check.
pub(crate) fn check(
    caller: &Caller<'_>,
    trail: &Trail,
    answer: &pat_verdict::CheckResponse,
) -> Records {
    handler(
        "check",
        caller,
        answer.category.as_str(),
        answer.cause,
        answer.rejection_reason.as_deref(),
        trail,
    )
}

/// The records of a broadcast.
pub(crate) fn broadcast(
    caller: &Caller<'_>,
    trail: &Trail,
    answer: &pat_verdict::BroadcastResponse,
) -> Records {
    let outcome = if answer.accepted {
        "accepted"
    } else {
        "refused"
    };
    handler(
        "broadcast",
        caller,
        outcome,
        answer.cause,
        answer.rejection_reason.as_deref(),
        trail,
    )
}

/// A handler's records: its retries, one DEBUG line with the answer, and a WARNING when
/// GitHub (not the store, not the PAT) left the answer open.
fn handler(
    what: &str,
    caller: &Caller<'_>,
    outcome: &str,
    cause: AnswerCause,
    reason: Option<&str>,
    trail: &Trail,
) -> Records {
    let mut records = Records::new();
    retries(trail, &mut records);
    let reason = reason.unwrap_or("none");
    records.push((
        DEBUG,
        format!(
            "{what} ({caller}): {outcome}, cause {cause}, reason {reason}, {} requests in {} ms",
            trail.sent.len(),
            millis(trail)
        ),
    ));
    if github_left_open(cause) {
        records.push((
            WARNING,
            format!("{what} ({caller}): GitHub left the PAT unjudged ({cause}): {reason}"),
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
