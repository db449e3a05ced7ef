//! `fake-github`: the scripted GitHub as a standalone server, for trying `pat-verdict` by hand
//! (the README's samples), for benchmarks and for hosts whose CI is not written in Rust (a
//! Python validator's tests, `benches/compare/`). `fake-github --help` says how to use it.
//!
//! Scripting commands, for hosts' test suites (the Python package's pytest), each answered
//! with one line (`ok`, a number, or `error: …`) so the caller knows it took effect:
//!
//! ```text
//! script TOKEN user|graphql|one_call REPLIES # REPLIES: a JSON array of replies, played in order, the last repeating
//! valid TOKEN ID LOGIN              # a working PAT of account ID
//! latency MS                        # milliseconds before every answer from now on
//! count TOKEN user|graphql|one_call # requests received with TOKEN on that endpoint
//! ```
//!
//! A reply is a JSON object: `{"status": 503}`, `{"status": 200, "json": {…}}`,
//! `{"status": 200, "body": "raw text"}`, `{"user": [42, "octocat"]}`, `{"viewer": "octocat"}`,
//! `{"not_json": 502}`, `{"raw": "bytes as text"}`, `{"fault": "reset"}`, `{"fault": "stall"}`,
//! `{"fault": "truncated", "status": 200, "declared": 100, "sent": "{\"id\""}`,
//! `{"fault": "oversized", "status": 200, "bytes": 2000000, "chunked": false}`; any of them
//! may add `"headers": {"name": "value", …}` and `"after_ms": 300` (a delay before it).

use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::time::Duration;

use pat_verdict::Endpoint;
use pat_verdict_fake_github::{FakeGithub, Reply};
use serde_json::{Value, json};

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
line: `stats` prints {\"user\": n, \"graphql\": n, \"one_call\": n, \"connections\": n}, `reset` zeroes the counts.
Scripting commands, for test suites in other languages, each answered with one line (`ok`, a
number, or `error: ...`):
  script TOKEN user|graphql|one_call REPLIES  REPLIES: a JSON array of replies, played in order, the last
                                    repeating, e.g. [{\"status\": 503}, {\"user\": [42, \"octocat\"]}]
  valid TOKEN ID LOGIN              a working PAT of account ID
  latency MS                        milliseconds before every answer from now on
  count TOKEN user|graphql|one_call requests received with TOKEN on that endpoint

Reply types (one JSON object each):
  {\"status\": 503}                           that status, no body
  {\"status\": 200, \"json\": {...}}            that status and JSON body
  {\"status\": 200, \"body\": \"raw text\"}       that status and body, as it is
  {\"user\": [42, \"octocat\"]}                 GET /user's 200 for account 42, login octocat
  {\"viewer\": \"octocat\"}                     the test query's 200 for that login
  {\"not_json\": 502}                         that status with an HTML body (a proxy's page)
  {\"raw\": \"bytes as text\"}                  these bytes instead of an HTTP answer
  {\"fault\": \"reset\"}                        the connection reset, no answer
  {\"fault\": \"stall\"}                        no answer at all (past any deadline)
  {\"fault\": \"truncated\", \"status\": 200, \"declared\": 100, \"sent\": \"{\\\"id\\\"\"}
                                            a body shorter than its Content-Length
  {\"fault\": \"oversized\", \"status\": 200, \"bytes\": 2000000, \"chunked\": false}
                                            a body of that many bytes
Any reply may add \"headers\": {\"name\": \"value\", ...} (e.g. x-ratelimit-remaining,
retry-after) and \"after_ms\": 300 (a delay before it).

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
            "--valid" => options.valid = number(&flag, &value()?)?,
            "--invalid" => options.invalid = number(&flag, &value()?)?,
            "--latency-ms" => options.latency = Duration::from_millis(number(&flag, &value()?)?),
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

/// `text` as a whole number for `flag`, or a message saying what the flag expects (Rust's own
/// `invalid digit found in string` does not say which flag, nor what it wants).
fn number<N: std::str::FromStr>(flag: &str, text: &str) -> Result<N, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("{flag} expects a number (a whole number, 0 or more), not {text:?}"))
}

/// The PAT stored for `uid`: working for the first `valid` uids, revoked after.
fn pat_for(uid: u32, valid: u32) -> String {
    if uid < valid {
        format!("ghp_bench_{uid}")
    } else {
        format!("ghp_revoked_{}", uid - valid)
    }
}

/// The store as gittensor's `pat_storage.py` writes it (`json.dump(entries, f, indent=2)`):
/// its keys in its order, which `json!` would sort. Every value is plain ASCII.
fn store_text(valid: u32, invalid: u32) -> String {
    let entries: Vec<String> = (0..valid.saturating_add(invalid))
        .map(|uid| {
            format!(
                "  {{\n    \"uid\": {uid},\n    \"hotkey\": \"hotkey_{uid}\",\n    \"pat\": \"{}\",\n    \
                 \"github_id\": \"{}\",\n    \"stored_at\": \"2026-01-01T00:00:00Z\"\n  }}",
                pat_for(uid, valid),
                u64::from(uid) + 1
            )
        })
        .collect();
    if entries.is_empty() {
        "[]\n".to_owned()
    } else {
        format!("[\n{}\n]\n", entries.join(",\n"))
    }
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
        write_private(path, &store_text(options.valid, options.invalid))?;
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
                    "one_call": github.requests(Endpoint::OneCall),
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
        ("script", Some(token), Some(endpoint), Some(replies)) => endpoint_of(endpoint)
            .and_then(|endpoint| Ok((endpoint, replies_of(replies)?)))
            .map(|(endpoint, replies)| {
                github.script(token, endpoint, replies);
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
        "one_call" => Ok(Endpoint::OneCall),
        other => Err(format!(
            "unknown endpoint {other:?} (user, graphql or one_call)"
        )),
    }
}

fn replies_of(text: &str) -> Result<Vec<Reply>, String> {
    let replies: Vec<Value> = serde_json::from_str(text).map_err(|e| format!("replies: {e}"))?;
    replies.iter().map(reply_of).collect()
}

fn reply_of(spec: &Value) -> Result<Reply, String> {
    let field = |name: &str| spec.get(name);
    let number = |name: &str| field(name).and_then(Value::as_u64);
    let status = || -> Result<u16, String> {
        number("status")
            .and_then(|code| u16::try_from(code).ok())
            .ok_or_else(|| format!("a reply needs a \"status\" from 0 to 65535: {spec}"))
    };
    let text = |name: &str| field(name).and_then(Value::as_str).unwrap_or_default();
    let mut reply = if let Some(user) = field("user") {
        let pair = user.as_array().filter(|pair| pair.len() == 2);
        let id = pair.and_then(|pair| pair[0].as_u64());
        let login = pair.and_then(|pair| pair[1].as_str());
        match (id, login) {
            (Some(id), Some(login)) => Reply::user(id, login),
            _ => return Err(format!("\"user\" wants [id, login]: {spec}")),
        }
    } else if let Some(login) = field("viewer") {
        Reply::viewer(login.as_str().ok_or("\"viewer\" wants a login")?)
    } else if let Some(code) = number("not_json") {
        Reply::not_json(u16::try_from(code).map_err(|e| e.to_string())?)
    } else if field("raw").is_some() {
        Reply::raw(text("raw"))
    } else if let Some(fault) = field("fault") {
        match fault.as_str() {
            Some("reset") => Reply::reset(),
            Some("stall") => Reply::stall(),
            Some("truncated") => Reply::truncated(
                status()?,
                usize::try_from(number("declared").unwrap_or(0)).map_err(|e| e.to_string())?,
                text("sent"),
            ),
            Some("oversized") => {
                let bytes = number("bytes").unwrap_or(2 << 20);
                if field("chunked").and_then(Value::as_bool).unwrap_or(false) {
                    Reply::oversized_chunked(status()?, bytes)
                } else {
                    Reply::oversized(status()?, bytes)
                }
            }
            _ => return Err(format!("unknown fault: {spec}")),
        }
    } else if let Some(body) = field("json") {
        Reply::json(status()?, body.clone())
    } else if field("body").is_some() {
        Reply::body(status()?, text("body"))
    } else {
        Reply::status(status()?)
    };
    if let Some(headers) = field("headers") {
        let headers = headers.as_object().ok_or("\"headers\" wants an object")?;
        for (name, value) in headers {
            reply = reply.header(name, value.as_str().ok_or("header values are strings")?);
        }
    }
    if let Some(ms) = number("after_ms") {
        reply = reply.after(Duration::from_millis(ms));
    }
    Ok(reply)
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
