//! The verification machine, driven by hand with any sequence of GitHub answers and delays
//! (no async, no clock): it always ends in a report within the deadline, never makes more
//! than three attempts per call, never asks for anything after its report, and its verdict is
//! the classifiers' verdict on the last answer of the call it stopped at — except that a
//! test-query 401 right after a valid identity is asked again once (docs/contract.md §4,
//! "GitHub contradicting itself"). The same holds of the one-call plan (§11), whose every
//! request is the one call and whose verdict is the one call's classifier on its last answer.

mod common;

use std::time::Duration;

use pat_verdict::verification::{IdentityKnown, Plan, SendRequest, Step, Verification};
use pat_verdict::{
    CallResult, CauseKind, Endpoint, HttpResponse, RelevantHeaders, RetryPolicy, SecretString,
    Stage, TransportError, TransportErrorKind, UnixTime, Verdict, VerifyReport, classify_identity,
    classify_one_call, classify_test_query,
};
use proptest::prelude::*;

const WALL: UnixTime = UnixTime(1_767_225_600);

/// The identity request a verification of `raw` starts with, under the default policy at
/// monotonic `now`; a token refused without a request fails the test.
fn first_request(raw: &str, now: Duration) -> SendRequest {
    match Verification::start(&SecretString::from(raw), RetryPolicy::default(), now) {
        Step::Send(call) => call,
        other @ (Step::Wait(_) | Step::IdentityKnown(_) | Step::Done(_)) => {
            panic!("expected a request, got {other:?}")
        }
    }
}

/// The valid identity `call` learns from a 200 with `body` at `now`; any other step fails
/// the test.
fn identity_from(call: SendRequest, body: &str, now: Duration) -> IdentityKnown {
    match call.receive(Ok(HttpResponse::new(200, body)), now, WALL) {
        Step::IdentityKnown(known) => known,
        other @ (Step::Send(_) | Step::Wait(_) | Step::Done(_)) => {
            panic!("expected the identity, got {other:?}")
        }
    }
}

/// The test query a valid identity goes on to at `now`; any other step fails the test.
fn test_query_after(known: IdentityKnown, now: Duration) -> SendRequest {
    match known.proceed(now) {
        Step::Send(call) => call,
        other @ (Step::Wait(_) | Step::IdentityKnown(_) | Step::Done(_)) => {
            panic!("expected the test query, got {other:?}")
        }
    }
}

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
        Just(r#"{"data": {"viewer": {"login": "octocat", "databaseId": 42}}}"#.to_owned()),
        Just(r#"{"errors": [{"message": "Bad credentials"}]}"#.to_owned()),
        Just(r#"{"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}"#.to_owned()),
        Just(r#"{"errors": [{"type": "RATE_LIMITED", "message": "slow down"}]}"#.to_owned()),
        Just(r#"{"message": "You have exceeded a secondary rate limit"}"#.to_owned()),
        Just(String::new()),
        Just("<html>".to_owned()),
    ];
    let status = prop_oneof![
        4 => Just(200u16),
        2 => Just(401),
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
    /// The status of each answer (`None`: a transport failure), in the same order.
    statuses: Vec<Option<u16>>,
    /// Monotonic time each request was sent at, in the same order.
    sent_at: Vec<Duration>,
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
    run_planned(answers, Plan::TwoCalls, policy, start, oversleep)
}

/// [`run_with_oversleep`] by `plan`; the one-call plan never stops at an identity pin point.
fn run_planned(
    answers: &[Answer],
    plan: Plan,
    policy: RetryPolicy,
    start: Duration,
    oversleep: Duration,
) -> Run {
    let mut now = start;
    let mut sent = Vec::new();
    let mut statuses = Vec::new();
    let mut sent_at = Vec::new();
    let mut step =
        Verification::start_planned(&SecretString::from("ghp_machine"), plan, policy, start);
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
                sent_at.push(now);
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
                    Endpoint::OneCall => classify_one_call(&result, WALL).map(|_| ()),
                };
                sent.push((request.endpoint(), judged));
                statuses.push(result.as_ref().ok().map(|response| response.status));
                call.receive(result, now, WALL)
            }
            Step::Wait(wait) => {
                assert!(wait.until() >= now, "a wait into the past");
                now = wait.until() + oversleep;
                wait.resume(now)
            }
            Step::IdentityKnown(known) => {
                assert_eq!(plan, Plan::TwoCalls, "the one call has no pin point");
                known.proceed(now)
            }
            Step::Done(report) => {
                return Run {
                    report,
                    sent,
                    statuses,
                    sent_at,
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

/// Whether request `i` was a test query answered by a 401 that the classifier calls
/// evidence: GitHub contradicting the valid identity before it.
fn evidence_401(run: &Run, i: usize) -> bool {
    run.sent[i].0 == Endpoint::TestQuery
        && run.statuses[i] == Some(401)
        && matches!(run.sent[i].1, Verdict::Invalid { .. })
}

/// Whether request `i` is the first evidence 401 of the test query: the one asked again.
fn first_evidence_401(run: &Run, i: usize) -> bool {
    evidence_401(run, i) && (0..i).all(|j| !evidence_401(run, j))
}

/// The default policy with a deadline from 1 ms to 20 s: short enough to cut retries off
/// anywhere, long enough to let all three attempts through.
fn arb_deadline_policy() -> impl Strategy<Value = RetryPolicy> {
    (1u64..20_000).prop_map(|ms| RetryPolicy::with_deadline(Duration::from_millis(ms)))
}

/// A duration of whole milliseconds below `below`.
fn arb_millis(below: u64) -> impl Strategy<Value = Duration> {
    (0..below).prop_map(Duration::from_millis)
}

/// What every run keeps to, whatever the answers and timers: at most three attempts per
/// call, and the report counts every request that was sent.
fn check_attempts_counted(run: &Run) -> Result<(), TestCaseError> {
    prop_assert!(attempts(&run.sent, Endpoint::Identity) <= 3);
    prop_assert!(attempts(&run.sent, Endpoint::TestQuery) <= 3);
    prop_assert_eq!(run.report.requests() as usize, run.sent.len());
    Ok(())
}

const UNRESOLVED: &str = "GitHub GraphQL API returned 401 right after the /user lookup accepted the token, with no time left to ask again";

proptest! {
    #[test]
    fn any_answers_end_in_a_report_within_the_deadline(
        answers in arb_answers(),
        policy in arb_deadline_policy(),
        start in arb_millis(1_000_000),
    ) {
        let run = run(&answers, policy, start);
        prop_assert!(run.ended <= start + policy.deadline, "ended at {:?}", run.ended - start);
        check_attempts_counted(&run)?;
    }

    #[test]
    fn a_late_timer_never_leads_to_a_request_past_the_deadline(
        answers in arb_answers(),
        policy in arb_deadline_policy(),
        oversleep in arb_millis(10_000),
    ) {
        // `run` asserts that every request is sent with time left; the report still comes.
        let run = run_with_oversleep(&answers, policy, Duration::ZERO, oversleep);
        check_attempts_counted(&run)?;
    }

    #[test]
    fn only_inconclusive_answers_are_retried(answers in arb_answers()) {
        let run = run(&answers, RetryPolicy::default(), Duration::ZERO);
        for (i, pair) in run.sent.windows(2).enumerate() {
            let [(first, verdict), (second, _)] = pair else { unreachable!() };
            if first == second {
                prop_assert!(
                    verdict.transient_failure() || first_evidence_401(&run, i),
                    "retried after {verdict:?}"
                );
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
        match report.stage() {
            None => {
                prop_assert_eq!(&report.verdict(), &Verdict::Valid(()));
                prop_assert_eq!(last(Endpoint::Identity), Some(Verdict::Valid(())));
                prop_assert_eq!(last(Endpoint::TestQuery), Some(Verdict::Valid(())));
                prop_assert!(report.identity().is_some() && report.viewer().is_some());
            }
            Some(Stage::Identity) => {
                prop_assert_eq!(last(Endpoint::Identity), Some(report.verdict()));
                prop_assert_eq!(attempts(&run.sent, Endpoint::TestQuery), 0);
                prop_assert!(report.identity().is_none());
            }
            Some(Stage::TestQuery) => {
                prop_assert!(report.identity().is_some());
                let last_index = run.sent.iter().rposition(|(e, _)| *e == Endpoint::TestQuery);
                match last(Endpoint::TestQuery) {
                    // The first 401 after the valid identity, with no room to ask again.
                    Some(_) if last_index.is_some_and(|i| first_evidence_401(&run, i)) => {
                        prop_assert_eq!(report.verdict(), common::inconclusive(UNRESOLVED));
                        prop_assert_eq!(report.cause_kind(), CauseKind::Contradicted);
                    }
                    Some(verdict) => prop_assert_eq!(verdict, report.verdict()),
                    // The identity used up the deadline: no test query was sent.
                    None => {
                        let words = format!(
                            "no verdict within the {:.1} s deadline",
                            policy.deadline.as_secs_f64()
                        );
                        prop_assert_eq!(report.verdict().error().map(str::to_owned), Some(words.clone()));
                        prop_assert_eq!(report.cause_kind(), CauseKind::Deadline);
                    }
                }
            }
            Some(Stage::Token) => prop_assert!(false, "the token is well formed"),
        }
    }
}

proptest! {
    /// §11: the one-call plan sends only the one call, at most three times, within the
    /// deadline, retries only what was inconclusive, and ends with the one call's classifier
    /// on its last answer, at stage `test_query` unless valid (then with the viewer's id). A
    /// late timer still sends nothing past the deadline (`run_planned` asserts it).
    #[test]
    fn the_one_call_plan_is_one_call_retried_only_when_inconclusive(
        answers in arb_answers(),
        policy in arb_deadline_policy(),
        start in arb_millis(1_000_000),
        oversleep in arb_millis(10_000),
    ) {
        let late = run_planned(&answers, Plan::OneCall, policy, start, oversleep);
        prop_assert!(late.sent.len() <= 3);
        prop_assert_eq!(late.report.requests() as usize, late.sent.len());

        let run = run_planned(&answers, Plan::OneCall, policy, start, Duration::ZERO);
        prop_assert!(run.ended <= start + policy.deadline, "ended late");
        prop_assert!(!run.sent.is_empty(), "the first request has the whole deadline");
        prop_assert!(run.sent.len() <= 3);
        prop_assert_eq!(run.report.requests() as usize, run.sent.len());
        prop_assert!(run.sent.iter().all(|(endpoint, _)| *endpoint == Endpoint::OneCall));
        for (endpoint, verdict) in &run.sent[..run.sent.len() - 1] {
            prop_assert!(verdict.transient_failure(), "{:?} retried after {:?}", endpoint, verdict);
        }
        let Some((_, last)) = run.sent.last() else { unreachable!() };
        prop_assert_eq!(&run.report.verdict(), last);
        match run.report.stage() {
            None => {
                let identity = run.report.identity();
                prop_assert_eq!(identity.map(|i| i.github_id.as_str()), Some("42"));
            }
            Some(stage) => {
                prop_assert_eq!(stage, Stage::TestQuery);
                prop_assert!(run.report.identity().is_none());
            }
        }
    }
}

proptest! {
    /// §4 "GitHub contradicting itself": a test query is Invalid by a 401 only when it is
    /// the second evidence 401 of the verification; never from the first one alone.
    #[test]
    fn a_test_query_401_is_invalid_only_the_second_time(
        answers in arb_answers(),
        deadline_ms in 1u64..20_000,
    ) {
        let run = run(&answers, RetryPolicy::with_deadline(Duration::from_millis(deadline_ms)), Duration::ZERO);
        if run.report.stage() == Some(Stage::TestQuery)
            && matches!(run.report.verdict(), Verdict::Invalid { .. })
            && run.statuses.last() == Some(&Some(401))
        {
            let count = (0..run.sent.len()).filter(|&i| evidence_401(&run, i)).count();
            prop_assert!(count >= 2, "Invalid after {} evidence 401s", count);
        }
    }

    /// The one retry is a retry like any other: it waits at least the backoff, counts as an
    /// attempt (never a fourth), and is made only when it fits the deadline; when it does
    /// not, the verdict is Inconclusive, never the unconfirmed 401.
    #[test]
    fn the_contradiction_retry_waits_counts_and_fits_the_deadline(
        before in proptest::collection::vec(prop_oneof![Just(503u16), Just(200u16)], 0..3),
        after in prop_oneof![Just(200u16), Just(401u16), Just(503u16)],
        identity_ms in 0u64..3_000,
        latency_ms in 0u64..3_000,
        deadline_ms in 1u64..20_000,
    ) {
        let ok = |result| Answer { result, latency: Duration::from_millis(latency_ms) };
        let json_401 = || Ok(HttpResponse::new(401, r#"{"message": "Bad credentials"}"#));
        let viewer = || Ok(HttpResponse::new(200, r#"{"data": {"viewer": {"login": "octocat"}}}"#));
        let mut answers = vec![Answer {
            result: Ok(HttpResponse::new(200, r#"{"id": 42}"#)),
            latency: Duration::from_millis(identity_ms),
        }];
        // Inconclusive test-query answers first (the 200s here are 200s without a viewer
        // object: a `[]` body), then the 401, then what the retry gets.
        for status in &before {
            answers.push(ok(Ok(HttpResponse::new(*status, if *status == 200 { "[]" } else { "" }))));
        }
        answers.push(ok(json_401()));
        answers.push(ok(match after { 200 => viewer(), 401 => json_401(), _ => Ok(HttpResponse::new(503, "")) }));
        let policy = RetryPolicy::with_deadline(Duration::from_millis(deadline_ms));
        let run = run(&answers, policy, Duration::ZERO);
        prop_assert!(attempts(&run.sent, Endpoint::TestQuery) <= 3);
        prop_assert!(run.ended <= policy.deadline);
        let Some(at) = (0..run.sent.len()).find(|&i| evidence_401(&run, i)) else {
            return Ok(()); // the deadline ended it before the 401
        };
        let test_attempts_then = run.sent[..=at].iter().filter(|(e, _)| *e == Endpoint::TestQuery).count();
        let answered_at = run.sent_at[at] + Duration::from_millis(latency_ms);
        match run.sent.get(at + 1) {
            Some((endpoint, _)) => {
                prop_assert_eq!(*endpoint, Endpoint::TestQuery);
                let waited = run.sent_at[at + 1] - answered_at;
                prop_assert!(waited >= policy.backoff(u32::try_from(test_attempts_then).unwrap_or(u32::MAX)), "waited {:?}", waited);
                prop_assert!(run.sent_at[at + 1] + policy.min_attempt_time <= policy.deadline);
                let after_verdict = &run.sent[at + 1].1;
                if after == 200 && after_verdict.kind() == pat_verdict::VerdictKind::Valid {
                    prop_assert_eq!(&run.report.verdict(), &Verdict::Valid(()));
                }
                if after == 401 && evidence_401(&run, at + 1) {
                    prop_assert_eq!(&run.report.verdict(), &common::invalid("GitHub GraphQL API returned 401"));
                }
            }
            None => {
                // Not asked again: out of attempts or of time, and then never Invalid.
                let fits = test_attempts_then < 3
                    && answered_at + policy.backoff(u32::try_from(test_attempts_then).unwrap_or(u32::MAX)) + policy.min_attempt_time <= policy.deadline;
                prop_assert!(!fits, "a retry that fitted was not made");
                prop_assert_eq!(&run.report.verdict(), &common::inconclusive(UNRESOLVED));
            }
        }
    }
}

#[test]
fn a_test_query_401_after_a_valid_identity_is_asked_again_once() {
    let user = Answer {
        result: Ok(HttpResponse::new(200, r#"{"id": 42}"#)),
        latency: Duration::from_millis(50),
    };
    let unauthorized = Answer {
        result: Ok(HttpResponse::new(
            401,
            r#"{"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}"#,
        )),
        latency: Duration::from_millis(50),
    };
    let viewer = Answer {
        result: Ok(HttpResponse::new(
            200,
            r#"{"data": {"viewer": {"login": "octocat"}}}"#,
        )),
        latency: Duration::from_millis(50),
    };
    // GraphQL's authentication flapped: the retry sees the viewer.
    let run_ok = run(
        &[user.clone(), unauthorized.clone(), viewer],
        RetryPolicy::default(),
        Duration::ZERO,
    );
    assert_eq!(run_ok.report.verdict(), Verdict::Valid(()));
    assert_eq!(run_ok.report.requests(), 3);
    assert_eq!(
        run_ok.sent_at[2] - run_ok.sent_at[1],
        Duration::from_millis(550),
        "answer + backoff"
    );
    // A second 401 is evidence.
    let run_bad = run(
        &[user.clone(), unauthorized.clone()],
        RetryPolicy::default(),
        Duration::ZERO,
    );
    assert_eq!(
        run_bad.report.verdict(),
        common::invalid("GitHub GraphQL API returned 401")
    );
    assert_eq!(run_bad.report.stage(), Some(Stage::TestQuery));
    assert_eq!(run_bad.report.requests(), 3);
    // No time left to ask again: inconclusive, not the unconfirmed 401.
    let run_short = run(
        &[user.clone(), unauthorized],
        RetryPolicy::with_deadline(Duration::from_millis(600)),
        Duration::ZERO,
    );
    assert_eq!(run_short.report.verdict(), common::inconclusive(UNRESOLVED));
    assert_eq!(run_short.report.requests(), 2);
    // A 401 at the identity is not a contradiction: no retry.
    let denied = Answer {
        result: Ok(HttpResponse::new(401, r#"{"message": "Bad credentials"}"#)),
        latency: Duration::ZERO,
    };
    let run_identity = run(&[denied], RetryPolicy::default(), Duration::ZERO);
    assert_eq!(
        run_identity.report.verdict(),
        common::invalid("GitHub /user API returned 401")
    );
    assert_eq!(run_identity.report.requests(), 1);
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
        assert_eq!(report.stage(), Some(Stage::Token));
        assert_eq!(report.requests(), 0);
        assert_eq!(report.verdict().kind(), pat_verdict::VerdictKind::Invalid);
    }
}

#[test]
fn the_request_says_everything_a_client_needs_and_debug_hides_the_token() {
    let call = first_request(" ghp_secret_value ", Duration::ZERO);
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

    let known = identity_from(call, r#"{"id": 7}"#, Duration::from_secs(2));
    assert_eq!(known.identity().github_id.as_str(), "7");
    let call = test_query_after(known, Duration::from_secs(2));
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
    let call = first_request("ghp_x", Duration::ZERO);
    let known = identity_from(call, r#"{"id": "9"}"#, Duration::ZERO);
    let halted = known.stop("locked");
    assert_eq!(halted.reason, "locked");
    assert_eq!(halted.identity.github_id.as_str(), "9");
    assert_eq!(halted.requests, 1);
}

#[test]
fn github_echoing_the_token_is_redacted() {
    let call = first_request("ghp_echoed", Duration::ZERO);
    let known = identity_from(call, r#"{"id": 1}"#, Duration::ZERO);
    let call = test_query_after(known, Duration::ZERO);
    let echo = Ok(HttpResponse::new(
        200,
        r#"{"errors": [{"message": "token ghp_echoed is bad"}]}"#,
    ));
    let Step::Done(report) = call.receive(echo, Duration::ZERO, WALL) else {
        panic!("evidence is not retried");
    };
    assert_eq!(
        report.verdict().error(),
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
