//! docs/contract.md §5, the token before any request: surrounding whitespace stripped, empty → `Empty`,
//! any character outside visible ASCII (0x21–0x7E) → `Malformed`, every visible-ASCII string
//! accepted with no prefix required, and the token never in a `Debug` output or an error.

mod common;

use common::config;
use pat_verdict::{SecretString, Token, TokenError};
use proptest::prelude::*;

/// Visible ASCII, 0x21–0x7E: what a token is made of.
fn is_visible_ascii(c: char) -> bool {
    ('\x21'..='\x7e').contains(&c)
}

/// A non-empty string of visible ASCII.
fn arb_visible() -> impl Strategy<Value = String> {
    "[!-~]{1,100}"
}

/// Whitespace, ASCII and not.
fn arb_whitespace() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        proptest::sample::select(vec![
            ' ', '\t', '\n', '\r', '\x0b', '\x0c', '\u{a0}', '\u{2028}', '\u{3000}', '\u{85}',
        ]),
        0..4,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

/// A character that is not visible ASCII and not whitespace (so stripping cannot remove it).
fn arb_bad_char() -> impl Strategy<Value = char> {
    prop_oneof![
        proptest::sample::select(vec![
            '\0', '\x01', '\x1b', '\x1f', '\x7f', 'é', 'ß', '€', '😀', '\u{200b}', '\u{feff}',
        ]),
        any::<char>(),
    ]
    .prop_filter("not visible ASCII, not whitespace", |c| {
        !is_visible_ascii(*c) && !c.is_whitespace()
    })
}

/// A character outside visible ASCII, whitespace included (a space inside the token, a CR/LF).
fn arb_outside_visible() -> impl Strategy<Value = char> {
    prop_oneof![
        proptest::sample::select(vec![' ', '\t', '\r', '\n', '\u{a0}']),
        arb_bad_char(),
    ]
}

proptest! {
    #![proptest_config(config(256))]

    /// §5: every visible-ASCII string is a token, kept as it is; no prefix is required.
    #[test]
    fn token_every_visible_ascii_string_is_accepted(raw in arb_visible()) {
        let token = Token::parse(&raw).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(token.expose_secret(), raw.as_str());
    }

    /// §5: every family of token passes, with or without its prefix.
    #[test]
    fn token_no_prefix_is_required(
        prefix in prop_oneof![
            Just(""), Just("ghp_"), Just("github_pat_"), Just("gho_"), Just("ghu_"), Just("ghs_"),
        ],
        body in prop_oneof!["[0-9a-f]{40}", "[A-Za-z0-9_]{1,90}"],
    ) {
        let raw = format!("{prefix}{body}");
        let token = Token::parse(&raw).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(token.expose_secret(), raw.as_str());
    }

    /// §5: surrounding whitespace is stripped.
    #[test]
    fn token_surrounding_whitespace_is_stripped(
        before in arb_whitespace(),
        raw in arb_visible(),
        after in arb_whitespace(),
    ) {
        let token = Token::parse(&format!("{before}{raw}{after}"))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(token.expose_secret(), raw.as_str());
    }

    /// §5: empty after stripping → `Empty`.
    #[test]
    fn token_empty_after_stripping_is_empty(blank in arb_whitespace()) {
        prop_assert_eq!(Token::parse(&blank).err(), Some(TokenError::Empty));
    }

    /// §5: one character outside visible ASCII inside the token → `Malformed`, at that
    /// character's 1-based position (counted after stripping).
    #[test]
    fn token_char_outside_visible_ascii_is_malformed(
        before in arb_whitespace(),
        head in arb_visible(),
        bad in arb_outside_visible(),
        tail in arb_visible(),
        after in arb_whitespace(),
    ) {
        let raw = format!("{before}{head}{bad}{tail}{after}");
        prop_assert_eq!(
            Token::parse(&raw).err(),
            Some(TokenError::Malformed { position: head.chars().count() + 1 })
        );
    }

    /// §5: a character outside visible ASCII at either end that stripping does not remove
    /// (a NUL, DEL, an accent, a zero-width space) is `Malformed` too.
    #[test]
    fn token_char_outside_visible_ascii_at_an_end_is_malformed(
        bad in arb_bad_char(),
        raw in arb_visible(),
        at_start in any::<bool>(),
    ) {
        let (text, position) = if at_start {
            (format!("{bad}{raw}"), 1)
        } else {
            (format!("{raw}{bad}"), raw.chars().count() + 1)
        };
        prop_assert_eq!(Token::parse(&text).err(), Some(TokenError::Malformed { position }));
    }

    /// §5: a CR/LF can never reach a header — the header-injection case.
    #[test]
    fn token_crlf_injection_is_malformed(
        head in arb_visible(),
        header in "[A-Za-z-]{1,20}: [!-~]{0,20}",
        newline in prop_oneof![Just("\r\n"), Just("\n"), Just("\r")],
    ) {
        let raw = format!("{head}{newline}{header}");
        let malformed = matches!(Token::parse(&raw), Err(TokenError::Malformed { .. }));
        prop_assert!(malformed, "a CR/LF was accepted");
    }

    /// §5 as a whole, over any string: accepted exactly when, once stripped, it is non-empty
    /// visible ASCII; and never a panic.
    #[test]
    fn token_parse_agrees_with_spec_on_any_string(raw in prop_oneof!["\\PC{0,40}", ".{0,40}", "\\PC*"]) {
        let stripped = raw.trim();
        let wanted = if stripped.is_empty() {
            Err(TokenError::Empty)
        } else if let Some(index) = stripped.chars().position(|c| !is_visible_ascii(c)) {
            Err(TokenError::Malformed { position: index + 1 })
        } else {
            Ok(stripped.to_owned())
        };
        let got = Token::parse(&raw).map(|token| token.expose_secret().to_owned());
        prop_assert_eq!(got, wanted);
        let from_secret = Token::from_secret(&SecretString::from(raw.as_str()))
            .map(|token| token.expose_secret().to_owned());
        prop_assert_eq!(from_secret, Token::parse(&raw).map(|t| t.expose_secret().to_owned()));
    }

    /// §5: a token's `Debug` never shows it — it is the same whatever the token, and it
    /// never contains a token longer than itself.
    #[test]
    fn token_debug_never_contains_the_token(a in arb_visible(), b in arb_visible()) {
        let (ta, tb) = (
            Token::parse(&a).map_err(|e| TestCaseError::fail(e.to_string()))?,
            Token::parse(&b).map_err(|e| TestCaseError::fail(e.to_string()))?,
        );
        let debug = format!("{ta:?}");
        prop_assert_eq!(&debug, &format!("{tb:?}"));
        prop_assert_eq!(format!("{ta:#?}"), format!("{tb:#?}"));
        prop_assert_eq!(format!("{:?}", Some(&ta)), format!("{:?}", Some(&tb)));
        if a.len() > debug.len() {
            prop_assert!(!debug.contains(&a));
        }
    }

    /// §5: the token never appears in an error (its `Debug` or its `Display`).
    #[test]
    fn token_error_never_contains_the_token(
        head in "[!-~]{20,60}",
        bad in arb_outside_visible(),
        tail in "[!-~]{20,60}",
    ) {
        let error = Token::parse(&format!("{head}{bad}{tail}"))
            .err()
            .ok_or_else(|| TestCaseError::fail("accepted"))?;
        for shown in [format!("{error}"), format!("{error:?}")] {
            prop_assert!(!shown.contains(&head), "{}", shown);
            prop_assert!(!shown.contains(&tail), "{}", shown);
        }
    }
}

/// §5's families, literally.
#[test]
fn token_spec_families_pass() {
    for raw in [
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0",
        "gho_16C7e42F292c6912E7710c838347Ae178B4a",
        "0123456789abcdef0123456789abcdef01234567",
    ] {
        assert_eq!(
            Token::parse(raw).map(|t| t.expose_secret().to_owned()),
            Ok(raw.to_owned())
        );
    }
}
