//! The verification machine, driven by hand with any sequence of GitHub answers and delays
//! (no async, no clock): it always ends in a report within the deadline, never makes more
//! than three attempts per call, never asks for anything after its report, and its verdict is
//! the classifiers' verdict on the last answer of the call it stopped at.

use std::time::Duration;

use pat_verdict::{
    CallResult, Endpoint, HttpResponse, RelevantHeaders, RetryPolicy, SecretString, Stage, Step,
    TransportError, TransportErrorKind, UnixTime, Verdict, Verification, VerifyReport,
    classify_identity, classify_test_query,
};
use proptest::prelude::*;

const WALL: UnixTime = UnixTime(1_767_225_600);

/// One scripted answer: what came back and how long it took.
#[derive(Clone, Debug)]
struct Answer {
    result: CallResult,
    latency: Duration,
}

fn arb_result() -> impl Strategy<Value = CallResult> {
    let body = prop_oneof![
        Just(r#"{"id": 42, "login": "octocat"}"#.to_owned()),
        Just(r#"{"data": {"viewer": {"login": "octocat"}}}"#.to_owned()),
        Just(r#"{"errors": [{"message": "Bad credentials"}]}"#.to_owned()),
        Just(r#"{"errors": [{"type": "RATE_LIMITED", "message": "slow down"}]}"#.to_owned()),
        Just(r#"{"message": "You have exceeded a secondary rate limit"}"#.to_owned()),
        Just(String::new()),
        Just("<html>".to_owned()),
    ];
    let status = prop_oneof![
        4 => Just(200u16),
        1 => Just(401),
        1 => Just(403),
        1 => Just(404),
        1 => Just(408),
        1 => Just(429),
        1 => Just(500),
        2 => Just(503),
        1 => Just(302),
        1 => any::<u16>(),
    ];
    let retry_after = proptest::option::of(0u64..40);
    let response = (status, body, retry_after).prop_map(|(status, body, retry_after)| {
        let mut response = HttpResponse::new(status, body);
        if let Some(secs) = retry_after {
            response.headers = RelevantHeaders::default().with("retry-after", &secs.to_string());
        }
        Ok(response)
    });
    let failure = prop_oneof![
        Just(TransportErrorKind::Timeout),
        Just(TransportErrorKind::Connect),
        Just(TransportErrorKind::ConnectionReset),
        Just(TransportErrorKind::Dns),
    ]
    .prop_map(|kind| Err(TransportError::new(kind, "scripted")));
    prop_oneof![3 => response, 1 => failure]
}

fn arb_answers() -> impl Strategy<Value = Vec<Answer>> {
    proptest::collection::vec(
        (arb_result(), 0u64..15_000).prop_map(|(result, millis)| Answer {
            result,
            latency: Duration::from_millis(millis),
        }),
        1..10,
    )
}

/// What the run saw, for the properties.
struct Run {
    report: VerifyReport,
    /// (endpoint, what the classifiers made of the answer) per request, in order.
    sent: Vec<(Endpoint, Verdict<()>)>,
    /// Monotonic time at the report.
    ended: Duration,
}

/// Drives the machine like a host would: an HTTP client that honours the request's timeout,
/// a timer, and the answers in order (the last repeating).
fn run(answers: &[Answer], policy: RetryPolicy, start: Duration) -> Run {
    run_with_oversleep(answers, policy, start, Duration::ZERO)
}

/// [`run`] with a timer that wakes `oversleep` late (a loaded host).
fn run_with_oversleep(
    answers: &[Answer],
    policy: RetryPolicy,
    start: Duration,
    oversleep: Duration,
) -> Run {
    let mut now = start;
    let mut sent = Vec::new();
    let mut step = Verification::start(&SecretString::from("ghp_machine"), policy, start);
    for _ in 0..64 {
        step = match step {
            Step::Send(call) => {
                let request = call.request();
                assert!(!request.timeout().is_zero(), "a request with no time left");
                assert_eq!(
                    now - start + request.timeout(),
                    policy.deadline,
                    "the timeout is what is left of the one deadline"
                );
                let answer = &answers[sent.len().min(answers.len() - 1)];
                let result = if answer.latency > request.timeout() {
                    now += request.timeout();
                    Err(TransportError::new(
                        TransportErrorKind::Timeout,
                        "timed out",
                    ))
                } else {
                    now += answer.latency;
                    answer.result.clone()
                };
                let judged = match request.endpoint() {
                    Endpoint::Identity => classify_identity(&result, WALL).map(|_| ()),
                    Endpoint::TestQuery => classify_test_query(&result, WALL).map(|_| ()),
                };
                sent.push((request.endpoint(), judged));
                call.receive(result, now, WALL)
            }
            Step::Wait(wait) => {
                assert!(wait.until() >= now, "a wait into the past");
                now = wait.until() + oversleep;
                wait.resume(now)
            }
            Step::IdentityKnown(known) => known.proceed(now),
            Step::Done(report) => {
                return Run {
                    report,
                    sent,
                    ended: now,
                };
            }
        };
    }
    panic!("no report after 64 steps");
}

fn attempts(sent: &[(Endpoint, Verdict<()>)], endpoint: Endpoint) -> usize {
    sent.iter().filter(|(e, _)| *e == endpoint).count()
}

proptest! {
    #[test]
    fn any_answers_end_in_a_report_within_the_deadline(
        answers in arb_answers(),
        deadline_ms in 1u64..20_000,
        start_ms in 0u64..1_000_000,
    ) {
        let policy = RetryPolicy::with_deadline(Duration::from_millis(deadline_ms));
        let start = Duration::from_millis(start_ms);
        let run = run(&answers, policy, start);
        prop_assert!(run.ended <= start + policy.deadline, "ended at {:?}", run.ended - start);
        prop_assert!(attempts(&run.sent, Endpoint::Identity) <= 3);
        prop_assert!(attempts(&run.sent, Endpoint::TestQuery) <= 3);
        prop_assert_eq!(run.report.requests as usize, run.sent.len());
    }

    #[test]
    fn a_late_timer_never_leads_to_a_request_past_the_deadline(
        answers in arb_answers(),
        deadline_ms in 1u64..20_000,
        oversleep_ms in 0u64..10_000,
    ) {
        // `run` asserts that every request is sent with time left; the report still comes.
        let policy = RetryPolicy::with_deadline(Duration::from_millis(deadline_ms));
        let run = run_with_oversleep(&answers, policy, Duration::ZERO, Duration::from_millis(oversleep_ms));
        prop_assert!(attempts(&run.sent, Endpoint::Identity) <= 3);
        prop_assert!(attempts(&run.sent, Endpoint::TestQuery) <= 3);
        prop_assert_eq!(run.report.requests as usize, run.sent.len());
    }

    #[test]
    fn only_inconclusive_answers_are_retried(answers in arb_answers()) {
        let run = run(&answers, RetryPolicy::default(), Duration::ZERO);
        for pair in run.sent.windows(2) {
            let [(first, verdict), (second, _)] = pair else { unreachable!() };
            if first == second {
                prop_assert!(verdict.transient_failure(), "retried after {verdict:?}");
            }
        }
        // The test query is asked only after a valid identity.
        if let Some(first_query) = run.sent.iter().position(|(e, _)| *e == Endpoint::TestQuery) {
            prop_assert_eq!(run.sent[first_query - 1].1.clone(), Verdict::Valid(()));
        }
    }

    #[test]
    fn the_verdict_is_the_classifiers_verdict_on_the_last_answer(
        answers in arb_answers(),
        deadline_ms in 1u64..20_000,
    ) {
        let policy = RetryPolicy::with_deadline(Duration::from_millis(deadline_ms));
        let run = run(&answers, policy, Duration::ZERO);
        let report = &run.report;
        let last = |endpoint| run.sent.iter().rev().find(|(e, _)| *e == endpoint).map(|(_, v)| v.clone());
        match report.stage {
            None => {
                prop_assert_eq!(&report.verdict, &Verdict::Valid(()));
                prop_assert_eq!(last(Endpoint::Identity), Some(Verdict::Valid(())));
                prop_assert_eq!(last(Endpoint::TestQuery), Some(Verdict::Valid(())));
                prop_assert!(report.identity.is_some() && report.viewer.is_some());
            }
            Some(Stage::Identity) => {
                prop_assert_eq!(last(Endpoint::Identity), Some(report.verdict.clone()));
                prop_assert_eq!(attempts(&run.sent, Endpoint::TestQuery), 0);
                prop_assert!(report.identity.is_none());
            }
            Some(Stage::TestQuery) => {
                prop_assert!(report.identity.is_some());
                match last(Endpoint::TestQuery) {
                    Some(verdict) => prop_assert_eq!(verdict, report.verdict.clone()),
                    // The identity used up the deadline: no test query was sent.
                    None => {
                        let words = format!(
                            "no verdict within the {:.1} s deadline",
                            policy.deadline.as_secs_f64()
                        );
                        prop_assert_eq!(report.verdict.error(), Some(words.as_str()));
                    }
                }
            }
            Some(Stage::Token) => prop_assert!(false, "the token is well formed"),
        }
    }
}

#[test]
fn a_bad_token_is_invalid_with_no_request() {
    for raw in ["", "  \n", "ghp_a\r\nX-Evil: 1"] {
        let step = Verification::start(
            &SecretString::from(raw),
            RetryPolicy::default(),
            Duration::ZERO,
        );
        let Step::Done(report) = step else {
            panic!("a request for {raw:?}");
        };
        assert_eq!(report.stage, Some(Stage::Token));
        assert_eq!(report.requests, 0);
        assert_eq!(report.verdict.kind(), pat_verdict::VerdictKind::Invalid);
    }
}

#[test]
fn the_request_says_everything_a_client_needs_and_debug_hides_the_token() {
    let step = Verification::start(
        &SecretString::from(" ghp_secret_value "),
        RetryPolicy::default(),
        Duration::ZERO,
    );
    let Step::Send(call) = step else {
        panic!("expected a request");
    };
    let request = call.request();
    assert_eq!(
        (request.method(), request.path(), request.body()),
        ("GET", "/user", None)
    );
    assert_eq!(request.authorization(), "token ghp_secret_value");
    assert_eq!(request.timeout(), Duration::from_secs(12));
    let shown = format!("{call:?} {request:?}");
    assert!(!shown.contains("ghp_secret_value"), "{shown}");
    // Debug still says what is being sent, for logs.
    assert!(
        shown.contains("Identity") && shown.contains("attempt: 1"),
        "{shown}"
    );
    assert!(
        shown.contains("\"GET\"") && shown.contains("\"/user\""),
        "{shown}"
    );

    let user = Ok(HttpResponse::new(200, r#"{"id": 7}"#));
    let Step::IdentityKnown(known) = call.receive(user, Duration::from_secs(2), WALL) else {
        panic!("expected the identity");
    };
    assert_eq!(known.identity().github_id.as_str(), "7");
    let Step::Send(call) = known.proceed(Duration::from_secs(2)) else {
        panic!("expected the test query");
    };
    let request = call.request();
    assert_eq!(
        (request.method(), request.path(), request.body()),
        (
            "POST",
            "/graphql",
            Some(r#"{"query": "{ viewer { login } }"}"#)
        )
    );
    assert_eq!(request.authorization(), "Bearer ghp_secret_value");
    assert_eq!(request.timeout(), Duration::from_secs(10), "one deadline");
}

#[test]
fn stopping_at_the_identity_ends_the_verification() {
    let Step::Send(call) = Verification::start(
        &SecretString::from("ghp_x"),
        RetryPolicy::default(),
        Duration::ZERO,
    ) else {
        panic!("expected a request");
    };
    let user = Ok(HttpResponse::new(200, r#"{"id": "9"}"#));
    let Step::IdentityKnown(known) = call.receive(user, Duration::ZERO, WALL) else {
        panic!("expected the identity");
    };
    let halted = known.stop("locked");
    assert_eq!(halted.reason, "locked");
    assert_eq!(halted.identity.github_id.as_str(), "9");
    assert_eq!(halted.requests, 1);
}

#[test]
fn github_echoing_the_token_is_redacted() {
    let Step::Send(call) = Verification::start(
        &SecretString::from("ghp_echoed"),
        RetryPolicy::default(),
        Duration::ZERO,
    ) else {
        panic!("expected a request");
    };
    let user = Ok(HttpResponse::new(200, r#"{"id": 1}"#));
    let Step::IdentityKnown(known) = call.receive(user, Duration::ZERO, WALL) else {
        panic!("expected the identity");
    };
    let Step::Send(call) = known.proceed(Duration::ZERO) else {
        panic!("expected the test query");
    };
    let echo = Ok(HttpResponse::new(
        200,
        r#"{"errors": [{"message": "token ghp_echoed is bad"}]}"#,
    ));
    let Step::Done(report) = call.receive(echo, Duration::ZERO, WALL) else {
        panic!("evidence is not retried");
    };
    assert_eq!(
        report.verdict.error(),
        Some("GraphQL error: token [REDACTED] is bad")
    );
}

#[test]
fn stages_have_the_words_of_verify_json() {
    for (stage, word) in [
        (Stage::Token, "token"),
        (Stage::Identity, "identity"),
        (Stage::TestQuery, "test_query"),
    ] {
        assert_eq!(stage.as_str(), word);
    }
}
