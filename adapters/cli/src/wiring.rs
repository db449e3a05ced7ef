//! Building the ports from the command line: the real GitHub client, the real clock, the
//! JSON store and the registry. Every command gets its adapters here, so "which real thing
//! stands behind which port" is answered in one place.

use std::path::Path;
use std::time::Duration;

use pat_verdict::DEFAULT_DEADLINE;
use pat_verdict::{Hotkey, HotkeyList, RetryPolicy, Validator, Verifier};
use pat_verdict_json_store::{ENV_VAR, JsonStore, resolve_path};
use pat_verdict_system_clock::SystemClock;
use pat_verdict_ureq_http::UreqGithub;

use crate::args::{Common, MinerArgs, StoreArgs};
use crate::exit::Failure;

/// The verifier every command uses: GitHub over ureq, the machine's clock.
pub type CliVerifier = Verifier<UreqGithub, SystemClock>;

/// The validator `check`, `broadcast` and `demo` drive.
pub type CliValidator = Validator<UreqGithub, JsonStore, HotkeyList, SystemClock>;

/// The retry policy with `--timeout` as its deadline, else `default`.
#[must_use]
pub fn policy(timeout: Option<Duration>, default: Duration) -> RetryPolicy {
    RetryPolicy::with_deadline(timeout.unwrap_or(default))
}

/// The GitHub client for `api_url`.
///
/// # Errors
///
/// [`Failure::Usage`] when the URL cannot be used (not http(s), no host, …).
pub fn github(api_url: &str) -> Result<UreqGithub, Failure> {
    UreqGithub::new(api_url).map_err(|error| Failure::Usage(format!("--api-url: {error}")))
}

/// The verifier for the common flags, with the default 12 s deadline unless `--timeout`.
///
/// # Errors
///
/// As [`github`].
pub fn verifier(common: &Common) -> Result<CliVerifier, Failure> {
    Ok(Verifier::new(
        github(&common.api_url)?,
        SystemClock::new(),
        policy(common.timeout, DEFAULT_DEADLINE),
    ))
}

/// The store `--store` names, else `$GITTENSOR_MINER_PATS_FILE`, else
/// `data/miner_pats.json` (SPEC §7). Opening never fails: a missing file is an empty store,
/// and an unreadable one is reported by each operation, so the handlers can answer "store
/// unavailable" instead of the CLI refusing to start.
#[must_use]
pub fn store(args: &StoreArgs) -> JsonStore {
    let path = resolve_path(args.store.clone(), std::env::var_os(ENV_VAR));
    tracing::debug!(store = %path.display(), "using the PAT store");
    JsonStore::new(path)
}

/// The registry from `--hotkeys`: a JSON array of hotkey strings, index = uid.
///
/// # Errors
///
/// [`Failure::Usage`] when the file cannot be read or is not such an array: without the
/// registry no answer would mean anything, and the operator must fix the flag.
pub fn hotkeys(path: &Path) -> Result<HotkeyList, Failure> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        Failure::Usage(format!("cannot read --hotkeys {}: {error}", path.display()))
    })?;
    let hotkeys: Vec<String> = serde_json::from_str(&text).map_err(|error| {
        Failure::Usage(format!(
            "--hotkeys {} is not a JSON array of hotkey strings: {error}",
            path.display()
        ))
    })?;
    tracing::debug!(hotkeys = hotkeys.len(), "read the registry");
    Ok(HotkeyList::new(
        hotkeys.into_iter().map(Hotkey::new).collect(),
    ))
}

/// The validator for `check` and `broadcast`.
///
/// # Errors
///
/// As [`github`] and [`hotkeys`].
pub fn validator(
    common: &Common,
    store_args: &StoreArgs,
    miner: &MinerArgs,
) -> Result<CliValidator, Failure> {
    let registry = hotkeys(&miner.hotkeys)?;
    Ok(Validator::new(
        verifier(common)?,
        store(store_args),
        registry,
    ))
}
