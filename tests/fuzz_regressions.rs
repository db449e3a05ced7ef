//! Inputs the fuzz targets (`fuzz/`) stopped on, kept as tests so they stay fixed.

use pat_verdict::classify_test_query_redacting;
use pat_verdict::{ApiUrl, CallResult, Token, TransportError, TransportErrorKind, UnixTime};

/// `classify_test_query` with token `E`: redacting `E` from "unreachable" put back an `E`
/// inside `[REDACTED]`. Whatever the token, redacted text never holds it: when the marker
/// itself would, the text is withheld.
#[test]
fn a_token_found_in_the_marker_is_still_never_shown() {
    // Since the shape rule (docs/contract.md §5, added 2026-12-07) a token holds no `[` or
    // `]`: the fuzzer's `d]`, `[REDACTED]` and `ED]…` are refused before they could be sent,
    // and the marker's own letters stand in for them.
    for raw in ["E", "A", "d", "REDACTED", "ED0123456789abcdef"] {
        let token = Token::parse(raw).expect("in the token alphabet");
        for text in [
            "GitHub GraphQL API unreachable: transport failure",
            "ED]0123456789abcdef0123456789abcdef",
            "[REDACTED]",
        ] {
            let shown = token.redact(text).to_ascii_lowercase();
            assert!(
                !shown.contains(&raw.to_ascii_lowercase()),
                "{raw:?} in {shown:?}"
            );
        }
        let failure: CallResult = Err(TransportError::new(TransportErrorKind::Other, ""));
        let verdict = classify_test_query_redacting(&failure, UnixTime(4_231_856_896), &token);
        let reason = verdict.error().unwrap_or_default().to_ascii_lowercase();
        assert!(
            !reason.contains(&raw.to_ascii_lowercase()),
            "{raw:?} in {reason:?}"
        );
    }
}

/// `api_url`: `https://ammm/m/@` — an `@` in the path is not credentials (`/users/@me`);
/// only one before the first `/` is.
#[test]
fn an_at_sign_in_the_path_is_not_credentials() {
    let url = ApiUrl::parse("https://ammm/m/@").expect("a path may hold @");
    assert_eq!(url.origin(), "https://ammm");
    assert!(ApiUrl::parse("https://a@ammm/m").is_err());
}
