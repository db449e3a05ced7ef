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
//! - `_Verifier`, `_Validator`: the engines of the Python classes `Verifier` and `Validator`
//!   (`pat_verdict/__init__.py`, which checks arguments, makes the `a…` methods coroutine
//!   functions and logs). Every call is a task on the shared runtime ([`runtime`]): blocking
//!   calls wait for it answering Ctrl-C, awaited ones settle an asyncio future and are
//!   aborted on cancel; a process forked after first use rebuilds runtime and clients. Each
//!   call is traced ([`trace`]) and its log records built here, from its answer ([`log`]).
//!
//! The modules form a tree: this one uses every other; [`wiring`] uses [`trace`],
//! [`convert`]; [`machine`] uses [`convert`], [`types`], [`wiring`]; [`log`] uses [`trace`];
//! [`convert`] and [`types`] use [`json`]; [`runtime`], [`trace`] and [`json`] use nothing
//! of this crate.
//! - `Verdict`, `CheckResponse`, `BroadcastResponse`, `AuditRow`: frozen value objects.
//!
//! Bad arguments raise `ValueError` (a wrong type `TypeError`); an outage or a store failure
//! is an answer, never an exception — except for `audit`, which has no answer to carry a
//! store it cannot read: `FileNotFoundError` for a file that does not exist,
//! `StoreUnavailableError` (an `OSError`) for one that cannot be read.

#![forbid(unsafe_code)]

mod convert;
mod json;
mod log;
mod machine;
mod runtime;
mod trace;
mod types;
mod wiring;

use std::future::Future;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, PoisonError};

use pat_verdict::verification::Plan;
use pat_verdict::{Hotkey, Registry, RetryPolicy, StoreError, StoreFailureKind, error_chain};
use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyValueError};
use pyo3::prelude::*;

use crate::convert::{Count, Number};
use crate::log::{Caller, Records};
use crate::types::{AuditRow, BroadcastResponse, CheckResponse, OutageState, Verdict};
use crate::wiring::{CoreValidator, CoreVerifier, Hotkeys, LiveHotkeys, Settings};

pyo3::create_exception!(
    pat_verdict,
    StoreUnavailableError,
    PyOSError,
    "The PAT store could not be read, so `Validator.audit` had nothing to audit. Retry later; \
     the message names the file and the cause."
);

/// Classifies one call from what the host's own HTTP client got back: the identity lookup
/// (`GET /user`, docs/contract.md §3) when `identity`, else the test query (`POST /graphql`,
/// §2); exactly one of `status` or `transport_error`.
///
/// Positional here; `pat_verdict.classify_test_query` and `classify_identity` are the
/// keyword-only faces. The stable ABI of CPython 3.9 has no fast calls and no borrowed UTF-8
/// of a `str`, so every keyword argument costs a conversion of its name: a Python wrapper
/// passing them by position is several times cheaper than keywords into Rust (see the
/// README's performance table).
#[pyfunction(name = "_classify")]
#[pyo3(signature = (identity, status, body, headers, transport_error, now, /))]
fn classify(
    identity: bool,
    status: Option<&Bound<'_, PyAny>>,
    body: Option<&Bound<'_, PyAny>>,
    headers: Option<&Bound<'_, PyAny>>,
    transport_error: Option<&Bound<'_, PyAny>>,
    now: Option<convert::Number>,
) -> PyResult<Verdict> {
    let (result, now) = convert::host_answer(status, body, headers, transport_error, now, "now")?;
    let now = now.unwrap_or_else(wiring::now);
    Ok(if identity {
        convert::classify_identity(&result, now)
    } else {
        convert::classify_test_query(&result, now)
    })
}

/// What a `Verifier` or `Validator` wired up, rebuilt in a process forked after first use:
/// the parent's HTTP client (its pooled connections, its locks), its outage guard and
/// counters (the core's mutexes) and its registry (a lock the runtime's threads take) are
/// never shared with the child, where a lock held at the fork by one of the parent's threads
/// would stay held forever. The slot itself is only touched with the GIL held and never
/// across a release of it, so no thread holds it at a fork (which happens with the GIL held).
struct ForkLocal<T>(Mutex<(u32, Arc<T>)>);

impl<T> ForkLocal<T> {
    fn new(value: T) -> Self {
        Self::shared(Arc::new(value))
    }

    /// A slot holding `value`, which the caller shares with something else of this process.
    fn shared(value: Arc<T>) -> Self {
        Self(Mutex::new((std::process::id(), value)))
    }

    /// The value of this process, built again by `rebuild` in a forked child; the parent's
    /// is left alone, never dropped (its threads and locks are not in the child).
    fn get(&self, rebuild: impl FnOnce() -> PyResult<T>) -> PyResult<Arc<T>> {
        let mut slot = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let pid = std::process::id();
        if slot.0 != pid {
            let fresh = Arc::new(rebuild()?);
            std::mem::forget(std::mem::replace(&mut *slot, (pid, fresh)));
        }
        Ok(Arc::clone(&slot.1))
    }
}

/// The settings both engines take, one tuple as `pat_verdict/__init__.py` passes it (each
/// value checked there, in the order of the constructors' arguments): `(api_url, timeout,
/// attempts, ca_file, outage_threshold, outage_cooldown, one_call)`.
#[derive(FromPyObject)]
struct EngineSettings(
    Option<String>,
    Number,
    Count,
    Option<PathBuf>,
    Count,
    Number,
    bool,
);

impl EngineSettings {
    /// The settings, checked against their ranges (`ValueError`), once the runtime runs.
    fn build(self) -> PyResult<Settings> {
        let Self(api_url, timeout, attempts, ca_file, threshold, cooldown, one_call) = self;
        runtime::runtime()?;
        let api_url = api_url.unwrap_or_else(|| pat_verdict::DEFAULT_API_URL.to_owned());
        let mut settings = wiring::settings(&api_url, &timeout, &attempts, ca_file.as_deref())?;
        settings.outage = wiring::outage(&threshold, &cooldown)?;
        settings.plan = wiring::plan(one_call);
        Ok(settings)
    }
}

/// The engine of `pat_verdict.Verifier` (a Python class over this one: it checks the
/// arguments, makes `averify` a coroutine function and logs the records).
#[pyclass(frozen, module = "pat_verdict._pat_verdict", name = "_Verifier")]
struct Verifier {
    core: ForkLocal<CoreVerifier>,
    /// The guard's openings already logged, per process like the core (a forked child's
    /// guard starts closed, with its own count).
    openings: ForkLocal<AtomicU64>,
    settings: Settings,
}

impl Verifier {
    fn core(&self) -> PyResult<Arc<CoreVerifier>> {
        self.core.get(|| wiring::verifier(&self.settings))
    }

    fn openings(&self) -> PyResult<Arc<AtomicU64>> {
        self.openings.get(|| Ok(AtomicU64::new(0)))
    }
}

#[pymethods]
impl Verifier {
    #[new]
    #[pyo3(signature = (settings, /))]
    fn new(settings: EngineSettings) -> PyResult<Self> {
        let settings = settings.build()?;
        Ok(Self {
            core: ForkLocal::new(wiring::verifier(&settings)?),
            openings: ForkLocal::new(AtomicU64::new(0)),
            settings,
        })
    }

    /// Verifies one PAT, blocking with the GIL released; `(verdict, records)`.
    fn verify(&self, py: Python<'_>, token: String) -> PyResult<(Verdict, Records)> {
        runtime::block(py, verify_call(self.core()?, self.openings()?, token))
    }

    /// Starts verifying one PAT; `(verdict, records)` goes to `reply` when over.
    fn start_verify(&self, token: String, reply: runtime::Reply) -> PyResult<runtime::Call> {
        started(verify_call(self.core()?, self.openings()?, token), reply)
    }

    /// The outage guard's state; `None` while it is closed.
    fn outage(&self) -> PyResult<Option<OutageState>> {
        Ok(self.core()?.outage().map(OutageState::from))
    }

    /// The counters as a plain dict (the core's JSON form).
    fn metrics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        json::to_dict(py, &self.core()?.metrics_json())
    }

    /// The counters as Prometheus text format 0.0.4.
    fn metrics_text(&self) -> PyResult<String> {
        Ok(self.core()?.metrics_text())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Verifier(api_url={}, timeout={:?}, attempts={}, {})",
            pyo3::types::PyString::new(py, &self.settings.api_url).repr()?,
            self.settings.timeout,
            self.settings.attempts,
            outage_repr(&self.settings),
        ))
    }
}

/// One verification, traced, with its records.
async fn verify_call(
    core: Arc<CoreVerifier>,
    openings: Arc<AtomicU64>,
    token: String,
) -> (Verdict, Records) {
    let (verdict, trail) = trace::traced(wiring::verify(Arc::clone(&core), token.into())).await;
    let mut records = Records::new();
    log::verification("verify", &trail, &verdict, &mut records);
    log::guard(&openings, wiring::guard_news(&core), &mut records);
    (Verdict::from(&verdict), records)
}

/// The engine of `pat_verdict.Validator` (a Python class over this one, as `_Verifier`).
#[pyclass(frozen, module = "pat_verdict._pat_verdict", name = "_Validator")]
struct Validator {
    core: ForkLocal<CoreValidator>,
    /// As `_Verifier`'s: the guard's openings already logged in this process.
    openings: ForkLocal<AtomicU64>,
    /// The registry this process's calls read (the core holds the same one).
    registry: ForkLocal<LiveHotkeys>,
    /// The hotkeys as Python last set them: what `hotkeys` answers and what a forked child's
    /// registry is built from. Only touched with the GIL held and never across a release of
    /// it, like [`ForkLocal`]'s slot, so a child can always take it.
    hotkeys: Mutex<Arc<Hotkeys>>,
    store: Arc<PathBuf>,
    settings: Settings,
}

impl Validator {
    fn core(&self) -> PyResult<Arc<CoreValidator>> {
        self.core.get(|| {
            wiring::validator(
                &self.settings,
                self.store.as_ref().clone(),
                self.registry()?,
            )
        })
    }

    /// This process's registry; in a forked child a new one, over the hotkeys last set.
    fn registry(&self) -> PyResult<Arc<LiveHotkeys>> {
        self.registry
            .get(|| Ok(LiveHotkeys::new(Arc::clone(&self.hotkeys_set()))))
    }

    fn hotkeys_set(&self) -> std::sync::MutexGuard<'_, Arc<Hotkeys>> {
        self.hotkeys.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn openings(&self) -> PyResult<Arc<AtomicU64>> {
        self.openings.get(|| Ok(AtomicU64::new(0)))
    }

    /// What a handler call needs of this process's validator.
    fn call(&self) -> PyResult<HandlerCall> {
        Ok(HandlerCall {
            core: self.core()?,
            openings: self.openings()?,
            registry: self.registry()?,
        })
    }
}

/// What a handler call holds of its validator: the core, the guard's openings already logged
/// and the registry (whose uid the records name).
struct HandlerCall {
    core: Arc<CoreValidator>,
    openings: Arc<AtomicU64>,
    registry: Arc<LiveHotkeys>,
}

#[pymethods]
impl Validator {
    #[new]
    #[pyo3(signature = (store, hotkeys, settings, /))]
    fn new(store: PathBuf, hotkeys: Vec<String>, settings: EngineSettings) -> PyResult<Self> {
        let settings = settings.build()?;
        let hotkeys = Arc::new(Hotkeys::new(hotkeys));
        let registry = Arc::new(LiveHotkeys::new(Arc::clone(&hotkeys)));
        let core = wiring::validator(&settings, store.clone(), Arc::clone(&registry))?;
        Ok(Self {
            core: ForkLocal::new(core),
            openings: ForkLocal::new(AtomicU64::new(0)),
            registry: ForkLocal::shared(registry),
            hotkeys: Mutex::new(hotkeys),
            store: Arc::new(store),
            settings,
        })
    }

    /// The subnet's hotkeys in uid order (index = uid).
    fn get_hotkeys(&self) -> Vec<String> {
        self.hotkeys_set().list().to_vec()
    }

    /// Replaces the registry (the metagraph changed); calls in flight see the old or the new
    /// one. The lookup is built with the GIL released.
    fn set_hotkeys(&self, py: Python<'_>, hotkeys: Vec<String>) -> PyResult<()> {
        let hotkeys = py.detach(move || Arc::new(Hotkeys::new(hotkeys)));
        let registry = self.registry()?;
        let old = std::mem::replace(&mut *self.hotkeys_set(), Arc::clone(&hotkeys));
        registry.set(hotkeys);
        drop(old);
        Ok(())
    }

    /// *check*, blocking; `(answer, records)`.
    fn check(&self, py: Python<'_>, hotkey: String) -> PyResult<(CheckResponse, Records)> {
        let call = check_call(self.call()?, hotkey);
        runtime::block(py, call)
    }

    /// *check*, started; `(answer, records)` goes to `reply`.
    fn start_check(&self, hotkey: String, reply: runtime::Reply) -> PyResult<runtime::Call> {
        started(check_call(self.call()?, hotkey), reply)
    }

    /// *broadcast*, blocking; `(answer, records)`.
    fn broadcast(
        &self,
        py: Python<'_>,
        hotkey: String,
        pat: String,
    ) -> PyResult<(BroadcastResponse, Records)> {
        runtime::block(py, broadcast_call(self.call()?, hotkey, pat))
    }

    /// *broadcast*, started; `(answer, records)` goes to `reply`.
    fn start_broadcast(
        &self,
        hotkey: String,
        pat: String,
        reply: runtime::Reply,
    ) -> PyResult<runtime::Call> {
        started(broadcast_call(self.call()?, hotkey, pat), reply)
    }

    /// The audit, blocking; `(rows, records)`.
    fn audit(&self, py: Python<'_>, concurrency: Count) -> PyResult<(Vec<AuditRow>, Records)> {
        let concurrency = concurrency_of(&concurrency)?;
        let call = audit_call(self.core()?, self.openings()?, concurrency);
        runtime::block(py, call)?.map_err(|error| audit_error(&error))
    }

    /// The audit, started; `(rows, records)` or the exception goes to `reply`.
    fn start_audit(&self, concurrency: Count, reply: runtime::Reply) -> PyResult<runtime::Call> {
        let concurrency = concurrency_of(&concurrency)?;
        let call = audit_call(self.core()?, self.openings()?, concurrency);
        runtime::start(
            async move { call.await.map_err(|error| audit_error(&error)) },
            reply,
        )
    }

    /// The outage guard's state; `None` while it is closed.
    fn outage(&self) -> PyResult<Option<OutageState>> {
        Ok(self.core()?.verifier().outage().map(OutageState::from))
    }

    /// The counters as a plain dict (the core's JSON form).
    fn metrics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        json::to_dict(py, &self.core()?.verifier().metrics_json())
    }

    /// The counters as Prometheus text format 0.0.4.
    fn metrics_text(&self) -> PyResult<String> {
        Ok(self.core()?.verifier().metrics_text())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let hotkeys = self.hotkeys_set().list().len();
        Ok(format!(
            "Validator(store={}, hotkeys=<{hotkeys} hotkeys>, api_url={}, timeout={:?}, {})",
            pyo3::types::PyString::new(py, &self.store.display().to_string()).repr()?,
            pyo3::types::PyString::new(py, &self.settings.api_url).repr()?,
            self.settings.timeout,
            outage_repr(&self.settings),
        ))
    }
}

/// A call that cannot fail, started: its answer goes to `reply` when over.
fn started<T>(
    call: impl Future<Output = T> + Send + 'static,
    reply: runtime::Reply,
) -> PyResult<runtime::Call>
where
    T: for<'py> IntoPyObject<'py> + Send + 'static,
{
    runtime::start(async move { Ok(call.await) }, reply)
}

/// The outage and plan settings as the constructors' keyword arguments, for the reprs: an
/// operator reading a log sees which guard an object has and how many calls a verdict makes.
fn outage_repr(settings: &Settings) -> String {
    format!(
        "outage_threshold={}, outage_cooldown={:?}, one_call={}",
        settings.outage.threshold(),
        settings.outage.cooldown().as_secs_f64(),
        if settings.plan == Plan::OneCall {
            "True"
        } else {
            "False"
        }
    )
}

/// One handler call for `hotkey`, traced, with its records (the guard's opening among them):
/// `handler` runs it on the core, `log` writes its records from the core's answer and
/// `answer` converts that answer for Python.
async fn handler_call<Core, Answer, Handled>(
    call: HandlerCall,
    hotkey: String,
    handler: impl FnOnce(Arc<CoreValidator>, Hotkey) -> Handled,
    log: fn(&Caller<'_>, &trace::Trail, &Core) -> Records,
    answer: fn(&Core) -> Answer,
) -> (Answer, Records)
where
    Handled: Future<Output = Core>,
{
    let hotkey = Hotkey::new(hotkey);
    let (core_answer, trail) = trace::traced(handler(Arc::clone(&call.core), hotkey.clone())).await;
    let caller = Caller {
        uid: call.registry.uid_of(&hotkey),
        hotkey: hotkey.as_str(),
    };
    let mut records = log(&caller, &trail, &core_answer);
    log::guard(
        &call.openings,
        wiring::guard_news(call.core.verifier()),
        &mut records,
    );
    (answer(&core_answer), records)
}

/// One check, traced, with its records (the guard's opening among them).
fn check_call(
    call: HandlerCall,
    hotkey: String,
) -> impl Future<Output = (CheckResponse, Records)> + Send + 'static {
    handler_call(
        call,
        hotkey,
        wiring::check,
        log::check,
        CheckResponse::from_core,
    )
}

/// One broadcast, traced, with its records (the guard's opening among them).
fn broadcast_call(
    call: HandlerCall,
    hotkey: String,
    pat: String,
) -> impl Future<Output = (BroadcastResponse, Records)> + Send + 'static {
    let handler = move |core, hotkey| wiring::broadcast(core, hotkey, pat.into());
    handler_call(
        call,
        hotkey,
        handler,
        log::broadcast,
        BroadcastResponse::from_core,
    )
}

/// The audit, with its records: one verification's for each entry verified, in the order
/// they finished, then the guard's opening; the rows in uid order (the core's order for
/// people and hosts). An entry without a uid affects no miner's answers and has no row.
async fn audit_call(
    core: Arc<CoreValidator>,
    openings: Arc<AtomicU64>,
    concurrency: NonZeroUsize,
) -> Result<(Vec<AuditRow>, Records), StoreError> {
    let done = wiring::audit(Arc::clone(&core), concurrency).await?;
    let mut records = Records::new();
    let mut rows = Vec::with_capacity(done.len());
    for (row, trail) in done {
        if let (Some(trail), Some(uid)) = (&trail, row.uid) {
            log::verification(
                &format!("audit of uid {uid}"),
                trail,
                &row.verdict,
                &mut records,
            );
        }
        rows.push(row);
    }
    pat_verdict::in_uid_order(&mut rows);
    log::guard(&openings, wiring::guard_news(core.verifier()), &mut records);
    Ok((
        rows.iter().filter_map(AuditRow::from_core).collect(),
        records,
    ))
}

/// An audit that could not run, as Python's exceptions, decided by the store failure's kind:
/// a missing store is `FileNotFoundError` (as `open()` raises), anything else
/// `StoreUnavailableError`; both an `OSError` with `errno`, `strerror` and `filename` where
/// the store gave an OS error number. Built without the GIL (on the runtime, for an awaited
/// audit): Python makes the exception from its arguments when it is raised.
fn audit_error(error: &StoreError) -> PyErr {
    let filename = error.path().map(|path| path.display().to_string());
    let message = format!(
        "cannot audit: the PAT store is unavailable ({})",
        error_chain(error)
    );
    match (error.kind(), error.errno()) {
        (StoreFailureKind::Missing, errno) => PyFileNotFoundError::new_err(MissingStore {
            errno,
            filename,
            message,
        }),
        (_, Some(errno)) => StoreUnavailableError::new_err((errno, message, filename)),
        (_, None) => StoreUnavailableError::new_err(message),
    }
}

/// The arguments of the `FileNotFoundError` of an audit of a store file that does not exist,
/// made when Python raises it (with the GIL): `(errno, strerror, filename)` with the OS's own
/// `strerror`, as `open()` gives them; the error number is the store's (the OS's "not
/// found"), else Python's `errno.ENOENT`.
struct MissingStore {
    errno: Option<i32>,
    filename: Option<String>,
    /// The words when Python's `errno` or `os` module cannot be reached (never, in practice).
    message: String,
}

impl pyo3::PyErrArguments for MissingStore {
    fn arguments(self, py: Python<'_>) -> Py<PyAny> {
        let described = || -> PyResult<Py<PyAny>> {
            let errno: i32 = match self.errno {
                Some(errno) => errno,
                None => py.import("errno")?.getattr("ENOENT")?.extract()?,
            };
            let strerror: String = py
                .import("os")?
                .call_method1("strerror", (errno,))?
                .extract()?;
            Ok((errno, strerror, self.filename.clone())
                .into_pyobject(py)?
                .into_any()
                .unbind())
        };
        described().unwrap_or_else(|_| {
            pyo3::types::PyString::new(py, &self.message)
                .into_any()
                .unbind()
        })
    }
}

/// Forgets the runtime in a forked child; called by `os.register_at_fork`. Everything else a
/// child can reach is per process already: each object's core, HTTP client, guard, counters
/// and registry are rebuilt on first use there ([`ForkLocal`]), and a `_Call` or `_Inbox` of
/// the parent's is left alone (`run`).
#[pyfunction(name = "_after_fork_in_child")]
fn after_fork_in_child() {
    runtime::forget_runtime();
}

/// `concurrency` of an audit: at least 1 (the core's type says so), and a count that 64 bits
/// hold.
fn concurrency_of(concurrency: &Count) -> PyResult<NonZeroUsize> {
    concurrency
        .exact()
        .and_then(|exact| usize::try_from(exact).ok())
        .and_then(NonZeroUsize::new)
        .ok_or_else(|| {
            PyValueError::new_err(format!(
                "concurrency must be at least 1 and below 2**63, not {concurrency}"
            ))
        })
}

/// The extension module `pat_verdict._pat_verdict`; `pat_verdict` re-exports it.
#[pymodule]
fn _pat_verdict(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<Verdict>()?;
    module.add_class::<CheckResponse>()?;
    module.add_class::<BroadcastResponse>()?;
    module.add_class::<AuditRow>()?;
    module.add_class::<OutageState>()?;
    module.add_class::<Verifier>()?;
    module.add_class::<Validator>()?;
    module.add_class::<machine::Verification>()?;
    module.add_class::<machine::SendStep>()?;
    module.add_class::<machine::WaitStep>()?;
    module.add_class::<machine::IdentityStep>()?;
    module.add_class::<machine::DoneStep>()?;
    module.add_class::<machine::HaltedStep>()?;
    module.add_function(wrap_pyfunction!(classify, module)?)?;
    module.add_function(wrap_pyfunction!(after_fork_in_child, module)?)?;
    module.add_class::<runtime::Call>()?;
    module.add_class::<runtime::Inbox>()?;
    module.add(
        "StoreUnavailableError",
        module.py().get_type::<StoreUnavailableError>(),
    )?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    // The core's defaults, so `pat_verdict/__init__.py` shows them in its signatures without
    // repeating them.
    module.add("DEFAULT_API_URL", pat_verdict::DEFAULT_API_URL)?;
    module.add(
        "DEFAULT_TIMEOUT",
        pat_verdict::DEFAULT_DEADLINE.as_secs_f64(),
    )?;
    module.add("MAX_ATTEMPTS", RetryPolicy::default().max_attempts)?;
    module.add(
        "DEFAULT_OUTAGE_THRESHOLD",
        pat_verdict::outage::DEFAULT_OUTAGE_THRESHOLD,
    )?;
    module.add(
        "DEFAULT_OUTAGE_COOLDOWN",
        pat_verdict::outage::DEFAULT_OUTAGE_COOLDOWN.as_secs_f64(),
    )?;
    module.add("BLOCKING_THREADS", runtime::BLOCKING_THREADS)?;
    Ok(())
}
