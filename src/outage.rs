//! The outage guard: notice once that GitHub is down, answer at once, ask again with one probe
//! (docs/contract.md §10).
//!
//! During an incident every verification would otherwise spend its retries before saying
//! Inconclusive, multiplying GitHub's load while it recovers. The guard counts **consecutive
//! GitHub-side failures**, across verifications but at most one per token (a [`TokenId`],
//! never the token), and after `threshold` of them answers every request at once instead of
//! sending it. Counting tokens, not requests, is what keeps one miner from switching
//! verification off for every miner: a hostile "token" that makes whatever is in front of
//! GitHub fail counts once, however often it is sent (added 2026-12-07). It is a plain value like the
//! [`Verification`](crate::verification::Verification) machine: no clock, no I/O, no globals. Time enters as
//! a monotonic `now` ([`Duration`] since any fixed origin, the reading the machine takes) plus,
//! with each answer, the wall clock ([`UnixTime`]) the reason text and
//! [`OutageState`] show. A driver holds one guard per API root (behind a mutex, shared by every
//! verification of a `Verifier`, a `Validator` or a CLI run), asks it before each request and
//! tells it what came back.
//!
//! ```text
//!                        a token's first GitHub-side failure: count + 1 (the same
//!  ┌──────────────────┐  token failing again: unchanged); evidence: count = 0;
//!  │ Closed { count } │  rate limit: unchanged; before_request → Go
//!  └──────────────────┘ ◄────────────────────────────────────────────┐
//!     │ count reaches threshold (never when threshold is 0)          │
//!     ▼                                                              │
//!  ┌─────────────────────────────┐  before_request before retry_at   │ any answer that is
//!  │ Open { failures, retry_at } │  → ShortCircuit(Refusal)          │ not a GitHub-side
//!  └─────────────────────────────┘ ──────────────────────────────────┤ failure: the
//!     │ before_request at or    ▲  probe failed: reopen with the     │ probe's, or one
//!     │ after retry_at          │  cool-down × 2 (≤ 600 s);          │ sent before the
//!     │ → Probe(ticket)         │                                    │ guard opened
//!     ▼                         │  request probes at once            │
//!  ┌─────────────────────────────┐                                   │
//!  │ Probing { ticket, lease }   │ ──────────────────────────────────┘
//!  └─────────────────────────────┘
//!     other requests → ShortCircuit(Refusal); past the lease (the probe's timeout plus
//!     PROBE_GRACE, at most 600 s) the next request probes instead
//! ```
//!
//! The cool-down is the configured one (default 30 s) or the opening answer's `retry-after`
//! when that is longer, at most [`MAX_OUTAGE_COOLDOWN`]; a failed probe doubles it (again at
//! most [`MAX_OUTAGE_COOLDOWN`], and at least that probe's own `retry-after`).
//!
//! ## Choices where the contract is silent
//!
//! - **A probe whose answer never comes** (the driver was cancelled, the deadline dropped the
//!   future) must not wedge the guard. A [`ProbeTicket`] is a plain value (its drop cannot
//!   reach the guard), so the probe's lease releases it: the request's own timeout plus
//!   [`PROBE_GRACE`], at most [`MAX_OUTAGE_COOLDOWN`], after which the next request goes as
//!   the probe. A lost probe is no answer: it neither closes the guard nor
//!   doubles the cool-down.
//! - **Answers of requests sent before the guard opened** (stragglers) arrive while it is open.
//!   A failure adds to the count and may push `retry_at` later with its `retry-after`; any
//!   other answer is GitHub answering, and closes the guard like a probe would.
//! - **A rate-limited answer** never counts and, while closed, never resets the count
//!   either (it is per token, not about GitHub). While open it is an answer from GitHub's API,
//!   so it closes the guard: the contract closes on "any answer that is not a GitHub-side
//!   failure".
//! - **Time that goes backwards** (two threads reading the clock, then taking the lock in the
//!   other order) is read as the latest time the guard has seen: nothing moves earlier, no
//!   probe goes early.
//!
//! ## Walking it
//!
//! ```
//! use std::time::Duration;
//! use pat_verdict::outage::{GuardChange, GuardOutcome, OutageGuard, Permit, TokenIds};
//! use pat_verdict::{Token, UnixTime};
//! use pat_verdict::outage::OutageSettings;
//!
//! let settings = OutageSettings::new(2, Duration::from_secs(30)).unwrap();
//! let mut guard = OutageGuard::new(settings);
//! let wall = UnixTime(1_767_225_600); // 2026-01-01T00:00:00Z, at monotonic zero
//! let at = |secs: u64| (Duration::from_secs(secs), UnixTime(wall.0 + secs as i64));
//! let timeout = Duration::from_secs(12);
//! let failure = GuardOutcome::GithubSideFailure { retry_after: None };
//! let ids = TokenIds::default();
//! let [alice, bob, carol] = ["ghp_alice", "ghp_bob", "ghp_carol"]
//!     .map(|raw| ids.id(&Token::parse(raw).unwrap()));
//!
//! // Closed: requests go. One token failing, however often, counts once.
//! let (now, w) = at(0);
//! assert!(matches!(guard.before_request(now, timeout), Permit::Go));
//! for _ in 0..10 {
//!     assert_eq!(guard.record(failure, alice, now, w), GuardChange::Unchanged);
//! }
//! // A second token's 503 makes two failures in a row: it opens.
//! assert_eq!(guard.record(failure, bob, now, w), GuardChange::Opened);
//!
//! // Open: every request is answered at once, with no request.
//! let Permit::ShortCircuit(refusal) = guard.before_request(at(10).0, timeout) else { panic!() };
//! assert_eq!(
//!     refusal.reason(),
//!     "GitHub API unavailable: 2 requests in a row failed; not asking again before 00:00:30Z"
//! );
//!
//! // After the cool-down exactly one request goes, as the probe; the others wait for it.
//! let Permit::Probe(ticket) = guard.before_request(at(30).0, timeout) else { panic!() };
//! assert!(matches!(guard.before_request(at(31).0, timeout), Permit::ShortCircuit(_)));
//!
//! // The probe failed: open again, the cool-down doubled (60 s).
//! let (now, w) = at(32);
//! assert_eq!(guard.record_probe(ticket, failure, carol, now, w), GuardChange::Reopened);
//! assert_eq!(guard.state().unwrap().retry_at, UnixTime(wall.0 + 92));
//!
//! // The next probe gets evidence about its PAT (valid or invalid): GitHub is back.
//! let Permit::Probe(ticket) = guard.before_request(at(92).0, timeout) else { panic!() };
//! let (now, w) = at(93);
//! let change = guard.record_probe(ticket, GuardOutcome::Evidence, alice, now, w);
//! assert_eq!(change, GuardChange::Closed);
//! assert!(guard.state().is_none());
//! assert!(matches!(guard.before_request(at(94).0, timeout), Permit::Go));
//! ```

use std::collections::BTreeSet;
use std::time::Duration;

use thiserror::Error;

use crate::cause::Cause;
use crate::time::UnixTime;
/// The name the guard knows a token by (a keyed hash, never the token), and its key.
pub use crate::token::{TokenId, TokenIds};
use crate::verdict::Verdict;

/// Consecutive GitHub-side failures that open the guard, unless configured otherwise.
pub const DEFAULT_OUTAGE_THRESHOLD: u32 = 6;

/// How long the guard stays open before its first probe, unless configured otherwise.
pub const DEFAULT_OUTAGE_COOLDOWN: Duration = Duration::from_secs(30);

/// The longest cool-down: a configured one, a `retry-after`, or one doubled after failed
/// probes. Ten minutes: long enough to spare a GitHub that is down, short enough that a
/// validator notices the recovery soon after it.
pub const MAX_OUTAGE_COOLDOWN: Duration = Duration::from_secs(600);

/// How long past its request's timeout a probe's answer is waited for before the probe is
/// presumed lost (its driver was cancelled) and the next request probes instead: an answer
/// that arrives at its timeout still takes a moment to reach the guard.
pub const PROBE_GRACE: Duration = Duration::from_secs(1);

/// Why outage settings were refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum OutageSettingsError {
    /// The cool-down text is not a number of seconds at all.
    #[error("the outage cool-down must be a number of seconds, more than 0 and at most 600")]
    CooldownNotANumber,
    /// A cool-down outside (0, 600] seconds, `NaN` and the infinities included.
    #[error("the outage cool-down must be more than 0 and at most 600 seconds")]
    CooldownOutOfRange,
}

/// The guard's two settings (docs/contract.md §10): CLI `--outage-threshold` and
/// `--outage-cooldown`, Python `outage_threshold` and `outage_cooldown`.
///
/// The fields are private so that every value went through [`OutageSettings::new`]: a zero
/// cool-down would turn every request into a probe, a huge one would hide GitHub's recovery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutageSettings {
    threshold: u32,
    cooldown: Duration,
}

impl Default for OutageSettings {
    /// Threshold 6, cool-down 30 s.
    fn default() -> Self {
        Self {
            threshold: DEFAULT_OUTAGE_THRESHOLD,
            cooldown: DEFAULT_OUTAGE_COOLDOWN,
        }
    }
}

impl OutageSettings {
    /// Opens after `threshold` consecutive GitHub-side failures (`0` turns the guard off: it
    /// never opens), and waits `cooldown` before the first probe.
    ///
    /// # Errors
    ///
    /// [`OutageSettingsError::CooldownOutOfRange`] unless `cooldown` is in (0,
    /// [`MAX_OUTAGE_COOLDOWN`]].
    pub fn new(threshold: u32, cooldown: Duration) -> Result<Self, OutageSettingsError> {
        if cooldown.is_zero() || cooldown > MAX_OUTAGE_COOLDOWN {
            return Err(OutageSettingsError::CooldownOutOfRange);
        }
        Ok(Self {
            threshold,
            cooldown,
        })
    }

    /// The guard switched off: it lets every request go and never opens.
    #[must_use]
    pub fn off() -> Self {
        Self {
            threshold: 0,
            ..Self::default()
        }
    }

    /// Consecutive GitHub-side failures that open the guard; `0` when it is off.
    #[must_use]
    pub fn threshold(&self) -> u32 {
        self.threshold
    }

    /// The cool-down before the first probe.
    #[must_use]
    pub fn cooldown(&self) -> Duration {
        self.cooldown
    }

    /// Whether the guard is switched off (threshold `0`).
    #[must_use]
    pub fn is_off(&self) -> bool {
        self.threshold == 0
    }
}

/// `secs` as a cool-down, when it is in (0, [`MAX_OUTAGE_COOLDOWN`]] (Python's
/// `outage_cooldown=` is a float).
///
/// # Errors
///
/// [`OutageSettingsError::CooldownOutOfRange`] otherwise (zero, negative, `NaN`, infinite, too
/// long).
pub fn outage_cooldown_from_secs(secs: f64) -> Result<Duration, OutageSettingsError> {
    if secs.is_nan() || secs <= 0.0 || secs > MAX_OUTAGE_COOLDOWN.as_secs_f64() {
        return Err(OutageSettingsError::CooldownOutOfRange);
    }
    Duration::try_from_secs_f64(secs).map_err(|_| OutageSettingsError::CooldownOutOfRange)
}

/// Reads a cool-down written as decimal seconds (`30`, `0.5`, `1e2`), as `--outage-cooldown`
/// takes it.
///
/// # Errors
///
/// [`OutageSettingsError::CooldownNotANumber`] when `text` is not a number, else as
/// [`outage_cooldown_from_secs`].
pub fn parse_outage_cooldown(text: &str) -> Result<Duration, OutageSettingsError> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| OutageSettingsError::CooldownNotANumber)?;
    outage_cooldown_from_secs(secs)
}

/// What one request's answer means to the guard. A driver derives it from the classifier's
/// verdict on that answer ([`GuardOutcome::of_verdict`]); nothing decided before a request
/// (the token pre-check, a deadline already passed, a short-circuit) is reported at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuardOutcome {
    /// GitHub failed, not the PAT: a 5xx, a transport failure (connect, reset, timeout, DNS,
    /// truncated), §2's GitHub's own failure, an answer that is not GitHub's JSON. Counts
    /// toward the threshold.
    GithubSideFailure {
        /// The answer's `retry-after`, when it had one: honoured when longer than the
        /// cool-down (at most [`MAX_OUTAGE_COOLDOWN`]).
        retry_after: Option<Duration>,
    },
    /// A rate limit (docs/contract.md §4): about one token, not about GitHub, so it never
    /// counts; while the guard is open it is still GitHub's API answering, and closes it.
    RateLimited,
    /// Evidence about the PAT (Valid or Invalid): GitHub is up. Resets the count; closes the
    /// guard when open.
    Evidence,
}

impl GuardOutcome {
    /// The outcome of an answer the classifiers judged `verdict` (docs/contract.md §10):
    ///
    /// | verdict of the answer | outcome |
    /// |---|---|
    /// | Valid, Invalid | [`Evidence`](Self::Evidence) |
    /// | Inconclusive, rate limited (§4's signals) | [`RateLimited`](Self::RateLimited) |
    /// | any other Inconclusive: 5xx, transport failure, §2's GitHub's own failure, not GitHub's JSON, and the odd answers (1xx, 3xx, other 2xx, a body over the cap, `/user` without an id) | [`GithubSideFailure`](Self::GithubSideFailure), with the verdict's `retry_after` |
    ///
    /// Every Inconclusive answer that is not a rate limit told us nothing because of what sits
    /// between us and GitHub's judgement; counting the odd ones too means a wrong API root
    /// that redirects everything is noticed like an outage instead of being asked forever.
    /// Only the classifiers' verdict on one answer is read, so this holds whatever new
    /// Inconclusive rows §2 and §3 gain.
    #[must_use]
    pub fn of_verdict<T>(verdict: &Verdict<T>) -> Self {
        match verdict {
            Verdict::Valid(_) | Verdict::Invalid { .. } => Self::Evidence,
            Verdict::Inconclusive { .. } if verdict.rate_limited() => Self::RateLimited,
            Verdict::Inconclusive { retry_after, .. } => Self::GithubSideFailure {
                retry_after: *retry_after,
            },
        }
    }
}

/// What to do with the request about to be sent.
#[derive(Debug, PartialEq, Eq)]
#[must_use = "a request must not be sent when the guard refuses it"]
pub enum Permit {
    /// The guard is closed: send it, then [`OutageGuard::record`] what came back.
    Go,
    /// The guard is open and the cool-down is over: send it as the one probe, then
    /// [`OutageGuard::record_probe`] what came back (an unanswered probe ends with its lease).
    Probe(ProbeTicket),
    /// The guard is open: do not send it; the verification is Inconclusive at once
    /// ([`Refusal::verdict`]), with no request.
    ShortCircuit(Refusal),
}

/// The right to send the one probe. Not `Clone`: there is one probe at a time, and giving the
/// ticket back ([`OutageGuard::record_probe`]) consumes it. A ticket
/// from an earlier probe (its lease ran out, or the guard closed meanwhile) is recognised as
/// such: its answer then counts as any other request's.
#[derive(Debug, PartialEq, Eq)]
#[must_use = "a probe's answer must be recorded (record_probe)"]
pub struct ProbeTicket {
    id: u64,
}

/// The at-once answer while the guard is open: what the driver turns into an Inconclusive
/// verdict for the request it did not send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// Consecutive GitHub-side failures counted so far.
    pub failures: u32,
    /// When the guard opened (wall clock, to the second).
    pub opened_at: UnixTime,
    /// The earliest time another request may go (wall clock, rounded up to the second). While
    /// a probe is in flight this is about now: the next request goes when the probe answers.
    pub retry_at: UnixTime,
    /// How long from the moment of the refusal until `retry_at`; zero while a probe is in
    /// flight.
    pub wait: Duration,
}

impl Refusal {
    /// The reason text (docs/contract.md §10): `GitHub API unavailable: {n} requests in a row
    /// failed; not asking again before {HH:MM:SS}Z` — the verdict's, for tests that compare.
    #[cfg(any(test, feature = "testing"))]
    #[must_use]
    pub fn reason(&self) -> String {
        short_circuit_reason(self.failures, self.retry_at)
    }

    /// The verdict for the request not sent: Inconclusive (`transient_failure` true),
    /// `short_circuited`, carrying the wait when there is one.
    #[must_use]
    pub fn verdict<T>(&self) -> Verdict<T> {
        Verdict::because(
            Cause::ShortCircuited {
                failures: self.failures,
                retry_at: self.retry_at,
            },
            (!self.wait.is_zero()).then_some(self.wait),
        )
    }
}

/// The short-circuit reason (G1): `GitHub API unavailable: 6 requests in a row failed; not
/// asking again before 14:03:30Z`.
#[cfg(any(test, feature = "testing"))]
#[must_use]
pub fn short_circuit_reason(failures: u32, retry_at: UnixTime) -> String {
    crate::messages::short_circuit(failures, retry_at)
}

/// What an answer changed, for the drivers' counters and log lines
/// (`pat_verdict_outage_guard_opened_total` counts [`Opened`](Self::Opened)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuardChange {
    /// Nothing the operator needs to hear about.
    Unchanged,
    /// The guard was closed and is now open: an outage was noticed.
    Opened,
    /// The probe failed: open again, the cool-down doubled (the same outage).
    Reopened,
    /// The guard was open and is now closed: GitHub answers again.
    Closed,
}

/// The guard's state while open, for `Verifier.outage` / `Validator.outage`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutageState {
    /// When the guard opened (wall clock; a failed probe does not move it: the same outage).
    pub opened_at: UnixTime,
    /// When the next probe may go (wall clock, rounded up to the second).
    pub retry_at: UnixTime,
    /// Consecutive GitHub-side failures counted so far.
    pub failures: u32,
    /// Whether the probe is in flight.
    pub probing: bool,
}

/// An open guard's memory (the failures it counted are the guard's `counted` tokens).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Outage {
    opened_at: UnixTime,
    /// The cool-down in force (doubled after each failed probe).
    cooldown: Duration,
    /// Monotonic: when the next probe may go.
    retry_at: Duration,
    /// A monotonic reading and the wall time at that moment, to show monotonic instants as
    /// wall-clock ones.
    anchor: (Duration, UnixTime),
}

impl Outage {
    /// The wall-clock time of monotonic `at`, rounded up to the second (so "not before" never
    /// names a time that is too early by a fraction).
    fn wall(&self, at: Duration) -> UnixTime {
        let (mono, wall) = self.anchor;
        let since = at.saturating_sub(mono);
        let whole = if since.subsec_nanos() > 0 {
            since.as_secs().saturating_add(1)
        } else {
            since.as_secs()
        };
        wall.plus(Duration::from_secs(whole))
    }

    /// One more failure while open: its `retry-after` may push the next probe later, never
    /// earlier.
    fn fail(&mut self, retry_after: Option<Duration>, now: Duration) {
        if let Some(wait) = retry_after {
            self.retry_at = self
                .retry_at
                .max(now.saturating_add(wait.min(MAX_OUTAGE_COOLDOWN)));
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Closed,
    Open(Outage),
    Probing {
        outage: Outage,
        probe: u64,
        /// Monotonic: past this the probe is presumed lost.
        lease_until: Duration,
    },
}

/// The outage guard of one API root (docs/contract.md §10); `src/outage.rs` draws its state
/// diagram and walks it. One per `Verifier`/`Validator`/CLI run, behind a mutex, consulted
/// before every request ([`before_request`](Self::before_request)) and told every answer
/// ([`record`](Self::record), [`record_probe`](Self::record_probe)); every method is a quick
/// decision with no I/O, so the lock is held for microseconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutageGuard {
    settings: OutageSettings,
    state: State,
    /// The tokens whose GitHub-side failure is in the count of consecutive failures, one
    /// each: ids, never tokens, kept only while the count lasts (evidence or closing forgets
    /// them). While closed there are fewer than `threshold`; while open, one more for each
    /// token failing as a probe or a straggler.
    counted: BTreeSet<TokenId>,
    /// The latest monotonic reading seen: a reading older than this is taken as this.
    latest: Duration,
    /// The id of the last probe let through.
    probes: u64,
}

impl Default for OutageGuard {
    /// A closed guard with the default settings.
    fn default() -> Self {
        Self::new(OutageSettings::default())
    }
}

impl OutageGuard {
    /// A closed guard.
    #[must_use]
    pub fn new(settings: OutageSettings) -> Self {
        Self {
            settings,
            state: State::Closed,
            counted: BTreeSet::new(),
            latest: Duration::ZERO,
            probes: 0,
        }
    }

    /// Asks whether a request may go at monotonic `now`. `timeout` is how long that request
    /// may take ([`Request::timeout`](crate::verification::Request::timeout)): if it becomes the probe and no
    /// answer is recorded within it (plus [`PROBE_GRACE`], at most [`MAX_OUTAGE_COOLDOWN`]),
    /// the probe is presumed lost and the next request probes instead.
    pub fn before_request(&mut self, now: Duration, timeout: Duration) -> Permit {
        let now = self.advance(now);
        match self.state {
            State::Closed => Permit::Go,
            State::Open(outage) if now >= outage.retry_at => self.probe(outage, now, timeout),
            State::Probing {
                outage,
                lease_until,
                ..
            } if now >= lease_until => self.probe(outage, now, timeout),
            State::Open(outage) => {
                Permit::ShortCircuit(refusal(&outage, self.failures(), now, false))
            }
            State::Probing { outage, .. } => {
                Permit::ShortCircuit(refusal(&outage, self.failures(), now, true))
            }
        }
    }

    /// Records the answer to a request for `token` sent on [`Permit::Go`] (or one whose probe
    /// ticket is no longer current), at monotonic `now` and wall time `wall`. A GitHub-side
    /// failure counts only if no failure of the same token is counted already: one miner's
    /// token, however often it fails, cannot open the guard every miner shares.
    pub fn record(
        &mut self,
        outcome: GuardOutcome,
        token: TokenId,
        now: Duration,
        wall: UnixTime,
    ) -> GuardChange {
        let now = self.advance(now);
        if self.settings.is_off() {
            return GuardChange::Unchanged;
        }
        match (&mut self.state, outcome) {
            (State::Closed, GuardOutcome::GithubSideFailure { retry_after }) => {
                if self.counted.insert(token) && self.failures() >= self.settings.threshold {
                    self.open(retry_after, now, wall);
                    return GuardChange::Opened;
                }
                GuardChange::Unchanged
            }
            (State::Closed, GuardOutcome::RateLimited) => GuardChange::Unchanged,
            (State::Closed, GuardOutcome::Evidence) => {
                self.counted.clear();
                GuardChange::Unchanged
            }
            (
                State::Open(outage) | State::Probing { outage, .. },
                GuardOutcome::GithubSideFailure { retry_after },
            ) => {
                outage.fail(retry_after, now);
                self.counted.insert(token);
                GuardChange::Unchanged
            }
            (
                State::Open(_) | State::Probing { .. },
                GuardOutcome::RateLimited | GuardOutcome::Evidence,
            ) => self.close(),
        }
    }

    /// Records the answer to the probe, sent for `token`, at monotonic `now` and wall time
    /// `wall`: a GitHub-side failure opens the guard again with the cool-down doubled (and
    /// counts, if that token's failure is not counted yet); any other answer closes it. A
    /// ticket that is no longer current is recorded as [`record`](Self::record) would.
    pub fn record_probe(
        &mut self,
        ticket: ProbeTicket,
        outcome: GuardOutcome,
        token: TokenId,
        now: Duration,
        wall: UnixTime,
    ) -> GuardChange {
        let State::Probing {
            mut outage, probe, ..
        } = self.state
        else {
            return self.record(outcome, token, now, wall);
        };
        if probe != ticket.id {
            return self.record(outcome, token, now, wall);
        }
        let now = self.advance(now);
        match outcome {
            GuardOutcome::GithubSideFailure { retry_after } => {
                self.counted.insert(token);
                outage.cooldown = cooldown(outage.cooldown.saturating_mul(2), retry_after);
                outage.retry_at = now.saturating_add(outage.cooldown);
                outage.anchor = (now, wall);
                self.state = State::Open(outage);
                GuardChange::Reopened
            }
            GuardOutcome::RateLimited | GuardOutcome::Evidence => self.close(),
        }
    }

    /// `None` while closed; else when it opened, when the next probe may go and how many
    /// failures it counted (`Verifier.outage`).
    #[must_use]
    pub fn state(&self) -> Option<OutageState> {
        let (outage, probing) = match &self.state {
            State::Closed => return None,
            State::Open(outage) => (outage, false),
            State::Probing { outage, .. } => (outage, true),
        };
        Some(OutageState {
            opened_at: outage.opened_at,
            retry_at: outage.wall(outage.retry_at),
            failures: self.failures(),
            probing,
        })
    }

    /// Whether the guard is open or probing: `pat_verdict_outage_guard_open` is 1 then.
    #[must_use]
    pub fn is_open(&self) -> bool {
        !matches!(self.state, State::Closed)
    }

    /// Consecutive GitHub-side failures counted so far, at most one per token (0 after any
    /// evidence).
    #[must_use]
    pub fn failures(&self) -> u32 {
        u32::try_from(self.counted.len()).unwrap_or(u32::MAX)
    }

    /// `now`, or the latest reading seen if `now` is older (time never runs backwards here).
    fn advance(&mut self, now: Duration) -> Duration {
        self.latest = self.latest.max(now);
        self.latest
    }

    fn open(&mut self, retry_after: Option<Duration>, now: Duration, wall: UnixTime) {
        let cooldown = cooldown(self.settings.cooldown, retry_after);
        self.state = State::Open(Outage {
            opened_at: wall,
            cooldown,
            retry_at: now.saturating_add(cooldown),
            anchor: (now, wall),
        });
    }

    fn close(&mut self) -> GuardChange {
        self.state = State::Closed;
        self.counted.clear();
        GuardChange::Closed
    }

    fn probe(&mut self, outage: Outage, now: Duration, timeout: Duration) -> Permit {
        self.probes = self.probes.wrapping_add(1);
        let lease = timeout.saturating_add(PROBE_GRACE).min(MAX_OUTAGE_COOLDOWN);
        self.state = State::Probing {
            outage,
            probe: self.probes,
            lease_until: now.saturating_add(lease),
        };
        Permit::Probe(ProbeTicket { id: self.probes })
    }
}

/// The cool-down in force: `base`, or a longer `retry-after`, at most [`MAX_OUTAGE_COOLDOWN`].
fn cooldown(base: Duration, retry_after: Option<Duration>) -> Duration {
    base.max(retry_after.unwrap_or(Duration::ZERO))
        .min(MAX_OUTAGE_COOLDOWN)
}

fn refusal(outage: &Outage, failures: u32, now: Duration, probing: bool) -> Refusal {
    let until = if probing {
        outage.retry_at.max(now)
    } else {
        outage.retry_at
    };
    Refusal {
        failures,
        opened_at: outage.opened_at,
        retry_at: outage.wall(until),
        wait: until.saturating_sub(now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_cooldown_in_zero_to_ten_minutes_is_accepted() {
        assert_eq!(parse_outage_cooldown("30"), Ok(Duration::from_secs(30)));
        assert_eq!(
            parse_outage_cooldown(" 0.5 "),
            Ok(Duration::from_millis(500))
        );
        assert_eq!(parse_outage_cooldown("600"), Ok(MAX_OUTAGE_COOLDOWN));
        for bad in ["0", "-0", "-1", "600.001", "NaN", "inf", "-inf", "1e300"] {
            assert_eq!(
                parse_outage_cooldown(bad),
                Err(OutageSettingsError::CooldownOutOfRange),
                "{bad}"
            );
        }
        for bad in ["", "soon", "30s", "0x10"] {
            assert_eq!(
                parse_outage_cooldown(bad),
                Err(OutageSettingsError::CooldownNotANumber),
                "{bad}"
            );
        }
        assert_eq!(
            OutageSettings::new(6, Duration::ZERO),
            Err(OutageSettingsError::CooldownOutOfRange)
        );
        assert_eq!(
            OutageSettings::new(6, Duration::from_secs(601)),
            Err(OutageSettingsError::CooldownOutOfRange)
        );
        let settings = OutageSettings::new(0, Duration::from_secs(600)).unwrap();
        assert!(settings.is_off());
        assert_eq!(settings.cooldown(), MAX_OUTAGE_COOLDOWN);
    }

    #[test]
    fn the_errors_read_as_sentences() {
        assert_eq!(
            OutageSettingsError::CooldownOutOfRange.to_string(),
            "the outage cool-down must be more than 0 and at most 600 seconds"
        );
    }

    #[test]
    fn wall_times_round_up_to_the_second() {
        let outage = Outage {
            opened_at: UnixTime(100),
            cooldown: DEFAULT_OUTAGE_COOLDOWN,
            retry_at: Duration::from_millis(30_500),
            anchor: (Duration::from_millis(500), UnixTime(100)),
        };
        assert_eq!(outage.wall(Duration::from_millis(30_500)), UnixTime(130));
        assert_eq!(outage.wall(Duration::from_millis(30_501)), UnixTime(131));
        // Before the anchor: the anchor's own second.
        assert_eq!(outage.wall(Duration::ZERO), UnixTime(100));
    }
}
