//! The value objects Python sees: frozen, comparable, with a `__repr__` a person can read.
//!
//! `Verdict` holds the core's wire form of a verdict ([`VerifyResponse`]); the handlers'
//! answers hold the same fields as the core's, filled in by [`crate::convert`]. None of them
//! can hold the token: the core never puts it in an answer, and redacts the strings GitHub
//! supplied (a login, an id) in case GitHub echoed it.

use std::time::Duration;

use pat_verdict::{CheckCategory, Stage, UnixTime, VerdictKind, VerifyResponse};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

/// Python's `repr` of an optional string: `'text'` with control characters escaped, or `None`.
pub(crate) fn repr_opt(py: Python<'_>, text: Option<&str>) -> PyResult<String> {
    match text {
        Some(text) => Ok(PyString::new(py, text).repr()?.to_cow()?.into_owned()),
        None => Ok("None".to_owned()),
    }
}

/// The verdict on a PAT: `kind` is `"valid"`, `"invalid"` (GitHub gave evidence against it)
/// or `"inconclusive"` (GitHub could not be asked: retry later); the rest says why and what
/// GitHub told about the token. Frozen, compared and hashed by value, picklable; build one by
/// keyword for your own tests. `None` in an attribute means GitHub did not say.
///
/// It holds the core's wire form of a verdict, the object `pat-verdict verify --json` prints,
/// so `to_dict()` is that object (plus `requests`) by construction.
#[pyclass(frozen, eq, hash, module = "pat_verdict", name = "Verdict")]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Verdict(pub(crate) VerifyResponse);

#[pymethods]
impl Verdict {
    /// A verdict built by hand, for a host's own tests; every argument as the attribute of
    /// the same name. `ValueError` for a `kind` or `stage` not among the documented words or
    /// a negative `retry_after`.
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
        let cause = answer_cause(cause, verdict, rate_limited)?;
        Ok(Self(VerifyResponse {
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
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let this = slf.get();
        let args = (
            this.kind(),
            this.error(),
            this.rate_limited(),
            this.retry_after(),
            this.stage(),
            this.github_id(),
            this.login(),
            this.expires_at(),
            this.scopes(),
            this.requests(),
            this.cause(),
        )
            .into_pyobject(py)?;
        Ok((slf.get_type().into_any(), args))
    }

    /// `"valid"`, `"invalid"` or `"inconclusive"`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.0.verdict.as_str()
    }

    /// gittensor's `error`: why the PAT is not valid; `None` when it is.
    #[getter]
    fn error(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }

    /// gittensor's `transient_failure`: true exactly when the verdict is inconclusive.
    #[getter]
    fn transient_failure(&self) -> bool {
        self.0.verdict == VerdictKind::Inconclusive
    }

    /// GitHub refused for rate reasons (a rate or abuse limit) rather than failing.
    #[getter]
    fn rate_limited(&self) -> bool {
        self.0.rate_limited()
    }

    /// Why, as one word (docs/contract.md §13): `"ok"` when valid.
    #[getter]
    fn cause(&self) -> &'static str {
        self.0.cause.as_str()
    }

    /// How long GitHub asked us to wait, in seconds, when it said.
    #[getter]
    fn retry_after(&self) -> Option<f64> {
        self.0.retry_after.map(|wait| wait.as_secs_f64())
    }

    /// Where verification stopped when not valid: `"token"`, `"identity"`, `"test_query"`.
    #[getter]
    fn stage(&self) -> Option<&'static str> {
        self.0.stage.map(Stage::as_str)
    }

    /// The account's numeric id as a decimal string, when the identity lookup was valid.
    #[getter]
    fn github_id(&self) -> Option<&str> {
        self.0.github_id.as_deref()
    }

    /// The account's login, when GitHub sent one.
    #[getter]
    fn login(&self) -> Option<&str> {
        self.0.login.as_deref()
    }

    /// When the token expires (ISO-8601 UTC), from GitHub's expiration header.
    #[getter]
    fn expires_at(&self) -> Option<&str> {
        self.0.expires_at.as_deref()
    }

    /// The classic PAT's scopes (`X-OAuth-Scopes`); `None` when GitHub did not say.
    #[getter]
    fn scopes(&self) -> Option<Vec<String>> {
        self.0.scopes.clone()
    }

    /// HTTP requests made for this verdict, retries included (0 for `classify_*`).
    #[getter]
    fn requests(&self) -> u32 {
        self.0.requests
    }

    /// The keys of `pat-verdict verify --json` plus `"requests"`: `verdict`, `github_id`,
    /// `login`, `reason`, `stage`, `retry_after_secs` (whole seconds, rounded up), `scopes`,
    /// `expires_at`, `requests`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = crate::json::to_dict(py, &self.0)?;
        dict.set_item("requests", self.0.requests)?;
        Ok(dict)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let mut text = format!("Verdict(kind='{}'", self.kind());
        if let Some(error) = self.error() {
            text.push_str(&format!(", error={}", repr_opt(py, Some(error))?));
        }
        if self.0.rate_limited() {
            text.push_str(", rate_limited=True");
        }
        if let Some(wait) = self.retry_after() {
            text.push_str(&format!(", retry_after={wait:?}"));
        }
        if let Some(stage) = self.stage() {
            text.push_str(&format!(", stage='{stage}'"));
        }
        if let Some(github_id) = self.github_id() {
            text.push_str(&format!(", github_id={}", repr_opt(py, Some(github_id))?));
        }
        if let Some(login) = self.login() {
            text.push_str(&format!(", login={}", repr_opt(py, Some(login))?));
        }
        text.push_str(&format!(", requests={})", self.0.requests));
        Ok(text)
    }
}

/// The check endpoint's answer, field for field as miners' CLIs read it: `has_pat` (`None`:
/// the hotkey is not registered, we did not look), `pat_valid` (`None`: could not tell),
/// `rejection_reason`, `category` and `detail`. Frozen, hashed by value, picklable.
#[pyclass(frozen, eq, hash, module = "pat_verdict", name = "CheckResponse")]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CheckResponse {
    pub(crate) has_pat: Option<bool>,
    pub(crate) pat_valid: Option<bool>,
    pub(crate) rejection_reason: Option<String>,
    pub(crate) category: &'static str,
    pub(crate) detail: Option<String>,
}

#[pymethods]
impl CheckResponse {
    /// An answer built by hand, for a host's own tests; every argument as the attribute of
    /// the same name. `ValueError` for a `category` not among the documented words.
    #[new]
    #[pyo3(signature = (category, has_pat=None, pat_valid=None, rejection_reason=None, detail=None))]
    fn new(
        category: &str,
        has_pat: Option<bool>,
        pat_valid: Option<bool>,
        rejection_reason: Option<String>,
        detail: Option<String>,
    ) -> PyResult<Self> {
        Ok(Self {
            has_pat,
            pat_valid,
            rejection_reason,
            category: one_of("category", category, &CheckCategory::ALL, |category| {
                category.as_str()
            })?
            .as_str(),
            detail,
        })
    }

    /// Pickling (and `copy`): the class and the constructor's arguments.
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let this = slf.get();
        let args = (
            this.category,
            this.has_pat,
            this.pat_valid,
            this.rejection_reason.clone(),
            this.detail.clone(),
        )
            .into_pyobject(slf.py())?;
        Ok((slf.get_type().into_any(), args))
    }

    /// The answer as miners' CLIs read it: `has_pat`, `pat_valid`, `rejection_reason`,
    /// `category`, and `detail` only when there is one.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("has_pat", self.has_pat)?;
        dict.set_item("pat_valid", self.pat_valid)?;
        dict.set_item("rejection_reason", self.rejection_reason.as_deref())?;
        dict.set_item("category", self.category)?;
        if let Some(detail) = &self.detail {
            dict.set_item("detail", detail)?;
        }
        Ok(dict)
    }
    /// Whether we hold a PAT for this miner; `None` when we did not look (unregistered).
    #[getter]
    fn has_pat(&self) -> Option<bool> {
        self.has_pat
    }

    /// Whether it works; `None` when we could not tell (GitHub or the store unavailable).
    #[getter]
    fn pat_valid(&self) -> Option<bool> {
        self.pat_valid
    }

    /// Why not, in words; `None` when valid.
    #[getter]
    fn rejection_reason(&self) -> Option<&str> {
        self.rejection_reason.as_deref()
    }

    /// `"valid"`, `"no_pat"`, `"invalid_pat"`, `"inconclusive"` or `"no_response"`.
    #[getter]
    fn category(&self) -> &'static str {
        self.category
    }

    /// Only when the store was unavailable: why (its path and the OS error), because a
    /// corrupt file or a directory will not fix itself on retry. `None` otherwise.
    #[getter]
    fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
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
/// `retryable`. The PAT is never echoed back. Frozen, hashed by value, picklable.
#[pyclass(frozen, eq, hash, module = "pat_verdict", name = "BroadcastResponse")]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BroadcastResponse {
    pub(crate) accepted: bool,
    pub(crate) rejection_reason: Option<String>,
    pub(crate) retryable: bool,
}

#[pymethods]
impl BroadcastResponse {
    /// An answer built by hand, for a host's own tests; every argument as the attribute of
    /// the same name.
    #[new]
    #[pyo3(signature = (accepted, rejection_reason=None, retryable=false))]
    fn new(accepted: bool, rejection_reason: Option<String>, retryable: bool) -> Self {
        Self {
            accepted,
            rejection_reason,
            retryable,
        }
    }

    /// Pickling (and `copy`): the class and the constructor's arguments.
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let this = slf.get();
        let args = (this.accepted, this.rejection_reason.clone(), this.retryable)
            .into_pyobject(slf.py())?;
        Ok((slf.get_type().into_any(), args))
    }

    /// `accepted`, `rejection_reason`, `retryable`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("accepted", self.accepted)?;
        dict.set_item("rejection_reason", self.rejection_reason.as_deref())?;
        dict.set_item("retryable", self.retryable)?;
        Ok(dict)
    }
    /// Whether the PAT was stored.
    #[getter]
    fn accepted(&self) -> bool {
        self.accepted
    }

    /// Why not, in words; `None` when accepted.
    #[getter]
    fn rejection_reason(&self) -> Option<&str> {
        self.rejection_reason.as_deref()
    }

    /// Whether the same broadcast may succeed later (GitHub or the store was unavailable).
    #[getter]
    fn retryable(&self) -> bool {
        self.retryable
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "BroadcastResponse(accepted={}, retryable={}, rejection_reason={})",
            py_bool(Some(self.accepted)),
            py_bool(Some(self.retryable)),
            repr_opt(py, self.rejection_reason.as_deref())?
        ))
    }
}

/// One stored PAT's verdict, from `Validator.audit`: its `uid`, `hotkey`, the `github_id` it
/// is pinned to (`None`: none) and the `verdict`. Frozen, hashed by value, picklable.
#[pyclass(frozen, eq, hash, module = "pat_verdict", name = "AuditRow")]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AuditRow {
    pub(crate) uid: u32,
    pub(crate) hotkey: String,
    pub(crate) github_id: Option<String>,
    pub(crate) verdict: Verdict,
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
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let this = slf.get();
        let args = (
            this.uid,
            this.hotkey.clone(),
            this.github_id.clone(),
            this.verdict.clone(),
        )
            .into_pyobject(slf.py())?;
        Ok((slf.get_type().into_any(), args))
    }

    /// `uid`, `hotkey`, `github_id` and `verdict` (the verdict's own `to_dict()`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("uid", self.uid)?;
        dict.set_item("hotkey", &self.hotkey)?;
        dict.set_item("github_id", self.github_id.as_deref())?;
        dict.set_item("verdict", self.verdict.to_dict(py)?)?;
        Ok(dict)
    }
    /// The entry's uid.
    #[getter]
    fn uid(&self) -> u32 {
        self.uid
    }

    /// The entry's hotkey.
    #[getter]
    fn hotkey(&self) -> &str {
        &self.hotkey
    }

    /// The GitHub id the entry is pinned to; `None` when it names none.
    #[getter]
    fn github_id(&self) -> Option<&str> {
        self.github_id.as_deref()
    }

    /// The verdict on its PAT.
    #[getter]
    fn verdict(&self) -> Verdict {
        self.verdict.clone()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "AuditRow(uid={}, hotkey={}, github_id={}, verdict={})",
            self.uid,
            repr_opt(py, Some(&self.hotkey))?,
            repr_opt(py, self.github_id.as_deref())?,
            self.verdict.__repr__(py)?
        ))
    }
}

/// The outage guard while it is open, from `Verifier.outage` and `Validator.outage` (`None`
/// while it is closed): since when GitHub has been failing (`opened_at`), when the next
/// probe may go (`retry_at`), the consecutive failures counted (`failures`) and whether the
/// probe is in flight (`probing`). The times are timezone-aware
/// UTC `datetime`s, to the second, so a host can compare them with `datetime.now(timezone.utc)`
/// or show them. Frozen, compared and hashed by value, picklable; a snapshot that does not
/// change as the guard does.
#[pyclass(frozen, eq, hash, module = "pat_verdict", name = "OutageState")]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OutageState {
    /// Seconds since the epoch, as the core keeps them.
    pub(crate) opened_at: i64,
    /// Seconds since the epoch.
    pub(crate) retry_at: i64,
    pub(crate) failures: u32,
    pub(crate) probing: bool,
}

impl From<pat_verdict::OutageState> for OutageState {
    fn from(state: pat_verdict::OutageState) -> Self {
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
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let this = slf.get();
        let args = (
            utc_datetime(py, this.opened_at)?,
            utc_datetime(py, this.retry_at)?,
            this.failures,
            this.probing,
        )
            .into_pyobject(py)?;
        Ok((slf.get_type().into_any(), args))
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

    /// Consecutive GitHub-side failures counted so far.
    #[getter]
    fn failures(&self) -> u32 {
        self.failures
    }

    /// Whether the one probe is in flight (every other request waits for its answer).
    #[getter]
    fn probing(&self) -> bool {
        self.probing
    }

    /// `opened_at` and `retry_at` as ISO-8601 UTC text (`2026-01-01T00:00:30Z`, the form of
    /// the store's `stored_at`), `failures`, `probing`: ready for `json.dumps`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("opened_at", UnixTime(self.opened_at).to_iso8601())?;
        dict.set_item("retry_at", UnixTime(self.retry_at).to_iso8601())?;
        dict.set_item("failures", self.failures)?;
        dict.set_item("probing", self.probing)?;
        Ok(dict)
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

/// The value among `values` whose word is `word`, or `ValueError` naming `what` and the
/// words it may be (the core's, so a word added there is accepted here).
/// The cause a host gave a `Verdict` it builds: one of the contract's words; when it gives none,
/// `ok` for a valid verdict and `rate_limited` for a rate-limited one (the two the other
/// arguments already say).
fn answer_cause(
    word: Option<&str>,
    verdict: VerdictKind,
    rate_limited: bool,
) -> PyResult<pat_verdict::AnswerCause> {
    use pat_verdict::{AnswerCause, CauseKind, HandlerCause};
    let cause = match word {
        Some(word) => CauseKind::ALL
            .iter()
            .map(|&cause| AnswerCause::from(cause))
            .chain(
                HandlerCause::ALL
                    .iter()
                    .map(|&cause| AnswerCause::from(cause)),
            )
            .find(|cause| cause.as_str() == word)
            .ok_or_else(|| {
                PyValueError::new_err(format!(
                    "cause must be one of {}, not {word:?}",
                    CauseKind::ALL.map(CauseKind::as_str).join(", ")
                ))
            })?,
        None if verdict == VerdictKind::Valid => CauseKind::Ok.into(),
        None if rate_limited => CauseKind::RateLimited.into(),
        None => {
            return Err(PyValueError::new_err(
                "cause is required for a verdict that is not valid (one of the contract's words, e.g. 'github_down')",
            ));
        }
    };
    let expected = match cause {
        AnswerCause::Verdict(cause) => cause.verdict(),
        AnswerCause::Handler(_) => VerdictKind::Inconclusive,
    };
    if expected != verdict || rate_limited != (cause == CauseKind::RateLimited.into()) {
        return Err(PyValueError::new_err(format!(
            "cause {:?} does not go with kind {:?} and rate_limited={}",
            cause.as_str(),
            verdict.as_str(),
            if rate_limited { "True" } else { "False" }
        )));
    }
    Ok(cause)
}

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
