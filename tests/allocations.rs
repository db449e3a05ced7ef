//! Classifying costs allocations for what the verdict carries, not for the size of the body:
//! a 1 MiB answer allocates exactly what a 1 KiB one does (issue: "no allocation proportional
//! to anything but the body"; the only per-body cost is reading it). Counted with dhat's
//! heap profiler in testing mode: block counts are exact, not timings, so this cannot flake.

use pat_verdict::{CallResult, HttpResponse, UnixTime, Verdict};
use pat_verdict::{classify_identity, classify_test_query};

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

/// A valid answer padded to `size` bytes with fields the classifier must skip.
fn padded(head: &str, size: usize) -> CallResult {
    let mut body = head.strip_suffix('}').unwrap_or(head).to_owned();
    body.push_str(r#","ignored":["#);
    while body.len() < size {
        body.push_str(
            r#"{"node_id":"MDQ6VXNlcjU4MzIzMQ==","url":"https://api.github.com/users/octocat"},"#,
        );
    }
    body.push_str("null]}");
    Ok(HttpResponse::new(200, body))
}

/// Heap blocks allocated while `f` runs (its inputs are built before).
fn blocks_allocated<T>(f: impl FnOnce() -> T) -> u64 {
    let before = dhat::HeapStats::get().total_blocks;
    let result = f();
    let after = dhat::HeapStats::get().total_blocks;
    drop(result);
    after - before
}

#[test]
fn classification_allocates_the_same_for_every_body_size() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let now = UnixTime(0);
    let sizes = [1 << 10, 64 << 10, 1 << 20];

    let viewer = r#"{"data":{"viewer":{"login":"octocat"}}}"#;
    let counts: Vec<u64> = sizes
        .iter()
        .map(|&size| {
            let answer = padded(viewer, size);
            blocks_allocated(|| {
                let verdict = classify_test_query(&answer, now);
                assert!(matches!(verdict, Verdict::Valid(_)));
                verdict
            })
        })
        .collect();
    eprintln!("test query blocks per classification: {counts:?}");
    assert!(
        counts.iter().all(|&n| n == counts[0]),
        "test query: {counts:?}"
    );

    let user = r#"{"login":"octocat","id":583231,"type":"User"}"#;
    let counts: Vec<u64> = sizes
        .iter()
        .map(|&size| {
            let answer = padded(user, size);
            blocks_allocated(|| {
                let verdict = classify_identity(&answer, now);
                assert!(matches!(verdict, Verdict::Valid(_)));
                verdict
            })
        })
        .collect();
    eprintln!("identity blocks per classification: {counts:?}");
    assert!(
        counts.iter().all(|&n| n == counts[0]),
        "identity: {counts:?}"
    );
    // And few: the login, the id's text, the serde map for `viewer` — single digits.
    assert!(counts[0] < 10, "identity allocates {} blocks", counts[0]);
}
