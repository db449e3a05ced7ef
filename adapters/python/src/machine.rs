//! The core's step-by-step verification machine ([`pat_verdict::verification::Verification`]) for Python:
//! a host that keeps its own HTTP client (`requests`, `aiohttp`) drives a whole verification —
//! token pre-check, identity, retries with backoff and `Retry-After`, the one deadline, the
//! identity pin point, the test query — and sends every request itself.
//!
//! The binding converts and delegates: every decision (what to send, how long to wait, when
//! the deadline ends it, the verdict) is the core's. The core's states are consumed by each
//! transition, so the Python object keeps the current one in an `Option` behind a mutex and
//! takes it; a call that does not fit the current state puts it back and raises
//! `RuntimeError`, so misuse never loses the verification and never panics.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use pat_verdict::verification::{
    IdentityKnown, SendRequest, Step, Verification as CoreVerification, Wait,
};
use pat_verdict::{
    ApiUrl, CallResult, Endpoint, ExposeSecret, REDACTED, RetryPolicy, SecretString, Stage,
    UnixTime,
};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};

use crate::convert::{self, Count, Number};
use crate::types::{Verdict, fields_repr};
use crate::wiring;

/// The machine's current state, as the core left it.
enum State {
    /// A request is to be sent; [`Verification::receive`] feeds back what came back.
    Send(SendRequest),
    /// A backoff or `Retry-After`; [`Verification::resume`] ends it.
    Wait(Wait),
    /// The identity is known; [`Verification::proceed`] or [`Verification::stop`].
    Identity(IdentityKnown),
    /// Over, with the verdict (already converted and redacted).
    Done(Verdict),
    /// The caller stopped it at the identity.
    Halted(HaltedStep),
}

impl State {
    /// Which state this is, in the words of the error messages.
    fn name(&self) -> &'static str {
        match self {
            Self::Send(_) => "a request to send (SendStep): call receive()",
            Self::Wait(_) => "a wait (WaitStep): call resume()",
            Self::Identity(_) => "the identity (IdentityStep): call proceed() or stop()",
            Self::Done(_) => "done (DoneStep): nothing more to do",
            Self::Halted(_) => "stopped at the identity (HaltedStep): nothing more to do",
        }
    }
}

/// A call of the host's that moves the machine on, with what it brought.
enum Move {
    /// `receive()`: what the pending request got, at monotonic `now` and epoch `wall`.
    Receive(CallResult, Duration, UnixTime),
    /// `resume()`, at monotonic `now`.
    Resume(Duration),
    /// `proceed()`, at monotonic `now`.
    Proceed(Duration),
    /// `stop(reason)`.
    Stop(String),
}

impl Move {
    /// The call, in the words of the error messages.
    fn name(&self) -> &'static str {
        match self {
            Self::Receive(..) => "receive()",
            Self::Resume(_) => "resume()",
            Self::Proceed(_) => "proceed()",
            Self::Stop(_) => "stop()",
        }
    }
}

impl State {
    /// The state `step` leads to from this one (the core decides), or this one back when
    /// `step` does not fit it: the one table of which call fits which state.
    fn then(self, step: Move) -> Result<Self, Box<Self>> {
        Ok(match (self, step) {
            (Self::Send(send), Move::Receive(result, now, wall)) => {
                state_of(send.receive(result, now, wall))
            }
            (Self::Wait(wait), Move::Resume(now)) => state_of(wait.resume(now)),
            (Self::Identity(known), Move::Proceed(now)) => state_of(known.proceed(now)),
            (Self::Identity(known), Move::Stop(reason)) => {
                let halted = known.stop(reason);
                Self::Halted(HaltedStep {
                    reason: halted.reason,
                    github_id: halted.identity.github_id.as_str().to_owned(),
                    login: halted.identity.login,
                    requests: halted.requests,
                })
            }
            (state, _) => return Err(Box::new(state)),
        })
    }
}

/// A monotonic reading from Python: finite and not negative.
fn monotonic(now: &Number, what: &str) -> PyResult<Duration> {
    Duration::try_from_secs_f64(now.value).map_err(|_| {
        PyValueError::new_err(format!(
            "{what} must be a finite, non-negative number of seconds (time.monotonic()), not {now}"
        ))
    })
}

/// `now` as given, else Python's `time.monotonic()`: the clock a host's own `now` values come
/// from, so given and defaulted readings can be mixed.
fn now_or_monotonic(py: Python<'_>, now: Option<Number>) -> PyResult<Duration> {
    let now = match now {
        Some(now) => now,
        None => py.import("time")?.call_method0("monotonic")?.extract()?,
    };
    monotonic(&now, "now")
}

/// One verification driven by the host's own HTTP client. See the module documentation.
#[pyclass(frozen, module = "pat_verdict", name = "Verification")]
pub(crate) struct Verification {
    state: Mutex<Option<State>>,
}

impl Verification {
    /// Makes `step` from the current state; when it does not fit, the state is put back and
    /// `RuntimeError` names the call and the state.
    fn advance(&self, py: Python<'_>, step: Move) -> PyResult<Py<PyAny>> {
        let wanted = step.name();
        let mut guard = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let state = guard
            .take()
            .ok_or_else(|| PyRuntimeError::new_err("the verification has no state"))?;
        match state.then(step) {
            Ok(next) => {
                let step = Snapshot::of(&next);
                *guard = Some(next);
                drop(guard);
                step.into_py(py)
            }
            Err(state) => {
                let message = format!(
                    "{wanted} does not fit: the verification is at {}",
                    state.name()
                );
                *guard = Some(*state);
                Err(PyRuntimeError::new_err(message))
            }
        }
    }
}

/// The core's step as the Python object's state; a report becomes its verdict (the core has
/// already redacted the token from what GitHub supplied).
fn state_of(step: Step) -> State {
    match step {
        Step::Send(send) => State::Send(send),
        Step::Wait(wait) => State::Wait(wait),
        Step::IdentityKnown(known) => State::Identity(known),
        Step::Done(report) => {
            State::Done(Verdict::from(&pat_verdict::VerifyResponse::from(&report)))
        }
    }
}

/// A step as plain Rust data, taken under the lock; it becomes a Python object only after the
/// lock is released (making Python objects may run arbitrary Python code, e.g. a collector
/// calling `__del__`, which must never wait on this object's lock).
enum Snapshot {
    Send(SendStep),
    Wait(WaitStep),
    Identity(IdentityStep),
    Done(DoneStep),
    Halted(HaltedStep),
}

impl Snapshot {
    /// What `state` says to do (a snapshot: it does not change when the machine moves on).
    fn of(state: &State) -> Self {
        match state {
            State::Send(send) => {
                let request = send.request();
                Self::Send(SendStep {
                    endpoint: request.endpoint(),
                    authorization: SecretString::from(request.authorization()),
                    timeout: request.timeout(),
                })
            }
            State::Wait(wait) => Self::Wait(WaitStep {
                until: wait.until(),
            }),
            State::Identity(known) => {
                let identity = known.identity();
                Self::Identity(IdentityStep {
                    github_id: identity.github_id.as_str().to_owned(),
                    login: identity.login.clone(),
                })
            }
            State::Done(verdict) => Self::Done(DoneStep {
                verdict: verdict.clone(),
            }),
            State::Halted(halted) => Self::Halted(halted.clone()),
        }
    }

    /// The Python object (call without the lock held).
    fn into_py(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(match self {
            Self::Send(step) => Py::new(py, step)?.into_any(),
            Self::Wait(step) => Py::new(py, step)?.into_any(),
            Self::Identity(step) => Py::new(py, step)?.into_any(),
            Self::Done(step) => Py::new(py, step)?.into_any(),
            Self::Halted(step) => Py::new(py, step)?.into_any(),
        })
    }
}

#[pymethods]
impl Verification {
    /// Pre-checks `token` and starts with the identity call (with `one_call`, the one GraphQL
    /// call of docs/contract.md §11), at monotonic `now` (default `time.monotonic()`): the
    /// deadline of `timeout` seconds counts from it, `attempts` per call.
    #[new]
    #[pyo3(
        signature = (token, *, timeout=Number::from(pat_verdict::DEFAULT_DEADLINE.as_secs_f64()), attempts=Count::from(i64::from(RetryPolicy::default().max_attempts)), now=None, one_call=false),
        text_signature = "(token, *, timeout=12.0, attempts=3, now=None, one_call=False)"
    )]
    fn new(
        py: Python<'_>,
        token: String,
        timeout: Number,
        attempts: Count,
        now: Option<Number>,
        one_call: bool,
    ) -> PyResult<Self> {
        let settings = wiring::settings(pat_verdict::DEFAULT_API_URL, &timeout, &attempts, None)?;
        let policy: RetryPolicy = wiring::policy(&settings);
        let now = now_or_monotonic(py, now)?;
        let pat = SecretString::from(token);
        let first = state_of(CoreVerification::start_planned(
            &pat,
            wiring::plan(one_call),
            policy,
            now,
        ));
        Ok(Self {
            state: Mutex::new(Some(first)),
        })
    }

    /// What to do now: a `SendStep`, `WaitStep`, `IdentityStep`, `DoneStep` or `HaltedStep`.
    #[getter]
    fn step(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let snapshot = self
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(Snapshot::of)
            .ok_or_else(|| PyRuntimeError::new_err("the verification has no state"))?;
        snapshot.into_py(py)
    }

    /// Whether the verification is over (`DoneStep` or `HaltedStep`).
    #[getter]
    fn done(&self) -> bool {
        matches!(
            self.state
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .as_ref(),
            Some(State::Done(_) | State::Halted(_)) | None
        )
    }

    /// Feeds back what the pending request got: exactly one of `status` (with `body` and
    /// `headers`) or `transport_error`, as `classify_test_query` takes them; `now` is
    /// monotonic (default `time.monotonic()`), `wall` epoch seconds for `x-ratelimit-reset`
    /// (default now). Answers the next step.
    #[pyo3(signature = (status=None, *, body=None, headers=None, transport_error=None, now=None, wall=None))]
    #[expect(
        clippy::too_many_arguments,
        reason = "the keyword arguments of Python's receive(), one for one"
    )]
    fn receive(
        &self,
        py: Python<'_>,
        status: Option<&Bound<'_, PyAny>>,
        body: Option<&Bound<'_, PyAny>>,
        headers: Option<&Bound<'_, PyAny>>,
        transport_error: Option<&Bound<'_, PyAny>>,
        now: Option<Number>,
        wall: Option<Number>,
    ) -> PyResult<Py<PyAny>> {
        // Every conversion (and every call into Python) happens before the lock is taken.
        let (result, wall) =
            convert::host_answer(status, body, headers, transport_error, wall, "wall")?;
        let wall = wall.unwrap_or_else(wiring::now);
        let now = now_or_monotonic(py, now)?;
        self.advance(py, Move::Receive(result, now, wall))
    }

    /// The wait is over, at monotonic `now` (default `time.monotonic()`): the next attempt, or
    /// the end when the deadline passed meanwhile.
    #[pyo3(signature = (*, now=None))]
    fn resume(&self, py: Python<'_>, now: Option<Number>) -> PyResult<Py<PyAny>> {
        let now = now_or_monotonic(py, now)?;
        self.advance(py, Move::Resume(now))
    }

    /// The pin allows the account: go on to the test query at monotonic `now`, within the
    /// same deadline.
    #[pyo3(signature = (*, now=None))]
    fn proceed(&self, py: Python<'_>, now: Option<Number>) -> PyResult<Py<PyAny>> {
        let now = now_or_monotonic(py, now)?;
        self.advance(py, Move::Proceed(now))
    }

    /// The pin refuses the account: the verification ends here with `reason` (no test query
    /// is sent). Answers a `HaltedStep`.
    fn stop(&self, py: Python<'_>, reason: String) -> PyResult<Py<PyAny>> {
        self.advance(py, Move::Stop(reason))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let step = self.step(py)?;
        Ok(format!(
            "Verification(step={})",
            step.bind(py).repr()?.to_cow()?
        ))
    }
}

/// Send this request with your HTTP client, then `Verification.receive(...)` what came back.
/// Holds the token in `headers["Authorization"]` only; its repr shows `[REDACTED]`.
#[pyclass(frozen, module = "pat_verdict", name = "SendStep")]
pub(crate) struct SendStep {
    endpoint: Endpoint,
    authorization: SecretString,
    timeout: Duration,
}

#[pymethods]
impl SendStep {
    /// `"identity"` (`GET /user`), `"test_query"` (`POST /graphql`) or `"one_call"` (`POST
    /// /graphql` asking for the viewer's id too, docs/contract.md §11).
    #[getter]
    fn endpoint(&self) -> &'static str {
        match self.endpoint {
            Endpoint::OneCall => "one_call",
            Endpoint::Identity | Endpoint::TestQuery => Stage::from(self.endpoint).as_str(),
        }
    }

    /// `"GET"` or `"POST"`.
    #[getter]
    fn method(&self) -> &'static str {
        self.endpoint.method()
    }

    /// The path under the API root: `"/user"` or `"/graphql"`.
    #[getter]
    fn path(&self) -> &'static str {
        self.endpoint.path()
    }

    /// The full URL under `api_url`, with GitHub Enterprise Server's GraphQL rule
    /// (`…/api/v3` → `…/api/graphql`). `ValueError` for an API URL the strict parse refuses.
    #[pyo3(signature = (api_url=pat_verdict::DEFAULT_API_URL), text_signature = "($self, api_url='https://api.github.com')")]
    fn url(&self, api_url: &str) -> PyResult<String> {
        let api = ApiUrl::parse(api_url)
            .map_err(|error| PyValueError::new_err(format!("api_url: {error}")))?;
        Ok(api.url_of(self.endpoint))
    }

    /// The headers to send: `Authorization` (the token: the only place it is exposed),
    /// `Accept`, and `Content-Type` for the call with a body. Your client adds its own
    /// `User-Agent` (GitHub refuses requests without one).
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.headers_with(py, self.authorization.expose_secret())
    }

    /// The body to send (JSON) for a GraphQL call; `None` for the identity call.
    #[getter]
    fn body<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.endpoint
            .body()
            .map(|body| PyBytes::new(py, body.as_bytes()))
    }

    /// How long the request may take, in seconds: what is left of the deadline.
    #[getter]
    fn timeout(&self) -> f64 {
        self.timeout.as_secs_f64()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let headers = self.headers_with(py, REDACTED)?;
        Ok(format!(
            "SendStep(method='{}', path='{}', headers={}, timeout={:?})",
            self.endpoint.method(),
            self.endpoint.path(),
            headers.repr()?.to_cow()?,
            self.timeout.as_secs_f64()
        ))
    }
}

impl SendStep {
    fn headers_with<'py>(
        &self,
        py: Python<'py>,
        authorization: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        let headers = PyDict::new(py);
        headers.set_item("Authorization", PyString::new(py, authorization))?;
        headers.set_item("Accept", self.endpoint.accept())?;
        if let Some(content_type) = self.endpoint.content_type() {
            headers.set_item("Content-Type", content_type)?;
        }
        Ok(headers)
    }
}

/// Wait (a backoff, or GitHub's `Retry-After`) until `until`, then `Verification.resume()`.
#[pyclass(frozen, module = "pat_verdict", name = "WaitStep")]
pub(crate) struct WaitStep {
    until: Duration,
}

#[pymethods]
impl WaitStep {
    /// The monotonic reading (seconds, `time.monotonic()`'s scale) to wait for.
    #[getter]
    fn until(&self) -> f64 {
        self.until.as_secs_f64()
    }

    /// Seconds from monotonic `now` (default `time.monotonic()`) until then; 0 when past.
    #[pyo3(signature = (now=None))]
    fn seconds_from(&self, py: Python<'_>, now: Option<Number>) -> PyResult<f64> {
        let now = now_or_monotonic(py, now)?;
        Ok(self.until.saturating_sub(now).as_secs_f64())
    }

    fn __repr__(&self) -> String {
        format!("WaitStep(until={:?})", self.until.as_secs_f64())
    }
}

/// The identity call was valid: pin the account here, then `Verification.proceed()` or
/// `Verification.stop(reason)`. The test query has not been sent.
#[pyclass(frozen, get_all, module = "pat_verdict", name = "IdentityStep")]
pub(crate) struct IdentityStep {
    /// The account's numeric id as a decimal string.
    github_id: String,
    /// The account's login, when GitHub sent one.
    login: Option<String>,
}

#[pymethods]
impl IdentityStep {
    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        fields_repr(slf, "github_id login")
    }
}

/// The verification is over: `verdict` is what `Verifier.verify` would have answered.
#[pyclass(frozen, get_all, module = "pat_verdict", name = "DoneStep")]
pub(crate) struct DoneStep {
    /// The verdict, with `requests` counting every request sent (retries included).
    verdict: Verdict,
}

#[pymethods]
impl DoneStep {
    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        fields_repr(slf, "verdict")
    }
}

/// The caller stopped the verification at the identity (the pin refused the account): no
/// verdict on the PAT, only the caller's reason and what was known.
#[pyclass(frozen, get_all, module = "pat_verdict", name = "HaltedStep")]
#[derive(Clone)]
pub(crate) struct HaltedStep {
    /// The reason given to `stop`.
    reason: String,
    /// The account's id the identity call found.
    github_id: String,
    /// Its login, when GitHub sent one.
    login: Option<String>,
    /// Requests sent before the stop (retries included).
    requests: u32,
}

#[pymethods]
impl HaltedStep {
    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        fields_repr(slf, "reason github_id login requests")
    }
}
