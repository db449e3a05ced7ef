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
//!
//! Scripting commands, for hosts' test suites (the Python package's pytest), each answered
//! with one line (`ok`, a number, or `error: …`) so the caller knows it took effect:
//!
//! ```text
//! script TOKEN user|graphql STEPS   # STEPS: a JSON array of steps, played in order, the last repeating
//! valid TOKEN ID LOGIN              # a working PAT of account ID
//! latency MS                        # milliseconds before every answer from now on
//! count TOKEN user|graphql          # requests received with TOKEN on that endpoint
//! ```
//!
//! A step is a JSON object: `{"status": 503}`, `{"status": 200, "json": {…}}`,
//! `{"status": 200, "body": "raw text"}`, `{"user": [42, "octocat"]}`, `{"viewer": "octocat"}`,
//! `{"not_json": 502}`, `{"raw": "bytes as text"}`, `{"fault": "reset"}`, `{"fault": "stall"}`,
//! `{"fault": "truncated", "status": 200, "declared": 100, "sent": "{\"id\""}`,
//! `{"fault": "oversized", "status": 200, "bytes": 2000000, "chunked": false}`; any of them
//! may add `"headers": {"name": "value", …}` and `"after_ms": 300` (a delay before it).

use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::time::Duration;

use pat_verdict::Endpoint;
use pat_verdict_fake_github::{FakeGithub, Step};
use serde_json::{Value, json};

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
            other => match scripting(&github, other) {
                Some(answer) => {
                    writeln!(stdout, "{answer}").map_err(|e| e.to_string())?;
                    stdout.flush().map_err(|e| e.to_string())?;
                }
                None => eprintln!("fake-github: unknown command {other:?}"),
            },
        }
    }
    Ok(())
}

/// A scripting command's answer line, or `None` when `line` is no such command.
fn scripting(github: &FakeGithub, line: &str) -> Option<String> {
    let mut words = line.splitn(4, ' ');
    let answer = match (words.next()?, words.next(), words.next(), words.next()) {
        ("script", Some(token), Some(endpoint), Some(steps)) => endpoint_of(endpoint)
            .and_then(|endpoint| Ok((endpoint, steps_of(steps)?)))
            .map(|(endpoint, steps)| {
                github.script(token, endpoint, steps);
                "ok".to_owned()
            }),
        ("valid", Some(token), Some(id), Some(login)) => {
            id.parse::<u64>().map_err(|e| format!("id: {e}")).map(|id| {
                github.valid(token, id, login);
                "ok".to_owned()
            })
        }
        ("latency", Some(ms), None, None) => ms
            .parse::<u64>()
            .map_err(|e| format!("latency: {e}"))
            .map(|ms| {
                github.set_latency(Duration::from_millis(ms));
                "ok".to_owned()
            }),
        ("count", Some(token), Some(endpoint), None) => {
            endpoint_of(endpoint).map(|endpoint| github.requests_for(token, endpoint).to_string())
        }
        ("script" | "valid" | "latency" | "count", ..) => Err("wrong number of arguments".into()),
        _ => return None,
    };
    Some(answer.unwrap_or_else(|error| format!("error: {error}")))
}

fn endpoint_of(name: &str) -> Result<Endpoint, String> {
    match name {
        "user" => Ok(Endpoint::Identity),
        "graphql" => Ok(Endpoint::TestQuery),
        other => Err(format!("unknown endpoint {other:?} (user or graphql)")),
    }
}

fn steps_of(text: &str) -> Result<Vec<Step>, String> {
    let steps: Vec<Value> = serde_json::from_str(text).map_err(|e| format!("steps: {e}"))?;
    steps.iter().map(step_of).collect()
}

fn step_of(spec: &Value) -> Result<Step, String> {
    let field = |name: &str| spec.get(name);
    let number = |name: &str| field(name).and_then(Value::as_u64);
    let status = || -> Result<u16, String> {
        number("status")
            .and_then(|code| u16::try_from(code).ok())
            .ok_or_else(|| format!("a step needs a \"status\" from 0 to 65535: {spec}"))
    };
    let text = |name: &str| field(name).and_then(Value::as_str).unwrap_or_default();
    let mut step = if let Some(user) = field("user") {
        let pair = user.as_array().filter(|pair| pair.len() == 2);
        let id = pair.and_then(|pair| pair[0].as_u64());
        let login = pair.and_then(|pair| pair[1].as_str());
        match (id, login) {
            (Some(id), Some(login)) => Step::user(id, login),
            _ => return Err(format!("\"user\" wants [id, login]: {spec}")),
        }
    } else if let Some(login) = field("viewer") {
        Step::viewer(login.as_str().ok_or("\"viewer\" wants a login")?)
    } else if let Some(code) = number("not_json") {
        Step::not_json(u16::try_from(code).map_err(|e| e.to_string())?)
    } else if field("raw").is_some() {
        Step::raw(text("raw"))
    } else if let Some(fault) = field("fault") {
        match fault.as_str() {
            Some("reset") => Step::reset(),
            Some("stall") => Step::stall(),
            Some("truncated") => Step::truncated(
                status()?,
                usize::try_from(number("declared").unwrap_or(0)).map_err(|e| e.to_string())?,
                text("sent"),
            ),
            Some("oversized") => {
                let bytes = number("bytes").unwrap_or(2 << 20);
                if field("chunked").and_then(Value::as_bool).unwrap_or(false) {
                    Step::oversized_chunked(status()?, bytes)
                } else {
                    Step::oversized(status()?, bytes)
                }
            }
            _ => return Err(format!("unknown fault: {spec}")),
        }
    } else if let Some(body) = field("json") {
        Step::json(status()?, body.clone())
    } else if field("body").is_some() {
        Step::body(status()?, text("body"))
    } else {
        Step::status(status()?)
    };
    if let Some(headers) = field("headers") {
        let headers = headers.as_object().ok_or("\"headers\" wants an object")?;
        for (name, value) in headers {
            step = step.header(name, value.as_str().ok_or("header values are strings")?);
        }
    }
    if let Some(ms) = number("after_ms") {
        step = step.after(Duration::from_millis(ms));
    }
    Ok(step)
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
