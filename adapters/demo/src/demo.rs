//! The demo: every scenario of docs/contract.md §2–§6 against a fake GitHub on loopback — no
//! network, no token — through the same adapters production uses: the ureq client, the system
//! clock, a `miner_pats.json` in a temporary folder and a hotkey list.
//!
//! Each scenario is one miner whose PAT was stored while GitHub was healthy. GitHub then
//! behaves as the scenario says, and the demo runs `verify`, then `broadcast` (the miner
//! re-sends the same PAT), then `check`, re-arming the scenario's script before each so every
//! command meets the same GitHub. Scenarios run concurrently; the slowest (a stall, three
//! times the deadline) bounds the demo at about 6 s with the default 2 s deadline.
//!
//! The last scenario verifies with `--one-call` (docs/contract.md §11): one GraphQL request
//! where the first scenario needs two.
//!
//! The last line states the point, and it is computed, not printed blindly: in no scenario
//! where GitHub failed was the PAT called invalid, a broadcast rejected for good, or a check
//! answered "invalid" or "no PAT". If that ever stopped being true the demo exits 1.
//!
//! `--json` prints one object per scenario,
//! `{"scenario", "github", "outage", "requests", "verify": {…verify's JSON…},
//! "broadcast": {…broadcast's JSON…}, "check": {…check's JSON…}}`, then a summary
//! `{"scenarios", "outages", "outages_reported_invalid", "elapsed_ms"}`.

use std::time::Duration;

use futures::future::join_all;
use pat_verdict::outage::OutageSettings;
use pat_verdict::store::{SaveOutcome, StoredPat};
use pat_verdict::verification::Plan;
use pat_verdict::{
    BroadcastOutcome, BroadcastResponse, CheckCategory, CheckOutcome, CheckResponse, Clock,
    Endpoint, GithubId, Hotkey, HotkeyList, PatStore, RetryPolicy, SecretString, Uid, UnixTime,
    Validator, VerdictKind, Verifier, VerifyReport, VerifyResponse,
};
use pat_verdict_fake_github::{FakeGithub, Reply};
use pat_verdict_json_store::JsonStore;
use pat_verdict_system_clock::SystemClock;
use pat_verdict_ureq_http::UreqGithub;
use serde::Serialize;
use serde_json::json;

use pat_verdict_cli::args::Common;
use pat_verdict_cli::exit::{Exit, Failure};
use pat_verdict_cli::output::{self, Cell, Palette, Table, Tone};
use pat_verdict_cli::wiring::CliValidator;

/// The demo's deadline unless `--timeout` says otherwise: short, so a stalled GitHub costs
/// seconds, long enough for the 503 burst to show all three attempts (0, 0.5 s, 1.5 s).
pub const DEMO_DEADLINE: Duration = Duration::from_secs(2);

/// The replies `GET /user` and `POST /graphql` play, in that order (with [`Plan::OneCall`],
/// the one `POST /graphql` plays the second).
type Scripts = (Vec<Reply>, Vec<Reply>);

/// One thing GitHub can do, and what the demo expects of the verdict.
struct Scenario {
    /// Short name for the first column.
    name: &'static str,
    /// What GitHub does, in words.
    github: &'static str,
    /// GitHub failed (the PAT itself is fine): the verdict must never be invalid.
    outage: bool,
    /// The scenario's PAT; every scenario has its own, so the fake scripts them apart.
    token: &'static str,
    /// The account behind the PAT.
    id: u64,
    /// Its login.
    login: &'static str,
    /// The scripts for `GET /user` and `POST /graphql`, given the wall clock (for
    /// `x-ratelimit-reset`).
    replies: fn(&Scenario, UnixTime) -> Scripts,
    /// How the miner's PAT is verified: gittensor's two calls, or `--one-call`'s one
    /// (docs/contract.md §11).
    plan: Plan,
}

impl Scenario {
    /// (Re-)arms this scenario's scripts from their first step.
    fn arm(&self, github: &FakeGithub, now: UnixTime) {
        let (identity, graphql) = (self.replies)(self, now);
        github.script(self.token, Endpoint::Identity, identity);
        let graphql_call = match self.plan {
            Plan::TwoCalls => Endpoint::TestQuery,
            Plan::OneCall => Endpoint::OneCall,
        };
        github.script(self.token, graphql_call, graphql);
    }

    fn user(&self) -> Reply {
        Reply::user(self.id, self.login)
    }

    fn viewer(&self) -> Reply {
        Reply::viewer(self.login)
    }
}

/// The scenarios, in the order of the table: the two kinds of evidence first, then every
/// kind of outage.
const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "valid PAT",
        plan: Plan::TwoCalls,
        github: "200 on both calls",
        outage: false,
        token: "ghp_demoValidPat0000000000000000000000",
        id: 5_830_001,
        login: "valid-miner",
        replies: |s, _| {
            let user = s.user().header("x-oauth-scopes", "repo, read:org");
            (vec![user], vec![s.viewer()])
        },
    },
    Scenario {
        name: "revoked PAT",
        plan: Plan::TwoCalls,
        github: "401 Bad credentials",
        outage: false,
        token: "ghp_demoRevokedPat00000000000000000000",
        id: 5_830_002,
        login: "revoked-miner",
        replies: |_, _| {
            let bad = json!({
                "message": "Bad credentials",
                "documentation_url": "https://docs.github.com/rest",
                "status": "401"
            });
            (vec![Reply::json(401, bad)], Vec::new())
        },
    },
    Scenario {
        name: "scope-less fine-grained",
        plan: Plan::TwoCalls,
        github: "200, data.viewer: null",
        outage: false,
        token: "github_pat_11DEMO0000000000000000_noaccess",
        id: 5_830_003,
        login: "fine-grained-miner",
        replies: |s, _| {
            let blind = json!({ "data": { "viewer": null } });
            (vec![s.user()], vec![Reply::json(200, blind)])
        },
    },
    Scenario {
        name: "503 burst",
        plan: Plan::TwoCalls,
        github: "503 on every /graphql",
        outage: true,
        token: "ghp_demo503Burst0000000000000000000000",
        id: 5_830_004,
        login: "burst-miner",
        replies: |s, _| (vec![s.user()], vec![Reply::not_json(503)]),
    },
    Scenario {
        name: "connection reset",
        plan: Plan::TwoCalls,
        github: "TCP reset on every /user",
        outage: true,
        token: "ghp_demoReset000000000000000000000000",
        id: 5_830_005,
        login: "reset-miner",
        replies: |_, _| (vec![Reply::reset()], Vec::new()),
    },
    Scenario {
        name: "stall",
        plan: Plan::TwoCalls,
        github: "/user never answers",
        outage: true,
        token: "ghp_demoStall000000000000000000000000",
        id: 5_830_006,
        login: "stall-miner",
        replies: |_, _| (vec![Reply::stall()], Vec::new()),
    },
    Scenario {
        name: "rate limit",
        plan: Plan::TwoCalls,
        github: "403, ratelimit-remaining: 0",
        outage: true,
        token: "ghp_demoRateLimit00000000000000000000",
        id: 5_830_007,
        login: "limited-miner",
        replies: |_, now| {
            let limited = json!({
                "message": "API rate limit exceeded for user ID 5830007.",
                "documentation_url": "https://docs.github.com/rest/rate-limit"
            });
            let reset = now.plus(Duration::from_secs(1800)).0.to_string();
            let step = Reply::json(403, limited)
                .header("x-ratelimit-limit", "5000")
                .header("x-ratelimit-remaining", "0")
                .header("x-ratelimit-reset", &reset);
            (vec![step], Vec::new())
        },
    },
    Scenario {
        name: "blip",
        plan: Plan::TwoCalls,
        github: "502 once, then 200",
        outage: true,
        token: "ghp_demoBlip0000000000000000000000000",
        id: 5_830_008,
        login: "blip-miner",
        replies: |s, _| (vec![Reply::status(502), s.user()], vec![s.viewer()]),
    },
    Scenario {
        name: "GitHub bug in a 200",
        plan: Plan::TwoCalls,
        github: "200, \"Something went wrong\"",
        outage: true,
        token: "ghp_demoGithubBug00000000000000000000",
        id: 5_830_009,
        login: "bug-miner",
        // GraphQL's executor failing inside a 200, as GitHub answers during incidents
        // (docs/contract.md §2): not evidence, the miner is told to retry.
        replies: |s, _| (vec![s.user()], vec![Reply::github_failure()]),
    },
    Scenario {
        name: "valid PAT, one call",
        plan: Plan::OneCall,
        github: "one /graphql, 200 with id",
        outage: false,
        token: "ghp_demoOneCallPat00000000000000000000",
        id: 5_830_010,
        login: "one-call-miner",
        // `--one-call` (docs/contract.md §11): the viewer's login and databaseId in one
        // answer, pinned by that id; half the requests of "valid PAT".
        replies: |s, _| (Vec::new(), vec![Reply::viewer_with_id(s.login, s.id)]),
    },
];

/// What one scenario produced.
struct Outcome {
    scenario: &'static Scenario,
    verify: VerifyReport,
    broadcast: BroadcastOutcome,
    check: CheckOutcome,
}

impl Outcome {
    /// Whether an outage was presented to the miner as a bad PAT — the defect this project
    /// exists to prevent.
    fn outage_reported_invalid(&self) -> bool {
        self.scenario.outage
            && (self.verify.kind() == VerdictKind::Invalid
                || matches!(self.broadcast, BroadcastOutcome::Rejected { .. })
                || matches!(
                    self.check.category(),
                    CheckCategory::InvalidPat | CheckCategory::NoPat
                ))
    }
}

/// Runs the demo.
///
/// # Errors
///
/// [`Failure::Unavailable`] when the fake GitHub or the temporary store cannot be set up
/// (no loopback socket, no temporary folder).
pub async fn run(common: &Common, palette: Palette) -> Result<Exit, Failure> {
    let clock = SystemClock::new();
    let started = clock.monotonic();
    let github = FakeGithub::start().map_err(|error| {
        Failure::Unavailable(format!(
            "cannot start the fake GitHub on 127.0.0.1: {error}"
        ))
    })?;
    let folder = tempfile::tempdir().map_err(|error| {
        Failure::Unavailable(format!(
            "cannot create a temporary folder for the store: {error}"
        ))
    })?;
    let deadline = common.timeout.unwrap_or(DEMO_DEADLINE);
    let validators = Validators::new(&github, &folder, deadline)?;
    seed(&validators.two_calls, clock.wall()).await?;

    let now = clock.wall();
    let outcomes = join_all(SCENARIOS.iter().zip(0_u32..).map(|(scenario, uid)| {
        let validator = validators.planned(scenario.plan);
        play(scenario, Uid(uid), &github, validator, now)
    }))
    .await;
    let elapsed = clock.monotonic().saturating_sub(started);
    let broken = outcomes
        .iter()
        .filter(|o| o.outage_reported_invalid())
        .count();
    tracing::info!(broken, elapsed_ms = elapsed.as_millis(), "demo finished");

    let text = if common.json {
        json_lines(&outcomes, broken, elapsed)?
    } else {
        human(&outcomes, &github.url(), deadline, broken, elapsed, palette)
    };
    output::print(&text)?;
    Ok(if broken == 0 {
        Exit::Success
    } else {
        Exit::Rejected
    })
}

/// The hotkey of the scenario at `uid`.
fn hotkey(uid: Uid) -> Hotkey {
    Hotkey::new(format!(
        "5DemoMiner{:02}HotkeyXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
        uid.0
    ))
}

/// The production wiring, pointed at the fake and a temporary store: one validator for each
/// plan, over the same store file (its lock orders their writes) and the same verifier's
/// counters.
struct Validators {
    two_calls: CliValidator,
    one_call: CliValidator,
}

impl Validators {
    fn new(
        github: &FakeGithub,
        folder: &tempfile::TempDir,
        deadline: Duration,
    ) -> Result<Self, Failure> {
        let client = UreqGithub::new(&github.url())
            .map_err(|error| Failure::Unavailable(format!("the fake GitHub's URL: {error}")))?;
        let registry = || {
            HotkeyList::new(
                (0..SCENARIOS.len())
                    .filter_map(|uid| u32::try_from(uid).ok())
                    .map(|uid| hotkey(Uid(uid)))
                    .collect(),
            )
        };
        let store = || JsonStore::new(folder.path().join("miner_pats.json"));
        // Each scenario shows its own verdict: with the outage guard on, the outage scenarios
        // would have the others answered at once as inconclusive (docs/contract.md §10).
        let verifier = Verifier::new(
            client,
            SystemClock::new(),
            RetryPolicy::with_deadline(deadline),
        )
        .with_outage(OutageSettings::off());
        Ok(Self {
            two_calls: Validator::new(verifier.clone(), store(), registry()),
            one_call: Validator::new(verifier.with_plan(Plan::OneCall), store(), registry()),
        })
    }

    /// The validator that verifies by `plan`.
    const fn planned(&self, plan: Plan) -> &CliValidator {
        match plan {
            Plan::TwoCalls => &self.two_calls,
            Plan::OneCall => &self.one_call,
        }
    }
}

/// Stores every scenario's PAT as if broadcast a day ago, while GitHub was healthy, so
/// `check` has something to re-validate.
async fn seed(validator: &CliValidator, now: UnixTime) -> Result<(), Failure> {
    let yesterday = UnixTime(now.0.saturating_sub(86_400)).to_iso8601();
    for (scenario, uid) in SCENARIOS.iter().zip(0_u32..) {
        let entry = StoredPat::new(
            Uid(uid),
            hotkey(Uid(uid)),
            SecretString::from(scenario.token),
            GithubId::new(scenario.id.to_string()),
            yesterday.clone(),
        );
        // A broadcast's save: each uid is new to the fresh store, so the pin never refuses.
        let saved = validator
            .store()
            .save_pinned(entry)
            .await
            .map_err(|error| {
                Failure::Unavailable(format!(
                    "cannot seed the demo store: {}",
                    pat_verdict::error_chain(&error)
                ))
            })?;
        if saved != SaveOutcome::Saved {
            return Err(Failure::Unavailable(format!(
                "cannot seed the demo store: the pin refused uid {uid}"
            )));
        }
    }
    Ok(())
}

/// verify, broadcast, check — each against a freshly armed script.
async fn play(
    scenario: &'static Scenario,
    uid: Uid,
    github: &FakeGithub,
    validator: &CliValidator,
    now: UnixTime,
) -> Outcome {
    let pat = SecretString::from(scenario.token);
    let hotkey = hotkey(uid);
    scenario.arm(github, now);
    let verify = validator.verifier().verify(&pat).await;
    scenario.arm(github, now);
    let broadcast = validator.broadcast(&hotkey, &pat).await;
    scenario.arm(github, now);
    let check = validator.check(&hotkey).await;
    tracing::debug!(scenario = scenario.name, verdict = %verify.kind(), "scenario done");
    Outcome {
        scenario,
        verify,
        broadcast,
        check,
    }
}

/// One scenario's line of `demo --json`: the other commands' JSON, nested.
#[derive(Debug, Serialize)]
struct ScenarioJson {
    scenario: &'static str,
    github: &'static str,
    outage: bool,
    requests: u32,
    verify: VerifyResponse,
    broadcast: BroadcastResponse,
    check: CheckResponse,
}

/// The closing line of `demo --json`.
#[derive(Debug, Serialize)]
struct SummaryJson {
    scenarios: usize,
    outages: usize,
    outages_reported_invalid: usize,
    elapsed_ms: u64,
}

/// One JSON object per scenario, then the summary (see the module doc).
fn json_lines(outcomes: &[Outcome], broken: usize, elapsed: Duration) -> Result<String, Failure> {
    let mut text = String::new();
    for outcome in outcomes {
        text.push_str(&output::json_line(&ScenarioJson {
            scenario: outcome.scenario.name,
            github: outcome.scenario.github,
            outage: outcome.scenario.outage,
            requests: outcome.verify.requests(),
            verify: VerifyResponse::from(&outcome.verify),
            broadcast: outcome.broadcast.clone().into(),
            check: outcome.check.clone().into(),
        })?);
    }
    text.push_str(&output::json_line(&SummaryJson {
        scenarios: outcomes.len(),
        outages: outcomes.iter().filter(|o| o.scenario.outage).count(),
        outages_reported_invalid: broken,
        elapsed_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
    })?);
    Ok(text)
}

/// The table for people, the reasons behind each verdict, and the point.
fn human(
    outcomes: &[Outcome],
    url: &str,
    deadline: Duration,
    broken: usize,
    elapsed: Duration,
    palette: Palette,
) -> String {
    let mut text = format!(
        "pat-verdict demo: a fake GitHub on {url} (no network, no token), the real HTTP \
         client, clock and JSON store, a {} deadline.\n\
         Each miner's PAT was stored while GitHub was healthy. Now GitHub does what the second \
         column says, and the miner runs verify, re-broadcasts the same PAT, and checks it.\n\n",
        pat_verdict::format_seconds(deadline)
    );
    let mut table = Table::with_header(&[
        "scenario",
        "GitHub did",
        "requests",
        "verify",
        "broadcast",
        "check",
        "check says",
    ]);
    for outcome in outcomes {
        let kind = outcome.verify.kind();
        let category = outcome.check.category();
        table.row(vec![
            Cell::plain(outcome.scenario.name),
            Cell::plain(outcome.scenario.github),
            Cell::new(outcome.verify.requests().to_string(), Tone::Dim),
            Cell::new(kind.as_str(), Tone::of_verdict(kind)),
            Cell::of_broadcast(&outcome.broadcast),
            Cell::new(category.as_str(), Tone::of_category(category)),
            Cell::plain(outcome.check.rejection_reason().unwrap_or("—")),
        ]);
    }
    text.push_str(&table.render(palette));
    text.push_str("\nWhy (verify's reason):\n");
    let mut reasons = Table::new();
    for outcome in outcomes {
        if let VerifyReport::Stopped { verdict, .. } = &outcome.verify
            && let Some(reason) = verdict.error()
        {
            reasons.row(vec![
                Cell::plain(format!("  {}", outcome.scenario.name)),
                Cell::plain(reason),
            ]);
        }
    }
    text.push_str(&reasons.render(palette));
    let outages = outcomes.iter().filter(|o| o.scenario.outage).count();
    let invalid: Vec<&str> = outcomes
        .iter()
        .filter(|o| o.verify.kind() == VerdictKind::Invalid)
        .map(|o| o.scenario.name)
        .collect();
    text.push('\n');
    let point = if broken == 0 {
        palette.paint(
            &format!(
                "Outages were never reported as invalid: in all {outages} scenarios where GitHub \
                 failed, the verdict was valid or inconclusive and the miner was told to retry, \
                 never to rotate. {}",
                evidence_sentence(&invalid, deadline)
            ),
            Tone::Good,
        )
    } else {
        palette.paint(
            &format!(
                "DEFECT: {broken} of {outages} GitHub outages were reported as an invalid PAT."
            ),
            Tone::Bad,
        )
    };
    text.push_str(&point);
    text.push('\n');
    text.push_str(&palette.paint(&format!("({:.1} s)\n", elapsed.as_secs_f64()), Tone::Dim));
    text
}

/// The closing sentence about the invalid verdicts: which scenarios gave evidence, or — when
/// none did, as with a deadline too short to hear GitHub — says so rather than listing nothing.
fn evidence_sentence(invalid: &[&str], deadline: Duration) -> String {
    if invalid.is_empty() {
        format!(
            "No PAT was judged invalid: nothing gave evidence against one (with a {} deadline, \
             GitHub may not have had time to answer at all).",
            pat_verdict::format_seconds(deadline)
        )
    } else {
        format!("Invalid only on evidence: {}.", invalid.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_evidence_sentence_never_lists_nothing() {
        assert_eq!(
            evidence_sentence(&["revoked PAT", "scope-less"], Duration::from_secs(2)),
            "Invalid only on evidence: revoked PAT, scope-less."
        );
        let none = evidence_sentence(&[], Duration::from_micros(100));
        assert!(none.starts_with("No PAT was judged invalid"), "{none}");
        assert!(none.contains("0.0001 s deadline"), "{none}");
        assert!(!none.contains(": ."), "{none}");
    }

    #[test]
    fn scenario_tokens_are_distinct_and_pass_the_pre_check() {
        let mut tokens: Vec<&str> = SCENARIOS.iter().map(|s| s.token).collect();
        for token in &tokens {
            assert!(pat_verdict::Token::parse(token).is_ok(), "{token}");
        }
        tokens.sort_unstable();
        tokens.dedup();
        assert_eq!(tokens.len(), SCENARIOS.len());
    }
}
