//! # pat-verdict
//!
//! Decides whether a GitHub personal access token (PAT) is **valid**, **invalid**, or
//! **impossible to judge right now**, and runs a Bittensor validator's two PAT endpoints —
//! *broadcast* (a miner sends a PAT) and *check* (a miner asks about its stored PAT) — on
//! that decision.
//!
//! | verdict | meaning | gittensor's `error` | gittensor's `transient_failure` |
//! |---|---|---|---|
//! | [`Verdict::Valid`] | the PAT works | none | false |
//! | [`Verdict::Invalid`] | GitHub gave evidence that the PAT itself is bad | set | false |
//! | [`Verdict::Inconclusive`] | we learned nothing about the PAT; retry later | set | true |
//!
//! The rule behind every classification: **only evidence about the PAT makes it `Invalid`**.
//! A 5xx burst, a DNS hiccup, a reset connection or a read timeout is `Inconclusive`, so a
//! GitHub incident never tells a miner to rotate a working token.
//!
//! ## In scope
//!
//! Classification of GitHub's answers ([`classify_test_query`], [`classify_identity`]),
//! rate-limit signals, the token pre-check ([`Token`]), the strict API URL ([`ApiUrl`]) and
//! deadline ([`parse_deadline`]) an operator gives, escaping outside text for people
//! ([`escape_control`]), the retry and deadline policy ([`RetryPolicy`]), one verification as a
//! pure state machine ([`verification::Verification`]), the identity pin
//! ([`store::plan_save`]), every user-facing
//! message, and the handlers' logic ([`Validator`], answering [`CheckOutcome`] and
//! [`BroadcastOutcome`]), written against the ports ([`GithubApi`], [`Clock`], [`PatStore`],
//! [`Registry`]).
//!
//! ## Out of scope
//!
//! Sockets, HTTP clients, TLS, files, locks, clocks, runtimes and printing. Those live in the
//! adapter crates under `adapters/` (ureq, JSON file store, memory store, fake GitHub, CLI),
//! which depend on this crate and never the reverse. Time enters as an argument or through
//! the [`Clock`] port; nothing here reads a clock.
//!
//! ## The surface
//!
//! Every public item has one path. What a host or an adapter uses is re-exported at the crate
//! root from private modules (as quinn-proto does); three subsystems a host reaches as a whole
//! are public modules of their own: [`verification`] (the machine a host with its own HTTP
//! client drives), [`outage`] (the guard, its settings and state) and [`store`] (the entry model
//! and the pin every store adapter shares). The fakes for tests, and the rules the property
//! tests check one by one, live in `testing` (feature `testing`).
//!
//! ## Example
//!
//! ```
//! use pat_verdict::{HttpResponse, UnixTime, classify_test_query};
//!
//! // A GitHub outage is not evidence about the PAT.
//! let verdict = classify_test_query(&Ok(HttpResponse::new(503, "")), UnixTime(0));
//! assert!(verdict.transient_failure());
//! assert_eq!(verdict.error(), Some("GitHub GraphQL API returned 503"));
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod api_url;
mod cause;
mod classify;
mod counters;
mod deadline;
mod display;
mod github_failure;
mod handlers;
mod http;
mod kind;
mod messages;
mod metrics;
mod miner;
pub mod outage;
mod policy;
mod ports;
mod rate_limit;
mod registry;
mod report;
pub mod store;
mod text_id;
mod time;
mod token;
mod verdict;
pub mod verification;
mod words;

#[cfg(feature = "testing")]
pub mod testing;

pub use api_url::{ApiUrl, ApiUrlError};
pub use cause::{
    AccountId, AnswerCause, Cause, CauseKind, HandlerCause, OddAnswer, RateLimit, WhyRefused,
};
pub use classify::{
    classify_identity, classify_identity_redacting, classify_one_call, classify_one_call_redacting,
    classify_test_query, classify_test_query_redacting,
};
pub use counters::Counters;
pub use deadline::{DeadlineError, MAX_DEADLINE, deadline_from_secs, parse_deadline};
pub use display::{escape_control, needs_escape};
pub use handlers::{
    AuditRow, AuditSummary, BroadcastOutcome, BroadcastResponse, CheckCategory, CheckOutcome,
    CheckResponse, Unavailable, Validator, Verifier, audit, audit_with, in_uid_order,
};
pub use http::{
    BODY_CAP, Body, CallResult, DEFAULT_API_URL, Endpoint, HttpResponse, RelevantHeaders,
    TransportError, TransportErrorKind,
};
pub use messages::format_seconds;
pub use miner::{Hotkey, Uid};
pub use policy::{DEFAULT_DEADLINE, Next, RetryPolicy};
pub use ports::{
    BoxError, Clock, GithubApi, PatStore, Registry, StoreError, StoreFailure, StoreFailureKind,
    error_chain,
};
pub use registry::HotkeyList;
pub use report::{Stage, VerifyReport, VerifyResponse};
pub use secrecy::{ExposeSecret, SecretString};
pub use time::UnixTime;
pub use token::{MAX_TOKEN_LEN, REDACTED, Token, TokenError};
pub use verdict::{GithubId, Identity, TokenInfo, Verdict, VerdictKind, Viewer};
