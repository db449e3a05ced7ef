//! `check`: the validator's check endpoint (docs/contract.md §6) from the command line.

use std::path::Path;

use pat_verdict::{CheckCategory, CheckOutcome, CheckResponse, Hotkey, Unavailable, VerifyReport};

use super::{store_failure, yes_no};
use crate::args::{CheckArgs, Common};
use crate::exit::{Exit, Failure};
use crate::output::{Cell, Palette, Table, Tone};
use crate::{hints, wiring};

/// What people are told besides the miner's answer: the registry checked, and the flag
/// GitHub was reached through.
struct Context<'a> {
    /// `--hotkeys`, as given.
    hotkeys: &'a Path,
    /// How many hotkeys it holds.
    registered: usize,
    /// `--api-url`, for [`hints::annotate`].
    api_url: &'a str,
    /// The store file behind the answer.
    store: &'a Path,
}

/// Runs `check`.
///
/// # Errors
///
/// [`Failure::Usage`] for an unreadable `--hotkeys` or an unusable `--api-url`. A store that
/// cannot be read is not a failure: it is the answer "store unavailable" (exit 75), with the
/// cause for people and as `"detail"` in JSON. A store file that does not exist is an empty
/// store (`no_pat`); people are told the file does not exist yet, and JSON says so as
/// `"detail"`.
pub async fn run(common: &Common, args: &CheckArgs, palette: Palette) -> Result<Exit, Failure> {
    let (validator, registered) = wiring::validator(common, &args.store, &args.miner)?;
    let hotkey = Hotkey::new(args.miner.hotkey.as_str());
    let (outcome, report) = validator.check_with_report(&hotkey).await;
    let category = outcome.category();
    tracing::info!(%hotkey, %category, "checked");
    // A store file that does not exist is an empty store (no_pat): say so, decided from the
    // store's kind of failure, so a typo in --store does not read as "never broadcast".
    let missing = (category == CheckCategory::NoPat)
        .then(|| validator.store().not_created_yet())
        .flatten();
    let text = if common.json {
        let mut response = CheckResponse::from(outcome);
        if response.detail.is_none() {
            response.detail = missing;
        }
        super::json_line(&response)?
    } else {
        let context = Context {
            hotkeys: &args.miner.hotkeys,
            registered,
            api_url: &common.api_url,
            store: validator.store().path(),
        };
        human(
            &outcome,
            report.as_ref(),
            &hotkey,
            &context,
            missing,
            palette,
        )
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

/// Why, for people, beyond the miner's words: the verdict's own reason when GitHub judged
/// the stored PAT, the registry when the hotkey is not in it, what to do about a corrupt store.
fn why(
    outcome: &CheckOutcome,
    report: Option<&VerifyReport>,
    hotkey: &Hotkey,
    context: &Context<'_>,
) -> Option<String> {
    match outcome {
        CheckOutcome::NoResponse => Some(super::not_registered(
            hotkey,
            context.hotkeys,
            context.registered,
        )),
        CheckOutcome::Inconclusive(Unavailable::Store { detail, kind }) => {
            Some(store_failure::detail(detail, *kind))
        }
        CheckOutcome::InvalidPat { .. } | CheckOutcome::Inconclusive(Unavailable::Github(_)) => {
            let report = report?;
            let reason = report.verdict().error()?.to_owned();
            Some(hints::annotate(&reason, report.cause(), context.api_url))
        }
        CheckOutcome::Valid | CheckOutcome::NoPat => None,
    }
}

/// The answer for people.
fn human(
    outcome: &CheckOutcome,
    report: Option<&VerifyReport>,
    hotkey: &Hotkey,
    context: &Context<'_>,
    missing: Option<String>,
    palette: Palette,
) -> String {
    let category = outcome.category();
    let wire = CheckResponse::from(outcome.clone());
    let mut table = Table::new();
    table.pair(
        "category",
        Cell::new(category.as_str(), Tone::of_category(category)),
    );
    // On the wire a store outage is `has_pat: false` (gittensor's shape); for people, "no"
    // would read as "no PAT", which is exactly what we do not know.
    let has_pat = match outcome {
        CheckOutcome::Inconclusive(Unavailable::Store { .. }) => {
            "unknown (store unavailable)".to_owned()
        }
        CheckOutcome::Valid
        | CheckOutcome::NoPat
        | CheckOutcome::InvalidPat { .. }
        | CheckOutcome::Inconclusive(Unavailable::Github(_))
        | CheckOutcome::NoResponse => yes_no(wire.has_pat, "did not look (not registered)"),
    };
    table.pair("has PAT", Cell::plain(has_pat));
    table.pair("PAT valid", Cell::plain(yes_no(wire.pat_valid, "unknown")));
    super::reason_and_context(
        &mut table,
        outcome.rejection_reason(),
        hotkey,
        context.store,
    );
    if let Some(why) = why(outcome, report, hotkey, context) {
        table.pair("why", Cell::new(why, Tone::Warn));
    }
    let mut text = table.render(palette);
    if let Some(missing) = missing {
        text.push_str(&palette.paint(
            &format!(
                "{missing}. Check --store or ${} if you expected one.\n",
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
            kind: pat_verdict::StoreFailureKind::NotAFile,
        });
        assert_eq!(exit_for(outcome.category()), Exit::TryLater);
        let line = serde_json::to_string(&CheckResponse::from(outcome)).expect("serializes");
        assert_eq!(
            line,
            r#"{"has_pat":false,"pat_valid":null,"rejection_reason":"Validator PAT store temporarily unavailable; please retry.","category":"inconclusive","cause":"store_unavailable","detail":"cannot read the PAT store: data/miner_pats.json: Is a directory"}"#
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
