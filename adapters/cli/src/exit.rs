//! Exit statuses (docs/contract.md §8) and the two ways a command can fail before it has an answer.
//!
//! Scripts branch on the status, so it carries the verdict's meaning: 1 means evidence
//! against the PAT (or nothing to judge), 75 — sysexits' `EX_TEMPFAIL` — means "we could not
//! tell, try again later", and must never be confused with 1.

use std::process::ExitCode;

use thiserror::Error;

/// How `pat-verdict` ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Valid, accepted, or the command ran (audit, demo).
    Success,
    /// Invalid, rejected, no PAT stored, or not registered: trying again will not help.
    Rejected,
    /// A usage error: bad flags, an unreadable `--hotkeys`, no token variable. clap's own
    /// usage errors exit with the same status.
    Usage,
    /// An input file does not exist (`EX_NOINPUT`): `audit` of a store file that is not
    /// there — a typo in `--store` must not look like an audit of nothing.
    NoInput,
    /// An output file cannot be created (`EX_CANTCREAT`): `audit --metrics-file` into a
    /// folder that does not exist or cannot be written. Not "try again later": retrying
    /// will not create the folder, a person must.
    CantCreate,
    /// Inconclusive: GitHub or the store was unavailable; try again later (`EX_TEMPFAIL`).
    TryLater,
    /// A bug or an environment failure that fits none of the above (`EX_SOFTWARE`).
    Internal,
    /// `audit --json`'s reader went away (its stdout is a closed pipe): the audit stopped
    /// sending requests. 141 is what a shell reports for a program that SIGPIPE ended
    /// (128 + 13), so `set -o pipefail` scripts see what they see for `yes | head -1`; it is
    /// neither success (the audit did not run to its end) nor "try again later".
    ReaderGone,
}

impl Exit {
    /// The process status.
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::Rejected => 1,
            Self::Usage => 2,
            Self::NoInput => 66,
            Self::CantCreate => 73,
            Self::TryLater => 75,
            Self::Internal => 70,
            Self::ReaderGone => 141,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        Self::from(exit.code())
    }
}

/// A command that could not produce an answer, with words for the operator. Never holds the
/// token: every message is built from paths, flags and error kinds.
#[derive(Debug, Error)]
pub enum Failure {
    /// The operator asked for something that cannot be done as asked (exit 2).
    #[error("{0}")]
    Usage(String),
    /// An input file the command needs does not exist (exit 66).
    #[error("{0}")]
    NoInput(String),
    /// An output file the command was asked to write cannot be created (exit 73): the
    /// message names what to fix.
    #[error("{0}")]
    CantCreate(String),
    /// Something needed is unavailable right now (the store, a socket): exit 75.
    #[error("{0}")]
    Unavailable(String),
    /// A bug: something that cannot fail did (exit 70).
    #[error("{0}")]
    Internal(String),
}

impl Failure {
    /// The status this failure ends the process with.
    #[must_use]
    pub const fn exit(&self) -> Exit {
        match self {
            Self::Usage(_) => Exit::Usage,
            Self::NoInput(_) => Exit::NoInput,
            Self::CantCreate(_) => Exit::CantCreate,
            Self::Unavailable(_) => Exit::TryLater,
            Self::Internal(_) => Exit::Internal,
        }
    }
}
