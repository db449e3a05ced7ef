//! `fake-github`: the scripted GitHub as a standalone server, for trying `pat-verdict` by hand
//! (the README's samples), for benchmarks and for hosts whose CI is not written in Rust (a
//! Python validator's tests, `benches/compare/`). `fake-github --help` says how to use it.

use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::time::Duration;

use pat_verdict::Endpoint;
use pat_verdict_fake_github::FakeGithub;
use serde_json::json;

/// The text of `--help`.
const HELP: &str = "\
fake-github: a scripted GitHub (GET /user, POST /graphql) on 127.0.0.1, for trying pat-verdict
without a network or a real token.

Usage: fake-github [--valid N] [--invalid M] [--latency-ms MS]
                   [--write-store PATH] [--write-hotkeys PATH]

Options:
  --valid N             N working PATs: ghp_bench_0 ... ghp_bench_{N-1}, GitHub account ids
                        1 ... N, logins miner0 ... [default: 0]
  --invalid M           M revoked PATs ghp_revoked_0 ... ghp_revoked_{M-1} in the store written
                        by --write-store (uids N ... N+M-1); GitHub answers 401 Bad credentials
                        for them, as for every token it was not told about [default: 0]
  --latency-ms MS       wait MS milliseconds before every answer [default: 0]
  --write-store PATH    write a miner_pats.json holding those PATs (uid i, hotkey hotkey_i,
                        github_id i+1), mode 0600
  --write-hotkeys PATH  write a hotkeys.json for --hotkeys: the JSON array
                        [\"hotkey_0\", ..., \"hotkey_{N+M}\"] (index = uid); the last hotkey has
                        no stored PAT, a miner that has not broadcast yet
  -h, --help            print this help

It prints `url http://127.0.0.1:PORT` on stdout (pass it to pat-verdict --api-url), then serves
until its standard input closes (Ctrl-D in a terminal). Commands on standard input, one per
line: `stats` prints {\"user\": n, \"graphql\": n, \"connections\": n}, `reset` zeroes the counts.

Example (two terminals):
  $ fake-github --valid 2 --invalid 1 --write-store miner_pats.json --write-hotkeys hotkeys.json
  url http://127.0.0.1:40761
  $ GITHUB_TOKEN=ghp_bench_1 pat-verdict verify --api-url http://127.0.0.1:40761
";

struct Options {
    valid: u32,
    invalid: u32,
    latency: Duration,
    store: Option<String>,
    hotkeys: Option<String>,
}

/// What the command line asks for: to serve, or to print the help.
enum Parsed {
    Serve(Options),
    Help,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Parsed, String> {
    let mut options = Options {
        valid: 0,
        invalid: 0,
        latency: Duration::ZERO,
        store: None,
        hotkeys: None,
    };
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "-h" | "--help" => return Ok(Parsed::Help),
            "--valid" => options.valid = value()?.parse().map_err(|e| format!("--valid: {e}"))?,
            "--invalid" => {
                options.invalid = value()?.parse().map_err(|e| format!("--invalid: {e}"))?;
            }
            "--latency-ms" => {
                let ms: u64 = value()?.parse().map_err(|e| format!("--latency-ms: {e}"))?;
                options.latency = Duration::from_millis(ms);
            }
            "--write-store" => options.store = Some(value()?),
            "--write-hotkeys" => options.hotkeys = Some(value()?),
            other => return Err(format!("unknown argument {other:?} (see --help)")),
        }
    }
    if options.valid.checked_add(options.invalid).is_none() {
        return Err("--valid plus --invalid is too large".to_owned());
    }
    Ok(Parsed::Serve(options))
}

/// The PAT stored for `uid`: working for the first `valid` uids, revoked after.
fn pat_for(uid: u32, valid: u32) -> String {
    if uid < valid {
        format!("ghp_bench_{uid}")
    } else {
        format!("ghp_revoked_{}", uid - valid)
    }
}

fn store_json(valid: u32, invalid: u32) -> serde_json::Value {
    (0..valid.saturating_add(invalid))
        .map(|uid| {
            json!({
                "uid": uid,
                "hotkey": format!("hotkey_{uid}"),
                "pat": pat_for(uid, valid),
                "github_id": (u64::from(uid) + 1).to_string(),
                "stored_at": "2026-01-01T00:00:00Z",
            })
        })
        .collect()
}

fn hotkeys_json(count: u32) -> serde_json::Value {
    (0..=count).map(|uid| format!("hotkey_{uid}")).collect()
}

/// Writes `text` to `path`, owner-only (a store holds PATs).
fn write_private(path: &str, text: &str) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .map_err(|e| format!("cannot write {path}: {e}"))
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
        let store = store_json(options.valid, options.invalid);
        let text = serde_json::to_string_pretty(&store).map_err(|e| e.to_string())?;
        write_private(path, &(text + "\n"))?;
    }
    if let Some(path) = &options.hotkeys {
        let hotkeys = hotkeys_json(options.valid.saturating_add(options.invalid));
        std::fs::write(path, format!("{hotkeys}\n"))
            .map_err(|e| format!("cannot write {path}: {e}"))?;
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
    let served = parse(std::env::args().skip(1)).and_then(|parsed| match parsed {
        Parsed::Help => {
            print!("{HELP}");
            Ok(())
        }
        Parsed::Serve(options) => run(&options),
    });
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("fake-github: {error}");
            ExitCode::from(2)
        }
    }
}
