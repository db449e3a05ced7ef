//! docs/contract.md §13 (added 2026-12-07), every verdict's cause: one test per row of the
//! cause table, from answers as GitHub (or what stands in front of it) sends them; and the
//! property that the verdict is a function of the cause, and the reason its rendering, over
//! any answer either classifier reads.

mod common;

use std::time::Duration;

use common::{arb_any_body, arb_cause, arb_now_and_headers, arb_transport_error, at, config};
use pat_verdict::testing::{ManualClock, Reply, ScriptedGithub};
use pat_verdict::{
    CallResult, Cause, CauseKind, Endpoint, HttpResponse, RetryPolicy, SecretString, UnixTime,
    Verdict, VerdictKind, Verifier, WhyRefused, classify_identity, classify_one_call,
    classify_test_query,
};
use proptest::prelude::*;
use serde_json::json;

fn answer(status: u16, body: &str) -> CallResult {
    Ok(HttpResponse::new(status, body))
}

/// Asserts that both classifiers give `result` the cause `expected` (they share §2's and
/// §3's status rows).
#[track_caller]
fn assert_both(result: &CallResult, expected: CauseKind) {
    let both = (
        classify_test_query(result, UnixTime(0)).cause_kind(),
        classify_identity(result, UnixTime(0)).cause_kind(),
    );
    assert_eq!(both, (expected, expected), "{result:?}");
}

/// The contract's table: which verdict each cause goes with, written apart from the code.
fn table_verdict(cause: CauseKind) -> VerdictKind {
    match cause.as_str() {
        "ok" => VerdictKind::Valid,
        "malformed_token" | "bad_credentials" | "forbidden" | "graphql_error" | "no_viewer" => {
            VerdictKind::Invalid
        }
        _ => VerdictKind::Inconclusive,
    }
}

#[test]
fn the_vocabulary_is_the_contracts_and_each_word_has_its_verdict() {
    let words: Vec<&str> = CauseKind::ALL.iter().map(|cause| cause.as_str()).collect();
    assert_eq!(
        words,
        [
            "ok",
            "malformed_token",
            "bad_credentials",
            "forbidden",
            "graphql_error",
            "no_viewer",
            "rate_limited",
            "github_down",
            "github_failure",
            "not_github",
            "request_refused",
            "no_account_id",
            "transport",
            "contradicted",
            "deadline",
            "short_circuited",
        ]
    );
    for cause in CauseKind::ALL {
        assert_eq!(cause.verdict(), table_verdict(cause), "{cause}");
    }
}

/// `ok`: both calls valid.
#[test]
fn ok_is_valid() {
    let viewer = answer(200, r#"{"data": {"viewer": {"login": "octocat"}}}"#);
    assert_eq!(
        classify_test_query(&viewer, UnixTime(0)).cause_kind(),
        CauseKind::Ok
    );
    let user = answer(200, r#"{"id": 42, "login": "octocat"}"#);
    assert_eq!(
        classify_identity(&user, UnixTime(0)).cause_kind(),
        CauseKind::Ok
    );
}

/// `malformed_token`: the pre-check refused it, nothing was sent.
#[tokio::test]
async fn malformed_token_sends_nothing() {
    let clock = std::sync::Arc::new(ManualClock::default());
    let github = std::sync::Arc::new(ScriptedGithub::new(Some(clock.clone())));
    let verifier = Verifier::new(github.clone(), clock, RetryPolicy::default());
    for raw in ["", "ghp-dash", &"a".repeat(256)] {
        let report = verifier.verify(&SecretString::from(raw)).await;
        assert_eq!(report.cause_kind(), CauseKind::MalformedToken, "{raw:?}");
        assert_eq!(report.kind(), VerdictKind::Invalid);
    }
    assert_eq!(github.requests(Endpoint::Identity), 0);
}

/// `bad_credentials`: 401 with GitHub's JSON, or the status alone.
#[test]
fn a_401_is_bad_credentials() {
    let with_json = answer(401, r#"{"message": "Bad credentials"}"#);
    assert_both(&with_json, CauseKind::BadCredentials);
    let alone = Ok(HttpResponse::status_only(401));
    assert_both(&alone, CauseKind::BadCredentials);
}

/// `forbidden`: a 403 with GitHub's JSON and no other signal.
#[test]
fn a_plain_403_is_forbidden() {
    for body in [
        r#"{"message": "Resource not accessible by personal access token"}"#,
        r#"{"message": "Sorry. Your account was suspended."}"#,
    ] {
        assert_both(&answer(403, body), CauseKind::Forbidden);
    }
}

/// `graphql_error` and `no_viewer`: the test query's evidence inside a 200.
#[test]
fn graphql_evidence_has_its_own_words() {
    let error = answer(
        200,
        r#"{"errors": [{"type": "FORBIDDEN", "message": "no"}]}"#,
    );
    assert_eq!(
        classify_test_query(&error, UnixTime(0)).cause_kind(),
        CauseKind::GraphqlError
    );
    let no_viewer = answer(200, r#"{"data": {"viewer": null}}"#);
    assert_eq!(
        classify_test_query(&no_viewer, UnixTime(0)).cause_kind(),
        CauseKind::NoViewer
    );
}

/// `rate_limited`: every signal, GitHub's real lockout wording and a `documentation_url` about
/// rate limits whatever the message says among them.
#[test]
fn every_rate_limit_signal_is_rate_limited() {
    for (status, body) in [
        (429, "{}"),
        (408, ""),
        (
            403,
            r#"{"message": "You have exceeded a secondary rate limit."}"#,
        ),
        (
            403,
            r#"{"message": "Max number of login attempt exceeded"}"#,
        ),
        (
            403,
            r#"{"message": "Maximum number of login attempts exceeded. Please try again later."}"#,
        ),
        (
            403,
            r#"{"message": "Forbidden", "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}"#,
        ),
        (
            403,
            r#"{"message": "Forbidden", "documentation_url": "https://docs.github.com/rest#abuse-rate-limits"}"#,
        ),
    ] {
        let result = answer(status, body);
        assert_both(&result, CauseKind::RateLimited);
        assert!(classify_identity(&result, UnixTime(0)).rate_limited());
    }
    let graphql = answer(
        200,
        r#"{"errors": [{"type": "RATE_LIMITED", "message": "slow down"}]}"#,
    );
    assert_eq!(
        classify_test_query(&graphql, UnixTime(0)).cause_kind(),
        CauseKind::RateLimited
    );
}

/// `github_down`: a 5xx.
#[test]
fn a_5xx_is_github_down() {
    for status in [500, 502, 503, 504] {
        assert_both(&answer(status, ""), CauseKind::GithubDown);
    }
}

/// `github_failure`: GitHub's own failure inside a 200.
#[test]
fn githubs_own_failure_is_github_failure() {
    let body = r#"{"data": null, "errors": [{"message": "Something went wrong while executing your query."}]}"#;
    assert_eq!(
        classify_test_query(&answer(200, body), UnixTime(0)).cause_kind(),
        CauseKind::GithubFailure
    );
}

/// `not_github`: a 4xx body that is not GitHub's JSON, an unreadable body, an odd status.
#[test]
fn answers_not_from_githubs_api_are_not_github() {
    for (status, body) in [
        (404, "<html>Not Found</html>"),
        (401, ""),
        (200, "<html>"),
        (200, "[1]"),
        (302, ""),
        (200, r#"{"errors": "not a list"}"#),
    ] {
        assert_eq!(
            classify_test_query(&answer(status, body), UnixTime(0)).cause_kind(),
            CauseKind::NotGithub,
            "{status} {body}"
        );
    }
}

/// `request_refused`: GitHub's JSON (or the status alone) refusing the request on endpoints
/// that exist for every token — a wrong API root, a proxy — and a User-Agent refusal. Never
/// Invalid: the seed's harm at scale was every stored PAT reported invalid after one wrong
/// `--api-url`.
#[test]
fn a_refused_request_is_not_evidence() {
    for status in [404, 405, 406, 410, 415, 422] {
        let json = answer(
            status,
            r#"{"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}"#,
        );
        let alone = Ok(HttpResponse::status_only(status));
        for result in [json, alone] {
            let verdict = classify_identity(&result, UnixTime(0));
            assert_eq!(verdict.kind(), VerdictKind::Inconclusive, "{status}");
            assert_eq!(
                verdict.cause(),
                Some(&Cause::RequestRefused {
                    endpoint: Endpoint::Identity,
                    status,
                    why: WhyRefused::Route
                })
            );
            assert_eq!(
                verdict.error(),
                Some(
                    format!(
                        "GitHub /user API returned {status}: GitHub refused the request, not the token (is the API URL GitHub's API root? a proxy rewriting requests?)"
                    )
                    .as_str()
                )
            );
            assert_eq!(
                classify_test_query(&result, UnixTime(0)).cause_kind(),
                CauseKind::RequestRefused
            );
        }
    }
    let user_agent = answer(
        403,
        r#"{"message": "Missing or invalid User Agent string. See https://developer.github.com/v3/#user-agent-required"}"#,
    );
    let verdict = classify_test_query(&user_agent, UnixTime(0));
    assert_eq!(verdict.cause_kind(), CauseKind::RequestRefused);
    assert_eq!(
        verdict.error(),
        Some(
            "GitHub GraphQL API returned 403: GitHub refused the request's User-Agent, not the token"
        )
    );
    // The structured signal wins whatever the message says.
    let by_url = answer(
        403,
        r#"{"message": "Forbidden", "documentation_url": "https://docs.github.com/rest#user-agent-required"}"#,
    );
    assert_both(&by_url, CauseKind::RequestRefused);
}

/// `no_account_id`: `/user` (or the one call) without a usable id.
#[test]
fn no_usable_id_is_no_account_id() {
    for body in [
        r#"{"login": "octocat"}"#,
        r#"{"id": -1}"#,
        r#"{"id": "abc"}"#,
    ] {
        assert_eq!(
            classify_identity(&answer(200, body), UnixTime(0)).cause_kind(),
            CauseKind::NoAccountId,
            "{body}"
        );
    }
    let one_call = answer(200, r#"{"data": {"viewer": {"login": "octocat"}}}"#);
    assert_eq!(
        classify_one_call(&one_call, UnixTime(0)).cause_kind(),
        CauseKind::NoAccountId
    );
}

/// `transport`: no HTTP answer; the kind is part of the cause.
#[test]
fn no_answer_is_transport_with_its_kind() {
    let failure = Err(pat_verdict::TransportError::new(
        pat_verdict::TransportErrorKind::Dns,
        "no such host",
    ));
    let verdict = classify_identity(&failure, UnixTime(0));
    assert!(matches!(
        verdict.cause(),
        Some(Cause::Transport {
            kind: pat_verdict::TransportErrorKind::Dns,
            ..
        })
    ));
}

/// `contradicted` and `short_circuited`: decided by the machine and the guard, not by one
/// answer.
#[tokio::test]
async fn the_machine_and_the_guard_name_their_own_causes() {
    let clock = std::sync::Arc::new(ManualClock::default());
    let github = std::sync::Arc::new(ScriptedGithub::new(Some(clock.clone())));
    // A 401 right after a valid /user, with no room to ask again.
    let tight = RetryPolicy::with_deadline(Duration::from_millis(400));
    let verifier = Verifier::new(github.clone(), clock.clone(), tight);
    github.on("ghp_flap", Endpoint::Identity, [Reply::user(1, "m")]);
    github.on(
        "ghp_flap",
        Endpoint::TestQuery,
        [Reply::json(401, json!({"message": "Bad credentials"}))],
    );
    let report = verifier.verify(&SecretString::from("ghp_flap")).await;
    assert_eq!(report.cause_kind(), CauseKind::Contradicted, "{report:?}");

    // `deadline` is held by the machine's property over any answers and delays
    // (verification_machine.rs): a verification whose deadline leaves no room to send says so.

    // The guard open: answered at once.
    let settings =
        pat_verdict::outage::OutageSettings::new(1, Duration::from_secs(30)).expect("valid");
    let verifier =
        Verifier::new(github.clone(), clock, RetryPolicy::default()).with_outage(settings);
    github.on("ghp_down", Endpoint::Identity, [Reply::status(503)]);
    verifier.verify(&SecretString::from("ghp_down")).await;
    github.valid("ghp_other", 2, "o");
    let report = verifier.verify(&SecretString::from("ghp_other")).await;
    assert_eq!(report.cause_kind(), CauseKind::ShortCircuited);
    assert_eq!(report.requests(), 0);
}

fn arb_answer() -> impl Strategy<Value = (i64, CallResult)> {
    (
        arb_now_and_headers(),
        prop_oneof![
            any::<u16>(),
            400_u16..500,
            Just(200_u16),
            Just(401_u16),
            Just(403_u16)
        ],
        arb_any_body(),
    )
        .prop_map(|((now, headers), status, body)| {
            (
                now,
                Ok(HttpResponse {
                    status,
                    headers,
                    body,
                }),
            )
        })
        .boxed()
        .prop_union(
            (0_i64..2_000_000_000, arb_transport_error())
                .prop_map(|(now, error)| (now, Err(error)))
                .boxed(),
        )
}

proptest! {
    #![proptest_config(config(512))]

    /// §13: over any answer, each classifier's verdict is the one its cause names, and its
    /// reason is the cause rendered — so no cause is Invalid in one place and Inconclusive in
    /// another, and nothing but the cause decides.
    #[test]
    fn the_verdict_is_a_function_of_the_cause((now, result) in arb_answer()) {
        let verdicts: [Verdict; 3] = [
            classify_test_query(&result, at(now)).map(|_| ()),
            classify_identity(&result, at(now)).map(|_| ()),
            classify_one_call(&result, at(now)).map(|_| ()),
        ];
        for verdict in verdicts {
            prop_assert_eq!(verdict.kind(), table_verdict(verdict.cause_kind()));
            if let Some(cause) = verdict.cause() {
                prop_assert_eq!(verdict.error().map(str::to_owned), Some(cause.to_string()));
                prop_assert_eq!(verdict.rate_limited(), cause.kind() == CauseKind::RateLimited);
            }
            if let Ok(response) = &result {
                // Only a 401 or a 403 is ever evidence among the 4xx.
                if (400..=499).contains(&response.status) && verdict.kind() == VerdictKind::Invalid {
                    prop_assert!(matches!(response.status, 401 | 403), "{}", response.status);
                }
            }
        }
    }

    /// §13: a verdict built from any cause is the verdict the table gives that cause, its
    /// reason the cause's words, and an evidence cause never carries a wait.
    #[test]
    fn any_cause_makes_the_tables_verdict(
        cause in arb_cause(),
        wait in proptest::option::of((0_u64..100_000).prop_map(Duration::from_millis)),
    ) {
        let verdict: Verdict = Verdict::because(cause.clone(), wait);
        prop_assert_eq!(verdict.kind(), table_verdict(cause.kind()));
        prop_assert_eq!(verdict.error().map(str::to_owned), Some(cause.to_string()));
        prop_assert_eq!(verdict.cause(), Some(&cause));
        if verdict.kind() == VerdictKind::Invalid {
            prop_assert_eq!(verdict.retry_after(), None);
        } else {
            prop_assert_eq!(verdict.retry_after(), wait);
        }
    }
}
