//! Rate-limit signals and how long GitHub asked us to wait (docs/contract.md §4).
//!
//! A rate limit is GitHub declining to answer, not evidence about the PAT, so every signal
//! here turns what would be `Invalid` into `Inconclusive`.

use std::time::Duration;

use crate::http::RelevantHeaders;
use crate::time::UnixTime;

/// The phrases of a message that signal a rate limit (docs/contract.md §4), lower case:
/// GitHub's "API rate limit exceeded" and "You have exceeded a secondary rate limit"; its
/// older secondary-limit wording, still sent by Enterprise Server ("You have triggered an
/// abuse detection mechanism. Please wait a few minutes before you try again."); and its
/// failed-login lockout ("Maximum number of login attempts exceeded. Please try again
/// later."), which locks out working tokens too.
pub const RATE_LIMIT_PHRASES: &[&str] = &[
    "rate limit",
    "abuse detection",
    "please wait a few minutes",
    "try again later",
    // GitHub's failed-login lockout, by its stable part: the contract's "Maximum number of
    // login attempts exceeded" and GitHub's real "Max number of login attempt exceeded"
    // (docs/contract.md §13, added 2026-12-07).
    "login attempt",
];

/// Whether `text` carries one of [`RATE_LIMIT_PHRASES`] (ASCII case-insensitive, anywhere
/// in it). Works on raw bytes, so a body that is not JSON (an HTML error page) can be
/// searched as it came.
#[must_use]
pub fn mentions_rate_limit(text: impl AsRef<[u8]>) -> bool {
    let text = text.as_ref();
    RATE_LIMIT_PHRASES
        .iter()
        .any(|phrase| contains_ignore_ascii_case(text, phrase.as_bytes()))
}

/// Whether an error's `documentation_url` points at GitHub's rate-limit documentation
/// (`…#abuse-rate-limits`, `…#secondary-rate-limits`, `…/rate-limits-for-the-rest-api`): a
/// rate-limit signal even when the message says nothing (docs/contract.md §4).
#[must_use]
pub fn documentation_url_signals_rate_limit(url: &str) -> bool {
    contains_ignore_ascii_case(url.as_bytes(), b"rate-limit")
}

/// Whether `needle` (lower-case ASCII) occurs in `haystack`, ignoring ASCII case. Bytes,
/// not characters, so any input (not UTF-8 included) can be searched without copying.
pub(crate) fn contains_ignore_ascii_case(haystack: &[u8], needle: &[u8]) -> bool {
    let Some((&first, _)) = needle.split_first() else {
        return true;
    };
    haystack.len() >= needle.len()
        && haystack.windows(needle.len()).any(|window| {
            window[0].eq_ignore_ascii_case(&first) && window.eq_ignore_ascii_case(needle)
        })
}

/// Whether a response's headers carry a rate-limit signal: `x-ratelimit-remaining: 0` or
/// any `retry-after`. (A message with one of [`RATE_LIMIT_PHRASES`] and a rate-limit
/// `documentation_url` are the others; the classifier looks for them in the body, where
/// GitHub puts them.)
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

/// The longest wait any header can ask for (docs/contract.md §4): a day. A larger `retry-after` or a
/// reset far ahead is clamped to it, not dropped, so it still says "not soon".
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(86_400);

/// How long to wait before asking again: `retry-after` (delay-seconds or an HTTP-date), else
/// (when the answer was rate limited, or the quota is spent) `x-ratelimit-reset` minus `now`.
/// GitHub sends `x-ratelimit-reset` on every answer, so it means nothing while quota remains.
/// A `retry-after` that cannot be read falls back to `x-ratelimit-reset`. Never negative,
/// never more than [`MAX_RETRY_AFTER`].
#[must_use]
pub fn retry_after(
    headers: &RelevantHeaders,
    now: UnixTime,
    rate_limited: bool,
) -> Option<Duration> {
    if let Some(wait) = headers
        .retry_after
        .as_deref()
        .and_then(|value| parse_retry_after(value, now))
    {
        return Some(wait);
    }
    if !(rate_limited || remaining_is_zero(headers)) {
        return None;
    }
    headers
        .ratelimit_reset
        .as_deref()
        .and_then(|value| parse_ratelimit_reset(value, now))
}

/// Reads a `retry-after` value (RFC 9110 §10.2.3), clamped to `0..=`[`MAX_RETRY_AFTER`]:
///
/// - delay-seconds (`120`): that many seconds; too many digits for any integer type is a
///   huge wait, so it saturates to the cap rather than being dropped;
/// - a decimal (`1.5`), which RFC 9110 does not allow but whose meaning is plain: rounded
///   *up* to whole seconds, because waiting a fraction too little would hit the limit again;
/// - an HTTP-date ([`UnixTime::parse_http_date`]): the time until then, zero if it is past.
///
/// Anything else (`-1`, `soon`, an empty value) is `None`: no wait was stated.
#[must_use]
pub fn parse_retry_after(value: &str, now: UnixTime) -> Option<Duration> {
    let value = value.trim();
    if let Some(secs) = decimal_seconds(value) {
        return Some(clamp(secs));
    }
    UnixTime::parse_http_date(value, now).map(|at| clamp_duration(now.until(at)))
}

/// Reads `x-ratelimit-reset` (epoch seconds) as the wait from `now`, clamped to
/// `0..=`[`MAX_RETRY_AFTER`]: a reset in the past is no wait, one absurdly far ahead (more
/// digits than an `i64` holds included) is the cap.
#[must_use]
pub fn parse_ratelimit_reset(value: &str, now: UnixTime) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let reset = value.parse::<i64>().unwrap_or(i64::MAX);
    Some(clamp_duration(now.until(UnixTime(reset))))
}

/// `digits` or `digits.digits` as whole seconds, rounded up and saturating; `None` for
/// anything else.
fn decimal_seconds(value: &str) -> Option<u64> {
    let (whole, fraction) = match value.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (value, ""),
    };
    let all_digits = |text: &str| text.bytes().all(|byte| byte.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    if value.ends_with('.') {
        return None;
    }
    let secs = whole.parse::<u64>().unwrap_or(u64::MAX);
    let round_up = fraction.bytes().any(|byte| byte != b'0');
    Some(secs.saturating_add(u64::from(round_up)))
}

fn clamp(secs: u64) -> Duration {
    Duration::from_secs(secs.min(MAX_RETRY_AFTER.as_secs()))
}

fn clamp_duration(wait: Duration) -> Duration {
    wait.min(MAX_RETRY_AFTER)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: UnixTime = UnixTime(1_767_366_245); // Fri, 02 Jan 2026 15:04:05 GMT

    #[test]
    fn delay_seconds_saturate_and_round_up() {
        for (value, secs) in [
            ("0", 0),
            (" 120 ", 120),
            ("1.5", 2),
            ("2.0", 2),
            ("86401", 86_400),
            ("18446744073709551616", 86_400),
            ("99999999999999999999999999999999", 86_400),
        ] {
            assert_eq!(
                parse_retry_after(value, NOW),
                Some(Duration::from_secs(secs)),
                "{value}"
            );
        }
        for value in ["", "-1", "+1", "1.", ".5", "1e3", "soon", "1 2"] {
            assert_eq!(parse_retry_after(value, NOW), None, "{value}");
        }
    }

    #[test]
    fn http_dates_are_the_time_until_then() {
        assert_eq!(
            parse_retry_after("Fri, 02 Jan 2026 15:06:05 GMT", NOW),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Thu, 01 Jan 2026 00:00:00 GMT", NOW),
            Some(Duration::ZERO)
        );
        assert_eq!(
            parse_retry_after("Sat, 01 Jan 2028 00:00:00 GMT", NOW),
            Some(MAX_RETRY_AFTER)
        );
    }

    #[test]
    fn reset_is_never_negative_and_clamped() {
        assert_eq!(
            parse_ratelimit_reset("1767366305", NOW),
            Some(Duration::from_secs(60))
        );
        assert_eq!(parse_ratelimit_reset("0", NOW), Some(Duration::ZERO));
        assert_eq!(
            parse_ratelimit_reset("99999999999999999999999", NOW),
            Some(MAX_RETRY_AFTER)
        );
        assert_eq!(parse_ratelimit_reset("-5", NOW), None);
    }
}
