//! *audit*: re-validate every stored PAT with bounded concurrency, as a stream of rows so a
//! caller can print or count as they come and memory stays flat.

use futures::stream::{self, Stream, StreamExt};
use serde::Serialize;

use super::verify::Verifier;
use crate::ports::{Clock, GithubApi};
use crate::store::{Hotkey, StoredPat, Uid};
use crate::verdict::{GithubId, Verdict, VerdictKind};
use crate::verification::Stage;

/// One stored PAT's verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    /// The entry's uid.
    pub uid: Uid,
    /// The entry's hotkey.
    pub hotkey: Hotkey,
    /// The verdict on its PAT.
    pub verdict: VerdictKind,
    /// Why, when not valid.
    pub reason: Option<String>,
    /// The GitHub id the entry is pinned to.
    pub github_id: GithubId,
    /// Where verification stopped, when not valid.
    #[serde(skip)]
    pub stage: Option<Stage>,
    /// GitHub requests spent on this entry.
    #[serde(skip)]
    pub requests: u32,
}

/// Counts per verdict.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AuditSummary {
    /// Valid PATs.
    pub valid: usize,
    /// Invalid PATs.
    pub invalid: usize,
    /// PATs GitHub could not judge now.
    pub inconclusive: usize,
    /// Entries audited.
    pub total: usize,
}

impl AuditSummary {
    /// Counts one row.
    pub fn add(&mut self, row: &AuditRow) {
        self.total += 1;
        match row.verdict {
            VerdictKind::Valid => self.valid += 1,
            VerdictKind::Invalid => self.invalid += 1,
            VerdictKind::Inconclusive => self.inconclusive += 1,
        }
    }
}

/// Re-validates each entry, at most `concurrency` at once (at least one), yielding rows in
/// the order they finish. Every entry gets its own deadline.
pub fn audit<'a, G, C>(
    verifier: &'a Verifier<G, C>,
    entries: Vec<StoredPat>,
    concurrency: usize,
) -> impl Stream<Item = AuditRow> + 'a
where
    G: GithubApi,
    C: Clock,
{
    stream::iter(entries)
        .map(move |entry| async move {
            let report = verifier.verify(&entry.pat).await;
            row(entry, report.verdict, report.stage, report.requests)
        })
        .buffer_unordered(concurrency.max(1))
}

fn row(entry: StoredPat, verdict: Verdict, stage: Option<Stage>, requests: u32) -> AuditRow {
    AuditRow {
        uid: entry.uid,
        hotkey: entry.hotkey,
        verdict: verdict.kind(),
        reason: verdict.error().map(str::to_owned),
        github_id: entry.github_id,
        stage,
        requests,
    }
}
