//! Shared proptest strategies and contract models for the classifier tests: arbitrary relevant
//! headers, JSON junk, objects in any key order, and what docs/contract.md §4 says `retry_after` must be.
//!
//! The models here are written from docs/contract.md, not from `src/`: a test compares the classifier
//! with them, so a disagreement fails.

#![allow(
    dead_code,
    reason = "each test file uses a different part of the shared strategies"
)]

use std::time::Duration;

use pat_verdict::{
    Body, CallResult, HttpResponse, RelevantHeaders, TransportError, TransportErrorKind, UnixTime,
    Verdict, WhyRefused,
};
use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::Value;

/// The proptest configuration of these tests: `cases` cases, a bounded shrink (a failing run
/// stays quick), and no regression files written next to the tests (the tree is shared; a
/// failing case is printed instead).
pub fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        max_shrink_iters: 256,
        ..ProptestConfig::default()
    }
}

// ---- the seed's view (docs/contract.md §1) ----

/// docs/contract.md §1's table: `error` is set exactly when the PAT is not valid, `transient_failure`
/// exactly when the verdict is inconclusive.
pub fn check_seed_view<T>(verdict: &Verdict<T>) -> Result<(), TestCaseError> {
    let (valid, inconclusive) = match verdict {
        Verdict::Valid(_) => (true, false),
        Verdict::Invalid { .. } => (false, false),
        Verdict::Inconclusive { .. } => (false, true),
    };
    prop_assert_eq!(verdict.error().is_some(), !valid, "error() vs Valid");
    prop_assert_eq!(
        verdict.transient_failure(),
        inconclusive,
        "transient_failure() vs Inconclusive"
    );
    Ok(())
}

/// Which verdict, without its payload, for messages.
pub fn kind_name<T>(verdict: &Verdict<T>) -> &'static str {
    match verdict {
        Verdict::Valid(_) => "Valid",
        Verdict::Invalid { .. } => "Invalid",
        Verdict::Inconclusive { .. } => "Inconclusive",
    }
}

/// The parts of an Inconclusive verdict, or a test failure naming what came instead.
pub fn inconclusive_parts<T>(
    verdict: &Verdict<T>,
) -> Result<(&str, Option<Duration>, bool), TestCaseError> {
    match verdict {
        Verdict::Inconclusive {
            reason,
            retry_after,
            ..
        } => Ok((reason, *retry_after, verdict.rate_limited())),
        Verdict::Valid(_) | Verdict::Invalid { .. } => Err(TestCaseError::fail(format!(
            "expected Inconclusive, got {}: {:?}",
            kind_name(verdict),
            verdict.error()
        ))),
    }
}

/// The reason of an Invalid verdict, or a test failure naming what came instead.
pub fn invalid_reason<T>(verdict: &Verdict<T>) -> Result<&str, TestCaseError> {
    match verdict {
        Verdict::Invalid { reason, .. } => Ok(reason),
        Verdict::Valid(_) | Verdict::Inconclusive { .. } => Err(TestCaseError::fail(format!(
            "expected Invalid, got {}: {:?}",
            kind_name(verdict),
            verdict.error()
        ))),
    }
}

// ---- time ----

/// A plausible "now": 2017 to 2033.
pub fn arb_now() -> impl Strategy<Value = i64> {
    1_500_000_000_i64..2_000_000_000
}

// ---- headers ----

/// One header value: realistic numbers, reset instants around `now`, and arbitrary text.
pub fn arb_header_value(now: i64) -> BoxedStrategy<String> {
    prop_oneof![
        2 => Just("0".to_owned()),
        2 => (0_u64..100_000).prop_map(|n| n.to_string()),
        4 => (-3_600_i64..7_200).prop_map(move |d| now.saturating_add(d).to_string()),
        1 => "[ \t]{0,2}[0-9]{1,5}[ \t]{0,2}",
        1 => "\\PC{0,24}",
        1 => ".{0,8}",
        1 => Just("Wed, 21 Oct 2015 07:28:00 GMT".to_owned()),
        1 => Just("-1".to_owned()),
        1 => Just("1.5".to_owned()),
        1 => Just(u64::MAX.to_string()),
        1 => Just("99999999999999999999999".to_owned()),
        1 => Just("repo, user".to_owned()),
        1 => Just("2026-01-02 15:04:05 UTC".to_owned()),
    ]
    .boxed()
}

/// Any combination of the five relevant headers, with arbitrary values.
pub fn arb_headers(now: i64) -> BoxedStrategy<RelevantHeaders> {
    let value = move || proptest::option::of(arb_header_value(now));
    (value(), value(), value(), value(), value())
        .prop_map(
            |(
                retry_after,
                ratelimit_remaining,
                ratelimit_reset,
                oauth_scopes,
                token_expiration,
            )| {
                RelevantHeaders {
                    retry_after,
                    ratelimit_remaining,
                    ratelimit_reset,
                    oauth_scopes,
                    token_expiration,
                }
            },
        )
        .boxed()
}

/// `now` and headers built around it.
pub fn arb_now_and_headers() -> impl Strategy<Value = (i64, RelevantHeaders)> {
    arb_now().prop_flat_map(|now| (Just(now), arb_headers(now)))
}

/// `now` and headers built around it that carry no rate-limit signal (docs/contract.md §4).
pub fn arb_now_and_headers_without_signal() -> impl Strategy<Value = (i64, RelevantHeaders)> {
    arb_now().prop_flat_map(|now| (Just(now), arb_headers_without_signal(now)))
}

/// Whether a value could be read as "zero" by any reasonable parser (`0`, ` 00 `, `+0`, `-0`).
pub fn could_be_zero(value: &str) -> bool {
    let digits: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '+' && *c != '-')
        .collect();
    !digits.is_empty() && digits.chars().all(|c| c == '0')
}

/// Headers that carry no rate-limit signal of docs/contract.md §4: no `retry-after`, and an
/// `x-ratelimit-remaining` that is absent or plainly not zero.
pub fn arb_headers_without_signal(now: i64) -> BoxedStrategy<RelevantHeaders> {
    arb_headers(now)
        .prop_map(|mut headers| {
            headers.retry_after = None;
            if headers
                .ratelimit_remaining
                .as_deref()
                .is_some_and(could_be_zero)
            {
                headers.ratelimit_remaining = Some("4999".to_owned());
            }
            headers
        })
        .boxed()
}

/// `value` as clean decimal seconds (ASCII digits with optional blanks), as docs/contract.md §4 reads
/// `retry-after` and `x-ratelimit-reset`; `None` for anything a reader could take otherwise.
pub fn clean_number(value: &str) -> Option<u64> {
    let trimmed = value.trim_matches(|c| c == ' ' || c == '\t');
    if trimmed.is_empty() || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    trimmed.parse().ok()
}

/// What docs/contract.md §4 allows `retry_after` to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expected {
    /// Exactly this.
    Exactly(Option<Duration>),
    /// Any of these (the contract leaves the choice open).
    OneOf(Vec<Option<Duration>>),
    /// The contract says nothing (a header value no reader agrees on).
    Unspecified,
}

impl Expected {
    /// Whether `actual` is allowed.
    pub fn allows(&self, actual: Option<Duration>) -> bool {
        match self {
            Self::Exactly(wanted) => *wanted == actual,
            Self::OneOf(allowed) => allowed.contains(&actual),
            Self::Unspecified => true,
        }
    }
}

/// docs/contract.md §4's clamp: a wait is never more than one day.
pub const ONE_DAY: Duration = Duration::from_secs(86_400);

/// docs/contract.md §4: `retry_after` comes from `retry-after` (seconds; huge values saturate), or, when
/// rate limited, from `x-ratelimit-reset` (epoch seconds) minus now. A reset already past is
/// a wait of zero (or no wait). Without a limit, a reset means nothing unless the quota is
/// spent. Every wait is clamped to one day. (HTTP-dates and decimals are tested by example
/// in `tests/retry_after.rs`; this model leaves them unspecified.)
pub fn expected_retry_after(headers: &RelevantHeaders, now: i64, rate_limited: bool) -> Expected {
    if let Some(value) = &headers.retry_after {
        let digits = value.trim_matches(|c| c == ' ' || c == '\t');
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            let secs = digits.parse::<u64>().unwrap_or(u64::MAX);
            return Expected::Exactly(Some(Duration::from_secs(secs).min(ONE_DAY)));
        }
        return Expected::Unspecified;
    }
    let from_reset = || match &headers.ratelimit_reset {
        None => Expected::Exactly(None),
        Some(value) => match clean_number(value) {
            // An instant past the end of i64 seconds is far ahead: the wait saturates.
            Some(reset) => {
                let reset = i64::try_from(reset).unwrap_or(i64::MAX);
                if reset > now {
                    let wait = u64::try_from(reset.saturating_sub(now)).unwrap_or(u64::MAX);
                    Expected::Exactly(Some(Duration::from_secs(wait).min(ONE_DAY)))
                } else {
                    Expected::OneOf(vec![Some(Duration::ZERO), None])
                }
            }
            None => Expected::Unspecified,
        },
    };
    if rate_limited {
        return from_reset();
    }
    match headers.ratelimit_remaining.as_deref() {
        None => Expected::Exactly(None),
        Some(remaining) if could_be_zero(remaining) => match from_reset() {
            Expected::Exactly(wait) => Expected::OneOf(vec![wait, None]),
            Expected::OneOf(mut allowed) => {
                allowed.push(None);
                Expected::OneOf(allowed)
            }
            Expected::Unspecified => Expected::Unspecified,
        },
        Some(remaining) if clean_number(remaining).is_some() => Expected::Exactly(None),
        Some(_) => Expected::Unspecified,
    }
}

/// An Inconclusive verdict that is (or is not) a rate limit as the row says, with §4's wait
/// checked against [`expected_retry_after`]: every row that gives a wait asserts these parts
/// this one way. The reason and the wait, for the row's own checks.
pub fn inconclusive_with_wait<'a, T>(
    verdict: &'a Verdict<T>,
    headers: &RelevantHeaders,
    now: i64,
    rate_limited: bool,
) -> Result<(&'a str, Option<Duration>), TestCaseError> {
    let (reason, retry_after, limited) = inconclusive_parts(verdict)?;
    prop_assert_eq!(
        limited,
        rate_limited,
        "rate_limited, where the row says {}: {}",
        rate_limited,
        reason
    );
    let expected = expected_retry_after(headers, now, rate_limited);
    prop_assert!(
        expected.allows(retry_after),
        "retry_after {:?}, docs/contract.md §4 allows {:?}",
        retry_after,
        expected
    );
    Ok((reason, retry_after))
}

/// §2's and §3's row for GitHub's own failure: Inconclusive, not a rate limit, §4's wait, and
/// `{api} failed: {message}` (`unknown` when there is none).
pub fn check_github_failed<T>(
    api: &str,
    verdict: &Verdict<T>,
    message: Option<&str>,
    headers: &RelevantHeaders,
    now: i64,
) -> Result<(), TestCaseError> {
    let (reason, _) = inconclusive_with_wait(verdict, headers, now, false)?;
    prop_assert_eq!(
        reason,
        format!("{api} failed: {}", message.unwrap_or("unknown"))
    );
    Ok(())
}

// ---- transport ----

/// Every kind of transport failure.
pub const ALL_TRANSPORT_KINDS: [TransportErrorKind; 9] = [
    TransportErrorKind::Timeout,
    TransportErrorKind::Connect,
    TransportErrorKind::Dns,
    TransportErrorKind::ConnectionReset,
    TransportErrorKind::Tls,
    TransportErrorKind::NotTls,
    TransportErrorKind::TruncatedBody,
    TransportErrorKind::Protocol,
    TransportErrorKind::Other,
];

/// Never called: a new transport kind fails to compile here, as a reminder to list it in
/// [`ALL_TRANSPORT_KINDS`].
const fn is_listed(kind: TransportErrorKind) {
    match kind {
        TransportErrorKind::Timeout
        | TransportErrorKind::Connect
        | TransportErrorKind::Dns
        | TransportErrorKind::ConnectionReset
        | TransportErrorKind::Tls
        | TransportErrorKind::NotTls
        | TransportErrorKind::TruncatedBody
        | TransportErrorKind::Protocol
        | TransportErrorKind::Other => {}
    }
}

/// A transport failure of any kind with any detail.
pub fn arb_transport_error() -> impl Strategy<Value = TransportError> {
    (
        proptest::sample::select(&ALL_TRANSPORT_KINDS[..]),
        "\\PC{0,40}",
    )
        .prop_map(|(kind, detail)| TransportError::new(kind, detail))
}

// ---- statuses ----

/// 1xx, 3xx and every 2xx but 200.
pub fn arb_non_evidence_status() -> impl Strategy<Value = u16> {
    prop_oneof![100_u16..=199, 201_u16..=299, 300_u16..=399]
}

/// Statuses HTTP does not define: below 100 and from 600 up.
pub fn arb_nonsense_status() -> impl Strategy<Value = u16> {
    prop_oneof![0_u16..=99, 600_u16..=u16::MAX]
}

/// Every 4xx that is evidence by its status alone (not 403, 408, 429).
pub fn arb_other_4xx() -> impl Strategy<Value = u16> {
    (400_u16..=499).prop_filter("403, 408 and 429 have their own rows", |status| {
        !matches!(status, 403 | 408 | 429)
    })
}

// ---- JSON ----

/// Arbitrary JSON junk, nested a few levels.
pub fn arb_junk() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1.0e12_f64..1.0e12).prop_map(Value::from),
        "\\PC{0,16}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            vec(("\\PC{0,8}", inner), 0..4)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
    .boxed()
}

/// Junk that is not an object (what a body must be).
pub fn arb_non_object() -> BoxedStrategy<Value> {
    arb_junk()
        .prop_filter("not an object", |value| !value.is_object())
        .boxed()
}

/// Junk that is neither a number nor a string (what an `id` must be).
pub fn arb_not_number_or_string() -> BoxedStrategy<Value> {
    arb_junk()
        .prop_filter("not a number or string", |value| {
            !value.is_number() && !value.is_string()
        })
        .boxed()
}

/// JSON text of `value`.
pub fn text(value: &Value) -> String {
    value.to_string()
}

/// JSON text of a string.
pub fn string_text(value: &str) -> String {
    Value::String(value.to_owned()).to_string()
}

/// 0 to 3 extra fields with junk values, whose keys are none of `reserved`.
pub fn arb_extra_fields(reserved: &'static [&'static str]) -> BoxedStrategy<Vec<(String, String)>> {
    vec(
        (
            "\\PC{0,10}".prop_filter("not a key the classifier reads", move |key: &String| {
                !reserved.contains(&key.as_str())
            }),
            arb_junk().prop_map(|value| text(&value)),
        ),
        0..4,
    )
    .boxed()
}

/// A JSON object's text with its fields (raw JSON values) in the given order.
pub fn object_text(fields: &[(String, String)], spaced: bool) -> String {
    let (colon, comma) = if spaced { (": ", ",\n  ") } else { (":", ",") };
    let inner: Vec<String> = fields
        .iter()
        .map(|(key, value)| format!("{}{colon}{value}", string_text(key)))
        .collect();
    if spaced {
        format!("{{\n  {}\n}}", inner.join(comma))
    } else {
        format!("{{{}}}", inner.join(comma))
    }
}

/// `fields` in every order, as an object's text.
pub fn shuffled_object(fields: Vec<(String, String)>) -> BoxedStrategy<String> {
    (Just(fields).prop_shuffle(), any::<bool>())
        .prop_map(|(fields, spaced)| object_text(&fields, spaced))
        .boxed()
}

/// `named` fields plus junk fields (not `reserved`), in any order, as an object's text.
pub fn object_with(
    named: Vec<(String, String)>,
    reserved: &'static [&'static str],
) -> BoxedStrategy<String> {
    (Just(named), arb_extra_fields(reserved))
        .prop_flat_map(|(mut fields, extra)| {
            fields.extend(extra);
            shuffled_object(fields)
        })
        .boxed()
}

/// Bytes that are not JSON at all.
pub fn arb_not_json() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        vec(any::<u8>(), 0..64),
        "\\PC{0,40}".prop_map(String::into_bytes),
        Just(b"<html><body>Bad gateway</body></html>".to_vec()),
        Just(b"{\"data\": {\"viewer\": {}}".to_vec()),
        Just(b"{\"id\": 1".to_vec()),
        Just(b"{\"id\": 1} trailing".to_vec()),
        Just(b"\xef\xbb\xbf{}".to_vec()),
    ]
    .prop_filter("not JSON", |bytes| {
        serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_err()
    })
    .boxed()
}

/// A strict prefix of `body` (a body cut short is never JSON when `body` is an object).
pub fn arb_cut(body: String) -> BoxedStrategy<Vec<u8>> {
    let len = body.len();
    (0..len)
        .prop_map(move |cut| body.as_bytes()[..cut].to_vec())
        .boxed()
}

/// Any body at all: bytes, JSON junk, objects with the keys the classifiers read, over cap.
pub fn arb_any_body() -> BoxedStrategy<Body> {
    let keyed = vec(
        (
            proptest::sample::select(vec![
                "errors", "data", "viewer", "id", "login", "message", "type", "code", "x",
            ])
            .prop_map(str::to_owned),
            arb_junk().prop_map(|value| text(&value)),
        ),
        0..5,
    )
    .prop_map(|fields| object_text(&fields, false).into_bytes());
    prop_oneof![
        vec(any::<u8>(), 0..128).prop_map(Body::Complete),
        arb_junk().prop_map(|value| Body::Complete(text(&value).into_bytes())),
        keyed.prop_map(Body::Complete),
        any::<usize>().prop_map(|cap| Body::OverCap { cap }),
        Just(Body::Absent),
    ]
    .boxed()
}

/// A response.
pub fn response(status: u16, headers: RelevantHeaders, body: Vec<u8>) -> CallResult {
    Ok(HttpResponse {
        status,
        headers,
        body: Body::Complete(body),
    })
}

/// `now` as the classifiers take it.
pub fn at(now: i64) -> UnixTime {
    UnixTime(now)
}

/// The message phrases docs/contract.md §4 makes rate-limit signals (lower case).
pub const RATE_LIMIT_PHRASES: &[&str] = &[
    "rate limit",
    "abuse detection",
    "please wait a few minutes",
    "try again later",
    "maximum number of login attempts exceeded",
];

/// The message phrases of docs/contract.md §2's "GitHub's own failures" (lower case).
pub const GITHUB_FAILURE_PHRASES: &[&str] = &[
    "something went wrong",
    "resource limits for this query exceeded",
    "couldn't respond to your request in time",
    "timed out",
    "timeout",
];

/// `errors[0].type` values of GitHub's own failures (docs/contract.md §2).
pub const GITHUB_FAILURE_TYPES: &[&str] = &[
    "INTERNAL",
    "SERVICE_UNAVAILABLE",
    "TIMEOUT",
    "RESOURCE_LIMITS_EXCEEDED",
    "MAX_NODE_LIMIT_EXCEEDED",
];

/// `errors[0].type` values that stay evidence whatever the message (docs/contract.md §2).
pub const EVIDENCE_TYPES: &[&str] = &["FORBIDDEN", "INSUFFICIENT_SCOPES", "NOT_FOUND"];

/// Whether `text` carries a rate-limit phrase as docs/contract.md §4 means it (any case).
pub fn mentions_rate_limit(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    RATE_LIMIT_PHRASES
        .iter()
        .any(|phrase| lower.contains(phrase))
}

/// Whether `text` carries one of §2's phrases of GitHub failing (any case).
pub fn says_github_failed(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    GITHUB_FAILURE_PHRASES
        .iter()
        .any(|phrase| lower.contains(phrase))
}

/// `phrase` with each letter's case chosen by `flips`, and text around it.
fn in_any_case(phrases: &'static [&'static str]) -> BoxedStrategy<String> {
    (
        "\\PC{0,30}",
        proptest::sample::select(phrases.to_vec()),
        vec(any::<bool>(), 64),
        "\\PC{0,30}",
    )
        .prop_map(|(before, phrase, flips, after)| {
            let cased: String = phrase
                .chars()
                .zip(flips.iter().cycle())
                .map(|(c, &up)| if up { c.to_ascii_uppercase() } else { c })
                .collect();
            format!("{before}{cased}{after}")
        })
        .boxed()
}

/// A message with a §4 rate-limit phrase in it, in any case, with any text around it.
pub fn arb_rate_limit_message() -> impl Strategy<Value = String> {
    in_any_case(RATE_LIMIT_PHRASES)
}

/// A message with one of §2's phrases of GitHub failing, in any case, with any text around
/// it, and no rate-limit phrase (which would make it a rate limit first).
pub fn arb_github_failure_message() -> impl Strategy<Value = String> {
    prop_oneof![
        in_any_case(GITHUB_FAILURE_PHRASES),
        Just(SOMETHING_WENT_WRONG.to_owned()),
    ]
    .prop_filter("no rate-limit phrase", |message| {
        !mentions_rate_limit(message)
    })
}

/// GitHub's own words in a 200 during incidents (docs/contract.md §2).
pub const SOMETHING_WENT_WRONG: &str = "Something went wrong while executing your query. This may be the result of a timeout, or it could be a GitHub bug. Please include `A8C2:3B5E:1F0C3A:2E4D1B:6756F0A1` when reporting this issue.";

/// A message (at most 200 characters) with neither a rate-limit phrase nor a phrase of
/// GitHub failing: what evidence says.
pub fn arb_plain_message() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,200}",
        Just("Bad credentials".to_owned()),
        Just("Resource not accessible by personal access token".to_owned()),
        Just("Could not resolve to a User with the login of 'x'.".to_owned()),
        Just("Sorry. Your account was suspended.".to_owned()),
    ]
    .prop_filter("no rate-limit or failure phrase", |message| {
        !mentions_rate_limit(message) && !says_github_failed(message)
    })
}

/// Whether a 4xx body is one GitHub's API sends (a JSON object), or none was handed over
/// (docs/contract.md §2 "An answer that did not come from GitHub's API").
/// The contract's 4xx rule, made exact (docs/contract.md §13, added 2026-12-07): with GitHub's
/// JSON (or no body), only 401 and 403 are evidence about the token; a 403 refusing the
/// User-Agent and every other 4xx (not 408, 429) refuse the request. `None` for evidence.
pub fn refused_request(status: u16, body: &Body) -> Option<WhyRefused> {
    match status {
        401 => None,
        403 if refuses_user_agent(body) => Some(WhyRefused::UserAgent),
        403 => None,
        _ => Some(WhyRefused::Route),
    }
}

/// Whether a 4xx body is GitHub's JSON refusing the User-Agent: its `documentation_url` names
/// `user-agent-required`, or its `message` speaks of the user agent (any case).
pub fn refuses_user_agent(body: &Body) -> bool {
    let Some(Value::Object(object)) = body.bytes().and_then(|b| serde_json::from_slice(b).ok())
    else {
        return false;
    };
    let text = |key: &str| {
        object
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase)
    };
    text("documentation_url").is_some_and(|url| url.contains("user-agent-required"))
        || text("message").is_some_and(|m| m.contains("user agent") || m.contains("user-agent"))
}

/// R17, as the contract words it.
pub fn request_refused_reason(api: &str, status: u16, why: WhyRefused) -> String {
    match why {
        WhyRefused::Route => format!(
            "{api} returned {status}: GitHub refused the request, not the token (is the API URL GitHub's API root? a proxy rewriting requests?)"
        ),
        WhyRefused::UserAgent => {
            format!(
                "{api} returned {status}: GitHub refused the request's User-Agent, not the token"
            )
        }
    }
}

pub fn from_githubs_api(body: &Body) -> bool {
    match body {
        Body::Absent => true,
        Body::OverCap { .. } => false,
        Body::Complete(bytes) => {
            serde_json::from_slice::<Value>(bytes).is_ok_and(|v| v.is_object())
        }
    }
}

/// [A body that is not GitHub's JSON](arb_not_githubs_body) whose text holds no rate-limit
/// phrase (docs/contract.md §4): the rows of §2 where only "not GitHub's JSON" can apply.
pub fn arb_not_githubs_body_without_signal() -> impl Strategy<Value = Body> {
    arb_not_githubs_body().prop_filter("no rate-limit phrase", |body| {
        body.bytes()
            .is_none_or(|bytes| !mentions_rate_limit(&String::from_utf8_lossy(bytes)))
    })
}

/// A 4xx body that is not GitHub's JSON: HTML, plain text, empty, bytes, JSON that is not an
/// object, over the cap.
pub fn arb_not_githubs_body() -> BoxedStrategy<Body> {
    prop_oneof![
        Just(Body::Complete(Vec::new())),
        Just(Body::Complete(
            b"<!DOCTYPE html><html><body><h1>Not Found</h1></body></html>".to_vec()
        )),
        Just(Body::Complete(b"Forbidden\n".to_vec())),
        arb_not_json().prop_map(Body::Complete),
        arb_non_object().prop_map(|value| Body::Complete(text(&value).into_bytes())),
        any::<usize>().prop_map(|cap| Body::OverCap { cap }),
    ]
    .boxed()
}

/// A body a 403 sends with a rate-limit message: REST JSON or plain text (§2 and §3 alike).
pub fn arb_rate_limit_403_body() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        arb_rate_limit_message().prop_flat_map(|message| {
            object_with(
                vec![("message".to_owned(), string_text(&message))],
                &["message"],
            )
            .prop_map(String::into_bytes)
        }),
        arb_rate_limit_message().prop_map(String::into_bytes),
    ]
    .boxed()
}

// ---- rows §2 and §3 share ----

/// How the identity lookup is named in reason texts.
pub const USER: &str = "GitHub /user API";
/// How the test query is named in reason texts.
pub const GRAPHQL: &str = "GitHub GraphQL API";

/// A verdict on an answer with a status, with what the status rows of §2 and §3 read to
/// judge it: which API answered ([`USER`] or [`GRAPHQL`]), the status, and the headers and
/// time that decide §4's wait. Each row's check is a method, so the rows read one set of
/// parts instead of each listing the same five.
pub struct Answered<'a, T> {
    pub api: &'a str,
    pub verdict: &'a Verdict<T>,
    pub status: u16,
    pub headers: &'a RelevantHeaders,
    pub now: i64,
}

impl<T> Answered<'_, T> {
    /// [`inconclusive_with_wait`] of this answer.
    fn inconclusive(&self, rate_limited: bool) -> Result<(&str, Option<Duration>), TestCaseError> {
        inconclusive_with_wait(self.verdict, self.headers, self.now, rate_limited)
    }

    /// The rows "408; 429; 403 with a rate-limit signal": Inconclusive, rate limited,
    /// `{api} returned {status}` plus the limit, `retry_after` per §4.
    pub fn check_rate_limited(&self) -> Result<(), TestCaseError> {
        let Self { api, status, .. } = self;
        let (reason, retry_after) = self.inconclusive(true)?;
        let limited = match retry_after {
            Some(wait) => format!(
                "{api} returned {status} (rate limited; retry after {} s)",
                wait.as_secs()
            ),
            None => format!("{api} returned {status} (rate limited)"),
        };
        prop_assert_eq!(reason, limited);
        Ok(())
    }

    /// A 4xx that is not a rate limit: evidence when GitHub's API sent the body (or none was
    /// handed over), else Inconclusive, not a rate limit, §4's wait, and the contract's reason.
    pub fn check_4xx(&self, body: &Body) -> Result<(), TestCaseError> {
        let Self { api, status, .. } = self;
        if from_githubs_api(body) {
            match refused_request(*status, body) {
                None => prop_assert_eq!(
                    invalid_reason(self.verdict)?,
                    format!("{api} returned {status}")
                ),
                Some(why) => {
                    let (reason, _) = self.inconclusive(false)?;
                    prop_assert_eq!(reason, request_refused_reason(api, *status, why));
                }
            }
        } else {
            let (reason, _) = self.inconclusive(false)?;
            prop_assert_eq!(
                reason,
                format!(
                    "{api} returned {status} with a body that is not GitHub's JSON (a proxy, a firewall or a wrong API URL?)"
                )
            );
        }
        Ok(())
    }

    /// The rows that the status alone makes Inconclusive (5xx, 1xx, 3xx, other 2xx): not a
    /// rate limit, `retry_after` per §4, and the reason names the status.
    pub fn check_status_inconclusive(&self) -> Result<(), TestCaseError> {
        let Self { api, status, .. } = self;
        let (reason, _) = self.inconclusive(false)?;
        prop_assert!(
            reason.starts_with(&format!("{api} returned {status}")),
            "reason does not name the status: {}",
            reason
        );
        Ok(())
    }
}

/// docs/contract.md §2 and §3, row "transport failure": Inconclusive, not a rate limit, no
/// wait, and the failure in the reason's words.
pub fn check_transport_inconclusive<T>(
    verdict: &Verdict<T>,
    error: &TransportError,
) -> Result<(), TestCaseError> {
    let (reason, retry_after, rate_limited) = inconclusive_parts(verdict)?;
    prop_assert!(!rate_limited);
    prop_assert_eq!(retry_after, None);
    prop_assert!(
        reason.contains(&error.to_string()),
        "the failure, in words: {}",
        reason
    );
    Ok(())
}

/// The rows of a 200 whose body says nothing about the PAT: Inconclusive, no wait, a reason.
pub fn check_body_inconclusive<T>(verdict: &Verdict<T>) -> Result<(), TestCaseError> {
    let (reason, retry_after, rate_limited) = inconclusive_parts(verdict)?;
    prop_assert!(!rate_limited);
    prop_assert_eq!(retry_after, None);
    prop_assert!(!reason.is_empty());
    Ok(())
}

/// `inner` inside `depth` objects `{"a": …}`, for hostile nesting.
fn nested_objects(depth: usize, inner: &str) -> String {
    format!("{}{inner}{}", r#"{"a":"#.repeat(depth), "}".repeat(depth))
}

/// `inner` inside `depth` arrays `[…]`, for hostile nesting.
fn nested_arrays(depth: usize, inner: &str) -> String {
    format!("{}{inner}{}", "[".repeat(depth), "]".repeat(depth))
}

/// Hostile nesting is a verdict whose seed view agrees with it, never a stack overflow: at
/// depths 200 and 100 000, as 200 and 403, `unclosed` repeated (a body that never closes)
/// and every `@` of `around` (the body itself, `"@"`, always among them) filled with deep
/// arrays of `1` and of `null` and deep objects of `null`. Each classifier names only
/// its opener and where its fields sit, so both files ask the same question of the same
/// nestings instead of each building its own list.
pub fn check_deep_nesting<T>(
    classify: fn(&CallResult, UnixTime) -> Verdict<T>,
    unclosed: &str,
    around: &[&str],
) {
    for depth in [200, 100_000] {
        let fills = [
            nested_arrays(depth, "1"),
            nested_arrays(depth, "null"),
            nested_objects(depth, "null"),
        ];
        let mut all = vec![unclosed.repeat(depth)];
        for template in std::iter::once(&"@").chain(around) {
            all.extend(fills.iter().map(|fill| template.replace('@', fill)));
        }
        for body in all {
            for status in [200, 403] {
                let verdict = classify(&Ok(HttpResponse::new(status, body.clone())), UnixTime(0));
                assert_eq!(
                    verdict.error().is_some(),
                    !matches!(verdict, Verdict::Valid(_)),
                    "depth {depth}, status {status}"
                );
            }
        }
    }
}

/// The row "transport failure", for each kind by name: Inconclusive, and the reason quotes
/// the failure.
pub fn check_every_transport_kind<T>(classify: fn(&CallResult, UnixTime) -> Verdict<T>) {
    for kind in ALL_TRANSPORT_KINDS {
        let error = TransportError::new(kind, "while reading");
        let verdict = classify(&Err(error.clone()), UnixTime(0));
        assert!(verdict.transient_failure(), "{kind:?}");
        assert!(
            verdict
                .error()
                .is_some_and(|reason| reason.contains(&error.to_string())),
            "{kind:?}"
        );
    }
}

/// Any answer a classifier can be handed, for its "total over its input" property: every
/// status, any time (the ends of `i64` too), headers of any kind, and a body among the
/// general ones, raw bytes and `good` (the classifier's own valid body). Both classifier
/// files draw from this one strategy, so neither can quietly test less of the input space.
pub fn arb_any_answer(good: BoxedStrategy<Body>) -> BoxedStrategy<(i64, HttpResponse)> {
    (
        any::<u16>(),
        prop_oneof![arb_now(), any::<i64>(), Just(i64::MIN), Just(i64::MAX)],
        arb_headers(0),
        prop_oneof![
            arb_any_body(),
            vec(any::<u8>(), 0..512).prop_map(Body::Complete),
            good,
        ],
    )
        .prop_map(|(status, now, headers, body)| {
            (
                now,
                HttpResponse {
                    status,
                    headers,
                    body,
                },
            )
        })
        .boxed()
}

/// docs/contract.md §1's principle over any answer: only a 200 is Valid; only a 401 or a 403
/// is Invalid (§13's exact 4xx rule), and a 200 too where `invalid_200` says the classifier's
/// table has an Invalid 200 (§2 does, §3 does not).
pub fn check_only_evidence_decides<T>(
    verdict: &Verdict<T>,
    status: u16,
    invalid_200: bool,
) -> Result<(), TestCaseError> {
    let evidence_status = (invalid_200 && status == 200) || matches!(status, 401 | 403);
    match verdict {
        Verdict::Valid(_) => prop_assert_eq!(status, 200),
        Verdict::Invalid { .. } => prop_assert!(evidence_status, "Invalid from {}", status),
        Verdict::Inconclusive { .. } => {}
    }
    Ok(())
}

/// The local `classify` of a classifier test file: the verdict, with §1's seed view checked.
pub type Classify<T> = fn(&CallResult, i64) -> Result<Verdict<T>, TestCaseError>;

/// Which shared check a row's answer must pass.
#[derive(Clone, Copy, Debug)]
pub enum RowCheck {
    /// [`Answered::check_rate_limited`]: 408, 429, 403 with a rate-limit signal.
    RateLimited,
    /// [`Answered::check_4xx`]: a 4xx that is not a rate limit.
    NotARateLimit4xx,
    /// [`Answered::check_status_inconclusive`]: a status that is no evidence.
    StatusInconclusive,
}

/// One answer of a row [`classifier_row`] states: built from its parts, classified, then the
/// row's check.
pub fn check_row<T>(
    check: RowCheck,
    api: &str,
    classify: Classify<T>,
    status: u16,
    headers: RelevantHeaders,
    body: Body,
    now: i64,
) -> Result<(), TestCaseError> {
    let result = Ok(HttpResponse {
        status,
        headers: headers.clone(),
        body: body.clone(),
    });
    let verdict = classify(&result, now)?;
    let answered = Answered {
        api,
        verdict: &verdict,
        status,
        headers: &headers,
        now,
    };
    match check {
        RowCheck::RateLimited => answered.check_rate_limited(),
        RowCheck::NotARateLimit4xx => answered.check_4xx(&body),
        RowCheck::StatusInconclusive => answered.check_status_inconclusive(),
    }
}

/// One proptest per row that docs/contract.md §2 and §3 share word for word, so the identity
/// and test-query files state each such row once, with their own name, doc comment, endpoint
/// (`USER` or `GRAPHQL`), classifier and (where the rows differ) strategies, instead of two
/// copies of the same property that could drift apart.
///
/// `rate_limited` (408, 429), `remaining_zero` and `retry_after` (403 with a header signal),
/// `rate_limit_message` (403 whose body mentions a rate limit, no header signal),
/// `check_4xx` (a 4xx that is not a rate limit), `not_githubs_json` (a 4xx whose body is not
/// GitHub's JSON), `without_body` (a 4xx classified from its status alone),
/// `status_inconclusive` (statuses that are no evidence) and `transport` (every failure).
#[allow(
    unused_macros,
    reason = "only the classifier test files state rows with it"
)]
macro_rules! classifier_row {
    (@property $(#[$meta:meta])* $name:ident($($args:tt)*) $check:block) => {
        ::proptest::proptest! {
            #![proptest_config($crate::common::config(256))]
            $(#[$meta])*
            #[test]
            fn $name($($args)*) $check
        }
    };
    ($(#[$meta:meta])* rate_limited $name:ident($api:expr, $classify:ident, $status:literal, $body:expr)) => {
        $crate::common::classifier_row!(@property $(#[$meta])* $name(
            (now, headers) in $crate::common::arb_now_and_headers(),
            body in $body,
        ) {
            $crate::common::check_row($crate::common::RowCheck::RateLimited, $api, $classify, $status, headers, body, now)?;
        });
    };
    ($(#[$meta:meta])* remaining_zero $name:ident($api:expr, $classify:ident)) => {
        $crate::common::classifier_row!(@property $(#[$meta])* $name(
            (now, headers) in $crate::common::arb_now_and_headers(),
            body in $crate::common::arb_any_body(),
        ) {
            let headers = ::pat_verdict::RelevantHeaders { ratelimit_remaining: Some("0".to_owned()), ..headers };
            $crate::common::check_row($crate::common::RowCheck::RateLimited, $api, $classify, 403, headers, body, now)?;
        });
    };
    ($(#[$meta:meta])* retry_after $name:ident($api:expr, $classify:ident)) => {
        $crate::common::classifier_row!(@property $(#[$meta])* $name(
            (now, headers, retry_after) in $crate::common::arb_now().prop_flat_map(|now| {
                (Just(now), $crate::common::arb_headers(now), $crate::common::arb_header_value(now))
            }),
            body in $crate::common::arb_any_body(),
        ) {
            let headers = ::pat_verdict::RelevantHeaders { retry_after: Some(retry_after), ..headers };
            $crate::common::check_row($crate::common::RowCheck::RateLimited, $api, $classify, 403, headers, body, now)?;
        });
    };
    ($(#[$meta:meta])* rate_limit_message $name:ident($api:expr, $classify:ident, $body:expr)) => {
        $crate::common::classifier_row!(@property $(#[$meta])* $name(
            (now, headers) in $crate::common::arb_now_and_headers_without_signal(),
            body in $body,
        ) {
            let body = ::pat_verdict::Body::Complete(body);
            $crate::common::check_row($crate::common::RowCheck::RateLimited, $api, $classify, 403, headers, body, now)?;
        });
    };
    ($(#[$meta:meta])* check_4xx $name:ident($api:expr, $classify:ident, $status:expr, $headers:expr, $body:expr)) => {
        $crate::common::classifier_row!(@property $(#[$meta])* $name(
            status in $status,
            (now, headers) in $headers,
            body in $body,
        ) {
            $crate::common::check_row($crate::common::RowCheck::NotARateLimit4xx, $api, $classify, status, headers, body, now)?;
        });
    };
    ($(#[$meta:meta])* not_githubs_json $name:ident($api:expr, $classify:ident)) => {
        $crate::common::classifier_row!(@property $(#[$meta])* $name(
            status in prop_oneof![$crate::common::arb_other_4xx(), Just(403_u16)],
            (now, headers) in $crate::common::arb_now_and_headers_without_signal(),
            body in $crate::common::arb_not_githubs_body_without_signal(),
        ) {
            prop_assert!(!$crate::common::from_githubs_api(&body));
            $crate::common::check_row($crate::common::RowCheck::NotARateLimit4xx, $api, $classify, status, headers, body, now)?;
        });
    };
    ($(#[$meta:meta])* without_body $name:ident($api:expr, $classify:ident)) => {
        $crate::common::classifier_row!(@property $(#[$meta])* $name(
            status in prop_oneof![$crate::common::arb_other_4xx(), Just(403_u16)],
            (now, headers) in $crate::common::arb_now_and_headers_without_signal(),
        ) {
            let result = Ok(::pat_verdict::HttpResponse { status, headers, body: ::pat_verdict::Body::Absent });
            let verdict = $classify(&result, now)?;
            match $crate::common::refused_request(status, &::pat_verdict::Body::Absent) {
                None => prop_assert_eq!($crate::common::invalid_reason(&verdict)?, format!("{} returned {status}", $api)),
                Some(why) => prop_assert_eq!(
                    $crate::common::inconclusive_parts(&verdict)?.0,
                    $crate::common::request_refused_reason($api, status, why)
                ),
            }
        });
    };
    ($(#[$meta:meta])* status_inconclusive $name:ident($api:expr, $classify:ident, $status:expr, $body:expr)) => {
        $crate::common::classifier_row!(@property $(#[$meta])* $name(
            status in $status,
            (now, headers) in $crate::common::arb_now_and_headers(),
            body in $body,
        ) {
            $crate::common::check_row($crate::common::RowCheck::StatusInconclusive, $api, $classify, status, headers, body, now)?;
        });
    };
    ($(#[$meta:meta])* transport $name:ident($classify:ident)) => {
        $crate::common::classifier_row!(@property $(#[$meta])* $name(
            error in $crate::common::arb_transport_error(),
            now in any::<i64>(),
        ) {
            $crate::common::check_transport_inconclusive(&$classify(&Err(error.clone()), now)?, &error)?;
        });
    };
}
#[allow(
    unused_imports,
    reason = "only the classifier test files state rows with it"
)]
pub(crate) use classifier_row;

// ---- whole verdicts, by what the contract's tables say of them ----

/// A verdict that is not valid as the contract's tables state it: which verdict, the reason
/// text, the wait and whether it is a rate limit. The cause is §13's, asserted where the tests
/// of causes look at it; a verdict equals this when all of these agree.
#[derive(Clone, Debug)]
pub struct Judged {
    pub invalid: bool,
    pub reason: String,
    pub retry_after: Option<Duration>,
    pub rate_limited: bool,
}

impl<T> PartialEq<Judged> for Verdict<T> {
    fn eq(&self, judged: &Judged) -> bool {
        matches!(self, Verdict::Invalid { .. }) == judged.invalid
            && !matches!(self, Verdict::Valid(_))
            && self.error() == Some(judged.reason.as_str())
            && self.retry_after() == judged.retry_after
            && self.rate_limited() == judged.rate_limited
    }
}

/// Invalid, for `reason`.
#[allow(
    dead_code,
    reason = "not every test file judges an invalid verdict whole"
)]
pub fn invalid(reason: impl Into<String>) -> Judged {
    Judged {
        invalid: true,
        reason: reason.into(),
        retry_after: None,
        rate_limited: false,
    }
}

/// Inconclusive, not a rate limit, no wait, for `reason`.
#[allow(
    dead_code,
    reason = "not every test file judges an inconclusive verdict whole"
)]
pub fn inconclusive(reason: impl Into<String>) -> Judged {
    Judged {
        invalid: false,
        reason: reason.into(),
        retry_after: None,
        rate_limited: false,
    }
}

/// Inconclusive and rate limited, with this wait, for `reason`.
#[allow(dead_code, reason = "not every test file judges a rate limit whole")]
pub fn rate_limited(reason: impl Into<String>, retry_after: Option<Duration>) -> Judged {
    Judged {
        invalid: false,
        reason: reason.into(),
        retry_after,
        rate_limited: true,
    }
}

/// Any cause a verdict can carry (docs/contract.md §13), with arbitrary parts.
#[allow(
    dead_code,
    reason = "only the tests of causes and handlers draw causes"
)]
pub fn arb_cause() -> BoxedStrategy<pat_verdict::Cause> {
    use pat_verdict::{AccountId, Cause, Endpoint, OddAnswer, RateLimit, TokenError};
    let endpoint = prop_oneof![
        Just(Endpoint::Identity),
        Just(Endpoint::TestQuery),
        Just(Endpoint::OneCall)
    ];
    let text = proptest::option::of("[ -~]{0,30}");
    let wait = proptest::option::of((0_u64..100_000).prop_map(Duration::from_millis));
    let odd = prop_oneof![
        (400_u16..500).prop_map(|status| OddAnswer::NotGithubsJson { status }),
        any::<u16>().prop_map(|status| OddAnswer::Status { status }),
        any::<usize>().prop_map(|cap| OddAnswer::OverCap { cap }),
        "[ -~]{0,30}".prop_map(|error| OddAnswer::NotJson { error }),
        Just(OddAnswer::NotObject),
        Just(OddAnswer::Unexpected {
            what: "`errors` is not an array"
        }),
    ];
    prop_oneof![
        prop_oneof![
            Just(TokenError::Empty),
            (1_usize..256).prop_map(|position| TokenError::Malformed { position }),
            (256_usize..1_000_000).prop_map(|length| TokenError::TooLong { length }),
        ]
        .prop_map(Cause::MalformedToken),
        endpoint
            .clone()
            .prop_map(|endpoint| Cause::BadCredentials { endpoint }),
        endpoint
            .clone()
            .prop_map(|endpoint| Cause::Forbidden { endpoint }),
        text.clone()
            .prop_map(|message| Cause::GraphqlError { message }),
        Just(Cause::NoViewer),
        (endpoint.clone(), any::<u16>(), wait).prop_map(|(endpoint, status, wait)| {
            Cause::RateLimited(RateLimit::Status {
                endpoint,
                status,
                wait,
            })
        }),
        text.clone()
            .prop_map(|message| Cause::RateLimited(RateLimit::Graphql { message })),
        (endpoint.clone(), 500_u16..600)
            .prop_map(|(endpoint, status)| Cause::GithubDown { endpoint, status }),
        (endpoint.clone(), text)
            .prop_map(|(endpoint, message)| Cause::GithubFailure { endpoint, message }),
        (endpoint.clone(), odd)
            .prop_map(|(endpoint, answer)| Cause::NotGithub { endpoint, answer }),
        (
            endpoint.clone(),
            400_u16..500,
            prop_oneof![
                Just(pat_verdict::WhyRefused::Route),
                Just(pat_verdict::WhyRefused::UserAgent)
            ]
        )
            .prop_map(|(endpoint, status, why)| Cause::RequestRefused {
                endpoint,
                status,
                why
            }),
        prop_oneof![Just(AccountId::Missing), Just(AccountId::NotDecimal)]
            .prop_map(Cause::NoAccountId),
        (
            endpoint,
            proptest::sample::select(&ALL_TRANSPORT_KINDS[..]),
            "[ -~]{0,30}"
        )
            .prop_map(|(endpoint, kind, detail)| {
                Cause::Transport {
                    endpoint,
                    kind,
                    detail,
                }
            }),
        Just(Cause::Contradicted),
        (1_u64..3_600_000).prop_map(|ms| Cause::Deadline {
            deadline: Duration::from_millis(ms)
        }),
        (any::<u32>(), any::<i64>()).prop_map(|(failures, retry_at)| Cause::ShortCircuited {
            failures,
            retry_at: UnixTime(retry_at)
        }),
    ]
    .boxed()
}
