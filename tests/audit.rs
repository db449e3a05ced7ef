//! `audit`: every stored PAT re-validated, at most `concurrency` at once, one row each.

mod world;

use futures::StreamExt;
use pat_verdict::store::UnusableEntry;
use pat_verdict::testing::{Reply, entry};
use pat_verdict::{
    AuditRow, AuditSummary, Endpoint, Hotkey, PatStore, Uid, VerdictKind, audit, in_uid_order,
};
use std::num::NonZeroUsize;
use world::World;

/// The summary an audit prints after its rows: each row added once, in the order given.
fn summary_of(rows: &[AuditRow]) -> AuditSummary {
    let mut summary = AuditSummary::default();
    rows.iter().for_each(|row| summary.add(row));
    summary
}

/// `n` audits at once (`n` is at least one).
#[expect(clippy::expect_used, reason = "a test's own constant, never zero")]
fn at_once(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).expect("a count of at least one")
}

#[tokio::test]
async fn audit_gives_one_row_per_entry_and_a_true_summary() {
    let world = World::new();
    world.seed(entry(0, "hk0", "ghp_valid", "1")).await;
    world.seed(entry(1, "hk1", "ghp_revoked", "2")).await;
    world.seed(entry(2, "hk2", "ghp_outage", "3")).await;
    world.seed(entry(3, "hk3", "ghp_bad\nline", "4")).await;
    world.github.valid("ghp_valid", 1, "a");
    world
        .github
        .on("ghp_outage", Endpoint::Identity, [Reply::status(502)]);

    let listing = world.store.listing().await.expect("entries");
    let mut rows: Vec<_> = audit(world.validator.verifier(), listing, at_once(4))
        .collect()
        .await;
    in_uid_order(&mut rows);
    let verdicts: Vec<_> = rows.iter().map(|row| row.verdict.verdict).collect();
    assert_eq!(
        verdicts,
        vec![
            VerdictKind::Valid,
            VerdictKind::Invalid,
            VerdictKind::Inconclusive,
            VerdictKind::Invalid
        ]
    );
    assert_eq!(rows[0].verdict.reason, None);
    assert_eq!(
        rows[2].verdict.reason.as_deref(),
        Some("GitHub /user API returned 502")
    );
    assert!(!format!("{rows:?}").contains("ghp_"), "no PAT in rows");

    assert_eq!(
        summary_of(&rows),
        AuditSummary {
            valid: 1,
            invalid: 2,
            inconclusive: 1,
            total: 4,
            // Valid 2, revoked 1, the 502 three attempts, the malformed token none.
            requests: 6,
            short_circuited: 0,
            unusable: 0,
        }
    );
}

/// An entry the store cannot use is a row of its own, first, inconclusive with the store's
/// reason and no request; it counts as inconclusive, and `in_uid_order` puts it at its uid
/// (one without a uid last).
#[tokio::test]
async fn an_unusable_entry_is_a_row_of_its_own_and_is_counted() {
    let world = World::new();
    world.seed(entry(1, "hk1", "ghp_valid", "1")).await;
    world.seed(entry(4, "hk4", "ghp_valid4", "4")).await;
    world.github.valid("ghp_valid", 1, "a");
    world.github.valid("ghp_valid4", 4, "d");
    let mut listing = world.store.listing().await.expect("entries");
    let broken = |uid: Option<u32>| UnusableEntry {
        uid: uid.map(Uid),
        hotkey: uid.map(|uid| Hotkey::new(format!("hk{uid}"))),
        reason: "its \"pat\" is not a string".to_owned(),
    };
    listing.unusable = vec![broken(None), broken(Some(2))];
    let expected_reason = broken(Some(2)).audit_reason();
    let mut rows: Vec<_> = audit(world.validator.verifier(), listing, at_once(2))
        .collect()
        .await;
    // Unusable entries come first, before anything is sent.
    assert!(rows[0].unusable && rows[1].unusable, "{rows:?}");
    assert_eq!(
        summary_of(&rows),
        AuditSummary {
            valid: 2,
            invalid: 0,
            inconclusive: 2,
            total: 4,
            requests: 4,
            short_circuited: 0,
            unusable: 2,
        }
    );
    in_uid_order(&mut rows);
    let uids: Vec<_> = rows.iter().map(|row| row.uid.map(|uid| uid.0)).collect();
    assert_eq!(uids, [Some(1), Some(2), Some(4), None]);
    let unusable = &rows[1];
    assert_eq!(unusable.verdict.verdict, VerdictKind::Inconclusive);
    assert_eq!(
        unusable.verdict.reason.as_deref(),
        Some(expected_reason.as_str())
    );
    assert_eq!(unusable.verdict.stage, None);
    assert_eq!(unusable.verdict.requests, 0);
    assert_eq!(unusable.github_id, None);
    let line = serde_json::to_string(unusable).expect("serializes");
    assert!(
        line.starts_with(r#"{"uid":2,"hotkey":"hk2","verdict":"inconclusive","reason":"#)
            && line.ends_with(r#","github_id":null,"requests":0,"cause":"store_unavailable"}"#),
        "{line}"
    );
    assert_eq!(
        world.github.requests(Endpoint::Identity),
        2,
        "only usable PATs are sent"
    );
}
