//! Rate-limit signals and how long GitHub asked us to wait (SPEC §4).
//!
//! A rate limit is GitHub declining to answer, not evidence about the PAT, so every signal
//! here turns what would be `Invalid` into `Inconclusive`.

use std::time::Duration;

use crate::http::RelevantHeaders;
use crate::time::UnixTime;

/// Whether `text` mentions a rate limit (case-insensitive), which covers GitHub's
/// "API rate limit exceeded" and "You have exceeded a secondary rate limit". Works on raw
/// bytes, so a body that is not JSON (an HTML error page) can be searched as it came.
#[must_use]
pub fn mentions_rate_limit(text: impl AsRef<[u8]>) -> bool {
    const NEEDLE: &[u8] = b"rate limit";
    text.as_ref()
        .windows(NEEDLE.len())
        .any(|window| window.eq_ignore_ascii_case(NEEDLE))
}

/// Whether a response's headers carry a rate-limit signal: `x-ratelimit-remaining: 0` or
/// any `retry-after`. (A message mentioning a rate limit is the other signal; the classifier
/// looks for it in the body, where GitHub puts it.)
#[must_use]
pub fn signalled_by_headers(headers: &RelevantHeaders) -> bool {
    remaining_is_zero(headers) || headers.retry_after.is_some()
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
