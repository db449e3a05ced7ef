//! The JSON store against the faults of docs/contract.md §7 that a newcomer and an operator met: paths
//! that are not files, lock files that cannot be opened, symbolic links, bad entries among
//! good ones, every byte of a file written by gittensor's own Python.
#![cfg(unix)]
// Test helpers too: a failed step should stop the test loudly, as an assertion does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;

use pat_verdict::store::SaveOutcome;
use pat_verdict::testing::entry;
use pat_verdict::{GithubId, Hotkey, PatStore, StoreError, Uid};
use pat_verdict_json_store::JsonStore;

use common::{
    SECRET, assert_saves, every_error, full_text, python3, read_json, save, store_holding,
    store_in, uids,
};
use serde_json::{Value, json};

/// A file written by gittensor's `pat_storage.py`: `json.dump(entries, f, indent=2)`.
const GITTENSOR_FILE: &str = include_str!("fixtures/gittensor_miner_pats.json");

/// A good store file of one entry, uid 1 (`ghp_a`, account 10).
const A_GOOD_FILE: &str = r#"[{"uid": 1, "hotkey": "hk1", "pat": "ghp_a", "github_id": "10"}]"#;

/// Every operation of `store` fails as unavailable (never "empty", never a hang) and the
/// message holds `words`.
async fn unavailable_everywhere(store: &JsonStore, words: &str) {
    for error in &every_error(store).await {
        let text = full_text(error);
        assert!(
            matches!(error, StoreError::Read(_) | StoreError::Write(_)),
            "{text}"
        );
        assert!(text.contains(words), "{words:?} not in {text}");
    }
}

#[tokio::test]
async fn a_dangling_symlink_in_the_locks_place_is_unavailable_not_empty() {
    let (dir, store, _) = store_holding(A_GOOD_FILE);
    let elsewhere = dir.path().join("elsewhere").join("created.lock");
    symlink(&elsewhere, dir.path().join("miner_pats.json.lock")).unwrap();
    unavailable_everywhere(&store, "miner_pats.json.lock").await;
    // The link was not followed to create a file elsewhere.
    assert!(!elsewhere.exists());
    fs::create_dir(elsewhere.parent().unwrap()).unwrap();
    unavailable_everywhere(&store, "symbolic link").await;
    assert!(!elsewhere.exists());
}

#[tokio::test]
async fn a_directory_in_the_locks_place_is_unavailable_not_empty() {
    let (dir, store, path) = store_holding(A_GOOD_FILE);
    fs::create_dir(dir.path().join("miner_pats.json.lock")).unwrap();
    unavailable_everywhere(&store, "cannot open the lock file").await;
    assert!(fs::read_to_string(&path).unwrap().contains("ghp_a"));
}

#[tokio::test]
async fn a_fifo_as_the_store_is_unavailable_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (store, path) = store_in(&dir);
    let made = Command::new("mkfifo").arg(&path).status().unwrap();
    assert!(made.success());
    // Before the fix, opening the FIFO blocked until a writer came: this test hung.
    let answer = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        unavailable_everywhere(&store, "is a FIFO, not a regular file").await;
    })
    .await;
    assert!(answer.is_ok(), "the store hung on a FIFO");
}

#[tokio::test]
async fn a_device_or_a_directory_as_the_store_is_unavailable() {
    unavailable_everywhere(
        &JsonStore::new("/dev/null"),
        "/dev/null is a device, not a regular file",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (store, path) = store_in(&dir);
    fs::create_dir(&path).unwrap();
    unavailable_everywhere(&store, "is a directory, not a regular file").await;
}

#[tokio::test]
async fn a_symlinked_store_is_written_through_and_the_link_stays() {
    let dir = tempfile::tempdir().unwrap();
    let real_folder = dir.path().join("real");
    fs::create_dir(&real_folder).unwrap();
    let real = real_folder.join("pats.json");
    fs::write(&real, A_GOOD_FILE).unwrap();
    let link = dir.path().join("miner_pats.json");
    symlink("real/pats.json", &link).unwrap();
    let store = JsonStore::new(&link);

    save(&store, entry(2, "hk2", "ghp_b", "20")).await;
    assert!(link.is_symlink());
    assert_eq!(read_json(&real).as_array().unwrap().len(), 2);
    // The lock is beside the real file, not beside the link.
    assert!(real_folder.join("pats.json.lock").exists());
    assert!(!dir.path().join("miner_pats.json.lock").exists());
    assert_eq!(store.all().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_symlink_to_a_store_not_written_yet_is_created_through_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("miner_pats.json");
    symlink("target.json", &link).unwrap();
    let store = JsonStore::new(&link);
    assert!(store.all().await.unwrap().is_empty());
    save(&store, entry(1, "hk1", "ghp_a", "10")).await;
    assert!(link.is_symlink());
    assert!(dir.path().join("target.json").is_file());
}

#[tokio::test]
async fn one_unusable_entry_affects_only_its_own_uid_and_is_kept_byte_for_byte() {
    let bad_uid_2 = format!(r#"{{"uid": 2,   "pat": "{SECRET}", "note": 1e400}}"#);
    let no_uid = format!(r#"{{"hotkey": "hk9", "pat": "{SECRET}"}}"#);
    let (_dir, store, path) = store_holding(format!(
        r#"[{{"uid": 1, "hotkey": "hk1", "pat": "ghp_a", "github_id": "10"}},
  {bad_uid_2},
  {no_uid},
  {{"uid": 3, "hotkey": "hk3", "pat": "ghp_c", "github_id": "30"}}]"#
    ));

    // Other miners are served.
    assert_eq!(
        store.get(Uid(1)).await.unwrap().unwrap().pat_text(),
        "ghp_a"
    );
    assert_eq!(store.all().await.unwrap().len(), 2);
    assert_saves(&store, entry(3, "hk3", "ghp_c2", "30"), SaveOutcome::Saved).await;
    save(&store, entry(4, "hk4", "ghp_d", "40")).await;

    // Its own uid is unavailable, with the reason, never the PAT.
    for error in [
        store.get(Uid(2)).await.unwrap_err(),
        store
            .save_pinned(entry(2, "hk2", "ghp_x", "20"))
            .await
            .unwrap_err(),
    ] {
        let text = full_text(&error);
        assert!(matches!(error, StoreError::Corrupt(_)), "{text}");
        assert!(
            text.contains("the entry for uid 2 cannot be used: entry 1 has no \"hotkey\""),
            "{text}"
        );
        assert!(!text.contains("SECRET"), "{text}");
    }

    // Audit sees both unusable entries.
    let listing = store.listing().await.unwrap();
    assert_eq!(listing.entries.len(), 3);
    assert_eq!(listing.unusable.len(), 2);
    assert_eq!(listing.unusable[0].uid, Some(Uid(2)));
    assert_eq!(listing.unusable[1].uid, None);
    assert_eq!(listing.unusable[1].hotkey, Some(Hotkey::new("hk9")));
    assert!(listing.unusable[1].reason.contains("has no \"uid\""));
    // Its audit row: the entry cannot be used, and why, never its PAT.
    for unusable in &listing.unusable {
        let row = unusable.audit_reason();
        assert!(row.starts_with("the store entry cannot be used: "), "{row}");
        assert!(row.ends_with(&unusable.reason), "{row}");
        assert!(!row.contains(SECRET), "{row}");
    }
    assert!(
        listing.unusable[1]
            .audit_reason()
            .contains("has no \"uid\""),
    );

    // Two rewrites and a refused save for its own uid later, both are there byte for byte.
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(&bad_uid_2), "{text}");
    assert!(text.contains(&no_uid), "{text}");

    // No save replaces it; once a person fixes it in the file, its miner is served and may
    // broadcast again.
    let fixed = r#"{"uid": 2, "hotkey": "hk2", "pat": "ghp_e", "github_id": "20"}"#;
    fs::write(&path, text.replace(&bad_uid_2, fixed)).unwrap();
    assert!(store.get(Uid(2)).await.unwrap().is_some());
    save(&store, entry(2, "hk2", "ghp_f", "20")).await;
    assert!(!fs::read_to_string(&path).unwrap().contains(&bad_uid_2));
}

/// The PAT of an entry, for assertions.
trait PatText {
    fn pat_text(&self) -> String;
}

impl PatText for pat_verdict::store::StoredPat {
    fn pat_text(&self) -> String {
        pat_verdict::ExposeSecret::expose_secret(&self.pat).to_owned()
    }
}

#[tokio::test]
async fn an_absent_empty_or_zero_github_id_pins_nothing_and_stays_as_it_was() {
    let (_dir, store, path) = store_holding(
        r#"[{"uid": 1, "hotkey": "hk1", "pat": "ghp_a"},
            {"uid": 2, "hotkey": "hk2", "pat": "ghp_b", "github_id": ""},
            {"uid": 3, "hotkey": "hk3", "pat": "ghp_c", "github_id": "0"},
            {"uid": 4, "hotkey": "hk4", "pat": "ghp_d", "github_id": null}]"#,
    );
    // Rewrite the file once through another uid: absent stays absent, null stays null.
    save(&store, entry(9, "hk9", "ghp_z", "90")).await;
    let written = read_json(&path);
    assert!(!written[0].as_object().unwrap().contains_key("github_id"));
    assert!(!written[0].as_object().unwrap().contains_key("stored_at"));
    assert_eq!(written[1]["github_id"], json!(""));
    assert_eq!(written[3]["github_id"], Value::Null);
    // Each miner may broadcast any account, and is pinned from then on.
    for uid in 1..=4 {
        let hotkey = format!("hk{uid}");
        assert_saves(
            &store,
            entry(uid, &hotkey, "ghp_new", "555"),
            SaveOutcome::Saved,
        )
        .await;
        assert_eq!(
            store.get(Uid(uid)).await.unwrap().unwrap().github_id,
            GithubId::new("555")
        );
        let other = entry(uid, &hotkey, "ghp_other", "556");
        assert_saves(&store, other, SaveOutcome::IdentityLocked).await;
    }
}

#[tokio::test]
async fn an_unknown_big_number_keeps_every_digit_in_every_entry() {
    let (_dir, store, path) = store_holding(
        r#"[{"uid": 1, "hotkey": "hk1", "pat": "ghp_a", "github_id": "10", "score": 12345678901234567890123},
            {"uid": 2, "hotkey": "hk2", "pat": "ghp_b", "github_id": "20", "weight": 0.10000000000000000555}]"#,
    );
    save(&store, entry(3, "hk3", "ghp_c", "30")).await;
    assert_saves(&store, entry(1, "hk1", "ghp_a2", "10"), SaveOutcome::Saved).await;
    let text = fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(r#""score": 12345678901234567890123"#),
        "{text}"
    );
    assert!(
        text.contains(r#""weight": 0.10000000000000000555"#),
        "{text}"
    );
    assert_eq!(text.matches("12345678901234567890123").count(), 1);
}

#[tokio::test]
async fn a_file_written_by_gittensors_python_reads() {
    let (_dir, store, _) = store_holding(GITTENSOR_FILE);
    assert_eq!(uids(&store.all().await.unwrap()), [3, 7, 12]);
    let twelve = store.get(Uid(12)).await.unwrap().unwrap();
    assert_eq!(twelve.github_id, GithubId::new("583231"));
    assert_eq!(twelve.stored_at, "2026-11-25T15:41:48.041495+00:00");
    assert_eq!(
        twelve.hotkey,
        Hotkey::new("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")
    );
    // The placeholder id pins nothing.
    assert!(store.get(Uid(7)).await.unwrap().unwrap().pins_nothing());
}

/// What Python's `json.load` makes of `path`, printed back as sorted, compact JSON.
fn python_reads(path: &Path) -> Value {
    let script = "import json, sys\n\
                  with open(sys.argv[1]) as f:\n    entries = json.load(f)\n\
                  assert isinstance(entries, list)\n\
                  print(json.dumps(entries, sort_keys=True))";
    serde_json::from_slice(&python3(script, path)).unwrap()
}

#[tokio::test]
async fn a_file_this_store_writes_reads_back_in_pythons_json_load() {
    let (_dir, store, path) = store_holding(GITTENSOR_FILE);
    let mut new = entry(5, "5Hk\u{e9}", "github_pat_11new", "77");
    new.stored_at = "2026-11-25T16:00:00.000001+00:00".to_owned();
    save(&store, new).await;
    let rotated = entry(
        3,
        "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty",
        "ghp_rot",
        "9919",
    );
    assert_saves(&store, rotated, SaveOutcome::Saved).await;

    let read = python_reads(&path);
    let by_uid = |uid: u64| {
        read.as_array()
            .unwrap()
            .iter()
            .find(|e| e["uid"] == json!(uid))
            .cloned()
            .unwrap()
    };
    assert_eq!(read.as_array().unwrap().len(), 4);
    assert_eq!(
        by_uid(12),
        json!({
            "uid": 12,
            "hotkey": "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
            "pat": "github_pat_11AAAAAAA0fixturefixturefixture",
            "github_id": "583231",
            "stored_at": "2026-11-25T15:41:48.041495+00:00"
        })
    );
    assert_eq!(
        by_uid(5),
        json!({
            "uid": 5,
            "hotkey": "5Hk\u{e9}",
            "pat": "github_pat_11new",
            "github_id": "77",
            "stored_at": "2026-11-25T16:00:00.000001+00:00"
        })
    );
    assert_eq!(by_uid(3)["pat"], json!("ghp_rot"));
    assert_eq!(by_uid(3)["github_id"], json!("9919"));
    assert_eq!(by_uid(7)["github_id"], json!(""));
}

/// A store file larger than 64 MiB is unavailable with a reason and read no further
/// (docs/contract.md §7, added 2026-12-07): a 2 GB sparse file costs nothing to look at, and
/// is never rewritten (no wipe).
#[tokio::test]
async fn a_store_larger_than_64_mib_is_unavailable_and_not_read() {
    let (dir, store, _) = store_holding(A_GOOD_FILE);
    let path = dir.path().join("miner_pats.json");
    let file = fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len(2 * 1024 * 1024 * 1024).unwrap();
    drop(file);
    unavailable_everywhere(&store, "more than a PAT store can be").await;
    assert_eq!(
        fs::metadata(&path).unwrap().len(),
        2 * 1024 * 1024 * 1024,
        "untouched"
    );
    // Exactly at the cap it is read (and found corrupt: it is not JSON), one byte more is not.
    let file = fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len(pat_verdict_json_store::MAX_STORE_BYTES)
        .unwrap();
    drop(file);
    let at_cap = store.get(Uid(1)).await.unwrap_err();
    assert!(
        matches!(at_cap, StoreError::Corrupt(_)),
        "{}",
        full_text(&at_cap)
    );
}
