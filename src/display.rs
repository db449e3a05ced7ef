//! Text from outside, made safe to show to people (docs/contract.md §5).
//!
//! Logins and messages come from GitHub (or from whatever answers in its place), hotkeys and
//! reasons from the store: any of them can hold an ESC that clears a terminal, a CR that
//! rewrites the current line, or an LF that forges a table row (`verdict  valid`).
//! [`escape_control`] writes every such character as a visible escape, so the text reads as
//! what it is. JSON output needs none of this: serde escapes control characters itself.
//!
//! Escaped: the C0 controls (U+0000–U+001F), DEL (U+007F), the C1 controls
//! (U+0080–U+009F, which some terminals obey like ESC sequences), the Unicode line and
//! paragraph separators, and the bidirectional controls that can make text read in a
//! different order than it is stored (U+061C, U+200E, U+200F, U+202A–U+202E,
//! U+2066–U+2069). Forms: `\n`, `\r`, `\t`; `\x1b` for the other ASCII ones; `\u{9b}` above
//! ASCII. A backslash is left alone, so ordinary text (paths, messages) reads unchanged.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` is escaped by [`escape_control`].
#[must_use]
pub fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every control character escaped (see the module documentation); borrowed
/// when there is nothing to escape, which is the usual case.
#[must_use]
pub fn escape_control(text: &str) -> Cow<'_, str> {
    let Some(first) = text.find(needs_escape) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) && c.is_ascii() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        for text in [
            "",
            "octocat",
            "GitHub GraphQL API returned 503",
            "naïve ☃ C:\\x",
        ] {
            assert!(matches!(escape_control(text), Cow::Borrowed(t) if t == text));
        }
    }

    #[test]
    fn every_kind_of_control_is_visible() {
        assert_eq!(
            escape_control("a\x1b[2Jb\r\nverdict  valid\t\0\x7f"),
            "a\\x1b[2Jb\\r\\nverdict  valid\\t\\x00\\x7f"
        );
        assert_eq!(escape_control("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(escape_control("x\u{202e}y\u{2028}"), "x\\u{202e}y\\u{2028}");
    }

    #[test]
    fn nothing_escaped_survives_escaping() {
        for c in (0..=0x3000).filter_map(char::from_u32) {
            let text = format!("<{c}>");
            assert!(
                !escape_control(&text).chars().any(needs_escape),
                "U+{:04X}",
                u32::from(c)
            );
        }
    }
}
