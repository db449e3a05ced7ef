//! `pat-verdict-demo`: the README's first command (`cargo run --release -p pat-verdict-demo`).
//! Every scenario of docs/contract.md §2–§6 against a fake GitHub on loopback — no network, no
//! token — through the command's own wiring, tables and exit statuses ([`demo`] says how).
//!
//! It was `pat-verdict demo`. It is a program of its own so that the command operators
//! install, `pat-verdict`, carries no fake GitHub and none of the core's `testing` module
//! (docs/contract.md §15); it reuses the command's library (`pat_verdict_cli`) so that it
//! behaves as it did: the same flags (those it ignores accepted and hidden), the same refusal
//! of a token on its command line, the same output and exit statuses.

mod demo;

use std::process::ExitCode;

use clap::{CommandFactory as _, Parser};
use pat_verdict_cli::args::Common;
use pat_verdict_cli::output::Palette;

const DEMO_EXAMPLES: &str = "\
Examples:
  pat-verdict-demo
  pat-verdict-demo --json

The demo ignores --api-url and needs no token: it starts a fake GitHub on 127.0.0.1.
Its deadline is 2 s unless --timeout says otherwise.";

/// `pat-verdict-demo`'s command line: the command's common flags.
#[derive(Debug, Parser)]
#[command(
    name = "pat-verdict-demo",
    about = "Show every scenario against a fake GitHub on loopback: no network, no token",
    after_help = DEMO_EXAMPLES
)]
struct DemoCli {
    /// The flags every `pat-verdict` subcommand takes: a script may pass them to the demo too.
    #[command(flatten)]
    common: Common,
}

/// The command line clap parses: [`DemoCli`], with its help saying what the demo does.
///
/// The demo talks only to its own fake GitHub: it accepts `--api-url` and `--ca-file` but its
/// help hides them, and its `--timeout` says the demo's own default. It hides `--one-call`
/// too: its scenarios show both plans whatever the flag says.
fn command() -> clap::Command {
    DemoCli::command()
        .mut_arg("api_url", |arg| arg.hide(true))
        .mut_arg("ca_file", |arg| arg.hide(true))
        .mut_arg("one_call", |arg| arg.hide(true))
        .mut_arg("timeout", |arg| {
            arg.help(
                "Deadline for each scenario's verdict, in seconds, more than 0 and at most 3600 \
                 [default: 2]",
            )
        })
        .mut_arg("json", |arg| {
            arg.help("Print one JSON object per line (one per scenario, then a summary) instead of text for people")
        })
}

fn main() -> ExitCode {
    pat_verdict_cli::run_program(
        std::env::args_os().collect(),
        command(),
        |cli: DemoCli| async move {
            let palette = if cli.common.json {
                Palette::plain()
            } else {
                Palette::for_stdout()
            };
            demo::run(&cli.common, palette).await
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        command().debug_assert();
    }
}
