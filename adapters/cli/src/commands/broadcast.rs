//! `broadcast`: the validator's broadcast endpoint (SPEC §6) from the command line — verify
//! a PAT, pin its GitHub account, store it.

use pat_verdict::{BroadcastResponse, Hotkey};
use pat_verdict_json_store::JsonStore;
use serde::Serialize;

use crate::args::{BroadcastArgs, Common};
use crate::exit::{Exit, Failure};
use crate::output::{Cell, Palette, Table, Tone};
use crate::{token_source, wiring};

/// Runs `broadcast`.
///
/// # Errors
///
/// [`Failure::Usage`] for an unreadable `--hotkeys`, an unusable `--api-url` or no token
/// variable. Store failures are answers (rejected, retryable: exit 75), not failures.
pub async fn run(common: &Common, args: &BroadcastArgs, palette: Palette) -> Result<Exit, Failure> {
    let validator = wiring::validator(common, &args.store, &args.miner)?;
    let pat = token_source::read(&args.token)?;
    let hotkey = Hotkey::new(args.miner.hotkey.as_str());
    let response = validator.broadcast(&hotkey, &pat).await;
    drop(pat);
    tracing::info!(
        %hotkey,
        accepted = response.accepted,
        retryable = response.retryable,
        "broadcast"
    );
    let text = if common.json {
        super::json_line(&to_json(&response))?
    } else {
        human(&response, &hotkey, validator.store(), palette)
    };
    super::print(&text)?;
    Ok(exit_for(&response))
}

/// 0 accepted, 1 rejected, 75 rejected but retryable (SPEC §8).
#[must_use]
pub const fn exit_for(response: &BroadcastResponse) -> Exit {
    match (response.accepted, response.retryable) {
        (true, _) => Exit::Success,
        (false, true) => Exit::TryLater,
        (false, false) => Exit::Rejected,
    }
}

/// The `--json` object of SPEC §8. The PAT is never part of it.
#[derive(Debug, Serialize)]
pub struct BroadcastJson<'a> {
    accepted: bool,
    rejection_reason: Option<&'a str>,
    retryable: bool,
}

/// The response as [`BroadcastJson`].
#[must_use]
pub fn to_json(response: &BroadcastResponse) -> BroadcastJson<'_> {
    BroadcastJson {
        accepted: response.accepted,
        rejection_reason: response.rejection_reason.as_deref(),
        retryable: response.retryable,
    }
}

/// The result as one word with its tone: `accepted`, `rejected`, `retry later`.
#[must_use]
pub fn outcome(response: &BroadcastResponse) -> Cell {
    match (response.accepted, response.retryable) {
        (true, _) => Cell::new("accepted", Tone::Good),
        (false, true) => Cell::new("retry later", Tone::Warn),
        (false, false) => Cell::new("rejected", Tone::Bad),
    }
}

/// The answer for people.
fn human(
    response: &BroadcastResponse,
    hotkey: &Hotkey,
    store: &JsonStore,
    palette: Palette,
) -> String {
    let mut table = Table::new();
    table.pair("broadcast", outcome(response));
    super::reason_and_context(
        &mut table,
        response.rejection_reason.as_deref(),
        hotkey,
        store,
    );
    table.render(palette)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_spec() {
        assert_eq!(exit_for(&BroadcastResponse::accepted()), Exit::Success);
        assert_eq!(exit_for(&BroadcastResponse::rejected("no")), Exit::Rejected);
        assert_eq!(
            exit_for(&BroadcastResponse::retry_later("later")),
            Exit::TryLater
        );
    }
}
