//! `pat-verdict`, the command operators install: all of it is the library (`src/lib.rs`), so
//! the demo can reuse its face while this binary links no fake (docs/contract.md §15).

use std::process::ExitCode;

fn main() -> ExitCode {
    pat_verdict_cli::main()
}
