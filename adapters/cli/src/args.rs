//! The command line as data (docs/contract.md §8), parsed by clap.
//!
//! There is deliberately no flag that takes the token itself: argv is visible to every user
//! of the machine (`ps`, `/proc/*/cmdline`) and lands in shell history. The token comes from
//! an environment variable or standard input ([`TokenArgs`]), read by
//! the command's `token_source` module — and not through clap's `env` feature either,
//! because clap prints an `env` argument's value in `--help`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use pat_verdict::DEFAULT_API_URL;

/// The environment variable the token is read from unless `--token-env` names another.
pub const DEFAULT_TOKEN_ENV: &str = "GITHUB_TOKEN";

/// `--concurrency` for `audit` when not given: enough to finish a 256-miner subnet in a few
/// round trips, few enough to stay far from GitHub's secondary rate limits.
pub const DEFAULT_CONCURRENCY: u16 = 16;

const TOP_EXAMPLES: &str = "\
Examples:
  GITHUB_TOKEN=ghp_… pat-verdict verify             # judge one PAT
  pat-verdict check --hotkeys hotkeys.json --hotkey 5F…
  pat-verdict audit --store data/miner_pats.json --json

The token is never an argument: a token on the command line ends up in shell history and
`ps`, so one typed there is refused (exit 2) without being shown.
Exit status: 0 valid/accepted, 1 invalid/rejected, 2 usage error, 66 the store file audit
was given does not exist, 75 inconclusive (GitHub or the store unavailable: try again later).";

const VERIFY_EXAMPLES: &str = "\
Examples:
  GITHUB_TOKEN=ghp_… pat-verdict verify
  pat-verdict verify --token-env MINER_PAT --json
  pass show github/pat | pat-verdict verify --token-stdin

Exit status: 0 valid, 1 invalid (GitHub gave evidence against the PAT, or it is empty or
malformed), 75 inconclusive (GitHub could not judge it now: not evidence against it),
2 usage error (including an unset token variable, or more than one line on --token-stdin).";

const CHECK_EXAMPLES: &str = "\
Examples:
  pat-verdict check --store data/miner_pats.json --hotkeys hotkeys.json --hotkey 5F…
  pat-verdict check --hotkeys hotkeys.json --hotkey 5F… --json

--hotkeys is a JSON array of hotkey strings (at most 64 MiB); a hotkey's index is its uid.
A store file that does not exist yet is an empty store (no PAT); any other failure to read
it is \"store unavailable\", and the output says why.
Exit status: 0 valid, 1 invalid PAT / no PAT stored / hotkey not registered,
75 inconclusive (GitHub or the store unavailable), 2 usage error.";

const BROADCAST_EXAMPLES: &str = "\
Examples:
  GITHUB_TOKEN=ghp_… pat-verdict broadcast --hotkeys hotkeys.json --hotkey 5F…
  pat-verdict broadcast --store miner_pats.json --hotkeys hotkeys.json --hotkey 5F… --token-stdin < pat.txt

Exit status: 0 accepted and stored, 1 rejected (resending will not help),
75 rejected but retryable (GitHub or the store unavailable), 2 usage error.";

const AUDIT_EXAMPLES: &str = "\
Examples:
  pat-verdict audit --store data/miner_pats.json
  pat-verdict audit --concurrency 4 --json > audit.jsonl

--json prints one row per entry as it finishes (completion order), then the summary.
Exit status: 0 when the audit ran, whatever the verdicts (inconclusive rows were not judged:
audit again later; an entry that cannot be used is an inconclusive row saying why), 66 when
the store file does not exist, 75 when the store cannot be read or is corrupt, 73 when
--metrics-file cannot be written (the rows still print), 141 when stdout's reader went away
(the audit stopped sending), 2 usage error.";

/// `pat-verdict`: decide whether a GitHub PAT is valid, invalid, or impossible to judge now.
#[derive(Debug, Parser)]
#[command(
    name = "pat-verdict",
    version,
    about = "Decide whether a GitHub PAT is valid, invalid, or impossible to judge right now.",
    long_about = "Decide whether a GitHub personal access token is valid, invalid, or \
                  impossible to judge right now, and run a validator's check and broadcast \
                  endpoints on that decision. A GitHub outage is never reported as an invalid \
                  PAT: it is 'inconclusive' (exit 75, try again later).",
    after_help = TOP_EXAMPLES
)]
pub struct Cli {
    /// Flags every subcommand takes.
    #[command(flatten)]
    pub common: Common,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags shared by every subcommand; `global` so they may come before or after its name.
#[derive(Debug, Args)]
pub struct Common {
    /// GitHub's API root: http(s)://HOST[:PORT][/PATH]. For GitHub Enterprise Server give
    /// https://HOST/api/v3 (the test query then goes to https://HOST/api/graphql).
    /// Credentials, a query, a fragment or a port outside 1–65535 are refused before any
    /// request.
    // Checked when the client is built (wiring), not by clap: clap's error would repeat the
    // value, and a mistaken paste can hold a credential.
    #[allow(
        rustdoc::broken_intra_doc_links,
        reason = "this doc is clap's --help text, where [/PATH] means optional, not a link"
    )]
    #[arg(long, global = true, value_name = "URL", default_value = DEFAULT_API_URL)]
    pub api_url: String,

    /// Deadline for one whole verdict — identity, test query and every retry — in seconds,
    /// more than 0 and at most 3600 [default: 12].
    // The demo (adapters/demo) says its own default (2) in its help.
    #[arg(
        long,
        global = true,
        value_name = "SECONDS",
        value_parser = parse_timeout,
        allow_negative_numbers = true
    )]
    pub timeout: Option<Duration>,

    /// Consecutive GitHub-side failures (5xx, transport, GitHub's own failure) after which
    /// requests are answered at once as inconclusive instead of sent, until one probe finds
    /// GitHub answering again; 0 turns the outage guard off [default: 6].
    #[arg(long, global = true, value_name = "N")]
    pub outage_threshold: Option<u32>,

    /// How long the outage guard waits before its probe, in seconds, more than 0 and at most
    /// 600 (longer when GitHub's retry-after says so; doubled after a failed probe)
    /// [default: 30].
    #[arg(
        long,
        global = true,
        value_name = "SECONDS",
        value_parser = parse_outage_cooldown,
        allow_negative_numbers = true
    )]
    pub outage_cooldown: Option<Duration>,

    /// One round trip per verdict: a single GraphQL call, viewer { login databaseId },
    /// instead of GET /user then the test query. Half the latency and half the PAT's rate
    /// limit; an identity failure is then reported in the test query's words.
    #[arg(long, global = true)]
    pub one_call: bool,

    /// A PEM file of CA certificates to trust besides the system's trust store and the
    /// bundled (Mozilla) roots: a GitHub Enterprise Server behind a private CA.
    #[arg(long, global = true, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,

    /// Print one JSON object (audit: one per line) instead of text for people.
    #[arg(long, global = true)]
    pub json: bool,
}

/// The subcommands of docs/contract.md §8.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Judge one PAT: pre-check, then GET /user, then the GraphQL test query (--one-call: one
    /// GraphQL call).
    #[command(after_help = VERIFY_EXAMPLES)]
    Verify(VerifyArgs),
    /// Answer a miner's check: is its stored PAT there, and does it still work?
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Take a miner's PAT: verify it, pin its GitHub account, store it.
    #[command(after_help = BROADCAST_EXAMPLES)]
    Broadcast(BroadcastArgs),
    /// Re-validate every stored PAT and summarize.
    #[command(after_help = AUDIT_EXAMPLES)]
    Audit(AuditArgs),
}

/// Where the PAT is read from. Never argv (see the module doc).
#[derive(Debug, Args)]
pub struct TokenArgs {
    /// Read the PAT from this environment variable.
    #[arg(
        long,
        value_name = "NAME",
        default_value = DEFAULT_TOKEN_ENV,
        conflicts_with = "token_stdin"
    )]
    pub token_env: String,

    /// Read the PAT from standard input, which must be a pipe or a file, not a terminal: one
    /// line (at most 64 KiB; surrounding whitespace is stripped).
    #[arg(long)]
    pub token_stdin: bool,
}

/// The store file, shared by check, broadcast and audit.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// The PAT store (miner_pats.json) [default: $GITTENSOR_MINER_PATS_FILE, else
    /// data/miner_pats.json].
    #[arg(long, value_name = "FILE")]
    pub store: Option<PathBuf>,
}

/// The registry and the miner, shared by check and broadcast.
#[derive(Debug, Args)]
pub struct MinerArgs {
    /// A JSON array of the subnet's hotkeys; a hotkey's index is its uid.
    #[arg(long, value_name = "FILE")]
    pub hotkeys: PathBuf,

    /// The miner's hotkey (SS58 address), compared exactly.
    #[arg(long, value_name = "HOTKEY")]
    pub hotkey: String,
}

/// `verify`'s arguments.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Where the PAT comes from.
    #[command(flatten)]
    pub token: TokenArgs,
}

/// `check`'s arguments.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The store to look the PAT up in.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Who is asking.
    #[command(flatten)]
    pub miner: MinerArgs,
}

/// `broadcast`'s arguments.
#[derive(Debug, Args)]
pub struct BroadcastArgs {
    /// The store to save the PAT into.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Who is sending.
    #[command(flatten)]
    pub miner: MinerArgs,
    /// Where the PAT comes from.
    #[command(flatten)]
    pub token: TokenArgs,
}

/// `audit`'s arguments.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The store whose PATs are re-validated.
    #[command(flatten)]
    pub store: StoreArgs,

    /// How many PATs are verified at once (1–256).
    #[arg(
        long,
        value_name = "N",
        default_value_t = DEFAULT_CONCURRENCY,
        value_parser = clap::value_parser!(u16).range(1..=256)
    )]
    pub concurrency: u16,

    /// Also write the run's counters (docs/contract.md §10) as Prometheus text to this file,
    /// atomically, for node_exporter's textfile collector.
    #[arg(long, value_name = "PATH")]
    pub metrics_file: Option<PathBuf>,
}

/// The command line clap parses: [`Cli`]'s.
///
/// The common flags are `global` so they may stand before or after the subcommand, which
/// also puts them in every subcommand's help. The demo (`pat-verdict-demo`, adapters/demo) is
/// a program of its own: it parses [`Common`] with its own help, so the command operators
/// install carries no fake GitHub (docs/contract.md §15).
#[must_use]
pub fn command() -> clap::Command {
    use clap::CommandFactory as _;

    Cli::command()
}

/// Reads `--timeout`: a number of seconds in (0, 3600] (docs/contract.md §8). `0`, negatives, `NaN`,
/// `inf` and `9.3e18` are usage errors that name the range: a deadline that never passes,
/// or has already passed, is not a deadline.
pub fn parse_timeout(text: &str) -> Result<Duration, String> {
    pat_verdict::parse_deadline(text).map_err(|error| error.to_string())
}

/// Reads `--outage-cooldown`: a number of seconds in (0, 600] (docs/contract.md §10).
pub fn parse_outage_cooldown(text: &str) -> Result<Duration, String> {
    pat_verdict::outage::parse_outage_cooldown(text).map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
        command().debug_assert();
    }

    #[test]
    fn timeouts_must_be_positive_and_finite() {
        assert_eq!(parse_timeout("12"), Ok(Duration::from_secs(12)));
        assert_eq!(parse_timeout("0.5"), Ok(Duration::from_millis(500)));
        for bad in [
            "0", "-1", "NaN", "inf", "soon", "", "1e300", "9.3e18", "3601",
        ] {
            let error = parse_timeout(bad).expect_err(bad);
            assert!(error.contains("3600"), "{error}");
        }
        assert_eq!(parse_timeout("3600"), Ok(Duration::from_secs(3600)));
    }

    #[test]
    fn there_is_no_flag_that_takes_the_token() {
        let command = Cli::command();
        for sub in command.get_subcommands() {
            for arg in sub.get_arguments() {
                let long = arg.get_long().unwrap_or_default();
                assert!(
                    long == "token-env" || long == "token-stdin" || !long.contains("token"),
                    "{long}"
                );
            }
        }
    }
}
