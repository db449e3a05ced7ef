//! `pat-verdict`: the command-line face of the pat-verdict core (docs/contract.md §8).
//!
//! `main` stays thin: parse the command line (clap exits 2 on a usage error), start logging
//! (off unless `RUST_LOG`), build a multi-thread tokio runtime — the ureq client and the
//! JSON store do their blocking work on its blocking pool — run the command and turn its
//! answer into an exit status. Everything else lives in one module per concern:
//!
//! - [`args`]: the command line as data;
//! - [`token_source`]: where the PAT comes from (environment or stdin, never argv);
//! - [`wiring`]: which adapter stands behind which port;
//! - [`commands`]: one module per subcommand;
//! - [`output`]: colour, tables, writing stdout;
//! - [`exit`]: statuses and failures.
//!
//! The token never reaches stdout, stderr or a log line: it lives in a `SecretString`, the
//! core's `Token` cannot be printed, and nothing here formats the raw text.

#![forbid(unsafe_code)]

mod args;
mod commands;
mod exit;
mod logging;
mod output;
mod token_source;
mod wiring;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser as _;

use crate::args::Cli;
use crate::exit::{Exit, Failure};

/// How long the runtime may wait, on the way out, for blocking work still running (a
/// request past its deadline): the answer is already printed, so the process must not linger.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(200);

fn main() -> ExitCode {
    let cli = Cli::parse();
    logging::init();
    match run(cli) {
        Ok(exit) => exit.into(),
        Err(failure) => {
            output::warn_line(&format!("pat-verdict: {failure}"));
            failure.exit().into()
        }
    }
}

/// Builds the runtime and runs the command on it. Every failure is a [`Failure`] that knows
/// its exit status.
fn run(cli: Cli) -> Result<Exit, Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("pat-verdict")
        .build()
        .map_err(|error| {
            Failure::Unavailable(format!("cannot start the async runtime: {error}"))
        })?;
    let outcome = runtime.block_on(commands::run(cli));
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    outcome
}
