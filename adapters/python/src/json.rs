//! Parsed JSON from Python (what `requests`' `response.json()` returns) written back as JSON
//! text, so the core classifies what GitHub sent and not a re-interpretation of it.
//!
//! Faithful where it matters to the tables of docs/contract.md §2–§3: `True` stays a boolean (never the
//! number 1), an `int` keeps every digit (a 30-digit id reads as GitHub wrote it, and the
//! core judges it), a `float` stays a float (`42.0` is not the id `42`), and the `NaN` or
//! `Infinity` that Python's `json` accepts are written as Python's `json` writes them, which
//! the core, like GitHub's JSON grammar, refuses.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

/// Nesting deeper than this is not followed: the core's parser stops at 128 levels (the
/// body is then "not JSON", as the same bytes from GitHub would be), and a structure that
/// contains itself must not recurse forever.
const MAX_DEPTH: usize = 256;

/// The JSON text of `value`: `None`, `bool`, `int`, `float`, `str`, `dict` with `str` keys,
/// `list` and `tuple`, nested.
///
/// # Errors
///
/// `TypeError` for any other type (it cannot have come from a JSON parser); `ValueError` for
/// an integer too long for Python to write as text.
pub(crate) fn to_json(value: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    let mut out = Vec::with_capacity(128);
    write(value, &mut out, 0)?;
    Ok(out)
}

fn write(value: &Bound<'_, PyAny>, out: &mut Vec<u8>, depth: usize) -> PyResult<()> {
    if depth > MAX_DEPTH {
        // Unreachable for the core's parser, which gave up at depth 128.
        out.extend_from_slice(b"null");
        return Ok(());
    }
    if value.is_none() {
        out.extend_from_slice(b"null");
    } else if let Ok(text) = value.cast::<PyString>() {
        write_str(text, out);
    } else if let Ok(dict) = value.cast::<PyDict>() {
        out.push(b'{');
        for (index, (key, item)) in dict.iter().enumerate() {
            if index > 0 {
                out.push(b',');
            }
            let key = key.cast::<PyString>().map_err(|_| {
                PyTypeError::new_err("body: dict keys must be str, as a JSON parser gives them")
            })?;
            write_str(key, out);
            out.push(b':');
            write(&item, out, depth + 1)?;
        }
        out.push(b'}');
    } else if let Ok(list) = value.cast::<PyList>() {
        write_array(list.iter(), out, depth)?;
    } else if let Ok(tuple) = value.cast::<PyTuple>() {
        write_array(tuple.iter(), out, depth)?;
    } else if let Ok(flag) = value.cast::<PyBool>() {
        // Before `int`: `bool` is a subclass of `int` in Python.
        out.extend_from_slice(if flag.is_true() { b"true" } else { b"false" });
    } else if value.is_instance_of::<PyInt>() {
        write_int(value, out)?;
    } else if let Ok(float) = value.cast::<PyFloat>() {
        write_float(float.value(), out);
    } else {
        return Err(PyTypeError::new_err(format!(
            "body: a {} is not a JSON value (give bytes, str, or what a JSON parser returns)",
            value.get_type().name()?
        )));
    }
    Ok(())
}

/// A JSON array of `items` (a `list` or a `tuple`), one level deeper than its container.
fn write_array<'py>(
    items: impl Iterator<Item = Bound<'py, PyAny>>,
    out: &mut Vec<u8>,
    depth: usize,
) -> PyResult<()> {
    out.push(b'[');
    for (index, item) in items.enumerate() {
        if index > 0 {
            out.push(b',');
        }
        write(&item, out, depth + 1)?;
    }
    out.push(b']');
    Ok(())
}

fn write_str(text: &Bound<'_, PyString>, out: &mut Vec<u8>) {
    match text.to_cow() {
        Ok(text) => {
            // Writing a `str` into a `Vec` cannot fail.
            let _ = serde_json::to_writer(&mut *out, text.as_ref());
        }
        // A lone surrogate (`"\ud800"` parses in Python's `json`): write it as the escape it
        // came from, which the core's parser refuses just as it refuses GitHub's bytes.
        Err(_) => out.extend_from_slice(br#""\ud800""#),
    }
}

fn write_int(value: &Bound<'_, PyAny>, out: &mut Vec<u8>) -> PyResult<()> {
    if let Ok(small) = value.extract::<i64>() {
        out.extend_from_slice(small.to_string().as_bytes());
        return Ok(());
    }
    // Any size: `int.__repr__` is the exact decimal (a subclass's own repr could be a name).
    let digits = value
        .py()
        .get_type::<PyInt>()
        .call_method1("__repr__", (value,))
        .map_err(|error| PyValueError::new_err(format!("body: {error}")))?;
    out.extend_from_slice(digits.cast::<PyString>()?.to_cow()?.as_bytes());
    Ok(())
}

fn write_float(value: f64, out: &mut Vec<u8>) {
    if value.is_nan() {
        out.extend_from_slice(b"NaN");
    } else if value.is_infinite() {
        out.extend_from_slice(if value > 0.0 {
            b"Infinity".as_slice()
        } else {
            b"-Infinity".as_slice()
        });
    } else {
        // `Debug` is the shortest text that reads back as the same float and always keeps a
        // `.` or an exponent (`42.0`, `1e300`), so a float never turns into an integer.
        out.extend_from_slice(format!("{value:?}").as_bytes());
    }
}

/// `value` serialized as JSON and read back by Python's `json`, so a dict keeps the keys in
/// the order the core writes them: the wire form, key for key, as a Python dict.
///
/// # Errors
///
/// `ValueError` if `value` cannot be written as JSON (a wire form always can).
pub(crate) fn to_dict<'py>(
    py: Python<'py>,
    value: &impl serde::Serialize,
) -> PyResult<Bound<'py, PyDict>> {
    let text = serde_json::to_string(value)
        .map_err(|error| PyValueError::new_err(format!("cannot write as JSON: {error}")))?;
    Ok(py
        .import("json")?
        .call_method1("loads", (text,))?
        .cast_into::<PyDict>()?)
}
