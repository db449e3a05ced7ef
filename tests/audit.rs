//! `audit`: every stored PAT re-validated, at most `concurrency` at once, one row each.

mod world;

use futures::StreamExt;
use pat_verdict::testing::{Reply, entry};
use pat_verdict::{AuditSummary, Endpoint, PatStore, VerdictKind, audit};
use world::World;

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

    let entries = world.store.all().await.expect("entries");
    let mut rows: Vec<_> = audit(world.validator.verifier(), entries, 4)
        .collect()
        .await;
    rows.sort_by_key(|row| row.uid);
    let verdicts: Vec<_> = rows.iter().map(|row| row.verdict).collect();
    assert_eq!(
        verdicts,
        vec![
            VerdictKind::Valid,
            VerdictKind::Invalid,
            VerdictKind::Inconclusive,
            VerdictKind::Invalid
        ]
    );
    assert_eq!(rows[0].reason, None);
    assert_eq!(
        rows[2].reason.as_deref(),
        Some("GitHub /user API returned 502")
    );
    assert!(!format!("{rows:?}").contains("ghp_"), "no PAT in rows");

    let mut summary = AuditSummary::default();
    rows.iter().for_each(|row| summary.add(row));
    assert_eq!(
        summary,
        AuditSummary {
            valid: 1,
            invalid: 2,
            inconclusive: 1,
            total: 4
        }
    );
}

#[tokio::test]
async fn audit_keeps_at_most_concurrency_calls_in_flight() {
    let world = World::new();
    for uid in 0..9 {
        let token = format!("ghp_{uid}");
        world
            .seed(entry(uid, &format!("hk{uid}"), &token, "1"))
            .await;
        // Identity calls are held until three have arrived: only three in flight at once
        // lets every group complete; more would still finish but show up in max_in_flight.
        world
            .github
            .on(
                &token,
                Endpoint::Identity,
                [Reply::user(1, "m").held_until("wave", 3)],
            )
            .on(&token, Endpoint::TestQuery, [Reply::viewer("m")]);
    }
    let entries = world.store.all().await.expect("entries");
    let rows: Vec<_> = audit(world.validator.verifier(), entries, 3)
        .collect()
        .await;
    assert_eq!(rows.len(), 9);
    assert!(rows.iter().all(|row| row.verdict == VerdictKind::Valid));
    assert_eq!(world.github.max_in_flight(), 3);
}
