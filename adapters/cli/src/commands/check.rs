//! `check`: the validator's check endpoint (docs/contract.md §6) from the command line.

use pat_verdict::{CheckCategory, CheckOutcome, CheckResponse, Hotkey, Unavailable};
use pat_verdict_json_store::JsonStore;

use super::yes_no;
use crate::args::{CheckArgs, Common};
use crate::exit::{Exit, Failure};
use crate::output::{Cell, Palette, Table, Tone};
use crate::wiring;

/// Runs `check`.
///
/// # Errors
///
/// [`Failure::Usage`] for an unreadable `--hotkeys` or an unusable `--api-url`. A store that
/// cannot be read is not a failure: it is the answer "store unavailable" (exit 75), with the
/// cause for people and as `"detail"` in JSON. A store file that does not exist is an empty
/// store (`no_pat`); people are told the file does not exist yet.
pub async fn run(common: &Common, args: &CheckArgs, palette: Palette) -> Result<Exit, Failure> {
    let validator = wiring::validator(common, &args.store, &args.miner)?;
    let hotkey = Hotkey::new(args.miner.hotkey.as_str());
    let outcome = validator.check(&hotkey).await;
    let category = outcome.category();
    tracing::info!(%hotkey, %category, "checked");
    let text = if common.json {
        super::json_line(&CheckResponse::from(outcome))?
    } else {
        human(&outcome, &hotkey, validator.store(), palette)
    };
    super::print(&text)?;
    Ok(exit_for(category))
}

/// 0 valid; 1 invalid PAT, no PAT or not registered; 75 when we could not tell (docs/contract.md §8).
#[must_use]
pub const fn exit_for(category: CheckCategory) -> Exit {
    match category {
        CheckCategory::Valid => Exit::Success,
        CheckCategory::NoPat | CheckCategory::InvalidPat | CheckCategory::NoResponse => {
            Exit::Rejected
        }
        CheckCategory::Inconclusive => Exit::TryLater,
    }
}

/// Whether the store file does not exist (as opposed to exists, or cannot be looked at).
fn store_file_missing(store: &JsonStore) -> bool {
    matches!(
        std::fs::metadata(store.path()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound
    )
}

/// The answer for people.
fn human(outcome: &CheckOutcome, hotkey: &Hotkey, store: &JsonStore, palette: Palette) -> String {
    let category = outcome.category();
    let wire = CheckResponse::from(outcome.clone());
    let mut table = Table::new();
    table.pair(
        "category",
        Cell::new(category.as_str(), Tone::of_category(category)),
    );
    // On the wire a store outage is `has_pat: false` (the seed's shape); for people, "no"
    // would read as "no PAT", which is exactly what we do not know.
    let has_pat = match outcome {
        CheckOutcome::Inconclusive(Unavailable::Store { .. }) => {
            "unknown (store unavailable)".to_owned()
        }
        CheckOutcome::Valid
        | CheckOutcome::NoPat
        | CheckOutcome::InvalidPat(_)
        | CheckOutcome::Inconclusive(Unavailable::Github)
        | CheckOutcome::NoResponse => yes_no(wire.has_pat, "did not look (not registered)"),
    };
    table.pair("has PAT", Cell::plain(has_pat));
    table.pair("PAT valid", Cell::plain(yes_no(wire.pat_valid, "unknown")));
    super::reason_and_context(&mut table, outcome.rejection_reason(), hotkey, store);
    if let Some(detail) = wire.detail.as_deref() {
        table.pair("why", Cell::new(detail, Tone::Warn));
    }
    let mut text = table.render(palette);
    if category == CheckCategory::NoPat && store_file_missing(store) {
        text.push_str(&palette.paint(
            &format!(
                "{} does not exist yet: no PAT has been stored (a broadcast creates it). \
                 Check --store or ${} if you expected one.\n",
                store.path().display(),
                pat_verdict_json_store::ENV_VAR,
            ),
            Tone::Warn,
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_outage_is_inconclusive_not_no_pat() {
        let outcome = CheckOutcome::Inconclusive(Unavailable::Store {
            detail: "cannot read the PAT store: data/miner_pats.json: Is a directory".into(),
        });
        assert_eq!(exit_for(outcome.category()), Exit::TryLater);
        let line = serde_json::to_string(&CheckResponse::from(outcome)).expect("serializes");
        assert_eq!(
            line,
            r#"{"has_pat":false,"pat_valid":null,"rejection_reason":"Validator PAT store temporarily unavailable; please retry.","category":"inconclusive","detail":"cannot read the PAT store: data/miner_pats.json: Is a directory"}"#
        );
        let line = serde_json::to_string(&CheckResponse::from(CheckOutcome::NoPat)).expect("json");
        assert!(!line.contains("detail"), "{line}");
    }

    #[test]
    fn no_pat_and_unregistered_exit_one() {
        assert_eq!(exit_for(CheckOutcome::NoPat.category()), Exit::Rejected);
        assert_eq!(
            exit_for(CheckOutcome::NoResponse.category()),
            Exit::Rejected
        );
    }
}
