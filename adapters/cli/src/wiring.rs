//! Building the ports from the command line: the real GitHub client, the real clock, the
//! JSON store and the registry. Every command gets its adapters here, so "which real thing
//! stands behind which port" is answered in one place.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use pat_verdict::outage::OutageSettings;
use pat_verdict::verification::Plan;
use pat_verdict::{DEFAULT_DEADLINE, Hotkey, HotkeyList, RetryPolicy, Validator, Verifier};
use pat_verdict_json_store::{ENV_VAR, JsonStore, resolve_path};
use pat_verdict_system_clock::SystemClock;
use pat_verdict_ureq_http::{ClientError, UreqGithub};

use crate::args::{Common, MinerArgs, StoreArgs};
use crate::exit::Failure;

/// The verifier every command uses: GitHub over ureq, the machine's clock.
pub type CliVerifier = Verifier<UreqGithub, SystemClock>;

/// The validator `check`, `broadcast` and `demo` drive.
///
/// The store is the JSON store itself: an answer given because the store failed carries the
/// failure's kind (docs/contract.md §13), which is all the CLI decides from.
pub type CliValidator = Validator<UreqGithub, JsonStore, HotkeyList, SystemClock>;

/// The GitHub client for `--api-url` and `--ca-file`. Built before anything is sent, so a
/// bad URL is a usage error before any connection.
///
/// # Errors
///
/// [`Failure::Usage`] when the URL fails the strict parse (not http(s), no host, a port
/// outside 1–65535, credentials, a query, a fragment), or the CA file cannot be read or
/// holds no certificate.
pub fn github(common: &Common) -> Result<UreqGithub, Failure> {
    let mut builder = UreqGithub::builder(&common.api_url);
    if let Some(path) = &common.ca_file {
        builder = builder.ca_file(path);
    }
    builder.build().map_err(|error| match error {
        ClientError::ApiUrl(error) => {
            Failure::Usage(match error.meant(&common.api_url) {
                // The value is a bare host and port (nothing secret): say what it meant.
                Some(meant) => format!("--api-url: {error}: did you mean {meant}?"),
                None => format!("--api-url: {error}"),
            })
        }
        // The message already ends with the OS error; the chain would repeat it.
        ClientError::CaFileUnreadable { .. }
        | ClientError::CaFileInvalid { .. }
        | ClientError::CaFileEmpty { .. } => Failure::Usage(format!("--ca-file: {error}")),
    })
}

/// The verifier for the common flags, with the default 12 s deadline unless `--timeout`.
///
/// # Errors
///
/// As [`github`].
pub fn verifier(common: &Common) -> Result<CliVerifier, Failure> {
    Ok(Verifier::new(
        github(common)?,
        SystemClock::new(),
        RetryPolicy::with_deadline(common.timeout.unwrap_or(DEFAULT_DEADLINE)),
    )
    .with_outage(outage(common)?)
    .with_plan(plan(common)))
}

/// The verification's plan: `--one-call` makes it one GraphQL round trip (docs/contract.md
/// §11), else gittensor's two calls.
pub fn plan(common: &Common) -> Plan {
    if common.one_call {
        Plan::OneCall
    } else {
        Plan::TwoCalls
    }
}

/// The outage guard's settings: `--outage-threshold` and `--outage-cooldown`, else the
/// contract's defaults (docs/contract.md §10).
///
/// # Errors
///
/// Never today (the cool-down was checked by clap, any threshold is one); kept fallible so a
/// setting the core refuses is a usage error, not a panic.
pub fn outage(common: &Common) -> Result<OutageSettings, Failure> {
    let defaults = OutageSettings::default();
    OutageSettings::new(
        common.outage_threshold.unwrap_or(defaults.threshold()),
        common.outage_cooldown.unwrap_or(defaults.cooldown()),
    )
    .map_err(|error| Failure::Usage(error.to_string()))
}

/// The store `--store` names, else `$GITTENSOR_MINER_PATS_FILE`, else
/// `data/miner_pats.json` (docs/contract.md §7), waiting for a lock another process holds at most
/// `--timeout` (else the default deadline, docs/contract.md §7: the store answers within the verdict's
/// deadline). Opening never fails: a missing file is an empty store, and an unreadable one is
/// reported by each operation, so the handlers can answer "store unavailable" instead of the
/// CLI refusing to start.
#[must_use]
pub fn store(args: &StoreArgs, timeout: Option<Duration>) -> JsonStore {
    let path = resolve_path(args.store.clone(), std::env::var_os(ENV_VAR));
    let wait = timeout.unwrap_or(DEFAULT_DEADLINE);
    tracing::debug!(store = %path.display(), lock_wait = ?wait, "using the PAT store");
    JsonStore::new(path).with_lock_wait(wait)
}

/// The largest `--hotkeys` file read: a subnet's hotkey list is well under a megabyte, and a
/// cap keeps a wrong path (`/dev/zero`) from eating memory.
pub const MAX_HOTKEYS_BYTES: u64 = 64 * 1024 * 1024;

/// The registry from `--hotkeys` (a JSON array of hotkey strings, index = uid) and its length.
///
/// # Errors
///
/// [`Failure::Usage`] when the file cannot be read, is larger than [`MAX_HOTKEYS_BYTES`] or is
/// not such an array: without the registry no answer would mean anything, and the operator
/// must fix the flag.
pub fn hotkeys(path: &Path) -> Result<(HotkeyList, usize), Failure> {
    let unreadable =
        |error| Failure::Usage(format!("cannot read --hotkeys {}: {error}", path.display()));
    let file = std::fs::File::open(path).map_err(|error| {
        // `--hotkeys '["5F…"]'`: the list itself where its file belongs.
        let text = path.to_string_lossy();
        if error.kind() == std::io::ErrorKind::NotFound && text.trim_start().starts_with('[') {
            Failure::Usage(
                "--hotkeys takes a file path: put the JSON array of hotkeys in a file \
                 (`echo '[\"5F…\"]' > hotkeys.json`) and give its path"
                    .to_owned(),
            )
        } else {
            unreadable(error)
        }
    })?;
    // Read at most one byte past the cap, so memory stays bounded whatever the file is.
    let mut bytes = Vec::new();
    file.take(MAX_HOTKEYS_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_HOTKEYS_BYTES {
        return Err(Failure::Usage(format!(
            "--hotkeys {} is larger than {} MiB: not a hotkey list",
            path.display(),
            MAX_HOTKEYS_BYTES / (1024 * 1024)
        )));
    }
    let text = String::from_utf8(bytes).map_err(|error| {
        Failure::Usage(format!(
            "--hotkeys {} is not UTF-8 text (byte {})",
            path.display(),
            error.utf8_error().valid_up_to()
        ))
    })?;
    let hotkeys: Vec<String> = serde_json::from_str(&text).map_err(|error| {
        Failure::Usage(format!(
            "--hotkeys {} is not a JSON array of hotkey strings: {error}",
            path.display()
        ))
    })?;
    let count = hotkeys.len();
    tracing::debug!(hotkeys = count, "read the registry");
    Ok((
        HotkeyList::new(hotkeys.into_iter().map(Hotkey::new).collect()),
        count,
    ))
}

/// The validator for `check` and `broadcast`, and how many hotkeys its registry holds (for
/// telling people that a hotkey is not among them).
///
/// # Errors
///
/// As [`github`] and [`hotkeys`].
pub fn validator(
    common: &Common,
    store_args: &StoreArgs,
    miner: &MinerArgs,
) -> Result<(CliValidator, usize), Failure> {
    let (registry, count) = hotkeys(&miner.hotkeys)?;
    Ok((
        Validator::new(
            verifier(common)?,
            store(store_args, common.timeout),
            registry,
        ),
        count,
    ))
}
