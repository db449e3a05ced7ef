//! `audit`: re-validate every stored PAT with bounded concurrency, a progress bar on stderr
//! for people and a table sorted by uid; for machines, one JSON line per entry as it
//! finishes, then the summary.

use std::io::IsTerminal;
use std::num::NonZeroUsize;
use std::path::Path;
use std::pin::pin;

use futures::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pat_verdict::{AuditRow, AuditSummary, CauseKind, Hotkey, PatStore, audit_with, in_uid_order};

use crate::args::{AuditArgs, Common};
use crate::exit::{Exit, Failure};
use crate::output::{self, Cell, Delivery, Palette, Table, Tone, or_dash};
use crate::wiring;

use super::store_failure;

/// Runs `audit`.
///
/// # Errors
///
/// [`Failure::NoInput`] (exit 66) when the store file does not exist: a typo in `--store`
/// must not look like an audit that found nothing. [`Failure::Unavailable`] (exit 75) when
/// the store cannot be read: nothing was audited, and "try again later" is the truth — the
/// same answer `check` gives for a store outage. [`Failure::Usage`] for an unusable
/// `--api-url`. [`Failure::CantCreate`] (exit 73) when `--metrics-file` cannot be written,
/// after the rows or the table have been printed in full. An entry that cannot be used is
/// not a failure: it is a row of its own, inconclusive, saying why (docs/contract.md §7).
///
/// A reader that goes away (`audit --json | head -1`) stops the audit: no request is sent
/// after the write that found the pipe closed, the metrics file is left as it was, and the
/// exit status is [`Exit::ReaderGone`] (141, as a shell reports a program SIGPIPE ended).
pub async fn run(common: &Common, args: &AuditArgs, palette: Palette) -> Result<Exit, Failure> {
    let verifier = wiring::verifier(common)?;
    let store = wiring::store(&args.store, common.timeout);
    // A store file that does not exist is an answer of its own here (exit 66), decided by
    // the store as every read decides "missing"; every failure by its kind.
    let listing = match store.require_file() {
        Ok(()) => store.listing().await,
        Err(missing) => Err(missing),
    }
    .map_err(|error| store_failure::audit_failure(&error, store.path()))?;
    let bar = progress_bar(listing.entries.len());
    let audited = {
        let (verifier, api_url) = (&verifier, common.api_url.as_str());
        // Each row's hint is decided where its verdict's cause is at hand: a row keeps only
        // the cause's word.
        let stream = audit_with(
            listing,
            // clap's range (1–256) already refused 0.
            NonZeroUsize::new(usize::from(args.concurrency)).unwrap_or(NonZeroUsize::MIN),
            move |pat| async move {
                let report = verifier.verify(&pat).await;
                let hint = crate::hints::for_cause(report.cause(), api_url);
                (report, hint)
            },
        );
        collect(stream, common, &bar).await
    };
    // The stream, and with it every verification not yet finished, is gone: nothing more is
    // sent, whatever ended the loop.
    bar.finish_and_clear();
    let Audited::Complete {
        mut rows,
        mut summary,
        refused,
    } = audited?
    else {
        // A partial run's counters would read as a drop in verdicts on a dashboard: the
        // metrics file keeps the last complete audit (node_exporter's file mtime shows its age).
        tracing::info!("standard output closed: audit stopped, metrics file left as it was");
        return Ok(Exit::ReaderGone);
    };
    tracing::info!(
        valid = summary.valid,
        invalid = summary.invalid,
        inconclusive = summary.inconclusive,
        "audit finished"
    );
    summary.short_circuited = verifier
        .counters()
        .verdicts(pat_verdict::CauseKind::ShortCircuited);
    // Written before the summary is printed (a reader that stops at the summary finds the
    // file in place), but its failure is reported after it: an unwritable metrics file
    // costs neither the rows nor the table.
    let metrics = match &args.metrics_file {
        Some(path) => write_metrics(path, &verifier.metrics_text()),
        None => Ok(()),
    };
    let delivery = if common.json {
        deliver(&super::json_line(&summary)?)?
    } else {
        // Rows arrive in the order they finish; uid order makes runs comparable.
        in_uid_order(&mut rows);
        let store = store.path().display().to_string();
        deliver(&human(&rows, &summary, refused, &store, palette))?
    };
    metrics?;
    Ok(match delivery {
        Delivery::Written => Exit::Success,
        Delivery::ReaderGone => Exit::ReaderGone,
    })
}

/// How the loop over the rows ended.
enum Audited {
    /// Every entry was audited: the rows kept for people (none for `--json`, which printed
    /// each as it came) and the counts.
    Complete {
        rows: Vec<AuditRow>,
        summary: AuditSummary,
        /// Rows whose request GitHub refused (`request_refused`): a wrong `--api-url`, not
        /// GitHub being down.
        refused: usize,
    },
    /// `--json`'s reader went away: the loop stopped at the first row nobody would read.
    ReaderGone,
}

/// Takes the rows as they finish: machines get each the moment it is known (memory stays
/// flat however large the store), people get them kept for one table at the end. Returns at
/// the first row written into a closed pipe, so the stream is dropped unpolled and no
/// further verification starts.
///
/// # Errors
///
/// A write to stdout that failed for any reason but a closed pipe, or a row that cannot be
/// encoded.
async fn collect(
    stream: impl futures::Stream<Item = (AuditRow, Option<Option<String>>)>,
    common: &Common,
    bar: &ProgressBar,
) -> Result<Audited, Failure> {
    let mut stream = pin!(stream);
    let mut rows = Vec::new();
    let mut summary = AuditSummary::default();
    let mut refused = 0;
    while let Some((mut row, hint)) = stream.next().await {
        row.verdict.reason = row
            .verdict
            .reason
            .map(|reason| crate::hints::append(&reason, hint.flatten().as_deref()));
        refused += usize::from(row.verdict.cause == CauseKind::RequestRefused.into());
        tracing::debug!(
            uid = row.uid.map(|uid| uid.0),
            verdict = %row.verdict.verdict,
            requests = row.verdict.requests,
            "audited"
        );
        summary.add(&row);
        if !row.unusable {
            bar.inc(1);
        }
        if common.json {
            if deliver(&super::json_line(&row)?)? == Delivery::ReaderGone {
                return Ok(Audited::ReaderGone);
            }
        } else {
            rows.push(row);
        }
    }
    Ok(Audited::Complete {
        rows,
        summary,
        refused,
    })
}

/// [`output::deliver`], its failures as [`Failure`]s: an answer nobody received because
/// stdout broke (other than a closed pipe) must not look like success.
fn deliver(text: &str) -> Result<Delivery, Failure> {
    output::deliver(text)
        .map_err(|error| Failure::Unavailable(format!("cannot write to standard output: {error}")))
}

/// Writes `text` to `path` atomically: a temporary file beside it, flushed, made readable by
/// everyone (0644: it holds counts, no secret, and node_exporter's textfile collector runs
/// as its own user), then renamed over it, so the collector never reads half a file.
///
/// # Errors
///
/// [`Failure::CantCreate`] naming the path, what to fix and the OS error (the audit itself
/// ran and its output is printed regardless).
fn write_metrics(path: &Path, text: &str) -> Result<(), Failure> {
    use std::io::Write as _;
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let failed = |error: std::io::Error| Failure::CantCreate(metrics_failure(path, folder, &error));
    let mut file = tempfile::NamedTempFile::new_in(folder).map_err(failed)?;
    file.write_all(text.as_bytes()).map_err(failed)?;
    readable_by_all(file.as_file()).map_err(failed)?;
    file.as_file().sync_all().map_err(failed)?;
    file.persist(path).map_err(|error| failed(error.error))?;
    Ok(())
}

/// The metrics file's mode: read by node_exporter's user, written by ours only.
#[cfg(unix)]
fn readable_by_all(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    // fchmod, not the mode at creation: the umask (077 under many services) must not take
    // node_exporter's read access away again.
    file.set_permissions(std::fs::Permissions::from_mode(0o644))
}

/// Elsewhere files are readable by other users already, or modes do not apply.
#[cfg(not(unix))]
fn readable_by_all(_file: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}

/// Why the metrics file at `path` (in `folder`) could not be written, saying what to fix.
fn metrics_failure(path: &Path, folder: &Path, error: &std::io::Error) -> String {
    use std::io::ErrorKind;
    let file = output::safe(&path.display().to_string()).into_owned();
    let dir = output::safe(&folder.display().to_string()).into_owned();
    let fix = if !folder.exists() {
        format!(
            "the folder {dir} does not exist: create it (node_exporter's textfile folder) or point --metrics-file elsewhere"
        )
    } else if !folder.is_dir() {
        format!("{dir} is not a folder: point --metrics-file into a folder")
    } else if path.is_dir() {
        format!(
            "{file} is a folder: give --metrics-file a file name, such as {file}/pat_verdict.prom"
        )
    } else if error.kind() == ErrorKind::PermissionDenied {
        format!(
            "this user may not create files in {dir}: give it write access or point --metrics-file elsewhere"
        )
    } else {
        "fix the cause below; retrying as it is will likely fail again".to_owned()
    };
    format!("cannot write the metrics file {file}: {fix} ({error}); the audit itself ran")
}

/// A bar on stderr when it is a terminal; hidden otherwise, so logs and pipes stay clean.
fn progress_bar(len: usize) -> ProgressBar {
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(u64::try_from(len).unwrap_or(u64::MAX)), target);
    if let Ok(style) = ProgressStyle::with_template("auditing {bar:30} {pos}/{len} PATs  {elapsed}")
    {
        bar.set_style(style);
    }
    bar
}

/// The table and summary for people; `refused` rows are inconclusive because GitHub refused
/// the request (their cause), which waiting will not fix.
fn human(
    rows: &[AuditRow],
    summary: &AuditSummary,
    refused: usize,
    store: &str,
    palette: Palette,
) -> String {
    if rows.is_empty() {
        return format!(
            "{} holds no PATs: nothing to audit.\n",
            crate::output::safe(store)
        );
    }
    let mut table = Table::with_header(&[
        "uid",
        "hotkey",
        "github id",
        "verdict",
        "requests",
        "reason",
    ]);
    for row in rows {
        let kind = row.verdict.verdict;
        table.row(vec![
            Cell::plain(
                row.uid
                    .map_or_else(|| "?".to_owned(), |uid| uid.to_string()),
            ),
            Cell::plain(or_dash(row.hotkey.as_ref().map(Hotkey::as_str))),
            Cell::plain(or_dash(row.github_id.as_ref().map(|id| id.as_str()))),
            Cell::new(kind.as_str(), Tone::of_verdict(kind)),
            Cell::new(row.verdict.requests.to_string(), Tone::Dim),
            Cell::plain(or_dash(row.verdict.reason.as_deref())),
        ]);
    }
    let mut text = table.render(palette);
    text.push('\n');
    let mut counts = Table::new();
    counts.pair("valid", Cell::new(summary.valid.to_string(), Tone::Good));
    counts.pair("invalid", Cell::new(summary.invalid.to_string(), Tone::Bad));
    counts.pair(
        "inconclusive",
        Cell::new(summary.inconclusive.to_string(), Tone::Warn),
    );
    counts.pair("total", Cell::plain(summary.total.to_string()));
    text.push_str(&counts.render(palette));
    if summary.inconclusive > summary.unusable + refused {
        text.push_str(&palette.paint(
            "Inconclusive PATs were not judged (GitHub could not answer): audit again later \
             before telling anyone to rotate.\n",
            Tone::Warn,
        ));
    }
    if refused > 0 {
        text.push_str(&palette.paint(
            &format!(
                "{refused} PATs were not judged because GitHub refused the request, not the \
                 PAT (see their reason): check --api-url (and any proxy) before auditing again.\n"
            ),
            Tone::Warn,
        ));
    }
    if summary.unusable > 0 {
        text.push_str(&palette.paint(
            &format!(
                "{} store entries cannot be used (see their reason): fix them in {store}; \
                 every other miner is served.\n",
                summary.unusable
            ),
            Tone::Warn,
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use pat_verdict::{Cause, Endpoint, GithubId, Stage, Uid, Verdict, VerifyReport};
    use serde_json::{Value, json};

    use super::*;

    #[test]
    fn json_lines_are_a_row_then_the_summary() {
        let report = VerifyReport::Stopped {
            stage: Stage::Identity,
            verdict: Verdict::because(
                Cause::BadCredentials {
                    endpoint: Endpoint::Identity,
                },
                None,
            ),
            identity: None,
            requests: 1,
        };
        let row = AuditRow::verified(Uid(3), Hotkey::new("5F"), GithubId::new("42"), &report);
        let mut summary = AuditSummary::default();
        summary.add(&row);
        let text = super::super::json_line(&row).expect("encodes")
            + &super::super::json_line(&summary).expect("encodes");
        assert!(
            text.starts_with(r#"{"uid":3,"hotkey":"5F","verdict""#),
            "{text}"
        );
        let lines: Vec<Value> = text
            .lines()
            .map(|line| serde_json::from_str(line).expect("json"))
            .collect();
        assert_eq!(lines[0]["uid"], 3);
        assert_eq!(lines[0]["verdict"], "invalid");
        assert_eq!(
            lines[1],
            json!({"valid": 0, "invalid": 1, "inconclusive": 0, "total": 1, "requests": 1, "short_circuited": 0})
        );
    }
}
