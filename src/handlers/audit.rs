//! *audit*: re-validate every stored PAT with bounded concurrency, as a stream of rows so a
//! caller can print or count as they come and memory stays flat.
//!
//! Every entry the store holds gets a row — one it cannot use too, inconclusive with the
//! store's reason and no request (docs/contract.md §7) — so the CLI and the Python package
//! print the same audit and count it the same way.

use std::future::Future;
use std::num::NonZeroUsize;

use futures::stream::{self, Stream, StreamExt};
use secrecy::SecretString;
use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::verify::Verifier;
use crate::miner::{Hotkey, Uid};
use crate::ports::{Clock, GithubApi};
use crate::report::{VerifyReport, VerifyResponse, unjudged};
use crate::store::{Listing, StoredPat, UnusableEntry};
use crate::verdict::{GithubId, VerdictKind};

/// One store entry's audit: whose it is and the verdict on its PAT.
///
/// On the wire (docs/contract.md §8) `{"uid", "hotkey", "verdict", "reason", "github_id",
/// "requests", "cause"}` (`cause` added 2026-12-07, §13), `null` where the entry has no
/// readable value.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuditRow {
    /// The verdict on its PAT, in its wire form (its `requests` are the entry's).
    pub verdict: VerifyResponse,
    /// Whether the entry could not be used, so its PAT was never sent.
    pub unusable: bool,
    /// The entry's uid; `None` for an unusable entry without an integer one.
    pub uid: Option<Uid>,
    /// The entry's hotkey; `None` for an unusable entry without a string one.
    pub hotkey: Option<Hotkey>,
    /// The GitHub id the entry is pinned to, as stored; `None` when it has none.
    pub github_id: Option<GithubId>,
}

impl AuditRow {
    /// The row of a usable entry, verified as `report` says.
    #[must_use]
    pub fn verified(uid: Uid, hotkey: Hotkey, github_id: GithubId, report: &VerifyReport) -> Self {
        Self {
            uid: Some(uid),
            hotkey: Some(hotkey),
            github_id: (!github_id.as_str().is_empty()).then_some(github_id),
            verdict: VerifyResponse::from(report),
            unusable: false,
        }
    }

    /// The row of an entry the store cannot use: inconclusive, never sent (its PAT, if any,
    /// cannot be trusted to be what the miner sent).
    #[must_use]
    pub fn unusable(entry: &UnusableEntry) -> Self {
        Self {
            uid: entry.uid,
            hotkey: entry.hotkey.clone(),
            github_id: None,
            verdict: unjudged(entry.audit_reason()),
            unusable: true,
        }
    }
}

impl Serialize for AuditRow {
    fn serialize<S: Serializer>(&self, out: S) -> Result<S::Ok, S::Error> {
        let mut row = out.serialize_struct("AuditRow", 7)?;
        row.serialize_field("uid", &self.uid)?;
        row.serialize_field("hotkey", &self.hotkey)?;
        row.serialize_field("verdict", &self.verdict.verdict)?;
        row.serialize_field("reason", &self.verdict.reason)?;
        row.serialize_field("github_id", &self.github_id)?;
        // Later keys last, in the order they came: keys are only ever added at the end.
        row.serialize_field("requests", &self.verdict.requests)?;
        row.serialize_field("cause", &self.verdict.cause)?;
        row.end()
    }
}

/// Rows in the order people and hosts read an audit: by uid, entries without one last (in
/// the order they came).
pub fn in_uid_order(rows: &mut [AuditRow]) {
    rows.sort_by_key(|row| (row.uid.is_none(), row.uid));
}

/// Counts per verdict; on the wire `{"valid", "invalid", "inconclusive", "total",
/// "requests", "short_circuited"}` (docs/contract.md §8, §10).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct AuditSummary {
    /// Valid PATs.
    pub valid: usize,
    /// Invalid PATs.
    pub invalid: usize,
    /// PATs GitHub could not judge now, and entries that cannot be used.
    pub inconclusive: usize,
    /// Entries audited.
    pub total: usize,
    /// Requests sent to GitHub for them, retries included.
    pub requests: u64,
    /// Verifications the outage guard answered at once, with no request for the call it
    /// stopped (docs/contract.md §10). A row does not say so: the driver sets it from its
    /// counters ([`Counters::verdicts`](crate::Counters::verdicts) of
    /// [`CauseKind::ShortCircuited`](crate::CauseKind::ShortCircuited)).
    pub short_circuited: u64,
    /// Of the inconclusive, the entries that cannot be used (never sent to GitHub).
    #[serde(skip)]
    pub unusable: usize,
}

impl AuditSummary {
    /// Counts one row.
    pub fn add(&mut self, row: &AuditRow) {
        self.total += 1;
        self.requests += u64::from(row.verdict.requests);
        self.unusable += usize::from(row.unusable);
        match row.verdict.verdict {
            VerdictKind::Valid => self.valid += 1,
            VerdictKind::Invalid => self.invalid += 1,
            VerdictKind::Inconclusive => self.inconclusive += 1,
        }
    }
}

/// Re-validates each usable entry of `listing`, at most `concurrency` at once,
/// yielding first a row for each unusable entry, then the others' rows in the order they
/// finish. Every entry gets its own deadline.
pub fn audit<'a, G, C>(
    verifier: &'a Verifier<G, C>,
    listing: Listing,
    concurrency: NonZeroUsize,
) -> impl Stream<Item = AuditRow> + 'a
where
    G: GithubApi,
    C: Clock,
{
    audit_with(listing, concurrency, move |pat| async move {
        (verifier.verify(&pat).await, ())
    })
    .map(|(row, _)| row)
}

/// [`audit`] with the caller's verification of each PAT: `verify` answers the entry's report
/// and whatever the caller keeps beside it (a host that traces each verification keeps its
/// trace), which comes back with the row; an unusable entry's row has `None` (nothing was
/// verified).
pub fn audit_with<'a, F, Fut, T>(
    listing: Listing,
    concurrency: NonZeroUsize,
    verify: F,
) -> impl Stream<Item = (AuditRow, Option<T>)> + 'a
where
    F: Fn(SecretString) -> Fut + 'a,
    Fut: Future<Output = (VerifyReport, T)> + 'a,
    T: 'a,
{
    let Listing { entries, unusable } = listing;
    let unusable = stream::iter(unusable).map(|entry| (AuditRow::unusable(&entry), None));
    let verified = stream::iter(entries)
        .map(move |entry| {
            let StoredPat {
                uid,
                hotkey,
                pat,
                github_id,
                ..
            } = entry;
            let verification = verify(pat);
            async move {
                let (report, kept) = verification.await;
                (
                    AuditRow::verified(uid, hotkey, github_id, &report),
                    Some(kept),
                )
            }
        })
        .buffer_unordered(concurrency.get());
    unusable.chain(verified)
}
