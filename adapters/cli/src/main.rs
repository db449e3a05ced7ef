//! `pat-verdict`: the command-line face of the pat-verdict core (docs/contract.md §8).
//!
//! `main` stays thin: screen the command line for a token ([`argv_screen`]: refused, exit 2,
//! without echoing it), parse it (clap exits 2 on a usage error), start logging
//! (off unless `RUST_LOG`), build a multi-thread tokio runtime — the ureq client and the
//! JSON store do their blocking work on its blocking pool — run the command and turn its
//! answer into an exit status. Everything else lives in one module per concern:
//!
//! - [`argv_screen`]: a token typed on the command line is refused, never echoed;
//! - [`args`]: the command line as data;
//! - [`token_source`]: where the PAT comes from (environment or stdin, never argv);
//! - [`wiring`]: which adapter stands behind which port;
//! - [`commands`]: one module per subcommand;
//! - [`output`]: colour, tables, writing stdout;
//! - [`hints`]: what to do about a likely mistake with a flag;
//! - [`exit`]: statuses and failures.
//!
//! The token never reaches stdout, stderr or a log line: it lives in a `SecretString`, the
//! core's `Token` cannot be printed, and nothing here formats the raw text.

#![forbid(unsafe_code)]

mod args;
mod argv_screen;
mod commands;
mod exit;
mod hints;
mod logging;
mod output;
mod token_source;
mod wiring;

use std::process::ExitCode;
use std::time::Duration;

use clap::FromArgMatches as _;

use crate::args::Cli;
use crate::exit::{Exit, Failure};

/// How long the runtime may wait, on the way out, for blocking work still running (a
/// request past its deadline): the answer is already printed, so the process must not linger.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(200);

fn main() -> ExitCode {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Before clap, which repeats offending values, and before logging, which could record them.
    if let Some(refusal) = argv_screen::screen(argv.get(1..).unwrap_or_default()) {
        output::warn_line(&format!("pat-verdict: {}", refusal.message()));
        return Exit::Usage.into();
    }
    let mut command = args::command();
    let cli = match command
        .try_get_matches_from_mut(argv)
        .and_then(|matches| Cli::from_arg_matches(&matches))
    {
        Ok(cli) => cli,
        // Help and version exit 0, usage errors 2, as clap's own `parse` does.
        Err(error) => error.format(&mut command).exit(),
    };
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
