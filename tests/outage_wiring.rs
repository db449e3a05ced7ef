//! The outage guard and the counters as the driver runs them (docs/contract.md §10): one
//! guard per `Verifier`, consulted before every request, told every answer; one set of
//! counters, every series from zero. The guard's own rules are property-tested in
//! `outage_guard.rs`; this is the wiring.

use std::sync::Arc;
use std::time::Duration;

use pat_verdict::outage::OutageSettings;
use pat_verdict::outage::short_circuit_reason;
use pat_verdict::testing::{ManualClock, Reply, ScriptedGithub};
use pat_verdict::{
    CauseKind, Endpoint, RetryPolicy, SecretString, Stage, Verdict, VerdictKind, Verifier,
};

const WALL: pat_verdict::UnixTime = pat_verdict::UnixTime(1_767_225_600); // 2026-01-01T00:00:00Z

/// The clock, the scripted GitHub and a verifier over them (with `settings`, else the
/// default guard).
type World = (
    Arc<ManualClock>,
    Arc<ScriptedGithub>,
    Verifier<Arc<ScriptedGithub>, Arc<ManualClock>>,
);

fn verifier(settings: Option<OutageSettings>) -> World {
    let clock = Arc::new(ManualClock::new(WALL));
    let github = Arc::new(ScriptedGithub::new(Some(clock.clone())));
    let verifier = Verifier::new(github.clone(), clock.clone(), RetryPolicy::default());
    let verifier = match settings {
        Some(settings) => verifier.with_outage(settings),
        None => verifier,
    };
    (clock, github, verifier)
}

fn token(n: usize) -> String {
    format!("ghp_outage_{n:03}")
}

/// A GitHub answering 503 to everything: the default guard (threshold 6) opens when the
/// sixth miner's token fails (each token counts once, however many attempts it took), every
/// later verification is Inconclusive at once with G1 and no request, and the counters say so.
#[tokio::test]
async fn an_outage_is_noticed_once_and_answered_at_once() {
    let (_clock, github, verifier) = verifier(None);
    for n in 0..40 {
        github.on(&token(n), Endpoint::Identity, [Reply::status(503)]);
    }
    let mut reports = Vec::new();
    for n in 0..40 {
        reports.push(verifier.verify(&SecretString::from(token(n))).await);
    }
    // Five tokens spend their three attempts; the sixth token's first failure opens the guard
    // and its retry is answered at once; nothing after it is sent.
    assert_eq!(github.requests(Endpoint::Identity), 16);
    assert!(reports[..5].iter().all(|report| report.requests() == 3));
    assert_eq!(reports[5].requests(), 1);
    assert!(
        reports
            .iter()
            .all(|report| report.kind() == VerdictKind::Inconclusive)
    );
    assert!(
        reports
            .iter()
            .all(|report| report.stage() == Some(Stage::Identity))
    );
    let state = verifier.outage().expect("open");
    assert_eq!(state.failures, 6);
    // Opened after the verifications' backoff, for the 30 s cool-down.
    assert_eq!(state.retry_at.0 - state.opened_at.0, 30);
    let g1 = short_circuit_reason(6, state.retry_at);
    assert!(
        g1.starts_with(
            "GitHub API unavailable: 6 requests in a row failed; not asking again before 00:00:3"
        ),
        "{g1}"
    );
    for report in &reports[5..] {
        assert_eq!(report.verdict().error(), Some(g1.as_str()), "{report:?}");
    }
    for report in &reports[6..] {
        assert_eq!(report.requests(), 0, "{report:?}");
    }
    let counters = verifier.counters();
    assert_eq!(counters.verdicts(CauseKind::GithubDown), 5);
    assert_eq!(counters.verdicts(CauseKind::ShortCircuited), 35);
    assert_eq!(counters.requests_sent(), 16);
    assert_eq!(counters.guard_opened(), 1);
    let text = verifier.metrics_text();
    for line in [
        "pat_verdict_outage_guard_open 1\n",
        "pat_verdict_outage_guard_opened_total 1\n",
        "pat_verdict_verdicts_total{verdict=\"inconclusive\",cause=\"short_circuited\"} 35\n",
        "pat_verdict_github_requests_total{endpoint=\"user\",outcome=\"5xx\"} 16\n",
        "pat_verdict_github_requests_total{endpoint=\"graphql\",outcome=\"2xx\"} 0\n",
        "pat_verdict_github_request_seconds_count{endpoint=\"user\"} 16\n",
    ] {
        assert!(text.contains(line), "{line} missing from:\n{text}");
    }
}

/// After the cool-down exactly one request goes, as the probe; GitHub answering again closes
/// the guard and the verifications after it are judged as usual.
#[tokio::test]
async fn after_the_cool_down_one_probe_closes_the_guard() {
    let settings = OutageSettings::new(2, Duration::from_secs(30)).expect("valid settings");
    let (clock, github, verifier) = verifier(Some(settings));
    for down in ["ghp_down_1", "ghp_down_2"] {
        github.on(down, Endpoint::Identity, [Reply::status(502)]);
        let report = verifier.verify(&SecretString::from(down)).await;
        assert_eq!(report.kind(), VerdictKind::Inconclusive);
    }
    assert!(
        verifier.outage().is_some(),
        "two tokens failing open a guard of threshold 2"
    );
    let sent = github.requests(Endpoint::Identity);

    // GitHub recovers; before the cool-down is over nothing is asked.
    github.valid("ghp_back", 7, "octocat");
    let early = verifier.verify(&SecretString::from("ghp_back")).await;
    assert_eq!(early.kind(), VerdictKind::Inconclusive);
    assert_eq!(early.requests(), 0);
    assert_eq!(github.requests(Endpoint::Identity), sent);

    clock.advance(Duration::from_secs(31));
    let probed = verifier.verify(&SecretString::from("ghp_back")).await;
    assert_eq!(probed.verdict(), Verdict::Valid(()), "{probed:?}");
    assert_eq!(github.requests(Endpoint::Identity), sent + 1, "one probe");
    assert_eq!(
        verifier.outage(),
        None,
        "the probe's valid answer closed it"
    );
    let after = verifier.verify(&SecretString::from("ghp_back")).await;
    assert_eq!(after.verdict(), Verdict::Valid(()));
    assert!(
        verifier
            .metrics_text()
            .contains("pat_verdict_outage_guard_open 0\n")
    );
}

/// One miner's token, however often it fails, is one failure: a token sent again and again
/// into answers that look like GitHub failing (a hostile miner's broadcasts) leaves the guard
/// closed for every other miner (docs/contract.md §10, added 2026-12-07).
#[tokio::test]
async fn one_token_failing_again_and_again_never_opens_the_guard() {
    let settings = OutageSettings::new(2, Duration::from_secs(30)).expect("valid settings");
    let (_clock, github, verifier) = verifier(Some(settings));
    github.on("ghp_hostile", Endpoint::Identity, [Reply::status(502)]);
    for _ in 0..20 {
        let report = verifier.verify(&SecretString::from("ghp_hostile")).await;
        assert_eq!(report.requests(), 3, "{report:?}");
    }
    assert_eq!(verifier.outage(), None);
    // An honest miner is judged as usual.
    github.valid("ghp_honest", 7, "octocat");
    let honest = verifier.verify(&SecretString::from("ghp_honest")).await;
    assert_eq!(honest.verdict(), Verdict::Valid(()));
    assert_eq!(verifier.counters().guard_opened(), 0);
}

/// Rate limits are about one token: eight tokens rate limited one after another (more than
/// the threshold) never open the guard, and every request goes.
#[tokio::test]
async fn rate_limited_tokens_do_not_open_the_guard() {
    let (_clock, github, verifier) = verifier(None);
    let limited = Reply::status(429).header("retry-after", "0");
    for n in 0..8 {
        github.on(&token(n), Endpoint::Identity, [limited.clone()]);
    }
    let mut sent = 0;
    for n in 0..8 {
        let report = verifier.verify(&SecretString::from(token(n))).await;
        assert_eq!(report.kind(), VerdictKind::Inconclusive);
        assert!(report.verdict().rate_limited(), "{report:?}");
        sent += report.requests();
        assert_eq!(verifier.outage(), None, "after token {n}");
    }
    assert_eq!(
        u64::from(sent),
        verifier.counters().requests_sent(),
        "every attempt was sent"
    );
    assert!(sent >= 8);
    assert_eq!(verifier.counters().verdicts(CauseKind::RateLimited), 8);
}

/// Turned off, the guard never answers for GitHub: every verification spends its attempts.
#[tokio::test]
async fn a_guard_turned_off_sends_every_request() {
    let (_clock, github, verifier) = verifier(Some(OutageSettings::off()));
    for n in 0..5 {
        github.on(&token(n), Endpoint::Identity, [Reply::status(503)]);
        let report = verifier.verify(&SecretString::from(token(n))).await;
        assert_eq!(report.requests(), 3);
    }
    assert_eq!(github.requests(Endpoint::Identity), 15);
    assert_eq!(verifier.outage(), None);
}

/// Every series is present at zero before anything happened, each family typed and helped.
#[tokio::test]
async fn every_series_starts_at_zero() {
    let (_clock, _github, verifier) = verifier(None);
    let text = verifier.metrics_text();
    let samples: Vec<&str> = text.lines().filter(|line| !line.starts_with('#')).collect();
    // 16 causes + 2 × 5 outcomes + 2 × (9 buckets + sum + count) + 2 guard lines + 5 + 3 answers.
    assert_eq!(samples.len(), 16 + 10 + 22 + 2 + 8, "{text}");
    assert!(samples.iter().all(|line| line.ends_with(" 0")), "{text}");
    for family in [
        "pat_verdict_verdicts_total counter",
        "pat_verdict_github_requests_total counter",
        "pat_verdict_github_request_seconds histogram",
        "pat_verdict_outage_guard_open gauge",
        "pat_verdict_outage_guard_opened_total counter",
        "pat_verdict_handler_answers_total counter",
    ] {
        assert!(text.contains(&format!("# TYPE {family}\n")), "{family}");
    }
    let json = verifier.metrics_json();
    assert_eq!(json["verdicts"]["inconclusive"]["short_circuited"], 0);
    assert_eq!(json["github_request_seconds"]["user"]["buckets"]["+Inf"], 0);
}
