//! `audit`: re-validate every stored PAT with bounded concurrency, a progress bar on stderr
//! for people and a table sorted by uid; for machines, one JSON line per entry as it
//! finishes, then the summary.

use std::io::IsTerminal;
use std::pin::pin;

use futures::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pat_verdict::{
    AuditRow, AuditSummary, Hotkey, Listing, PatStore, StoreError, UnusableEntry, VerdictKind,
    audit, error_chain,
};
use pat_verdict_json_store::ENV_VAR;
use serde::Serialize;

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
    let Listing { entries, unusable } = store.listing().await.map_err(|error| match error {
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
    let bar = progress_bar(entries.len());
    // Machines get each row the moment it is known (memory stays flat however large the
    // store); people get one table in uid order at the end.
    let mut rows = Vec::new();
    let mut summary = AuditSummary::default();
    // Entries that cannot be used are judged at once: inconclusive, with the reason.
    for entry in &unusable {
        summary.inconclusive += 1;
        summary.total += 1;
        if common.json {
            super::print(&unusable_line(entry)?)?;
        }
    }
    let mut stream = pin!(audit(&verifier, entries, usize::from(args.concurrency)));
    while let Some(mut row) = stream.next().await {
        row.reason = row
            .reason
            .map(|reason| crate::hints::annotate(&reason, &common.api_url));
        tracing::debug!(uid = %row.uid, verdict = %row.verdict, requests = row.requests, "audited");
        summary.add(&row);
        bar.inc(1);
        if common.json {
            super::print(&row_line(&row)?)?;
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
    if common.json {
        super::print(&summary_line(&summary)?)?;
    } else {
        // Rows arrive in the order they finish; uid order makes runs comparable.
        rows.sort_by_key(|row| row.uid);
        let store = store.path().display().to_string();
        super::print(&human(&rows, &unusable, &summary, &store, palette))?;
    }
    Ok(Exit::Success)
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

/// One audited entry as docs/contract.md §8 prints it; `requests` last (it came later: keys
/// are only ever added at the end).
#[derive(Debug, Serialize)]
struct RowJson<'a> {
    uid: u32,
    hotkey: &'a str,
    verdict: &'static str,
    reason: Option<&'a str>,
    github_id: &'a str,
    requests: u32,
}

/// An entry that cannot be used, in the row shape of docs/contract.md §8: `uid`, `hotkey` and
/// `github_id` null when the entry has none that can be read.
#[derive(Debug, Serialize)]
struct UnusableJson<'a> {
    uid: Option<u32>,
    hotkey: Option<&'a str>,
    verdict: &'static str,
    reason: String,
    github_id: Option<&'a str>,
    requests: u32,
}

/// The reason an unusable entry's row gives.
fn unusable_reason(entry: &UnusableEntry) -> String {
    entry.audit_reason()
}

/// One row for an entry that cannot be used.
///
/// # Errors
///
/// As [`super::json_line`].
fn unusable_line(entry: &UnusableEntry) -> Result<String, Failure> {
    super::json_line(&UnusableJson {
        uid: entry.uid.map(|uid| uid.0),
        hotkey: entry.hotkey.as_ref().map(Hotkey::as_str),
        verdict: VerdictKind::Inconclusive.as_str(),
        reason: unusable_reason(entry),
        github_id: None,
        requests: 0,
    })
}

/// The closing line of docs/contract.md §8.
#[derive(Debug, Serialize)]
struct SummaryJson {
    valid: usize,
    invalid: usize,
    inconclusive: usize,
    total: usize,
}

/// One `{"uid","hotkey","verdict","reason","github_id","requests"}` line (docs/contract.md §8).
///
/// # Errors
///
/// As [`super::json_line`].
fn row_line(row: &AuditRow) -> Result<String, Failure> {
    super::json_line(&RowJson {
        uid: row.uid.0,
        hotkey: row.hotkey.as_str(),
        verdict: row.verdict.as_str(),
        reason: row.reason.as_deref(),
        github_id: row.github_id.as_str(),
        requests: row.requests,
    })
}

/// The closing `{"valid","invalid","inconclusive","total"}` line (docs/contract.md §8).
///
/// # Errors
///
/// As [`super::json_line`].
fn summary_line(summary: &AuditSummary) -> Result<String, Failure> {
    super::json_line(&SummaryJson {
        valid: summary.valid,
        invalid: summary.invalid,
        inconclusive: summary.inconclusive,
        total: summary.total,
    })
}

/// The table and summary for people.
fn human(
    rows: &[AuditRow],
    unusable: &[UnusableEntry],
    summary: &AuditSummary,
    store: &str,
    palette: Palette,
) -> String {
    if rows.is_empty() && unusable.is_empty() {
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
        table.row(vec![
            Cell::plain(row.uid.to_string()),
            Cell::plain(row.hotkey.as_str()),
            Cell::plain(row.github_id.as_str()),
            Cell::new(row.verdict.as_str(), Tone::of_verdict(row.verdict)),
            Cell::new(row.requests.to_string(), Tone::Dim),
            Cell::plain(or_dash(row.reason.as_deref())),
        ]);
    }
    for entry in unusable {
        table.row(vec![
            Cell::plain(
                entry
                    .uid
                    .map_or_else(|| "?".to_owned(), |uid| uid.to_string()),
            ),
            Cell::plain(or_dash(entry.hotkey.as_ref().map(Hotkey::as_str))),
            Cell::plain("-"),
            Cell::new(
                VerdictKind::Inconclusive.as_str(),
                Tone::of_verdict(VerdictKind::Inconclusive),
            ),
            Cell::new("0", Tone::Dim),
            Cell::plain(unusable_reason(entry)),
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
    if summary.inconclusive > unusable.len() {
        text.push_str(&palette.paint(
            "Inconclusive PATs were not judged (GitHub could not answer): audit again later \
             before telling anyone to rotate.\n",
            Tone::Warn,
        ));
    }
    if !unusable.is_empty() {
        text.push_str(&palette.paint(
            &format!(
                "{} store entries cannot be used (see their reason): fix them in {store}; \
                 every other miner is served.\n",
                unusable.len()
            ),
            Tone::Warn,
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use pat_verdict::{GithubId, Uid};
    use serde_json::{Value, json};

    use super::*;

    #[test]
    fn json_lines_are_a_row_then_the_summary() {
        let row = AuditRow {
            uid: Uid(3),
            hotkey: Hotkey::new("5F"),
            verdict: VerdictKind::Invalid,
            reason: Some("GitHub /user API returned 401".to_owned()),
            github_id: GithubId::new("42"),
            stage: None,
            requests: 1,
        };
        let mut summary = AuditSummary::default();
        summary.add(&row);
        let text = row_line(&row).expect("encodes") + &summary_line(&summary).expect("encodes");
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
            json!({"valid": 0, "invalid": 1, "inconclusive": 0, "total": 1})
        );
    }
}
