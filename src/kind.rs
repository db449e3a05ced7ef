//! The three verdicts without their payloads: the word a verdict and its cause agree on.
//!
//! Its own module so that [`Cause`](crate::Cause), which decides the verdict, and
//! [`Verdict`](crate::Verdict), which carries the cause, both stand on it without standing on
//! each other.

use serde::Serialize;

crate::words::words! {
    /// The three verdicts without their payloads, for counting and for JSON (`"valid"`, …).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
    #[serde(rename_all = "snake_case")]
    pub enum VerdictKind {
        /// See [`Verdict::Valid`](crate::Verdict::Valid).
        Valid => "valid",
        /// See [`Verdict::Invalid`](crate::Verdict::Invalid).
        Invalid => "invalid",
        /// See [`Verdict::Inconclusive`](crate::Verdict::Inconclusive).
        Inconclusive => "inconclusive",
    }
}
