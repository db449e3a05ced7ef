//! `fake-github`: the scripted GitHub as a standalone server, for benchmarks and for hosts
//! whose CI is not written in Rust (a Python validator's tests, `benches/compare/`).
//!
//! ```text
//! fake-github [--valid N] [--latency-ms MS] [--write-store PATH]
//! ```
//!
//! Scripts `N` working PATs `ghp_bench_0 … ghp_bench_{N-1}` (account ids 1 … N), adds `MS`
//! milliseconds before every answer, optionally writes a `miner_pats.json` holding those PATs
//! (uid i, hotkey `hotkey_i`), prints `url http://127.0.0.1:PORT` on stdout, then serves until
//! standard input closes. Commands on standard input, one per line: `stats` prints
//! `{"user": n, "graphql": n, "connections": n}`, `reset` zeroes the counts.

use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::time::Duration;

use pat_verdict::Endpoint;
use pat_verdict_fake_github::FakeGithub;
use serde_json::json;

struct Options {
    valid: u32,
    latency: Duration,
    store: Option<String>,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        valid: 0,
        latency: Duration::ZERO,
        store: None,
    };
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--valid" => options.valid = value()?.parse().map_err(|e| format!("--valid: {e}"))?,
            "--latency-ms" => {
                let ms: u64 = value()?.parse().map_err(|e| format!("--latency-ms: {e}"))?;
                options.latency = Duration::from_millis(ms);
            }
            "--write-store" => options.store = Some(value()?),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(options)
}

fn store_json(count: u32) -> serde_json::Value {
    (0..count)
        .map(|uid| {
            json!({
                "uid": uid,
                "hotkey": format!("hotkey_{uid}"),
                "pat": format!("ghp_bench_{uid}"),
                "github_id": (uid + 1).to_string(),
                "stored_at": "2026-01-01T00:00:00Z",
            })
        })
        .collect()
}

fn run(options: &Options) -> Result<(), String> {
    let github = FakeGithub::start().map_err(|e| format!("cannot start: {e}"))?;
    for uid in 0..options.valid {
        github.valid(
            &format!("ghp_bench_{uid}"),
            u64::from(uid) + 1,
            &format!("miner{uid}"),
        );
    }
    github.set_latency(options.latency);
    if let Some(path) = &options.store {
        let text = serde_json::to_string(&store_json(options.valid)).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("cannot write {path}: {e}"))?;
    }
    let mut stdout = std::io::stdout();
    writeln!(stdout, "url {}", github.url()).map_err(|e| e.to_string())?;
    stdout.flush().map_err(|e| e.to_string())?;
    for line in std::io::stdin().lock().lines() {
        match line.map_err(|e| e.to_string())?.trim() {
            "stats" => {
                let stats = json!({
                    "user": github.requests(Endpoint::Identity),
                    "graphql": github.requests(Endpoint::TestQuery),
                    "connections": github.connections(),
                });
                writeln!(stdout, "{stats}").map_err(|e| e.to_string())?;
                stdout.flush().map_err(|e| e.to_string())?;
            }
            "reset" => github.reset_counts(),
            "" => {}
            other => eprintln!("fake-github: unknown command {other:?}"),
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    match parse(std::env::args().skip(1)).and_then(|options| run(&options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("fake-github: {error}");
            ExitCode::from(2)
        }
    }
}
