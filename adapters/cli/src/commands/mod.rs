//! One module per subcommand. Each gathers its inputs (token, store, registry), calls the
//! core, renders the answer (JSON for machines, a table for people) and maps it to an
//! [`Exit`]. None of them decides anything about a PAT: that is the core's job.

mod audit;
mod broadcast;
mod check;
mod store_failure;
mod verify;

use std::path::Path;

use pat_verdict::Hotkey;

use crate::args::{Cli, Command};
use crate::exit::{Exit, Failure};
// Every subcommand writes its answer through these two.
use crate::output::{Cell, Palette, Table, Tone, or_dash};
use crate::output::{json_line, print};

/// Runs the parsed command line.
///
/// # Errors
///
/// A [`Failure`] when the command could not produce an answer (usage, store down, …).
pub async fn run(cli: Cli) -> Result<Exit, Failure> {
    let Cli { common, command } = cli;
    let palette = if common.json {
        Palette::plain()
    } else {
        Palette::for_stdout()
    };
    match command {
        Command::Verify(args) => verify::run(&common, &args, palette).await,
        Command::Check(args) => check::run(&common, &args, palette).await,
        Command::Broadcast(args) => broadcast::run(&common, &args, palette).await,
        Command::Audit(args) => audit::run(&common, &args, palette).await,
    }
}

/// `Some(true)` → "yes", `Some(false)` → "no", `None` → `unknown`: the three states of the
/// check response's booleans, in words.
fn yes_no(value: Option<bool>, unknown: &str) -> String {
    match value {
        Some(true) => "yes".to_owned(),
        Some(false) => "no".to_owned(),
        None => unknown.to_owned(),
    }
}

/// The rows that close `check`'s and `broadcast`'s answers for people: why (or a dash), and
/// which hotkey and store the answer is about.
fn reason_and_context(table: &mut Table, reason: Option<&str>, hotkey: &Hotkey, store: &Path) {
    table.pair("reason", Cell::plain(or_dash(reason)));
    table.pair("hotkey", Cell::new(hotkey.as_str(), Tone::Dim));
    table.pair("store", Cell::new(store.display().to_string(), Tone::Dim));
}

/// The `why` for a hotkey the registry does not hold: which file was looked in, and how many
/// hotkeys it has (a wrong `--hotkeys` holds none of the expected ones).
fn not_registered(hotkey: &Hotkey, hotkeys: &Path, registered: usize) -> String {
    format!(
        "{hotkey} is not in {} ({registered} hotkey{})",
        hotkeys.display(),
        if registered == 1 { "" } else { "s" }
    )
}
