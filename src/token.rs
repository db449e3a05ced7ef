//! The PAT as a type that cannot leak, and its pre-check (docs/contract.md §5).
//!
//! A [`Token`] exists only for strings that may be sent to GitHub: stripped of surrounding
//! whitespace, non-empty, and made of visible ASCII (0x21–0x7E) only, so a CR/LF can never
//! inject a header. No prefix is required: classic (`ghp_`), fine-grained (`github_pat_`),
//! OAuth and legacy 40-hex tokens all pass. Its `Debug` shows `Token([REDACTED])` and it has
//! no `Display`, so it cannot reach a log line or an error by accident.

use std::borrow::Cow;
use std::fmt;

use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};
use thiserror::Error;

/// What a token is replaced with wherever outside text repeats it.
pub const REDACTED: &str = "[REDACTED]";

/// A PAT that passed the pre-check of docs/contract.md §5. Cloning it is cheap enough for per-call use.
#[derive(Clone)]
pub struct Token(SecretString);

/// Why a string is not a token worth sending. Never carries the token's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum TokenError {
    /// Nothing left after stripping whitespace.
    #[error("no token was provided")]
    Empty,
    /// A character outside visible ASCII, at this 1-based character position.
    #[error("the token has a character outside visible ASCII at position {position}")]
    Malformed {
        /// 1-based position (in characters, after stripping) of the first bad character.
        position: usize,
    },
}

impl Token {
    /// Applies the pre-check of docs/contract.md §5 to what a miner or an operator supplied.
    pub fn parse(raw: &str) -> Result<Self, TokenError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(TokenError::Empty);
        }
        if let Some(index) = trimmed.chars().position(|c| !matches!(c, '\x21'..='\x7e')) {
            return Err(TokenError::Malformed {
                position: index + 1,
            });
        }
        Ok(Self(SecretString::from(trimmed)))
    }

    /// [`Token::parse`] for a secret that is already wrapped (from a store or a request).
    pub fn from_secret(raw: &SecretString) -> Result<Self, TokenError> {
        Self::parse(raw.expose_secret())
    }

    /// The token's text, for the one place that needs it: the `Authorization` header.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }

    /// The token as the secret the store keeps.
    #[must_use]
    pub(crate) fn to_secret(&self) -> SecretString {
        self.0.clone()
    }

    /// Replaces every occurrence of this token in `text` with `[REDACTED]`: a guard for text
    /// that came from outside (a GitHub message, a login, a header) before it reaches a
    /// miner. The match ignores ASCII case, so an echo in upper case (which would give a
    /// lower-case hex token away) is caught too.
    #[must_use]
    pub fn redact(&self, text: &str) -> String {
        self.redact_cow(text).into_owned()
    }

    /// [`Token::redact`], borrowing `text` when it does not hold the token (the usual case).
    #[must_use]
    pub fn redact_cow<'t>(&self, text: &'t str) -> Cow<'t, str> {
        // ASCII lower-casing keeps every byte where it was, so offsets found in the folded
        // copies are offsets in `text`; and a token is visible ASCII, so they are on char
        // boundaries. `str::match_indices` is linear, whatever the token and the text.
        let secret = Zeroizing::new(self.expose_secret().to_ascii_lowercase());
        if text.len() < secret.len() {
            return Cow::Borrowed(text);
        }
        let folded = Zeroizing::new(text.to_ascii_lowercase());
        let mut found = folded.match_indices(secret.as_str()).peekable();
        if found.peek().is_none() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        for (at, _) in found {
            out.push_str(&text[copied..at]);
            out.push_str(REDACTED);
            copied = at + secret.len();
        }
        out.push_str(&text[copied..]);
        // A crafted token can overlap the marker (`ED]…` after `[REDACT`) and reappear
        // across it; real tokens never do, but the guarantee must not depend on that: then
        // the whole text is withheld.
        if contains_ignoring_case(&out, &secret) {
            out = if contains_ignoring_case(REDACTED, &secret) {
                String::new()
            } else {
                REDACTED.to_owned()
            };
        }
        Cow::Owned(out)
    }
}

/// Whether `text` holds `lower` (already lower-case ASCII), ignoring ASCII case.
fn contains_ignoring_case(text: &str, lower: &str) -> bool {
    Zeroizing::new(text.to_ascii_lowercase()).contains(lower)
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token([REDACTED])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_and_accepts_every_token_family() {
        for raw in [
            "ghp_abc",
            " github_pat_11AAA_bbb\n",
            "gho_x",
            "0123456789abcdef0123456789abcdef01234567",
        ] {
            let token = Token::parse(raw).expect("valid token");
            assert_eq!(token.expose_secret(), raw.trim());
        }
    }

    #[test]
    fn rejects_empty_and_invisible_characters() {
        assert_eq!(Token::parse(" \t\n").err(), Some(TokenError::Empty));
        assert_eq!(
            Token::parse("ghp_a\r\nX-Evil: 1").err(),
            Some(TokenError::Malformed { position: 6 })
        );
        assert_eq!(
            Token::parse("ghp_é").err(),
            Some(TokenError::Malformed { position: 5 })
        );
    }

    #[test]
    fn redaction_catches_every_occurrence_in_any_ascii_case() {
        let token = Token::parse("ghp_Ab1").expect("valid token");
        assert_eq!(token.redact("ghp_Ab1"), "[REDACTED]");
        assert_eq!(
            token.redact("x GHP_AB1ghp_ab1 é ghp_Ab"),
            "x [REDACTED][REDACTED] é ghp_Ab"
        );
        assert!(matches!(
            token.redact_cow("nothing"),
            Cow::Borrowed("nothing")
        ));
    }

    #[test]
    fn debug_hides_the_secret() {
        let token = Token::parse("ghp_supersecret").expect("valid token");
        assert_eq!(format!("{token:?}"), "Token([REDACTED])");
    }

    #[test]
    fn a_token_that_reappears_across_the_marker_withholds_the_text() {
        // The marker itself as the token: replacing it leaves it, so nothing is shown.
        let token = Token::parse("[redacted]").expect("visible ASCII");
        assert_eq!(token.redact("x [REDACTED] y"), "");
        // A token whose replacement joins with the marker to spell it again.
        let token = Token::parse("ED]ED]").expect("visible ASCII");
        let shown = token.redact("[REDACTED]ED]ED]");
        assert!(!shown.to_ascii_lowercase().contains("ed]ed]"), "{shown}");
    }
}
