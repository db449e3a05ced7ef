//! The handlers' own overhead per request: `check` and `broadcast` over in-memory fakes (a
//! scripted GitHub that answers at once, a memory store, a manual clock), so what is measured
//! is the core — pre-check, two classifications, the pin, the save — not I/O.
//! Run: `cargo bench --bench handlers`.

#![allow(
    clippy::expect_used,
    reason = "a benchmark whose setup fails should stop loudly"
)]

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use pat_verdict::testing::{ManualClock, ScriptedGithub, entry};
use pat_verdict::{Hotkey, HotkeyList, RetryPolicy, SecretString, Validator, Verifier};
use pat_verdict_memory_store::MemoryStore;

fn handlers(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let clock = Arc::new(ManualClock::default());
    let github = ScriptedGithub::new(None);
    github.valid("ghp_stored", 1001, "miner1");
    let hotkeys: Vec<Hotkey> = (0..256)
        .map(|uid| Hotkey::new(format!("hotkey_{uid}")))
        .collect();
    let store = MemoryStore::with_entries([entry(1, "hotkey_1", "ghp_stored", "1001")]);
    let validator = Validator::new(
        Verifier::new(github, clock, RetryPolicy::default()),
        store,
        HotkeyList::new(hotkeys),
    );
    let hotkey = Hotkey::new("hotkey_1");
    let pat = SecretString::from("ghp_stored");

    let mut group = c.benchmark_group("handlers");
    group.bench_function("check_valid", |b| {
        b.to_async(&runtime).iter(|| validator.check(&hotkey))
    });
    group.bench_function("broadcast_rotation_accepted", |b| {
        b.to_async(&runtime)
            .iter(|| validator.broadcast(&hotkey, &pat))
    });
    group.bench_function("check_unregistered", |b| {
        let stranger = Hotkey::new("stranger");
        b.to_async(&runtime).iter(|| validator.check(&stranger))
    });
    group.finish();
}

criterion_group!(benches, handlers);
criterion_main!(benches);
