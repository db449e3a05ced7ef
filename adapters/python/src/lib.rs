//! `pat_verdict` for Python: the decision core and its real adapters as a Python extension
//! (PyO3, built by maturin into an abi3 wheel), so a Bittensor validator written in Python
//! can judge PATs — or hand its whole PAT endpoints over — without shelling out to the CLI.
//!
//! A driving adapter, like the CLI: it wires the core to the ureq client, the JSON store and
//! the system clock ([`wiring`]), converts between Python and the core ([`convert`],
//! [`json`]) and decides nothing. The Python surface (docs/contract.md §9):
//!
//! - `classify_test_query` / `classify_identity`: the pure classifiers, for hosts that keep
//!   their own HTTP client (`requests`, `aiohttp`). No I/O, no GIL release needed.
//! - `Verification` ([`machine`]): the core's step-by-step machine, for hosts that keep their
//!   own HTTP client but want the whole verification (retries, deadline, pin point) decided.
//! - `Verifier`: `verify` (releases the GIL for the whole call) and `averify` (an awaitable
//!   on the shared tokio runtime; the event loop never waits).
//! - `Validator`: `check`, `broadcast`, `audit` and their `a…` forms over `miner_pats.json`.
//! - `Verdict`, `CheckResponse`, `BroadcastResponse`, `AuditRow`: frozen value objects.
//!
//! Bad arguments raise `ValueError` (a wrong type `TypeError`); an outage or a store failure
//! is an answer, never an exception — except for `audit`, which has no answer to carry a
//! store it cannot read and raises `StoreUnavailableError` (an `OSError`).

#![forbid(unsafe_code)]

mod convert;
mod json;
mod machine;
mod types;
mod wiring;

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;

use crate::types::{AuditRow, BroadcastResponse, CheckResponse, Verdict};
use crate::wiring::{CoreValidator, CoreVerifier, LiveHotkeys, Settings};

pyo3::create_exception!(
    pat_verdict,
    StoreUnavailableError,
    PyOSError,
    "The PAT store could not be read, so `Validator.audit` had nothing to audit. Retry later; \
     the message names the file and the cause."
);

/// Classifies the test query (`POST /graphql`, docs/contract.md §2) from what the host's own HTTP client
/// got back: exactly one of `status` or `transport_error`.
///
/// Positional here; `pat_verdict.classify_test_query` is the keyword-only face. The stable
/// ABI of CPython 3.9 has no fast calls and no borrowed UTF-8 of a `str`, so every keyword
/// argument costs a conversion of its name: a Python wrapper passing them by position is
/// several times cheaper than keywords into Rust (see the README's performance table).
#[pyfunction(name = "_classify_test_query")]
#[pyo3(signature = (status, body, headers, transport_error, now, /))]
fn classify_test_query(
    status: Option<&Bound<'_, PyAny>>,
    body: Option<&Bound<'_, PyAny>>,
    headers: Option<&Bound<'_, PyAny>>,
    transport_error: Option<&Bound<'_, PyAny>>,
    now: Option<f64>,
) -> PyResult<Verdict> {
    let (result, now) = call(status, body, headers, transport_error, now)?;
    Ok(convert::classify_test_query(&result, now))
}

/// Classifies the identity lookup (`GET /user`, docs/contract.md §3) from what the host's own HTTP
/// client got back: exactly one of `status` or `transport_error`. Positional, as
/// [`classify_test_query`].
#[pyfunction(name = "_classify_identity")]
#[pyo3(signature = (status, body, headers, transport_error, now, /))]
fn classify_identity(
    status: Option<&Bound<'_, PyAny>>,
    body: Option<&Bound<'_, PyAny>>,
    headers: Option<&Bound<'_, PyAny>>,
    transport_error: Option<&Bound<'_, PyAny>>,
    now: Option<f64>,
) -> PyResult<Verdict> {
    let (result, now) = call(status, body, headers, transport_error, now)?;
    Ok(convert::classify_identity(&result, now))
}

/// What a host's client got back, converted for the core, and the wall time (`now`, default
/// the machine's clock): shared by the classifiers and `Verification.receive`.
pub(crate) fn call(
    status: Option<&Bound<'_, PyAny>>,
    body: Option<&Bound<'_, PyAny>>,
    headers: Option<&Bound<'_, PyAny>>,
    transport_error: Option<&Bound<'_, PyAny>>,
    now: Option<f64>,
) -> PyResult<(pat_verdict::CallResult, pat_verdict::UnixTime)> {
    let transport_error = match transport_error {
        Some(text) => Some(
            text.cast::<pyo3::types::PyString>()
                .map_err(|_| {
                    pyo3::exceptions::PyTypeError::new_err("transport_error must be a str")
                })?
                .to_cow()?,
        ),
        None => None,
    };
    let status = status.map(convert::status).transpose()?;
    let result = convert::call_result(status, body, headers, transport_error.as_deref())?;
    let now = match now {
        Some(now) => convert::unix_time(now)?,
        None => wiring::now(),
    };
    Ok((result, now))
}

/// Judges PATs against GitHub: the token pre-check, the identity lookup and the test query,
/// with retries inside one deadline (docs/contract.md §4–§5).
#[pyclass(frozen, module = "pat_verdict", name = "Verifier")]
struct Verifier {
    core: Arc<CoreVerifier>,
    settings: Settings,
}

#[pymethods]
impl Verifier {
    #[new]
    #[pyo3(signature = (api_url=wiring::DEFAULT_API_URL.to_owned(), *, timeout=12.0, attempts=3, ca_file=None))]
    fn new(
        api_url: String,
        timeout: f64,
        attempts: i64,
        ca_file: Option<PathBuf>,
    ) -> PyResult<Self> {
        wiring::runtime()?;
        let settings = wiring::settings(&api_url, timeout, attempts, ca_file.as_deref())?;
        Ok(Self {
            core: Arc::new(wiring::verifier(&settings)?),
            settings,
        })
    }

    /// Verifies one PAT. Blocks the calling thread, not the interpreter: other Python threads
    /// run meanwhile.
    fn verify(&self, py: Python<'_>, token: String) -> PyResult<Verdict> {
        let runtime = wiring::runtime()?;
        let (core, pat) = (Arc::clone(&self.core), token.into());
        Ok(py.detach(move || runtime.block_on(wiring::verify(core, pat))))
    }

    /// Verifies one PAT on the shared runtime; the event loop never waits on it.
    fn averify<'py>(&self, py: Python<'py>, token: String) -> PyResult<Bound<'py, PyAny>> {
        wiring::runtime()?;
        let (core, pat) = (Arc::clone(&self.core), token.into());
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            Ok(wiring::verify(core, pat).await)
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Verifier(api_url={}, timeout={:?}, attempts={})",
            pyo3::types::PyString::new(py, &self.settings.api_url).repr()?,
            self.settings.timeout,
            self.settings.attempts
        ))
    }
}

/// A validator's two PAT endpoints (docs/contract.md §6) over its `miner_pats.json` (docs/contract.md §7), plus the
/// audit of every stored PAT.
#[pyclass(frozen, module = "pat_verdict", name = "Validator")]
struct Validator {
    core: Arc<CoreValidator>,
    hotkeys: Arc<LiveHotkeys>,
    store: PathBuf,
    settings: Settings,
}

#[pymethods]
impl Validator {
    #[new]
    #[pyo3(signature = (store, hotkeys, *, api_url=wiring::DEFAULT_API_URL.to_owned(), timeout=12.0, ca_file=None))]
    fn new(
        store: PathBuf,
        hotkeys: Vec<String>,
        api_url: String,
        timeout: f64,
        ca_file: Option<PathBuf>,
    ) -> PyResult<Self> {
        wiring::runtime()?;
        let max_attempts = 3;
        let settings = wiring::settings(&api_url, timeout, max_attempts, ca_file.as_deref())?;
        let hotkeys = Arc::new(LiveHotkeys::new(hotkeys));
        let core = wiring::validator(&settings, store.clone(), Arc::clone(&hotkeys))?;
        Ok(Self {
            core: Arc::new(core),
            hotkeys,
            store,
            settings,
        })
    }

    /// The subnet's hotkeys in uid order (index = uid).
    #[getter]
    fn hotkeys(&self) -> Vec<String> {
        self.hotkeys.get()
    }

    /// Replaces the registry (the metagraph changed); calls in flight keep the list they
    /// started with.
    #[setter]
    fn set_hotkeys(&self, hotkeys: Vec<String>) {
        self.hotkeys.set(hotkeys);
    }

    /// *check*: does the validator hold this miner's PAT, and does it still work?
    fn check(&self, py: Python<'_>, hotkey: String) -> PyResult<CheckResponse> {
        let runtime = wiring::runtime()?;
        let core = Arc::clone(&self.core);
        Ok(py.detach(move || runtime.block_on(wiring::check(core, hotkey))))
    }

    /// *check*, awaitable.
    fn acheck<'py>(&self, py: Python<'py>, hotkey: String) -> PyResult<Bound<'py, PyAny>> {
        wiring::runtime()?;
        let core = Arc::clone(&self.core);
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            Ok(wiring::check(core, hotkey).await)
        })
    }

    /// *broadcast*: verify a miner's PAT, learn and pin its account, store it.
    fn broadcast(
        &self,
        py: Python<'_>,
        hotkey: String,
        pat: String,
    ) -> PyResult<BroadcastResponse> {
        let runtime = wiring::runtime()?;
        let (core, pat) = (Arc::clone(&self.core), pat.into());
        Ok(py.detach(move || runtime.block_on(wiring::broadcast(core, hotkey, pat))))
    }

    /// *broadcast*, awaitable.
    fn abroadcast<'py>(
        &self,
        py: Python<'py>,
        hotkey: String,
        pat: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        wiring::runtime()?;
        let (core, pat) = (Arc::clone(&self.core), pat.into());
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            Ok(wiring::broadcast(core, hotkey, pat).await)
        })
    }

    /// Re-verifies every stored PAT, `concurrency` at a time; rows in uid order.
    #[pyo3(signature = (concurrency=16))]
    fn audit(&self, py: Python<'_>, concurrency: i64) -> PyResult<Vec<AuditRow>> {
        let concurrency = concurrency_of(concurrency)?;
        let runtime = wiring::runtime()?;
        let core = Arc::clone(&self.core);
        py.detach(move || runtime.block_on(wiring::audit(core, concurrency)))
            .map_err(|error| StoreUnavailableError::new_err(error.0))
    }

    /// The audit, awaitable.
    #[pyo3(signature = (concurrency=16))]
    fn aaudit<'py>(&self, py: Python<'py>, concurrency: i64) -> PyResult<Bound<'py, PyAny>> {
        let concurrency = concurrency_of(concurrency)?;
        wiring::runtime()?;
        let core = Arc::clone(&self.core);
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            wiring::audit(core, concurrency)
                .await
                .map_err(|error| StoreUnavailableError::new_err(error.0))
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Validator(store={}, hotkeys=<{} hotkeys>, api_url={}, timeout={:?})",
            pyo3::types::PyString::new(py, &self.store.display().to_string()).repr()?,
            self.hotkeys.get().len(),
            pyo3::types::PyString::new(py, &self.settings.api_url).repr()?,
            self.settings.timeout,
        ))
    }
}

fn concurrency_of(concurrency: i64) -> PyResult<usize> {
    usize::try_from(concurrency)
        .ok()
        .filter(|concurrency| *concurrency >= 1)
        .ok_or_else(|| {
            PyValueError::new_err(format!("concurrency must be at least 1, not {concurrency}"))
        })
}

/// The extension module `pat_verdict._pat_verdict`; `pat_verdict` re-exports it.
#[pymodule]
fn _pat_verdict(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<Verdict>()?;
    module.add_class::<CheckResponse>()?;
    module.add_class::<BroadcastResponse>()?;
    module.add_class::<AuditRow>()?;
    module.add_class::<Verifier>()?;
    module.add_class::<Validator>()?;
    module.add_class::<machine::Verification>()?;
    module.add_class::<machine::SendStep>()?;
    module.add_class::<machine::WaitStep>()?;
    module.add_class::<machine::IdentityStep>()?;
    module.add_class::<machine::DoneStep>()?;
    module.add_class::<machine::HaltedStep>()?;
    module.add_function(wrap_pyfunction!(classify_test_query, module)?)?;
    module.add_function(wrap_pyfunction!(classify_identity, module)?)?;
    module.add(
        "StoreUnavailableError",
        module.py().get_type::<StoreUnavailableError>(),
    )?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    module.add("BLOCKING_THREADS", wiring::BLOCKING_THREADS)?;
    Ok(())
}
