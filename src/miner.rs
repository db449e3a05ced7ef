//! Who a miner is to a validator: its position in the subnet ([`Uid`]) and its key
//! ([`Hotkey`]). The registry maps one to the other, the store keys entries by them, and the
//! messages name them; none of those modules owns them.

use std::fmt;

use serde::{Deserialize, Serialize};

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

crate::text_id::text_id!(Hotkey, "hotkey");
