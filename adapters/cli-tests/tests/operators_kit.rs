//! The operators' kit (docs/contract.md §8 and §10, issue 29): the metrics file node_exporter
//! can read (0644, whatever the umask), a metrics file that cannot be written costs neither
//! the rows nor a "try again later" exit, and an audit whose reader goes away stops sending.

#![allow(
    clippy::expect_used,
    reason = "fixtures outside #[test] functions: a failed setup should panic the test"
)]

mod common;

use std::io::{BufRead as _, BufReader};
use std::os::unix::fs::PermissionsExt as _;
use std::process::{Command as StdCommand, Stdio};
use std::time::Duration;

use assert_cmd::Command;
use common::{Fixture, SECRET, assert_secret_absent, run};
use pat_verdict::Endpoint;
use pat_verdict_fake_github::Reply;
use serde_json::{Value, json};

/// A store of three: uid 0 valid, uid 1 revoked (the shared secret), uid 2 revoked too.
fn three_entries() -> Fixture {
    Fixture::with_three_entries("ghp_carolRevoked")
}

/// `audit --json --metrics-file M --store S` against the fake.
fn audit_with_metrics(fixture: &Fixture, metrics: &std::path::Path, json: bool) -> Command {
    let mut cmd = fixture.cmd();
    cmd.arg("audit");
    if json {
        cmd.arg("--json");
    }
    cmd.arg("--metrics-file")
        .arg(metrics)
        .arg("--store")
        .arg(fixture.store());
    cmd
}

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn the_metrics_file_is_readable_by_node_exporter_whatever_the_umask() {
    let fixture = three_entries();
    let folder = fixture.dir.path().join("textfile_collector");
    std::fs::create_dir(&folder).expect("mkdir");
    let metrics = folder.join("pat_verdict.prom");
    // What an earlier version left: private, and stale.
    std::fs::write(&metrics, "stale\n").expect("write");
    std::fs::set_permissions(&metrics, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    // A service's umask of 077 must not take node_exporter's read access away.
    let mut shell = Command::new("sh");
    shell
        .current_dir(fixture.dir.path())
        .env_remove("GITHUB_TOKEN")
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .args(["-c", "umask 077 && exec \"$0\" \"$@\""])
        .arg(common::pat_verdict())
        .args(["--api-url", &fixture.github.url(), "audit", "--json"])
        .arg("--metrics-file")
        .arg(&metrics)
        .arg("--store")
        .arg(fixture.store())
        .timeout(Duration::from_secs(30));
    let out = run(&mut shell).exiting(0);
    assert_eq!(out.json_lines().len(), 4, "{out:?}");
    assert_eq!(mode(&metrics), 0o644);
    let text = std::fs::read_to_string(&metrics).expect("the metrics file");
    assert!(!text.contains("stale"), "{text}");
    assert!(
        text.contains("pat_verdict_verdicts_total{verdict=\"valid\",cause=\"ok\"} 1\n"),
        "{text}"
    );
    assert!(!text.contains(SECRET));
    // Atomic: the temporary file was renamed, none is left beside it.
    let names: Vec<String> = std::fs::read_dir(&folder)
        .expect("list")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(names, ["pat_verdict.prom"]);
}

#[test]
fn a_missing_metrics_folder_costs_no_row_and_is_not_try_again_later() {
    let fixture = three_entries();
    let folder = fixture.dir.path().join("textfile_collector");
    let metrics = folder.join("pat_verdict.prom");
    let out = run(&mut audit_with_metrics(&fixture, &metrics, true)).exiting(73);
    let lines = out.json_lines();
    assert_eq!(lines.len(), 4, "every row, then the summary: {out:?}");
    assert_eq!(
        lines[3],
        json!({"valid": 1, "invalid": 2, "inconclusive": 0, "total": 3, "requests": 4, "short_circuited": 0})
    );
    out.assert_stderr_has(&[
        &format!("the folder {} does not exist: create it", folder.display()),
        "the audit itself ran",
    ]);
    assert!(
        !folder.exists(),
        "nothing creates the folder behind the operator's back"
    );
}

#[test]
fn a_missing_metrics_folder_still_prints_the_whole_table_for_people() {
    let fixture = three_entries();
    let folder = fixture.dir.path().join("nope");
    let out = run(&mut audit_with_metrics(
        &fixture,
        &folder.join("pat_verdict.prom"),
        false,
    ))
    .exiting(73);
    out.assert_stdout_has(&["5Alice", "5Bob", "5Carol", "valid", "total"]);
    out.assert_stderr_has(&[&format!("the folder {} does not exist", folder.display())]);
}

#[test]
fn a_metrics_path_that_is_a_folder_says_to_name_a_file() {
    let fixture = three_entries();
    let folder = fixture.dir.path().join("textfile_collector");
    std::fs::create_dir(&folder).expect("mkdir");
    let out = run(&mut audit_with_metrics(&fixture, &folder, true)).exiting(73);
    assert_eq!(out.json_lines().len(), 4, "{out:?}");
    out.assert_stderr_has(&[&format!(
        "{} is a folder: give --metrics-file a file name",
        folder.display()
    )]);
}

/// PATs in the reader-gone store.
const MANY: u32 = 200;

/// Waits for `child` to end (a hang guard, not a measurement: generous), killing it if it
/// does not.
fn wait_for_exit(child: &mut std::process::Child) -> std::process::ExitStatus {
    // 3,000 looks 20 ms apart: about a minute.
    for _ in 0..3_000 {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    panic!("the audit did not end after its reader went away");
}

#[test]
fn an_audit_whose_reader_goes_away_stops_sending_requests() {
    let fixture = Fixture::new();
    // uid 0 is answered at once (GitHub's 401); every other PAT's answer waits behind a gate
    // the test opens only once the reader is gone, so the audit cannot have written more
    // than the first row into the pipe before it closed: the bound below is exact, not a race.
    fixture.write_many(MANY, "ghp_gone_", |uid| {
        let reply = Reply::bad_credentials();
        if uid == 0 {
            reply
        } else {
            reply.held("reader")
        }
    });
    let metrics = fixture.dir.path().join("pat_verdict.prom");
    std::fs::write(&metrics, "# the last complete audit\n").expect("write");
    let concurrency = 1;
    let mut child = StdCommand::new(common::pat_verdict())
        .current_dir(fixture.dir.path())
        .env_remove("GITHUB_TOKEN")
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .args(["--api-url", &fixture.github.url(), "audit", "--json"])
        .args(["--concurrency", &concurrency.to_string()])
        .arg("--metrics-file")
        .arg(&metrics)
        .arg("--store")
        .arg(fixture.store())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pat-verdict starts");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    reader.read_line(&mut first).expect("the first row");
    let row: Value = serde_json::from_str(&first).expect("a JSON row");
    assert_eq!(row["uid"], 0, "{first}");
    // The second PAT's request is in and held: the audit is waiting on it.
    assert!(
        fixture
            .github
            .wait_for_requests(Endpoint::Identity, 2, Duration::from_secs(30)),
        "the second request never came"
    );
    // `| head -1`: the reader has its line and leaves.
    drop(reader);
    fixture.github.open_gate("reader");
    let status = wait_for_exit(&mut child);
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
        .expect("stderr");
    assert_eq!(status.code(), Some(141), "stderr: {stderr}");
    assert_eq!(stderr, "", "a reader leaving is not worth a word");
    // One row was read; the second was written into the closed pipe. Nothing after it.
    let rows_written = 1;
    let sent = fixture.all_requests();
    assert!(
        sent <= concurrency + rows_written + 1,
        "{sent} requests for {MANY} PATs after the reader left"
    );
    assert_eq!(
        std::fs::read_to_string(&metrics).expect("metrics"),
        "# the last complete audit\n",
        "a cut-short audit leaves the last complete metrics in place"
    );
    let run = common::Run {
        code: 141,
        stdout: first,
        stderr,
    };
    assert_secret_absent(&run);
}
