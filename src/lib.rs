//! # pat-verdict
//!
//! Decides whether a GitHub personal access token (PAT) is **valid**, **invalid**, or
//! **impossible to judge right now**, and runs a Bittensor validator's two PAT endpoints —
//! *broadcast* (a miner sends a PAT) and *check* (a miner asks about its stored PAT) — on
//! that decision.
//!
//! | verdict | meaning | seed's `error` | seed's `transient_failure` |
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
//! Classification of GitHub's answers ([`classify`]), rate-limit signals ([`rate_limit`]), the
//! token pre-check ([`token`]), the retry and deadline policy ([`policy`]), the identity pin
//! ([`store`]), every user-facing message ([`messages`]) and the handlers' logic
//! ([`handlers`]), written against [`ports`].
//!
//! ## Out of scope
//!
//! Sockets, HTTP clients, TLS, files, locks, clocks, runtimes and printing. Those live in the
//! adapter crates under `adapters/` (ureq, JSON file store, memory store, fake GitHub, CLI),
//! which depend on this crate and never the reverse. Time enters as an argument or through
//! the [`ports::Clock`] port; nothing here reads a clock.
//!
//! ## Example
//!
//! ```
//! use pat_verdict::classify::classify_test_query;
//! use pat_verdict::http::HttpResponse;
//! use pat_verdict::time::UnixTime;
//!
//! // A GitHub outage is not evidence about the PAT.
//! let verdict = classify_test_query(&Ok(HttpResponse::new(503, "")), UnixTime(0));
//! assert!(verdict.transient_failure());
//! assert_eq!(verdict.error(), Some("GitHub GraphQL API returned 503"));
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod classify;
pub mod handlers;
pub mod http;
pub mod messages;
pub mod policy;
pub mod ports;
pub mod rate_limit;
pub mod store;
pub mod time;
pub mod token;
pub mod verdict;
pub mod verification;

#[cfg(feature = "testing")]
pub mod testing;

pub use classify::{classify_identity, classify_test_query};
pub use handlers::{
    AuditRow, AuditSummary, BroadcastOutcome, BroadcastResponse, CheckCategory, CheckOutcome,
    CheckResponse, Unavailable, Validator, Verifier, audit,
};
pub use http::{
    Body, CallResult, Endpoint, HttpResponse, RelevantHeaders, TransportError, TransportErrorKind,
};
pub use policy::RetryPolicy;
pub use ports::{Clock, GithubApi, HotkeyList, PatStore, Registry, StoreError, error_chain};
pub use secrecy::{ExposeSecret, SecretString};
pub use store::{Hotkey, SaveOutcome, StoredPat, Uid};
pub use time::UnixTime;
pub use token::{Token, TokenError};
pub use verdict::{GithubId, Identity, TokenInfo, Verdict, VerdictKind, Viewer};
pub use verification::{
    Halted, IdentityKnown, Request, SendRequest, Stage, Step, Verification, VerifyReport, Wait,
};
