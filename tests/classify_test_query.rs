//! docs/contract.md §2 (with §1's seed view and §4's rate limits): one property per row of the test-query
//! table, over every status of the row, arbitrary relevant headers, arbitrary messages, junk
//! JSON fields and any key order. Each asserts the verdict and the reason text the contract gives.

mod common;

use common::{
    Answered, EVIDENCE_TYPES, Expected, GITHUB_FAILURE_TYPES, GRAPHQL, arb_any_body, arb_cut,
    arb_github_failure_message, arb_junk, arb_non_evidence_status, arb_non_object,
    arb_nonsense_status, arb_not_json, arb_now, arb_now_and_headers,
    arb_now_and_headers_without_signal, arb_other_4xx, arb_plain_message, arb_rate_limit_403_body,
    arb_rate_limit_message, at, check_body_inconclusive, check_github_failed, check_seed_view,
    config, expected_retry_after, invalid_reason, mentions_rate_limit, object_with, response,
    string_text, text,
};
use pat_verdict::{Body, CallResult, HttpResponse, RelevantHeaders};
use pat_verdict::{
    Token, TransportError, TransportErrorKind, classify_test_query, classify_test_query_redacting,
};
use pat_verdict::{UnixTime, Verdict, Viewer};
use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::Value;

/// The words of the contract for a test query that cannot see the viewer.
const VIEWER_MISSING: &str = "Fine-grained PATs need 'Public Repositories (read-only)' permission";

const TOP: &[&str] = &["errors", "data"];

fn classify(result: &CallResult, now: i64) -> Result<Verdict<Viewer>, TestCaseError> {
    let verdict = classify_test_query(result, at(now));
    check_seed_view(&verdict)?;
    Ok(verdict)
}

// ---- bodies ----

/// `data` whose `viewer` is an object, with junk around it; and the login the contract expects.
fn arb_viewer_data() -> BoxedStrategy<(String, Option<String>)> {
    let login = prop_oneof![
        Just((None, None)),
        "\\PC{0,20}".prop_map(|login| (Some(string_text(&login)), Some(login))),
        arb_junk()
            .prop_filter("not a string", |value| !value.is_string())
            .prop_map(|value| (Some(text(&value)), None)),
    ];
    login
        .prop_flat_map(|(field, expected)| {
            let named = field
                .map(|field| vec![("login".to_owned(), field)])
                .unwrap_or_default();
            (object_with(named, &["login"]), Just(expected))
        })
        .prop_flat_map(|(viewer, expected)| {
            (
                object_with(vec![("viewer".to_owned(), viewer)], &["viewer"]),
                Just(expected),
            )
        })
        .boxed()
}

/// `errors` as docs/contract.md §2 counts absent: missing, `null` or `[]`.
fn arb_absent_errors() -> impl Strategy<Value = Option<&'static str>> {
    prop_oneof![Just(None), Just(Some("null")), Just(Some("[]"))]
}

/// A top-level object with `data` (when given), `errors` (when given) and junk.
fn top_object(data: Option<String>, errors: Option<String>) -> BoxedStrategy<String> {
    let mut named = Vec::new();
    if let Some(data) = data {
        named.push(("data".to_owned(), data));
    }
    if let Some(errors) = errors {
        named.push(("errors".to_owned(), errors));
    }
    object_with(named, TOP)
}

/// docs/contract.md §2 row 1: 200, an object, `errors` absent or empty, `data.viewer` an object.
fn arb_valid_body() -> BoxedStrategy<(String, Option<String>)> {
    (arb_viewer_data(), arb_absent_errors())
        .prop_flat_map(|((data, login), errors)| {
            (
                top_object(Some(data), errors.map(str::to_owned)),
                Just(login),
            )
        })
        .boxed()
}

/// `data` that is null or missing, or whose `viewer` is null or missing (`None`: no `data`).
fn arb_data_without_viewer() -> BoxedStrategy<Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some("null".to_owned())),
        object_with(Vec::new(), &["viewer"]).prop_map(Some),
        object_with(vec![("viewer".to_owned(), "null".to_owned())], &["viewer"]).prop_map(Some),
    ]
    .boxed()
}

/// Any `data` at all (`None`: no `data`), for rows where `errors` decides.
fn arb_any_data() -> BoxedStrategy<Option<String>> {
    prop_oneof![
        arb_data_without_viewer(),
        arb_viewer_data().prop_map(|(data, _)| Some(data)),
        arb_junk().prop_map(|value| Some(text(&value))),
    ]
    .boxed()
}

/// A `message` field: a string (kept), missing, or not a string (none).
fn arb_message_field(
    message: BoxedStrategy<String>,
) -> BoxedStrategy<(Option<String>, Option<String>)> {
    prop_oneof![
        message.prop_map(|message| (Some(string_text(&message)), Some(message))),
        Just((None, None)),
        arb_junk()
            .prop_filter("not a string", |value| !value.is_string())
            .prop_map(|value| (Some(text(&value)), None)),
    ]
    .boxed()
}

/// `[first, junk…]` as text.
fn errors_array(first: String, rest: Vec<Value>) -> String {
    let mut items = vec![first];
    items.extend(rest.iter().map(text));
    format!("[{}]", items.join(", "))
}

/// `errors[0]` that GitHub sends for a rate limit, and its message (when a string).
fn arb_rate_limit_error(message: BoxedStrategy<String>) -> BoxedStrategy<(String, Option<String>)> {
    let signal = proptest::sample::select(vec![
        ("type", "RATE_LIMITED"),
        ("type", "RATE_LIMIT"),
        ("code", "graphql_rate_limit"),
    ]);
    (signal, arb_message_field(message))
        .prop_flat_map(|((key, value), (field, message))| {
            let mut named = vec![(key.to_owned(), string_text(value))];
            if let Some(field) = field {
                named.push(("message".to_owned(), field));
            }
            (
                object_with(named, &["type", "code", "message"]),
                Just(message),
            )
        })
        .boxed()
}

/// A `type` or `code` value that is not a rate-limit one (or `None`: the key is missing).
fn arb_not_a_limit(limits: &'static [&'static str]) -> BoxedStrategy<Option<String>> {
    prop_oneof![
        Just(None),
        prop_oneof![
            "\\PC{0,16}",
            Just("NOT_FOUND".to_owned()),
            Just("FORBIDDEN".to_owned()),
            Just("INSUFFICIENT_SCOPES".to_owned()),
        ]
        .prop_filter("not a limit", move |value| !limits
            .contains(&value.as_str()))
        .prop_map(|value| Some(string_text(&value))),
        arb_junk()
            .prop_filter("not a string", |value| !value.is_string())
            .prop_map(|value| Some(text(&value))),
    ]
    .boxed()
}

/// `errors[0]` that is not a rate limit, and its message (when a string).
fn arb_other_error() -> BoxedStrategy<(String, Option<String>)> {
    let object = (
        arb_not_a_limit(&[
            "RATE_LIMITED",
            "RATE_LIMIT",
            "INTERNAL",
            "SERVICE_UNAVAILABLE",
            "TIMEOUT",
            "RESOURCE_LIMITS_EXCEEDED",
            "MAX_NODE_LIMIT_EXCEEDED",
        ]),
        arb_not_a_limit(&["graphql_rate_limit"]),
        arb_message_field(arb_plain_message().boxed()),
    )
        .prop_flat_map(|(kind, code, (field, message))| {
            let mut named = Vec::new();
            for (key, value) in [("type", kind), ("code", code), ("message", field)] {
                if let Some(value) = value {
                    named.push((key.to_owned(), value));
                }
            }
            (
                object_with(named, &["type", "code", "message"]),
                Just(message),
            )
        });
    prop_oneof![
        3 => object,
        1 => arb_non_object().prop_map(|value| (text(&value), None)),
    ]
    .boxed()
}

/// A 200 body whose `errors[0]` is `first`, with junk errors after it and any `data`.
fn body_with_first_error(
    first: BoxedStrategy<(String, Option<String>)>,
) -> BoxedStrategy<(String, Option<String>)> {
    (first, vec(arb_junk(), 0..3), arb_any_data())
        .prop_flat_map(|((first, message), rest, data)| {
            (
                top_object(data, Some(errors_array(first, rest))),
                Just(message),
            )
        })
        .boxed()
}

/// A body a 403 sends with no rate-limit mention anywhere.
fn arb_plain_403_body() -> BoxedStrategy<Body> {
    prop_oneof![
        arb_plain_message().prop_flat_map(|message| {
            object_with(
                vec![("message".to_owned(), string_text(&message))],
                &["message"],
            )
            .prop_map(|body| Body::Complete(body.into_bytes()))
        }),
        arb_plain_message().prop_map(|message| Body::Complete(message.into_bytes())),
        arb_any_body(),
    ]
    .prop_filter("no rate-limit mention", |body| match body {
        Body::Complete(bytes) => !mentions_rate_limit(&String::from_utf8_lossy(bytes)),
        Body::OverCap { .. } | Body::Absent => true,
    })
    .boxed()
}

/// A 200 body `{"errors": [first], "data": data}` as text (`data` left out when `None`).
fn top_text(data: Option<String>, first: &Value) -> String {
    match data {
        Some(data) => format!(r#"{{"errors": [{first}], "data": {data}}}"#),
        None => format!(r#"{{"errors": [{first}]}}"#),
    }
}

/// [`top_text`] with `errors[0]` made of `named` fields (raw JSON values).
fn first_error_body(
    named: Vec<(String, String)>,
    data: Option<String>,
) -> Result<String, TestCaseError> {
    let first: Value = serde_json::from_str(&common::object_text(&named, false))
        .map_err(|error| TestCaseError::fail(error.to_string()))?;
    Ok(top_text(data, &first))
}

// ---- checks ----

proptest! {
    #![proptest_config(config(256))]

    /// §2 row 1.
    #[test]
    fn test_query_200_with_viewer_is_valid(
        (now, headers) in arb_now_and_headers(),
        (body, login) in arb_valid_body(),
    ) {
        let verdict = classify(&response(200, headers, body.into_bytes()), now)?;
        prop_assert_eq!(verdict, Verdict::Valid(Viewer { login }));
    }

    /// §2: `errors: []` and `errors: null` count as absent, whatever `data` then says.
    #[test]
    fn test_query_empty_or_null_errors_count_as_absent(
        now in arb_now(),
        (body, login) in (
            prop_oneof![Just("[]"), Just("null")],
            prop_oneof![
                arb_viewer_data().prop_map(|(data, login)| (Some(data), Some(login))),
                arb_data_without_viewer().prop_map(|data| (data, None)),
            ],
        )
            .prop_flat_map(|(errors, (data, login))| {
                (top_object(data, Some(errors.to_owned())), Just(login))
            }),
    ) {
        let verdict = classify(&response(200, RelevantHeaders::default(), body.into_bytes()), now)?;
        match login {
            Some(login) => prop_assert_eq!(verdict, Verdict::Valid(Viewer { login })),
            None => prop_assert_eq!(verdict, common::invalid(VIEWER_MISSING)),
        }
    }

    /// §2 row "500–599".
    #[test]
    fn test_query_5xx_is_inconclusive(
        status in 500_u16..=599,
        (now, headers) in arb_now_and_headers(),
        body in arb_any_body(),
    ) {
        let result = Ok(HttpResponse { status, headers: headers.clone(), body });
        let verdict = classify(&result, now)?;
        Answered { api: GRAPHQL, verdict: &verdict, status, headers: &headers, now }.check_status_inconclusive()?;
        let wanted = format!("GitHub GraphQL API returned {status}");
        prop_assert_eq!(verdict.error(), Some(wanted.as_str()));
    }

    /// §2 row "403 with a rate-limit signal": the message that mentions the limit may come
    /// in GraphQL's shape (`errors[0].message`) rather than REST's (`message`) — it is still a
    /// message containing "rate limit", and a 403 saying so is not evidence about the PAT.
    #[test]
    fn test_query_403_with_graphql_rate_limit_message_is_inconclusive_rate_limited(
        (now, headers) in arb_now_and_headers_without_signal(),
        (body, _) in body_with_first_error(arb_rate_limit_error(arb_rate_limit_message().boxed())),
    ) {
        let verdict = classify(&response(403, headers.clone(), body.into_bytes()), now)?;
        Answered { api: GRAPHQL, verdict: &verdict, status: 403, headers: &headers, now }.check_rate_limited()?;
    }

    /// §4: a 403 whose `documentation_url` names GitHub's rate-limit documentation is rate
    /// limited, whatever its message says.
    #[test]
    fn test_query_403_with_rate_limit_documentation_url_is_rate_limited(
        (now, headers) in arb_now_and_headers_without_signal(),
        message in arb_plain_message(),
        url in ("\\PC{0,30}", proptest::sample::select(vec!["rate-limit", "RATE-LIMIT", "Rate-Limit"]), "\\PC{0,30}")
            .prop_map(|(before, needle, after)| format!("{before}{needle}{after}")),
    ) {
        let body = serde_json::json!({"message": message, "documentation_url": url}).to_string();
        let verdict = classify(&response(403, headers.clone(), body.into_bytes()), now)?;
        Answered { api: GRAPHQL, verdict: &verdict, status: 403, headers: &headers, now }.check_rate_limited()?;
    }

    /// §2 "GitHub's own failures": `errors[0].type` a failure type, whatever the message
    /// (a rate-limit phrase aside, §4 decides first) — Inconclusive, `GitHub GraphQL API
    /// failed: {message}`, when no viewer came back.
    #[test]
    fn test_query_github_failure_type_is_inconclusive(
        (now, headers) in arb_now_and_headers(),
        kind in proptest::sample::select(GITHUB_FAILURE_TYPES.to_vec()),
        message in proptest::option::of(prop_oneof![arb_plain_message().boxed(), arb_github_failure_message().boxed()]),
        data in arb_data_without_viewer(),
    ) {
        let mut first = serde_json::json!({"type": kind});
        if let Some(message) = &message {
            first["message"] = serde_json::json!(message);
        }
        let body = top_text(data, &first);
        let verdict = classify(&response(200, headers.clone(), body.into_bytes()), now)?;
        check_github_failed(GRAPHQL, &verdict, message.as_deref(), &headers, now)?;
    }

    /// §2 "GitHub's own failures": an `errors[0].message` with a failure phrase, any case,
    /// any text around it, untyped or of a type that is neither evidence nor a limit.
    #[test]
    fn test_query_github_failure_message_is_inconclusive(
        (now, headers) in arb_now_and_headers(),
        kind in arb_not_a_limit(&["RATE_LIMITED", "RATE_LIMIT", "FORBIDDEN", "INSUFFICIENT_SCOPES", "NOT_FOUND"]),
        message in arb_github_failure_message(),
        data in arb_data_without_viewer(),
    ) {
        let mut named = vec![("message".to_owned(), string_text(&message))];
        if let Some(kind) = kind {
            named.push(("type".to_owned(), kind));
        }
        let verdict = classify(&response(200, headers.clone(), first_error_body(named, data)?.into_bytes()), now)?;
        check_github_failed(GRAPHQL, &verdict, Some(&message), &headers, now)?;
    }

    /// §2: GitHub's own failure with `data.viewer` an object beside it is Valid: the viewer
    /// came back, the PAT works.
    #[test]
    fn test_query_github_failure_with_viewer_is_valid(
        now in arb_now(),
        failure in prop_oneof![
            proptest::sample::select(GITHUB_FAILURE_TYPES.to_vec()).prop_map(|kind| serde_json::json!({"type": kind})),
            arb_github_failure_message().prop_map(|message| serde_json::json!({"message": message})),
        ],
        (data, login) in arb_viewer_data(),
    ) {
        let body = top_text(Some(data), &failure);
        let verdict = classify(&response(200, RelevantHeaders::default(), body.into_bytes()), now)?;
        prop_assert_eq!(verdict, Verdict::Valid(Viewer { login }));
    }

    /// §2: typed evidence stays evidence whatever its message says (a failure phrase too).
    #[test]
    fn test_query_typed_evidence_stays_invalid(
        (now, headers) in arb_now_and_headers(),
        kind in proptest::sample::select(EVIDENCE_TYPES.to_vec()),
        message in prop_oneof![arb_plain_message().boxed(), arb_github_failure_message().boxed()],
        data in arb_any_data(),
    ) {
        let named = vec![("type".to_owned(), string_text(kind)), ("message".to_owned(), string_text(&message))];
        let verdict = classify(&response(200, headers, first_error_body(named, data)?.into_bytes()), now)?;
        prop_assert_eq!(invalid_reason(&verdict)?, format!("GraphQL error: {message}"));
    }

    /// §2 row "200 with `errors[0].type` RATE_LIMITED or RATE_LIMIT (also
    /// `code: graphql_rate_limit`)": Inconclusive, rate limited, the message; §4's wait.
    #[test]
    fn test_query_graphql_rate_limit_error_is_inconclusive(
        (now, headers) in arb_now_and_headers(),
        (body, message) in body_with_first_error(arb_rate_limit_error("\\PC{0,200}".boxed())),
    ) {
        let verdict = classify(&response(200, headers.clone(), body.into_bytes()), now)?;
        let (reason, _) = common::inconclusive_with_wait(&verdict, &headers, now, true)?;
        match message {
            Some(message) => prop_assert_eq!(reason, message),
            None => prop_assert!(!reason.is_empty()),
        }
    }

    /// §4: a GraphQL error whose message mentions a rate limit (any case, any type) is one.
    #[test]
    fn test_query_graphql_error_mentioning_rate_limit_is_inconclusive(
        (now, headers) in arb_now_and_headers(),
        (body, message) in body_with_first_error(
            (arb_not_a_limit(&["RATE_LIMITED", "RATE_LIMIT"]), arb_rate_limit_message())
                .prop_flat_map(|(kind, message)| {
                    let mut named = vec![("message".to_owned(), string_text(&message))];
                    if let Some(kind) = kind {
                        named.push(("type".to_owned(), kind));
                    }
                    (object_with(named, &["type", "code", "message"]), Just(Some(message)))
                })
                .boxed(),
        ),
    ) {
        let verdict = classify(&response(200, headers.clone(), body.into_bytes()), now)?;
        let (reason, _) = common::inconclusive_with_wait(&verdict, &headers, now, true)?;
        prop_assert_eq!(Some(reason.to_owned()), message);
    }

    /// §2 row "200 with `errors` non-empty (any other)": `GraphQL error: {message}` or
    /// `unknown`, whatever `data` holds.
    #[test]
    fn test_query_graphql_error_is_invalid(
        (now, headers) in arb_now_and_headers(),
        (body, message) in body_with_first_error(arb_other_error()),
    ) {
        let verdict = classify(&response(200, headers, body.into_bytes()), now)?;
        prop_assert_eq!(
            invalid_reason(&verdict)?,
            format!("GraphQL error: {}", message.as_deref().unwrap_or("unknown"))
        );
        if message.is_none() {
            prop_assert_eq!(invalid_reason(&verdict)?, "GraphQL error: unknown");
        }
    }

    /// §2: `errors` is checked before `data` — a perfect `data.viewer` does not save a PAT
    /// that GitHub also reported an error for.
    #[test]
    fn test_query_errors_are_checked_before_data(
        now in arb_now(),
        message in arb_plain_message(),
        (data, _) in arb_viewer_data(),
        errors_first in any::<bool>(),
    ) {
        let error = format!(r#"[{{"message": {}}}]"#, string_text(&message));
        let body = if errors_first {
            format!(r#"{{"errors": {error}, "data": {data}}}"#)
        } else {
            format!(r#"{{"data": {data}, "errors": {error}}}"#)
        };
        let verdict = classify(&response(200, RelevantHeaders::default(), body.into_bytes()), now)?;
        prop_assert_eq!(invalid_reason(&verdict)?, format!("GraphQL error: {message}"));
    }

    /// §2 row "200 with `data` null or missing, or `data.viewer` null or missing".
    #[test]
    fn test_query_missing_viewer_is_invalid(
        (now, headers) in arb_now_and_headers(),
        body in (arb_data_without_viewer(), arb_absent_errors())
            .prop_flat_map(|(data, errors)| top_object(data, errors.map(str::to_owned))),
    ) {
        let verdict = classify(&response(200, headers, body.into_bytes()), now)?;
        prop_assert_eq!(invalid_reason(&verdict)?, VIEWER_MISSING);
        prop_assert_eq!(
            invalid_reason(&verdict)?,
            "Fine-grained PATs need 'Public Repositories (read-only)' permission"
        );
    }

    /// §2 row "200 whose body is not JSON".
    #[test]
    fn test_query_200_not_json_is_inconclusive(
        (now, headers) in arb_now_and_headers(),
        body in arb_not_json(),
    ) {
        check_body_inconclusive(&classify(&response(200, headers, body), now)?)?;
    }

    /// §2 row "200 whose body is not JSON": a valid answer cut short (a truncated read).
    #[test]
    fn test_query_200_cut_short_is_inconclusive(
        now in arb_now(),
        body in arb_valid_body().prop_flat_map(|(body, _)| arb_cut(body)),
    ) {
        check_body_inconclusive(&classify(&response(200, RelevantHeaders::default(), body), now)?)?;
    }

    /// §2 row "200 whose body is … not a JSON object" (arrays, strings, numbers, null).
    #[test]
    fn test_query_200_not_an_object_is_inconclusive(
        (now, headers) in arb_now_and_headers(),
        value in prop_oneof![
            arb_non_object(),
            arb_valid_body().prop_map(|(body, _)| {
                Value::Array(vec![serde_json::from_str(&body).unwrap_or(Value::Null)])
            }),
        ],
    ) {
        let verdict = classify(&response(200, headers, text(&value).into_bytes()), now)?;
        check_body_inconclusive(&verdict)?;
    }

    /// §2 row "200 whose body is … larger than the body cap".
    #[test]
    fn test_query_200_over_cap_is_inconclusive(
        (now, headers) in arb_now_and_headers(),
        cap in any::<usize>(),
    ) {
        let result = Ok(HttpResponse { status: 200, headers, body: Body::OverCap { cap } });
        let verdict = classify(&result, now)?;
        check_body_inconclusive(&verdict)?;
        prop_assert!(verdict.error().is_some_and(|reason| reason.contains(&cap.to_string())));
    }

    /// Total over its input (STYLE: parsers that never panic), and §1's principle: only a
    /// 200 is Valid, only a 200 or a 4xx other than 408/429 is Invalid.
    #[test]
    fn test_query_never_panics_on_any_input(
        (now, answer) in common::arb_any_answer(
            arb_valid_body().prop_map(|(body, _)| Body::Complete(body.into_bytes())).boxed(),
        ),
    ) {
        let status = answer.status;
        let verdict = classify(&Ok(answer), now)?;
        common::check_only_evidence_decides(&verdict, status, true)?;
    }
}

common::classifier_row! {
    /// §2 row "transport failure": every kind, any detail.
    transport test_query_transport_failure_is_inconclusive(classify)
}

common::classifier_row! {
    /// §2 row "408".
    rate_limited test_query_408_is_inconclusive_rate_limited(GRAPHQL, classify, 408, arb_any_body())
}

common::classifier_row! {
    /// §2 row "429" (status 429 is itself a §4 signal).
    rate_limited test_query_429_is_inconclusive_rate_limited(GRAPHQL, classify, 429, arb_any_body())
}

common::classifier_row! {
    /// §2 row "403 with a rate-limit signal": `x-ratelimit-remaining: 0`.
    remaining_zero test_query_403_with_remaining_zero_is_inconclusive_rate_limited(GRAPHQL, classify)
}

common::classifier_row! {
    /// §2 row "403 with a rate-limit signal": any `retry-after`.
    retry_after test_query_403_with_retry_after_is_inconclusive_rate_limited(GRAPHQL, classify)
}

common::classifier_row! {
    /// §2 row "403 with a rate-limit signal": a message mentioning a rate limit, in any case,
    /// with no header signal at all (GitHub's secondary rate limit).
    rate_limit_message test_query_403_with_rate_limit_message_is_inconclusive_rate_limited(
        GRAPHQL, classify, arb_rate_limit_403_body()
    )
}

common::classifier_row! {
    /// §2 row "any other 4xx": a 403 without any rate-limit signal is evidence.
    check_4xx test_query_plain_403_is_invalid(
        GRAPHQL, classify, Just(403_u16), arb_now_and_headers_without_signal(), arb_plain_403_body()
    )
}

common::classifier_row! {
    /// §2 row "any other 4xx": every 4xx but 403/408/429, whatever the headers say and
    /// whatever GitHub's JSON says (a rate-limit message included) — evidence when the body
    /// is GitHub's JSON or none was handed over, else not GitHub's judgement.
    check_4xx test_query_other_4xx_is_invalid(
        GRAPHQL,
        classify,
        arb_other_4xx(),
        arb_now_and_headers(),
        prop_oneof![arb_any_body(), arb_rate_limit_403_body().prop_map(Body::Complete)]
    )
}

common::classifier_row! {
    /// §2 "An answer that did not come from GitHub's API": a 4xx (403 without a rate-limit
    /// signal included) whose body is HTML, plain text, empty or any non-object is
    /// Inconclusive with the contract's reason.
    not_githubs_json test_query_4xx_not_githubs_json_is_inconclusive(GRAPHQL, classify)
}

common::classifier_row! {
    /// §2: a 4xx classified from its status alone (no body handed over) stays evidence.
    without_body test_query_4xx_without_a_body_is_invalid(GRAPHQL, classify)
}

common::classifier_row! {
    /// §2 row "1xx, 3xx, other 2xx": not evidence, even with a body that would be valid.
    status_inconclusive test_query_1xx_3xx_other_2xx_is_inconclusive(
        GRAPHQL,
        classify,
        arb_non_evidence_status(),
        prop_oneof![
            arb_any_body(),
            arb_valid_body().prop_map(|(body, _)| Body::Complete(body.into_bytes())),
        ]
    )
}

common::classifier_row! {
    /// §1's principle for statuses HTTP does not define: no evidence, so Inconclusive.
    status_inconclusive test_query_nonsense_status_is_inconclusive(
        GRAPHQL, classify, arb_nonsense_status(), arb_any_body()
    )
}

/// A 403 with `body` (and no headers) is a rate limit with no wait to honour.
fn assert_403_rate_limited_without_a_wait(body: &[u8]) {
    let verdict = classify_test_query(&Ok(HttpResponse::new(403, body.to_vec())), UnixTime(0));
    assert_eq!(
        verdict,
        common::rate_limited("GitHub GraphQL API returned 403 (rate limited)", None)
    );
}

/// §4 with GitHub's own examples: a secondary rate limit on a 403 with only a message.
#[test]
fn test_query_403_secondary_rate_limit_example() {
    let body = br#"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/resources-in-the-rest-api#secondary-rate-limits"}"#;
    assert_403_rate_limited_without_a_wait(body);
}

/// §2 row "403 with a rate-limit signal", the smallest case of
/// `test_query_403_with_graphql_rate_limit_message_is_inconclusive_rate_limited`: a 403 whose
/// GraphQL-shaped body says "API rate limit exceeded" carries a message containing
/// "rate limit" (docs/contract.md §4), so it is Inconclusive, not evidence against the PAT.
#[test]
fn test_query_403_graphql_rate_limited_body_example() {
    let body = br#"{"errors":[{"type":"RATE_LIMITED","message":"API rate limit exceeded for user ID 1."}]}"#;
    assert_403_rate_limited_without_a_wait(body);
}

/// §4: `x-ratelimit-reset` minus now when the quota is spent.
#[test]
fn test_query_403_reset_gives_the_wait() {
    let headers = RelevantHeaders::default()
        .with("x-ratelimit-remaining", "0")
        .with("x-ratelimit-reset", "1700000600");
    let result = Ok(HttpResponse {
        status: 403,
        headers,
        body: Body::Complete(br#"{"message":"API rate limit exceeded"}"#.to_vec()),
    });
    let verdict = classify_test_query(&result, UnixTime(1_700_000_000));
    assert_eq!(
        verdict.retry_after(),
        Some(std::time::Duration::from_secs(600))
    );
    assert!(verdict.transient_failure());
}

/// §2's GraphQL rate-limit answer as GitHub sends it, with data null beside it.
#[test]
fn test_query_graphql_rate_limited_example() {
    let body = br#"{"data":null,"errors":[{"type":"RATE_LIMITED","message":"API rate limit exceeded for user ID 1."}]}"#;
    let headers = RelevantHeaders::default().with("retry-after", "60");
    let result = Ok(HttpResponse {
        status: 200,
        headers,
        body: Body::Complete(body.to_vec()),
    });
    assert_eq!(
        classify_test_query(&result, UnixTime(0)),
        common::rate_limited(
            "API rate limit exceeded for user ID 1.",
            Some(std::time::Duration::from_secs(60))
        )
    );
}

/// Hostile nesting is a verdict, not a stack overflow.
#[test]
fn test_query_deeply_nested_body_does_not_panic() {
    common::check_deep_nesting(
        classify_test_query,
        "[",
        &[r#"{"errors":@}"#, r#"{"data":{"viewer":@}}"#],
    );
}

/// A message longer than the quoting limit: docs/contract.md §2 says the reason is
/// `GraphQL error: {errors[0].message}`; the code cuts GitHub's text at
/// 300 characters (a choice the contract does not state).
#[test]
fn test_query_long_graphql_error_message_is_quoted_from_its_start() {
    let message = "x".repeat(1_000);
    let body = format!(r#"{{"errors":[{{"message":"{message}"}}]}}"#);
    let verdict = classify_test_query(&Ok(HttpResponse::new(200, body)), UnixTime(0));
    let reason = verdict.error().unwrap_or_default();
    assert!(!verdict.transient_failure());
    assert!(reason.starts_with(&format!("GraphQL error: {}", &message[..300])));
}

/// Guard for the helper: `Expected` treats an unreadable `retry-after` as unspecified.
#[test]
fn expected_retry_after_model_is_strict_where_spec_is() {
    let headers = RelevantHeaders::default().with("retry-after", "30");
    assert_eq!(
        expected_retry_after(&headers, 0, true),
        Expected::Exactly(Some(std::time::Duration::from_secs(30)))
    );
    let headers = RelevantHeaders::default().with("x-ratelimit-reset", "100");
    assert_eq!(
        expected_retry_after(&headers, 0, false),
        Expected::Exactly(None)
    );
    assert_eq!(
        expected_retry_after(&headers, 40, true),
        Expected::Exactly(Some(std::time::Duration::from_secs(60)))
    );
}

/// §2 row "transport failure", for each kind by name (the property samples them).
#[test]
fn test_query_every_transport_kind_is_inconclusive() {
    common::check_every_transport_kind(classify_test_query);
}

/// A transport failure's words are outside text like GitHub's (docs/contract.md §5, added
/// 2026-12-07): a host that hands over a 10 MB detail gets a reason cut to the quoting limit,
/// and a token straddling the cut is redacted before it, so not even its first half shows.
#[test]
fn a_transport_detail_is_redacted_then_cut_like_githubs_words() {
    let huge: CallResult = Err(TransportError::new(
        TransportErrorKind::Other,
        "x".repeat(10_000_000),
    ));
    let verdict = classify_test_query(&huge, at(0));
    let reason = verdict.error().unwrap_or_default();
    assert!(reason.starts_with("GitHub GraphQL API unreachable: transport failure: xxx"));
    assert!(
        reason.chars().count() <= 300 + 60,
        "{} characters",
        reason.len()
    );
    assert!(reason.ends_with('…'));

    let token = Token::parse("ghp_straddling0123456789").unwrap_or_else(|e| panic!("{e}"));
    let detail = format!("{}{}", "y".repeat(290), token.expose_secret());
    let straddling: CallResult = Err(TransportError::new(TransportErrorKind::Connect, detail));
    let verdict = classify_test_query_redacting(&straddling, at(0), &token);
    let reason = verdict.error().unwrap_or_default();
    assert!(!reason.contains("ghp_strad"), "{reason}");
    assert!(reason.contains("[RED"), "{reason}");
}

/// The shapes issue 15 lists, each as GitHub (or what stands in front of it) really sent it,
/// with the verdict and the reason docs/contract.md §2 and §4 give.
#[test]
fn github_failures_seen_in_the_wild_are_never_invalid() {
    let not_json = |status: u16| {
        format!(
            "GitHub GraphQL API returned {status} with a body that is not GitHub's JSON (a proxy, a firewall or a wrong API URL?)"
        )
    };
    let failed = format!(
        "GitHub GraphQL API failed: {}",
        common::SOMETHING_WENT_WRONG
    );
    let went_wrong = serde_json::json!({"errors": [{"message": common::SOMETHING_WENT_WRONG}]});
    let cases: Vec<(u16, String, common::Judged)> = vec![
        (200, went_wrong.to_string(), common::inconclusive(failed.clone())),
        (
            200,
            serde_json::json!({"data": null, "errors": [{"message": common::SOMETHING_WENT_WRONG}]}).to_string(),
            common::inconclusive(failed.clone()),
        ),
        (
            200,
            r#"{"data": null, "errors": [{"type": "RESOURCE_LIMITS_EXCEEDED", "message": "Resource limits for this query exceeded."}]}"#.to_owned(),
            common::inconclusive("GitHub GraphQL API failed: Resource limits for this query exceeded."),
        ),
        (
            403,
            r#"{"message": "You have triggered an abuse detection mechanism. Please wait a few minutes before you try again.", "documentation_url": "https://docs.github.com/en/free-pro-team@latest/rest/overview/resources-in-the-rest-api#abuse-rate-limits"}"#.to_owned(),
            common::rate_limited("GitHub GraphQL API returned 403 (rate limited)", None),
        ),
        (
            403,
            r#"{"message": "Maximum number of login attempts exceeded. Please try again later.", "documentation_url": "https://docs.github.com/rest"}"#.to_owned(),
            common::rate_limited("GitHub GraphQL API returned 403 (rate limited)", None),
        ),
        (
            403,
            r#"{"message": "Forbidden", "documentation_url": "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits"}"#.to_owned(),
            common::rate_limited("GitHub GraphQL API returned 403 (rate limited)", None),
        ),
        (
            200,
            r#"{"errors": [{"type": "FORBIDDEN", "message": "Forbidden", "documentation_url": "https://docs.github.com/graphql/overview/rate-limits-and-node-limits-for-the-graphql-api#secondary-rate-limits"}]}"#.to_owned(),
            common::rate_limited("Forbidden", None),
        ),
        (403, "<!DOCTYPE html><html><body>Access denied by the web application firewall</body></html>".to_owned(), common::inconclusive(not_json(403))),
        (404, "<html><body><h1>Not Found</h1></body></html>".to_owned(), common::inconclusive(not_json(404))),
        (404, "404 page not found\n".to_owned(), common::inconclusive(not_json(404))),
        (403, String::new(), common::inconclusive(not_json(403))),
        (401, String::new(), common::inconclusive(not_json(401))),
    ];
    for (status, body, expected) in cases {
        let verdict =
            classify_test_query(&Ok(HttpResponse::new(status, body.clone())), UnixTime(0));
        assert_eq!(verdict, expected, "{status} {body}");
    }
    // GitHub's own failure beside a viewer that came back: the PAT works.
    let body = serde_json::json!({"data": {"viewer": {"login": "octocat"}}, "errors": [{"message": common::SOMETHING_WENT_WRONG}]}).to_string();
    assert_eq!(
        classify_test_query(&Ok(HttpResponse::new(200, body)), UnixTime(0)),
        Verdict::Valid(Viewer {
            login: Some("octocat".to_owned())
        })
    );
}

/// Evidence stays evidence (issue 15, and gittensor's own tests): each of these is Invalid
/// with the message the contract gives.
#[test]
fn evidence_stays_evidence() {
    let cases: Vec<(u16, &str, &str)> = vec![
        (
            401,
            r#"{"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}"#,
            "GitHub GraphQL API returned 401",
        ),
        (401, "{}", "GitHub GraphQL API returned 401"),
        (
            403,
            r#"{"message": "Sorry. Your account was suspended.", "documentation_url": "https://docs.github.com/rest"}"#,
            "GitHub GraphQL API returned 403",
        ),
        (
            403,
            r#"{"message": "Resource not accessible by personal access token", "documentation_url": "https://docs.github.com/rest"}"#,
            "GitHub GraphQL API returned 403",
        ),
        (
            200,
            r#"{"errors": [{"message": "Bad credentials"}]}"#,
            "GraphQL error: Bad credentials",
        ),
        (
            200,
            r#"{"data": {"viewer": null}, "errors": [{"type": "FORBIDDEN", "message": "Resource not accessible by personal access token"}]}"#,
            "GraphQL error: Resource not accessible by personal access token",
        ),
        (
            200,
            r#"{"errors": [{"type": "FORBIDDEN", "message": "Something went wrong: timeout"}]}"#,
            "GraphQL error: Something went wrong: timeout",
        ),
        (
            200,
            r#"{"errors": [{"type": "INSUFFICIENT_SCOPES", "message": "Your token has not been granted the required scopes to execute this query. The 'login' field requires one of the following scopes: ['read:user'], but your token has only been granted the: [''] scopes."}]}"#,
            "GraphQL error: Your token has not been granted the required scopes to execute this query. The 'login' field requires one of the following scopes: ['read:user'], but your token has only been granted the: [''] scopes.",
        ),
        (
            200,
            r#"{"errors": [{"type": "NOT_FOUND", "message": "the request timed out"}]}"#,
            "GraphQL error: the request timed out",
        ),
        (200, r#"{"data": null}"#, VIEWER_MISSING),
        (200, r#"{"data": {"viewer": null}}"#, VIEWER_MISSING),
        (200, r#"{"data": null, "errors": []}"#, VIEWER_MISSING),
    ];
    for (status, body, reason) in cases {
        let verdict = classify_test_query(&Ok(HttpResponse::new(status, body)), UnixTime(0));
        assert_eq!(verdict, common::invalid(reason), "{status} {body}");
    }
    // Classified from its status alone: the seed's table, for the two statuses that are
    // about a token (docs/contract.md §13: a 404 or a 422 refuses the request; changed
    // 2026-12-07 from the seed's "any other 4xx").
    for status in [401, 403] {
        let verdict = classify_test_query(&Ok(HttpResponse::status_only(status)), UnixTime(0));
        assert_eq!(
            verdict,
            common::invalid(format!("GitHub GraphQL API returned {status}"))
        );
    }
}
