//! docs/contract.md §6 races: two broadcasts for one hotkey with PATs of different GitHub accounts, in
//! flight at once, end with exactly one accepted and the other rejected with the pin message.
//! The fake GitHub holds both test queries until both have arrived, so both broadcasts pass
//! the early pin check before either saves: only the atomic pin-and-save can separate them.

#![allow(
    clippy::expect_used,
    reason = "a test whose setup fails should stop loudly, as an assertion does"
)]

mod world;

use std::sync::Arc;

use pat_verdict::testing::Reply;
use pat_verdict::{BroadcastOutcome, Endpoint, PatStore, Uid};
use world::World;

const LOCKED: &str = "GitHub identity is locked for this hotkey. Deregister and re-register to change GitHub accounts.";

fn script_race(world: &World) {
    // Both accounts answer the same way; only their test queries wait for each other.
    for (token, id, login) in [("ghp_account_a", 1001, "a"), ("ghp_account_b", 2002, "b")] {
        world
            .github
            .on(token, Endpoint::Identity, [Reply::user(id, login)])
            .on(
                token,
                Endpoint::TestQuery,
                [Reply::viewer(login).held_until("race", 2)],
            );
    }
}

async fn assert_one_winner(world: &World, answers: [BroadcastOutcome; 2]) {
    let locked = BroadcastOutcome::rejected(LOCKED, pat_verdict::HandlerCause::IdentityLocked);
    let winner_id = match &answers {
        [BroadcastOutcome::Accepted, loser] if *loser == locked => "1001",
        [loser, BroadcastOutcome::Accepted] if *loser == locked => "2002",
        other => panic!("expected one accepted and one locked out: {other:?}"),
    };
    let entry = world
        .store
        .get(Uid(1))
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(
        entry.github_id.as_str(),
        winner_id,
        "the store holds the winner"
    );
}

#[tokio::test]
async fn overlapping_broadcasts_on_one_task_have_one_winner() {
    let world = World::new();
    script_race(&world);
    let (a, b) = futures::join!(
        world.broadcast("hotkey_1", "ghp_account_a"),
        world.broadcast("hotkey_1", "ghp_account_b"),
    );
    assert_eq!(
        world.github.requests(Endpoint::TestQuery),
        2,
        "both reached the test query"
    );
    assert_one_winner(&world, [a, b]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlapping_broadcasts_on_two_threads_have_one_winner() {
    for _ in 0..20 {
        let world = Arc::new(World::new());
        script_race(&world);
        let spawn = |token: &'static str| {
            let world = world.clone();
            tokio::spawn(async move { world.broadcast("hotkey_1", token).await })
        };
        let a = spawn("ghp_account_a");
        let b = spawn("ghp_account_b");
        let (a, b) = (a.await.expect("task a"), b.await.expect("task b"));
        assert_one_winner(&world, [a, b]).await;
    }
}
