//! `verify`: judge one PAT (docs/contract.md §5 pre-check, identity, test query) and say why.

use std::time::Duration;

use pat_verdict::{Stage, UnixTime, Verdict, VerdictKind, VerifyReport};
use serde::Serialize;

use crate::args::{Common, VerifyArgs};
use crate::exit::{Exit, Failure};
use crate::output::{self, Cell, Palette, Table, Tone};
use crate::token_source;
use crate::wiring;

/// A PAT that expires this soon gets a warning line, so its owner rotates it before scoring
/// stops rather than after.
pub const EXPIRY_WARNING: Duration = Duration::from_secs(7 * 24 * 3600);

/// Runs `verify`.
///
/// # Errors
///
/// [`Failure::Usage`] for an unusable `--api-url` or no token variable.
pub async fn run(common: &Common, args: &VerifyArgs, palette: Palette) -> Result<Exit, Failure> {
    let verifier = wiring::verifier(common)?;
    let raw = token_source::read(&args.token)?;
    let mut report = verifier.verify(&raw).await;
    drop(raw);
    annotate(&mut report, &common.api_url);
    tracing::info!(
        verdict = %report.verdict.kind(),
        stage = report.stage.map(Stage::as_str),
        requests = report.requests,
        "verified"
    );
    let now = pat_verdict::Clock::wall(verifier.clock());
    if common.json {
        super::print(&super::json_line(&to_json(&report))?)?;
    } else {
        super::print(&human(&report, palette))?;
        if let Some(warning) = expiry_warning(&report, now) {
            output::warn_line(&Palette::for_stderr().paint(&warning, Tone::Warn));
        }
    }
    Ok(exit_for(report.verdict.kind()))
}

/// Adds the CLI's [hint](crate::hints::for_reason) about `--api-url` to the verdict's
/// reason, for people and in JSON alike; the verdict itself is unchanged.
fn annotate(report: &mut VerifyReport, api_url: &str) {
    match &mut report.verdict {
        Verdict::Invalid { reason } | Verdict::Inconclusive { reason, .. } => {
            *reason = crate::hints::annotate(reason, api_url);
        }
        Verdict::Valid(()) => {}
    }
}

/// 0 valid, 1 invalid, 75 inconclusive (docs/contract.md §8).
#[must_use]
pub const fn exit_for(kind: VerdictKind) -> Exit {
    match kind {
        VerdictKind::Valid => Exit::Success,
        VerdictKind::Invalid => Exit::Rejected,
        VerdictKind::Inconclusive => Exit::TryLater,
    }
}

/// The `--json` object of docs/contract.md §8, every key always present (`null` when unknown), in the
/// the contract's order.
#[derive(Debug, Serialize)]
pub struct VerifyJson<'a> {
    verdict: &'static str,
    github_id: Option<&'a str>,
    login: Option<&'a str>,
    reason: Option<&'a str>,
    stage: Option<&'static str>,
    retry_after_secs: Option<u64>,
    scopes: Option<&'a [String]>,
    expires_at: Option<String>,
}

/// The report as [`VerifyJson`].
#[must_use]
pub fn to_json(report: &VerifyReport) -> VerifyJson<'_> {
    let identity = report.identity.as_ref();
    VerifyJson {
        verdict: report.verdict.kind().as_str(),
        github_id: identity.map(|identity| identity.github_id.as_str()),
        login: report.login(),
        reason: report.verdict.error(),
        stage: report.stage.map(Stage::as_str),
        retry_after_secs: report.verdict.retry_after().map(whole_seconds),
        scopes: identity.and_then(|identity| identity.token.scopes.as_deref()),
        expires_at: identity
            .and_then(|identity| identity.token.expires_at)
            .map(UnixTime::to_iso8601),
    }
}

/// A wait in whole seconds, rounded up: waiting a fraction too little would hit the limit.
fn whole_seconds(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

/// The report for people: what GitHub said and, when it could not say, that this is not
/// evidence against the PAT.
#[must_use]
pub fn human(report: &VerifyReport, palette: Palette) -> String {
    let kind = report.verdict.kind();
    let mut table = Table::new();
    table.pair("verdict", Cell::new(kind.as_str(), Tone::of_verdict(kind)));
    if let Some(identity) = &report.identity {
        if let Some(login) = report.login() {
            table.pair("login", Cell::plain(login));
        }
        table.pair("github id", Cell::plain(identity.github_id.as_str()));
        if let Some(scopes) = &identity.token.scopes {
            let text = if scopes.is_empty() {
                "none".to_owned()
            } else {
                scopes.join(", ")
            };
            table.pair("scopes", Cell::plain(text));
        }
        if let Some(expires_at) = identity.token.expires_at {
            table.pair("expires", Cell::plain(expires_at.to_iso8601()));
        }
    }
    if let Some(stage) = report.stage {
        table.pair("stage", Cell::plain(stage_words(stage)));
    }
    if let Some(reason) = report.verdict.error() {
        table.pair("reason", Cell::plain(reason));
    }
    if let Some(wait) = report.verdict.retry_after() {
        table.pair(
            "retry after",
            Cell::plain(format!("{} s", whole_seconds(wait))),
        );
    }
    table.pair(
        "requests",
        Cell::new(report.requests.to_string(), Tone::Dim),
    );
    let mut text = table.render(palette);
    match &report.verdict {
        Verdict::Inconclusive { rate_limited, .. } => {
            let why = if *rate_limited {
                "GitHub is rate-limiting these requests"
            } else {
                "GitHub could not answer"
            };
            text.push_str(&palette.paint(
                &format!("{why}: this is not evidence against the PAT. Try again later.\n"),
                Tone::Warn,
            ));
        }
        Verdict::Valid(()) | Verdict::Invalid { .. } => {}
    }
    text
}

/// Where verification stopped, in words.
const fn stage_words(stage: Stage) -> &'static str {
    match stage {
        Stage::Token => "token pre-check (nothing was sent to GitHub)",
        Stage::Identity => "identity (GET /user)",
        Stage::TestQuery => "test query (POST /graphql)",
    }
}

/// The warning for a PAT that expires within [`EXPIRY_WARNING`] of `now`, or has expired.
#[must_use]
pub fn expiry_warning(report: &VerifyReport, now: UnixTime) -> Option<String> {
    let token = &report.identity.as_ref()?.token;
    if !token.expires_within(now, EXPIRY_WARNING) {
        return None;
    }
    let at = token.expires_at?;
    let left = now.until(at);
    Some(if left.is_zero() {
        format!(
            "warning: this PAT expired at {}; rotate it",
            at.to_iso8601()
        )
    } else {
        format!(
            "warning: this PAT expires at {} (in {}); rotate it before it stops working",
            at.to_iso8601(),
            human_duration(left)
        )
    })
}

/// `3 days`, `5 hours`, `12 minutes`: the largest unit that is at least one.
fn human_duration(left: Duration) -> String {
    let secs = left.as_secs();
    let (count, unit) = if secs >= 86_400 {
        (secs / 86_400, "day")
    } else if secs >= 3600 {
        (secs / 3600, "hour")
    } else {
        ((secs / 60).max(1), "minute")
    };
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {unit}{plural}")
}

#[cfg(test)]
mod tests {
    use pat_verdict::{GithubId, Identity, TokenInfo};
    use serde_json::{Value, json};

    use super::*;

    fn value(report: &VerifyReport) -> Value {
        serde_json::to_value(to_json(report)).expect("serializes")
    }

    fn valid_report(expires_at: Option<UnixTime>) -> VerifyReport {
        VerifyReport {
            verdict: Verdict::Valid(()),
            stage: None,
            identity: Some(Identity {
                github_id: GithubId::new("42"),
                login: Some("octocat".to_owned()),
                token: TokenInfo {
                    scopes: Some(vec!["repo".to_owned(), "read:org".to_owned()]),
                    expires_at,
                },
            }),
            viewer: None,
            requests: 2,
        }
    }

    #[test]
    fn json_has_every_key_of_the_spec_in_its_order() {
        let report = valid_report(Some(UnixTime(1_767_366_245)));
        let line = serde_json::to_string(&to_json(&report)).expect("serializes");
        assert!(
            line.starts_with(r#"{"verdict":"valid","github_id":"42","login""#),
            "{line}"
        );
        let value = value(&report);
        let keys: Vec<&str> = value
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = vec![
            "verdict",
            "github_id",
            "login",
            "reason",
            "stage",
            "retry_after_secs",
            "scopes",
            "expires_at",
        ];
        expected.sort_unstable();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(keys, expected);
        assert_eq!(value["expires_at"], "2026-01-02T15:04:05Z");
        assert_eq!(value["scopes"], json!(["repo", "read:org"]));
    }

    #[test]
    fn warns_within_seven_days_only() {
        let now = UnixTime(1_000_000);
        let soon = valid_report(Some(now.plus(Duration::from_secs(3 * 86_400))));
        let warning = expiry_warning(&soon, now).expect("warns");
        assert!(warning.contains("in 3 days"), "{warning}");
        let later = valid_report(Some(now.plus(Duration::from_secs(30 * 86_400))));
        assert_eq!(expiry_warning(&later, now), None);
        assert_eq!(expiry_warning(&valid_report(None), now), None);
        let past = valid_report(Some(UnixTime(10)));
        assert!(
            expiry_warning(&past, now)
                .expect("warns")
                .contains("expired")
        );
    }

    #[test]
    fn inconclusive_says_it_is_not_evidence() {
        let report = VerifyReport {
            verdict: Verdict::Inconclusive {
                reason: "GitHub GraphQL API returned 503".to_owned(),
                retry_after: Some(Duration::from_millis(1500)),
                rate_limited: false,
            },
            stage: Some(Stage::TestQuery),
            identity: None,
            viewer: None,
            requests: 3,
        };
        let text = human(&report, Palette::plain());
        assert!(text.contains("not evidence against the PAT"), "{text}");
        assert!(text.contains("retry after  2 s"), "{text}");
        assert_eq!(value(&report)["retry_after_secs"], 2);
    }
}
