//! The value objects Python sees: frozen, comparable, with a `__repr__` a person can read.
//!
//! Each is a plain struct whose fields are its Python attributes (`get_all`, as pydantic-core
//! does; `OutageState`'s times have getters of their own), whose serde form is its `to_dict()`
//! ([`to_dict`], one path for all) and whose `__reduce__` is its constructor's arguments
//! ([`reduce`], one path for all): the keys of the core's wire form (`verify --json`, the handlers' JSON), filled in
//! from the core's answers by the `From` conversions below. The words (`kind`, `stage`,
//! `category`, `cause`) are the core's `as_str`. None of them can hold the token: the core
//! never puts it in an answer, and redacts the strings GitHub supplied (a login, an id) in
//! case GitHub echoed it.

use std::convert::Infallible;
use std::time::Duration;

use pat_verdict::{
    AnswerCause, CauseKind, CheckCategory, HandlerCause, Stage, UnixTime, VerdictKind,
    VerifyResponse,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyString, PyTuple};
use serde::{Serialize, Serializer};

/// Python's `repr` of an optional string: `'text'` with control characters escaped, or `None`.
pub(crate) fn repr_opt(py: Python<'_>, text: Option<&str>) -> PyResult<String> {
    match text {
        Some(text) => Ok(PyString::new(py, text).repr()?.to_cow()?.into_owned()),
        None => Ok("None".to_owned()),
    }
}

/// A dataclass's repr, `Name(field=…, …)`: the class's name and the attributes named in
/// `fields` (separated by spaces), each as Python's `repr` writes it.
pub(crate) fn fields_repr<T>(slf: &Bound<'_, T>, fields: &str) -> PyResult<String> {
    let slf = slf.as_any();
    let mut text = format!("{}(", slf.get_type().name()?);
    for (index, name) in fields.split(' ').enumerate() {
        if index > 0 {
            text.push_str(", ");
        }
        text.push_str(&format!("{name}={}", slf.getattr(name)?.repr()?));
    }
    text.push(')');
    Ok(text)
}

/// The one `to_dict` of every value object: its serde form as a Python dict, keys in the
/// order of the wire form.
fn to_dict<'py>(py: Python<'py>, value: &impl Serialize) -> PyResult<Bound<'py, PyDict>> {
    crate::json::to_dict(py, value)
}

/// What `__reduce__` answers: the class, and the arguments to call it with.
type Reduced<'py> = (Bound<'py, PyAny>, Bound<'py, PyTuple>);

/// The one `__reduce__` of every value object (pickling, `copy`): its class, called again
/// with its attributes named in `args`, the constructor's argument names separated by spaces
/// (as `collections.namedtuple` takes its fields). Every constructor argument is an attribute
/// of the same name that gives its value back.
fn reduce<'py, T>(slf: &Bound<'py, T>, args: &str) -> PyResult<Reduced<'py>> {
    let slf = slf.as_any();
    let values = args
        .split(' ')
        .map(|name| slf.getattr(name))
        .collect::<PyResult<Vec<_>>>()?;
    Ok((slf.get_type().into_any(), PyTuple::new(slf.py(), values)?))
}

/// A wait GitHub asked for: a `float` of seconds in Python (to the nanosecond, so a pickled
/// verdict compares equal), whole seconds rounded up on the wire (`retry_after_secs`, as
/// `verify --json` prints it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Seconds(Duration);

impl<'py> IntoPyObject<'py> for Seconds {
    type Target = PyFloat;
    type Output = Bound<'py, PyFloat>;
    type Error = Infallible;

    fn into_pyobject(self, py: Python<'py>) -> Result<Self::Output, Self::Error> {
        Ok(PyFloat::new(py, self.0.as_secs_f64()))
    }
}

impl Serialize for Seconds {
    fn serialize<S: Serializer>(&self, out: S) -> Result<S::Ok, S::Error> {
        out.serialize_u64(self.0.as_secs() + u64::from(self.0.subsec_nanos() > 0))
    }
}

/// The verdict on a PAT: `kind` is `"valid"`, `"invalid"` (GitHub gave evidence against it)
/// or `"inconclusive"` (GitHub could not be asked: retry later); `cause` says why in one word
/// and the rest what GitHub told about the token. Frozen, compared and hashed by value,
/// picklable; build one by keyword for your own tests. `None` in an attribute means GitHub
/// did not say.
///
/// `to_dict()` is the object `pat-verdict verify --json` prints, plus `requests`.
#[pyclass(frozen, eq, hash, get_all, module = "pat_verdict")]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Verdict {
    /// `"valid"`, `"invalid"` or `"inconclusive"`.
    #[serde(rename = "verdict")]
    kind: &'static str,
    /// The account's numeric id as a decimal string, when the identity lookup was valid.
    github_id: Option<String>,
    /// The account's login, when GitHub sent one.
    login: Option<String>,
    /// gittensor's `error`: why the PAT is not valid; `None` when it is.
    #[serde(rename = "reason")]
    error: Option<String>,
    /// Where verification stopped when not valid: `"token"`, `"identity"`, `"test_query"`.
    stage: Option<&'static str>,
    /// How long GitHub asked us to wait, in seconds, when it said.
    #[serde(rename = "retry_after_secs")]
    retry_after: Option<Seconds>,
    /// The classic PAT's scopes (`X-OAuth-Scopes`); `None` when GitHub did not say.
    scopes: Option<Vec<String>>,
    /// When the token expires (ISO-8601 UTC), from GitHub's expiration header.
    expires_at: Option<String>,
    /// Why, as one word of the contract's cause table: `"ok"` when valid, else what GitHub said or
    /// failed to say (`"bad_credentials"`, `"github_down"`, `"request_refused"`…).
    cause: &'static str,
    /// HTTP requests made for this verdict, retries included (0 for `classify_*`).
    requests: u32,
    /// gittensor's `transient_failure`: true exactly when the verdict is inconclusive.
    #[serde(skip)]
    transient_failure: bool,
    /// GitHub refused for rate reasons (a rate or abuse limit, the failed-login lockout):
    /// exactly when `cause` is `"rate_limited"`.
    #[serde(skip)]
    rate_limited: bool,
}

impl From<&VerifyResponse> for Verdict {
    fn from(wire: &VerifyResponse) -> Self {
        Self {
            kind: wire.verdict.as_str(),
            github_id: wire.github_id.clone(),
            login: wire.login.clone(),
            error: wire.reason.clone(),
            stage: wire.stage.map(Stage::as_str),
            retry_after: wire.retry_after.map(Seconds),
            scopes: wire.scopes.clone(),
            expires_at: wire.expires_at.clone(),
            cause: wire.cause.as_str(),
            requests: wire.requests,
            transient_failure: wire.verdict == VerdictKind::Inconclusive,
            rate_limited: wire.rate_limited(),
        }
    }
}

#[pymethods]
impl Verdict {
    /// A verdict built by hand, for a host's own tests; every argument as the attribute of
    /// the same name. `cause` defaults to the one the other arguments imply (`"ok"` when
    /// valid, `"rate_limited"` when `rate_limited`) or else the most common of its kind
    /// (`"bad_credentials"` when invalid, `"github_down"` when inconclusive). `ValueError` for
    /// a `kind`, `stage` or `cause` not among the documented words, a `cause` that does not go
    /// with `kind` and `rate_limited`, or a negative `retry_after`.
    #[new]
    #[pyo3(signature = (kind, error=None, rate_limited=false, retry_after=None, stage=None, github_id=None, login=None, expires_at=None, scopes=None, requests=0, cause=None))]
    #[expect(
        clippy::too_many_arguments,
        reason = "one keyword argument per attribute, as a dataclass"
    )]
    fn new(
        kind: &str,
        error: Option<String>,
        rate_limited: bool,
        retry_after: Option<f64>,
        stage: Option<&str>,
        github_id: Option<String>,
        login: Option<String>,
        expires_at: Option<String>,
        scopes: Option<Vec<String>>,
        requests: u32,
        cause: Option<&str>,
    ) -> PyResult<Self> {
        let verdict = one_of("kind", kind, &VerdictKind::ALL, |kind| kind.as_str())?;
        let cause = verdict_cause(cause, verdict, rate_limited)?;
        Ok(Self::from(&VerifyResponse {
            verdict,
            github_id,
            login,
            reason: error,
            stage: stage
                .map(|stage| one_of("stage", stage, &Stage::ALL, |stage| stage.as_str()))
                .transpose()?,
            retry_after: retry_after.map(seconds).transpose()?,
            scopes,
            expires_at,
            cause,
            requests,
        }))
    }

    /// Pickling (and `copy`): the class and the constructor's arguments.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduce(
            slf,
            "kind error rate_limited retry_after stage github_id login expires_at scopes requests cause",
        )
    }

    /// The keys of `pat-verdict verify --json` plus `"requests"`: `verdict`, `github_id`,
    /// `login`, `reason`, `stage`, `retry_after_secs` (whole seconds, rounded up), `scopes`,
    /// `expires_at`, `cause`, `requests`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        to_dict(py, self)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let mut text = format!("Verdict(kind='{}'", self.kind);
        if let Some(error) = &self.error {
            text.push_str(&format!(", error={}", repr_opt(py, Some(error))?));
        }
        if self.rate_limited {
            text.push_str(", rate_limited=True");
        }
        if let Some(wait) = self.retry_after {
            text.push_str(&format!(", retry_after={:?}", wait.0.as_secs_f64()));
        }
        if let Some(stage) = self.stage {
            text.push_str(&format!(", stage='{stage}'"));
        }
        if let Some(github_id) = &self.github_id {
            text.push_str(&format!(", github_id={}", repr_opt(py, Some(github_id))?));
        }
        if let Some(login) = &self.login {
            text.push_str(&format!(", login={}", repr_opt(py, Some(login))?));
        }
        text.push_str(&format!(", requests={})", self.requests));
        Ok(text)
    }
}

/// The check endpoint's answer, field for field as miners' CLIs read it: `has_pat` (`None`:
/// the hotkey is not registered, we did not look), `pat_valid` (`None`: could not tell),
/// `rejection_reason`, `category`, `cause` and `detail`. Frozen, hashed by value, picklable.
#[pyclass(frozen, eq, hash, get_all, module = "pat_verdict")]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct CheckResponse {
    /// Whether we hold a PAT for this miner; `None` when we did not look (unregistered).
    has_pat: Option<bool>,
    /// Whether it works; `None` when we could not tell (GitHub or the store unavailable).
    pat_valid: Option<bool>,
    /// Why not, in words; `None` when valid.
    rejection_reason: Option<String>,
    /// `"valid"`, `"no_pat"`, `"invalid_pat"`, `"inconclusive"` or `"no_response"`.
    category: &'static str,
    /// Why, as one word of the contract's cause table: the verification's cause when one decided
    /// (`"ok"`, `"bad_credentials"`, `"github_down"`…), else the handler's own (`"no_pat"`,
    /// `"not_registered"`, `"store_unavailable"`).
    cause: &'static str,
    /// Only when the store was unavailable: why (its path and the OS error), because a
    /// corrupt file or a directory will not fix itself on retry; or, with `no_pat`, that the
    /// store file does not exist yet. `None` otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

impl CheckResponse {
    /// The core's answer.
    pub(crate) fn from_core(answer: &pat_verdict::CheckResponse) -> Self {
        Self {
            has_pat: answer.has_pat,
            pat_valid: answer.pat_valid,
            rejection_reason: answer.rejection_reason.clone(),
            category: answer.category.as_str(),
            cause: answer.cause.as_str(),
            detail: answer.detail.clone(),
        }
    }
}

#[pymethods]
impl CheckResponse {
    /// An answer built by hand, for a host's own tests; every argument as the attribute of
    /// the same name. `cause` defaults to the word `category` implies (`"ok"`, `"no_pat"`,
    /// `"not_registered"`), `"bad_credentials"` for `invalid_pat`, and for `inconclusive`
    /// `"store_unavailable"` with a `detail` or `"github_down"` without. `ValueError` for a
    /// `category` or `cause` not among the documented words, or a `cause` that does not go
    /// with `category`.
    #[new]
    #[pyo3(signature = (category, has_pat=None, pat_valid=None, rejection_reason=None, detail=None, cause=None))]
    fn new(
        category: &str,
        has_pat: Option<bool>,
        pat_valid: Option<bool>,
        rejection_reason: Option<String>,
        detail: Option<String>,
        cause: Option<&str>,
    ) -> PyResult<Self> {
        let category = one_of("category", category, &CheckCategory::ALL, |category| {
            category.as_str()
        })?;
        Ok(Self {
            has_pat,
            pat_valid,
            rejection_reason,
            category: category.as_str(),
            cause: check_cause(cause, category, detail.is_some())?.as_str(),
            detail,
        })
    }

    /// Pickling (and `copy`): the class and the constructor's arguments.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduce(
            slf,
            "category has_pat pat_valid rejection_reason detail cause",
        )
    }

    /// The answer as miners' CLIs read it: `has_pat`, `pat_valid`, `rejection_reason`,
    /// `category`, `cause`, and `detail` only when there is one.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        to_dict(py, self)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let mut text = format!(
            "CheckResponse(category='{}', has_pat={}, pat_valid={}, rejection_reason={}",
            self.category,
            py_bool(self.has_pat),
            py_bool(self.pat_valid),
            repr_opt(py, self.rejection_reason.as_deref())?
        );
        if self.detail.is_some() {
            text.push_str(&format!(
                ", detail={}",
                repr_opt(py, self.detail.as_deref())?
            ));
        }
        text.push(')');
        Ok(text)
    }
}

/// The broadcast endpoint's answer: `accepted`, `rejection_reason` (`None` when accepted),
/// `retryable`, `cause`. The PAT is never echoed back. Frozen, hashed by value, picklable.
#[pyclass(frozen, eq, hash, get_all, module = "pat_verdict")]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct BroadcastResponse {
    /// Whether the PAT was stored.
    accepted: bool,
    /// Why not, in words; `None` when accepted.
    rejection_reason: Option<String>,
    /// Whether the same broadcast may succeed later (GitHub or the store was unavailable).
    retryable: bool,
    /// Why, as one word of the contract's cause table: the verification's cause when one decided
    /// (`"ok"`, `"bad_credentials"`, `"github_down"`…), else the handler's own
    /// (`"not_registered"`, `"identity_locked"`, `"store_unavailable"`).
    cause: &'static str,
}

impl BroadcastResponse {
    /// The core's answer.
    pub(crate) fn from_core(answer: &pat_verdict::BroadcastResponse) -> Self {
        Self {
            accepted: answer.accepted,
            rejection_reason: answer.rejection_reason.clone(),
            retryable: answer.retryable,
            cause: answer.cause.as_str(),
        }
    }
}

#[pymethods]
impl BroadcastResponse {
    /// An answer built by hand, for a host's own tests; every argument as the attribute of
    /// the same name. `cause` defaults to `"ok"` when accepted, `"github_down"` when
    /// retryable and `"bad_credentials"` otherwise. `ValueError` for a `cause` not among the
    /// documented words or one that does not go with `accepted` and `retryable`.
    #[new]
    #[pyo3(signature = (accepted, rejection_reason=None, retryable=false, cause=None))]
    fn new(
        accepted: bool,
        rejection_reason: Option<String>,
        retryable: bool,
        cause: Option<&str>,
    ) -> PyResult<Self> {
        Ok(Self {
            accepted,
            rejection_reason,
            retryable,
            cause: broadcast_cause(cause, accepted, retryable)?.as_str(),
        })
    }

    /// Pickling (and `copy`): the class and the constructor's arguments.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduce(slf, "accepted rejection_reason retryable cause")
    }

    /// `accepted`, `rejection_reason`, `retryable`, `cause`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        to_dict(py, self)
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        fields_repr(slf, "accepted retryable rejection_reason")
    }
}

/// One stored PAT's verdict, from `Validator.audit`: its `uid`, `hotkey`, the `github_id` it
/// is pinned to (`None`: none) and the `verdict`. Frozen, hashed by value, picklable.
#[pyclass(frozen, eq, hash, get_all, module = "pat_verdict")]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct AuditRow {
    /// The entry's uid.
    uid: u32,
    /// The entry's hotkey.
    hotkey: String,
    /// The GitHub id the entry is pinned to; `None` when it names none.
    github_id: Option<String>,
    /// The verdict on its PAT.
    verdict: Verdict,
}

impl AuditRow {
    /// One audited entry, when it has a uid to name (an entry without one affects no miner's
    /// answers, and Python's `AuditRow.uid` is an `int`).
    pub(crate) fn from_core(row: &pat_verdict::AuditRow) -> Option<Self> {
        Some(Self {
            uid: row.uid?.0,
            hotkey: row
                .hotkey
                .as_ref()
                .map_or_else(String::new, |hotkey| hotkey.as_str().to_owned()),
            github_id: row.github_id.as_ref().map(|id| id.as_str().to_owned()),
            verdict: Verdict::from(&row.verdict),
        })
    }
}

#[pymethods]
impl AuditRow {
    /// A row built by hand, for a host's own tests; every argument as the attribute of the
    /// same name.
    #[new]
    #[pyo3(signature = (uid, hotkey, github_id, verdict))]
    fn new(
        uid: u32,
        hotkey: String,
        github_id: Option<String>,
        verdict: &Bound<'_, Verdict>,
    ) -> Self {
        Self {
            uid,
            hotkey,
            github_id,
            verdict: verdict.get().clone(),
        }
    }

    /// Pickling (and `copy`): the class and the constructor's arguments.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduce(slf, "uid hotkey github_id verdict")
    }

    /// `uid`, `hotkey`, `github_id` and `verdict` (the verdict's own `to_dict()`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        to_dict(py, self)
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        fields_repr(slf, "uid hotkey github_id verdict")
    }
}

/// The outage guard while it is open, from `Verifier.outage` and `Validator.outage` (`None`
/// while it is closed): since when GitHub has been failing (`opened_at`), when the next
/// probe may go (`retry_at`), the consecutive failures counted (`failures`) and whether the
/// probe is in flight (`probing`). The times are timezone-aware
/// UTC `datetime`s, to the second, so a host can compare them with `datetime.now(timezone.utc)`
/// or show them. Frozen, compared and hashed by value, picklable; a snapshot that does not
/// change as the guard does.
#[pyclass(frozen, eq, hash, module = "pat_verdict")]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct OutageState {
    /// Seconds since the epoch, as the core keeps them; ISO-8601 UTC in `to_dict()`.
    #[serde(serialize_with = "iso8601")]
    pub(crate) opened_at: i64,
    /// Seconds since the epoch; ISO-8601 UTC in `to_dict()`.
    #[serde(serialize_with = "iso8601")]
    pub(crate) retry_at: i64,
    /// Consecutive GitHub-side failures counted so far.
    #[pyo3(get)]
    pub(crate) failures: u32,
    /// Whether the one probe is in flight (every other request waits for its answer).
    #[pyo3(get)]
    pub(crate) probing: bool,
}

impl From<pat_verdict::outage::OutageState> for OutageState {
    fn from(state: pat_verdict::outage::OutageState) -> Self {
        Self {
            opened_at: state.opened_at.0,
            retry_at: state.retry_at.0,
            failures: state.failures,
            probing: state.probing,
        }
    }
}

#[pymethods]
impl OutageState {
    /// A state built by hand, for a host's own tests; every argument as the attribute of the
    /// same name. The times must be timezone-aware `datetime`s to the second (`TypeError` for
    /// anything else, `ValueError` for a naive one or one with microseconds: the guard keeps
    /// whole seconds, and a silently dropped fraction would make two states look equal).
    #[new]
    #[pyo3(signature = (opened_at, retry_at, failures, probing=false))]
    fn new(
        opened_at: &Bound<'_, PyAny>,
        retry_at: &Bound<'_, PyAny>,
        failures: u32,
        probing: bool,
    ) -> PyResult<Self> {
        Ok(Self {
            opened_at: epoch_seconds("opened_at", opened_at)?,
            retry_at: epoch_seconds("retry_at", retry_at)?,
            failures,
            probing,
        })
    }

    /// Pickling (and `copy`): the class and the constructor's arguments.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduce(slf, "opened_at retry_at failures probing")
    }

    /// When the guard opened: when the failure that reached the threshold came back (a
    /// failed probe does not move it: the same outage).
    #[getter]
    fn opened_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        utc_datetime(py, self.opened_at)
    }

    /// When the next probe may go (rounded up to the second); until then every verification
    /// is answered at once, inconclusive, without a request.
    #[getter]
    fn retry_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        utc_datetime(py, self.retry_at)
    }

    /// `opened_at` and `retry_at` as ISO-8601 UTC text (`2026-01-01T00:00:30Z`, the form of
    /// the store's `stored_at`), `failures`, `probing`: ready for `json.dumps`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        to_dict(py, self)
    }

    fn __repr__(&self) -> String {
        format!(
            "OutageState(opened_at={}, retry_at={}, failures={}, probing={})",
            UnixTime(self.opened_at).to_iso8601(),
            UnixTime(self.retry_at).to_iso8601(),
            self.failures,
            py_bool(Some(self.probing))
        )
    }
}

/// Seconds since the epoch as `to_dict()` writes them: ISO-8601 UTC text.
#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's `serialize_with` hands the field by reference"
)]
fn iso8601<S: Serializer>(secs: &i64, out: S) -> Result<S::Ok, S::Error> {
    out.serialize_str(&UnixTime(*secs).to_iso8601())
}

/// `secs` since the epoch as a timezone-aware UTC `datetime` (abi3 has no datetime C API, so
/// through the `datetime` module).
fn utc_datetime(py: Python<'_>, secs: i64) -> PyResult<Bound<'_, PyAny>> {
    let datetime = py.import("datetime")?;
    let utc = datetime.getattr("timezone")?.getattr("utc")?;
    datetime
        .getattr("datetime")?
        .call_method1("fromtimestamp", (secs, utc))
}

/// A timezone-aware `datetime` to the second as seconds since the epoch, exactly (integer
/// arithmetic through `calendar.timegm`, no float).
fn epoch_seconds(what: &str, value: &Bound<'_, PyAny>) -> PyResult<i64> {
    let py = value.py();
    let class = py.import("datetime")?.getattr("datetime")?;
    if !value.is_instance(&class)? {
        return Err(PyTypeError::new_err(format!(
            "argument '{what}' must be datetime.datetime, not {}",
            value.get_type().name()?
        )));
    }
    if value.call_method0("utcoffset")?.is_none() {
        return Err(PyValueError::new_err(format!(
            "{what} must be timezone-aware (tzinfo=datetime.timezone.utc), not naive"
        )));
    }
    if value.getattr("microsecond")?.extract::<u32>()? != 0 {
        return Err(PyValueError::new_err(format!(
            "{what} must be to the second (microsecond=0): the guard keeps whole seconds"
        )));
    }
    py.import("calendar")?
        .call_method1("timegm", (value.call_method0("utctimetuple")?,))?
        .extract()
}

/// A cause word a host gave: one of the contract's (a verification's or a handler's).
fn parse_cause(word: &str) -> PyResult<AnswerCause> {
    let every = || {
        CauseKind::ALL
            .into_iter()
            .map(AnswerCause::from)
            .chain(HandlerCause::ALL.into_iter().map(AnswerCause::from))
    };
    every().find(|cause| cause.as_str() == word).ok_or_else(|| {
        let words: Vec<&str> = every().map(AnswerCause::as_str).collect();
        PyValueError::new_err(format!(
            "cause must be one of {}, not {word:?}",
            words.join(", ")
        ))
    })
}

/// `cause` as given, else `default`, when `fits` says it goes with the other arguments
/// (`with` names them for the message).
fn cause_or(
    word: Option<&str>,
    default: impl Into<AnswerCause>,
    fits: impl Fn(AnswerCause) -> bool,
    with: impl FnOnce() -> String,
) -> PyResult<AnswerCause> {
    let cause = word.map_or_else(|| Ok(default.into()), parse_cause)?;
    if fits(cause) {
        Ok(cause)
    } else {
        Err(PyValueError::new_err(format!(
            "cause {:?} does not go with {}",
            cause.as_str(),
            with()
        )))
    }
}

/// A built `Verdict`'s cause (docs/contract.md §9): its verdict must be `kind`, and it is
/// `rate_limited` exactly when `rate_limited` is; an audit row's `store_unavailable` is the one
/// handler word a verdict carries. By default the one the other arguments imply, else the
/// most common of its kind.
fn verdict_cause(
    word: Option<&str>,
    kind: VerdictKind,
    rate_limited: bool,
) -> PyResult<AnswerCause> {
    let default = match kind {
        _ if rate_limited => CauseKind::RateLimited,
        VerdictKind::Valid => CauseKind::Ok,
        VerdictKind::Invalid => CauseKind::BadCredentials,
        VerdictKind::Inconclusive => CauseKind::GithubDown,
    };
    cause_or(
        word,
        default,
        |cause| {
            let store = AnswerCause::Handler(HandlerCause::StoreUnavailable);
            (cause.verdict() == Some(kind) || (cause == store && kind == VerdictKind::Inconclusive))
                && rate_limited == (cause == CauseKind::RateLimited.into())
        },
        || {
            format!(
                "kind {:?} and rate_limited={}",
                kind.as_str(),
                py_bool(Some(rate_limited))
            )
        },
    )
}

/// A built `CheckResponse`'s cause: the one its category is answered with (docs/contract.md
/// §6, §13). By default the word the category implies, `bad_credentials` for `invalid_pat`,
/// and for `inconclusive` `store_unavailable` with a `detail`, `github_down` without.
fn check_cause(word: Option<&str>, category: CheckCategory, detail: bool) -> PyResult<AnswerCause> {
    let store = AnswerCause::Handler(HandlerCause::StoreUnavailable);
    let default: AnswerCause = match category {
        CheckCategory::Valid => CauseKind::Ok.into(),
        CheckCategory::NoPat => HandlerCause::NoPat.into(),
        CheckCategory::InvalidPat => CauseKind::BadCredentials.into(),
        CheckCategory::Inconclusive if detail => store,
        CheckCategory::Inconclusive => CauseKind::GithubDown.into(),
        CheckCategory::NoResponse => HandlerCause::NotRegistered.into(),
    };
    cause_or(
        word,
        default,
        |cause| match category {
            CheckCategory::InvalidPat => cause.verdict() == Some(VerdictKind::Invalid),
            CheckCategory::Inconclusive => {
                cause.verdict() == Some(VerdictKind::Inconclusive) || cause == store
            }
            CheckCategory::Valid | CheckCategory::NoPat | CheckCategory::NoResponse => {
                cause == default
            }
        },
        || format!("category {:?}", category.as_str()),
    )
}

/// A built `BroadcastResponse`'s cause: `ok` when accepted; when retryable, a cause of an
/// inconclusive verdict or `store_unavailable`; when refused for good, evidence,
/// `not_registered` or `identity_locked`. By default `ok`, `github_down` or
/// `bad_credentials`.
fn broadcast_cause(word: Option<&str>, accepted: bool, retryable: bool) -> PyResult<AnswerCause> {
    let default = match (accepted, retryable) {
        (true, _) => CauseKind::Ok,
        (false, true) => CauseKind::GithubDown,
        (false, false) => CauseKind::BadCredentials,
    };
    cause_or(
        word,
        default,
        |cause| match (accepted, retryable) {
            (true, _) => cause == CauseKind::Ok.into(),
            (false, true) => {
                cause.verdict() == Some(VerdictKind::Inconclusive)
                    || cause == HandlerCause::StoreUnavailable.into()
            }
            (false, false) => {
                cause.verdict() == Some(VerdictKind::Invalid)
                    || cause == HandlerCause::NotRegistered.into()
                    || cause == HandlerCause::IdentityLocked.into()
            }
        },
        || {
            format!(
                "accepted={} and retryable={}",
                py_bool(Some(accepted)),
                py_bool(Some(retryable))
            )
        },
    )
}

/// The value among `values` whose word is `word`, or `ValueError` naming `what` and the
/// words it may be (the core's, so a word added there is accepted here).
fn one_of<T: Copy>(
    what: &str,
    word: &str,
    values: &[T],
    as_str: impl Fn(T) -> &'static str,
) -> PyResult<T> {
    values
        .iter()
        .copied()
        .find(|known| as_str(*known) == word)
        .ok_or_else(|| {
            let words: Vec<&str> = values.iter().map(|value| as_str(*value)).collect();
            PyValueError::new_err(format!(
                "{what} must be one of {}, not {word:?}",
                words.join(", ")
            ))
        })
}

/// Seconds as a duration, to the nanosecond (so a pickled verdict compares equal).
fn seconds(value: f64) -> PyResult<Duration> {
    if !(value.is_finite() && (0.0..=1e9).contains(&value)) {
        return Err(PyValueError::new_err(format!(
            "retry_after must be a number of seconds, at least 0, not {value}"
        )));
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "checked above: finite, 0 to 1e9 seconds, which fits u64 nanoseconds"
    )]
    Ok(Duration::from_nanos((value * 1e9).round() as u64))
}

fn py_bool(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "True",
        Some(false) => "False",
        None => "None",
    }
}
