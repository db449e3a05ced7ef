//! docs/contract.md §3 (with §1's seed view, §4's rate limits and §8's scopes and expiry): one property
//! per row of the identity table, over every status of the row, arbitrary relevant headers,
//! junk JSON fields and any key order; and `token_info`'s reading of `X-OAuth-Scopes` and
//! `github-authentication-token-expiration` in both of GitHub's forms.

mod common;

use common::{
    USER, arb_any_body, arb_cut, arb_github_failure_message, arb_junk, arb_non_evidence_status,
    arb_non_object, arb_nonsense_status, arb_not_json, arb_not_number_or_string, arb_now,
    arb_now_and_headers, arb_now_and_headers_without_signal, arb_other_4xx, arb_plain_message,
    arb_rate_limit_403_body, at, check_body_inconclusive, check_seed_view, config,
    mentions_rate_limit, object_with, response, string_text, text,
};
use pat_verdict::testing::token_info;
use pat_verdict::{Body, CallResult, HttpResponse, RelevantHeaders};
use pat_verdict::{GithubId, Identity, TokenInfo, UnixTime, Verdict};
use pat_verdict::{Token, classify_identity, classify_identity_redacting};
use proptest::collection::vec;
use proptest::prelude::*;

const TOP: &[&str] = &["id", "login", "message", "errors"];

fn classify(result: &CallResult, now: i64) -> Result<Verdict<Identity>, TestCaseError> {
    let verdict = classify_identity(result, at(now));
    check_seed_view(&verdict)?;
    Ok(verdict)
}

// ---- an independent calendar, for the expiry header ----

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    const DAYS: [i64; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let index = usize::try_from(month - 1).unwrap_or(0);
    DAYS[index] + i64::from(month == 2 && is_leap(year))
}

/// Seconds since the epoch of a UTC wall time, by counting days (no clever algorithm, so it
/// cannot share a mistake with the code under test).
fn epoch_of(year: i64, month: i64, day: i64, hour: i64, minute: i64, second: i64) -> i64 {
    let mut days = 0;
    if year >= 1970 {
        for y in 1970..year {
            days += if is_leap(y) { 366 } else { 365 };
        }
    } else {
        for y in year..1970 {
            days -= if is_leap(y) { 366 } else { 365 };
        }
    }
    for m in 1..month {
        days += days_in_month(year, m);
    }
    days += day - 1;
    days * 86_400 + hour * 3_600 + minute * 60 + second
}

/// `github-authentication-token-expiration` in one of GitHub's two forms
/// (`2026-01-02 15:04:05 UTC`, `2026-01-02 15:04:05 -0700`), and the instant it names.
fn arb_expiration() -> impl Strategy<Value = (String, UnixTime)> {
    let date = (1_000_i64..=9_999, 1_i64..=12).prop_flat_map(|(year, month)| {
        (
            Just(year),
            Just(month),
            1..=days_in_month(year, month),
            0_i64..24,
            0_i64..60,
            0_i64..60,
        )
    });
    let zone = prop_oneof![
        Just(None),
        (
            any::<bool>(),
            0_i64..=14,
            prop_oneof![Just(0_i64), Just(30), Just(45), 0_i64..60]
        )
            .prop_map(Some),
    ];
    (date, zone).prop_map(|((year, month, day, hour, minute, second), zone)| {
        let stamp = format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}");
        let local = epoch_of(year, month, day, hour, minute, second);
        match zone {
            None => (format!("{stamp} UTC"), UnixTime(local)),
            Some((east, hours, minutes)) => {
                let sign = if east { '+' } else { '-' };
                let offset = (hours * 3_600 + minutes * 60) * if east { 1 } else { -1 };
                (
                    format!("{stamp} {sign}{hours:02}{minutes:02}"),
                    UnixTime(local - offset),
                )
            }
        }
    })
}

/// An `X-OAuth-Scopes` value (names with blanks around commas) and the names in it.
fn arb_scopes() -> impl Strategy<Value = (String, Vec<String>)> {
    vec(("[ \t]{0,2}", "[a-z][a-z:_]{0,14}", "[ \t]{0,2}"), 0..6).prop_map(|parts| {
        let header = parts
            .iter()
            .map(|(before, name, after)| format!("{before}{name}{after}"))
            .collect::<Vec<_>>()
            .join(",");
        let names = parts.into_iter().map(|(_, name, _)| name).collect();
        (header, names)
    })
}

/// Headers of a 200 `GET /user`: any rate-limit headers, and scopes and expiry that are
/// absent, well-formed, or (expiry) unreadable; with the token info docs/contract.md §8 expects.
fn arb_identity_headers() -> impl Strategy<Value = (i64, RelevantHeaders, TokenInfo)> {
    arb_now_and_headers().prop_flat_map(|(now, headers)| {
        let scopes = proptest::option::of(arb_scopes());
        let expiry = prop_oneof![
            Just(None),
            arb_expiration().prop_map(|(header, at)| Some((header, Some(at)))),
            "[a-zA-Z ,]{0,24}".prop_map(|header| Some((header, None))),
        ];
        (Just(now), Just(headers), scopes, expiry).prop_map(|(now, headers, scopes, expiry)| {
            let info = TokenInfo {
                scopes: scopes.as_ref().map(|(_, names)| names.clone()),
                expires_at: expiry.as_ref().and_then(|(_, at)| *at),
            };
            let headers = RelevantHeaders {
                oauth_scopes: scopes.map(|(header, _)| header),
                token_expiration: expiry.map(|(header, _)| header),
                ..headers
            };
            (now, headers, info)
        })
    })
}

// ---- bodies ----

/// A `login` field: a string (kept), missing, or not a string (none).
fn arb_login_field() -> BoxedStrategy<(Option<String>, Option<String>)> {
    prop_oneof![
        "[a-zA-Z0-9-]{1,39}".prop_map(|login| (Some(string_text(&login)), Some(login))),
        "\\PC{0,20}".prop_map(|login| (Some(string_text(&login)), Some(login))),
        Just((None, None)),
        arb_junk()
            .prop_filter("not a string", |value| !value.is_string())
            .prop_map(|value| (Some(text(&value)), None)),
    ]
    .boxed()
}

/// A 200 body with `id` given as JSON text, a login and junk; and the login the contract expects.
fn body_with_id(id: String) -> BoxedStrategy<(String, Option<String>)> {
    arb_login_field()
        .prop_flat_map(move |(field, login)| {
            let mut named = vec![("id".to_owned(), id.clone())];
            if let Some(field) = field {
                named.push(("login".to_owned(), field));
            }
            (object_with(named, TOP), Just(login))
        })
        .boxed()
}

/// An `id` that is a JSON number, and its decimal string.
fn arb_numeric_id() -> impl Strategy<Value = (String, String)> {
    prop_oneof![
        (1_u64..100_000_000).prop_map(|id| (id.to_string(), id.to_string())),
        any::<u64>().prop_map(|id| (id.to_string(), id.to_string())),
        Just(("0".to_owned(), "0".to_owned())),
    ]
}

/// An `id` that is a JSON string of decimal digits that fits a `u64`, kept as it is.
fn arb_string_id() -> impl Strategy<Value = String> {
    prop_oneof!["[0-9]{1,19}", any::<u64>().prop_map(|id| id.to_string())]
}

/// An `id` that is not a non-negative decimal integer (docs/contract.md §3): a negative or fractional
/// number, a number past `u64`, a string that is not all digits (GitHub's node ids
/// included), an empty string, or digits past `u64`.
fn arb_not_decimal_id() -> impl Strategy<Value = String> {
    prop_oneof![
        (i64::MIN..0).prop_map(|id| id.to_string()),
        (0.5_f64..1e15).prop_map(|id| format!("{id:.3}")),
        Just("18446744073709551616".to_owned()),
        Just("-0.0".to_owned()),
        "\\PC{1,20}"
            .prop_filter("not all digits", |id| !id
                .bytes()
                .all(|b| b.is_ascii_digit()))
            .prop_map(|id| string_text(&id)),
        Just(r#""MDQ6VXNlcjE=""#.to_owned()),
        Just(r#""""#.to_owned()),
        Just(r#""-42""#.to_owned()),
        Just(r#""99999999999999999999999""#.to_owned()),
    ]
}

/// A 200 object without a usable `id`: missing, null, or neither a number nor a string.
fn arb_body_without_id() -> BoxedStrategy<String> {
    prop_oneof![
        object_with(Vec::new(), TOP),
        arb_login_field().prop_flat_map(|(field, _)| {
            let named = field
                .map(|field| vec![("login".to_owned(), field)])
                .unwrap_or_default();
            object_with(named, TOP)
        }),
        object_with(vec![("id".to_owned(), "null".to_owned())], TOP),
        arb_not_number_or_string()
            .prop_flat_map(|id| object_with(vec![("id".to_owned(), text(&id))], TOP)),
    ]
    .boxed()
}

/// A valid `GET /user` body, for rows where the status decides whatever the body says.
fn arb_user_body() -> BoxedStrategy<Body> {
    arb_numeric_id()
        .prop_flat_map(|(id, _)| body_with_id(id))
        .prop_map(|(body, _)| Body::Complete(body.into_bytes()))
        .boxed()
}

// ---- checks ----

/// §3 row 1 with §8: a 200 whose `body` names account `github_id` is Valid with that id, the
/// body's login and the token info of [`arb_identity_headers`]; both forms of the id (number
/// and string) are judged by this one expectation.
fn check_valid_identity(
    (now, headers, token): (i64, RelevantHeaders, TokenInfo),
    (body, login): (String, Option<String>),
    github_id: &str,
) -> Result<(), TestCaseError> {
    let verdict = classify(&response(200, headers, body.into_bytes()), now)?;
    let identity = Identity {
        github_id: GithubId::new(github_id),
        login,
        token,
    };
    prop_assert_eq!(verdict, Verdict::Valid(identity));
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    /// §3 row 1: `id` as a number is its decimal string (`42` → `"42"`); §8: the token info.
    #[test]
    fn identity_200_with_numeric_id_is_valid(
        (now, headers, token) in arb_identity_headers(),
        ((body, login), github_id) in arb_numeric_id()
            .prop_flat_map(|(id, decimal)| (body_with_id(id), Just(decimal))),
    ) {
        check_valid_identity((now, headers, token), (body, login), &github_id)?;
    }

    /// §3 row 1: `id` as a string is kept.
    #[test]
    fn identity_200_with_string_id_is_valid(
        (now, headers, token) in arb_identity_headers(),
        ((body, login), id) in arb_string_id()
            .prop_flat_map(|id| (body_with_id(string_text(&id)), Just(id))),
    ) {
        check_valid_identity((now, headers, token), (body, login), &id)?;
    }

    /// §3 row 2: an `id` that is not a non-negative decimal integer is no identity.
    #[test]
    fn identity_200_with_a_non_decimal_id_is_inconclusive(
        (now, headers) in arb_now_and_headers(),
        (body, _) in arb_not_decimal_id().prop_flat_map(body_with_id),
    ) {
        check_body_inconclusive(&classify(&response(200, headers, body.into_bytes()), now)?)?;
    }

    /// §3 row 1 and §7: `42` and `"42"` are the same account, so the pin agrees.
    #[test]
    fn identity_numeric_and_string_ids_agree(id in any::<u64>(), now in arb_now()) {
        let number = classify(&response(200, RelevantHeaders::default(), format!(r#"{{"id":{id}}}"#).into_bytes()), now)?;
        let string = classify(&response(200, RelevantHeaders::default(), format!(r#"{{"id":"{id}"}}"#).into_bytes()), now)?;
        prop_assert_eq!(&number, &string);
        let Verdict::Valid(identity) = number else {
            return Err(TestCaseError::fail("not Valid"));
        };
        prop_assert_eq!(identity.github_id.as_str(), id.to_string());
    }

    /// §3 row "200 without `id`".
    #[test]
    fn identity_200_without_id_is_inconclusive(
        (now, headers) in arb_now_and_headers(),
        body in arb_body_without_id(),
    ) {
        check_body_inconclusive(&classify(&response(200, headers, body.into_bytes()), now)?)?;
    }

    /// §3 row "200 … a body that is not a JSON object": not JSON, cut short, JSON that is
    /// not an object (arrays included), larger than the cap.
    #[test]
    fn identity_200_not_an_object_is_inconclusive(
        (now, headers) in arb_now_and_headers(),
        body in prop_oneof![
            arb_not_json().prop_map(Body::Complete),
            arb_numeric_id()
                .prop_flat_map(|(id, _)| body_with_id(id))
                .prop_flat_map(|(body, _)| arb_cut(body))
                .prop_map(Body::Complete),
            arb_non_object().prop_map(|value| Body::Complete(text(&value).into_bytes())),
            (1_u64..u64::MAX).prop_map(|id| {
                Body::Complete(format!(r#"[{{"id": {id}}}]"#).into_bytes())
            }),
            any::<usize>().prop_map(|cap| Body::OverCap { cap }),
        ],
    ) {
        let result = Ok(HttpResponse { status: 200, headers, body });
        check_body_inconclusive(&classify(&result, now)?)?;
    }

    /// §2's "GitHub's own failures", which §3 shares: a 200 without an id whose `message`
    /// (REST) or `errors[0]` (typed or worded) says GitHub failed is Inconclusive, quoting it.
    #[test]
    fn identity_200_github_failure_is_inconclusive_and_says_so(
        (now, headers) in arb_now_and_headers(),
        message in arb_github_failure_message(),
        shape in 0..3_u8,
    ) {
        let body = match shape {
            0 => serde_json::json!({"message": message}),
            1 => serde_json::json!({"errors": [{"message": message}], "data": null}),
            _ => serde_json::json!({"errors": [{"type": "INTERNAL", "message": message}]}),
        };
        let verdict = classify(&response(200, headers.clone(), body.to_string().into_bytes()), now)?;
        common::check_github_failed(USER, &verdict, Some(&message), &headers, now)?;
    }

    /// Total over its input, and §1's principle: only a 200 is Valid, only a 200 or a 4xx
    /// other than 408/429 is Invalid… and a 200 never is (§3 has no Invalid 200).
    #[test]
    fn identity_never_panics_on_any_input(
        (now, answer) in common::arb_any_answer(arb_user_body()),
    ) {
        let status = answer.status;
        let verdict = classify(&Ok(answer), now)?;
        common::check_only_evidence_decides(&verdict, status, false)?;
    }

    /// §8: `X-OAuth-Scopes` split on commas, each trimmed.
    #[test]
    fn identity_scopes_are_split_on_commas_and_trimmed((header, names) in arb_scopes()) {
        let headers = RelevantHeaders { oauth_scopes: Some(header), ..RelevantHeaders::default() };
        prop_assert_eq!(token_info(&headers).scopes, Some(names));
    }

    /// §8: the expiry header in both of GitHub's forms, `… UTC` and `… -0700`.
    #[test]
    fn identity_expiration_is_read_in_both_forms((header, at) in arb_expiration()) {
        prop_assert_eq!(UnixTime::parse_github_expiration(&header), Some(at));
        let headers = RelevantHeaders::default()
            .with("github-authentication-token-expiration", &header);
        prop_assert_eq!(token_info(&headers).expires_at, Some(at));
    }

    /// §8: a missing token header is `None`, whatever the others say: no `X-OAuth-Scopes` (a
    /// fine-grained PAT) is no scopes, not an empty list; no expiry header is no expiry.
    #[test]
    fn identity_scopes_or_expiration_absent_is_none((_, headers) in arb_now_and_headers()) {
        let without_scopes = RelevantHeaders { oauth_scopes: None, ..headers.clone() };
        prop_assert_eq!(token_info(&without_scopes).scopes, None, "no X-OAuth-Scopes");
        let without_expiry = RelevantHeaders { token_expiration: None, ..headers };
        prop_assert_eq!(token_info(&without_expiry).expires_at, None, "no expiry header");
    }

    /// The expiry parser is total over any text (its header is GitHub's, so untrusted).
    #[test]
    fn identity_expiration_parser_never_panics(
        text in prop_oneof![
            "\\PC{0,40}",
            ".{0,40}",
            proptest::collection::vec(
                proptest::sample::select(vec![
                    '0', '1', '2', '9', '-', ':', ' ', 'T', 'Z', '+', 'U', 'C', 'é', '€', '𐍈',
                    '\u{0}',
                ]),
                15..32,
            )
            .prop_map(|chars| chars.into_iter().collect::<String>()),
            arb_expiration().prop_flat_map(|(header, _)| {
                (Just(header), "\\PC{0,4}", 0_usize..32)
                    .prop_map(|(header, junk, at)| {
                        let mut chars: Vec<char> = header.chars().collect();
                        let at = at.min(chars.len());
                        chars.splice(at..at, junk.chars());
                        chars.into_iter().collect::<String>()
                    })
            }),
        ],
    ) {
        let _ = UnixTime::parse_github_expiration(&text);
    }
}

common::classifier_row! {
    /// §3 row "408".
    rate_limited identity_408_is_inconclusive_rate_limited(
        USER, classify, 408, prop_oneof![arb_any_body(), arb_user_body()]
    )
}

common::classifier_row! {
    /// §3 row "429".
    rate_limited identity_429_is_inconclusive_rate_limited(
        USER, classify, 429, prop_oneof![arb_any_body(), arb_user_body()]
    )
}

common::classifier_row! {
    /// §3 row "403 with a rate-limit signal": `x-ratelimit-remaining: 0`.
    remaining_zero identity_403_with_remaining_zero_is_inconclusive_rate_limited(USER, classify)
}

common::classifier_row! {
    /// §3 row "403 with a rate-limit signal": any `retry-after`.
    retry_after identity_403_with_retry_after_is_inconclusive_rate_limited(USER, classify)
}

common::classifier_row! {
    /// §3 row "403 with a rate-limit signal": a message mentioning a rate limit.
    rate_limit_message identity_403_with_rate_limit_message_is_inconclusive_rate_limited(
        USER, classify, arb_rate_limit_403_body()
    )
}

common::classifier_row! {
    /// §3 row "any other 4xx": a 403 without a rate-limit signal is evidence.
    check_4xx identity_plain_403_is_invalid(
        USER,
        classify,
        Just(403_u16),
        arb_now_and_headers_without_signal(),
        prop_oneof![
            arb_plain_message().prop_flat_map(|message| {
                object_with(vec![("message".to_owned(), string_text(&message))], &["message"])
                    .prop_map(|body| Body::Complete(body.into_bytes()))
            }),
            arb_any_body(),
            arb_user_body(),
        ]
        .prop_filter("no rate-limit mention", |body| match body {
            Body::Complete(bytes) => !mentions_rate_limit(&String::from_utf8_lossy(bytes)),
            Body::OverCap { .. } | Body::Absent => true,
        })
    )
}

common::classifier_row! {
    /// §3 row "any other 4xx": every 4xx but 403/408/429, whatever headers and body say.
    check_4xx identity_other_4xx_is_invalid(
        USER,
        classify,
        arb_other_4xx(),
        arb_now_and_headers(),
        prop_oneof![arb_any_body(), arb_user_body()]
    )
}

common::classifier_row! {
    /// §2's "An answer that did not come from GitHub's API", which §3 shares: a 4xx from
    /// `/user` whose body is HTML, plain text, empty or any non-object is Inconclusive.
    not_githubs_json identity_4xx_not_githubs_json_is_inconclusive(USER, classify)
}

common::classifier_row! {
    /// §3: a 4xx classified from its status alone (no body handed over) stays evidence.
    without_body identity_4xx_without_a_body_is_invalid(USER, classify)
}

common::classifier_row! {
    /// §3 row "5xx".
    status_inconclusive identity_5xx_is_inconclusive(
        USER, classify, 500_u16..=599, prop_oneof![arb_any_body(), arb_user_body()]
    )
}

common::classifier_row! {
    /// §3 row "transport failure": every kind, any detail.
    transport identity_transport_failure_is_inconclusive(classify)
}

common::classifier_row! {
    /// §3 row "1xx, 3xx, other 2xx": not evidence, even with a user in the body.
    status_inconclusive identity_1xx_3xx_other_2xx_is_inconclusive(
        USER, classify, arb_non_evidence_status(), prop_oneof![arb_any_body(), arb_user_body()]
    )
}

common::classifier_row! {
    /// §1's principle for statuses HTTP does not define.
    status_inconclusive identity_nonsense_status_is_inconclusive(
        USER, classify, arb_nonsense_status(), prop_oneof![arb_any_body(), arb_user_body()]
    )
}

/// docs/contract.md §8's own examples, with the instants `date -u -d` gives.
#[test]
fn identity_expiration_spec_examples() {
    assert_eq!(
        UnixTime::parse_github_expiration("2026-01-02 15:04:05 UTC"),
        Some(UnixTime(1_767_366_245))
    );
    assert_eq!(
        UnixTime::parse_github_expiration("2026-01-02 15:04:05 -0700"),
        Some(UnixTime(1_767_391_445))
    );
    assert_eq!(epoch_of(2026, 1, 2, 15, 4, 5), 1_767_366_245);
}

/// §8: a classic PAT with no scopes sends the header empty: an empty list, not `None`.
#[test]
fn identity_empty_scopes_header_is_an_empty_list() {
    let headers = RelevantHeaders::default().with("x-oauth-scopes", "");
    assert_eq!(token_info(&headers).scopes, Some(Vec::new()));
    let headers = RelevantHeaders::default().with("x-oauth-scopes", "repo, read:org");
    assert_eq!(
        token_info(&headers).scopes,
        Some(vec!["repo".to_owned(), "read:org".to_owned()])
    );
}

/// §3 row 1 with GitHub's real answer shape: `42` → `"42"`.
#[test]
fn identity_spec_example_42() {
    let body = br#"{"login":"octocat","id":42,"node_id":"MDQ6VXNlcjE=","type":"User","plan":{"name":"free"}}"#;
    let verdict = classify_identity(&Ok(HttpResponse::new(200, body.to_vec())), UnixTime(0));
    assert_eq!(
        verdict,
        Verdict::Valid(Identity {
            github_id: GithubId::new("42"),
            login: Some("octocat".to_owned()),
            token: TokenInfo::default(),
        })
    );
}

/// Hostile nesting is a verdict, not a stack overflow.
#[test]
fn identity_deeply_nested_body_does_not_panic() {
    common::check_deep_nesting(
        classify_identity,
        "{",
        &[r#"{"id":@}"#, r#"{"x":@,"id":1}"#],
    );
}

/// §3 row "transport failure", for each kind by name (the property samples them).
#[test]
fn identity_every_transport_kind_is_inconclusive() {
    common::check_every_transport_kind(classify_identity);
}

/// §3 row 2: an `id` that is not a non-negative decimal integer — a fraction, an exponent, an
/// empty string, a boolean, a list, a negative number, letters — is Inconclusive, not an
/// account; a null id is no id.
#[test]
fn identity_id_that_is_not_an_integer_is_inconclusive() {
    const NOT_DECIMAL: &str =
        "GitHub /user API returned an account id that is not a non-negative integer";
    let cases = [
        ("42.5", NOT_DECIMAL),
        ("1e3", NOT_DECIMAL),
        (r#""""#, NOT_DECIMAL),
        ("true", NOT_DECIMAL),
        ("[]", NOT_DECIMAL),
        ("-1", NOT_DECIMAL),
        (r#""abc""#, NOT_DECIMAL),
        ("null", "GitHub /user API returned no account id"),
    ];
    for (id, reason) in cases {
        let body = format!(r#"{{"id": {id}, "login": "octocat"}}"#);
        let verdict = classify_identity(&Ok(HttpResponse::new(200, body)), UnixTime(0));
        assert_eq!(verdict, common::inconclusive(reason), "id {id}");
    }
}

/// §3 row 2: a string id is a string of digits that is a `u64` — not a sign, not a number too
/// large for any account — or it is no identity.
#[test]
fn identity_string_id_must_be_plain_digits_that_fit() {
    const NOT_DECIMAL: &str =
        "GitHub /user API returned an account id that is not a non-negative integer";
    for id in [
        r#""+5""#,
        r#""99999999999999999999999""#,
        r#"" 42""#,
        r#""4 2""#,
    ] {
        let body = format!(r#"{{"id": {id}, "login": "octocat"}}"#);
        let verdict = classify_identity(&Ok(HttpResponse::new(200, body)), UnixTime(0));
        assert_eq!(verdict, common::inconclusive(NOT_DECIMAL), "id {id}");
    }
    let body = r#"{"id": "18446744073709551615", "login": "octocat"}"#;
    let Verdict::Valid(identity) =
        classify_identity(&Ok(HttpResponse::new(200, body)), UnixTime(0))
    else {
        panic!("the largest u64 is an account id");
    };
    assert_eq!(identity.github_id.as_str(), "18446744073709551615");
}

/// §3 and §5: an id that repeats the token (an all-digit token, echoed back by something
/// posing as GitHub) is the request reflected, not an account: Inconclusive, never stored.
#[test]
fn identity_id_that_echoes_the_token_is_inconclusive() {
    let token = Token::parse("1234567890123456").expect("an all-digit token passes the pre-check");
    for id in ["1234567890123456", r#""1234567890123456""#] {
        let body = format!(r#"{{"id": {id}, "login": "octocat"}}"#);
        let verdict =
            classify_identity_redacting(&Ok(HttpResponse::new(200, body)), UnixTime(0), &token);
        assert_eq!(
            verdict,
            common::inconclusive(
                "GitHub /user API returned an account id that is not a non-negative integer"
            ),
            "id {id}"
        );
    }
    // Another account's id is not the token: Valid.
    let body = r#"{"id": 42, "login": "octocat"}"#;
    assert!(matches!(
        classify_identity_redacting(&Ok(HttpResponse::new(200, body)), UnixTime(0), &token),
        Verdict::Valid(_)
    ));
}

/// §3 shares §2's two rules and §4's signals: the shapes of issue 15 at `GET /user`.
#[test]
fn user_answers_not_from_githubs_api_or_rate_limited_are_inconclusive() {
    let not_json = |status: u16| {
        format!(
            "GitHub /user API returned {status} with a body that is not GitHub's JSON (a proxy, a firewall or a wrong API URL?)"
        )
    };
    for (status, body) in [
        (401, ""),
        (403, "<html><body>Request blocked.</body></html>"),
        (404, "Not Found"),
    ] {
        let verdict = classify_identity(&Ok(HttpResponse::new(status, body)), UnixTime(0));
        assert_eq!(
            verdict,
            common::inconclusive(not_json(status)),
            "{status} {body:?}"
        );
    }
    for body in [
        r#"{"message": "You have triggered an abuse detection mechanism. Please wait a few minutes before you try again.", "documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#abuse-rate-limits"}"#,
        r#"{"message": "Maximum number of login attempts exceeded. Please try again later.", "documentation_url": "https://docs.github.com/rest"}"#,
    ] {
        let verdict = classify_identity(&Ok(HttpResponse::new(403, body)), UnixTime(0));
        assert_eq!(
            verdict,
            common::rate_limited("GitHub /user API returned 403 (rate limited)", None)
        );
    }
    for (status, body) in [
        (
            401,
            r#"{"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}"#,
        ),
        (401, "{}"),
        (403, r#"{"message": "Sorry. Your account was suspended."}"#),
    ] {
        let verdict = classify_identity(&Ok(HttpResponse::new(status, body)), UnixTime(0));
        assert_eq!(
            verdict,
            common::invalid(format!("GitHub /user API returned {status}"))
        );
    }
    let verdict = classify_identity(&Ok(HttpResponse::status_only(401)), UnixTime(0));
    assert_eq!(verdict, common::invalid("GitHub /user API returned 401"));
}
