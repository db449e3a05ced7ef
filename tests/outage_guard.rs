//! docs/contract.md §10, the outage guard, driven by hand with any sequence of requests,
//! answers, forgotten probes and times (forwards, repeated and backwards): no
//! request goes while the guard is open except the one probe per cool-down; it opens exactly
//! at `threshold` consecutive GitHub-side failures; the first answer that is not a GitHub-side
//! failure closes it; rate limits never count; threshold 0 never opens; the cool-down honours a
//! longer `retry-after`, doubles after a failed probe and never exceeds 600 s; a lost probe
//! does not wedge it. No clock, no sleeping.
//!
//! The model here is written from docs/contract.md §10 (and the choices its "silent" list
//! records), not from `src/`: every step compares the guard with it, so a disagreement fails.

#![allow(
    clippy::expect_used,
    reason = "test helpers: settings and instants built from in-range constants cannot fail"
)]

mod common;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use common::config;
use pat_verdict::outage::{
    GuardChange, GuardOutcome, OutageGuard, PROBE_GRACE, Permit, ProbeTicket, TokenId,
};
use pat_verdict::outage::{MAX_OUTAGE_COOLDOWN, OutageSettings};
use pat_verdict::{Cause, CauseKind, Endpoint, RateLimit, UnixTime, Verdict};
use proptest::prelude::*;

/// Monotonic zero is this wall time: 2026-01-01T00:00:00Z.
const WALL0: i64 = 1_767_225_600;

/// The wall clock a consistent host reads at monotonic `now` (to the second).
fn wall(now: Duration) -> UnixTime {
    UnixTime(WALL0 + i64::try_from(now.as_secs()).expect("a test time fits an i64"))
}

const TIMEOUT: Duration = Duration::from_secs(12);

fn failure() -> GuardOutcome {
    GuardOutcome::GithubSideFailure { retry_after: None }
}

fn failure_after(secs: u64) -> GuardOutcome {
    GuardOutcome::GithubSideFailure {
        retry_after: Some(Duration::from_secs(secs)),
    }
}

/// A token id no other answer of the test used: "n failures in a row" in the hand-driven
/// tests are n miners' tokens failing, each once.
fn fresh_token() -> TokenId {
    static NEXT: AtomicU64 = AtomicU64::new(1 << 32);
    TokenId::from_raw(NEXT.fetch_add(1, Ordering::Relaxed))
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// A permit by kind, without its ticket or reason: what the hand-driven tests expect of a
/// request, each in one line.
#[derive(Debug, PartialEq, Eq)]
enum Granted {
    Go,
    Probe,
    ShortCircuit,
}

/// What the guard grants a request at `at` seconds with the usual [`TIMEOUT`] (a probe's
/// ticket is dropped, as a test that only asks whether it may probe drops it).
fn permit_at(guard: &mut OutageGuard, at: u64) -> Granted {
    match guard.before_request(secs(at), TIMEOUT) {
        Permit::Go => Granted::Go,
        Permit::Probe(_) => Granted::Probe,
        Permit::ShortCircuit(_) => Granted::ShortCircuit,
    }
}

/// The ticket of the probe the guard must grant a request at `at` seconds with `timeout`;
/// any other permit fails the test, saying `why` and what was granted instead.
fn probe_at(guard: &mut OutageGuard, at: u64, timeout: Duration, why: &str) -> ProbeTicket {
    match guard.before_request(secs(at), timeout) {
        Permit::Probe(ticket) => ticket,
        other @ (Permit::Go | Permit::ShortCircuit(_)) => panic!("{why}: {other:?}"),
    }
}

/// `outcome` recorded at `at` seconds, by a host whose wall clock agrees ([`wall`]).
fn record_at(guard: &mut OutageGuard, outcome: GuardOutcome, at: u64) -> GuardChange {
    guard.record(outcome, fresh_token(), secs(at), wall(secs(at)))
}

/// The probe `ticket`'s answer `outcome`, recorded at `at` seconds as [`record_at`] does.
fn answer_probe(
    guard: &mut OutageGuard,
    ticket: ProbeTicket,
    outcome: GuardOutcome,
    at: u64,
) -> GuardChange {
    guard.record_probe(ticket, outcome, fresh_token(), secs(at), wall(secs(at)))
}

fn settings(threshold: u32, cooldown_secs: u64) -> OutageSettings {
    OutageSettings::new(threshold, secs(cooldown_secs)).expect("a cool-down in range")
}

// ---- the model (docs/contract.md §10) ----

/// An open guard, as the contract describes it.
#[derive(Clone, Debug)]
struct ModelOutage {
    /// The cool-down in force: doubled after a failed probe.
    cooldown: Duration,
    /// The earliest monotonic time the probe may go.
    retry_at: Duration,
    /// The probe in flight: its number and when it is presumed lost.
    probe: Option<(u64, Duration)>,
}

#[derive(Clone, Debug)]
struct Model {
    threshold: u32,
    cooldown: Duration,
    /// The latest time seen: an older reading counts as this one.
    latest: Duration,
    /// The tokens whose GitHub-side failure is in the count of consecutive failures: at most
    /// one failure per token counts (added 2026-12-07).
    counted: BTreeSet<u64>,
    open: Option<ModelOutage>,
    probes: u64,
}

/// What the model expects of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Go,
    Probe(u64),
    ShortCircuit,
}

impl Model {
    fn new(settings: OutageSettings) -> Self {
        Self {
            threshold: settings.threshold(),
            cooldown: settings.cooldown(),
            latest: Duration::ZERO,
            counted: BTreeSet::new(),
            open: None,
            probes: 0,
        }
    }

    fn tick(&mut self, now: Duration) -> Duration {
        self.latest = self.latest.max(now);
        self.latest
    }

    /// The cool-down: `base`, or a longer retry-after, at most 600 s.
    fn cool(base: Duration, retry_after: Option<Duration>) -> Duration {
        base.max(retry_after.unwrap_or_default())
            .min(Duration::from_secs(600))
    }

    fn request(&mut self, now: Duration, timeout: Duration) -> Expect {
        let now = self.tick(now);
        let Some(outage) = &mut self.open else {
            return Expect::Go;
        };
        let may_probe = match outage.probe {
            None => now >= outage.retry_at,
            Some((_, lease_until)) => now >= lease_until,
        };
        if !may_probe {
            return Expect::ShortCircuit;
        }
        self.probes += 1;
        let lease = timeout
            .saturating_add(PROBE_GRACE)
            .min(Duration::from_secs(600));
        outage.probe = Some((self.probes, now + lease));
        Expect::Probe(self.probes)
    }

    /// Consecutive GitHub-side failures counted, one per token.
    fn failures(&self) -> u32 {
        u32::try_from(self.counted.len()).expect("a test counts few tokens")
    }

    /// The answer to a request for `token`; `probe` is the model number of its probe, if it
    /// was one.
    fn answer(
        &mut self,
        probe: Option<u64>,
        token: u64,
        outcome: GuardOutcome,
        now: Duration,
    ) -> GuardChange {
        let now = self.tick(now);
        if self.threshold == 0 {
            return GuardChange::Unchanged;
        }
        let Some(outage) = &mut self.open else {
            match outcome {
                GuardOutcome::GithubSideFailure { retry_after } => {
                    let new = self.counted.insert(token);
                    if new && self.failures() >= self.threshold {
                        let cooldown = Self::cool(self.cooldown, retry_after);
                        self.open = Some(ModelOutage {
                            cooldown,
                            retry_at: now + cooldown,
                            probe: None,
                        });
                        return GuardChange::Opened;
                    }
                }
                GuardOutcome::RateLimited => {}
                GuardOutcome::Evidence => self.counted.clear(),
            }
            return GuardChange::Unchanged;
        };
        let current = probe.is_some() && outage.probe.map(|(id, _)| id) == probe;
        match outcome {
            GuardOutcome::GithubSideFailure { retry_after } if current => {
                self.counted.insert(token);
                outage.cooldown = Self::cool(outage.cooldown * 2, retry_after);
                outage.retry_at = now + outage.cooldown;
                outage.probe = None;
                GuardChange::Reopened
            }
            GuardOutcome::GithubSideFailure { retry_after } => {
                self.counted.insert(token);
                if let Some(wait) = retry_after {
                    outage.retry_at = outage
                        .retry_at
                        .max(now + wait.min(Duration::from_secs(600)));
                }
                GuardChange::Unchanged
            }
            GuardOutcome::RateLimited | GuardOutcome::Evidence => {
                self.open = None;
                self.counted.clear();
                GuardChange::Closed
            }
        }
    }
}

// ---- the runs ----

/// One thing a driver does.
#[derive(Clone, Debug)]
enum Event {
    /// Time moves by `dt_ms` (negative: a reading taken earlier reaches the lock later), then
    /// a request for token number `token` asks the guard (a few tokens, so the same one
    /// often fails again).
    Request {
        dt_ms: i64,
        timeout: Duration,
        token: u64,
    },
    /// Time moves, then the answer to the in-flight request number `pick` comes back.
    Answer {
        dt_ms: i64,
        pick: usize,
        outcome: GuardOutcome,
    },
    /// The driver of in-flight request `pick` vanished without a word.
    Forget { pick: usize },
}

fn arb_retry_after() -> impl Strategy<Value = Option<Duration>> {
    prop_oneof![
        3 => Just(None),
        1 => (0_u64..=120).prop_map(|s| Some(secs(s))),
        1 => (0_u64..=2_000).prop_map(|s| Some(secs(s))),
        1 => any::<u64>().prop_map(|s| Some(secs(s))),
    ]
}

fn arb_outcome() -> impl Strategy<Value = GuardOutcome> {
    prop_oneof![
        6 => arb_retry_after().prop_map(|retry_after| GuardOutcome::GithubSideFailure { retry_after }),
        1 => Just(GuardOutcome::RateLimited),
        1 => Just(GuardOutcome::Evidence),
    ]
}

fn arb_dt() -> impl Strategy<Value = i64> {
    prop_oneof![
        4 => 0_i64..2_000,
        2 => 0_i64..700_000,
        1 => Just(0_i64),
        1 => -20_000_i64..0,
    ]
}

fn arb_timeout() -> impl Strategy<Value = Duration> {
    prop_oneof![
        4 => (0_u64..15_000).prop_map(Duration::from_millis),
        1 => any::<u64>().prop_map(Duration::from_secs),
        1 => Just(Duration::MAX),
    ]
}

fn arb_event() -> impl Strategy<Value = Event> {
    prop_oneof![
        4 => (arb_dt(), arb_timeout(), 0_u64..6)
            .prop_map(|(dt_ms, timeout, token)| Event::Request { dt_ms, timeout, token }),
        4 => (arb_dt(), any::<usize>(), arb_outcome())
            .prop_map(|(dt_ms, pick, outcome)| Event::Answer { dt_ms, pick, outcome }),
        1 => any::<usize>().prop_map(|pick| Event::Forget { pick }),
    ]
}

fn arb_settings() -> impl Strategy<Value = OutageSettings> {
    prop_oneof![
        1 => Just(OutageSettings::default()),
        1 => Just(OutageSettings::off()),
        4 => (0_u32..8, 1_u64..=600_000).prop_map(|(threshold, ms)| {
            OutageSettings::new(threshold, Duration::from_millis(ms)).expect("a cool-down in range")
        }),
    ]
}

/// A request sent and not yet answered.
struct InFlight {
    ticket: Option<(ProbeTicket, u64)>,
    token: u64,
}

/// One thing that happened in a run, in order, stamped with the guard's time.
#[derive(Clone, Copy, Debug)]
enum Happening {
    Request {
        at: Duration,
        permit: Expect,
        timeout: Duration,
    },
    Change {
        at: Duration,
        change: GuardChange,
    },
    /// A probe's answer was recorded.
    ProbeOver {
        id: u64,
    },
}

/// Everything a run saw, for the properties that look at the whole of it.
#[derive(Default)]
struct Seen {
    happenings: Vec<Happening>,
}

impl Seen {
    fn permits(&self) -> impl Iterator<Item = Expect> + '_ {
        self.happenings.iter().filter_map(|h| match h {
            Happening::Request { permit, .. } => Some(*permit),
            Happening::Change { .. } | Happening::ProbeOver { .. } => None,
        })
    }

    fn changes(&self) -> impl Iterator<Item = GuardChange> + '_ {
        self.happenings.iter().filter_map(|h| match h {
            Happening::Change { change, .. } => Some(*change),
            Happening::Request { .. } | Happening::ProbeOver { .. } => None,
        })
    }
}

/// Plays `events` against a guard and the model, checking every step against the model and
/// against the invariants that need no model.
fn play(settings: OutageSettings, events: &[Event]) -> Result<Seen, TestCaseError> {
    let mut guard = OutageGuard::new(settings);
    let mut model = Model::new(settings);
    let mut now_ms: u64 = 0;
    let mut in_flight: Vec<InFlight> = Vec::new();
    let mut seen = Seen::default();
    for event in events {
        match event {
            Event::Request {
                dt_ms,
                timeout,
                token,
            } => {
                now_ms = now_ms.saturating_add_signed(*dt_ms);
                let now = Duration::from_millis(now_ms);
                let was_open = guard.is_open();
                let expect = model.request(now, *timeout);
                let permit = guard.before_request(now, *timeout);
                match (&permit, expect) {
                    (Permit::Go, Expect::Go) => {
                        prop_assert!(!was_open, "a request went while the guard was open");
                        in_flight.push(InFlight {
                            ticket: None,
                            token: *token,
                        });
                    }
                    (Permit::ShortCircuit(refusal), Expect::ShortCircuit) => {
                        prop_assert!(was_open, "refused while closed");
                        let Some(state) = guard.state() else {
                            return Err(TestCaseError::fail("refused with no outage state"));
                        };
                        prop_assert_eq!(refusal.failures, state.failures);
                        prop_assert_eq!(refusal.opened_at, state.opened_at);
                        prop_assert!(refusal.failures >= settings.threshold());
                        let verdict: Verdict = refusal.verdict();
                        prop_assert!(verdict.transient_failure());
                        let reason = refusal.reason();
                        prop_assert_eq!(verdict.error(), Some(reason.as_str()));
                        prop_assert!(
                            refusal.wait <= MAX_OUTAGE_COOLDOWN,
                            "a refusal asked for {:?}",
                            refusal.wait
                        );
                    }
                    (Permit::Probe(_), Expect::Probe(_)) => {
                        prop_assert!(was_open, "a probe while closed");
                    }
                    (permit, expect) => {
                        prop_assert!(false, "at {now:?}: guard {permit:?}, contract {expect:?}");
                    }
                }
                if let (Permit::Probe(ticket), Expect::Probe(id)) = (permit, expect) {
                    in_flight.push(InFlight {
                        ticket: Some((ticket, id)),
                        token: *token,
                    });
                }
                seen.happenings.push(Happening::Request {
                    at: model.latest,
                    permit: expect,
                    timeout: *timeout,
                });
            }
            Event::Answer {
                dt_ms,
                pick,
                outcome,
            } => {
                if in_flight.is_empty() {
                    continue;
                }
                now_ms = now_ms.saturating_add_signed(*dt_ms);
                let now = Duration::from_millis(now_ms);
                let was_open = guard.is_open();
                let failures_before = guard.failures();
                let sent = in_flight.swap_remove(pick % in_flight.len());
                let token = TokenId::from_raw(sent.token);
                let (change, expected) = match sent.ticket {
                    None => (
                        guard.record(*outcome, token, now, wall(now)),
                        model.answer(None, sent.token, *outcome, now),
                    ),
                    Some((ticket, id)) => {
                        seen.happenings.push(Happening::ProbeOver { id });
                        (
                            guard.record_probe(ticket, *outcome, token, now, wall(now)),
                            model.answer(Some(id), sent.token, *outcome, now),
                        )
                    }
                };
                prop_assert_eq!(change, expected, "answer {:?} at {:?}", outcome, now);
                match outcome {
                    GuardOutcome::RateLimited if !was_open => {
                        prop_assert_eq!(guard.failures(), failures_before, "a rate limit counted");
                    }
                    GuardOutcome::RateLimited | GuardOutcome::Evidence if was_open => {
                        prop_assert!(guard.state().is_none(), "still open after GitHub answered");
                    }
                    GuardOutcome::GithubSideFailure { .. }
                    | GuardOutcome::RateLimited
                    | GuardOutcome::Evidence => {}
                }
                seen.happenings.push(Happening::Change {
                    at: model.latest,
                    change,
                });
            }
            Event::Forget { pick } => {
                if !in_flight.is_empty() {
                    in_flight.swap_remove(pick % in_flight.len());
                }
            }
        }
        // The state agrees with the model after every event.
        let state = guard.state();
        prop_assert_eq!(state.is_some(), model.open.is_some());
        prop_assert_eq!(guard.is_open(), model.open.is_some());
        prop_assert_eq!(guard.failures(), model.failures());
        if let (Some(state), Some(outage)) = (state, &model.open) {
            prop_assert_eq!(state.failures, model.failures());
            prop_assert_eq!(state.probing, outage.probe.is_some());
            prop_assert!(outage.cooldown <= MAX_OUTAGE_COOLDOWN);
        }
    }
    Ok(seen)
}

proptest! {
    #![proptest_config(config(256))]

    /// §10, every rule at once: any sequence of requests, answers and times gives the permits
    /// and changes the contract's model gives, with the state agreeing after every step.
    #[test]
    fn the_guard_follows_the_contract_for_any_events(
        settings in arb_settings(),
        events in proptest::collection::vec(arb_event(), 0..120),
    ) {
        play(settings, &events)?;
    }

    /// §10, without the model: a request goes only while closed; a probe never goes before
    /// the configured cool-down since the guard (re)opened, counted in the latest time the
    /// guard has seen (a clock read out of order cannot bring it earlier); and a probe goes
    /// only when every earlier probe of that opening was answered or past its lease.
    #[test]
    fn no_request_while_open_and_no_early_or_second_probe(
        settings in arb_settings(),
        events in proptest::collection::vec(arb_event(), 0..120),
    ) {
        let seen = play(settings, &events)?;
        let mut opened: Option<Duration> = None;
        // Probes of the current opening still out: (number, lease end).
        let mut out: Vec<(u64, Duration)> = Vec::new();
        let mut latest = Duration::ZERO;
        for happening in &seen.happenings {
            match *happening {
                Happening::Request { at, permit, timeout } => {
                    prop_assert!(at >= latest, "the guard's time ran backwards");
                    latest = at;
                    match permit {
                        Expect::Go => prop_assert!(opened.is_none(), "a request while open"),
                        Expect::ShortCircuit => prop_assert!(opened.is_some(), "refused while closed"),
                        Expect::Probe(id) => {
                            let Some(since) = opened else {
                                return Err(TestCaseError::fail("a probe while closed"));
                            };
                            prop_assert!(at >= since + settings.cooldown(), "a probe {:?} after opening", at - since);
                            prop_assert!(
                                out.iter().all(|(_, lease_end)| *lease_end <= at),
                                "a second probe at {:?} while {:?} are out", at, out
                            );
                            let lease = timeout.saturating_add(PROBE_GRACE).min(MAX_OUTAGE_COOLDOWN);
                            out.push((id, at + lease));
                        }
                    }
                }
                Happening::Change { at, change } => {
                    prop_assert!(at >= latest, "the guard's time ran backwards");
                    latest = at;
                    match change {
                        GuardChange::Opened | GuardChange::Reopened => {
                            opened = Some(at);
                            out.clear();
                        }
                        GuardChange::Closed => {
                            opened = None;
                            out.clear();
                        }
                        GuardChange::Unchanged => {}
                    }
                }
                Happening::ProbeOver { id } => out.retain(|(out_id, _)| *out_id != id),
            }
        }
    }

    /// §10: rate limits never count and never open the guard, whatever else happens around
    /// them; only a GitHub-side failure opens it.
    #[test]
    fn only_github_side_failures_open_it(
        settings in arb_settings(),
        events in proptest::collection::vec(arb_event(), 0..120),
    ) {
        let mut guard = OutageGuard::new(settings);
        let mut now = Duration::ZERO;
        for event in &events {
            if let Event::Answer { dt_ms, outcome, .. } = event {
                now = Duration::from_millis(
                    u64::try_from(now.as_millis()).unwrap().saturating_add_signed(*dt_ms),
                );
                let change = guard.record(*outcome, fresh_token(), now, wall(now));
                if change == GuardChange::Opened {
                    prop_assert!(
                        matches!(outcome, GuardOutcome::GithubSideFailure { .. }),
                        "opened by {:?}",
                        outcome
                    );
                    prop_assert_eq!(guard.failures(), settings.threshold());
                }
            }
        }
    }

    /// §10 (added 2026-12-07): with no evidence between them, GitHub-side failures and rate
    /// limits from a few tokens, in any order and any number of times each, open the guard
    /// exactly when the `threshold`-th distinct token fails — never sooner; so one token alone,
    /// however often it fails, never opens a guard whose threshold is above 1.
    #[test]
    fn only_threshold_distinct_tokens_open_it(
        threshold in 1_u32..8,
        answers in proptest::collection::vec((0_u64..10, any::<bool>(), 0_u64..3), 0..200),
    ) {
        let mut guard = OutageGuard::new(settings(threshold, 30));
        let mut failed = BTreeSet::new();
        for (at, (token, rate_limited, repeat)) in answers.into_iter().enumerate() {
            let now = Duration::from_millis(u64::try_from(at).unwrap());
            let outcome = if rate_limited { GuardOutcome::RateLimited } else { failure() };
            for _ in 0..=repeat {
                prop_assert!(matches!(guard.before_request(now, TIMEOUT), Permit::Go));
                let change = guard.record(outcome, TokenId::from_raw(token), now, wall(now));
                if !rate_limited {
                    failed.insert(token);
                }
                let should_open = u32::try_from(failed.len()).unwrap() >= threshold;
                prop_assert_eq!(guard.is_open(), should_open, "{} tokens failed", failed.len());
                if should_open {
                    prop_assert_eq!(guard.failures(), threshold);
                    prop_assert!(change == GuardChange::Opened);
                    return Ok(());
                }
            }
        }
    }

    /// §10 (added 2026-12-07): one token failing any number of times, with any retry-after,
    /// leaves a guard of threshold 2 or more closed, its count at one.
    #[test]
    fn one_token_never_opens_it(
        threshold in 2_u32..8,
        token in any::<u64>(),
        retry_afters in proptest::collection::vec(arb_retry_after(), 1..300),
    ) {
        let mut guard = OutageGuard::new(settings(threshold, 30));
        for (at, retry_after) in retry_afters.into_iter().enumerate() {
            let now = Duration::from_millis(u64::try_from(at).unwrap());
            prop_assert!(matches!(guard.before_request(now, TIMEOUT), Permit::Go));
            let outcome = GuardOutcome::GithubSideFailure { retry_after };
            let change = guard.record(outcome, TokenId::from_raw(token), now, wall(now));
            prop_assert_eq!(change, GuardChange::Unchanged);
        }
        prop_assert!(guard.state().is_none());
        prop_assert_eq!(guard.failures(), 1);
    }

    /// §10: a threshold of 0 turns the guard off: every request goes, it never opens.
    #[test]
    fn threshold_zero_never_opens(
        cooldown_ms in 1_u64..=600_000,
        events in proptest::collection::vec(arb_event(), 0..120),
    ) {
        let settings = OutageSettings::new(0, Duration::from_millis(cooldown_ms)).unwrap();
        let seen = play(settings, &events)?;
        prop_assert!(seen.permits().all(|permit| permit == Expect::Go));
        prop_assert!(seen.changes().all(|change| change == GuardChange::Unchanged));
    }

    /// §10: eight (or any number of) rate-limited answers in a row leave the guard closed and
    /// the count where it was, whatever the threshold.
    #[test]
    fn rate_limits_in_a_row_never_open_it(
        threshold in 0_u32..8,
        failures_before in 0_u32..8,
        rate_limited in 1_usize..40,
    ) {
        let mut guard = OutageGuard::new(settings(threshold, 30));
        let failures_before = failures_before.min(threshold.saturating_sub(1));
        for _ in 0..failures_before {
            prop_assert_eq!(record_at(&mut guard, failure(), 0), GuardChange::Unchanged);
        }
        for i in 0..rate_limited {
            let now = Duration::from_millis(u64::try_from(i).unwrap());
            prop_assert!(matches!(guard.before_request(now, TIMEOUT), Permit::Go));
            prop_assert_eq!(guard.record(GuardOutcome::RateLimited, fresh_token(), now, wall(now)), GuardChange::Unchanged);
        }
        prop_assert!(guard.state().is_none());
        let expected = if threshold == 0 { 0 } else { failures_before };
        prop_assert_eq!(guard.failures(), expected);
    }

    /// §10: each failed probe doubles the cool-down, never past 600 s, and never below the
    /// probe's own `retry-after`; the next probe goes exactly when it ends.
    #[test]
    fn failed_probes_double_the_cooldown_up_to_ten_minutes(
        threshold in 1_u32..8,
        cooldown_ms in 1_u64..=600_000,
        retry_afters in proptest::collection::vec(arb_retry_after(), 1..14),
    ) {
        let cooldown = Duration::from_millis(cooldown_ms);
        let mut guard = OutageGuard::new(OutageSettings::new(threshold, cooldown).unwrap());
        let mut now = Duration::ZERO;
        for _ in 0..threshold {
            guard.record(failure(), fresh_token(), now, wall(now));
        }
        prop_assert!(guard.is_open());
        let mut expected = cooldown;
        let mut opened_at = now;
        for retry_after in retry_afters {
            // Not a moment before the cool-down is over...
            let before = opened_at + expected - Duration::from_nanos(1);
            let early = guard.before_request(before, TIMEOUT);
            prop_assert!(matches!(early, Permit::ShortCircuit(_)), "{:?} early", expected);
            // ...and exactly then.
            now = opened_at + expected;
            let Permit::Probe(ticket) = guard.before_request(now, TIMEOUT) else {
                return Err(TestCaseError::fail(format!("no probe after {expected:?}")));
            };
            now += Duration::from_millis(300);
            let change = guard.record_probe(
                ticket,
                GuardOutcome::GithubSideFailure { retry_after },
                fresh_token(),
                now,
                wall(now),
            );
            prop_assert_eq!(change, GuardChange::Reopened);
            expected = (expected * 2)
                .max(retry_after.unwrap_or_default())
                .min(MAX_OUTAGE_COOLDOWN);
            prop_assert!(expected <= MAX_OUTAGE_COOLDOWN);
            opened_at = now;
        }
    }

    /// §10: a `retry-after` on the answer that opens the guard is honoured when it is longer
    /// than the cool-down (at most 600 s); a shorter one does not shorten it.
    #[test]
    fn a_longer_retry_after_is_honoured(
        cooldown_s in 1_u64..=600,
        retry_after_s in 0_u64..100_000,
    ) {
        let mut guard = OutageGuard::new(settings(1, cooldown_s));
        let now = secs(1_000);
        prop_assert_eq!(guard.record(failure_after(retry_after_s), fresh_token(), now, wall(now)), GuardChange::Opened);
        let wait = secs(cooldown_s.max(retry_after_s).min(600));
        let state = guard.state().unwrap();
        prop_assert_eq!(state.retry_at, wall(now + wait));
        let early = guard.before_request(now + wait - Duration::from_millis(1), TIMEOUT);
        let Permit::ShortCircuit(refusal) = early else {
            return Err(TestCaseError::fail("a probe before the wait"));
        };
        prop_assert_eq!(refusal.wait, Duration::from_millis(1));
        prop_assert!(matches!(guard.before_request(now + wait, TIMEOUT), Permit::Probe(_)));
    }

    /// §10: a probe whose answer never comes does not wedge the guard: past its lease (its
    /// timeout plus the grace, at most 600 s) the next request probes; before it, none does.
    #[test]
    fn a_lost_probe_does_not_wedge_the_guard(
        timeout in arb_timeout(),
        late_ms in 0_u64..1_000_000,
    ) {
        let mut guard = OutageGuard::new(settings(1, 30));
        record_at(&mut guard, failure(), 0);
        let Permit::Probe(lost) = guard.before_request(secs(30), timeout) else {
            return Err(TestCaseError::fail("no probe after the cool-down"));
        };
        let lease = timeout.saturating_add(PROBE_GRACE).min(MAX_OUTAGE_COOLDOWN);
        let at = secs(30) + Duration::from_millis(late_ms);
        let permit = guard.before_request(at, TIMEOUT);
        if at >= secs(30) + lease {
            prop_assert!(matches!(permit, Permit::Probe(_)), "wedged at {:?}", at);
        } else {
            prop_assert!(matches!(permit, Permit::ShortCircuit(_)), "two probes at {:?}", at);
        }
        // The lost probe's answer, if it ever comes, is taken as any straggler's.
        let change = guard.record_probe(lost, GuardOutcome::Evidence, fresh_token(), at, wall(at));
        prop_assert_eq!(change, GuardChange::Closed);
    }
}

// ---- one example per rule ----

/// Opens the default guard (6 failures) at monotonic `now`.
fn opened_default(now: Duration) -> OutageGuard {
    let mut guard = OutageGuard::default();
    for n in 1..=6 {
        let change = guard.record(failure(), fresh_token(), now, wall(now));
        let expected = if n == 6 {
            GuardChange::Opened
        } else {
            GuardChange::Unchanged
        };
        assert_eq!(change, expected, "failure {n}");
    }
    guard
}

#[test]
fn the_defaults_are_six_failures_and_thirty_seconds() {
    let settings = OutageSettings::default();
    assert_eq!(
        (settings.threshold(), settings.cooldown()),
        (6, secs(30)),
        "docs/contract.md §10"
    );
}

#[test]
fn six_failures_in_a_row_open_it_and_every_request_is_answered_at_once() {
    let mut guard = opened_default(secs(100));
    let state = guard.state().unwrap();
    assert_eq!(state.opened_at, wall(secs(100)));
    assert_eq!(state.retry_at, wall(secs(130)));
    assert_eq!(state.failures, 6);
    assert!(!state.probing);
    for at in [100, 101, 129] {
        let Permit::ShortCircuit(refusal) = guard.before_request(secs(at), TIMEOUT) else {
            panic!("a request at {at} s while open");
        };
        assert_eq!(
            refusal.reason(),
            "GitHub API unavailable: 6 requests in a row failed; not asking again before 00:02:10Z"
        );
        assert_eq!(refusal.wait, secs(130 - at));
        let verdict: Verdict = refusal.verdict();
        assert_eq!(verdict.error(), Some(refusal.reason().as_str()));
        assert_eq!(verdict.retry_after(), Some(secs(130 - at)));
        assert_eq!(verdict.cause_kind(), CauseKind::ShortCircuited);
        assert!(verdict.transient_failure());
    }
}

#[test]
fn five_failures_then_evidence_start_the_count_again() {
    let mut guard = OutageGuard::default();
    for _ in 0..5 {
        record_at(&mut guard, failure(), 0);
    }
    assert_eq!(guard.failures(), 5);
    record_at(&mut guard, GuardOutcome::Evidence, 1);
    assert_eq!(guard.failures(), 0);
    for _ in 0..5 {
        assert_eq!(record_at(&mut guard, failure(), 2), GuardChange::Unchanged);
    }
    assert!(guard.state().is_none());
    assert_eq!(record_at(&mut guard, failure(), 2), GuardChange::Opened);
}

#[test]
fn eight_rate_limited_tokens_in_a_row_do_not_open_it() {
    let mut guard = OutageGuard::default();
    for i in 0..8 {
        assert_eq!(permit_at(&mut guard, i), Granted::Go);
        assert_eq!(
            record_at(&mut guard, GuardOutcome::RateLimited, i),
            GuardChange::Unchanged
        );
    }
    assert!(guard.state().is_none());
    assert!(!guard.is_open());
    assert_eq!(permit_at(&mut guard, 9), Granted::Go);
}

#[test]
fn a_rate_limit_between_failures_neither_counts_nor_resets() {
    let mut guard = OutageGuard::default();
    for _ in 0..3 {
        record_at(&mut guard, failure(), 0);
    }
    record_at(&mut guard, GuardOutcome::RateLimited, 0);
    assert_eq!(guard.failures(), 3);
    for _ in 0..2 {
        record_at(&mut guard, failure(), 0);
    }
    assert_eq!(record_at(&mut guard, failure(), 0), GuardChange::Opened);
}

#[test]
fn after_the_cooldown_exactly_one_probe_goes_and_the_others_wait_for_it() {
    let mut guard = opened_default(secs(0));
    let ticket = probe_at(&mut guard, 30, TIMEOUT, "no probe after the cool-down");
    assert!(guard.state().unwrap().probing);
    assert!(guard.is_open(), "the gauge stays 1 while probing");
    for at in [30, 31, 40] {
        let Permit::ShortCircuit(refusal) = guard.before_request(secs(at), TIMEOUT) else {
            panic!("a second probe at {at} s");
        };
        // While the probe is in flight the next request may go as soon as it answers.
        assert_eq!(refusal.wait, Duration::ZERO);
        assert_eq!(refusal.retry_at, wall(secs(at)));
        assert_eq!(refusal.verdict::<()>().retry_after(), None);
    }
    assert_eq!(
        answer_probe(&mut guard, ticket, GuardOutcome::Evidence, 41),
        GuardChange::Closed
    );
    assert_eq!(permit_at(&mut guard, 41), Granted::Go);
}

#[test]
fn a_probe_answered_invalid_or_rate_limited_closes_it_too() {
    for outcome in [GuardOutcome::Evidence, GuardOutcome::RateLimited] {
        let mut guard = opened_default(secs(0));
        let ticket = probe_at(&mut guard, 30, TIMEOUT, "no probe");
        assert_eq!(
            answer_probe(&mut guard, ticket, outcome, 31),
            GuardChange::Closed,
            "{outcome:?}"
        );
        assert_eq!(guard.failures(), 0);
    }
}

#[test]
fn a_failed_probe_reopens_with_the_cooldown_doubled_up_to_ten_minutes() {
    let mut guard = opened_default(secs(0));
    let mut gaps = Vec::new();
    let mut retry_at = secs(30);
    for _ in 0..8 {
        let Permit::Probe(ticket) = guard.before_request(retry_at, TIMEOUT) else {
            panic!("no probe at {retry_at:?}");
        };
        let now = retry_at + secs(1);
        assert_eq!(
            guard.record_probe(ticket, failure(), fresh_token(), now, wall(now)),
            GuardChange::Reopened
        );
        let state = guard.state().unwrap();
        assert_eq!(state.opened_at, wall(secs(0)), "the same outage");
        let gap = u64::try_from(state.retry_at.0 - wall(now).0).unwrap();
        gaps.push(gap);
        retry_at = now + secs(gap);
    }
    assert_eq!(gaps, [60, 120, 240, 480, 600, 600, 600, 600]);
    assert_eq!(guard.failures(), 6 + 8);
}

#[test]
fn a_retry_after_longer_than_the_cooldown_is_honoured_and_capped() {
    for (retry_after, wait) in [(10, 30), (45, 45), (600, 600), (86_400, 600)] {
        let mut guard = OutageGuard::default();
        for _ in 0..5 {
            record_at(&mut guard, failure(), 0);
        }
        record_at(&mut guard, failure_after(retry_after), 0);
        assert_eq!(
            guard.state().unwrap().retry_at,
            wall(secs(wait)),
            "{retry_after}"
        );
    }
}

#[test]
fn a_straggler_failure_with_a_retry_after_pushes_the_probe_later_never_earlier() {
    let mut guard = opened_default(secs(0));
    record_at(&mut guard, failure_after(90), 10);
    assert_eq!(guard.state().unwrap().retry_at, wall(secs(100)));
    record_at(&mut guard, failure_after(5), 11);
    assert_eq!(guard.state().unwrap().retry_at, wall(secs(100)));
    assert_eq!(guard.failures(), 8);
    assert_eq!(permit_at(&mut guard, 99), Granted::ShortCircuit);
    assert_eq!(permit_at(&mut guard, 100), Granted::Probe);
}

#[test]
fn a_straggler_with_evidence_closes_it() {
    // A request sent before the guard opened comes back with evidence: GitHub answers.
    let mut guard = opened_default(secs(0));
    assert_eq!(
        record_at(&mut guard, GuardOutcome::Evidence, 2),
        GuardChange::Closed
    );
    assert_eq!(permit_at(&mut guard, 2), Granted::Go);
}

/// A probe whose answer never comes is presumed lost when its lease ends: its timeout and
/// the grace, at most ten minutes whatever the timeout. Until then no second probe; at the
/// lease's end the next request probes, and its failure reopens the guard.
#[test]
fn a_forgotten_probe_expires_after_its_lease() {
    let cases = [
        ("its timeout and the grace", secs(12), 43),
        (
            "at most ten minutes whatever the timeout",
            Duration::MAX,
            630,
        ),
    ];
    for (name, timeout, lease_end) in cases {
        let mut guard = opened_default(secs(0));
        let _forgotten = probe_at(&mut guard, 30, timeout, name);
        let before = permit_at(&mut guard, lease_end - 1);
        assert_eq!(before, Granted::ShortCircuit, "{name}");
        let ticket = probe_at(&mut guard, lease_end, TIMEOUT, "wedged by a lost probe");
        let change = answer_probe(&mut guard, ticket, failure(), lease_end + 1);
        assert_eq!(change, GuardChange::Reopened, "{name}");
    }
}

#[test]
fn an_old_ticket_cannot_close_or_reopen_as_the_probe() {
    let mut guard = opened_default(secs(0));
    let old = probe_at(&mut guard, 30, secs(0), "no probe");
    let current = probe_at(
        &mut guard,
        32,
        TIMEOUT,
        "no second probe after the first one's lease",
    );
    // The old probe's failure is a straggler's: counted, no reopening, the probe still out.
    assert_eq!(
        answer_probe(&mut guard, old, failure(), 33),
        GuardChange::Unchanged
    );
    assert!(guard.state().unwrap().probing);
    assert_eq!(
        answer_probe(&mut guard, current, failure(), 34),
        GuardChange::Reopened
    );
}

#[test]
fn time_going_backwards_or_standing_still_brings_no_early_probe() {
    let mut guard = opened_default(secs(100));
    // A reading taken long ago reaches the guard late.
    assert_eq!(permit_at(&mut guard, 3), Granted::ShortCircuit);
    record_at(&mut guard, failure(), 0);
    assert_eq!(guard.state().unwrap().retry_at, wall(secs(130)));
    for _ in 0..3 {
        assert_eq!(permit_at(&mut guard, 129), Granted::ShortCircuit);
    }
    let ticket = probe_at(&mut guard, 130, TIMEOUT, "no probe");
    // The probe's answer stamped earlier than the probe: the cool-down counts from the
    // latest time seen, not from the past.
    answer_probe(&mut guard, ticket, failure(), 5);
    assert_eq!(permit_at(&mut guard, 189), Granted::ShortCircuit);
    assert_eq!(permit_at(&mut guard, 190), Granted::Probe);
}

#[test]
fn the_guard_switched_off_lets_everything_through() {
    let mut guard = OutageGuard::new(OutageSettings::off());
    for i in 0..100 {
        assert_eq!(permit_at(&mut guard, i), Granted::Go);
        assert_eq!(record_at(&mut guard, failure(), i), GuardChange::Unchanged);
    }
    assert!(guard.state().is_none());
}

#[test]
fn the_outcome_of_a_verdict_follows_the_table() {
    let valid: Verdict = Verdict::Valid(());
    assert_eq!(GuardOutcome::of_verdict(&valid), GuardOutcome::Evidence);
    let user = Endpoint::Identity;
    let invalid: Verdict = Verdict::because(Cause::BadCredentials { endpoint: user }, None);
    assert_eq!(GuardOutcome::of_verdict(&invalid), GuardOutcome::Evidence);
    let limit = RateLimit::Status {
        endpoint: user,
        status: 429,
        wait: Some(secs(60)),
    };
    let rate_limited: Verdict = Verdict::because(Cause::RateLimited(limit), Some(secs(60)));
    assert_eq!(
        GuardOutcome::of_verdict(&rate_limited),
        GuardOutcome::RateLimited
    );
    let down = Cause::GithubDown {
        endpoint: Endpoint::TestQuery,
        status: 503,
    };
    let outage: Verdict = Verdict::because(down, Some(secs(120)));
    assert_eq!(GuardOutcome::of_verdict(&outage), failure_after(120));
    let timed_out = Cause::Transport {
        endpoint: user,
        kind: pat_verdict::TransportErrorKind::Timeout,
        detail: String::new(),
    };
    let unreachable: Verdict = Verdict::because(timed_out, None);
    assert_eq!(GuardOutcome::of_verdict(&unreachable), failure());
}

#[test]
fn the_outcome_of_classified_answers() {
    use pat_verdict::{
        HttpResponse, RelevantHeaders, TransportError, TransportErrorKind, classify_identity,
        classify_test_query,
    };
    let now = UnixTime(WALL0);
    let of = |status: u16, body: &str| {
        GuardOutcome::of_verdict(&classify_test_query(
            &Ok(HttpResponse::new(status, body)),
            now,
        ))
    };
    assert_eq!(of(503, ""), failure());
    assert_eq!(of(500, "oops"), failure());
    assert_eq!(
        of(200, r#"{"data": {"viewer": {"login": "octocat"}}}"#),
        GuardOutcome::Evidence
    );
    assert_eq!(
        of(401, r#"{"message": "Bad credentials"}"#),
        GuardOutcome::Evidence
    );
    assert_eq!(of(429, ""), GuardOutcome::RateLimited);
    let mut limited = HttpResponse::new(503, "");
    limited.headers = RelevantHeaders::default().with("retry-after", "90");
    assert_eq!(
        GuardOutcome::of_verdict(&classify_identity(&Ok(limited), now)),
        failure_after(90)
    );
    let reset = Err(TransportError::new(
        TransportErrorKind::ConnectionReset,
        "reset",
    ));
    assert_eq!(
        GuardOutcome::of_verdict(&classify_identity(&reset, now)),
        failure()
    );
}

#[test]
fn shared_behind_a_mutex_by_many_threads_exactly_one_probe_goes() {
    use std::sync::{Arc, Barrier, Mutex};

    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<OutageGuard>();

    let guard = Arc::new(Mutex::new(opened_default(secs(0))));
    let threads = 8;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let guard = Arc::clone(&guard);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                let mut probes = Vec::new();
                let mut refused = 0;
                for step in 0..100_u64 {
                    // Every thread is past the cool-down; none answers its probe yet.
                    let now = secs(30) + Duration::from_millis(step);
                    match guard
                        .lock()
                        .expect("no thread panics holding it")
                        .before_request(now, TIMEOUT)
                    {
                        Permit::Go => panic!("a request went while open"),
                        Permit::Probe(ticket) => probes.push(ticket),
                        Permit::ShortCircuit(_) => refused += 1,
                    }
                }
                (probes, refused)
            })
        })
        .collect();
    let mut probes = Vec::new();
    let mut refused = 0;
    for handle in handles {
        let (mine, theirs) = handle.join().expect("no thread panics");
        probes.extend(mine);
        refused += theirs;
    }
    assert_eq!(probes.len(), 1, "one probe among {threads} threads");
    assert_eq!(refused, threads * 100 - 1);
    let ticket = probes.pop().expect("one probe");
    let mut guard = guard.lock().expect("no thread panics holding it");
    assert_eq!(
        answer_probe(&mut guard, ticket, GuardOutcome::Evidence, 31),
        GuardChange::Closed
    );
}
