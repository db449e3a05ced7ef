//! The PAT as a type that cannot leak, and its pre-check (docs/contract.md §5).
//!
//! A [`Token`] exists only for strings that may be sent to GitHub: stripped of surrounding
//! whitespace, non-empty, at most [`MAX_TOKEN_LEN`] characters, and made of GitHub's token
//! alphabet (`A–Z a–z 0–9 _`) only, so a CR/LF can never inject a header and a miner cannot
//! make a request fail on purpose with a 100 KB "token" (which the outage guard every miner
//! shares would read as GitHub failing). No prefix is required: classic (`ghp_`),
//! fine-grained (`github_pat_`), OAuth and legacy 40-hex tokens all pass. Its `Debug` shows
//! `Token([REDACTED])` and it has no `Display`, so it cannot reach a log line or an error by
//! accident.

use std::borrow::Cow;
use std::fmt;
use std::hash::{BuildHasher, RandomState};

use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};
use thiserror::Error;

/// What a token is replaced with wherever outside text repeats it.
pub const REDACTED: &str = "[REDACTED]";

/// The longest token sent to GitHub, in characters: GitHub documents its tokens as up to 255
/// characters (docs/contract.md §5, added 2026-12-07).
pub const MAX_TOKEN_LEN: usize = 255;

/// Whether `c` is in GitHub's token alphabet (`A–Z a–z 0–9 _`): every token family GitHub
/// issues (`ghp_`, `github_pat_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, legacy 40-hex) is made of it.
#[must_use]
pub const fn in_token_alphabet(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// A PAT that passed the pre-check of docs/contract.md §5. Cloning it is cheap enough for per-call use.
#[derive(Clone)]
pub struct Token(SecretString);

/// Why a string is not a token worth sending. Never carries the token's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum TokenError {
    /// Nothing left after stripping whitespace.
    #[error("no token was provided")]
    Empty,
    /// A character outside GitHub's token alphabet (`A–Z a–z 0–9 _`), at this 1-based
    /// character position.
    #[error(
        "the token has a character outside GitHub's token alphabet (A-Z a-z 0-9 _) at position {position}"
    )]
    Malformed {
        /// 1-based position (in characters, after stripping) of the first bad character.
        position: usize,
    },
    /// Longer than [`MAX_TOKEN_LEN`] characters: no GitHub token is, and sending it would only
    /// make whatever is in front of GitHub fail the request.
    #[error("the token is {length} characters long; GitHub's tokens have at most 255")]
    TooLong {
        /// Its length in characters, after stripping.
        length: usize,
    },
}

impl Token {
    /// Applies the pre-check of docs/contract.md §5 to what a miner or an operator supplied.
    pub fn parse(raw: &str) -> Result<Self, TokenError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(TokenError::Empty);
        }
        // The length first: a hostile size costs one pass over it, and its message names a
        // number, never the text.
        let length = trimmed.chars().count();
        if length > MAX_TOKEN_LEN {
            return Err(TokenError::TooLong { length });
        }
        if let Some(index) = trimmed.chars().position(|c| !in_token_alphabet(c)) {
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

/// A name for a token that is not the token: a keyed hash ([`TokenIds::id`]), so the outage
/// guard can count at most one failure per token (docs/contract.md §10, added 2026-12-07)
/// without keeping a token it could leak. Equal for the same token under the same
/// [`TokenIds`]; says nothing about the token without the key, which never leaves the
/// process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TokenId(u64);

impl TokenId {
    /// A token id from a raw number: for tests of the guard, which need ids, not tokens.
    #[cfg(any(test, feature = "testing"))]
    #[must_use]
    pub const fn from_raw(raw: u64) -> Self {
        Self(raw)
    }
}

/// The key behind [`TokenId`]s: SipHash with the per-process random keys the standard
/// library gives every `HashMap` (no clock, no I/O of ours). One per outage guard, so ids
/// from two verifiers never meet.
#[derive(Clone, Debug, Default)]
pub struct TokenIds(RandomState);

impl TokenIds {
    /// The id of `token` under this key.
    #[must_use]
    pub fn id(&self, token: &Token) -> TokenId {
        TokenId(self.0.hash_one(token.expose_secret()))
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
    fn a_token_that_reappears_in_the_marker_withholds_the_text() {
        // The marker's own word as the token: replacing it spells it again, so nothing is
        // shown. (The alphabet keeps `[` and `]` out of tokens, so no token can straddle the
        // marker's brackets any more; the guard stays for the word itself.)
        let token = Token::parse("redacted").expect("in the alphabet");
        assert_eq!(token.redact("x [REDACTED] y"), "");
        assert_eq!(token.redact("nothing here"), "nothing here");
    }

    #[test]
    fn the_shape_rule_refuses_long_tokens_and_foreign_characters() {
        let longest = format!("ghp_{}", "a".repeat(MAX_TOKEN_LEN - 4));
        assert!(Token::parse(&longest).is_ok());
        let one_more = format!("{longest}b");
        assert_eq!(
            Token::parse(&one_more).err(),
            Some(TokenError::TooLong { length: 256 })
        );
        // Length is counted in characters after stripping, and checked before the alphabet.
        assert!(Token::parse(&format!("  {longest}\n")).is_ok());
        assert_eq!(
            Token::parse(&"é".repeat(300)).err(),
            Some(TokenError::TooLong { length: 300 })
        );
        for (raw, position) in [("ghp-abc", 4), ("ghp_a.b", 6), ("a:b", 2), ("ghp_ab=", 7)] {
            assert_eq!(
                Token::parse(raw).err(),
                Some(TokenError::Malformed { position }),
                "{raw}"
            );
        }
        let message = TokenError::TooLong { length: 100_000 }.to_string();
        assert_eq!(
            message,
            "the token is 100000 characters long; GitHub's tokens have at most 255"
        );
    }
}
