//! Every user-facing string, in one place, so docs/contract.md §2–§6 and the code can be compared
//! line by line. Handlers and classifiers call these; nothing else writes prose for miners.

use std::time::Duration;

use crate::http::{Endpoint, TransportErrorKind};
use crate::miner::Uid;
use crate::time::UnixTime;
use crate::token::TokenError;

// ---- handlers (docs/contract.md §6) ----

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

/// broadcast: the PAT has a character that could never be sent, or is longer than any GitHub
/// token (docs/contract.md §5).
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

// ---- classification reasons (docs/contract.md §2–§4) ----

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

/// A 4xx whose body was received and is not GitHub's JSON (an HTML page, plain text, an
/// empty body): something in front of the API answered, not GitHub (docs/contract.md §2).
#[must_use]
pub fn not_githubs_json(endpoint: Endpoint, status: u16) -> String {
    format!(
        "{} with a body that is not GitHub's JSON (a proxy, a firewall or a wrong API URL?)",
        api_returned(endpoint, status)
    )
}

/// GitHub reported its own failure in a 200 (`errors[0]` typed or worded so):
/// `GitHub GraphQL API failed: {message}` (`unknown` when there is none).
#[must_use]
pub fn github_failed(endpoint: Endpoint, message: Option<&str>) -> String {
    format!(
        "{} failed: {}",
        endpoint.api_name(),
        message.unwrap_or("unknown")
    )
}

/// The test query answered 401 right after this verification's identity lookup was valid,
/// and the one retry that settles it did not fit the deadline or the attempts left
/// (docs/contract.md §4, "GitHub contradicting itself").
#[must_use]
pub fn contradiction_unresolved() -> String {
    format!(
        "{} right after the /user lookup accepted the token, with no time left to ask again",
        api_returned(Endpoint::TestQuery, 401)
    )
}

/// GitHub's JSON refusing the request, not the token (R17, docs/contract.md §13): the route
/// or the request is wrong, and the words say what to check.
#[must_use]
pub fn request_refused(endpoint: Endpoint, status: u16) -> String {
    format!(
        "{}: GitHub refused the request, not the token (is the API URL GitHub's API root? a proxy rewriting requests?)",
        api_returned(endpoint, status)
    )
}

/// GitHub refusing the request's User-Agent (R17′, docs/contract.md §13).
#[must_use]
pub fn user_agent_refused(endpoint: Endpoint, status: u16) -> String {
    format!(
        "{}: GitHub refused the request's User-Agent, not the token",
        api_returned(endpoint, status)
    )
}

/// The outage guard's at-once answer (G1, docs/contract.md §10): `GitHub API unavailable: 6
/// requests in a row failed; not asking again before 14:03:30Z`. Only the time of day is
/// shown: the guard never waits more than ten minutes, so the date is never in doubt.
#[must_use]
pub fn short_circuit(failures: u32, retry_at: UnixTime) -> String {
    let secs = retry_at.0.rem_euclid(86_400);
    format!(
        "GitHub API unavailable: {failures} requests in a row failed; not asking again before {:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// A GraphQL rate-limit error that came without a message.
pub const GRAPHQL_RATE_LIMITED: &str = "GitHub GraphQL API rate limit exceeded";

/// No HTTP answer at all: the failure's kind, then the client's own words (already redacted
/// and cut by the caller).
#[must_use]
pub fn unreachable(endpoint: Endpoint, kind: TransportErrorKind, detail: &str) -> String {
    format!("{} unreachable: {kind}: {detail}", endpoint.api_name())
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

/// `GET /user` answered 200 with an id that is not a non-negative decimal integer (or that
/// repeats the token): not an identity anyone can pin.
pub const IDENTITY_ID_NOT_DECIMAL: &str =
    "GitHub /user API returned an account id that is not a non-negative integer";

/// An audit's row for a store entry that cannot be used (no integer uid, no string pat or
/// hotkey): inconclusive, with what is wrong with it.
#[must_use]
pub fn unusable_entry(problem: &str) -> String {
    format!("the store entry cannot be used: {problem}")
}

/// The verification's deadline passed before a call could be made.
#[must_use]
pub fn deadline_passed(deadline: Duration) -> String {
    format!(
        "no verdict within the {} deadline",
        format_seconds(deadline)
    )
}

/// A duration as seconds for people, with enough digits that a short one does not read as
/// zero: `12.0 s`, `0.5 s`, `0.0001 s` (never `0.0 s` for a positive duration).
#[must_use]
pub fn format_seconds(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs >= 0.1 || secs <= 0.0 {
        return format!("{secs:.1} s");
    }
    // Two significant digits, at most nanoseconds, without trailing zeros.
    let digits = (-secs.log10()).ceil().clamp(1.0, 8.0) as usize + 1;
    let text = format!("{secs:.digits$}");
    format!("{} s", text.trim_end_matches('0'))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_duration_never_reads_as_zero_seconds() {
        assert_eq!(format_seconds(Duration::from_secs(12)), "12.0 s");
        assert_eq!(format_seconds(Duration::from_millis(500)), "0.5 s");
        assert_eq!(format_seconds(Duration::from_micros(100)), "0.0001 s");
        assert_eq!(format_seconds(Duration::from_micros(150)), "0.00015 s");
        assert_eq!(format_seconds(Duration::from_millis(20)), "0.02 s");
        assert_eq!(format_seconds(Duration::from_nanos(1)), "0.000000001 s");
        assert_eq!(
            deadline_passed(Duration::from_micros(100)),
            "no verdict within the 0.0001 s deadline"
        );
    }
}
