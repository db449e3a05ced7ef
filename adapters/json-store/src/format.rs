//! The bytes of `miner_pats.json` ⇄ entries by uid, total over bytes: any input gives entries
//! or a [`Problem`] — and a problem never quotes the file, because the file holds PATs.
//!
//! serde_json's own messages for a wrong value quote it (`invalid type: string "ghp_…",
//! expected u32`), so they are never kept: syntax errors become a position, and the shape of
//! each entry is checked here, key by key.
//!
//! Each array element is read as its raw JSON text first, so that nothing is lost: keys this
//! version does not know keep their exact text (`12345678901234567890123` keeps every digit),
//! an optional key that was absent stays absent, and an entry that cannot be used at all (docs/contract.md
//! §7: no integer `uid`, no string `pat` or `hotkey`) is written back byte for byte.
//!
//! When the entries are read in order to be written back ([`Keep::AsRead`]), each usable
//! entry's text is kept too: an entry the write does not change comes out with its keys in
//! the order they were read and each value's exact text (nested objects and their spacing
//! included) — only the indentation of its own keys follows the file's two-space layout.

use std::collections::BTreeMap;
use std::fmt;

use pat_verdict::store::OptionalKey;
use pat_verdict::store::{StoredPat, UnusableEntry};
use pat_verdict::{GithubId, Hotkey, SecretString, Uid};
use serde::Deserializer as _;
use serde::ser::SerializeSeq;
use serde_json::Value;
use serde_json::error::Category;
use serde_json::value::RawValue;

/// The store's contents: the usable entries by uid, and the unusable ones in file order.
///
/// A file listing a uid twice (hand-edited) reads as its last usable entry for that uid, and
/// the next write keeps only that one.
#[derive(Debug, Default)]
pub(crate) struct Entries {
    /// The entries that can be used, by uid.
    pub(crate) usable: BTreeMap<Uid, StoredPat>,
    /// The entries that cannot, kept byte for byte.
    pub(crate) unusable: Vec<Unusable>,
    /// The text each usable entry was read from, while it is unchanged ([`Keep::AsRead`]):
    /// [`replace`](Self::replace), the only way an entry changes, drops it.
    as_read: BTreeMap<Uid, AsRead>,
}

/// What [`decode`] keeps besides the entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Keep {
    /// Only the entries: a read that will not write (memory holds the model alone).
    Entries,
    /// Also each usable entry's text, so that a write keeps the entries it does not change
    /// as they were read.
    AsRead,
}

/// A usable entry's JSON text as read (it holds a PAT: `Debug` leaves it out).
struct AsRead(Box<RawValue>);

impl fmt::Debug for AsRead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AsRead(..)")
    }
}

/// An entry that cannot be used, with its exact JSON text (which may hold a PAT: `Debug`
/// leaves it out).
pub(crate) struct Unusable {
    /// Its integer uid, if it has one: that uid's answers are "unavailable".
    pub(crate) uid: Option<Uid>,
    /// Its string hotkey, if it has one (for audit's row).
    pub(crate) hotkey: Option<String>,
    /// What is wrong with it.
    pub(crate) problem: Problem,
    /// The entry as the file held it.
    pub(crate) raw: Box<RawValue>,
}

impl fmt::Debug for Unusable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unusable")
            .field("uid", &self.uid)
            .field("hotkey", &self.hotkey)
            .field("problem", &self.problem)
            .finish_non_exhaustive()
    }
}

impl Unusable {
    /// The port's view of it.
    pub(crate) fn describe(&self) -> UnusableEntry {
        UnusableEntry {
            uid: self.uid,
            hotkey: self.hotkey.clone().map(Hotkey::new),
            reason: self.problem.to_string(),
        }
    }
}

impl Entries {
    /// The unusable entry held for `uid`, if any.
    pub(crate) fn unusable_for(&self, uid: Uid) -> Option<&Unusable> {
        self.unusable.iter().find(|entry| entry.uid == Some(uid))
    }

    /// Replaces whatever is held for `entry.uid`, usable or not. The new entry is written
    /// from the model (known keys first), not from the old entry's text.
    pub(crate) fn replace(&mut self, entry: StoredPat) {
        self.unusable.retain(|kept| kept.uid != Some(entry.uid));
        self.as_read.remove(&entry.uid);
        self.usable.insert(entry.uid, entry);
    }
}

/// What is wrong with a store file or one of its entries, said without quoting any of it.
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
    /// An entry lacks a required key (it is unusable; the rest of the file is not).
    MissingKey {
        /// 0-based position in the array.
        index: usize,
        /// The missing key.
        key: &'static str,
    },
    /// An entry's key holds a value of the wrong kind (it is unusable; the rest of the file
    /// is not).
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
        }
    }
}

/// Reads a store file's bytes.
///
/// The array is read one element at a time, as raw text — each entry is checked and converted
/// before the next is read — so memory holds the entries, not a tree of the whole file (and,
/// with [`Keep::AsRead`], each usable entry's text).
pub(crate) fn decode(bytes: &[u8], keep: Keep) -> Result<Entries, Problem> {
    let text = std::str::from_utf8(bytes).map_err(|error| Problem::NotUtf8 {
        offset: error.valid_up_to(),
    })?;
    let mut problem = None;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let decoded = deserializer
        .deserialize_any(EntriesVisitor {
            problem: &mut problem,
            keep,
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

/// One entry object's keys and raw values, in the file's order (a repeated key: the last).
struct RawObject(Vec<(String, Box<RawValue>)>);

impl<'de> serde::Deserialize<'de> for RawObject {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> serde::de::Visitor<'de> for ObjectVisitor {
            type Value = RawObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawObject, A::Error> {
                let mut keys: Vec<(String, Box<RawValue>)> = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, Box<RawValue>>()? {
                    match keys.iter_mut().find(|(known, _)| *known == key) {
                        Some(slot) => slot.1 = value,
                        None => keys.push((key, value)),
                    }
                }
                Ok(RawObject(keys))
            }
        }
        deserializer.deserialize_map(ObjectVisitor)
    }
}

impl RawObject {
    fn get(&self, key: &str) -> Option<&RawValue> {
        self.0
            .iter()
            .find(|(known, _)| known == key)
            .map(|(_, value)| &**value)
    }
}

/// What one element of the array is.
enum Element {
    /// A usable entry and the text it was read from.
    Usable(StoredPat, Box<RawValue>),
    Unusable(Unusable),
}

/// One element's raw JSON → an entry, usable or not; or the problem that makes the whole file
/// unusable (an element that is not an object).
fn element_from(index: usize, raw: Box<RawValue>) -> Result<Element, Problem> {
    let Ok(object) = serde_json::from_str::<RawObject>(raw.get()) else {
        return Err(Problem::EntryNotAnObject {
            index,
            found: kind_of(raw.get()),
        });
    };
    let uid = object
        .get("uid")
        .and_then(|value| serde_json::from_str::<u32>(value.get()).ok())
        .map(Uid);
    let text = |key| {
        object
            .get(key)
            .and_then(|value| serde_json::from_str::<String>(value.get()).ok())
    };
    let hotkey = text("hotkey");
    match entry_from(index, &object, uid, hotkey.clone(), text("pat")) {
        Ok(entry) => Ok(Element::Usable(entry, raw)),
        Err(problem) => Ok(Element::Unusable(Unusable {
            uid,
            hotkey,
            problem,
            raw,
        })),
    }
}

const UID: &str = "an integer from 0 to 4294967295";

/// The checks that make an entry usable, and the entry they allow.
fn entry_from(
    index: usize,
    object: &RawObject,
    uid: Option<Uid>,
    hotkey: Option<String>,
    pat: Option<String>,
) -> Result<StoredPat, Problem> {
    let bad = |key, expected, value: &RawValue| Problem::BadValue {
        index,
        key,
        expected,
        found: kind_of(value.get()),
    };
    let required = |key| object.get(key).ok_or(Problem::MissingKey { index, key });
    let Some(uid) = uid else {
        return Err(bad("uid", UID, required("uid")?));
    };
    let Some(hotkey) = hotkey else {
        return Err(bad("hotkey", "a string", required("hotkey")?));
    };
    let Some(pat) = pat else {
        return Err(bad("pat", "a string", required("pat")?));
    };
    let mut entry = StoredPat::new(
        uid,
        Hotkey::new(hotkey),
        SecretString::from(pat),
        GithubId::new(""),
        String::new(),
    );
    // github_id: a string as it is; older validators wrote a number, which reads as its
    // decimal string (docs/contract.md §7); absent or null pins nothing, like "" and "0".
    match object.get("github_id") {
        None => entry.extra.read_absent(OptionalKey::GithubId),
        Some(raw) => match serde_json::from_str::<Value>(raw.get()) {
            Ok(Value::String(id)) => entry.github_id = GithubId::new(id),
            Ok(Value::Number(n)) if n.is_u64() || n.is_i64() => {
                entry.github_id = GithubId::new(n.to_string());
                entry
                    .extra
                    .read_raw(OptionalKey::GithubId, n.to_string(), raw.to_owned());
            }
            Ok(Value::Null) => entry
                .extra
                .read_raw(OptionalKey::GithubId, "", raw.to_owned()),
            Ok(_) | Err(_) => return Err(bad("github_id", "a string or an integer", raw)),
        },
    }
    // stored_at is for people: absent stays absent, any other kind of value is kept as it is.
    match object.get("stored_at") {
        None => entry.extra.read_absent(OptionalKey::StoredAt),
        Some(raw) => match serde_json::from_str::<String>(raw.get()) {
            Ok(stored_at) => entry.stored_at = stored_at,
            Err(_) => entry
                .extra
                .read_raw(OptionalKey::StoredAt, "", raw.to_owned()),
        },
    }
    for (key, value) in &object.0 {
        if !pat_verdict::store::KNOWN_KEYS.contains(&key.as_str()) {
            entry.extra.insert(key.clone(), value.clone());
        }
    }
    Ok(entry)
}

/// Walks the top level: an array is read element by element; anything else is `NotAnArray`
/// (after it has been read whole, so that a truncated file still reports as truncated).
/// A problem is left in `problem` and the walk aborted with an error that carries no text.
struct EntriesVisitor<'p> {
    problem: &'p mut Option<Problem>,
    keep: Keep,
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
        let mut entries = Entries::default();
        let mut index = 0;
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            match element_from(index, raw) {
                Ok(Element::Usable(entry, raw)) => {
                    match self.keep {
                        Keep::AsRead => {
                            entries.as_read.insert(entry.uid, AsRead(raw));
                        }
                        Keep::Entries => {}
                    }
                    entries.usable.insert(entry.uid, entry);
                }
                Ok(Element::Unusable(kept)) => entries.unusable.push(kept),
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

/// One element of the written array.
enum Out<'a> {
    /// A new or changed entry, written from the model.
    Usable(&'a StoredPat),
    /// An unchanged usable entry: its keys in the order read, each value's text as read.
    AsRead(&'a RawValue),
    /// An unusable entry, byte for byte.
    Unusable(&'a RawValue),
}

impl serde::Serialize for Out<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error as _, SerializeMap as _};
        match self {
            Self::Usable(entry) => entry.serialize(serializer),
            Self::AsRead(raw) => {
                // It was read as such an object; failing now would be a bug, not bad input.
                let object = serde_json::from_str::<RawObject>(raw.get())
                    .map_err(|_| S::Error::custom("an entry read as an object is not one"))?;
                let mut map = serializer.serialize_map(Some(object.0.len()))?;
                for (key, value) in &object.0 {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
            Self::Unusable(raw) => raw.serialize(serializer),
        }
    }
}

/// Serializes the elements in order without collecting them.
struct List<'a>(&'a [Out<'a>]);

impl serde::Serialize for List<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            seq.serialize_element(item)?;
        }
        seq.end()
    }
}

/// The bytes of a store holding `entries`: a pretty-printed array (two-space indent, as
/// gittensor's `json.dump(entries, indent=2)`) in uid order — an unusable entry at its uid,
/// after the usable one, or at the end when it has none — and a final newline. Unusable
/// entries are written as the exact text they were read as; usable entries kept
/// [as read](Keep::AsRead) with their keys in the order read and their values' text.
pub(crate) fn encode(entries: &Entries) -> Result<Vec<u8>, serde_json::Error> {
    let mut keyed: Vec<((bool, u32), Out<'_>)> = entries
        .usable
        .values()
        .map(|entry| {
            let out = entries
                .as_read
                .get(&entry.uid)
                .map_or(Out::Usable(entry), |raw| Out::AsRead(&raw.0));
            ((false, entry.uid.0), out)
        })
        .collect();
    keyed.extend(entries.unusable.iter().map(|kept| {
        let key = kept.uid.map_or((true, 0), |uid| (false, uid.0));
        (key, Out::Unusable(&kept.raw))
    }));
    // Stable: usable before unusable at one uid, unusable without uid in file order.
    keyed.sort_by_key(|(key, _)| *key);
    let list: Vec<Out<'_>> = keyed.into_iter().map(|(_, out)| out).collect();
    let mut bytes = serde_json::to_vec_pretty(&List(&list))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The kind of a JSON text, for messages that must not show the value.
fn kind_of(text: &str) -> &'static str {
    match serde_json::from_str::<Value>(text) {
        Ok(value) => kind(&value),
        Err(_) => "not JSON",
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
    use pat_verdict::ExposeSecret;
    use pat_verdict::testing::entry;

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_owned()).unwrap()
    }

    /// Keys and values' exact texts of one element, in order.
    fn keys_and_texts(text: &str) -> Vec<(String, String)> {
        serde_json::from_str::<RawObject>(text)
            .unwrap()
            .0
            .into_iter()
            .map(|(key, value)| (key, value.get().to_owned()))
            .collect()
    }

    /// One entry as a file may hold it: the three required keys and some others, in any
    /// order, values with odd spacing and digits, keys separated by odd whitespace.
    fn entry_text() -> impl proptest::strategy::Strategy<Value = (Vec<(String, String)>, String)> {
        use proptest::prelude::*;
        let value = prop::sample::select(vec![
            "1.50",
            "12345678901234567890123",
            "-0",
            "null",
            "\"caf\\u00e9\"",
            "[1,  2 ,3]",
            "{\"z\": {\"b\": [true,false]},   \"a\": 1e3}",
            "\"2026-01-01T00:00:00Z\"",
        ]);
        let extras = prop::collection::vec(value, 0..4);
        let spaces = prop::sample::select(vec!["", " ", "\n    ", "  \t"]);
        (
            extras,
            prop::collection::vec(spaces, 8),
            any::<prop::sample::Index>(),
        )
            .prop_map(|(extras, spaces, rotate)| {
                let mut keys: Vec<(String, String)> = vec![
                    ("hotkey".to_owned(), "\"hk\"".to_owned()),
                    ("pat".to_owned(), "\"ghp_x\"".to_owned()),
                    ("github_id".to_owned(), "7".to_owned()),
                ];
                for (n, value) in extras.into_iter().enumerate() {
                    keys.push((format!("x{n}"), value.to_owned()));
                }
                let at = rotate.index(keys.len());
                keys.rotate_left(at);
                (keys, spaces.concat())
            })
    }

    proptest::proptest! {
        #[test]
        fn a_write_keeps_every_other_entry_as_read(
            entries in proptest::collection::vec(entry_text(), 1..6),
            new_uid in 0_u32..8,
        ) {
            // uids 10, 11, …: never the new entry's.
            let texts: Vec<String> = entries
                .iter()
                .enumerate()
                .map(|(n, (keys, space))| {
                    let mut members: Vec<String> = keys
                        .iter()
                        .map(|(key, value)| format!("{space}\"{key}\"{space}:{space}{value}"))
                        .collect();
                    members.insert(n % (members.len() + 1), format!("\"uid\": {}", 10 + n));
                    format!("{{{}{space}}}", members.join(","))
                })
                .collect();
            let file = format!("[{}]", texts.join(" ,\n"));
            let mut decoded = decode(file.as_bytes(), Keep::AsRead).unwrap();
            decoded.replace(entry(new_uid, "new", "ghp_new", "1"));
            let written = String::from_utf8(encode(&decoded).unwrap()).unwrap();
            let out: Vec<&RawValue> = serde_json::from_str(&written).unwrap();
            proptest::prop_assert_eq!(out.len(), texts.len() + 1);
            // The new entry (the lowest uid) first, in the model's order; then each entry as read.
            let model_order = out[0].get().starts_with("{\n    \"uid\": ");
            proptest::prop_assert!(model_order, "{}", out[0].get());
            for (kept, original) in out[1..].iter().zip(&texts) {
                proptest::prop_assert_eq!(keys_and_texts(kept.get()), keys_and_texts(original));
            }
        }
    }

    #[test]
    fn a_read_that_will_not_write_keeps_no_text() {
        let entries = decode(br#"[{"uid": 1, "hotkey": "h", "pat": "p"}]"#, Keep::Entries).unwrap();
        assert!(entries.as_read.is_empty());
        let entries = decode(br#"[{"uid": 1, "hotkey": "h", "pat": "p"}]"#, Keep::AsRead).unwrap();
        assert_eq!(entries.as_read.len(), 1);
    }

    #[test]
    fn numeric_github_id_reads_as_its_decimal_string_and_is_written_back_as_read() {
        let text = br#"[{"uid": 3, "hotkey": "hk", "pat": "ghp_x", "github_id": 42, "stored_at": "2025-01-01T00:00:00Z"}]"#;
        let entries = decode(text, Keep::AsRead).unwrap();
        assert_eq!(entries.usable[&Uid(3)].github_id, GithubId::new("42"));
        let written = String::from_utf8(encode(&entries).unwrap()).unwrap();
        assert!(written.contains(r#""github_id": 42,"#), "{written}");
    }

    /// docs/contract.md §7: a `github_id` number that is not an integer (`42.5`, or `4.2e1`,
    /// which JSON holds as a float even though it equals 42) is never turned into a pin a
    /// miner would be held to: the entry cannot be used, and is kept as it was.
    #[test]
    fn a_github_id_that_is_not_an_integer_is_never_a_pin() {
        for number in ["42.5", "4.2e1", "4.2E1", "42.0", "-0.5", "1e3"] {
            let text =
                format!(r#"[{{"uid": 1, "hotkey": "hk", "pat": "ghp_x", "github_id": {number}}}]"#);
            let entries = decode(text.as_bytes(), Keep::AsRead).unwrap();
            assert!(entries.usable.is_empty(), "{number}");
            assert_eq!(entries.unusable.len(), 1, "{number}");
        }
        let largest =
            br#"[{"uid": 1, "hotkey": "hk", "pat": "ghp_x", "github_id": 18446744073709551615}]"#;
        let entries = decode(largest, Keep::AsRead).unwrap();
        assert_eq!(
            entries.usable[&Uid(1)].github_id,
            GithubId::new("18446744073709551615")
        );
    }

    #[test]
    fn a_duplicate_uid_reads_as_its_last_entry() {
        let entries = decode(
            br#"[{"uid": 1, "hotkey": "a", "pat": "p", "github_id": "1"},
                 {"uid": 1, "hotkey": "b", "pat": "q", "github_id": "2"}]"#,
            Keep::AsRead,
        )
        .unwrap();
        assert_eq!(entries.usable.len(), 1);
        assert_eq!(entries.usable[&Uid(1)].hotkey.as_str(), "b");
    }

    #[test]
    fn encode_then_decode_is_identity_and_sorted() {
        let mut entries = Entries::default();
        for uid in [9, 2, 5] {
            let mut e = entry(uid, "hk", "ghp_x", "7");
            e.extra.insert("note", raw(r#"{"a": [1, 2]}"#));
            entries.usable.insert(e.uid, e);
        }
        let bytes = encode(&entries).unwrap();
        let value: Value = serde_json::from_slice(&bytes).unwrap();
        let uids: Vec<u64> = value
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["uid"].as_u64().unwrap())
            .collect();
        assert_eq!(uids, [2, 5, 9]);
        assert_eq!(decode(&bytes, Keep::AsRead).unwrap().usable, entries.usable);
        assert!(bytes.ends_with(b"}\n]\n"));
    }

    #[test]
    fn a_known_key_smuggled_into_extra_is_not_written_twice() {
        let mut e = entry(1, "hk", "ghp_real", "7");
        e.extra.insert("pat", raw(r#""ghp_other""#));
        let mut entries = Entries::default();
        entries.usable.insert(e.uid, e);
        let bytes = encode(&entries).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(!text.contains("ghp_other"));
        assert_eq!(
            decode(&bytes, Keep::AsRead).unwrap().usable[&Uid(1)]
                .pat
                .expose_secret(),
            "ghp_real"
        );
    }

    #[test]
    fn unknown_values_keep_every_digit_and_absent_keys_stay_absent() {
        let text = "[\n  {\n    \"uid\": 1,\n    \"hotkey\": \"hk\",\n    \"pat\": \"ghp_x\",\n    \"big\": 12345678901234567890123,\n    \"f\": 1.50\n  }\n]\n";
        let entries = decode(text.as_bytes(), Keep::AsRead).unwrap();
        let e = &entries.usable[&Uid(1)];
        assert!(e.pins_nothing());
        assert_eq!(e.extra.get("big").unwrap().get(), "12345678901234567890123");
        assert_eq!(String::from_utf8(encode(&entries).unwrap()).unwrap(), text);
    }

    #[test]
    fn an_unusable_entry_is_kept_byte_for_byte_and_alone() {
        let secret = "ghp_SECRETSECRETSECRET";
        let text = format!(
            "[{{\"uid\": 1, \"hotkey\": \"a\", \"pat\": \"p\", \"github_id\": \"1\"}},\n  {{\"uid\":2,\"hotkey\":[\"{secret}\"],  \"pat\": \"{secret}\"}},\n  {{\"uid\": \"x\", \"pat\": \"{secret}\"}}]"
        );
        let entries = decode(text.as_bytes(), Keep::AsRead).unwrap();
        assert_eq!(entries.usable.len(), 1);
        assert_eq!(entries.unusable.len(), 2);
        assert_eq!(entries.unusable[0].uid, Some(Uid(2)));
        assert_eq!(
            entries.unusable[0].problem,
            Problem::BadValue {
                index: 1,
                key: "hotkey",
                expected: "a string",
                found: "an array"
            }
        );
        assert_eq!(entries.unusable[1].uid, None);
        let written = String::from_utf8(encode(&entries).unwrap()).unwrap();
        assert!(written.contains(&format!(
            "{{\"uid\":2,\"hotkey\":[\"{secret}\"],  \"pat\": \"{secret}\"}}"
        )));
        assert!(written.contains(&format!("{{\"uid\": \"x\", \"pat\": \"{secret}\"}}\n]")));
        for kept in &entries.unusable {
            assert!(!kept.problem.to_string().contains("SECRET"));
        }
    }

    #[test]
    fn problems_name_the_place_never_the_value() {
        let secret = "ghp_SECRETSECRETSECRET";
        let file_cases: Vec<(String, Problem)> = vec![
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
                // A whole entry, then garbage: the garbage is where the reading stops.
                format!(r#"[{{"uid": 1, "hotkey": "h", "pat": "{secret}", "github_id": "1"}} x]"#),
                Problem::Syntax {
                    line: 1,
                    column: 79,
                },
            ),
        ];
        for (text, expected) in file_cases {
            let problem = decode(text.as_bytes(), Keep::AsRead).unwrap_err();
            assert_eq!(problem, expected, "for {text}");
            assert!(!problem.to_string().contains("SECRET"), "{problem}");
            assert!(!format!("{problem:?}").contains("SECRET"), "{problem:?}");
        }
        let entry_cases: Vec<(String, Problem)> = vec![
            (
                format!(r#"[{{"uid": "{secret}"}}]"#),
                Problem::BadValue {
                    index: 0,
                    key: "uid",
                    expected: UID,
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
                    expected: UID,
                    found: "a negative number",
                },
            ),
        ];
        for (text, expected) in entry_cases {
            let entries = decode(text.as_bytes(), Keep::AsRead).unwrap();
            assert!(entries.usable.is_empty());
            let problem = &entries.unusable[0].problem;
            assert_eq!(*problem, expected, "for {text}");
            assert!(!problem.to_string().contains("SECRET"), "{problem}");
            assert!(!format!("{problem:?}").contains("SECRET"), "{problem:?}");
        }
        assert_eq!(
            decode(b"[\"\xff\"]", Keep::AsRead).unwrap_err(),
            Problem::NotUtf8 { offset: 2 }
        );
    }
}
