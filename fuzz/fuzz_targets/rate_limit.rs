//! Retry-After and x-ratelimit-reset (docs/contract.md §4) over any text and any `now`: never a panic,
//! never a wait over a day; an HTTP-date that parses is a real instant.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pat_verdict::UnixTime;
use pat_verdict::RelevantHeaders;
use pat_verdict::testing::{parse_ratelimit_reset, parse_retry_after};
use pat_verdict::testing::{MAX_RETRY_AFTER, retry_after};

fuzz_target!(|input: (String, String, String, i64, bool)| {
    let (retry, reset, remaining, now, limited) = input;
    let now = UnixTime(now);
    for wait in [
        parse_retry_after(&retry, now),
        parse_ratelimit_reset(&reset, now),
    ]
    .into_iter()
    .flatten()
    {
        assert!(wait <= MAX_RETRY_AFTER);
    }
    if let Some(at) = UnixTime::parse_http_date(&retry, now) {
        // Every parsed date formats back to a valid ISO-8601 instant without panicking.
        let _ = at.to_iso8601();
    }
    let headers = RelevantHeaders::default()
        .with("retry-after", &retry)
        .with("x-ratelimit-reset", &reset)
        .with("x-ratelimit-remaining", &remaining);
    if let Some(wait) = retry_after(&headers, now, limited) {
        assert!(wait <= MAX_RETRY_AFTER);
    }
    let _ = pat_verdict::testing::mentions_rate_limit(retry.as_bytes());
});
