//! `audit` of a 256-miner store end to end: the ureq adapter, the JSON store and the fake
//! GitHub on loopback, concurrency 16, at 0 ms and at 20 ms latency per answer, with
//! gittensor's two calls per PAT and with `--one-call`'s one (docs/contract.md §11) side by
//! side. At 20 ms the floor is a round trip per call, 16 PATs at a time: 2 × 20 ms × 256 / 16
//! = 0.64 s for two calls, 0.32 s for one.
//! Run: `cargo bench --bench audit` (`benches/compare/run.py --plans` prints the ratios).

#![allow(
    clippy::expect_used,
    reason = "a benchmark whose setup fails should stop loudly"
)]

use std::num::NonZeroUsize;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use futures::StreamExt;
use pat_verdict::store::SaveOutcome;
use pat_verdict::testing::entry;
use pat_verdict::verification::Plan;
use pat_verdict::{PatStore, RetryPolicy, VerdictKind, Verifier, audit};
use pat_verdict_fake_github::FakeGithub;
use pat_verdict_json_store::JsonStore;
use pat_verdict_system_clock::SystemClock;
use pat_verdict_ureq_http::UreqGithub;

const PATS: u32 = 256;
/// 16 at once (1 + 15: `NonZeroUsize::new` cannot be unwrapped in a lint-clean const).
const CONCURRENCY: NonZeroUsize = NonZeroUsize::MIN.saturating_add(15);

fn audit_end_to_end(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let folder = tempfile::tempdir().expect("a temp folder");
    let store = JsonStore::new(folder.path().join("miner_pats.json"));
    let github = FakeGithub::start().expect("the fake GitHub starts");
    runtime.block_on(async {
        for uid in 0..PATS {
            let token = format!("ghp_bench_{uid}");
            github.valid(&token, u64::from(uid) + 1, "miner");
            let hotkey = format!("hotkey_{uid}");
            let id = (uid + 1).to_string();
            let saved = store.save_pinned(entry(uid, &hotkey, &token, &id)).await;
            assert_eq!(saved.expect("seed"), SaveOutcome::Saved);
        }
    });
    let client = UreqGithub::new(&github.url()).expect("a loopback URL");
    let two_calls = Verifier::new(client, SystemClock::new(), RetryPolicy::default());
    let one_call = two_calls.clone().with_plan(Plan::OneCall);

    let mut group = c.benchmark_group("audit_256_pats_concurrency_16");
    for latency_ms in [0, 20] {
        github.set_latency(Duration::from_millis(latency_ms));
        if latency_ms > 0 {
            group.sample_size(10);
            group.measurement_time(Duration::from_secs(8));
        }
        for (plan, verifier) in [("two_calls", &two_calls), ("one_call", &one_call)] {
            group.bench_function(format!("{plan}/latency_{latency_ms}ms"), |b| {
                b.to_async(&runtime).iter(|| async {
                    let listing = store.listing().await.expect("the store reads");
                    let valid = audit(verifier, listing, CONCURRENCY)
                        .filter(|row| std::future::ready(row.verdict.verdict == VerdictKind::Valid))
                        .count()
                        .await;
                    assert_eq!(valid, PATS as usize);
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, audit_end_to_end);
criterion_main!(benches);
