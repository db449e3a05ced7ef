//! The bytes of `miner_pats.json` ⇄ entries by uid, total over bytes: any input gives entries
//! or a [`Problem`] — and a problem never quotes the file, because the file holds PATs.
//!
//! serde_json's own messages for a wrong value quote it (`invalid type: string "ghp_…",
//! expected u32`), so they are never kept: syntax errors become a position, and the shape of
//! each entry is checked here, key by key, before serde sees it.

use std::collections::BTreeMap;
use std::fmt;

use pat_verdict::{StoredPat, Uid};
use serde::Deserializer as _;
use serde_json::error::Category;
use serde_json::{Map, Value};

/// The store's contents by uid. A file listing a uid twice (hand-edited) reads as its last
/// entry for that uid, and the next write keeps only that one.
pub(crate) type Entries = BTreeMap<Uid, StoredPat>;

/// The keys [`StoredPat`] reads itself; any other key of an entry is kept in `extra`.
const KNOWN_KEYS: [&str; 5] = ["uid", "hotkey", "pat", "github_id", "stored_at"];

/// What is wrong with a store file, said without quoting any of it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// The bytes are not UTF-8 (JSON must be), from this byte offset.
    NotUtf8 {
        /// Offset of the first byte that is not UTF-8.
        offset: usize,
    },
    /// The text is not JSON.
    Syntax {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
    },
    /// The JSON ends before it is complete (a truncated or empty file).
    Truncated {
        /// 1-based line where the text ended.
        line: usize,
        /// 1-based column where the text ended.
        column: usize,
    },
    /// The top level is not an array.
    NotAnArray {
        /// What it is instead (`an object`, `null`, ...).
        found: &'static str,
    },
    /// An element of the array is not an object.
    EntryNotAnObject {
        /// 0-based position in the array.
        index: usize,
        /// What it is instead.
        found: &'static str,
    },
    /// An entry lacks a required key.
    MissingKey {
        /// 0-based position in the array.
        index: usize,
        /// The missing key.
        key: &'static str,
    },
    /// An entry's key holds a value of the wrong kind.
    BadValue {
        /// 0-based position in the array.
        index: usize,
        /// The key.
        key: &'static str,
        /// What the key must hold.
        expected: &'static str,
        /// What kind of value it holds (never the value).
        found: &'static str,
    },
    /// An entry passed the checks above but still does not read as an entry.
    BadEntry {
        /// 0-based position in the array.
        index: usize,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotUtf8 { offset } => write!(f, "not UTF-8 text (byte {offset})"),
            Self::Syntax { line, column } => {
                write!(f, "not valid JSON (line {line}, column {column})")
            }
            Self::Truncated { line, column } => {
                write!(f, "JSON that ends early (line {line}, column {column})")
            }
            Self::NotAnArray { found } => write!(f, "{found} where an array of entries belongs"),
            Self::EntryNotAnObject { index, found } => {
                write!(f, "entry {index} is {found}, not an object")
            }
            Self::MissingKey { index, key } => write!(f, "entry {index} has no \"{key}\""),
            Self::BadValue {
                index,
                key,
                expected,
                found,
            } => write!(
                f,
                "entry {index}: \"{key}\" is {found}, expected {expected}"
            ),
            Self::BadEntry { index } => write!(f, "entry {index} is not a PAT entry"),
        }
    }
}

/// Reads a store file's bytes.
///
/// The array is read one entry at a time — each entry is parsed, checked and converted before
/// the next is read — so memory holds the entries and one entry's JSON tree, not a tree of
/// the whole file.
pub(crate) fn decode(bytes: &[u8]) -> Result<Entries, Problem> {
    let text = std::str::from_utf8(bytes).map_err(|error| Problem::NotUtf8 {
        offset: error.valid_up_to(),
    })?;
    let mut problem = None;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let decoded = deserializer
        .deserialize_any(EntriesVisitor {
            problem: &mut problem,
        })
        .and_then(|entries| deserializer.end().map(|()| entries));
    match (decoded, problem) {
        (_, Some(problem)) => Err(problem),
        (Ok(entries), None) => Ok(entries),
        (Err(error), None) => {
            let (line, column) = (error.line(), error.column());
            Err(match error.classify() {
                Category::Eof => Problem::Truncated { line, column },
                Category::Io | Category::Syntax | Category::Data => {
                    Problem::Syntax { line, column }
                }
            })
        }
    }
}

/// One entry's JSON → a [`StoredPat`], or what is wrong with it.
fn entry_from(index: usize, item: Value) -> Result<StoredPat, Problem> {
    let Value::Object(object) = item else {
        return Err(Problem::EntryNotAnObject {
            index,
            found: kind(&item),
        });
    };
    check_entry(index, &object)?;
    serde_json::from_value(Value::Object(object)).map_err(|_| Problem::BadEntry { index })
}

/// Walks the top level: an array is read entry by entry; anything else is `NotAnArray`
/// (after it has been read whole, so that a truncated file still reports as truncated).
/// A problem is left in `problem` and the walk aborted with an error that carries no text.
struct EntriesVisitor<'p> {
    problem: &'p mut Option<Problem>,
}

impl EntriesVisitor<'_> {
    fn not_an_array<E: serde::de::Error>(self, found: &'static str) -> Result<Entries, E> {
        *self.problem = Some(Problem::NotAnArray { found });
        Err(E::custom("not an array"))
    }
}

impl<'de> serde::de::Visitor<'de> for EntriesVisitor<'_> {
    type Value = Entries;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of PAT entries")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Entries, A::Error> {
        let mut entries = Entries::new();
        let mut index = 0;
        while let Some(item) = seq.next_element::<Value>()? {
            match entry_from(index, item) {
                Ok(entry) => {
                    entries.insert(entry.uid, entry);
                }
                Err(problem) => {
                    *self.problem = Some(problem);
                    return Err(serde::de::Error::custom("bad entry"));
                }
            }
            index += 1;
        }
        Ok(entries)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
        use serde::de::IgnoredAny;
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        self.not_an_array("an object")
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Entries, E> {
        self.not_an_array("null")
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Entries, E> {
        self.not_an_array("a boolean")
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Entries, E> {
        self.not_an_array("a number")
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Entries, E> {
        self.not_an_array("a negative number")
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Entries, E> {
        self.not_an_array("a fractional number")
    }

    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Entries, E> {
        self.not_an_array("a string")
    }
}

/// The bytes of a store holding `entries`: a pretty-printed array in uid order (the map's
/// order), known keys first, then unknown ones, and a final newline.
pub(crate) fn encode(entries: &mut Entries) -> Result<Vec<u8>, serde_json::Error> {
    for entry in entries.values_mut() {
        // A known key in `extra` would be written twice and read back as the wrong one.
        entry
            .extra
            .retain(|key, _| !KNOWN_KEYS.contains(&key.as_str()));
    }
    let list: Vec<&StoredPat> = entries.values().collect();
    let mut bytes = serde_json::to_vec_pretty(&list)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The checks serde would make, done here so that a failure names the key, not the value.
fn check_entry(index: usize, object: &Map<String, Value>) -> Result<(), Problem> {
    let bad = |key, expected, value: &Value| Problem::BadValue {
        index,
        key,
        expected,
        found: kind(value),
    };
    let required = |key| object.get(key).ok_or(Problem::MissingKey { index, key });

    let uid = required("uid")?;
    const UID: &str = "an integer from 0 to 4294967295";
    if uid.as_u64().and_then(|n| u32::try_from(n).ok()).is_none() {
        return Err(bad("uid", UID, uid));
    }
    for key in ["hotkey", "pat"] {
        let value = required(key)?;
        if !value.is_string() {
            return Err(bad(key, "a string", value));
        }
    }
    // Older validators wrote the id as a number: it reads as its decimal string (SPEC §7).
    let github_id = required("github_id")?;
    if !(github_id.is_string() || github_id.is_u64() || github_id.is_i64()) {
        return Err(bad("github_id", "a string or an integer", github_id));
    }
    // `stored_at` may be missing (it reads as ""), but when present it is text.
    match object.get("stored_at") {
        Some(stored_at) if !stored_at.is_string() => Err(bad("stored_at", "a string", stored_at)),
        Some(_) | None => Ok(()),
    }
}

/// The kind of a JSON value, for messages that must not show the value.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a fractional number",
        Value::Number(n) if n.is_i64() && !n.is_u64() => "a negative number",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pat_verdict::testing::entry;
    use pat_verdict::{ExposeSecret, GithubId};
    use serde_json::json;

    #[test]
    fn numeric_github_id_reads_as_its_decimal_string() {
        let entries = decode(
            br#"[{"uid": 3, "hotkey": "hk", "pat": "ghp_x", "github_id": 42, "stored_at": "2025-01-01T00:00:00Z"}]"#,
        )
        .unwrap();
        assert_eq!(entries[&Uid(3)].github_id, GithubId::new("42"));
    }

    #[test]
    fn a_duplicate_uid_reads_as_its_last_entry() {
        let entries = decode(
            br#"[{"uid": 1, "hotkey": "a", "pat": "p", "github_id": "1"},
                 {"uid": 1, "hotkey": "b", "pat": "q", "github_id": "2"}]"#,
        )
        .unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[&Uid(1)].hotkey.as_str(), "b");
    }

    #[test]
    fn encode_then_decode_is_identity_and_sorted() {
        let mut entries = Entries::new();
        for uid in [9, 2, 5] {
            let mut e = entry(uid, "hk", "ghp_x", "7");
            e.extra.insert("note".into(), json!({"a": [1, 2]}));
            entries.insert(e.uid, e);
        }
        let bytes = encode(&mut entries).unwrap();
        let value: Value = serde_json::from_slice(&bytes).unwrap();
        let uids: Vec<u64> = value
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["uid"].as_u64().unwrap())
            .collect();
        assert_eq!(uids, [2, 5, 9]);
        assert_eq!(decode(&bytes).unwrap(), entries);
        assert!(bytes.ends_with(b"}\n]\n"));
    }

    #[test]
    fn a_known_key_smuggled_into_extra_is_not_written_twice() {
        let mut e = entry(1, "hk", "ghp_real", "7");
        e.extra.insert("pat".into(), json!("ghp_other"));
        let mut entries = Entries::from([(e.uid, e)]);
        let bytes = encode(&mut entries).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(!text.contains("ghp_other"));
        assert_eq!(
            decode(&bytes).unwrap()[&Uid(1)].pat.expose_secret(),
            "ghp_real"
        );
    }

    #[test]
    fn problems_name_the_place_never_the_value() {
        let secret = "ghp_SECRETSECRETSECRET";
        let cases: Vec<(String, Problem)> = vec![
            (String::new(), Problem::Truncated { line: 1, column: 0 }),
            (
                format!(r#"[{{"uid": 1, "pat": "{secret}"#),
                Problem::Truncated {
                    line: 1,
                    column: 42,
                },
            ),
            (
                format!(r#"{{"pat": "{secret}"}}"#),
                Problem::NotAnArray { found: "an object" },
            ),
            ("null".into(), Problem::NotAnArray { found: "null" }),
            (
                "[1]".into(),
                Problem::EntryNotAnObject {
                    index: 0,
                    found: "a number",
                },
            ),
            (
                format!(r#"[{{"uid": "{secret}"}}]"#),
                Problem::BadValue {
                    index: 0,
                    key: "uid",
                    expected: "an integer from 0 to 4294967295",
                    found: "a string",
                },
            ),
            (
                format!(r#"[{{"hotkey": "h", "pat": "{secret}", "github_id": "1"}}]"#),
                Problem::MissingKey {
                    index: 0,
                    key: "uid",
                },
            ),
            (
                format!(r#"[{{"uid": 1, "hotkey": "h", "pat": "{secret}", "github_id": 1.5}}]"#),
                Problem::BadValue {
                    index: 0,
                    key: "github_id",
                    expected: "a string or an integer",
                    found: "a fractional number",
                },
            ),
            (
                format!(r#"[{{"uid": 1, "hotkey": "h", "pat": ["{secret}"], "github_id": "1"}}]"#),
                Problem::BadValue {
                    index: 0,
                    key: "pat",
                    expected: "a string",
                    found: "an array",
                },
            ),
            (
                format!(r#"[{{"uid": -1, "hotkey": "{secret}"}}]"#),
                Problem::BadValue {
                    index: 0,
                    key: "uid",
                    expected: "an integer from 0 to 4294967295",
                    found: "a negative number",
                },
            ),
            (
                format!(
                    r#"[{{"uid": 1, "hotkey": "h", "pat": "{secret}", "github_id": "1", "stored_at": 5}}]"#
                ),
                Problem::BadValue {
                    index: 0,
                    key: "stored_at",
                    expected: "a string",
                    found: "a number",
                },
            ),
            (
                // A whole entry, then garbage: the garbage is where the reading stops.
                format!(r#"[{{"uid": 1, "hotkey": "h", "pat": "{secret}", "github_id": "1"}} x]"#),
                Problem::Syntax {
                    line: 1,
                    column: 79,
                },
            ),
            (
                // Entries are checked as they are read: the first problem in reading order.
                format!(r#"[{{"uid": 1, "pat": "{secret}"}} x]"#),
                Problem::MissingKey {
                    index: 0,
                    key: "hotkey",
                },
            ),
        ];
        for (text, expected) in cases {
            let problem = decode(text.as_bytes()).unwrap_err();
            assert_eq!(problem, expected, "for {text}");
            assert!(!problem.to_string().contains("SECRET"), "{problem}");
            assert!(!format!("{problem:?}").contains("SECRET"), "{problem:?}");
        }
        assert_eq!(
            decode(b"[\"\xff\"]").unwrap_err(),
            Problem::NotUtf8 { offset: 2 }
        );
    }
}
