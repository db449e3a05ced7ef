//! Rate-limit signals and how long GitHub asked us to wait (SPEC §4).
//!
//! A rate limit is GitHub declining to answer, not evidence about the PAT, so every signal
//! here turns what would be `Invalid` into `Inconclusive`.

use std::time::Duration;

use crate::http::RelevantHeaders;
use crate::time::UnixTime;

/// Whether `text` mentions a rate limit (case-insensitive), which covers GitHub's
/// "API rate limit exceeded" and "You have exceeded a secondary rate limit".
#[must_use]
pub fn mentions_rate_limit(text: &str) -> bool {
    const NEEDLE: &[u8] = b"rate limit";
    text.as_bytes()
        .windows(NEEDLE.len())
        .any(|window| window.eq_ignore_ascii_case(NEEDLE))
}

/// Whether a response carries a rate-limit signal besides its status: `x-ratelimit-remaining:
/// 0`, any `retry-after`, or a message mentioning a rate limit.
#[must_use]
pub fn signalled(headers: &RelevantHeaders, message: Option<&str>) -> bool {
    remaining_is_zero(headers)
        || headers.retry_after.is_some()
        || message.is_some_and(mentions_rate_limit)
}

fn remaining_is_zero(headers: &RelevantHeaders) -> bool {
    headers
        .ratelimit_remaining
        .as_deref()
        .and_then(|value| value.trim().parse::<u64>().ok())
        == Some(0)
}

/// How long to wait before asking again: `retry-after` in seconds, else (when the answer was
/// rate limited, or the quota is spent) `x-ratelimit-reset` minus `now`. GitHub sends
/// `x-ratelimit-reset` on every answer, so it means nothing while quota remains.
#[must_use]
pub fn retry_after(
    headers: &RelevantHeaders,
    now: UnixTime,
    rate_limited: bool,
) -> Option<Duration> {
    if let Some(secs) = headers
        .retry_after
        .as_deref()
        .and_then(|value| value.trim().parse::<u64>().ok())
    {
        return Some(Duration::from_secs(secs));
    }
    if !(rate_limited || remaining_is_zero(headers)) {
        return None;
    }
    headers
        .ratelimit_reset
        .as_deref()
        .and_then(|value| value.trim().parse::<i64>().ok())
        .map(|reset| now.until(UnixTime(reset)))
}
