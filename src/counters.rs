//! The operators' counters as one plain value ([`Counters`]): what a driver counts as it
//! verifies and answers, and the Prometheus text it shows (docs/contract.md §10).
//!
//! Like the [`OutageGuard`](crate::outage::OutageGuard), it is a value with no clock, no lock and no
//! global: the driver ([`Verifier`](crate::Verifier), so every `Validator`, CLI run and
//! Python object) holds one behind its lock, tells it each request, verdict and answer, and
//! asks it for the text. Every series exists from the start at zero, so a dashboard can alert
//! on the first outage rather than discover the series then.
//!
//! The text is the Prometheus exposition format 0.0.4, written here rather than by the
//! `prometheus-client` crate: that crate writes OpenMetrics 1.0, whose counters are typed
//! without their `_total` (`# TYPE pat_verdict_verdicts counter`) and which ends in `# EOF`,
//! while the contract's names (`pat_verdict_verdicts_total`, typed as such) are 0.0.4's, the
//! format node_exporter's textfile collector and `promtool check metrics` read.
//!
//! ```
//! use pat_verdict::{CauseKind, Counters};
//!
//! // Every series from the start, at zero.
//! let counters = Counters::default();
//! assert_eq!(counters.verdicts(CauseKind::GithubDown), 0);
//! let text = counters.to_prometheus(false);
//! assert!(text.contains("pat_verdict_verdicts_total{verdict=\"inconclusive\",cause=\"github_down\"} 0\n"));
//! assert!(text.contains("pat_verdict_outage_guard_open 0\n"));
//! ```

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::cause::CauseKind;
use crate::http::Endpoint;
use crate::metrics::{
    BroadcastCategory, CheckCategory, ENDPOINT_LABELS, GITHUB_REQUEST_SECONDS,
    GITHUB_REQUESTS_TOTAL, HANDLER_ANSWERS_TOTAL, OUTAGE_GUARD_OPEN, OUTAGE_GUARD_OPENED_TOTAL,
    REQUEST_SECONDS_BUCKETS, RequestOutcome, VERDICTS_TOTAL,
};
use crate::outage::GuardChange;
use crate::verification::Answered;

/// How long the answers of one endpoint took: a Prometheus histogram's buckets (not
/// cumulative here; the text makes them so), count and sum.
#[derive(Clone, Debug, Default, PartialEq)]
struct Histogram {
    buckets: [u64; REQUEST_SECONDS_BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, took: Duration) {
        let secs = took.as_secs_f64();
        if let Some(bucket) = REQUEST_SECONDS_BUCKETS
            .iter()
            .position(|bound| secs <= *bound)
        {
            self.buckets[bucket] += 1;
        }
        self.count += 1;
        self.sum += secs;
    }

    /// The cumulative count of each bucket, then `+Inf` (every answer).
    fn cumulative(&self) -> impl Iterator<Item = (String, u64)> + '_ {
        let mut running = 0;
        REQUEST_SECONDS_BUCKETS
            .iter()
            .zip(self.buckets)
            .map(move |(bound, count)| {
                running += count;
                (bound.to_string(), running)
            })
            .chain(std::iter::once(("+Inf".to_owned(), self.count)))
    }
}

/// The counters of docs/contract.md §10's table for one driver. See the module docs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counters {
    verdicts: [u64; CauseKind::ALL.len()],
    requests: [[u64; RequestOutcome::ALL.len()]; 2],
    seconds: [Histogram; 2],
    opened: u64,
    check: [u64; CheckCategory::ALL.len()],
    broadcast: [u64; BroadcastCategory::ALL.len()],
}

const fn endpoint_index(endpoint: Endpoint) -> usize {
    match endpoint {
        Endpoint::Identity => 0,
        // The one call of docs/contract.md §11 is a GraphQL request: counted as `graphql`.
        Endpoint::TestQuery | Endpoint::OneCall => 1,
    }
}

/// The position of `value` in its `ALL` (each label enum's `ALL` is its declaration order).
fn index<T: PartialEq>(all: &[T], value: &T) -> usize {
    all.iter().position(|known| known == value).unwrap_or(0)
}

impl Counters {
    /// One request sent and answered (or failed in transport), which took `took`.
    pub(crate) fn count_request(&mut self, answered: &Answered, took: Duration) {
        let endpoint = endpoint_index(answered.endpoint);
        self.requests[endpoint][index(&RequestOutcome::ALL, &answered.outcome)] += 1;
        self.seconds[endpoint].observe(took);
    }

    /// One verification ended, for `cause` (which names its verdict).
    pub(crate) fn count_verdict(&mut self, cause: CauseKind) {
        self.verdicts[index(&CauseKind::ALL, &cause)] += 1;
    }

    /// The outage guard changed (only its opening is counted: a failed probe's reopening is
    /// the same outage).
    pub(crate) fn count_guard(&mut self, change: GuardChange) {
        if change == GuardChange::Opened {
            self.opened += 1;
        }
    }

    /// The check endpoint answered `category`.
    pub(crate) fn count_check(&mut self, category: CheckCategory) {
        self.check[index(&CheckCategory::ALL, &category)] += 1;
    }

    /// The broadcast endpoint answered `category`.
    pub(crate) fn count_broadcast(&mut self, category: BroadcastCategory) {
        self.broadcast[index(&BroadcastCategory::ALL, &category)] += 1;
    }

    /// Requests sent to GitHub so far, both endpoints.
    #[must_use]
    pub fn requests_sent(&self) -> u64 {
        self.requests.iter().flatten().sum()
    }

    /// Verifications that ended for `cause` so far.
    #[must_use]
    pub fn verdicts(&self, cause: CauseKind) -> u64 {
        self.verdicts[index(&CauseKind::ALL, &cause)]
    }

    /// Times the outage guard opened so far.
    #[must_use]
    pub fn guard_opened(&self) -> u64 {
        self.opened
    }

    /// The Prometheus text (format 0.0.4) of every series, `guard_open` being whether the
    /// guard is open or probing now.
    #[must_use]
    pub fn to_prometheus(&self, guard_open: bool) -> String {
        let mut text = String::with_capacity(4096);
        family(
            &mut text,
            VERDICTS_TOTAL,
            "Verdicts given, by verdict and the cause that decided it.",
            "counter",
        );
        for (cause, count) in CauseKind::ALL.iter().zip(self.verdicts) {
            let _ = writeln!(
                text,
                "{VERDICTS_TOTAL}{{verdict=\"{}\",cause=\"{cause}\"}} {count}",
                cause.verdict()
            );
        }
        family(
            &mut text,
            GITHUB_REQUESTS_TOTAL,
            "Requests sent to GitHub, by endpoint and outcome.",
            "counter",
        );
        for ((_, endpoint), counts) in ENDPOINT_LABELS.iter().zip(&self.requests) {
            for (outcome, count) in RequestOutcome::ALL.iter().zip(counts) {
                let _ = writeln!(
                    text,
                    "{GITHUB_REQUESTS_TOTAL}{{endpoint=\"{endpoint}\",outcome=\"{outcome}\"}} {count}"
                );
            }
        }
        family(
            &mut text,
            GITHUB_REQUEST_SECONDS,
            "How long GitHub took to answer, by endpoint.",
            "histogram",
        );
        for ((_, endpoint), histogram) in ENDPOINT_LABELS.iter().zip(&self.seconds) {
            for (bound, count) in histogram.cumulative() {
                let _ = writeln!(
                    text,
                    "{GITHUB_REQUEST_SECONDS}_bucket{{endpoint=\"{endpoint}\",le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                text,
                "{GITHUB_REQUEST_SECONDS}_sum{{endpoint=\"{endpoint}\"}} {}",
                histogram.sum
            );
            let _ = writeln!(
                text,
                "{GITHUB_REQUEST_SECONDS}_count{{endpoint=\"{endpoint}\"}} {}",
                histogram.count
            );
        }
        family(
            &mut text,
            OUTAGE_GUARD_OPEN,
            "1 while the outage guard is open or probing, else 0.",
            "gauge",
        );
        let _ = writeln!(text, "{OUTAGE_GUARD_OPEN} {}", u8::from(guard_open));
        family(
            &mut text,
            OUTAGE_GUARD_OPENED_TOTAL,
            "Times the outage guard opened.",
            "counter",
        );
        let _ = writeln!(text, "{OUTAGE_GUARD_OPENED_TOTAL} {}", self.opened);
        family(
            &mut text,
            HANDLER_ANSWERS_TOTAL,
            "The validator's answers, by endpoint and category.",
            "counter",
        );
        let answers = CheckCategory::ALL
            .iter()
            .map(|category| ("check", category.as_str()))
            .zip(self.check)
            .chain(
                BroadcastCategory::ALL
                    .iter()
                    .map(|category| ("broadcast", category.as_str()))
                    .zip(self.broadcast),
            );
        for ((endpoint, category), count) in answers {
            let _ = writeln!(
                text,
                "{HANDLER_ANSWERS_TOTAL}{{endpoint=\"{endpoint}\",category=\"{category}\"}} {count}"
            );
        }
        text
    }

    /// The same numbers as plain data (Python's `.metrics()`): `verdicts` by verdict then
    /// cause, `github_requests` by endpoint then outcome, `github_request_seconds` by endpoint
    /// (`count`, `sum`, cumulative `buckets` by upper bound), `outage_guard_open`,
    /// `outage_guard_opened`, `handler_answers` by endpoint then category.
    #[must_use]
    pub fn to_json(&self, guard_open: bool) -> Value {
        let mut verdicts = Map::new();
        for (cause, count) in CauseKind::ALL.iter().zip(self.verdicts) {
            let by_cause = verdicts
                .entry(cause.verdict().as_str())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(by_cause) = by_cause {
                by_cause.insert(cause.as_str().to_owned(), json!(count));
            }
        }
        let mut requests = Map::new();
        let mut seconds = Map::new();
        for (((_, endpoint), counts), histogram) in ENDPOINT_LABELS
            .iter()
            .zip(&self.requests)
            .zip(&self.seconds)
        {
            let by_outcome: Map<String, Value> = RequestOutcome::ALL
                .iter()
                .zip(counts)
                .map(|(outcome, count)| (outcome.as_str().to_owned(), json!(count)))
                .collect();
            requests.insert((*endpoint).to_owned(), Value::Object(by_outcome));
            let buckets: Map<String, Value> = histogram
                .cumulative()
                .map(|(bound, count)| (bound, json!(count)))
                .collect();
            seconds.insert(
                (*endpoint).to_owned(),
                json!({"count": histogram.count, "sum": histogram.sum, "buckets": buckets}),
            );
        }
        let check: Map<String, Value> = CheckCategory::ALL
            .iter()
            .zip(self.check)
            .map(|(category, count)| (category.as_str().to_owned(), json!(count)))
            .collect();
        let broadcast: Map<String, Value> = BroadcastCategory::ALL
            .iter()
            .zip(self.broadcast)
            .map(|(category, count)| (category.as_str().to_owned(), json!(count)))
            .collect();
        json!({
            "verdicts": verdicts,
            "github_requests": requests,
            "github_request_seconds": seconds,
            "outage_guard_open": u8::from(guard_open),
            "outage_guard_opened": self.opened,
            "handler_answers": {"check": check, "broadcast": broadcast},
        })
    }
}

/// A family's `# HELP` and `# TYPE` lines.
fn family(text: &mut String, name: &str, help: &str, kind: &str) {
    let _ = writeln!(text, "# HELP {name} {help}");
    let _ = writeln!(text, "# TYPE {name} {kind}");
}
