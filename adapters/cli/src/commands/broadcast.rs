//! `broadcast`: the validator's broadcast endpoint (docs/contract.md §6) from the command line — verify
//! a PAT, pin its GitHub account, store it.

use std::path::Path;

use pat_verdict::{AnswerCause, BroadcastOutcome, BroadcastResponse, HandlerCause, Hotkey};

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
    let (validator, registered) = wiring::validator(common, &args.store, &args.miner)?;
    let pat = token_source::read(&args.token)?;
    let hotkey = Hotkey::new(args.miner.hotkey.as_str());
    let existed = std::fs::symlink_metadata(validator.store().path()).is_ok();
    let outcome = validator.broadcast(&hotkey, &pat).await;
    drop(pat);
    let exit = exit_for(&outcome);
    tracing::info!(
        %hotkey,
        accepted = matches!(outcome, BroadcastOutcome::Accepted),
        retryable = matches!(outcome, BroadcastOutcome::RetryLater { .. }),
        "broadcast"
    );
    let text = if common.json {
        super::json_line(&BroadcastResponse::from(outcome))?
    } else {
        let mut text = human(
            &outcome,
            &hotkey,
            validator.store().path(),
            (&args.miner.hotkeys, registered),
            palette,
        );
        // A typo in --store must show: the broadcast went to a file nobody else reads.
        if outcome == BroadcastOutcome::Accepted && !existed && validator.store().path().exists() {
            text.push_str(&palette.paint(
                &format!(
                    "created {} (a new store)\n",
                    crate::output::safe(&validator.store().path().display().to_string())
                ),
                Tone::Warn,
            ));
        }
        text
    };
    super::print(&text)?;
    Ok(exit)
}

/// 0 accepted, 1 rejected, 75 rejected but retryable (docs/contract.md §8).
#[must_use]
pub const fn exit_for(outcome: &BroadcastOutcome) -> Exit {
    match outcome {
        BroadcastOutcome::Accepted => Exit::Success,
        BroadcastOutcome::RetryLater { .. } => Exit::TryLater,
        BroadcastOutcome::Rejected { .. } => Exit::Rejected,
    }
}

/// The answer for people, with a `why` when the miner's words leave out what the operator
/// must do: which registry lacks the hotkey, or that a corrupt store needs fixing.
fn human(
    response: &BroadcastOutcome,
    hotkey: &Hotkey,
    store: &Path,
    (hotkeys, registered): (&Path, usize),
    palette: Palette,
) -> String {
    let mut table = Table::new();
    table.pair("broadcast", Cell::of_broadcast(response));
    let reason = response.rejection_reason();
    super::reason_and_context(&mut table, reason, hotkey, store);
    let why = match response {
        BroadcastOutcome::Rejected {
            cause: AnswerCause::Handler(HandlerCause::NotRegistered),
            ..
        } => Some(super::not_registered(hotkey, hotkeys, registered)),
        BroadcastOutcome::RetryLater {
            store_failure: Some(kind),
            ..
        } => super::store_failure::broadcast_why(*kind, store),
        BroadcastOutcome::Accepted
        | BroadcastOutcome::Rejected { .. }
        | BroadcastOutcome::RetryLater { .. } => None,
    };
    if let Some(why) = why {
        table.pair("why", Cell::new(why, Tone::Warn));
    }
    table.render(palette)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_spec() {
        assert_eq!(exit_for(&BroadcastOutcome::Accepted), Exit::Success);
        assert_eq!(
            exit_for(&BroadcastOutcome::rejected(
                "no",
                HandlerCause::IdentityLocked
            )),
            Exit::Rejected
        );
        assert_eq!(
            exit_for(&BroadcastOutcome::retry_later(
                "later",
                HandlerCause::StoreUnavailable
            )),
            Exit::TryLater
        );
    }
}
