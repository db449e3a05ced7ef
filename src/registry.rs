//! A concrete registry: the subnet's hotkeys as a list whose index is the uid, as the CLI's
//! `--hotkeys` file and a host's metagraph give it.

use crate::miner::{Hotkey, Uid};
use crate::ports::Registry;

/// The registry as the CLI has it: a list of hotkeys where the index is the uid.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HotkeyList(Vec<Hotkey>);

impl HotkeyList {
    /// A registry from hotkeys in uid order.
    #[must_use]
    pub fn new(hotkeys: Vec<Hotkey>) -> Self {
        Self(hotkeys)
    }
}

impl Registry for HotkeyList {
    fn uid_of(&self, hotkey: &Hotkey) -> Option<Uid> {
        let index = self.0.iter().position(|known| known == hotkey)?;
        u32::try_from(index).ok().map(Uid)
    }
}
