//! Every conversion between the core's types and Python's, in one place: what comes in
//! (a status or a transport failure, headers, a body, a time) and what goes out (verdicts and
//! the handlers' answers). Nothing here decides anything: the core did.

use std::borrow::Cow;

use pat_verdict::{BODY_CAP, Body, CallResult, HttpResponse, RelevantHeaders};
use pat_verdict::{TransportError, TransportErrorKind, UnixTime, VerifyResponse};
use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyString};

use crate::json;
use crate::types::Verdict;

// ---- into the core ----

/// What came back from one call, as a host with its own HTTP client describes it: exactly
/// one of a status (with headers and body) or a transport failure.
///
/// # Errors
///
/// `ValueError` for both or neither, a status outside 0–65535 or an empty transport error;
/// `TypeError` for a body or headers of a type no HTTP client returns.
pub(crate) fn call_result(
    status: Option<i64>,
    body: Option<&Bound<'_, PyAny>>,
    headers: Option<&Bound<'_, PyAny>>,
    transport_error: Option<&str>,
) -> PyResult<CallResult> {
    match (status, transport_error) {
        (Some(status), None) => {
            let status = u16::try_from(status).map_err(|_| {
                PyValueError::new_err(format!(
                    "status must be an HTTP status code (0 to 65535), not {status}"
                ))
            })?;
            Ok(Ok(HttpResponse {
                status,
                headers: relevant_headers(headers)?,
                body: body_of(body)?,
            }))
        }
        (None, Some(kind)) => Ok(Err(transport(kind)?)),
        (Some(_), Some(_)) => Err(PyValueError::new_err(
            "give either status or transport_error, not both",
        )),
        (None, None) => Err(PyValueError::new_err(
            "give status (GitHub answered) or transport_error (it did not)",
        )),
    }
}

/// What a host's client got back, converted for the core, and the wall time it gave (`now`,
/// whose argument's name is `now_name`; `None` for the machine's clock, which the caller
/// reads): shared by the classifiers and `Verification.receive`.
///
/// # Errors
///
/// As [`call_result`] and [`unix_time`]; `TypeError` for a `transport_error` that is not a
/// `str`.
pub(crate) fn host_answer(
    status: Option<&Bound<'_, PyAny>>,
    body: Option<&Bound<'_, PyAny>>,
    headers: Option<&Bound<'_, PyAny>>,
    transport_error: Option<&Bound<'_, PyAny>>,
    now: Option<Number>,
    now_name: &str,
) -> PyResult<(CallResult, Option<UnixTime>)> {
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
    let status = status.map(self::status).transpose()?;
    let result = call_result(status, body, headers, transport_error.as_deref())?;
    let now = now.map(|now| unix_time(&now, now_name)).transpose()?;
    Ok((result, now))
}

/// A status as Python gave it: an `int` of any size (out of range is judged by
/// [`call_result`]).
///
/// # Errors
///
/// `TypeError` for anything but an `int`; `ValueError` for one beyond 64 bits.
pub(crate) fn status(status: &Bound<'_, PyAny>) -> PyResult<i64> {
    if !status.is_instance_of::<pyo3::types::PyInt>()
        || status.is_instance_of::<pyo3::types::PyBool>()
    {
        return Err(PyTypeError::new_err("status must be an int"));
    }
    status
        .extract::<i64>()
        .map_err(|_| PyValueError::new_err("status must be an HTTP status code (0 to 65535)"))
}

/// The transport failure a host names. The word before any `:` picks the kind (see
/// `TRANSPORT_KINDS`); the rest, or the whole text when the word is unknown, is the detail.
fn transport(text: &str) -> PyResult<TransportError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(PyValueError::new_err(
            "transport_error must name the failure (e.g. \"timeout\", \"connect\", \"reset\")",
        ));
    }
    let (word, rest) = match text.split_once(':') {
        Some((word, rest)) => (word.trim(), rest.trim()),
        None => (text, ""),
    };
    match transport_kind(word) {
        Some(kind) => Ok(TransportError::new(
            kind,
            if rest.is_empty() {
                "reported by the HTTP client"
            } else {
                rest
            },
        )),
        None => Ok(TransportError::new(TransportErrorKind::Other, text)),
    }
}

/// The words `transport_error` accepts for each kind of transport failure, lower case.
pub(crate) const TRANSPORT_KINDS: &[(&str, TransportErrorKind)] = &[
    ("timeout", TransportErrorKind::Timeout),
    ("connect", TransportErrorKind::Connect),
    ("dns", TransportErrorKind::Dns),
    ("reset", TransportErrorKind::ConnectionReset),
    ("tls", TransportErrorKind::Tls),
    ("truncated", TransportErrorKind::TruncatedBody),
    ("protocol", TransportErrorKind::Protocol),
];

fn transport_kind(word: &str) -> Option<TransportErrorKind> {
    TRANSPORT_KINDS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(word))
        .map(|(_, kind)| *kind)
}

/// The headers classification reads, picked out of any `str → str` mapping (names
/// case-insensitive), exactly as the HTTP adapter picks them out of a response.
fn relevant_headers(headers: Option<&Bound<'_, PyAny>>) -> PyResult<RelevantHeaders> {
    let Some(headers) = headers.filter(|headers| !headers.is_none()) else {
        return Ok(RelevantHeaders::default());
    };
    let mut pairs: Vec<(Cow<'_, str>, Cow<'_, [u8]>)> = Vec::new();
    let mut push = |name: Bound<'_, PyAny>, value: Bound<'_, PyAny>| -> PyResult<()> {
        let name = text_of(&name, "header names")?.into_owned();
        let value = match value.cast::<PyBytes>() {
            Ok(bytes) => bytes.as_bytes().to_vec(),
            Err(_) => text_of(&value, "header values")?.into_owned().into_bytes(),
        };
        pairs.push((Cow::Owned(name), Cow::Owned(value)));
        Ok(())
    };
    if let Ok(dict) = headers.cast::<PyDict>() {
        for (name, value) in dict.iter() {
            push(name, value)?;
        }
    } else {
        let items = headers.call_method0("items").map_err(|_| {
            PyTypeError::new_err(
                "headers must be a mapping of str to str (dict, CaseInsensitiveDict, …)",
            )
        })?;
        for item in items.try_iter()? {
            let (name, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item?.extract()?;
            push(name, value)?;
        }
    }
    Ok(RelevantHeaders::from_pairs(
        pairs
            .iter()
            .map(|(name, value)| (name.as_ref(), value.as_ref())),
    ))
}

fn text_of<'a>(value: &'a Bound<'_, PyAny>, what: &str) -> PyResult<Cow<'a, str>> {
    value
        .cast::<PyString>()
        .map_err(|_| PyTypeError::new_err(format!("{what} must be str")))?
        .to_cow()
}

/// The body: raw (`bytes`, `bytearray`, `str`) as sent, or a parsed JSON value written back
/// as JSON; either way over the HTTP adapter's cap is [`Body::OverCap`], as from the wire.
fn body_of(body: Option<&Bound<'_, PyAny>>) -> PyResult<Body> {
    let bytes = match body {
        // No body handed over: a 4xx is then judged by its status alone (docs/contract.md
        // §2); a 200 reads as the `null` that `response.json()` also gives `None` for.
        None => return Ok(Body::Absent),
        Some(body) => {
            if let Ok(bytes) = body.cast::<PyBytes>() {
                bytes.as_bytes().to_vec()
            } else if let Ok(bytes) = body.cast::<PyByteArray>() {
                bytes.to_vec()
            } else if let Ok(text) = body.cast::<PyString>() {
                text.to_cow()?.into_owned().into_bytes()
            } else {
                json::to_json(body)?
            }
        }
    };
    Ok(if bytes.len() > BODY_CAP {
        Body::OverCap { cap: BODY_CAP }
    } else {
        Body::Complete(bytes)
    })
}

/// Epoch seconds, whole (a fraction never changes a header's meaning), from the argument
/// `name`.
///
/// # Errors
///
/// `ValueError` for NaN or infinity (an `int` beyond every float included).
pub(crate) fn unix_time(now: &Number, name: &str) -> PyResult<UnixTime> {
    if !now.value.is_finite() {
        return Err(PyValueError::new_err(format!(
            "{name} must be a finite number of seconds, not {now}"
        )));
    }
    // `as` saturates for values beyond i64, which is the meaning wanted.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "seconds since the epoch; the fraction is dropped on purpose, far values saturate"
    )]
    Ok(UnixTime(now.value.floor() as i64))
}

/// A number as Python gave it (`int` or `float`), for an argument whose range is checked
/// after the conversion. An `int` beyond every float is infinity with its sign: outside every
/// range, so it gets the same `ValueError` as any other value out of range, never Python's
/// `OverflowError` from the conversion. The message quotes what was given (its [`Display`]).
///
/// [`Display`]: std::fmt::Display
pub(crate) type Number = Given<f64>;

/// A whole number as Python gave it, for an argument whose range is checked after the
/// conversion: one beyond 64 bits saturates (outside every range), so it gets the same
/// `ValueError` as any other value out of range, never `OverflowError`. The message quotes
/// what was given.
pub(crate) type Count = Given<i64>;

/// A [`Number`] or a [`Count`]: the value, saturated when Python's was beyond its type.
#[derive(Clone, Debug)]
pub(crate) struct Given<T> {
    pub(crate) value: T,
    /// How to quote the argument when `value` is not what was given.
    given: Option<String>,
}

/// A number type an argument converts to, with the values a too large one saturates to.
pub(crate) trait Saturating: Sized {
    /// What an argument below every value of the type becomes.
    const LOW: Self;
    /// What an argument above every value of the type becomes.
    const HIGH: Self;
}

impl Saturating for f64 {
    const LOW: Self = f64::NEG_INFINITY;
    const HIGH: Self = f64::INFINITY;
}

impl Saturating for i64 {
    const LOW: Self = i64::MIN;
    const HIGH: Self = i64::MAX;
}

impl<T> From<T> for Given<T> {
    fn from(value: T) -> Self {
        Self { value, given: None }
    }
}

impl<'a, 'py, T> FromPyObject<'a, 'py> for Given<T>
where
    T: Saturating + FromPyObject<'a, 'py>,
{
    type Error = PyErr;

    fn extract(obj: pyo3::Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        match obj.extract::<T>().map_err(Into::into) {
            Ok(value) => Ok(Self::from(value)),
            Err(error) if error.is_instance_of::<PyOverflowError>(obj.py()) => Ok(Self {
                value: if obj.gt(0)? { T::HIGH } else { T::LOW },
                given: Some(quoted(&obj)),
            }),
            Err(error) => Err(error),
        }
    }
}

impl Count {
    /// The number given, when 64 bits hold it (else it was saturated).
    pub(crate) fn exact(&self) -> Option<i64> {
        self.given.is_none().then_some(self.value)
    }
}

impl<T: std::fmt::Display> std::fmt::Display for Given<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.given {
            Some(given) => f.write_str(given),
            None => write!(f, "{}", self.value),
        }
    }
}

/// A number too large to convert, as a message quotes it: its `repr` when short, else its
/// size (the digits of `2**1024` help nobody, and `repr` refuses an `int` over 4,300 digits).
fn quoted(obj: &Bound<'_, PyAny>) -> String {
    const SHORT: usize = 40;
    if let Ok(repr) = obj.repr()
        && let Ok(repr) = repr.to_cow()
        && repr.chars().count() <= SHORT
    {
        return repr.into_owned();
    }
    match obj
        .call_method0("bit_length")
        .and_then(|bits| bits.extract::<u64>())
    {
        Ok(bits) => format!("an int of {bits} bits"),
        Err(_) => "a number too large to convert".to_owned(),
    }
}

// ---- the pure classifiers ----

/// docs/contract.md §2 on what a host's own client got back.
pub(crate) fn classify_test_query(result: &CallResult, now: UnixTime) -> Verdict {
    Verdict::from(&VerifyResponse::from(&pat_verdict::classify_test_query(
        result, now,
    )))
}

/// docs/contract.md §3 on what a host's own client got back.
pub(crate) fn classify_identity(result: &CallResult, now: UnixTime) -> Verdict {
    Verdict::from(&VerifyResponse::from(&pat_verdict::classify_identity(
        result, now,
    )))
}
