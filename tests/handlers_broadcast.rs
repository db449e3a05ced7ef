//! The broadcast endpoint, row by row of docs/contract.md §6: order of checks, the identity pin, and a
//! store that fails closed (reject, retryable, never write).

#![allow(
    clippy::expect_used,
    reason = "a test whose setup fails should stop loudly, as an assertion does"
)]

mod world;

use pat_verdict::store::StoredPat;
use pat_verdict::testing::{Reply, entry};
use pat_verdict::{
    BroadcastOutcome, BroadcastResponse, CauseKind, Endpoint, ExposeSecret, GithubId, HandlerCause,
    PatStore, StoreFailureKind, TransportErrorKind, Uid,
};
use serde_json::json;
use world::{World, hk};

const LOCKED: &str = "GitHub identity is locked for this hotkey. Deregister and re-register to change GitHub accounts.";

/// A rejection as §6's tables state it: the words and whether it is retryable (the cause is
/// §13's, asserted by the tests of causes).
#[derive(Debug)]
struct Rejection {
    reason: String,
    retryable: bool,
}

impl PartialEq<Rejection> for BroadcastOutcome {
    fn eq(&self, other: &Rejection) -> bool {
        match self {
            BroadcastOutcome::Accepted => false,
            BroadcastOutcome::Rejected { reason, .. } => {
                !other.retryable && *reason == other.reason
            }
            BroadcastOutcome::RetryLater { reason, .. } => {
                other.retryable && *reason == other.reason
            }
        }
    }
}

fn rejected(reason: &str, retryable: bool) -> Rejection {
    Rejection {
        reason: reason.to_owned(),
        retryable,
    }
}

/// The reason of a retryable rejection, and the kind of the store failure behind it (none
/// when GitHub was the reason); any other answer fails the test.
fn retry_later(outcome: BroadcastOutcome) -> (String, Option<StoreFailureKind>) {
    match outcome {
        BroadcastOutcome::RetryLater {
            reason,
            store_failure,
            ..
        } => (reason, store_failure),
        other @ (BroadcastOutcome::Accepted | BroadcastOutcome::Rejected { .. }) => {
            panic!("expected a retryable rejection, got {other:?}")
        }
    }
}

async fn stored(world: &World, uid: u32) -> Option<StoredPat> {
    world
        .store
        .inner()
        .get(Uid(uid))
        .await
        .expect("memory store reads")
}

/// Asserts the broadcast left uid 1 empty and never reached the store's write.
async fn assert_nothing_written(world: &World) {
    assert_eq!(stored(world, 1).await, None);
    assert_eq!(world.store.write_calls(), 0);
}

/// `hotkey_1`'s broadcast of `pat`, a working PAT of GitHub account `github_id`, while uid 1
/// holds `holder`'s PAT `ghp_old` for account 1001: it must be accepted. The entry stored then.
async fn accepted_over(holder: &str, pat: &str, github_id: u64) -> StoredPat {
    let world = World::with_entry(holder, "ghp_old", "1001").await;
    world.github.valid(pat, github_id, "miner");
    let response = world.broadcast("hotkey_1", pat).await;
    assert_eq!(response, BroadcastOutcome::Accepted);
    stored(&world, 1).await.expect("entry")
}

/// `hotkey_1`'s broadcast of a working PAT while `break_store` makes the store fail: refused,
/// retryable, with the kind of the injected failure (an I/O error) kept in the answer for a
/// reader that acts on it (the CLI's advice for a corrupt store; the wire keeps the words
/// only). The world and the reason are handed back.
async fn refused_by_a_failing_store(break_store: impl FnOnce(&World)) -> (World, String) {
    let world = World::new();
    world.github.valid("ghp_new", 1001, "m");
    break_store(&world);
    let (reason, store_failure) = retry_later(world.broadcast("hotkey_1", "ghp_new").await);
    assert_eq!(store_failure, Some(StoreFailureKind::Io));
    (world, reason)
}

#[tokio::test]
async fn seed_reproduction_test_query_outage_rejects_retryably_and_stores_nothing() {
    for outage in world::seed_outages() {
        let world = World::new();
        world.script("ghp_new", [Reply::user(1001, "miner1")], [outage.clone()]);
        let response = world.broadcast("hotkey_1", "ghp_new").await;
        let (reason, store_failure) = retry_later(response);
        assert!(
            reason.starts_with(
                "GitHub API temporarily unavailable during PAT test query; retry the broadcast in a few minutes. ("
            ),
            "{reason}"
        );
        assert_eq!(store_failure, None, "GitHub, not the store");
        assert!(!reason.to_lowercase().contains("invalid"), "{reason}");
        assert_nothing_written(&world).await;
    }
}

#[tokio::test]
async fn all_good_saves_the_entry() {
    let world = World::new();
    world.github.valid("  ghp_new\n", 1001, "miner1");
    world.github.valid("ghp_new", 1001, "miner1");
    let response = world.broadcast("hotkey_1", "  ghp_new\n").await;
    assert_eq!(response, BroadcastOutcome::Accepted);
    let entry = stored(&world, 1).await.expect("saved");
    assert_eq!(entry.hotkey, hk("hotkey_1"));
    assert_eq!(entry.pat.expose_secret(), "ghp_new", "stored stripped");
    assert_eq!(entry.github_id, GithubId::new("1001"));
    assert_eq!(entry.stored_at, "2026-01-01T00:00:00Z");
    assert_eq!(world.github.requests(Endpoint::Identity), 1);
    assert_eq!(world.github.requests(Endpoint::TestQuery), 1);
}

/// Asserts each broadcast of `cases` (hotkey, PAT, reason) is refused for good with its
/// reason, and that none of them sent a request or wrote: the rows decided before GitHub is
/// asked. The world, fresh, is handed back.
async fn refused_before_any_request(cases: &[(&str, &str, &str)]) -> World {
    let world = World::new();
    for (hotkey, pat, reason) in cases {
        let response = world.broadcast(hotkey, pat).await;
        assert_eq!(response, rejected(reason, false), "{hotkey}");
    }
    assert_eq!(world.github.requests(Endpoint::Identity), 0);
    assert_eq!(world.store.write_calls(), 0);
    world
}

#[tokio::test]
async fn unregistered_hotkey_is_rejected_before_anything() {
    refused_before_any_request(&[("stranger", "ghp_x", "Hotkey not registered on subnet")]).await;
}

#[tokio::test]
async fn empty_or_malformed_tokens_are_rejected_without_a_request() {
    refused_before_any_request(&[
        ("hotkey_1", " \n\t", "No Github PAT provided by miner 1"),
        (
            "hotkey_2",
            "ghp_abc\r\nX-Injected: yes",
            "Malformed Github PAT from miner 2: the token has a character outside GitHub's token alphabet (A-Z a-z 0-9 _) at position 8",
        ),
    ])
    .await;
}

/// §5's shape rule (added 2026-12-07): a "token" longer than any GitHub token, or with a
/// character GitHub's tokens never have, is refused before anything is sent, so it cannot make
/// whatever is in front of GitHub fail requests on the guard every miner shares; the reason
/// names the length or the position, never the token.
#[tokio::test]
async fn oversized_or_foreign_tokens_are_malformed_without_a_request() {
    let huge = format!("ghp_{}", "A".repeat(100_000));
    let world = refused_before_any_request(&[
        (
            "hotkey_1",
            &huge,
            "Malformed Github PAT from miner 1: the token is 100004 characters long; GitHub's tokens have at most 255",
        ),
        (
            "hotkey_2",
            "ghp-abcdef",
            "Malformed Github PAT from miner 2: the token has a character outside GitHub's token alphabet (A-Z a-z 0-9 _) at position 4",
        ),
    ])
    .await;
    // 255 characters are a token: this one is sent.
    world.broadcast("hotkey_2", &"b".repeat(255)).await;
    assert_eq!(world.github.requests(Endpoint::Identity), 1);
}

#[tokio::test]
async fn identity_invalid_is_rejected_for_good() {
    let world = World::new();
    let response = world.broadcast("hotkey_1", "ghp_revoked").await;
    assert_eq!(
        response,
        rejected("No Github id found for miner 1's PAT", false)
    );
    assert_eq!(world.github.requests(Endpoint::TestQuery), 0);
}

#[tokio::test]
async fn identity_inconclusive_is_retryable() {
    for outage in [
        Reply::status(503),
        Reply::fail(TransportErrorKind::Dns),
        Reply::json(200, json!({ "login": "no-id" })),
    ] {
        let world = World::new();
        world.github.on("ghp_new", Endpoint::Identity, [outage]);
        let response = world.broadcast("hotkey_1", "ghp_new").await;
        assert_eq!(
            response,
            rejected(
                "Could not validate Github id for miner 1: GitHub /user lookup failed transiently",
                true
            )
        );
        assert_eq!(world.github.requests(Endpoint::TestQuery), 0);
        assert_eq!(world.store.write_calls(), 0);
    }
}

#[tokio::test]
async fn identity_pin_refuses_another_account_for_the_same_hotkey() {
    let world = World::with_entry("hotkey_1", "ghp_old", "1001").await;
    world
        .github
        .valid("ghp_other_account", 2002, "someone-else");
    let response = world.broadcast("hotkey_1", "ghp_other_account").await;
    assert_eq!(response, rejected(LOCKED, false));
    assert_eq!(
        world.github.requests(Endpoint::TestQuery),
        0,
        "pinned before the test query"
    );
    assert_eq!(
        stored(&world, 1).await,
        Some(entry(1, "hotkey_1", "ghp_old", "1001"))
    );
}

#[tokio::test]
async fn pin_compares_ids_as_strings_so_old_numeric_ids_do_not_lock_out() {
    let world = World::new();
    // As the JSON store reads an old file's `"github_id": 1001` (its reader is tested on the
    // file itself in adapters/json-store): the id as its decimal string, the number kept.
    let mut old = entry(1, "hotkey_1", "ghp_old", "1001");
    let number = serde_json::value::to_raw_value(&json!(1001)).expect("a number");
    old.extra
        .read_raw(pat_verdict::store::OptionalKey::GithubId, "1001", number);
    world.seed(old).await;
    world.github.valid("ghp_rotated", 1001, "miner1");
    let response = world.broadcast("hotkey_1", "ghp_rotated").await;
    assert_eq!(response, BroadcastOutcome::Accepted);
}

#[tokio::test]
async fn same_hotkey_may_rotate_its_pat_for_the_same_account() {
    let entry = accepted_over("hotkey_1", "ghp_rotated", 1001).await;
    assert_eq!(entry.pat.expose_secret(), "ghp_rotated");
}

#[tokio::test]
async fn a_new_miner_on_an_old_uid_may_register_any_account() {
    let entry = accepted_over("previous_miner", "ghp_new_miner", 2002).await;
    assert_eq!(entry.hotkey, hk("hotkey_1"));
    assert_eq!(entry.github_id, GithubId::new("2002"));
}

#[tokio::test]
async fn test_query_inconclusive_is_retryable_with_its_reason() {
    let world = World::new();
    world.script("ghp_new", [Reply::user(1001, "m")], [Reply::status(503)]);
    let response = world.broadcast("hotkey_1", "ghp_new").await;
    assert_eq!(
        response,
        rejected(
            "GitHub API temporarily unavailable during PAT test query; retry the broadcast in a few minutes. (GitHub GraphQL API returned 503)",
            true
        )
    );
}

#[tokio::test]
async fn test_query_invalid_is_rejected_and_nothing_stored() {
    let world = World::new();
    world.script(
        "ghp_new",
        [Reply::user(1001, "m")],
        [Reply::json(200, json!({ "data": { "viewer": null } }))],
    );
    let response = world.broadcast("hotkey_1", "ghp_new").await;
    assert_eq!(
        response,
        rejected(
            "PAT test query failed: Fine-grained PATs need 'Public Repositories (read-only)' permission",
            false
        )
    );
    assert_nothing_written(&world).await;
}

#[tokio::test]
async fn unreadable_store_fails_closed_and_is_never_written() {
    let (world, reason) = refused_by_a_failing_store(|world| world.store.fail_reads(true)).await;
    assert!(
        reason.starts_with("Validator PAT store temporarily unavailable; please retry. ("),
        "{reason}"
    );
    assert!(
        reason.contains("injected read failure"),
        "the cause is named: {reason}"
    );
    assert_eq!(
        world.store.write_calls(),
        0,
        "a store that could not be read is never written"
    );
    assert_eq!(world.github.requests(Endpoint::TestQuery), 0);
}

#[tokio::test]
async fn unwritable_store_rejects_retryably() {
    let (world, reason) = refused_by_a_failing_store(|world| world.store.fail_writes(true)).await;
    assert!(reason.contains("injected write failure"), "{reason}");
    assert_eq!(stored(&world, 1).await, None);
}

#[tokio::test]
async fn the_pat_is_never_echoed_in_any_answer() {
    let secret = "ghp_SECRETsecret123";
    let replies = [
        Reply::json(
            200,
            json!({ "errors": [{ "message": format!("bad token {secret}") }] }),
        ),
        Reply::status(503),
        Reply::viewer("m"),
    ];
    for reply in replies {
        let world = World::new();
        world.script(secret, [Reply::user(1, "m")], [reply]);
        let response = world.broadcast("hotkey_1", secret).await;
        let text = format!("{response:?}");
        assert!(!text.contains(secret), "{text}");
        let wire = serde_json::to_string(&BroadcastResponse::from(response)).expect("serializes");
        assert!(!wire.contains(secret), "{wire}");
    }
}

#[test]
fn each_outcome_goes_on_the_wire_as_accepted_reason_retryable() {
    assert_eq!(BroadcastOutcome::Accepted.rejection_reason(), None);
    let no = || BroadcastOutcome::rejected("no", HandlerCause::IdentityLocked);
    let later = || BroadcastOutcome::retry_later("later", CauseKind::GithubDown);
    assert_eq!(no().rejection_reason(), Some("no"));
    assert_eq!(later().rejection_reason(), Some("later"));
    let wire = |outcome| serde_json::to_string(&BroadcastResponse::from(outcome)).expect("json");
    assert_eq!(
        wire(BroadcastOutcome::Accepted),
        r#"{"accepted":true,"rejection_reason":null,"retryable":false,"cause":"ok"}"#
    );
    assert_eq!(
        wire(no()),
        r#"{"accepted":false,"rejection_reason":"no","retryable":false,"cause":"identity_locked"}"#
    );
    assert_eq!(
        wire(later()),
        r#"{"accepted":false,"rejection_reason":"later","retryable":true,"cause":"github_down"}"#
    );
}
