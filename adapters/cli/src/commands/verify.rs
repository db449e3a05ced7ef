//! `verify`: judge one PAT (docs/contract.md §5 pre-check, identity, test query) and say why.

use std::time::Duration;

use pat_verdict::{
    AnswerCause, CauseKind, Stage, UnixTime, VerdictKind, VerifyReport, VerifyResponse,
};

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
    let report = verifier.verify(&raw).await;
    drop(raw);
    let response = annotated(&report, &common.api_url);
    tracing::info!(
        verdict = %response.verdict,
        stage = response.stage.map(Stage::as_str),
        requests = response.requests,
        "verified"
    );
    let now = pat_verdict::Clock::wall(verifier.clock());
    if common.json {
        super::print(&super::json_line(&response)?)?;
    } else {
        super::print(&human(&response, palette))?;
        if let Some(warning) = expiry_warning(&report, now) {
            output::warn_line(&Palette::for_stderr().paint(&warning, Tone::Warn));
        }
    }
    Ok(exit_for(response.verdict))
}

/// The report's wire form with the CLI's [hint](crate::hints::for_cause) about `--api-url`
/// added to the verdict's reason, for people and in JSON alike, decided from the verdict's
/// cause; the verdict itself is unchanged.
#[must_use]
pub fn annotated(report: &VerifyReport, api_url: &str) -> VerifyResponse {
    let mut response = VerifyResponse::from(report);
    response.reason = response
        .reason
        .map(|reason| crate::hints::annotate(&reason, report.cause(), api_url));
    response
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

/// The report for people: what GitHub said and, when it could not say, that this is not
/// evidence against the PAT.
#[must_use]
pub fn human(response: &VerifyResponse, palette: Palette) -> String {
    let kind = response.verdict;
    let mut table = Table::new();
    table.pair("verdict", Cell::new(kind.as_str(), Tone::of_verdict(kind)));
    if let Some(github_id) = &response.github_id {
        if let Some(login) = &response.login {
            table.pair("login", Cell::plain(login));
        }
        table.pair("github id", Cell::plain(github_id));
        if let Some(scopes) = &response.scopes {
            let text = if scopes.is_empty() {
                "none".to_owned()
            } else {
                scopes.join(", ")
            };
            table.pair("scopes", Cell::plain(text));
        }
        if let Some(expires_at) = &response.expires_at {
            table.pair("expires", Cell::plain(expires_at));
        }
    }
    if let Some(stage) = response.stage {
        table.pair("stage", Cell::plain(stage_words(stage)));
    }
    if let Some(reason) = &response.reason {
        table.pair("reason", Cell::plain(reason));
    }
    if let Some(wait) = response.retry_after_secs() {
        table.pair("retry after", Cell::plain(format!("{wait} s")));
    }
    table.pair(
        "requests",
        Cell::new(response.requests.to_string(), Tone::Dim),
    );
    let mut text = table.render(palette);
    if kind == VerdictKind::Inconclusive {
        text.push_str(&palette.paint(not_evidence(response.cause), Tone::Warn));
    }
    text
}

/// The line that closes an inconclusive verdict for people, from its cause: never evidence
/// against the PAT, and what to do — wait for GitHub, or, when the request itself was
/// refused, fix the request (retrying a wrong `--api-url` fails the same way).
const fn not_evidence(cause: AnswerCause) -> &'static str {
    match cause {
        AnswerCause::Verdict(CauseKind::RateLimited) => {
            "GitHub is rate-limiting these requests: this is not evidence against the PAT. \
             Try again later.\n"
        }
        AnswerCause::Verdict(CauseKind::RequestRefused) => {
            "GitHub refused the request, not the PAT: this is not evidence against the PAT. \
             Check --api-url (and any proxy) before trying again.\n"
        }
        AnswerCause::Verdict(_) | AnswerCause::Handler(_) => {
            "GitHub could not answer: this is not evidence against the PAT. Try again later.\n"
        }
    }
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
    let token = &report.identity()?.token;
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
    use pat_verdict::{Cause, Endpoint, GithubId, Identity, TokenInfo, Verdict, Viewer};
    use serde_json::{Value, json};

    use super::*;

    fn value(report: &VerifyReport) -> Value {
        serde_json::to_value(VerifyResponse::from(report)).expect("serializes")
    }

    fn valid_report(expires_at: Option<UnixTime>) -> VerifyReport {
        VerifyReport::Valid {
            identity: Identity {
                github_id: GithubId::new("42"),
                login: Some("octocat".to_owned()),
                token: TokenInfo {
                    scopes: Some(vec!["repo".to_owned(), "read:org".to_owned()]),
                    expires_at,
                },
            },
            viewer: Viewer::default(),
            requests: 2,
        }
    }

    #[test]
    fn json_has_every_key_of_the_spec_in_its_order() {
        let report = valid_report(Some(UnixTime(1_767_366_245)));
        let line = serde_json::to_string(&VerifyResponse::from(&report)).expect("serializes");
        assert!(
            line.starts_with(r#"{"verdict":"valid","github_id":"42","login""#),
            "{line}"
        );
        // `cause` (added 2026-12-07) comes last: keys are only ever added at the end.
        assert!(line.ends_with(r#","cause":"ok"}"#), "{line}");
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
            "cause",
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

    /// A verification stopped at `stage` after `requests` requests with an inconclusive
    /// `cause`: its human text and its JSON line.
    fn stopped(
        cause: Cause,
        wait: Option<Duration>,
        stage: Stage,
        requests: u32,
    ) -> (String, Value) {
        let report = VerifyReport::Stopped {
            verdict: Verdict::because(cause, wait),
            stage,
            identity: None,
            requests,
        };
        (
            human(&VerifyResponse::from(&report), Palette::plain()),
            value(&report),
        )
    }

    #[test]
    fn inconclusive_says_it_is_not_evidence() {
        let down = Cause::GithubDown {
            endpoint: Endpoint::TestQuery,
            status: 503,
        };
        let (text, json) = stopped(down, Some(Duration::from_millis(1500)), Stage::TestQuery, 3);
        assert!(text.contains("not evidence against the PAT"), "{text}");
        assert!(text.contains("retry after  2 s"), "{text}");
        assert!(text.contains("Try again later"), "{text}");
        assert_eq!(json["retry_after_secs"], 2);
        assert_eq!(json["cause"], "github_down");

        // A refused request: not evidence either, but waiting will not fix the request.
        let refused = Cause::RequestRefused {
            endpoint: Endpoint::Identity,
            status: 404,
            why: pat_verdict::WhyRefused::Route,
        };
        let (text, json) = stopped(refused, None, Stage::Identity, 1);
        assert!(text.contains("not evidence against the PAT"), "{text}");
        assert!(text.contains("Check --api-url"), "{text}");
        assert!(!text.contains("Try again later"), "{text}");
        assert_eq!(json["cause"], "request_refused");
    }
}
