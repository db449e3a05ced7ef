//! Shared fixtures for the CLI's tests: a fake GitHub on loopback, a temporary folder with a
//! hotkey list and a store path, and a runner that checks, on every run, that the token never
//! reached stdout or stderr.

#![allow(dead_code, reason = "each test binary uses a different subset")]
#![allow(
    clippy::expect_used,
    reason = "fixtures outside #[test] functions: a failed setup should panic the test"
)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use pat_verdict::Endpoint;
use pat_verdict_cli_tests::Program;
use pat_verdict_fake_github::{FakeGithub, Reply};
use serde_json::{Value, json};
use tempfile::TempDir;

/// The token every test uses, distinctive enough that any leak is found by `contains`.
pub const SECRET: &str = "ghp_SECRETsecret123";

/// Fragments of [`SECRET`] that must not appear either (a leak split across log lines).
const SECRET_FRAGMENTS: &[&str] = &[SECRET, "SECRETsecret", "secret123"];

/// The registry every test uses: uid 0, 1, 2.
pub const HOTKEYS: [&str; 3] = ["5Alice", "5Bob", "5Carol"];

/// A fake GitHub and a scratch folder holding `hotkeys.json`.
pub struct Fixture {
    /// The fake GitHub, on 127.0.0.1.
    pub github: FakeGithub,
    /// Scratch folder; also the working directory of every run.
    pub dir: TempDir,
}

impl Fixture {
    pub fn new() -> Self {
        let github = FakeGithub::start().expect("fake GitHub starts");
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("hotkeys.json"), json!(HOTKEYS).to_string())
            .expect("write hotkeys");
        Self { github, dir }
    }

    /// A fixture whose store file holds `text` exactly (not entries as [`Fixture::write_store`]
    /// formats them): the tests of empty, corrupt and odd store files all start this way.
    pub fn with_store_text(text: &str) -> Self {
        let fixture = Self::new();
        std::fs::write(fixture.store(), text).expect("write store");
        fixture
    }

    /// A fixture whose store holds [`SECRET`] for Bob (uid 1), pinned to account 42: where
    /// the tests of a stored PAT start.
    pub fn with_bobs_secret_stored() -> Self {
        let fixture = Self::new();
        fixture.write_store(&[(1, SECRET, "42")]);
        fixture
    }

    pub fn store(&self) -> PathBuf {
        self.dir.path().join("miner_pats.json")
    }

    pub fn hotkeys(&self) -> PathBuf {
        self.dir.path().join("hotkeys.json")
    }

    /// Writes the store file with one entry per `(uid, pat, github_id)`.
    pub fn write_store(&self, entries: &[(u32, &str, &str)]) {
        let entries: Vec<Value> = entries
            .iter()
            .map(|&(uid, pat, github_id)| {
                json!({
                    "uid": uid,
                    "hotkey": HOTKEYS[uid as usize],
                    "pat": pat,
                    "github_id": github_id,
                    "stored_at": "2026-01-01T00:00:00Z",
                })
            })
            .collect();
        std::fs::write(self.store(), Value::Array(entries).to_string()).expect("write store");
    }

    /// Writes a store of `count` entries, uid `n` holding the token `{prefix}{n:04}` on
    /// hotkey `hk{n}`, each token's identity call answered by `reply(n)`: the audits of many
    /// PATs start this way.
    pub fn write_many(&self, count: u32, prefix: &str, reply: impl Fn(u32) -> Reply) {
        let entries: Vec<Value> = (0..count)
            .map(|uid| {
                let token = format!("{prefix}{uid:04}");
                self.github.script(&token, Endpoint::Identity, [reply(uid)]);
                json!({
                    "uid": uid,
                    "hotkey": format!("hk{uid}"),
                    "pat": token,
                    "github_id": uid.to_string(),
                    "stored_at": "2026-01-01T00:00:00Z",
                })
            })
            .collect();
        std::fs::write(self.store(), Value::Array(entries).to_string()).expect("write store");
    }

    /// A store of three on [`HOTKEYS`]: uid 0 valid (`ghp_aliceValid`, account 1), uid 1
    /// [`SECRET`] (unscripted: revoked), and uid 2 holding `third`, which the caller scripts
    /// (or leaves revoked).
    pub fn with_three_entries(third: &str) -> Self {
        let fixture = Self::new();
        fixture.write_store(&[
            (0, "ghp_aliceValid", "1"),
            (1, SECRET, "2"),
            (2, third, "3"),
        ]);
        fixture.github.valid("ghp_aliceValid", 1, "alice");
        fixture
    }

    /// `pat-verdict` pointed at the fake, with a clean environment: no token, no store
    /// variable, no logging, no colour, run inside the scratch folder.
    pub fn cmd(&self) -> Command {
        let mut cmd = bare();
        cmd.current_dir(self.dir.path())
            .args(["--api-url", &self.github.url()]);
        cmd
    }

    /// `pat-verdict <sub> --store F --hotkeys H --hotkey K`.
    pub fn handler(&self, sub: &str, hotkey: &str) -> Command {
        let mut cmd = self.cmd();
        cmd.arg(sub)
            .arg("--store")
            .arg(self.store())
            .arg("--hotkeys")
            .arg(self.hotkeys())
            .args(["--hotkey", hotkey]);
        cmd
    }

    /// Scripts [`SECRET`] on both endpoints: `/user` plays `identity` and `/graphql` plays
    /// `test_query` (an empty list leaves that endpoint at 401). Most runs against the fake
    /// start with this pair of scripts, so it is written once.
    pub fn script_secret(
        &self,
        identity: impl IntoIterator<Item = Reply>,
        test_query: impl IntoIterator<Item = Reply>,
    ) {
        self.github.script(SECRET, Endpoint::Identity, identity);
        self.github.script(SECRET, Endpoint::TestQuery, test_query);
    }

    /// Scripts [`SECRET`] as Alice (account 42) at `/user`, then `test_query` at `/graphql`:
    /// the tests of the test query's answers all get past the identity lookup this way.
    pub fn script_test_query_after_alice(&self, test_query: impl IntoIterator<Item = Reply>) {
        self.script_secret([Reply::user(42, "alice")], test_query);
    }

    /// `verify --json` with `$GITHUB_TOKEN` = `token` and these flags, run (the token is
    /// checked absent from both streams).
    pub fn verify_json(&self, token: &str, extra: &[&str]) -> Run {
        run(self
            .cmd()
            .arg("verify")
            .arg("--json")
            .args(extra)
            .env("GITHUB_TOKEN", token))
    }

    /// `<sub> --hotkey K` for people (no `--json`), with `$GITHUB_TOKEN` = [`SECRET`], run.
    pub fn run_for_people(&self, sub: &str, hotkey: &str) -> Run {
        run(self.handler(sub, hotkey).env("GITHUB_TOKEN", SECRET))
    }

    /// `check --hotkey K` for people (no `--json`, and no token: check reads none), run.
    pub fn check_for_people(&self, hotkey: &str) -> Run {
        run(&mut self.handler("check", hotkey))
    }

    /// `verify` with these flags and `stdin` as its input, no `$GITHUB_TOKEN`, run: the
    /// `--token-stdin` tests.
    pub fn verify_stdin(&self, extra: &[&str], stdin: impl Into<Vec<u8>>) -> Run {
        run(self.cmd().arg("verify").args(extra).write_stdin(stdin))
    }

    /// `check --json --hotkey K` with these flags, run.
    pub fn check_json(&self, hotkey: &str, extra: &[&str]) -> Run {
        run(self.handler("check", hotkey).arg("--json").args(extra))
    }

    /// `audit --json --store S`, run: every audit test reads a store this way.
    pub fn audit_json(&self, store: &Path) -> Run {
        run(self.cmd().args(["audit", "--json", "--store"]).arg(store))
    }

    /// Requests the fake received for `token` on every endpoint (the one call of
    /// `--one-call` included).
    pub fn requests_for(&self, token: &str) -> usize {
        Endpoint::ALL
            .iter()
            .map(|&endpoint| self.github.requests_for(token, endpoint))
            .sum()
    }

    /// Requests the fake received in all.
    pub fn all_requests(&self) -> usize {
        Endpoint::ALL
            .iter()
            .map(|&endpoint| self.github.requests(endpoint))
            .sum()
    }
}

/// The `pat-verdict` executable, built from the sources as they are now
/// ([`pat_verdict_cli_tests::path`] says why it is built, not looked for).
pub fn pat_verdict() -> &'static Path {
    program(Program::PatVerdict)
}

/// `program`'s executable; a test that cannot have it fails with the command that builds it.
fn program(program: Program) -> &'static Path {
    pat_verdict_cli_tests::path(program).unwrap_or_else(|error| panic!("{error}"))
}

/// `pat-verdict` with a clean environment and no `--api-url`.
pub fn bare() -> Command {
    clean(pat_verdict())
}

/// `pat-verdict-demo` with a clean environment.
pub fn demo() -> Command {
    clean(program(Program::Demo))
}

/// `executable` with a clean environment: no token, no store variable, no logging, no colour.
fn clean(executable: &Path) -> Command {
    let mut cmd = Command::new(executable);
    cmd.env_remove("GITHUB_TOKEN")
        .env_remove("GITTENSOR_MINER_PATS_FILE")
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(30));
    cmd
}

/// What a run produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The last line of stdout as JSON (docs/contract.md §8: the object is the last line).
    pub fn json(&self) -> Value {
        let line = self.stdout.lines().last().unwrap_or_default();
        serde_json::from_str(line)
            .unwrap_or_else(|error| panic!("last stdout line is not JSON ({error}): {self:?}"))
    }

    /// Asserts the exit status (the run in the message) and hands the run back, so that a run
    /// and the status docs/contract.md §8 gives it are one line: `let out = ….exiting(75);`.
    #[track_caller]
    pub fn exiting(self, code: i32) -> Self {
        assert_eq!(self.code, code, "{self:?}");
        self
    }

    /// Asserts the exit status (the run in the message), then [`Run::json`]: the first two
    /// steps of nearly every check of a run's answer.
    #[track_caller]
    pub fn json_exiting(&self, code: i32) -> Value {
        assert_eq!(self.code, code, "{self:?}");
        self.json()
    }

    /// Asserts stdout holds every one of `pieces` (the piece and the run in the message): the
    /// words for people that a test expects, one list instead of an assertion each.
    #[track_caller]
    pub fn assert_stdout_has(&self, pieces: &[&str]) -> &Self {
        self.assert_has("stdout", &self.stdout, pieces)
    }

    /// Asserts stderr holds every one of `pieces`, as [`Run::assert_stdout_has`] does stdout.
    #[track_caller]
    pub fn assert_stderr_has(&self, pieces: &[&str]) -> &Self {
        self.assert_has("stderr", &self.stderr, pieces)
    }

    /// The one loop of both: `stream` (named `name` in the message) holds every piece.
    #[track_caller]
    fn assert_has(&self, name: &str, stream: &str, pieces: &[&str]) -> &Self {
        for piece in pieces {
            assert!(stream.contains(piece), "{piece:?} not in {name}: {self:?}");
        }
        self
    }

    /// The JSON answer's `detail` (docs/contract.md §8, issue 16), `""` when there is none.
    pub fn detail(&self) -> String {
        self.json()["detail"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Asserts the JSON answer's `detail` (docs/contract.md §8, issue 16) says `words`.
    #[track_caller]
    pub fn assert_detail_contains(&self, words: &str) {
        assert!(
            self.json()["detail"]
                .as_str()
                .is_some_and(|detail| detail.contains(words)),
            "detail without {words:?}: {self:?}"
        );
    }

    /// Every stdout line as JSON.
    pub fn json_lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|line| serde_json::from_str(line).expect("a JSON line"))
            .collect()
    }
}

/// Runs `cmd` and asserts the token is in neither stream.
pub fn run(cmd: &mut Command) -> Run {
    let output = cmd.output().expect("pat-verdict runs");
    let run = Run {
        code: output.status.code().expect("exited, not killed"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert_secret_absent(&run);
    run
}

/// The token, or a piece of it, is in neither stream.
pub fn assert_secret_absent(run: &Run) {
    for fragment in SECRET_FRAGMENTS {
        assert!(
            !run.stdout.contains(fragment) && !run.stderr.contains(fragment),
            "the token leaked ({fragment}): {run:?}"
        );
    }
}

/// The object's keys, sorted.
pub fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

/// `expected`, sorted, as owned strings (to compare with [`keys`]).
pub fn sorted(expected: &[&str]) -> Vec<String> {
    let mut keys: Vec<String> = expected.iter().map(|&k| k.to_owned()).collect();
    keys.sort();
    keys
}

/// The store file's entries.
pub fn read_store(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("store file");
    serde_json::from_str(&text).expect("store JSON")
}
