//! What the store holds (SPEC §7) and the identity pin (SPEC §6), as plain data and a pure
//! decision. The stores themselves are adapters behind [`PatStore`](crate::ports::PatStore).

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::verdict::GithubId;

/// A miner's position in the subnet's hotkey list (the registry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Uid(pub u32);

impl fmt::Display for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A miner's hotkey (an SS58 address); compared exactly.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Hotkey(String);

impl Hotkey {
    /// A hotkey from its text.
    pub fn new(hotkey: impl Into<String>) -> Self {
        Self(hotkey.into())
    }

    /// The hotkey as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Hotkey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One entry of `miner_pats.json`: `{"uid", "hotkey", "pat", "github_id", "stored_at"}` plus
/// any keys a newer or older validator wrote, which are kept on rewrite.
///
/// `Debug` shows the PAT as `[REDACTED]`; only serialization writes it (to the store file).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredPat {
    /// The miner's uid; the store holds at most one entry per uid.
    pub uid: Uid,
    /// The hotkey that broadcast this PAT.
    pub hotkey: Hotkey,
    /// The PAT as the miner sent it (after stripping).
    #[serde(serialize_with = "expose_pat")]
    pub pat: SecretString,
    /// The GitHub account the PAT belonged to when stored: the identity pin.
    pub github_id: GithubId,
    /// When it was stored, ISO-8601 UTC; kept as written (older files use other forms).
    #[serde(default)]
    pub stored_at: String,
    /// Keys this version does not know, kept so that a rewrite loses nothing.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
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

fn expose_pat<S: Serializer>(pat: &SecretString, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(pat.expose_secret())
}

/// Whether a save may go ahead, decided from the entry already stored for the uid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinDecision {
    /// No entry, a new miner on the uid (other hotkey), or the same account: save.
    Allow,
    /// The same hotkey is stored with another GitHub account: refuse.
    Locked,
}

/// The identity pin of SPEC §6: a hotkey keeps the GitHub account it first registered; a new
/// hotkey on the uid (a new miner) may register any account.
#[must_use]
pub fn pin_decision(
    existing: Option<&StoredPat>,
    hotkey: &Hotkey,
    github_id: &GithubId,
) -> PinDecision {
    match existing {
        Some(entry) if entry.hotkey == *hotkey && entry.github_id != *github_id => {
            PinDecision::Locked
        }
        Some(_) | None => PinDecision::Allow,
    }
}

/// What a store does with a broadcast's entry, decided under its lock from the entry stored
/// for that uid now: refuse (the pin), or write this entry. When the same hotkey rewrites its
/// entry, keys this version does not know are carried over from the old one (SPEC §7); a new
/// miner on the uid starts clean.
#[must_use]
pub fn plan_save(existing: Option<&StoredPat>, mut entry: StoredPat) -> Option<StoredPat> {
    if pin_decision(existing, &entry.hotkey, &entry.github_id) == PinDecision::Locked {
        return None;
    }
    if let Some(old) = existing.filter(|old| old.hotkey == entry.hotkey) {
        for (key, value) in &old.extra {
            entry
                .extra
                .entry(key.clone())
                .or_insert_with(|| value.clone());
        }
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
