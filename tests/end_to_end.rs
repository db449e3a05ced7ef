//! The handlers end to end on the real adapters: the ureq client over loopback sockets to the
//! fake GitHub, the JSON file store in a temporary folder, the system clock. The seed's
//! reproduction over real sockets: a 503 on the test query gives `pat_valid == None` with the
//! retry message, and the store file is untouched. Backoffs are shortened (10 ms) so the
//! retries cost milliseconds; nothing here depends on timing.

#![allow(
    clippy::expect_used,
    reason = "a test whose setup fails should stop loudly, as an assertion does"
)]

use std::path::PathBuf;
use std::time::Duration;

use pat_verdict::store::SaveOutcome;
use pat_verdict::testing::entry;
use pat_verdict::{
    BroadcastOutcome, CauseKind, CheckCategory, CheckResponse, Endpoint, Hotkey, HotkeyList,
    PatStore, RetryPolicy, SecretString, Uid, Validator, Verifier,
};
use pat_verdict_fake_github::{FakeGithub, Reply};
use pat_verdict_json_store::JsonStore;
use pat_verdict_system_clock::SystemClock;
use pat_verdict_ureq_http::UreqGithub;

type RealValidator = Validator<UreqGithub, JsonStore, HotkeyList, SystemClock>;

struct Setup {
    github: FakeGithub,
    path: PathBuf,
    validator: RealValidator,
    _folder: tempfile::TempDir,
}

fn setup() -> Setup {
    let github = FakeGithub::start().expect("the fake GitHub starts");
    let folder = tempfile::tempdir().expect("a temp folder");
    let path = folder.path().join("data").join("miner_pats.json");
    let policy = RetryPolicy {
        first_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(40),
        // Every answer here comes at once: the deadline is only a bound that a loaded
        // machine must never reach, or the seed's three attempts would become two.
        deadline: Duration::from_secs(60),
        ..RetryPolicy::default()
    };
    let client = UreqGithub::new(&github.url()).expect("a loopback URL");
    let verifier = Verifier::new(client, SystemClock::new(), policy);
    let registry = HotkeyList::new(vec![Hotkey::new("hotkey_0"), Hotkey::new("hotkey_1")]);
    let validator = Validator::new(verifier, JsonStore::new(&path), registry);
    Setup {
        github,
        path,
        validator,
        _folder: folder,
    }
}

impl Setup {
    async fn broadcast(&self, hotkey: &str, pat: &str) -> BroadcastOutcome {
        self.validator
            .broadcast(&Hotkey::new(hotkey), &SecretString::from(pat))
            .await
    }

    async fn check(&self, hotkey: &str) -> CheckResponse {
        self.validator.check(&Hotkey::new(hotkey)).await.into()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_reproduction_over_real_sockets() {
    let setup = setup();
    let seeded = setup
        .validator
        .store()
        .save_pinned(entry(1, "hotkey_1", "ghp_stored", "1001"))
        .await;
    assert_eq!(seeded.expect("seed the store"), SaveOutcome::Saved);
    let before = std::fs::read(&setup.path).expect("the store file");
    setup.github.script(
        "ghp_stored",
        Endpoint::Identity,
        [Reply::user(1001, "miner1")],
    );
    setup
        .github
        .script("ghp_stored", Endpoint::TestQuery, [Reply::status(503)]);

    let answer = setup.check("hotkey_1").await;
    assert_eq!(answer.has_pat, Some(true));
    assert_eq!(answer.pat_valid, None);
    assert_eq!(
        answer.rejection_reason.as_deref(),
        Some("GitHub API temporarily unavailable; retry the check in a few minutes.")
    );
    assert_eq!(answer.category, CheckCategory::Inconclusive);
    assert_eq!(
        setup.github.requests(Endpoint::TestQuery),
        3,
        "three attempts"
    );

    let answer = setup.broadcast("hotkey_1", "ghp_stored").await;
    assert_eq!(
        answer,
        BroadcastOutcome::retry_later(
            "GitHub API temporarily unavailable during PAT test query; retry the broadcast in a few minutes. (GitHub GraphQL API returned 503)",
            CauseKind::GithubDown
        )
    );
    let after = std::fs::read(&setup.path).expect("the store file");
    assert_eq!(before, after, "the store is untouched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broadcast_then_check_over_real_sockets() {
    let setup = setup();
    setup.github.valid("ghp_fresh", 2002, "newcomer");
    let answer = setup.broadcast("hotkey_0", "ghp_fresh\n").await;
    assert_eq!(answer, BroadcastOutcome::Accepted);
    let stored = setup
        .validator
        .store()
        .get(Uid(0))
        .await
        .expect("the store reads")
        .expect("the entry was saved");
    assert_eq!(stored.github_id.as_str(), "2002");

    let check = setup.check("hotkey_0").await;
    assert_eq!(check.category, CheckCategory::Valid);

    // A reset during GitHub's outage is inconclusive too, and leaves the entry as it was.
    setup
        .github
        .script("ghp_fresh", Endpoint::Identity, [Reply::reset()]);
    let check = setup.check("hotkey_0").await;
    assert_eq!(check.category, CheckCategory::Inconclusive);
    let still = setup.validator.store().get(Uid(0)).await.expect("reads");
    assert_eq!(still, Some(stored));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_store_file_fails_closed_and_is_not_replaced() {
    let setup = setup();
    setup.github.valid("ghp_fresh", 2002, "newcomer");
    std::fs::create_dir_all(setup.path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(&setup.path, b"{ not json").expect("write");
    let answer = setup.broadcast("hotkey_0", "ghp_fresh").await;
    let BroadcastOutcome::RetryLater { reason, .. } = answer else {
        panic!("a corrupt store is retryable: {answer:?}");
    };
    assert!(
        reason.starts_with("Validator PAT store temporarily unavailable; please retry. ("),
        "{reason}"
    );
    assert_eq!(std::fs::read(&setup.path).expect("read"), b"{ not json");
    let check = setup.check("hotkey_0").await;
    assert_eq!(check.category, CheckCategory::Inconclusive);
    let detail = check.detail.unwrap_or_default();
    assert!(
        detail.starts_with("the PAT store is corrupt: "),
        "the detail names the failure: {detail}"
    );
}
