//! `audit`: re-validate every stored PAT with bounded concurrency, a progress bar on stderr
//! for people and a table sorted by uid; for machines, one JSON line per entry as it
//! finishes, then the summary.

use std::io::IsTerminal;
use std::pin::pin;

use futures::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pat_verdict::{
    AuditRow, AuditSummary, Hotkey, PatStore, StoreError, audit, error_chain, in_uid_order,
};
use pat_verdict_json_store::ENV_VAR;

use crate::args::{AuditArgs, Common};
use crate::exit::{Exit, Failure};
use crate::output::{Cell, Palette, Table, Tone, or_dash};
use crate::wiring;

/// Runs `audit`.
///
/// # Errors
///
/// [`Failure::NoInput`] (exit 66) when the store file does not exist: a typo in `--store`
/// must not look like an audit that found nothing. [`Failure::Unavailable`] (exit 75) when
/// the store cannot be read: nothing was audited, and "try again later" is the truth — the
/// same answer `check` gives for a store outage. [`Failure::Usage`] for an unusable
/// `--api-url`. An entry that cannot be used is not a failure: it is a row of its own,
/// inconclusive, saying why (docs/contract.md §7).
pub async fn run(common: &Common, args: &AuditArgs, palette: Palette) -> Result<Exit, Failure> {
    let verifier = wiring::verifier(common)?;
    let store = wiring::store(&args.store, common.timeout);
    if let Err(error) = std::fs::metadata(store.path())
        && error.kind() == std::io::ErrorKind::NotFound
    {
        return Err(Failure::NoInput(format!(
            "cannot audit: {} does not exist (check --store or ${ENV_VAR})",
            store.path().display()
        )));
    }
    let listing = store.listing().await.map_err(|error| match error {
        // Exit 75 either way (nothing was audited), but a corrupt file needs a person.
        StoreError::Corrupt(_) => Failure::Unavailable(format!(
            "cannot audit: {}: fix or restore it (retrying does not help a corrupt file)",
            error_chain(&error)
        )),
        StoreError::Read(_) | StoreError::Write(_) => Failure::Unavailable(format!(
            "cannot audit: the PAT store is unavailable ({})",
            error_chain(&error)
        )),
    })?;
    let bar = progress_bar(listing.entries.len());
    // Machines get each row the moment it is known (memory stays flat however large the
    // store); people get one table in uid order at the end.
    let mut rows = Vec::new();
    let mut summary = AuditSummary::default();
    let mut stream = pin!(audit(&verifier, listing, usize::from(args.concurrency)));
    while let Some(mut row) = stream.next().await {
        row.verdict.reason = row
            .verdict
            .reason
            .map(|reason| crate::hints::annotate(&reason, &common.api_url));
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
            super::print(&super::json_line(&row)?)?;
        } else {
            rows.push(row);
        }
    }
    bar.finish_and_clear();
    tracing::info!(
        valid = summary.valid,
        invalid = summary.invalid,
        inconclusive = summary.inconclusive,
        "audit finished"
    );
    summary.short_circuited = verifier
        .counters()
        .verdicts(pat_verdict::CauseKind::ShortCircuited);
    if let Some(path) = &args.metrics_file {
        write_metrics(path, &verifier.metrics_text())?;
    }
    if common.json {
        super::print(&super::json_line(&summary)?)?;
    } else {
        // Rows arrive in the order they finish; uid order makes runs comparable.
        in_uid_order(&mut rows);
        let store = store.path().display().to_string();
        super::print(&human(&rows, &summary, &store, palette))?;
    }
    Ok(Exit::Success)
}

/// Writes `text` to `path` atomically: a temporary file beside it, flushed, then renamed over
/// it, so node_exporter's textfile collector never reads half a file.
///
/// # Errors
///
/// [`Failure::Unavailable`] naming the path and the OS error (the audit itself ran).
fn write_metrics(path: &std::path::Path, text: &str) -> Result<(), Failure> {
    use std::io::Write as _;
    let failed = |error: std::io::Error| {
        Failure::Unavailable(format!(
            "cannot write the metrics file {}: {error}",
            crate::output::safe(&path.display().to_string())
        ))
    };
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => std::path::Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(folder).map_err(failed)?;
    file.write_all(text.as_bytes()).map_err(failed)?;
    file.as_file().sync_all().map_err(failed)?;
    file.persist(path).map_err(|error| failed(error.error))?;
    Ok(())
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

/// The table and summary for people.
fn human(rows: &[AuditRow], summary: &AuditSummary, store: &str, palette: Palette) -> String {
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
    if summary.inconclusive > summary.unusable {
        text.push_str(&palette.paint(
            "Inconclusive PATs were not judged (GitHub could not answer): audit again later \
             before telling anyone to rotate.\n",
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
