//! `pat-verdict`: the command-line face of the pat-verdict core (docs/contract.md §8), as a
//! library whose binary (`src/main.rs`) is one call to [`main`].
//!
//! It is a library so that a second program can share the command's face without the command
//! sharing that program's code: the demo (`adapters/demo`, the `pat-verdict-demo` binary)
//! parses [`args::Common`], wires the real adapters through [`wiring`], prints with
//! [`output`]'s tables and ends through [`run_program`] exactly as the command does — and
//! links the fake GitHub, which therefore never reaches the `pat-verdict` binary operators
//! install (docs/contract.md §15).
//!
//! [`run_program`] stays thin: screen the command line for a token (`argv_screen`: refused,
//! exit 2, without echoing it), parse it (clap exits 2 on a usage error), start logging
//! (off unless `RUST_LOG`), build a multi-thread tokio runtime — the ureq client and the
//! JSON store do their blocking work on its blocking pool — run the command and turn its
//! answer into an exit status. Everything else lives in one module per concern (the private
//! ones are the command's own):
//!
//! - `argv_screen`: a token typed on the command line is refused, never echoed;
//! - [`args`]: the command line as data;
//! - `token_source`: where the PAT comes from (environment or stdin, never argv);
//! - [`wiring`]: which adapter stands behind which port;
//! - `commands`: one module per subcommand;
//! - [`output`]: colour, tables, writing stdout;
//! - `hints`: what to do about a likely mistake with a flag;
//! - [`exit`]: statuses and failures.
//!
//! The token never reaches stdout, stderr or a log line: it lives in a `SecretString`, the
//! core's `Token` cannot be printed, and nothing here formats the raw text.

#![forbid(unsafe_code)]

pub mod args;
mod argv_screen;
mod commands;
pub mod exit;
mod hints;
mod logging;
pub mod output;
mod token_source;
pub mod wiring;

use std::ffi::OsString;
use std::process::ExitCode;
use std::time::Duration;

use clap::FromArgMatches;

use crate::exit::{Exit, Failure};

/// How long the runtime may wait, on the way out, for blocking work still running (a
/// request past its deadline): the answer is already printed, so the process must not linger.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(200);

/// The whole of `pat-verdict`: its command line ([`args::command`]) and its subcommands, run
/// by [`run_program`]. The binary's `main` is this call, so everything it does is here.
#[must_use]
pub fn main() -> ExitCode {
    run_program(
        std::env::args_os().collect(),
        args::command(),
        commands::run,
    )
}

/// Runs a program of this command's family on `argv` (the program's name first): screens it
/// for a token, parses it with `command` into `A`, starts logging, runs `run` on a
/// multi-thread runtime and turns its answer into the exit status. `pat-verdict` and the demo
/// both end here, so a token on their command lines, a usage error and a failure read and exit
/// the same way in both.
pub fn run_program<A, F>(
    argv: Vec<OsString>,
    mut command: clap::Command,
    run: impl FnOnce(A) -> F,
) -> ExitCode
where
    A: FromArgMatches,
    F: Future<Output = Result<Exit, Failure>>,
{
    // Before clap, which repeats offending values, and before logging, which could record them.
    if let Some(refusal) = argv_screen::screen(argv.get(1..).unwrap_or_default()) {
        output::warn_line(&format!("pat-verdict: {}", refusal.message()));
        return Exit::Usage.into();
    }
    let parsed = match command
        .try_get_matches_from_mut(argv)
        .and_then(|matches| A::from_arg_matches(&matches))
    {
        Ok(parsed) => parsed,
        // Help and version exit 0, usage errors 2, as clap's own `parse` does.
        Err(error) => error.format(&mut command).exit(),
    };
    logging::init();
    match block_on(run(parsed)) {
        Ok(exit) => exit.into(),
        Err(failure) => {
            output::warn_line(&format!("pat-verdict: {failure}"));
            failure.exit().into()
        }
    }
}

/// Builds the runtime and runs the command on it. Every failure is a [`Failure`] that knows
/// its exit status.
fn block_on(command: impl Future<Output = Result<Exit, Failure>>) -> Result<Exit, Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("pat-verdict")
        .build()
        .map_err(|error| {
            Failure::Unavailable(format!("cannot start the async runtime: {error}"))
        })?;
    let outcome = runtime.block_on(command);
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    outcome
}
