//! Output mechanics shared by every command: colour (only for a terminal, never with
//! `NO_COLOR`), aligned tables, and writing to stdout without panicking on a closed pipe.
//!
//! Commands build their whole output as a `String` first and hand it to [`emit`]: a reader
//! sees either the answer or nothing, and a `| head` that closes the pipe early ends the
//! command quietly instead of with a panic.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, IsTerminal, Write};

use anstyle::{AnsiColor, Style};
use pat_verdict::{BroadcastOutcome, CheckCategory, VerdictKind};
use pat_verdict::{escape_control, needs_escape};
use serde::Serialize;

use crate::exit::Failure;

/// The meaning a piece of text carries, which decides its colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// No styling.
    Plain,
    /// Good news: valid, accepted.
    Good,
    /// Evidence against the PAT: invalid, rejected.
    Bad,
    /// Could not tell: inconclusive, retry later, warnings.
    Warn,
    /// Secondary detail: headers, counts.
    Dim,
}

impl Tone {
    fn style(self) -> Style {
        match self {
            Self::Plain => Style::new(),
            Self::Good => Style::new().fg_color(Some(AnsiColor::Green.into())).bold(),
            Self::Bad => Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
            Self::Warn => Style::new().fg_color(Some(AnsiColor::Yellow.into())).bold(),
            Self::Dim => Style::new().dimmed(),
        }
    }

    /// The tone of a verdict word.
    #[must_use]
    pub const fn of_verdict(kind: VerdictKind) -> Self {
        match kind {
            VerdictKind::Valid => Self::Good,
            VerdictKind::Invalid => Self::Bad,
            VerdictKind::Inconclusive => Self::Warn,
        }
    }

    /// The tone of a check category: "could not tell" is never painted as "bad".
    #[must_use]
    pub const fn of_category(category: CheckCategory) -> Self {
        match category {
            CheckCategory::Valid => Self::Good,
            CheckCategory::NoPat | CheckCategory::InvalidPat => Self::Bad,
            CheckCategory::Inconclusive => Self::Warn,
            CheckCategory::NoResponse => Self::Dim,
        }
    }
}

/// Whether to colour, decided once per run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Palette {
    enabled: bool,
}

impl Palette {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset or empty (no-color.org).
    #[must_use]
    pub fn for_stdout() -> Self {
        Self::when(io::stdout().is_terminal())
    }

    /// The same rule for stderr (warnings).
    #[must_use]
    pub fn for_stderr() -> Self {
        Self::when(io::stderr().is_terminal())
    }

    fn when(terminal: bool) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
        Self {
            enabled: terminal && !no_color,
        }
    }

    /// No colour at all (for tests and JSON).
    #[must_use]
    pub const fn plain() -> Self {
        Self { enabled: false }
    }

    /// `text` in `tone`, or as it is when colour is off.
    #[must_use]
    pub fn paint(self, text: &str, tone: Tone) -> String {
        let style = tone.style();
        if !self.enabled || style == Style::new() {
            return text.to_owned();
        }
        format!("{style}{text}{style:#}")
    }
}

/// One table cell: its text and how to colour it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    text: String,
    tone: Tone,
}

impl Cell {
    /// A cell in `tone`. Control characters in `text` are escaped (docs/contract.md §5): cells hold
    /// logins, messages and hotkeys from GitHub and the store, and none of them may clear a
    /// terminal or forge a table line.
    pub fn new(text: impl Into<String>, tone: Tone) -> Self {
        let text = text.into();
        let text = match escape_control(&text) {
            Cow::Borrowed(_) => text,
            Cow::Owned(escaped) => escaped,
        };
        Self { text, tone }
    }

    /// An unstyled cell.
    pub fn plain(text: impl Into<String>) -> Self {
        Self::new(text, Tone::Plain)
    }

    /// A broadcast's result as one word with its tone: `accepted`, `rejected`, `retry later`.
    #[must_use]
    pub fn of_broadcast(outcome: &BroadcastOutcome) -> Self {
        match outcome {
            BroadcastOutcome::Accepted => Self::new("accepted", Tone::Good),
            BroadcastOutcome::RetryLater { .. } => Self::new("retry later", Tone::Warn),
            BroadcastOutcome::Rejected { .. } => Self::new("rejected", Tone::Bad),
        }
    }
}

/// Rows aligned in columns. Widths count characters of the unstyled text, so colour codes
/// never skew the alignment; the last column is not padded (it holds long reasons).
#[derive(Clone, Debug, Default)]
pub struct Table {
    header: Option<Vec<String>>,
    rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table with a header row.
    #[must_use]
    pub fn with_header(header: &[&str]) -> Self {
        Self {
            header: Some(header.iter().map(|&title| title.to_owned()).collect()),
            rows: Vec::new(),
        }
    }

    /// A table without a header: label/value lines.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a row.
    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(cells);
    }

    /// A label and a value, for header-less tables.
    pub fn pair(&mut self, label: &str, value: Cell) {
        self.rows.push(vec![Cell::new(label, Tone::Dim), value]);
    }

    /// The table as lines, each ending in `\n`.
    #[must_use]
    pub fn render(&self, palette: Palette) -> String {
        let header = self
            .header
            .as_ref()
            .map(|titles| titles.iter().map(|t| Cell::new(t, Tone::Dim)).collect());
        let lines: Vec<&Vec<Cell>> = header.iter().chain(&self.rows).collect();
        let columns = lines.iter().map(|cells| cells.len()).max().unwrap_or(0);
        let mut widths = vec![0; columns];
        for cells in &lines {
            for (width, cell) in widths.iter_mut().zip(cells.iter()) {
                *width = (*width).max(cell.text.chars().count());
            }
        }
        let mut out = String::new();
        for cells in lines {
            let mut line = String::new();
            for (index, cell) in cells.iter().enumerate() {
                if index > 0 {
                    line.push_str("  ");
                }
                line.push_str(&palette.paint(&cell.text, cell.tone));
                if index + 1 < cells.len() {
                    let pad = widths[index].saturating_sub(cell.text.chars().count());
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
        out
    }
}

/// Writes `text` to stdout. A closed pipe (`| head`) is not an error worth reporting: the
/// reader has what it wanted.
///
/// # Errors
///
/// Any other write error, which the caller reports.
pub fn emit(text: &str) -> io::Result<()> {
    match deliver(text) {
        Ok(Delivery::Written | Delivery::ReaderGone) => Ok(()),
        Err(error) => Err(error),
    }
}

/// Writes a command's output, turning a failed write (other than a closed pipe) into a
/// failure: an answer nobody received must not look like success.
///
/// # Errors
///
/// [`Failure::Unavailable`] when standard output cannot be written.
pub fn print(text: &str) -> Result<(), Failure> {
    emit(text)
        .map_err(|error| Failure::Unavailable(format!("cannot write to standard output: {error}")))
}

/// `value` as one line of JSON. Output shapes are structs, not `json!` maps, so keys come
/// out in docs/contract.md §8's order (serde_json sorts a map's keys).
///
/// # Errors
///
/// [`Failure::Internal`] if serialization fails, which plain structs of strings, numbers and
/// options cannot do.
pub fn json_line(value: &impl Serialize) -> Result<String, Failure> {
    let line = serde_json::to_string(value)
        .map_err(|error| Failure::Internal(format!("cannot encode the JSON output: {error}")))?;
    let mut line = json_safe(line);
    line.push('\n');
    Ok(line)
}

/// What became of text written to stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// It was handed to the reader (or to the pipe's buffer, for the reader to take).
    Written,
    /// Nobody reads stdout any more (a closed pipe: `| head -1` has what it wanted). Rust
    /// ignores SIGPIPE, so the write fails with `EPIPE` instead of ending the process: a
    /// command that streams (`audit --json`) learns this way that it should stop working
    /// for nobody.
    ReaderGone,
}

/// Writes `text` to stdout and says whether anyone is still reading: [`emit`] for a command
/// that needs to know.
///
/// # Errors
///
/// Any write error other than a closed pipe.
pub fn deliver(text: &str) -> io::Result<Delivery> {
    let mut stdout = io::stdout().lock();
    let written = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
    match written {
        Ok(()) => Ok(Delivery::Written),
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(Delivery::ReaderGone),
        Err(error) => Err(error),
    }
}

/// Writes one line to stderr (warnings, errors). A stderr that cannot be written to leaves
/// nowhere to report it, so the failure is dropped rather than turned into a panic, as
/// `eprintln!` would.
pub fn warn_line(text: &str) {
    let _ = writeln!(io::stderr().lock(), "{}", escape_control(text));
}

/// Outside text for a line of prose: control characters escaped (docs/contract.md §5).
#[must_use]
pub fn safe(text: &str) -> Cow<'_, str> {
    escape_control(text)
}

/// A JSON line with every character that [`escape_control`] would escape written as a
/// `\uXXXX` escape. serde_json escapes U+0000–U+001F itself but writes DEL, the C1
/// controls and the bidirectional controls raw, and a terminal that shows the line would
/// obey them. Such characters can only occur inside JSON strings, where the escape means the
/// same character: the value is unchanged.
#[must_use]
pub fn json_safe(line: String) -> String {
    if !line.chars().any(needs_escape) {
        return line;
    }
    let mut out = String::with_capacity(line.len() + 16);
    for c in line.chars() {
        if needs_escape(c) {
            let mut units = [0_u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `text`, or an em dash for nothing, so an empty cell still reads as "none".
#[must_use]
pub fn or_dash(text: Option<&str>) -> String {
    text.unwrap_or("—").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_on_plain_text_and_the_last_is_not_padded() {
        let mut table = Table::with_header(&["a", "verdict", "why"]);
        table.row(vec![
            Cell::plain("long-name"),
            Cell::new("valid", Tone::Good),
            Cell::plain("—"),
        ]);
        let text = table.render(Palette::plain());
        assert_eq!(text, "a          verdict  why\nlong-name  valid    —\n");
    }

    #[test]
    fn cells_cannot_clear_the_screen_or_forge_a_line() {
        let mut table = Table::new();
        table.pair("login", Cell::plain("x\u{1b}[2J\r\nverdict  valid"));
        let text = table.render(Palette::plain());
        assert_eq!(text, "login  x\\x1b[2J\\r\\nverdict  valid\n");
        assert_eq!(text.lines().count(), 1);
    }

    #[test]
    fn json_lines_escape_what_serde_leaves_raw() {
        let line = serde_json::to_string(&serde_json::json!({"a": "\u{7f}\u{9b}\u{202e}"}))
            .expect("encodes");
        let safe = json_safe(line);
        assert_eq!(safe, r#"{"a":"\u007f\u009b\u202e"}"#);
        let back: serde_json::Value = serde_json::from_str(&safe).expect("still JSON");
        assert_eq!(back["a"], "\u{7f}\u{9b}\u{202e}");
    }

    #[test]
    fn colour_wraps_the_text_only_when_enabled() {
        let on = Palette { enabled: true };
        assert!(on.paint("valid", Tone::Good).contains("\u{1b}["));
        assert_eq!(Palette::plain().paint("valid", Tone::Good), "valid");
        assert_eq!(on.paint("x", Tone::Plain), "x");
    }
}
