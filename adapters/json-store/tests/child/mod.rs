//! The writer process of the JSON store's cross-process tests (`tests/processes.rs`): writers
//! in separate processes lose no update, and a writer killed mid-write leaves a whole store.
//!
//! It is the test binary itself, started again with [`CHILD`] set in its environment (so no
//! helper binary is installed with the library). It does one job on the store named on its
//! command line:
//!
//! - `save PATH UID` — one save (a broadcast's, through the pin) for `UID`, its own hotkey;
//!   a failure when the pin refused it;
//! - `save_pinned PATH ACCOUNT` — a broadcast's save for uid 1 / `hk1` as GitHub account
//!   `ACCOUNT`; exit code 3 when the pin refused it;
//! - `save_forever PATH` — saves uid 0, 1, 2, … printing `SAVED n` after each one returned
//!   `Saved`, until killed;
//! - `hold_lock PATH` — takes the exclusive lock on `PATH.lock`, prints `locked`, and holds it
//!   until its stdin closes (a held lock must not hang the store).
//!
//! Writers wait up to a minute for the lock: sixty-four of them queue on one file.

use std::io::{Read, Write};
use std::process::ExitCode;
use std::time::Duration;

use pat_verdict::PatStore;
use pat_verdict::store::{SaveOutcome, StoredPat};
use pat_verdict::testing::entry;
use pat_verdict_json_store::JsonStore;
use serde_json::value::RawValue;

/// The environment variable that makes the test binary a writer process.
pub const CHILD: &str = "PAT_VERDICT_JSON_STORE_CHILD";

/// The exit code of a `save_pinned` refused by the identity pin.
pub const LOCKED: u8 = 3;

async fn run(job: &str, store: &JsonStore, number: u32) -> Result<ExitCode, String> {
    let failed = |error: pat_verdict::StoreError| pat_verdict::error_chain(&error);
    // A save of a uid nobody else writes: the pin must allow it.
    let save = |entry: StoredPat| async move {
        let uid = entry.uid;
        match store.save_pinned(entry).await.map_err(failed)? {
            SaveOutcome::Saved => Ok(()),
            SaveOutcome::IdentityLocked => Err(format!("the pin refused uid {uid}")),
        }
    };
    match job {
        "save" => save(entry(number, &format!("hk{number}"), "ghp_p", "1")).await?,
        "save_pinned" => {
            let pat = format!("ghp_{number}");
            let saved = store
                .save_pinned(entry(1, "hk1", &pat, &number.to_string()))
                .await
                .map_err(failed)?;
            if saved == SaveOutcome::IdentityLocked {
                return Ok(ExitCode::from(LOCKED));
            }
        }
        "save_forever" => {
            // Large entries, so that a write takes long enough to be caught in the middle.
            let padding = RawValue::from_string(format!("\"{}\"", "x".repeat(8 * 1024)))
                .map_err(|error| error.to_string())?;
            for uid in 0.. {
                let mut next = entry(uid, &format!("hk{uid}"), "ghp_p", "1");
                next.extra.insert("padding", padding.clone());
                save(next).await?;
                // Printed only once the save returned `Saved`.
                println!("SAVED {uid}");
            }
        }
        "hold_lock" => {
            let mut lock = store.path().as_os_str().to_owned();
            lock.push(".lock");
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&lock)
                .map_err(|error| error.to_string())?;
            fs4::FileExt::lock(&file).map_err(|error| error.to_string())?;
            let mut stdout = std::io::stdout();
            writeln!(stdout, "locked")
                .and_then(|()| stdout.flush())
                .map_err(|error| error.to_string())?;
            // Held until the parent closes our stdin (or dies).
            let _ = std::io::stdin().read_to_end(&mut Vec::new());
            drop(file);
        }
        other => return Err(format!("unknown job {other:?}")),
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs the job named by the command line (`JOB PATH [NUMBER]`) and says how it ended.
pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(job), Some(path)) = (args.first(), args.get(1)) else {
        eprintln!("usage: {CHILD}=1 processes JOB PATH [NUMBER]");
        return ExitCode::from(2);
    };
    let number = match args.get(2).map(|n| n.parse::<u32>()) {
        None => 0,
        Some(Ok(number)) => number,
        Some(Err(error)) => {
            eprintln!("bad number: {error}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("no runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let store = JsonStore::new(path).with_lock_wait(Duration::from_secs(60));
    match runtime.block_on(run(job, &store, number)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
