//! The JSON store shared by separate processes (docs/contract.md §7: "concurrent writers — threads or
//! separate processes — lose no update") and killed mid-write.
//!
//! The child processes are this test binary itself, started again as a writer (see
//! `child/mod.rs`), one job each: no helper binary ships with the library. So the file has its
//! own `main` (`harness = false`) that either is a writer or runs the tests below.

// Test helpers too: a failed step should stop the test loudly, as an assertion does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod child;
mod common;

use std::future::Future;
use std::io::{BufRead, BufReader};
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::pin::Pin;
use std::process::{Child, Command, ExitCode, Stdio};

use pat_verdict::PatStore;
use pat_verdict::store::SaveOutcome;
use pat_verdict::testing::entry;
use pat_verdict_json_store::JsonStore;

use common::uids;

/// The exit code of a child whose `save_pinned` was refused by the pin.
const LOCKED: i32 = child::LOCKED as i32;

/// Starts a writer process (this binary, as `child`) on `job`.
fn spawn_child(job: &str, store: &Path, number: u32, stdout: Stdio) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .env(child::CHILD, "1")
        .arg(job)
        .arg(store)
        .arg(number.to_string())
        .stdout(stdout)
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

async fn sixty_four_processes_saving_lose_no_update() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data").join("miner_pats.json");
    let children: Vec<Child> = (0..64)
        .map(|uid| spawn_child("save", &path, uid, Stdio::null()))
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let stored = JsonStore::new(&path).all().await.unwrap();
    assert_eq!(uids(&stored), (0..64).collect::<Vec<_>>());
}

async fn racing_processes_for_one_hotkey_pin_exactly_one_account() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("miner_pats.json");
    let children: Vec<Child> = (100..112)
        .map(|account| spawn_child("save_pinned", &path, account, Stdio::null()))
        .collect();
    let mut saved = Vec::new();
    for (account, mut child) in (100..112).zip(children) {
        match child.wait().unwrap().code() {
            Some(0) => saved.push(account),
            Some(LOCKED) => {}
            other => panic!("child {account} ended with {other:?}"),
        }
    }
    assert_eq!(saved.len(), 1, "saved: {saved:?}");
    let stored = JsonStore::new(&path)
        .get(pat_verdict::Uid(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.github_id.as_str(), saved[0].to_string());
}

/// Lets a looping writer report `after` saves, then kills it with SIGKILL while it has its
/// next write's temp file open, and checks the store holds every save it reported. Returns
/// whether the kill left the temp file behind (it landed between creating the temp file and
/// the rename — the case that matters).
///
/// The kill is not timed: the writer is frozen (SIGSTOP) once a temp file shows, and killed
/// only if the temp file is still there while it is frozen — then it is certainly mid-write.
/// Otherwise (the rename came first) it is thawed and caught at a later write.
async fn kill_mid_write(path: &Path, after: usize) -> bool {
    let folder = path.parent().unwrap();
    let mut child = spawn_child("save_forever", path, 0, Stdio::piped());
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut saved = Vec::new();
    while saved.len() < after {
        let line = lines.next().expect("the writer stopped").unwrap();
        if let Some(uid) = line.strip_prefix("SAVED ") {
            saved.push(uid.parse::<u32>().unwrap());
        }
    }
    loop {
        while !has_temp_file(folder) {
            assert!(
                child.try_wait().unwrap().is_none(),
                "the writer ended on its own"
            );
            std::thread::yield_now();
        }
        signal(&child, "STOP");
        wait_until_stopped(&mut child);
        if has_temp_file(folder) {
            break;
        }
        signal(&child, "CONT");
    }
    child.kill().unwrap(); // SIGKILL, which a stopped process gets too
    child.wait().unwrap();
    let killed_mid_write = has_temp_file(folder);
    // Lines already in the pipe were printed after an Ok, before the kill: they count too.
    for line in lines {
        if let Some(uid) = line.unwrap().strip_prefix("SAVED ") {
            saved.push(uid.parse().unwrap());
        }
    }

    let after_the_kill = JsonStore::new(path).all().await;
    let stored = uids(&after_the_kill.expect("the store is whole after the kill"));
    for uid in &saved {
        assert!(stored.contains(uid), "uid {uid} was saved but is gone");
    }
    // Beyond the reported saves, at most the one in flight at the kill is there.
    assert!(stored.len() <= saved.len() + 1);
    killed_mid_write
}

/// Sends `name` (`STOP`, `CONT`) to `child` with kill(1): the crate forbids `unsafe`, so no
/// libc call.
fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success(), "kill -{name}");
}

/// Waits until the kernel reports `child` stopped: a signal is delivered asynchronously, so
/// the writer may run on a little after `kill -STOP` returns.
fn wait_until_stopped(child: &mut Child) {
    let pid = child.id().to_string();
    loop {
        assert!(child.try_wait().unwrap().is_none(), "the writer ended");
        let state = Command::new("ps")
            .args(["-o", "stat=", "-p", &pid])
            .output()
            .unwrap();
        if String::from_utf8_lossy(&state.stdout)
            .trim_start()
            .starts_with('T')
        {
            return;
        }
        std::thread::yield_now();
    }
}

fn has_temp_file(folder: &Path) -> bool {
    std::fs::read_dir(folder).unwrap().any(|item| {
        item.unwrap()
            .file_name()
            .to_string_lossy()
            .contains(".tmp.")
    })
}

async fn a_writer_killed_mid_write_leaves_a_whole_store() {
    let dir = tempfile::tempdir().unwrap();
    let mut kills_mid_write = 0;
    for after in [2, 10, 30] {
        let folder = dir.path().join(format!("after-{after}"));
        let path = folder.join("miner_pats.json");
        if kill_mid_write(&path, after).await {
            kills_mid_write += 1;
        }
        // Whatever the kill left behind, the next write removes.
        let saved = JsonStore::new(&path)
            .save_pinned(entry(999, "hk", "ghp_p", "1"))
            .await;
        assert_eq!(saved.unwrap(), SaveOutcome::Saved);
        assert!(!has_temp_file(&folder));
    }
    assert_eq!(
        kills_mid_write, 3,
        "every kill lands during a write, or the test proves less than it says"
    );
}

/// docs/contract.md §7: a lock held by another process is waited for only as long as the store may wait,
/// then every operation answers "unavailable" — never a hang. The holder is a second process
/// that says `locked` once it holds the lock and lets go when its stdin closes.
async fn a_lock_held_by_another_process_makes_the_store_unavailable_not_hung() {
    use std::io::Write as _;
    use std::time::Duration;

    use pat_verdict::StoreError;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("miner_pats.json");
    std::fs::write(
        &path,
        r#"[{"uid": 1, "hotkey": "hk1", "pat": "ghp_a", "github_id": "10"}]"#,
    )
    .unwrap();
    let mut holder = Command::new(std::env::current_exe().unwrap())
        .env(child::CHILD, "1")
        .arg("hold_lock")
        .arg(&path)
        .arg("0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(holder.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "locked");

    let store = JsonStore::new(&path).with_lock_wait(Duration::from_millis(200));
    // A generous safety net: before the fix, each of these waited for the holder forever.
    let answers = tokio::time::timeout(Duration::from_secs(120), async {
        [
            store.get(pat_verdict::Uid(1)).await.map(|_| ()),
            store.all().await.map(|_| ()),
            store
                .save_pinned(entry(3, "hk3", "ghp_c", "30"))
                .await
                .map(|_| ()),
        ]
    })
    .await
    .expect("the store hung on a held lock");
    for answer in answers {
        let error = answer.unwrap_err();
        assert!(
            matches!(error, StoreError::Read(_) | StoreError::Write(_)),
            "{error:?}"
        );
        let text = pat_verdict::error_chain(&error);
        assert!(
            text.contains("miner_pats.json.lock is held by another process"),
            "{text}"
        );
    }

    // Once the holder lets go, the store works again.
    let mut stdin = holder.stdin.take().unwrap();
    stdin.flush().unwrap();
    drop(stdin);
    assert!(holder.wait().unwrap().success());
    let saved = store.save_pinned(entry(2, "hk2", "ghp_b", "20")).await;
    assert_eq!(saved.unwrap(), SaveOutcome::Saved);
    assert_eq!(store.all().await.unwrap().len(), 2);
}

/// One test of this file: starts its future.
type Test = fn() -> Pin<Box<dyn Future<Output = ()>>>;

/// The tests of this file, by name.
const TESTS: [(&str, Test); 4] = [
    ("sixty_four_processes_saving_lose_no_update", || {
        Box::pin(sixty_four_processes_saving_lose_no_update())
    }),
    (
        "racing_processes_for_one_hotkey_pin_exactly_one_account",
        || Box::pin(racing_processes_for_one_hotkey_pin_exactly_one_account()),
    ),
    ("a_writer_killed_mid_write_leaves_a_whole_store", || {
        Box::pin(a_writer_killed_mid_write_leaves_a_whole_store())
    }),
    (
        "a_lock_held_by_another_process_makes_the_store_unavailable_not_hung",
        || Box::pin(a_lock_held_by_another_process_makes_the_store_unavailable_not_hung()),
    ),
];

/// A writer when started as one; otherwise runs the tests whose names contain the first
/// argument that is not a flag (as libtest filters), each on its own runtime.
fn main() -> ExitCode {
    if std::env::var_os(child::CHILD).is_some() {
        return child::main();
    }
    let filter = std::env::args().skip(1).find(|arg| !arg.starts_with('-'));
    let chosen: Vec<_> = TESTS
        .iter()
        .filter(|(name, _)| filter.as_deref().is_none_or(|f| name.contains(f)))
        .collect();
    println!("\nrunning {} tests", chosen.len());
    let mut failed = Vec::new();
    for (name, test) in chosen {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let passed =
            std::panic::catch_unwind(AssertUnwindSafe(|| runtime.block_on(test()))).is_ok();
        println!("test {name} ... {}", if passed { "ok" } else { "FAILED" });
        if !passed {
            failed.push(*name);
        }
    }
    if failed.is_empty() {
        println!("\ntest result: ok.");
        ExitCode::SUCCESS
    } else {
        println!("\ntest result: FAILED. {failed:?}");
        ExitCode::FAILURE
    }
}
