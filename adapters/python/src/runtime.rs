//! The one shared tokio runtime every call runs on, and how a call runs for Python: always
//! as a task on it, so the caller can walk away from it.
//!
//! - Blocking calls ([`block`]) wait for the task in slices of [`SLICE`] with the GIL
//!   released, and between slices let Python run its signal handlers: Ctrl-C raises
//!   `KeyboardInterrupt` within a slice, as `time.sleep` does, and aborts the task.
//! - Awaited calls ([`start`]) put the answer in their loop's [`Inbox`] (whose loop settles
//!   the asyncio future, see `pat_verdict/__init__.py`) and return a [`Call`] whose `cancel`
//!   aborts the task: a cancelled `averify` sends no further request and a cancelled
//!   `abroadcast` starts no store write.
//!
//! A leaf: it names nothing else of this crate.

use std::future::Future;
use std::sync::mpsc::{RecvTimeoutError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use pyo3::IntoPyObjectExt;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use tokio::runtime::Runtime;
use tokio::task::AbortHandle;

/// How long a blocking call waits between looks at Python's signals: Ctrl-C is answered
/// within this (docs/contract.md §9 promises about 0.2 s).
pub(crate) const SLICE: Duration = Duration::from_millis(50);

/// Threads of the blocking pool that every HTTP call and store operation runs on (the ureq
/// adapter and the JSON store use `spawn_blocking`). Tokio's default is 512; a bound keeps
/// hundreds of concurrent `averify` calls to a bounded number of OS threads — extra calls
/// wait their turn inside the runtime, not in a thread of their own.
pub(crate) const BLOCKING_THREADS: usize = 64;

/// The runtime and the process it was built in. Only touched with the GIL held (every
/// caller is a Python call), so no thread can hold the lock while the process forks.
static RUNTIME: Mutex<Option<(u32, &'static Runtime)>> = Mutex::new(None);

/// The one runtime of this process, built on first use. A child forked after first use
/// inherits the parent's runtime without its threads: that one is left alone (never shut
/// down, which would wait on threads that do not exist) and a new one is built.
///
/// # Errors
///
/// `RuntimeError` when the operating system refuses the runtime's threads.
pub(crate) fn runtime() -> PyResult<&'static Runtime> {
    let mut slot = RUNTIME.lock().unwrap_or_else(PoisonError::into_inner);
    let pid = std::process::id();
    if let Some((built_in, runtime)) = *slot
        && built_in == pid
    {
        return Ok(runtime);
    }
    let built = tokio::runtime::Builder::new_multi_thread()
        .thread_name("pat-verdict")
        .max_blocking_threads(BLOCKING_THREADS)
        .enable_all()
        .build()
        .map_err(|error| {
            PyRuntimeError::new_err(format!("cannot start pat_verdict's runtime: {error}"))
        })?;
    // Leaked on purpose: it lives as long as the process, and a forked child must never
    // drop its parent's.
    let runtime: &'static Runtime = Box::leak(Box::new(built));
    *slot = Some((pid, runtime));
    Ok(runtime)
}

/// Forgets the runtime in a forked child (`os.register_at_fork`), so the next call builds
/// one with live threads. The process id check of [`runtime`] does the same for a fork
/// Python did not see.
pub(crate) fn forget_runtime() {
    *RUNTIME.lock().unwrap_or_else(PoisonError::into_inner) = None;
}

/// Runs `call` on the runtime and waits for it with the GIL released, answering signals.
///
/// # Errors
///
/// What a signal handler raised (`KeyboardInterrupt`): the task is aborted first.
/// `RuntimeError` when the runtime cannot start or the task died without an answer.
pub(crate) fn block<T: Send + 'static>(
    py: Python<'_>,
    call: impl Future<Output = T> + Send + 'static,
) -> PyResult<T> {
    let runtime = runtime()?;
    let (sender, mut receiver) = sync_channel(1);
    let task = runtime.spawn(async move {
        // The receiver is gone only when the caller was interrupted.
        let _ = sender.send(call.await);
    });
    loop {
        let (back, answer) = py.detach(move || {
            let answer = receiver.recv_timeout(SLICE);
            (receiver, answer)
        });
        receiver = back;
        match answer {
            Ok(out) => return Ok(out),
            Err(RecvTimeoutError::Timeout) => {
                if let Err(error) = py.check_signals() {
                    task.abort();
                    return Err(error);
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(PyRuntimeError::new_err(
                    "pat_verdict's task ended without an answer",
                ));
            }
        }
    }
}

/// Where a started call's answer goes: the awaiting event loop's inbox, under the key its
/// future waits on (Python passes the two as one tuple, the last argument of every `start_…`).
#[derive(FromPyObject)]
pub(crate) struct Reply(Py<Inbox>, u64);

/// A call running for an awaiting coroutine; `cancel` abandons it.
///
/// Its task belongs to the runtime of the process that started it. In a process forked from
/// that one (a coroutine awaiting across the fork) the task does not exist and its runtime
/// has no threads: aborting it there would take the runtime's locks, which one of the
/// parent's threads may have held at the fork, so there the handle is forgotten untouched.
#[pyclass(frozen, module = "pat_verdict._pat_verdict", name = "_Call")]
pub(crate) struct Call {
    pid: u32,
    /// Only touched with the GIL held, so never held at a fork.
    task: Mutex<Option<AbortHandle>>,
}

#[pymethods]
impl Call {
    /// Aborts the task if it is still running: it is dropped at its next await, so no
    /// request and no store write starts after this. Does nothing once it has finished, nor
    /// in a forked child (where the task never runs).
    fn cancel(&self) {
        let task = self
            .task
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(task) = task {
            if self.pid == std::process::id() {
                task.abort();
            } else {
                std::mem::forget(task);
            }
        }
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        // In a forked child even the handle's drop would touch the parent's task.
        if self.pid != std::process::id()
            && let Some(task) = self
                .task
                .get_mut()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
        {
            std::mem::forget(task);
        }
    }
}

/// An answer finished on the runtime, made a Python value only on its loop's thread.
type Ready = Box<dyn FnOnce(Python<'_>) -> (bool, Py<PyAny>) + Send>;

/// The answers of one event loop's awaited calls, finished on the runtime and not yet taken
/// by the loop (`pat_verdict/__init__.py`'s `_Mailbox`, one per loop).
///
/// A runtime thread puts an answer here without the GIL, and takes the GIL only to wake the
/// loop — once for every answer that finds the inbox empty, not once per answer: under load,
/// one wake-up of the loop settles every call that finished meanwhile, and the runtime's few
/// workers are not left waiting for the GIL while the loop runs Python.
#[pyclass(frozen, module = "pat_verdict._pat_verdict", name = "_Inbox")]
pub(crate) struct Inbox(Arc<Answers>);

/// What an [`Inbox`] holds, shared with the tasks that answer into it.
struct Answers {
    /// The process the inbox was made in: only that process's runtime answers into it.
    pid: u32,
    /// Taken by runtime threads without the GIL, so a fork may catch it held by a thread
    /// the child does not have: a forked child never takes it.
    ready: Mutex<Vec<(u64, Ready)>>,
    /// Called with the GIL when an answer arrives in an empty inbox; schedules the loop's
    /// `take` (it swallows a closed loop itself).
    wake: Py<PyAny>,
}

#[pymethods]
impl Inbox {
    #[new]
    fn new(wake: Py<PyAny>) -> Self {
        Self(Arc::new(Answers {
            pid: std::process::id(),
            ready: Mutex::new(Vec::new()),
            wake,
        }))
    }

    /// Every answer that arrived since the last `take`, as `(key, ok, value)`: `value` is
    /// the answer when `ok`, else the exception. The next answer wakes the loop again. In a
    /// forked child, nothing: the answers were the parent's.
    fn take(&self, py: Python<'_>) -> Vec<(u64, bool, Py<PyAny>)> {
        let answers = &self.0;
        if answers.pid != std::process::id() {
            return Vec::new();
        }
        let ready =
            std::mem::take(&mut *answers.ready.lock().unwrap_or_else(PoisonError::into_inner));
        ready
            .into_iter()
            .map(|(key, answer)| {
                let (ok, value) = answer(py);
                (key, ok, value)
            })
            .collect()
    }
}

impl Answers {
    /// Puts `answer` for `key`; wakes the loop when the inbox was empty.
    fn put(&self, key: u64, answer: Ready) {
        let first = {
            let mut ready = self.ready.lock().unwrap_or_else(PoisonError::into_inner);
            ready.push((key, answer));
            ready.len() == 1
        };
        if first {
            Python::attach(|py| {
                // The callable swallows a closed loop itself; anything else is a bug to show.
                if let Err(error) = self.wake.call0(py) {
                    error.write_unraisable(py, None);
                }
            });
        }
    }
}

/// An inbox as a runtime task holds it. A Python object dropped without the GIL is queued in
/// pyo3's global pool under a lock, and a fork that catches a runtime thread holding that lock
/// leaves it held in the child, where pyo3 takes it again: so a task never drops the inbox's
/// Python callable without the GIL. Only the last holder owns it, and takes the GIL for that;
/// every other drop is a plain count.
struct Held(Option<Arc<Answers>>);

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(last) = self.0.take().and_then(Arc::into_inner) {
            Python::attach(move |_| drop(last));
        }
    }
}

/// Starts `call` on the runtime; its answer goes to `reply`'s inbox under its key —
/// `(True, value)`, or `(False, exception)` for an error.
///
/// # Errors
///
/// `RuntimeError` when the runtime cannot start.
pub(crate) fn start<T>(
    call: impl Future<Output = PyResult<T>> + Send + 'static,
    reply: Reply,
) -> PyResult<Call>
where
    T: for<'py> IntoPyObject<'py> + Send + 'static,
{
    let Reply(inbox, key) = reply;
    let runtime = runtime()?;
    let inbox = Held(Some(Arc::clone(&inbox.get().0)));
    let task = runtime.spawn(async move {
        let out = call.await;
        let Some(answers) = &inbox.0 else { return };
        answers.put(
            key,
            Box::new(
                move |py| match out.and_then(|value| value.into_py_any(py)) {
                    Ok(value) => (true, value),
                    Err(error) => (false, error.into_value(py).into_any()),
                },
            ),
        );
    });
    Ok(Call {
        pid: std::process::id(),
        task: Mutex::new(Some(task.abort_handle())),
    })
}
