//! What the store holds (docs/contract.md §7) and the identity pin (docs/contract.md §6), as plain data and a pure
//! decision. The stores themselves are adapters behind [`PatStore`](crate::ports::PatStore).

use secrecy::{ExposeSecret, SecretString};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

use crate::miner::{Hotkey, Uid};
use crate::verdict::GithubId;

/// One entry of `miner_pats.json`: `{"uid", "hotkey", "pat", "github_id", "stored_at"}` plus
/// any keys a newer or older validator wrote, which are kept on rewrite (docs/contract.md §7).
///
/// `Debug` shows the PAT as `[REDACTED]`; only serialization writes it (to the store file).
/// Serialization writes the five known keys, then [`extra`](Self::extra)'s keys, each as the
/// exact JSON text that was read — so a rewrite gives back every byte it did not change.
/// Reading is the store adapter's job (it must describe a bad entry without quoting it).
#[derive(Clone, Debug)]
pub struct StoredPat {
    /// The miner's uid; the store holds at most one entry per uid.
    pub uid: Uid,
    /// The hotkey that broadcast this PAT.
    pub hotkey: Hotkey,
    /// The PAT as the miner sent it (after stripping).
    pub pat: SecretString,
    /// The GitHub account the PAT belonged to when stored: the identity pin. Empty when the
    /// file has none (see [`pins_nothing`](Self::pins_nothing)).
    pub github_id: GithubId,
    /// When it was stored, ISO-8601 UTC; kept as written (older files use other forms).
    /// Empty when the file has none.
    pub stored_at: String,
    /// What the file held beyond these fields, kept so that a rewrite loses nothing.
    pub extra: Extra,
}

impl StoredPat {
    /// A fresh entry, as a broadcast makes it: every known key present, nothing extra.
    #[must_use]
    pub fn new(
        uid: Uid,
        hotkey: Hotkey,
        pat: SecretString,
        github_id: GithubId,
        stored_at: String,
    ) -> Self {
        Self {
            uid,
            hotkey,
            pat,
            github_id,
            stored_at,
            extra: Extra::default(),
        }
    }

    /// Whether this entry pins no GitHub account: its `github_id` is absent, empty or `"0"`,
    /// gittensor's placeholder for "unknown" (docs/contract.md §7). Its miner may register any account.
    #[must_use]
    pub fn pins_nothing(&self) -> bool {
        matches!(self.github_id.as_str(), "" | "0")
    }
}

impl PartialEq for StoredPat {
    fn eq(&self, other: &Self) -> bool {
        self.uid == other.uid
            && self.hotkey == other.hotkey
            && self.pat.expose_secret() == other.pat.expose_secret()
            && self.github_id == other.github_id
            && self.stored_at == other.stored_at
            && self.extra == other.extra
    }
}

/// The keys [`StoredPat`] models itself; any other key of an entry lives in [`Extra`].
pub const KNOWN_KEYS: [&str; 5] = ["uid", "hotkey", "pat", "github_id", "stored_at"];

/// The known keys a file may leave out or write in another form than the model's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionalKey {
    /// `github_id`: absent, `null` or a number in some files.
    GithubId,
    /// `stored_at`: absent in some files.
    StoredAt,
}

/// How a file held an optional key, when not as the model's plain string.
#[derive(Clone, Debug, Default)]
enum AsRead {
    /// As the model holds it (or the entry is new).
    #[default]
    Model,
    /// Absent; the model holds `""`.
    Absent,
    /// This JSON text, which the model holds as `read_as`.
    Raw { read_as: String, raw: Box<RawValue> },
}

impl AsRead {
    /// The original form, if the model still holds what was read from it.
    fn original(&self, model: &str) -> Option<Option<&RawValue>> {
        match self {
            Self::Model => None,
            Self::Absent => model.is_empty().then_some(None),
            Self::Raw { read_as, raw } => (read_as == model).then_some(Some(&**raw)),
        }
    }
}

/// What an entry held beyond [`StoredPat`]'s fields: keys this version does not know, each as
/// its exact JSON text (so `12345678901234567890123` keeps every digit), in the file's order;
/// and how `github_id` and `stored_at` were written when absent or not plain strings, so
/// that an entry nobody changed is written back as it was read (docs/contract.md §7).
#[derive(Clone, Debug, Default)]
pub struct Extra {
    unknown: Vec<(String, Box<RawValue>)>,
    github_id: AsRead,
    stored_at: AsRead,
}

impl Extra {
    /// Keeps `key` with the JSON text `value`, replacing an earlier value (as `json.load`
    /// does with a repeated key). A known key is ignored: the model's field is written.
    pub fn insert(&mut self, key: impl Into<String>, value: Box<RawValue>) {
        let key = key.into();
        if KNOWN_KEYS.contains(&key.as_str()) {
            return;
        }
        match self.unknown.iter_mut().find(|(known, _)| *known == key) {
            Some(slot) => slot.1 = value,
            None => self.unknown.push((key, value)),
        }
    }

    /// The JSON text kept for `key`.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&RawValue> {
        self.unknown
            .iter()
            .find(|(known, _)| known == key)
            .map(|(_, value)| &**value)
    }

    /// The kept keys and their JSON text, in the file's order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &RawValue)> {
        self.unknown
            .iter()
            .map(|(key, value)| (key.as_str(), &**value))
    }

    /// Records that the file had no `key`: the entry is written back without it while the
    /// model's field stays empty.
    pub fn read_absent(&mut self, key: OptionalKey) {
        *self.slot(key) = AsRead::Absent;
    }

    /// Records that the file held `key` as the JSON text `raw`, which the model holds as
    /// `read_as` (`42` as `"42"`, `null` as `""`): written back as `raw` while the model's
    /// field is unchanged.
    pub fn read_raw(&mut self, key: OptionalKey, read_as: impl Into<String>, raw: Box<RawValue>) {
        *self.slot(key) = AsRead::Raw {
            read_as: read_as.into(),
            raw,
        };
    }

    fn slot(&mut self, key: OptionalKey) -> &mut AsRead {
        match key {
            OptionalKey::GithubId => &mut self.github_id,
            OptionalKey::StoredAt => &mut self.stored_at,
        }
    }

    /// Carries `old`'s unknown keys over into `self` (a key `self` has wins).
    fn inherit_unknown(&mut self, old: &Self) {
        for (key, value) in &old.unknown {
            if self.get(key).is_none() {
                self.unknown.push((key.clone(), value.clone()));
            }
        }
    }
}

/// Unknown keys compare by key and exact JSON text; how optional keys were written is a
/// matter of form, not content, and is not compared.
impl PartialEq for Extra {
    fn eq(&self, other: &Self) -> bool {
        self.unknown.len() == other.unknown.len()
            && self
                .unknown
                .iter()
                .zip(&other.unknown)
                .all(|((k1, v1), (k2, v2))| k1 == k2 && v1.get() == v2.get())
    }
}

impl Serialize for StoredPat {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("uid", &self.uid)?;
        map.serialize_entry("hotkey", &self.hotkey)?;
        map.serialize_entry("pat", self.pat.expose_secret())?;
        let optional = [
            ("github_id", &self.extra.github_id, self.github_id.as_str()),
            ("stored_at", &self.extra.stored_at, self.stored_at.as_str()),
        ];
        for (key, as_read, model) in optional {
            match as_read.original(model) {
                Some(None) => {}
                Some(Some(raw)) => map.serialize_entry(key, raw)?,
                None => map.serialize_entry(key, model)?,
            }
        }
        for (key, value) in self.extra.iter() {
            if !KNOWN_KEYS.contains(&key) {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

/// Whether a save may go ahead, decided from the entry already stored for the uid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PinDecision {
    /// No entry, a new miner on the uid (other hotkey), or the same account: save.
    Allow,
    /// The same hotkey is stored with another GitHub account: refuse.
    Locked,
}

/// The identity pin of docs/contract.md §6: a hotkey keeps the GitHub account it first registered; a new
/// hotkey on the uid (a new miner) may register any account, and so may the hotkey of an
/// entry that [pins nothing](StoredPat::pins_nothing) (docs/contract.md §7, as gittensor reads it).
#[must_use]
pub(crate) fn pin_decision(
    existing: Option<&StoredPat>,
    hotkey: &Hotkey,
    github_id: &GithubId,
) -> PinDecision {
    match existing {
        Some(entry)
            if entry.hotkey == *hotkey
                && !entry.pins_nothing()
                && entry.github_id != *github_id =>
        {
            PinDecision::Locked
        }
        Some(_) | None => PinDecision::Allow,
    }
}

/// What a store does with a broadcast's entry, decided under its lock from the entry stored
/// for that uid now: refuse (the pin), or write this entry. When the same hotkey rewrites its
/// entry, keys this version does not know are carried over from the old one (docs/contract.md §7); a new
/// miner on the uid starts clean.
#[must_use]
pub fn plan_save(existing: Option<&StoredPat>, mut entry: StoredPat) -> Option<StoredPat> {
    if pin_decision(existing, &entry.hotkey, &entry.github_id) == PinDecision::Locked {
        return None;
    }
    if let Some(old) = existing.filter(|old| old.hotkey == entry.hotkey) {
        entry.extra.inherit_unknown(&old.extra);
    }
    Some(entry)
}

/// What an atomic pin-check-and-save did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaveOutcome {
    /// The entry was written (inserted or replaced by uid).
    Saved,
    /// The pin refused it; nothing was written.
    IdentityLocked,
}

/// An entry a store holds but cannot use: no integer `uid`, or no string `pat` or `hotkey`
/// (docs/contract.md §7). The store keeps it byte for byte; only its own uid's answers are "store
/// unavailable", and audit shows it as a row of its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnusableEntry {
    /// Its uid, when it has an integer one.
    pub uid: Option<Uid>,
    /// Its hotkey, when it has a string one.
    pub hotkey: Option<Hotkey>,
    /// What is wrong with it, in words that never quote the entry's values (it holds a PAT).
    pub reason: String,
}

impl UnusableEntry {
    /// The reason an audit row gives for it: it is inconclusive, never judged (its PAT, if
    /// any, cannot be trusted to be what the miner sent).
    #[must_use]
    pub fn audit_reason(&self) -> String {
        crate::messages::unusable_entry(&self.reason)
    }
}

/// Everything a store holds, from one read: the entries it can use, in uid order, and the
/// ones it cannot (see [`PatStore::listing`](crate::ports::PatStore::listing)).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Listing {
    /// The usable entries, in uid order (what [`all`](crate::ports::PatStore::all) gives).
    pub entries: Vec<StoredPat>,
    /// The unusable entries, in the file's order.
    pub unusable: Vec<UnusableEntry>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, reason = "tests: a fixed, well-formed input")]

    use super::*;

    fn entry(uid: u32, hotkey: &str, pat: &str, github_id: &str, stored_at: &str) -> StoredPat {
        StoredPat::new(
            Uid(uid),
            Hotkey::new(hotkey),
            SecretString::from(pat),
            GithubId::new(github_id),
            stored_at.to_owned(),
        )
    }

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_owned()).expect("valid JSON")
    }

    /// The audit row of an unusable entry (docs/contract.md §7: inconclusive, "with the
    /// reason"): it says the entry cannot be used and why, in the store's words.
    #[test]
    fn an_unusable_entrys_audit_reason_says_it_cannot_be_used_and_why() {
        let entry = UnusableEntry {
            uid: Some(Uid(2)),
            hotkey: None,
            reason: "entry 1 has no \"hotkey\"".to_owned(),
        };
        assert_eq!(
            entry.audit_reason(),
            "the store entry cannot be used: entry 1 has no \"hotkey\""
        );
    }

    /// Hotkeys and uids print as themselves: they appear in audit rows and messages.
    #[test]
    fn hotkey_and_uid_display_as_their_text() {
        let hotkey = Hotkey::new("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
        assert_eq!(
            hotkey.to_string(),
            "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
        );
        assert_eq!(format!("[{:>4}]", Uid(7)), "[   7]");
        assert_eq!(Uid(4_294_967_295).to_string(), "4294967295");
    }

    /// Equality is what the store contract's tests (`testing::store_contract`) compare read-back
    /// entries with, so it must tell every field apart, the PAT and unknown keys included.
    #[test]
    fn entries_differing_in_any_field_are_not_equal() {
        let base = entry(1, "hk", "ghp_a", "10", "2026-01-01T00:00:00Z");
        assert_eq!(base, base.clone());
        let others = [
            entry(2, "hk", "ghp_a", "10", "2026-01-01T00:00:00Z"),
            entry(1, "hk2", "ghp_a", "10", "2026-01-01T00:00:00Z"),
            entry(1, "hk", "ghp_b", "10", "2026-01-01T00:00:00Z"),
            entry(1, "hk", "ghp_a", "11", "2026-01-01T00:00:00Z"),
            entry(1, "hk", "ghp_a", "10", "2026-01-02T00:00:00Z"),
        ];
        for other in &others {
            assert_ne!(&base, other);
        }
        let mut with_key = base.clone();
        with_key.extra.insert("note", raw("1"));
        assert_ne!(base, with_key);
        assert_ne!(with_key, base);
    }

    /// Unknown keys compare by key and exact JSON text, in order; how an optional key was
    /// written (`42` or `"42"`) is form, not content.
    #[test]
    fn extra_compares_unknown_keys_exactly_and_ignores_the_form_of_optional_keys() {
        let extra = |pairs: &[(&str, &str)]| {
            let mut extra = Extra::default();
            for (key, value) in pairs {
                extra.insert(*key, raw(value));
            }
            extra
        };
        assert_eq!(
            extra(&[("a", "1"), ("b", "2")]),
            extra(&[("a", "1"), ("b", "2")])
        );
        assert_ne!(extra(&[("a", "1")]), extra(&[("a", "1.0")]));
        assert_ne!(extra(&[("a", "1")]), extra(&[("b", "1")]));
        assert_ne!(
            extra(&[("a", "1"), ("b", "2")]),
            extra(&[("b", "2"), ("a", "1")])
        );
        assert_ne!(extra(&[("a", "1")]), extra(&[("a", "1"), ("b", "2")]));

        // How `github_id` was written (`42` or `"42"`) is kept for the rewrite, not compared.
        let as_string = entry(1, "hk", "ghp_x", "42", "t");
        let mut as_number = entry(1, "hk", "ghp_x", "42", "t");
        as_number
            .extra
            .read_raw(OptionalKey::GithubId, "42", raw("42"));
        assert_eq!(as_number, as_string);
    }
}
