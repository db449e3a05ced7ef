//! docs/contract.md §5, the token before any request: surrounding whitespace stripped, empty →
//! `Empty`, longer than 255 characters → `TooLong`, any character outside GitHub's token
//! alphabet (`A–Z a–z 0–9 _`) → `Malformed` (the shape rule, added 2026-12-07; it was visible
//! ASCII before), every string of the alphabet up to 255 characters accepted with no prefix
//! required, and the token never in a `Debug` output or an error.

mod common;

use common::config;
use pat_verdict::{MAX_TOKEN_LEN, SecretString, Token, TokenError};
use proptest::prelude::*;

/// GitHub's token alphabet, written apart from the code: what a token is made of.
fn in_alphabet(c: char) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'
}

/// A non-empty string of the alphabet, short enough to be a token.
fn arb_visible() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_]{1,100}"
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

/// A character outside the alphabet and not whitespace (so stripping cannot remove it):
/// visible punctuation (`-`, `.`, `:`, `[`) as well as control and non-ASCII characters.
fn arb_bad_char() -> impl Strategy<Value = char> {
    prop_oneof![
        proptest::sample::select(vec![
            '\0', '\x01', '\x1b', '\x1f', '\x7f', 'é', 'ß', '€', '😀', '\u{200b}', '\u{feff}', '-',
            '.', ':', '[', ']', '=', '!', '~', '/', '+',
        ]),
        any::<char>(),
    ]
    .prop_filter("outside the alphabet, not whitespace", |c| {
        !in_alphabet(*c) && !c.is_whitespace()
    })
}

/// A character outside the alphabet, whitespace included (a space inside the token, a CR/LF).
fn arb_outside_visible() -> impl Strategy<Value = char> {
    prop_oneof![
        proptest::sample::select(vec![' ', '\t', '\r', '\n', '\u{a0}']),
        arb_bad_char(),
    ]
}

proptest! {
    #![proptest_config(config(256))]

    /// §5: every string of the alphabet up to 255 characters is a token, kept as it is; no
    /// prefix is required.
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

    /// §5: one character outside the alphabet inside the token → `Malformed`, at that
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

    /// §5: a character outside the alphabet at either end that stripping does not remove
    /// (a NUL, DEL, an accent, a zero-width space, a `-`) is `Malformed` too.
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

    /// §5 as a whole, over any string: accepted exactly when, once stripped, it is non-empty,
    /// at most 255 characters and of the alphabet; and never a panic.
    #[test]
    fn token_parse_agrees_with_spec_on_any_string(
        raw in prop_oneof![
            "\\PC{0,40}", ".{0,40}", "\\PC*", "[A-Za-z0-9_]{250,260}", "[A-Za-z0-9_ -]{0,300}",
        ],
    ) {
        let stripped = raw.trim();
        let wanted = if stripped.is_empty() {
            Err(TokenError::Empty)
        } else if stripped.chars().count() > 255 {
            Err(TokenError::TooLong { length: stripped.chars().count() })
        } else if let Some(index) = stripped.chars().position(|c| !in_alphabet(c)) {
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
        head in "[A-Za-z0-9_]{20,60}",
        bad in arb_outside_visible(),
        tail in "[A-Za-z0-9_]{20,60}",
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

/// §5's shape rule (added 2026-12-07): 255 characters pass, 256 are `TooLong`, whatever they
/// are made of; the error names the length, never the text.
#[test]
fn token_longer_than_255_characters_is_too_long() {
    let longest = "a".repeat(MAX_TOKEN_LEN);
    assert_eq!(
        Token::parse(&longest).map(|t| t.expose_secret().len()),
        Ok(255)
    );
    for (raw, length) in [
        ("a".repeat(256), 256),
        (format!("ghp_{}", "x".repeat(100_000)), 100_004),
        ("-".repeat(300), 300),
    ] {
        let error = Token::parse(&raw).err();
        assert_eq!(error, Some(TokenError::TooLong { length }));
        let shown = error.map(|e| e.to_string()).unwrap_or_default();
        assert!(
            !shown.contains("aaaaaaaa") && !shown.contains("xxxxxxxx") && !shown.contains("---")
        );
        assert!(shown.contains(&length.to_string()), "{shown}");
    }
}
