//! Which real thing stands behind which port, for Python: GitHub over the ureq adapter (each
//! request traced, [`crate::trace`]), the machine's clock, `miner_pats.json` through the JSON
//! store and a registry Python can replace; and the calls, as futures that own what they need
//! and answer the core's own values (converting them and telling the log is the caller's).

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::StreamExt;
use pat_verdict::outage::{OutageSettings, OutageState};
use pat_verdict::verification::Plan;
use pat_verdict::{
    CheckCategory, Hotkey, HotkeyList, PatStore, Registry, RetryPolicy, SecretString, StoreError,
    Uid, VerifyResponse,
};
use pat_verdict_json_store::JsonStore;
use pat_verdict_system_clock::SystemClock;
use pat_verdict_ureq_http::{ClientError, UreqGithub};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::convert::{Count, Number};
use crate::trace::{Logged, Trail};

/// What `Verifier` and `Validator` are configured with, checked.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub(crate) api_url: String,
    pub(crate) timeout: f64,
    pub(crate) attempts: u32,
    pub(crate) ca_file: Option<PathBuf>,
    /// The outage guard's settings (docs/contract.md §10): kept here so a core rebuilt in a
    /// forked child guards as the parent's did.
    pub(crate) outage: OutageSettings,
    /// Two calls per verdict or `one_call=True`'s one (docs/contract.md §11), kept for the
    /// same reason.
    pub(crate) plan: Plan,
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
    timeout: &Number,
    attempts: &Count,
    ca_file: Option<&Path>,
) -> PyResult<Settings> {
    pat_verdict::deadline_from_secs(timeout.value).map_err(|_| {
        PyValueError::new_err(format!(
            "timeout must be more than 0 and at most {} seconds, not {timeout}",
            pat_verdict::MAX_DEADLINE.as_secs()
        ))
    })?;
    let max = i64::from(RetryPolicy::default().max_attempts);
    let attempts = u32::try_from(attempts.value)
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
        timeout: timeout.value,
        attempts,
        ca_file: ca_file.map(Path::to_path_buf),
        outage: OutageSettings::default(),
        plan: Plan::TwoCalls,
    })
}

/// The outage guard's settings from `outage_threshold` and `outage_cooldown` (the Python
/// wrapper has checked their types): any threshold a `u32` holds, `0` turning the guard off.
///
/// # Errors
///
/// `ValueError` for a threshold a `u32` does not hold, with the core's words for a cool-down
/// outside (0, 600] seconds.
pub(crate) fn outage(threshold: &Count, cooldown: &Number) -> PyResult<OutageSettings> {
    let threshold = u32::try_from(threshold.value).map_err(|_| {
        PyValueError::new_err(format!(
            "outage_threshold must be from 0 (the guard off) to {}, not {threshold}",
            u32::MAX
        ))
    })?;
    pat_verdict::outage::outage_cooldown_from_secs(cooldown.value)
        .and_then(|cooldown| OutageSettings::new(threshold, cooldown))
        .map_err(|error| PyValueError::new_err(error.to_string()))
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
        // The core says what a scheme-less URL meant, as the CLI's `--api-url` does.
        ClientError::ApiUrl(kind) => PyValueError::new_err(match kind.meant(&settings.api_url) {
            Some(meant) => format!("api_url: {error}: did you mean {meant}?"),
            None => format!("api_url: {error}"),
        }),
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
pub(crate) type CoreVerifier = pat_verdict::Verifier<Logged<UreqGithub>, SystemClock>;

/// The core's validator over the real adapters and the registry Python sets.
pub(crate) type CoreValidator =
    pat_verdict::Validator<Logged<UreqGithub>, JsonStore, Arc<LiveHotkeys>, SystemClock>;

/// A verifier for `settings`, with its own outage guard and counters: every call through
/// it shares them (docs/contract.md §10).
///
/// # Errors
///
/// As [`github`].
pub(crate) fn verifier(settings: &Settings) -> PyResult<CoreVerifier> {
    Ok(pat_verdict::Verifier::new(
        Logged(github(settings)?),
        SystemClock::new(),
        policy(settings),
    )
    .with_outage(settings.outage)
    .with_plan(settings.plan))
}

/// The plan `one_call` asks for (docs/contract.md §11).
pub(crate) const fn plan(one_call: bool) -> Plan {
    if one_call {
        Plan::OneCall
    } else {
        Plan::TwoCalls
    }
}

/// What a call tells the log about the guard: how many times it has opened so far and its
/// state now (read after the call, so an opening during the call shows).
pub(crate) fn guard_news(verifier: &CoreVerifier) -> (u64, Option<OutageState>) {
    (verifier.counters().guard_opened(), verifier.outage())
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

/// The subnet's hotkeys as Python set them (index = uid), with the core's lookup over them.
/// Immutable once built: a change of the metagraph is a new one, swapped in whole.
#[derive(Debug)]
pub(crate) struct Hotkeys {
    list: Vec<String>,
    lookup: HotkeyList,
}

impl Hotkeys {
    /// The registry of `hotkeys` in uid order.
    pub(crate) fn new(hotkeys: Vec<String>) -> Self {
        let lookup = HotkeyList::new(hotkeys.iter().cloned().map(Hotkey::new).collect());
        Self {
            list: hotkeys,
            lookup,
        }
    }

    /// The hotkeys in uid order, as set.
    pub(crate) fn list(&self) -> &[String] {
        &self.list
    }
}

/// The registry the runtime's calls read, in one process: the [`Hotkeys`] last set.
///
/// The lock is held only to take or swap the `Arc` — never during a lookup, and never by a
/// thread waiting for the GIL — and a process forked from this one never touches it: a
/// `_Validator` builds a registry of its own in the child (`lib.rs`, `ForkLocal`), since a
/// runtime thread of the parent may hold this lock at the fork and that thread does not
/// exist in the child.
#[derive(Debug)]
pub(crate) struct LiveHotkeys(Mutex<Arc<Hotkeys>>);

impl LiveHotkeys {
    /// A registry that reads `hotkeys` until [`LiveHotkeys::set`].
    pub(crate) fn new(hotkeys: Arc<Hotkeys>) -> Self {
        Self(Mutex::new(hotkeys))
    }

    /// Replaces the whole registry at once; calls in flight see the old or the new one. The
    /// old one is dropped after the lock is released (a million hotkeys take a while).
    pub(crate) fn set(&self, hotkeys: Arc<Hotkeys>) {
        let old = std::mem::replace(&mut *self.current(), hotkeys);
        drop(old);
    }

    fn current(&self) -> std::sync::MutexGuard<'_, Arc<Hotkeys>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Registry for LiveHotkeys {
    fn uid_of(&self, hotkey: &Hotkey) -> Option<Uid> {
        // The lookup runs on a snapshot, outside the lock.
        let hotkeys = Arc::clone(&self.current());
        hotkeys.lookup.uid_of(hotkey)
    }
}

// ---- the calls, as futures that own what they need (so they can run on any thread) ----

/// Verifies `pat` (pre-check, identity, test query); the verdict in its wire form.
pub(crate) async fn verify(verifier: Arc<CoreVerifier>, pat: SecretString) -> VerifyResponse {
    VerifyResponse::from(&verifier.verify(&pat).await)
}

/// The check endpoint. A store file that does not exist is an empty store (docs/contract.md
/// §7), so the answer is `no_pat`; its `detail` says the file does not exist yet, since a
/// typo in the path looks exactly like that — in the store's words, the CLI's too
/// ([`JsonStore::not_created_yet`]).
pub(crate) async fn check(
    validator: Arc<CoreValidator>,
    hotkey: Hotkey,
) -> pat_verdict::CheckResponse {
    let mut answer = pat_verdict::CheckResponse::from(validator.check(&hotkey).await);
    if answer.category == CheckCategory::NoPat && answer.detail.is_none() {
        answer.detail = validator.store().not_created_yet();
    }
    answer
}

/// The broadcast endpoint.
pub(crate) async fn broadcast(
    validator: Arc<CoreValidator>,
    hotkey: Hotkey,
    pat: SecretString,
) -> pat_verdict::BroadcastResponse {
    validator.broadcast(&hotkey, &pat).await.into()
}

/// Every stored PAT re-verified through the core's audit, `concurrency` at a time, each row
/// with what its verification did (`None` for an entry the store cannot use, which is the
/// core's row of its own, inconclusive with the store's reason), in the order they finished.
/// Each verification is traced on its own, so one entry's retries never look like another's.
///
/// # Errors
///
/// The store's failure, with its kind, path and OS error number: one of kind
/// [`Missing`](pat_verdict::StoreFailureKind::Missing) when the store file does not exist (an
/// audit of nothing is a typo in a path, not an audit), decided as every read decides
/// "missing".
pub(crate) async fn audit(
    validator: Arc<CoreValidator>,
    concurrency: NonZeroUsize,
) -> Result<Vec<(pat_verdict::AuditRow, Option<Trail>)>, StoreError> {
    let store = validator.store();
    store.require_file()?;
    let listing = store.listing().await?;
    let verifier = validator.verifier();
    Ok(pat_verdict::audit_with(listing, concurrency, |pat| {
        crate::trace::traced(async move { verifier.verify(&pat).await })
    })
    .collect()
    .await)
}

/// Now, from the machine's clock: the default `now` of the classifiers.
pub(crate) fn now() -> pat_verdict::UnixTime {
    pat_verdict::Clock::wall(&SystemClock::new())
}
