//! `check`: the validator's check endpoint (SPEC §6) from the command line.

use pat_verdict::{CheckCategory, CheckResponse, Hotkey};
use pat_verdict_json_store::JsonStore;
use serde::Serialize;

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
    let response = validator.check(&hotkey).await;
    let category = response.category();
    tracing::info!(%hotkey, %category, "checked");
    let text = if common.json {
        super::json_line(&to_json(&response))?
    } else {
        human(&response, &hotkey, validator.store(), palette)
    };
    super::print(&text)?;
    Ok(exit_for(category))
}

/// 0 valid; 1 invalid PAT, no PAT or not registered; 75 when we could not tell (SPEC §8).
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

/// The `--json` object of SPEC §8: the response's three fields and its category, plus
/// `detail` (why the store is unavailable) only when it is.
#[derive(Debug, Serialize)]
pub struct CheckJson<'a> {
    has_pat: Option<bool>,
    pat_valid: Option<bool>,
    rejection_reason: Option<&'a str>,
    category: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
}

/// The response as [`CheckJson`].
#[must_use]
pub fn to_json(response: &CheckResponse) -> CheckJson<'_> {
    CheckJson {
        has_pat: response.has_pat,
        pat_valid: response.pat_valid,
        rejection_reason: response.rejection_reason.as_deref(),
        category: response.category().as_str(),
        detail: response.detail.as_deref(),
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
fn human(response: &CheckResponse, hotkey: &Hotkey, store: &JsonStore, palette: Palette) -> String {
    let category = response.category();
    let mut table = Table::new();
    table.pair(
        "category",
        Cell::new(category.as_str(), Tone::of_category(category)),
    );
    // On the wire a store outage is `has_pat: false` (the seed's shape); for people, "no"
    // would read as "no PAT", which is exactly what we do not know.
    let has_pat = match (category, response.has_pat) {
        (CheckCategory::Inconclusive, Some(false)) => "unknown (store unavailable)".to_owned(),
        (_, has_pat) => yes_no(has_pat, "did not look (not registered)"),
    };
    table.pair("has PAT", Cell::plain(has_pat));
    table.pair(
        "PAT valid",
        Cell::plain(yes_no(response.pat_valid, "unknown")),
    );
    super::reason_and_context(
        &mut table,
        response.rejection_reason.as_deref(),
        hotkey,
        store,
    );
    if let Some(detail) = response.detail.as_deref() {
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
    fn a_store_outage_is_inconclusive_not_no_pat_and_says_why() {
        let response = CheckResponse::store_unavailable("cannot read the PAT store: x".into());
        assert_eq!(exit_for(response.category()), Exit::TryLater);
        let line = serde_json::to_string(&to_json(&response)).expect("serializes");
        assert_eq!(
            line,
            r#"{"has_pat":false,"pat_valid":null,"rejection_reason":"Validator PAT store temporarily unavailable; please retry.","category":"inconclusive","detail":"cannot read the PAT store: x"}"#
        );
        let line = serde_json::to_string(&to_json(&CheckResponse::no_pat())).expect("json");
        assert!(!line.contains("detail"), "{line}");
    }

    #[test]
    fn no_pat_and_unregistered_exit_one() {
        assert_eq!(exit_for(CheckResponse::no_pat().category()), Exit::Rejected);
        assert_eq!(
            exit_for(CheckResponse::not_registered().category()),
            Exit::Rejected
        );
    }
}
