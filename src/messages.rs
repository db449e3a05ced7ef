//! Every user-facing string, in one place, so SPEC.md §2–§6 and the code can be compared
//! line by line. Handlers and classifiers call these; nothing else writes prose for miners.

use std::time::Duration;

use crate::http::{Endpoint, TransportError};
use crate::store::Uid;
use crate::token::TokenError;

// ---- handlers (SPEC §6) ----

/// check and broadcast: the hotkey is not in the registry.
pub const HOTKEY_NOT_REGISTERED: &str = "Hotkey not registered on subnet";
/// check: the store could not be read (broadcast appends the error, see [`store_unavailable`]).
pub const STORE_UNAVAILABLE: &str = "Validator PAT store temporarily unavailable; please retry.";
/// check: no entry for the uid, or an entry left by a previous miner on this uid.
pub const NO_PAT_STORED: &str = "No PAT stored for this miner";
/// check: GitHub could not judge the PAT right now.
pub const GITHUB_UNAVAILABLE_CHECK: &str =
    "GitHub API temporarily unavailable; retry the check in a few minutes.";
/// broadcast: the stored entry for this hotkey names another GitHub account.
pub const IDENTITY_LOCKED: &str = "GitHub identity is locked for this hotkey. Deregister and re-register to change GitHub accounts.";

/// broadcast: the store failed; retryable.
#[must_use]
pub fn store_unavailable(error: &str) -> String {
    format!("{STORE_UNAVAILABLE} ({error})")
}

/// broadcast: the PAT was empty after stripping whitespace.
#[must_use]
pub fn no_pat_provided(uid: Uid) -> String {
    format!("No Github PAT provided by miner {uid}")
}

/// broadcast: the PAT has a character that could never be sent (SPEC §5).
#[must_use]
pub fn malformed_pat(uid: Uid, error: TokenError) -> String {
    format!("Malformed Github PAT from miner {uid}: {error}")
}

/// check: the stored PAT cannot be sent (a hand-edited store); the miner should re-broadcast.
#[must_use]
pub fn stored_pat_malformed(uid: Uid, error: TokenError) -> String {
    format!("Stored PAT for miner {uid} is malformed ({error}); broadcast a new one")
}

/// check and broadcast: GitHub said the PAT identifies nobody.
#[must_use]
pub fn no_github_id(uid: Uid) -> String {
    format!("No Github id found for miner {uid}'s PAT")
}

/// broadcast: the identity lookup was inconclusive; retryable.
#[must_use]
pub fn identity_transient(uid: Uid) -> String {
    format!("Could not validate Github id for miner {uid}: GitHub /user lookup failed transiently")
}

/// check and broadcast: the test query gave evidence against the PAT.
#[must_use]
pub fn test_query_failed(reason: &str) -> String {
    format!("PAT test query failed: {reason}")
}

/// broadcast: the test query was inconclusive; retryable.
#[must_use]
pub fn github_unavailable_broadcast(reason: &str) -> String {
    format!(
        "GitHub API temporarily unavailable during PAT test query; retry the broadcast in a few minutes. ({reason})"
    )
}

// ---- classification reasons (SPEC §2–§4) ----

/// A status that decides the verdict by itself: `GitHub GraphQL API returned 503`.
#[must_use]
pub fn api_returned(endpoint: Endpoint, status: u16) -> String {
    format!("{} returned {status}", endpoint.api_name())
}

/// A rate-limited answer: the status plus the limit.
#[must_use]
pub fn rate_limited(endpoint: Endpoint, status: u16, retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(wait) => format!(
            "{} (rate limited; retry after {} s)",
            api_returned(endpoint, status),
            wait.as_secs()
        ),
        None => format!("{} (rate limited)", api_returned(endpoint, status)),
    }
}

/// A GraphQL rate-limit error that came without a message.
pub const GRAPHQL_RATE_LIMITED: &str = "GitHub GraphQL API rate limit exceeded";

/// No HTTP answer at all.
#[must_use]
pub fn unreachable(endpoint: Endpoint, error: &TransportError) -> String {
    format!("{} unreachable: {error}", endpoint.api_name())
}

/// A GraphQL error that is evidence against the PAT.
#[must_use]
pub fn graphql_error(message: Option<&str>) -> String {
    format!("GraphQL error: {}", message.unwrap_or("unknown"))
}

/// The test query succeeded but could not see the viewer: a fine-grained PAT without access.
pub const VIEWER_MISSING: &str =
    "Fine-grained PATs need 'Public Repositories (read-only)' permission";

/// A body larger than the adapter's cap.
#[must_use]
pub fn body_over_cap(endpoint: Endpoint, cap: usize) -> String {
    format!(
        "{} returned a body larger than {cap} bytes",
        endpoint.api_name()
    )
}

/// A body that is not JSON.
#[must_use]
pub fn body_not_json(endpoint: Endpoint, error: &str) -> String {
    format!(
        "{} returned a body that is not JSON ({error})",
        endpoint.api_name()
    )
}

/// A JSON body that is not an object.
#[must_use]
pub fn body_not_object(endpoint: Endpoint) -> String {
    format!(
        "{} returned JSON that is not an object",
        endpoint.api_name()
    )
}

/// A JSON object of an unexpected shape (e.g. `errors` that is not an array).
#[must_use]
pub fn body_unexpected(endpoint: Endpoint, what: &str) -> String {
    format!(
        "{} returned an unexpected body: {what}",
        endpoint.api_name()
    )
}

/// `GET /user` answered 200 without an account id.
pub const IDENTITY_WITHOUT_ID: &str = "GitHub /user API returned no account id";

/// The verification's deadline passed before a call could be made.
#[must_use]
pub fn deadline_passed(deadline: Duration) -> String {
    format!(
        "no verdict within the {:.1} s deadline",
        deadline.as_secs_f64()
    )
}

/// Reason texts that come from GitHub's bodies are cut to this many characters, so a hostile
/// or broken answer cannot flood a miner's terminal.
pub const MAX_QUOTED_CHARS: usize = 300;

/// Cuts `text` to [`MAX_QUOTED_CHARS`] characters, marking the cut with `…`.
#[must_use]
pub fn quote(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
