//! The check endpoint, row by row of docs/contract.md §6, starting with the seed's reproduction: a GitHub
//! outage during the test query must never be reported as an invalid PAT.

mod world;

use pat_verdict::testing::Reply;
use pat_verdict::{
    CheckCategory, CheckOutcome, CheckResponse, Endpoint, Hotkey, StoreFailureKind, Unavailable,
};
use serde_json::json;
use world::{World, row};

const UNAVAILABLE: &str = "GitHub API temporarily unavailable; retry the check in a few minutes.";

/// A row of the check table: `has_pat`, `pat_valid`, `rejection_reason`.
type Row<'a> = (Option<bool>, Option<bool>, Option<&'a str>);

/// The row "no entry for uid, or the entry's hotkey differs".
const NO_PAT: Row = (
    Some(false),
    Some(false),
    Some("No PAT stored for this miner"),
);

/// Asserts `response` is the row "identity Invalid" or "test query Invalid" with `reason`, in
/// the category `invalid_pat`.
#[track_caller]
fn assert_invalid_pat(response: &CheckResponse, reason: &str) {
    assert_eq!(row(response), (Some(true), Some(false), Some(reason)));
    assert_eq!(response.category, CheckCategory::InvalidPat);
}

/// The seed's setup: uid 1 holds `hotkey_1`'s PAT for account 1001, whose identity works.
async fn seeded() -> World {
    let world = World::with_entry("hotkey_1", "ghp_stored", "1001").await;
    world.github.on(
        "ghp_stored",
        Endpoint::Identity,
        [Reply::user(1001, "miner1")],
    );
    world
}

/// The seed's setup with the stored PAT's test query answering `replies`, and `hotkey_1`'s
/// check: the start of every row decided at the test query.
async fn checked_at_the_test_query(
    replies: impl IntoIterator<Item = Reply>,
) -> (World, CheckResponse) {
    let world = seeded().await;
    world.github.on("ghp_stored", Endpoint::TestQuery, replies);
    let response = world.check("hotkey_1").await;
    (world, response)
}

/// `hotkey_1`'s check while uid 1 holds its PAT `pat` (account 1001), GitHub unscripted: the
/// start of the rows decided before or at the identity lookup.
async fn checked_holding(pat: &str) -> (World, CheckResponse) {
    let world = World::with_entry("hotkey_1", pat, "1001").await;
    let response = world.check("hotkey_1").await;
    (world, response)
}

#[tokio::test]
async fn seed_reproduction_test_query_outage_is_inconclusive_not_invalid() {
    for outage in world::seed_outages() {
        let (world, response) = checked_at_the_test_query([outage.clone()]).await;
        assert_eq!(
            row(&response),
            (Some(true), None, Some(UNAVAILABLE)),
            "{outage:?}"
        );
        assert_eq!(response.category, CheckCategory::Inconclusive);
        // An outage is retried, three attempts at most, and the entry is untouched.
        assert_eq!(world.github.requests(Endpoint::TestQuery), 3, "{outage:?}");
        assert_eq!(world.store.write_calls(), 0);
    }
}

#[tokio::test]
async fn identity_outage_is_inconclusive() {
    let world = World::with_entry("hotkey_1", "ghp_stored", "1001").await;
    world.github.on(
        "ghp_stored",
        Endpoint::Identity,
        [Reply::status(429).after(std::time::Duration::from_millis(10))],
    );
    let response = world.check("hotkey_1").await;
    assert_eq!(row(&response), (Some(true), None, Some(UNAVAILABLE)));
    assert_eq!(world.github.requests(Endpoint::TestQuery), 0);
}

#[tokio::test]
async fn unregistered_hotkey_gets_no_response() {
    let world = seeded().await;
    let response = world.check("stranger").await;
    assert_eq!(
        row(&response),
        (None, None, Some("Hotkey not registered on subnet"))
    );
    assert_eq!(response.category, CheckCategory::NoResponse);
    assert_eq!(world.github.requests(Endpoint::Identity), 0);
}

#[tokio::test]
async fn unreadable_store_is_inconclusive_never_no_pat() {
    let world = seeded().await;
    world.store.fail_reads(true);
    let outcome = world.validator.check(&Hotkey::new("hotkey_1")).await;
    // The failure's kind travels with the answer, for a reader that acts on it (the CLI's
    // advice for a corrupt store); the wire keeps the words only.
    assert!(
        matches!(
            outcome,
            CheckOutcome::Inconclusive(Unavailable::Store {
                kind: StoreFailureKind::Io,
                ..
            })
        ),
        "{outcome:?}"
    );
    let response = CheckResponse::from(outcome);
    assert_eq!(
        row(&response),
        (
            Some(false),
            None,
            Some("Validator PAT store temporarily unavailable; please retry.")
        )
    );
    assert_eq!(response.category, CheckCategory::Inconclusive);
    assert_eq!(
        response.detail.as_deref(),
        Some("cannot read the PAT store: injected read failure"),
        "the detail says why, with its cause"
    );
    assert_eq!(world.github.requests(Endpoint::Identity), 0);
}

#[tokio::test]
async fn no_entry_is_no_pat() {
    let world = seeded().await;
    let response = world.check("hotkey_2").await;
    assert_eq!(row(&response), NO_PAT);
    assert_eq!(response.category, CheckCategory::NoPat);
}

#[tokio::test]
async fn stale_entry_of_a_previous_miner_is_no_pat() {
    let world = World::with_entry("previous_owner_of_uid_1", "ghp_old", "7").await;
    world.github.valid("ghp_old", 7, "old");
    let response = world.check("hotkey_1").await;
    assert_eq!(row(&response), NO_PAT);
    assert_eq!(world.github.requests(Endpoint::Identity), 0);
}

#[tokio::test]
async fn revoked_pat_has_no_github_id() {
    // No script: the fake answers 401 Bad credentials, as GitHub does for a revoked PAT.
    let (world, response) = checked_holding("ghp_revoked").await;
    assert_invalid_pat(&response, "No Github id found for miner 1's PAT");
    assert_eq!(
        world.github.requests(Endpoint::Identity),
        1,
        "evidence is never retried"
    );
}

#[tokio::test]
async fn test_query_evidence_is_invalid_with_its_reason() {
    let cases = [
        (
            Reply::json(200, json!({ "data": { "viewer": null } })),
            "PAT test query failed: Fine-grained PATs need 'Public Repositories (read-only)' permission",
        ),
        (
            Reply::json(
                200,
                json!({ "errors": [{ "message": "Resource not accessible" }] }),
            ),
            "PAT test query failed: GraphQL error: Resource not accessible",
        ),
        (
            // GitHub's JSON 401, twice (the first one is asked again: §4).
            Reply::json(401, json!({ "message": "Bad credentials" })),
            "PAT test query failed: GitHub GraphQL API returned 401",
        ),
    ];
    for (reply, reason) in cases {
        let (_world, response) = checked_at_the_test_query([reply]).await;
        assert_invalid_pat(&response, reason);
    }
}

#[tokio::test]
async fn working_pat_is_valid() {
    let (world, response) = checked_at_the_test_query([Reply::viewer("miner1")]).await;
    assert_eq!(row(&response), (Some(true), Some(true), None));
    assert_eq!(response.category, CheckCategory::Valid);
    assert_eq!(world.github.requests(Endpoint::Identity), 1);
    assert_eq!(world.github.requests(Endpoint::TestQuery), 1);
}

#[tokio::test]
async fn a_blip_absorbed_by_a_retry_is_valid() {
    let replies = [Reply::status(502), Reply::viewer("miner1")];
    let (world, response) = checked_at_the_test_query(replies).await;
    assert_eq!(response.category, CheckCategory::Valid);
    assert_eq!(world.github.requests(Endpoint::TestQuery), 2);
}

#[tokio::test]
async fn stored_pat_that_cannot_be_sent_is_invalid_and_never_sent() {
    let (world, response) = checked_holding("ghp_bad\r\ninjected").await;
    assert_invalid_pat(
        &response,
        "Stored PAT for miner 1 is malformed (the token has a character outside GitHub's token alphabet (A-Z a-z 0-9 _) at position 8); broadcast a new one",
    );
    assert_eq!(world.github.requests(Endpoint::Identity), 0);
}

#[tokio::test]
async fn empty_stored_pat_is_no_pat() {
    let (_world, response) = checked_holding("  ").await;
    assert_eq!(response.category, CheckCategory::NoPat);
}

#[test]
fn each_outcome_goes_on_the_wire_as_its_row_of_the_check_table() {
    use pat_verdict::CauseKind;
    let cases = [
        (CheckOutcome::Valid, (Some(true), Some(true), None), "valid"),
        (
            CheckOutcome::NoPat,
            (
                Some(false),
                Some(false),
                Some("No PAT stored for this miner"),
            ),
            "no_pat",
        ),
        (
            CheckOutcome::InvalidPat {
                reason: "PAT test query failed: x".into(),
                cause: CauseKind::GraphqlError,
            },
            (Some(true), Some(false), Some("PAT test query failed: x")),
            "invalid_pat",
        ),
        (
            CheckOutcome::Inconclusive(Unavailable::Github(CauseKind::GithubDown)),
            (Some(true), None, Some(UNAVAILABLE)),
            "inconclusive",
        ),
        (
            CheckOutcome::Inconclusive(Unavailable::Store {
                detail: "why".into(),
                kind: StoreFailureKind::Corrupt,
            }),
            (
                Some(false),
                None,
                Some("Validator PAT store temporarily unavailable; please retry."),
            ),
            "inconclusive",
        ),
        (
            CheckOutcome::NoResponse,
            (None, None, Some("Hotkey not registered on subnet")),
            "no_response",
        ),
    ];
    for (outcome, expected, category) in cases {
        let store_down = matches!(
            outcome,
            CheckOutcome::Inconclusive(Unavailable::Store { .. })
        );
        let wire = CheckResponse::from(outcome);
        assert_eq!(row(&wire), expected);
        assert_eq!(wire.category.as_str(), category);
        assert_eq!(wire.category.to_string(), category);
        let json = serde_json::to_value(&wire).expect("serializes");
        assert_eq!(json["category"], category);
        // "detail" is there exactly when the store was unavailable.
        assert_eq!(json.get("detail").is_some(), store_down, "{json}");
    }
}

/// `check_with_report` answers exactly as `check` and hands over the verification behind the
/// answer, so a command line can say GitHub's own reason; no verification, no report.
#[tokio::test]
async fn check_with_report_answers_as_check_and_carries_the_verdicts_reason() {
    use pat_verdict::VerdictKind;

    let world = seeded().await;
    world.github.on(
        "ghp_stored",
        Endpoint::Identity,
        [Reply::json(401, json!({"message": "Bad credentials"}))],
    );
    let hotkey = Hotkey::new("hotkey_1");
    let (outcome, report) = world.validator.check_with_report(&hotkey).await;
    assert_eq!(outcome, world.validator.check(&hotkey).await);
    assert_eq!(outcome.category(), CheckCategory::InvalidPat);
    let report = report.expect("the stored PAT was verified");
    assert_eq!(report.verdict().kind(), VerdictKind::Invalid);
    assert_eq!(
        report.verdict().error(),
        Some("GitHub /user API returned 401")
    );

    let (outcome, report) = world
        .validator
        .check_with_report(&Hotkey::new("not_registered"))
        .await;
    assert_eq!(outcome, CheckOutcome::NoResponse);
    assert!(report.is_none());
    let (outcome, report) = world
        .validator
        .check_with_report(&Hotkey::new("hotkey_0"))
        .await;
    assert!(
        matches!(outcome, CheckOutcome::NoPat | CheckOutcome::NoResponse),
        "{outcome:?}"
    );
    assert!(report.is_none());
}
