//! The operators' counters as a vocabulary (docs/contract.md §10): metric names, their label
//! values with the exact strings a dashboard queries, the histogram's buckets, and the pure
//! decisions of which label a verdict, a request or a handler answer gets.
//!
//! An outage should show as a spike of Inconclusive on a dashboard, not as a pile of
//! complaints. The core keeps no counter itself (no globals, no clock): the drivers count,
//! and render the Prometheus text with the `prometheus-client` crate. What lives here is what
//! every driver must agree on, so the CLI's metrics file and Python's `.metrics_text()` name
//! the same things the same way.
//!
//! | metric | type | labels |
//! |---|---|---|
//! | [`VERDICTS_TOTAL`] | counter | `verdict` ([`VerdictKind`](crate::VerdictKind)), `cause` ([`CauseKind`](crate::CauseKind)) |
//! | [`GITHUB_REQUESTS_TOTAL`] | counter | `endpoint` ([`endpoint_label`]), `outcome` ([`RequestOutcome`]) |
//! | [`GITHUB_REQUEST_SECONDS`] | histogram, [`REQUEST_SECONDS_BUCKETS`] | `endpoint` |
//! | [`OUTAGE_GUARD_OPEN`] | gauge ([`OutageGuard::is_open`](crate::outage::OutageGuard::is_open)) | — |
//! | [`OUTAGE_GUARD_OPENED_TOTAL`] | counter ([`GuardChange::Opened`](crate::outage::GuardChange::Opened)) | — |
//! | [`HANDLER_ANSWERS_TOTAL`] | counter | `endpoint` (`check`, `broadcast`), `category` ([`CheckCategory`], [`BroadcastCategory`]) |
//!
//! Every label enum has an `ALL` list, so an exporter can publish each series at zero from the
//! start (a series that appears only at the first outage is hard to alert on).
//!
//! ```
//! use pat_verdict::{CauseKind, RetryPolicy, SecretString, VerdictKind};
//! use pat_verdict::verification::{Step, Verification};
//! use std::time::Duration;
//!
//! // A token refused before any request is counted as {verdict="invalid", cause="malformed_token"}.
//! let Step::Done(report) =
//!     Verification::start(&SecretString::from(""), RetryPolicy::default(), Duration::ZERO)
//! else {
//!     unreachable!("an empty token is never sent");
//! };
//! let cause = report.cause_kind();
//! assert_eq!((report.kind().as_str(), cause.as_str()), ("invalid", "malformed_token"));
//! assert_eq!(cause.verdict(), VerdictKind::Invalid);
//! ```

use crate::http::{CallResult, Endpoint};

/// Verdicts given, by verdict and cause (counter).
pub const VERDICTS_TOTAL: &str = "pat_verdict_verdicts_total";
/// Requests sent to GitHub, by endpoint and outcome (counter).
pub const GITHUB_REQUESTS_TOTAL: &str = "pat_verdict_github_requests_total";
/// How long GitHub's answers took, by endpoint (histogram, seconds).
pub const GITHUB_REQUEST_SECONDS: &str = "pat_verdict_github_request_seconds";
/// 1 while the outage guard is open or probing, else 0 (gauge).
pub const OUTAGE_GUARD_OPEN: &str = "pat_verdict_outage_guard_open";
/// Times the outage guard opened (counter; a failed probe's reopening is the same outage).
pub const OUTAGE_GUARD_OPENED_TOTAL: &str = "pat_verdict_outage_guard_opened_total";
/// The validator's answers, by endpoint and category (counter).
pub const HANDLER_ANSWERS_TOTAL: &str = "pat_verdict_handler_answers_total";

/// The request-duration histogram's upper bounds, in seconds: from a quick answer (50 ms) to
/// the default deadline's worth (10 s), the range a dashboard needs to see GitHub slow down.
pub const REQUEST_SECONDS_BUCKETS: [f64; 8] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The `endpoint` label of the request metrics: `user` or `graphql` (the path, without the
/// slash: what an operator sees in GitHub's own docs).
#[must_use]
pub const fn endpoint_label(endpoint: Endpoint) -> &'static str {
    match endpoint {
        Endpoint::Identity => "user",
        Endpoint::TestQuery | Endpoint::OneCall => "graphql",
    }
}

/// Every `endpoint` label of the request metrics, with its endpoint.
pub const ENDPOINT_LABELS: [(Endpoint, &str); 2] = [
    (Endpoint::Identity, endpoint_label(Endpoint::Identity)),
    (Endpoint::TestQuery, endpoint_label(Endpoint::TestQuery)),
];

crate::words::words! {
    /// How a request ended: the `outcome` label of [`GITHUB_REQUESTS_TOTAL`].
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum RequestOutcome {
        /// 200–299.
        Status2xx => "2xx",
        /// 300–399 (redirects are not followed).
        Status3xx => "3xx",
        /// 400–499.
        Status4xx => "4xx",
        /// 500–599, and the statuses no server should send (1xx as a final answer, below 100,
        /// above 599): the server misbehaved either way.
        Status5xx => "5xx",
        /// No HTTP answer.
        Transport => "transport",
    }
}

impl RequestOutcome {
    /// The outcome of what came back.
    #[must_use]
    pub fn of(result: &CallResult) -> Self {
        match result {
            Err(_) => Self::Transport,
            Ok(response) => match response.status {
                200..=299 => Self::Status2xx,
                300..=399 => Self::Status3xx,
                400..=499 => Self::Status4xx,
                _ => Self::Status5xx,
            },
        }
    }
}

crate::words::words! {
    /// The row a miner's CLI shows for a check answer (docs/contract.md §6), and the
    /// `category` label of `pat_verdict_handler_answers_total` for `endpoint="check"`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
    #[serde(rename_all = "snake_case")]
    pub enum CheckCategory {
        /// `pat_valid` is true.
        Valid => "valid",
        /// We looked and hold no PAT for this miner.
        NoPat => "no_pat",
        /// We hold a PAT and GitHub says it is bad.
        InvalidPat => "invalid_pat",
        /// We could not tell: GitHub was unavailable, or the store was (never "no PAT" while we
        /// could not look).
        Inconclusive => "inconclusive",
        /// We did not look: the hotkey is not registered.
        NoResponse => "no_response",
    }
}

crate::words::words! {
    /// A broadcast answer's `category` label. §6 names the check's categories; a broadcast has
    /// three outcomes, named after [`BroadcastOutcome`](crate::BroadcastOutcome)'s: stored, refused for good, refused for
    /// now (`retryable: true` on the wire).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum BroadcastCategory {
        /// The PAT was stored.
        Accepted => "accepted",
        /// Refused on evidence or by the identity pin.
        Rejected => "rejected",
        /// Refused for now: GitHub or the store was unavailable.
        RetryLater => "retry_later",
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::classify::{classify_identity, classify_test_query};
    use crate::http::{HttpResponse, TransportError, TransportErrorKind};
    use crate::time::UnixTime;

    const NOW: UnixTime = UnixTime(1_767_225_600);

    fn answer(status: u16, body: &str) -> CallResult {
        Ok(HttpResponse::new(status, body))
    }

    #[test]
    fn label_values_are_the_contracts_words() {
        let outcomes: Vec<&str> = RequestOutcome::ALL.iter().map(|o| o.as_str()).collect();
        assert_eq!(outcomes, ["2xx", "3xx", "4xx", "5xx", "transport"]);
        assert_eq!(ENDPOINT_LABELS.map(|(_, label)| label), ["user", "graphql"]);
        assert_eq!(
            CheckCategory::ALL.map(CheckCategory::as_str),
            [
                "valid",
                "no_pat",
                "invalid_pat",
                "inconclusive",
                "no_response"
            ]
        );
        assert_eq!(
            BroadcastCategory::ALL.map(BroadcastCategory::as_str),
            ["accepted", "rejected", "retry_later"]
        );
    }

    #[test]
    fn metric_names_follow_prometheus_conventions() {
        for name in [
            VERDICTS_TOTAL,
            GITHUB_REQUESTS_TOTAL,
            GITHUB_REQUEST_SECONDS,
            OUTAGE_GUARD_OPEN,
            OUTAGE_GUARD_OPENED_TOTAL,
            HANDLER_ANSWERS_TOTAL,
        ] {
            assert!(name.starts_with("pat_verdict_"), "{name}");
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{name}"
            );
        }
        assert!(REQUEST_SECONDS_BUCKETS.windows(2).all(|w| w[0] < w[1]));
    }

    fn arb_result() -> impl Strategy<Value = CallResult> {
        let body = prop_oneof![
            Just(r#"{"id": 42, "login": "octocat"}"#.to_owned()),
            Just(r#"{"data": {"viewer": {"login": "octocat"}}}"#.to_owned()),
            Just(r#"{"errors": [{"message": "Bad credentials"}]}"#.to_owned()),
            Just(r#"{"errors": [{"type": "RATE_LIMITED", "message": "slow down"}]}"#.to_owned()),
            Just(
                r#"{"errors": [{"type": "INTERNAL", "message": "Something went wrong"}]}"#
                    .to_owned()
            ),
            Just(r#"{"message": "You have exceeded a secondary rate limit"}"#.to_owned()),
            Just(String::new()),
            Just("<html>".to_owned()),
            "\\PC{0,12}",
        ];
        let response = (any::<u16>(), body).prop_map(|(status, body)| answer(status, &body));
        prop_oneof![
            4 => response,
            1 => Just(Err(TransportError::new(TransportErrorKind::Timeout, "slow"))),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

        /// The `cause` label always belongs to the `verdict` label next to it, and the
        /// request `outcome` is the status class.
        #[test]
        fn a_cause_always_fits_its_verdict(result in arb_result(), identity in any::<bool>()) {
            let verdict = if identity {
                classify_identity(&result, NOW).map(|_| ())
            } else {
                classify_test_query(&result, NOW).map(|_| ())
            };
            prop_assert_eq!(verdict.cause_kind().verdict(), verdict.kind());
            match (&result, RequestOutcome::of(&result)) {
                (Err(_), outcome) => prop_assert_eq!(outcome, RequestOutcome::Transport),
                (Ok(response), outcome) => {
                    let class = match response.status {
                        200..=299 => "2xx",
                        300..=399 => "3xx",
                        400..=499 => "4xx",
                        _ => "5xx",
                    };
                    prop_assert_eq!(outcome.as_str(), class);
                }
            }
        }
    }
}
