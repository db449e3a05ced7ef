//! Classifying costs allocations for what the verdict carries, not for the size of the body:
//! a 1 MiB answer allocates exactly what a 1 KiB one does (issue: "no allocation proportional
//! to anything but the body"; the only per-body cost is reading it). Counted with dhat's
//! heap profiler in testing mode: block counts are exact, not timings.
//!
//! dhat counts the allocations of every thread in the process, and libtest runs threads of
//! its own (the test threads, the output capture, the timeout reporter), whose allocations
//! would land in the count at random moments. So this binary has no libtest harness
//! (`harness = false` in Cargo.toml): `main` runs each check in turn on the only thread there
//! is, and the count holds what the classification allocated and nothing else.

use std::process::ExitCode;

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

/// One check: its name, and what it found wrong if it failed.
type Check = (&'static str, fn() -> Result<(), String>);

const SIZES: [usize; 3] = [1 << 10, 64 << 10, 1 << 20];
const NOW: UnixTime = UnixTime(0);

/// The blocks one classification of `head`, padded to each of [`SIZES`], allocates, once it
/// is checked that every padded answer is Valid and that the count is the same at every size:
/// both classifiers' size checks are this one loop. `what` names the body and `name` the
/// classifier in the messages.
fn same_blocks_for_every_size<T>(
    name: &str,
    what: &str,
    head: &str,
    classify: fn(&CallResult, UnixTime) -> Verdict<T>,
) -> Result<Vec<u64>, String> {
    let mut counts = Vec::new();
    for size in SIZES {
        let answer = padded(head, size);
        let mut valid = false;
        counts.push(blocks_allocated(|| {
            let verdict = classify(&answer, NOW);
            valid = matches!(verdict, Verdict::Valid(_));
            verdict
        }));
        if !valid {
            return Err(format!("the {size}-byte {what} is not valid"));
        }
    }
    eprintln!("{name} blocks per classification: {counts:?}");
    if counts.iter().all(|&n| n == counts[0]) {
        Ok(counts)
    } else {
        Err(format!("{name}: {counts:?}"))
    }
}

/// docs/contract.md §2's valid row, at every body size: the same number of blocks each time.
fn test_query_allocates_the_same_for_every_body_size() -> Result<(), String> {
    let viewer = r#"{"data":{"viewer":{"login":"octocat"}}}"#;
    same_blocks_for_every_size("test query", "viewer", viewer, classify_test_query).map(drop)
}

/// docs/contract.md §3's valid row, at every body size: the same number of blocks, and few of them.
fn identity_allocates_the_same_for_every_body_size() -> Result<(), String> {
    let user = r#"{"login":"octocat","id":583231,"type":"User"}"#;
    let counts = same_blocks_for_every_size("identity", "user", user, classify_identity)?;
    // And few: the login, the id's text, the serde map for `viewer` — single digits.
    if counts[0] >= 10 {
        return Err(format!("identity allocates {} blocks", counts[0]));
    }
    Ok(())
}

fn main() -> ExitCode {
    let _profiler = dhat::Profiler::builder().testing().build();
    let checks: [Check; 2] = [
        (
            "test_query_allocates_the_same_for_every_body_size",
            test_query_allocates_the_same_for_every_body_size,
        ),
        (
            "identity_allocates_the_same_for_every_body_size",
            identity_allocates_the_same_for_every_body_size,
        ),
    ];
    let (mut passed, mut failed) = (0, 0);
    for (name, check) in checks {
        match check() {
            Ok(()) => {
                println!("test {name} ... ok");
                passed += 1;
            }
            Err(why) => {
                println!("test {name} ... FAILED: {why}");
                failed += 1;
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
