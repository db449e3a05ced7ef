//! The handlers' judging, as the pure functions it is (docs/contract.md §6): for any report a
//! verification can give, what *check* and *broadcast* answer. The rule the project exists
//! for holds over all of them: an inconclusive verdict never tells a miner the PAT is bad.

mod common;

use std::time::Duration;

use pat_verdict::{
    AnswerCause, BroadcastOutcome, BroadcastResponse, CheckCategory, CheckOutcome, CheckResponse,
    GithubId, Identity, Stage, TokenInfo, Uid, Unavailable, Verdict, VerifyReport, Viewer,
};
use proptest::prelude::*;

fn arb_identity() -> impl Strategy<Value = Identity> {
    (1_u64..1_000_000, proptest::option::of("[a-z]{1,8}")).prop_map(|(id, login)| Identity {
        github_id: GithubId::new(id.to_string()),
        login,
        token: TokenInfo::default(),
    })
}

/// A verdict that is not valid, as a verification stops on it.
fn arb_failure() -> impl Strategy<Value = Verdict<std::convert::Infallible>> {
    (common::arb_cause(), proptest::option::of(0_u64..100_000))
        .prop_map(|(cause, wait)| Verdict::because(cause, wait.map(Duration::from_millis)))
}

/// Every report a verification can end in, by either plan: valid with its identity and viewer,
/// or stopped at a stage (an identity only when the two-call plan reached the test query; the
/// one call, docs/contract.md §11, stops at `test_query` with none, and is valid in one request).
fn arb_report() -> impl Strategy<Value = VerifyReport> {
    let valid = (arb_identity(), 1_u32..8).prop_map(|(identity, requests)| VerifyReport::Valid {
        identity,
        viewer: Viewer::default(),
        requests,
    });
    let stage = prop_oneof![
        Just(Stage::Token),
        Just(Stage::Identity),
        Just(Stage::TestQuery)
    ];
    let stopped = (
        stage,
        arb_failure(),
        arb_identity(),
        any::<bool>(),
        0_u32..8,
    )
        .prop_map(
            |(stage, verdict, identity, one_call, requests)| VerifyReport::Stopped {
                stage,
                verdict,
                identity: (stage == Stage::TestQuery && !one_call).then_some(identity),
                requests,
            },
        );
    prop_oneof![1 => valid, 3 => stopped]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    /// *check* answers valid exactly for a valid report, inconclusive (GitHub) exactly for an
    /// inconclusive one, and otherwise names the stage's evidence: the test query's reason, or
    /// the missing GitHub id of this uid.
    #[test]
    fn check_answers_what_the_report_says(report in arb_report(), uid in 0_u32..256) {
        let outcome = CheckOutcome::judged(Uid(uid), &report);
        let wire = CheckResponse::from(outcome.clone());
        match (&report, report.verdict()) {
            (VerifyReport::Valid { .. }, _) => prop_assert_eq!(outcome, CheckOutcome::Valid),
            (_, Verdict::Inconclusive { cause, .. }) => {
                prop_assert_eq!(outcome, CheckOutcome::Inconclusive(Unavailable::Github(cause.kind())));
                prop_assert_eq!(wire.pat_valid, None);
                prop_assert_eq!(wire.category, CheckCategory::Inconclusive);
                prop_assert_eq!(wire.cause, AnswerCause::Verdict(cause.kind()));
            }
            (_, Verdict::Invalid { reason, cause }) => {
                let expected = if report.stage() == Some(Stage::TestQuery) {
                    format!("PAT test query failed: {reason}")
                } else {
                    format!("No Github id found for miner {uid}'s PAT")
                };
                prop_assert_eq!(outcome, CheckOutcome::InvalidPat { reason: expected, cause: cause.kind() });
                prop_assert_eq!(wire.pat_valid, Some(false));
                prop_assert_eq!(wire.cause, AnswerCause::Verdict(cause.kind()));
            }
            (_, Verdict::Valid(())) => prop_assert!(false, "a stopped report is never valid"),
        }
    }

    /// *broadcast* saves exactly a valid report's identity; an inconclusive report is always
    /// "retry later" (retryable, never a rejection), an invalid one always a rejection.
    #[test]
    fn broadcast_answers_what_the_report_says(report in arb_report(), uid in 0_u32..256) {
        let judged = BroadcastOutcome::judged(Uid(uid), &report);
        match (&report, report.verdict()) {
            (VerifyReport::Valid { identity, .. }, _) => prop_assert_eq!(judged, Ok(identity)),
            (_, Verdict::Inconclusive { reason, cause, .. }) => {
                let answer = judged.expect_err("not valid");
                let expected = if report.stage() == Some(Stage::TestQuery) {
                    format!(
                        "GitHub API temporarily unavailable during PAT test query; retry the \
                         broadcast in a few minutes. ({reason})"
                    )
                } else {
                    format!(
                        "Could not validate Github id for miner {uid}: GitHub /user lookup \
                         failed transiently"
                    )
                };
                prop_assert_eq!(&answer, &BroadcastOutcome::retry_later(expected, cause.kind()));
                let wire = BroadcastResponse::from(answer);
                prop_assert!(wire.retryable && !wire.accepted);
            }
            (_, Verdict::Invalid { reason, cause }) => {
                let answer = judged.expect_err("not valid");
                let expected = if report.stage() == Some(Stage::TestQuery) {
                    format!("PAT test query failed: {reason}")
                } else {
                    format!("No Github id found for miner {uid}'s PAT")
                };
                prop_assert_eq!(&answer, &BroadcastOutcome::rejected(expected, cause.kind()));
                let wire = BroadcastResponse::from(answer);
                prop_assert!(!wire.retryable && !wire.accepted);
            }
            (_, Verdict::Valid(())) => prop_assert!(false, "a stopped report is never valid"),
        }
    }

    /// Both handlers agree on which reports are evidence against the PAT.
    #[test]
    fn check_and_broadcast_agree_on_evidence(report in arb_report(), uid in 0_u32..256) {
        let check = CheckOutcome::judged(Uid(uid), &report);
        let broadcast = BroadcastOutcome::judged(Uid(uid), &report);
        prop_assert_eq!(
            check.category() == CheckCategory::InvalidPat,
            matches!(broadcast, Err(BroadcastOutcome::Rejected { .. }))
        );
        prop_assert_eq!(check == CheckOutcome::Valid, broadcast.is_ok());
    }
}
