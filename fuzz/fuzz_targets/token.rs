//! The token pre-check (docs/contract.md §5) and redaction over any text: a token is only ever
//! 1 to 255 characters of GitHub's alphabet (`A–Z a–z 0–9 _`), and a redacted text never holds
//! it, in any ASCII case.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pat_verdict::{Token, TokenError};

fuzz_target!(|input: (String, String)| {
    let (raw, text) = input;
    match Token::parse(&raw) {
        Ok(token) => {
            let secret = token.expose_secret();
            assert!(!secret.is_empty());
            assert!(secret.len() <= 255);
            assert!(secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
            assert_eq!(secret, raw.trim());
            let redacted = token.redact(&text);
            assert!(
                !redacted
                    .to_ascii_lowercase()
                    .contains(&secret.to_ascii_lowercase()),
                "the token survived redaction"
            );
            assert_eq!(format!("{token:?}"), "Token([REDACTED])");
        }
        Err(TokenError::Empty) => assert!(raw.trim().is_empty()),
        Err(TokenError::Malformed { position }) => {
            assert!(raw.trim().chars().count() <= 255);
            let bad = raw.trim().chars().nth(position - 1);
            assert!(bad.is_some_and(|c| !(c.is_ascii_alphanumeric() || c == '_')));
        }
        Err(TokenError::TooLong { length }) => {
            assert_eq!(length, raw.trim().chars().count());
            assert!(length > 255);
        }
    }
});
