//! GitHub's own failures, reported inside a 200 (docs/contract.md §2, "GitHub's own failures
//! are never evidence").
//!
//! GitHub reports its own trouble in a 200 as often as with a 5xx: the GraphQL executor times
//! out, a backend is degraded, a resource limit trips. `errors[0]` then says so by its `type`
//! or in its `message`, and the answer says nothing about the PAT. Typed evidence
//! (`FORBIDDEN`, `INSUFFICIENT_SCOPES`, `NOT_FOUND`) stays evidence whatever its message says,
//! and so does an untyped message that matches none of the phrases (`Bad credentials`).

use serde_json::Value;

use crate::rate_limit::contains_ignore_ascii_case;

/// `errors[0].type` values that are GitHub failing, not the PAT.
pub(crate) const GITHUB_FAILURE_TYPES: &[&str] = &[
    "INTERNAL",
    "SERVICE_UNAVAILABLE",
    "TIMEOUT",
    "RESOURCE_LIMITS_EXCEEDED",
    "MAX_NODE_LIMIT_EXCEEDED",
];

/// `errors[0].type` values that are evidence about the PAT whatever the message says.
pub(crate) const EVIDENCE_TYPES: &[&str] = &["FORBIDDEN", "INSUFFICIENT_SCOPES", "NOT_FOUND"];

/// Phrases (lower case, matched in any case) of an `errors[0].message` in which GitHub says
/// it failed. Seen in the wild: "Something went wrong while executing your query. This may
/// be the result of a timeout, or it could be a GitHub bug. Please include `ID` when
/// reporting this issue." (logged as a 200 by GitHub's own migration tool and by `gh` during
/// incidents), "Resource limits for this query exceeded.", "We couldn't respond to your
/// request in time." (with either apostrophe).
pub(crate) const GITHUB_FAILURE_PHRASES: &[&str] = &[
    "something went wrong",
    "resource limits for this query exceeded",
    "couldn't respond to your request in time",
    "couldn\u{2019}t respond to your request in time",
    "timed out",
    "timeout",
];

/// Whether `message` carries one of [`GITHUB_FAILURE_PHRASES`] (ASCII case-insensitive).
#[must_use]
pub(crate) fn message_says_github_failed(message: &str) -> bool {
    GITHUB_FAILURE_PHRASES
        .iter()
        .any(|phrase| contains_ignore_ascii_case(message.as_bytes(), phrase.as_bytes()))
}

/// Whether a GraphQL `errors[0]` is GitHub's own failure: a failure `type`, or — unless
/// its `type` is evidence — a `message` with a failure phrase. (Rate limits are decided
/// before this, by [`crate::rate_limit`].)
pub(crate) fn is_github_failure(first: &Value) -> bool {
    let field = |name| first.get(name).and_then(Value::as_str);
    match field("type") {
        Some(kind) if GITHUB_FAILURE_TYPES.contains(&kind) => true,
        Some(kind) if EVIDENCE_TYPES.contains(&kind) => false,
        Some(_) | None => field("message").is_some_and(message_says_github_failed),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_types_decide_before_the_message() {
        assert!(is_github_failure(&json!({"type": "INTERNAL"})));
        assert!(is_github_failure(
            &json!({"type": "RESOURCE_LIMITS_EXCEEDED", "message": "Bad credentials"})
        ));
        assert!(!is_github_failure(
            &json!({"type": "FORBIDDEN", "message": "Something went wrong"})
        ));
        assert!(is_github_failure(
            &json!({"type": "SOMETHING_ELSE", "message": "the query TIMED OUT"})
        ));
        assert!(!is_github_failure(&json!({"message": "Bad credentials"})));
        assert!(!is_github_failure(&json!("Something went wrong")));
        assert!(is_github_failure(
            &json!({"message": "We couldn\u{2019}t respond to your request in time."})
        ));
    }
}
