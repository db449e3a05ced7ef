//! Which real thing stands behind which port, for Python: GitHub over the ureq adapter, the
//! machine's clock, `miner_pats.json` through the JSON store, a registry Python can replace,
//! and one shared tokio runtime that every call, blocking or awaited, runs on.
//!
//! This file and [`crate::convert`] are the only ones that name the core's API.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use std::time::Duration;

use futures::StreamExt;
use pat_verdict::error_chain;
use pat_verdict::{
    Hotkey, HotkeyList, PatStore, Registry, RetryPolicy, SecretString, Uid, VerifyReport,
};
use pat_verdict_json_store::JsonStore;
use pat_verdict_system_clock::SystemClock;
use pat_verdict_ureq_http::{ClientError, UreqGithub};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use tokio::runtime::Runtime;

use crate::convert;
use crate::types::{AuditRow, BroadcastResponse, CheckResponse, Verdict};

/// The GitHub API root when none is given.
pub(crate) const DEFAULT_API_URL: &str = pat_verdict::DEFAULT_API_URL;

/// Threads of the blocking pool that every HTTP call and store operation runs on (the ureq
/// adapter and the JSON store use `spawn_blocking`). Tokio's default is 512; a bound keeps
/// hundreds of concurrent `averify` calls to a bounded number of OS threads — extra calls
/// wait their turn inside the runtime, not in a thread of their own.
pub(crate) const BLOCKING_THREADS: usize = 64;

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

/// The one runtime of the process, built on first use and handed to `pyo3-async-runtimes`
/// so awaited calls run on it too.
///
/// # Errors
///
/// `RuntimeError` when the operating system refuses the runtime's threads.
pub(crate) fn runtime() -> PyResult<&'static Runtime> {
    if let Some(runtime) = RUNTIME.get() {
        return Ok(runtime);
    }
    let built = tokio::runtime::Builder::new_multi_thread()
        .thread_name("pat-verdict")
        .max_blocking_threads(BLOCKING_THREADS)
        .enable_all()
        .build()
        .map_err(|error| {
            PyRuntimeError::new_err(format!("cannot start pat_verdict's runtime: {error}"))
        })?;
    let runtime = RUNTIME.get_or_init(|| built);
    // Already set only if this very runtime was handed over before.
    let _ = pyo3_async_runtimes::tokio::init_with_runtime(runtime);
    Ok(runtime)
}

/// What `Verifier` and `Validator` are configured with, checked.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub(crate) api_url: String,
    pub(crate) timeout: f64,
    pub(crate) attempts: u32,
    pub(crate) ca_file: Option<PathBuf>,
}

/// Checks the options shared by `Verifier` and `Validator`.
///
/// # Errors
///
/// `ValueError` naming the bad option: `timeout` outside (0, 3600] seconds, `attempts`
/// outside 1–3 (docs/contract.md §4: at most three attempts per call), a `ca_file` that is not a readable
/// file.
pub(crate) fn settings(
    api_url: &str,
    timeout: f64,
    attempts: i64,
    ca_file: Option<&Path>,
) -> PyResult<Settings> {
    if !(timeout.is_finite() && timeout > 0.0 && timeout <= 3600.0) {
        return Err(PyValueError::new_err(format!(
            "timeout must be more than 0 and at most 3600 seconds, not {timeout}"
        )));
    }
    let max = i64::from(RetryPolicy::default().max_attempts);
    let attempts = u32::try_from(attempts)
        .ok()
        .filter(|attempts| (1..=max).contains(&i64::from(*attempts)))
        .ok_or_else(|| {
            PyValueError::new_err(format!("attempts must be from 1 to {max}, not {attempts}"))
        })?;
    if let Some(path) = ca_file {
        check_ca_file(path)?;
    }
    Ok(Settings {
        api_url: api_url.to_owned(),
        timeout,
        attempts,
        ca_file: ca_file.map(Path::to_path_buf),
    })
}

/// A CA file must be a file this process can read; its contents are the adapter's to judge.
fn check_ca_file(path: &Path) -> PyResult<()> {
    std::fs::metadata(path)
        .and_then(|meta| {
            if meta.is_file() {
                std::fs::File::open(path).map(drop)
            } else {
                Err(std::io::Error::other("not a regular file"))
            }
        })
        .map_err(|error| {
            PyValueError::new_err(format!(
                "ca_file {} cannot be used: {error}",
                path.display()
            ))
        })
}

/// The GitHub client for `settings`.
///
/// # Errors
///
/// `ValueError` for an API URL the adapter refuses.
fn github(settings: &Settings) -> PyResult<UreqGithub> {
    // The adapter parses the URL strictly (port, credentials, query, fragment) and reads the
    // CA file; its errors never repeat the URL, which may hold a credential.
    let mut builder = UreqGithub::builder(&settings.api_url);
    if let Some(ca_file) = &settings.ca_file {
        builder = builder.ca_file(ca_file.clone());
    }
    let github = builder.build().map_err(|error| match error {
        ClientError::ApiUrl(_) => PyValueError::new_err(format!("api_url: {error}")),
        ClientError::CaFileUnreadable { .. }
        | ClientError::CaFileInvalid { .. }
        | ClientError::CaFileEmpty { .. } => PyValueError::new_err(format!("ca_file: {error}")),
    })?;
    Ok(github)
}

/// The retry policy of `settings`: the core's defaults with its deadline and attempts.
pub(crate) fn policy(settings: &Settings) -> RetryPolicy {
    RetryPolicy {
        max_attempts: settings.attempts,
        ..RetryPolicy::with_deadline(Duration::from_secs_f64(settings.timeout))
    }
}

/// The core's verifier over the real adapters.
pub(crate) type CoreVerifier = pat_verdict::Verifier<UreqGithub, SystemClock>;

/// The core's validator over the real adapters and the registry Python sets.
pub(crate) type CoreValidator =
    pat_verdict::Validator<UreqGithub, JsonStore, Arc<LiveHotkeys>, SystemClock>;

/// A verifier for `settings`.
///
/// # Errors
///
/// As [`github`].
pub(crate) fn verifier(settings: &Settings) -> PyResult<CoreVerifier> {
    Ok(pat_verdict::Verifier::new(
        github(settings)?,
        SystemClock::new(),
        policy(settings),
    ))
}

/// A validator over the store file at `store` and `hotkeys`.
///
/// # Errors
///
/// As [`github`].
pub(crate) fn validator(
    settings: &Settings,
    store: PathBuf,
    hotkeys: Arc<LiveHotkeys>,
) -> PyResult<CoreValidator> {
    Ok(pat_verdict::Validator::new(
        verifier(settings)?,
        JsonStore::new(store),
        hotkeys,
    ))
}

/// The subnet's registry as Python last set it (the metagraph changes): index = uid.
#[derive(Debug, Default)]
pub(crate) struct LiveHotkeys(RwLock<(Vec<String>, HotkeyList)>);

impl LiveHotkeys {
    /// A registry of `hotkeys` in uid order.
    pub(crate) fn new(hotkeys: Vec<String>) -> Self {
        let live = Self::default();
        live.set(hotkeys);
        live
    }

    /// Replaces the whole list at once; calls in flight see the old or the new one.
    pub(crate) fn set(&self, hotkeys: Vec<String>) {
        let list = HotkeyList::new(hotkeys.iter().cloned().map(Hotkey::new).collect());
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = (hotkeys, list);
    }

    /// The list as set.
    pub(crate) fn get(&self) -> Vec<String> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .0
            .clone()
    }
}

impl Registry for LiveHotkeys {
    fn uid_of(&self, hotkey: &Hotkey) -> Option<Uid> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .1
            .uid_of(hotkey)
    }
}

// ---- the calls, as futures that own what they need (so they can run on any thread) ----

/// Verifies `pat` (pre-check, identity, test query).
pub(crate) async fn verify(verifier: Arc<CoreVerifier>, pat: SecretString) -> Verdict {
    let report = verifier.verify(&pat).await;
    convert::report_verdict(&report)
}

/// The check endpoint.
pub(crate) async fn check(validator: Arc<CoreValidator>, hotkey: String) -> CheckResponse {
    convert::check_response(&validator.check(&Hotkey::new(hotkey)).await.into())
}

/// The broadcast endpoint.
pub(crate) async fn broadcast(
    validator: Arc<CoreValidator>,
    hotkey: String,
    pat: SecretString,
) -> BroadcastResponse {
    convert::broadcast_response(&validator.broadcast(&Hotkey::new(hotkey), &pat).await.into())
}

/// Why an audit could not run: the store could not be read as a whole.
#[derive(Debug)]
pub(crate) struct StoreUnavailable(pub(crate) String);

/// Re-verifies every stored PAT, at most `concurrency` at once; rows in uid order.
///
/// Each entry goes through the verifier's `verify`, which is what the core's `audit` does per
/// entry; it is driven here only because the core's audit row keeps the verdict's kind and
/// reason but not its rate limit, wait and identity, which Python's `AuditRow.verdict` shows.
/// Every stored PAT re-verified through the core's verifier, `concurrency` at a time, rows
/// in uid order. The core's own `audit` rows keep only the verdict's kind and reason; a
/// Python host also wants `rate_limited` and `retry_after`, so each entry's whole report is
/// converted here. An entry the store cannot use (docs/contract.md §7) is a row of its own,
/// inconclusive with the store's reason, when it has a uid to name; one without a uid affects
/// no miner's answers and has no row.
pub(crate) async fn audit(
    validator: Arc<CoreValidator>,
    concurrency: usize,
) -> Result<Vec<AuditRow>, StoreUnavailable> {
    let listing = validator.store().listing().await.map_err(|error| {
        StoreUnavailable(format!(
            "cannot audit: the PAT store is unavailable ({})",
            error_chain(&error)
        ))
    })?;
    let verifier = validator.verifier();
    let mut rows: Vec<AuditRow> = futures::stream::iter(listing.entries)
        .map(|entry| async move {
            let report: VerifyReport = verifier.verify(&entry.pat).await;
            convert::audit_row(&entry, &report)
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    rows.extend(
        listing
            .unusable
            .iter()
            .filter_map(convert::unusable_audit_row),
    );
    rows.sort_by_key(|row| row.uid);
    Ok(rows)
}

/// Now, from the machine's clock: the default `now` of the classifiers.
pub(crate) fn now() -> pat_verdict::UnixTime {
    pat_verdict::Clock::wall(&SystemClock::new())
}
