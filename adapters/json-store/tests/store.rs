//! The JSON store against docs/contract.md §7, in one process: the shared store contract, fail-closed
//! reads of corrupt files, old formats, unknown keys, permissions and threads.
#![cfg(unix)]
// Test helpers too: a failed step should stop the test loudly, as an assertion does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::{Arc, Barrier};

use pat_verdict::store::SaveOutcome;
use pat_verdict::testing::{entry, store_contract};
use pat_verdict::{GithubId, PatStore, StoreError, Uid};
use pat_verdict_json_store::JsonStore;

use common::{
    SECRET, assert_saves, errors_everywhere, full_text, read_json, save, store_holding, store_in,
    uids,
};
use serde_json::{Value, json};

fn temp_files(folder: &Path) -> Vec<String> {
    fs::read_dir(folder)
        .unwrap()
        .map(|item| item.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".tmp."))
        .collect()
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn honours_the_store_contract() {
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    store_contract::run(|| {
        n += 1;
        // Each store in a folder that does not exist yet.
        JsonStore::new(dir.path().join(n.to_string()).join("miner_pats.json"))
    })
    .await;
}

#[tokio::test]
async fn a_missing_file_or_folder_reads_as_empty_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("data");
    let store = JsonStore::new(folder.join("miner_pats.json"));
    assert_eq!(store.get(Uid(1)).await.unwrap(), None);
    assert!(store.all().await.unwrap().is_empty());
    assert!(!folder.exists(), "a read must not create the folder");

    fs::create_dir(&folder).unwrap();
    assert!(store.all().await.unwrap().is_empty());
    assert!(!store.path().exists());
}

#[tokio::test]
async fn the_first_save_creates_the_folder_and_a_0600_file() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("validator").join("data");
    let path = folder.join("miner_pats.json");
    let store = JsonStore::new(&path);
    let saved = entry(4, "hk4", "ghp_a", "40");
    assert_saves(&store, saved.clone(), SaveOutcome::Saved).await;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&folder), 0o700);
    assert_eq!(mode(&folder.join("miner_pats.json.lock")), 0o600);
    assert_eq!(store.get(Uid(4)).await.unwrap(), Some(saved));
    assert!(temp_files(&folder).is_empty());

    assert_eq!(
        read_json(&path),
        json!([{
            "uid": 4, "hotkey": "hk4", "pat": "ghp_a", "github_id": "40",
            "stored_at": "2026-01-01T00:00:00Z"
        }])
    );
}

#[tokio::test]
async fn a_world_readable_store_is_0600_after_a_rewrite() {
    let (_dir, store, path) = store_holding("[]");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    save(&store, entry(1, "hk", "ghp_a", "1")).await;
    assert_eq!(mode(&path), 0o600);
}

/// Files that are not a store, each with the kind of error every operation must report.
fn corrupt_files() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("open brace", b"{".to_vec()),
        ("empty file", Vec::new()),
        ("object", b"{}".to_vec()),
        ("null", b"null".to_vec()),
        ("array of a number", b"[1]".to_vec()),
        ("not UTF-8", b"[\xff\xfe]".to_vec()),
        (
            "object holding a pat",
            format!(r#"{{"uid": 1, "pat": "{SECRET}"}}"#).into_bytes(),
        ),
        (
            "truncated mid-pat",
            format!(r#"[{{"uid": 1, "hotkey": "h", "pat": "{SECRET}"#).into_bytes(),
        ),
        (
            "garbage after the pat",
            format!(
                r#"[{{"uid": 1, "hotkey": "h", "pat": "{SECRET}", "github_id": "1"}}] {SECRET}"#
            )
            .into_bytes(),
        ),
    ]
}

#[tokio::test]
async fn a_corrupt_store_is_an_error_everywhere_and_is_never_written() {
    for (name, bytes) in corrupt_files() {
        let (dir, store, path) = store_holding(&bytes);

        let errors = errors_everywhere(&store, Uid(1), entry(2, "hk", "ghp_new", "1")).await;
        for error in &errors {
            assert!(matches!(error, StoreError::Corrupt(_)), "{name}: {error:?}");
            let text = full_text(error);
            assert!(
                !text.contains("SECRET"),
                "{name}: the error quotes the file: {text}"
            );
            assert!(!text.contains("ghp_new"), "{name}: {text}");
            assert!(text.contains(&path.display().to_string()), "{name}: {text}");
        }
        assert_eq!(fs::read(&path).unwrap(), bytes, "{name}: the file changed");
        assert!(temp_files(dir.path()).is_empty(), "{name}");
    }
}

#[tokio::test]
async fn corrupt_errors_say_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let (store, path) = store_in(&dir);
    let expect = [
        (&b"{}"[..], "an object where an array of entries belongs"),
        (b"[1]", "entry 0 is a number, not an object"),
        (b"{", "JSON that ends early (line 1, column 1)"),
    ];
    for (bytes, words) in expect {
        fs::write(&path, bytes).unwrap();
        let text = full_text(&store.all().await.unwrap_err());
        assert!(
            text.contains(&format!("{} holds {words}", path.display())),
            "{text}"
        );
    }
}

#[tokio::test]
async fn an_unreadable_store_is_a_read_error_and_is_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let (store, path) = store_in(&dir);
    // A folder where the file belongs cannot be read as a file (even by root).
    fs::create_dir(&path).unwrap();
    fs::write(path.join("keep"), "x").unwrap();
    assert!(matches!(store.all().await, Err(StoreError::Read(_))));
    let error = store
        .save_pinned(entry(1, "hk", "ghp_a", "1"))
        .await
        .unwrap_err();
    let text = full_text(&error);
    assert!(matches!(error, StoreError::Read(_)), "{text}");
    assert!(
        text.contains("is a directory, not a regular file"),
        "{text}"
    );
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(path.join("keep").exists());
    assert!(temp_files(dir.path()).is_empty());
}

#[tokio::test]
async fn an_old_file_with_numeric_github_ids_reads_and_pins_by_value() {
    let (_dir, store, path) = store_holding(
        r#"[{"uid": 7, "hotkey": "hk7", "pat": "ghp_old", "github_id": 42, "stored_at": "2025-06-01T12:00:00"}]"#,
    );
    let stored = store.get(Uid(7)).await.unwrap().unwrap();
    assert_eq!(stored.github_id, GithubId::new("42"));

    // The same account broadcasting again is not locked out over the number's type.
    assert_saves(&store, entry(7, "hk7", "ghp_new", "42"), SaveOutcome::Saved).await;
    let other = entry(7, "hk7", "ghp_other", "43");
    assert_saves(&store, other, SaveOutcome::IdentityLocked).await;
    let written = read_json(&path);
    assert_eq!(written[0]["github_id"], json!("42"));
    assert_eq!(written[0]["pat"], json!("ghp_new"));
}

#[tokio::test]
async fn unknown_keys_survive_rewrites_of_the_file() {
    let (_dir, store, path) = store_holding(
        r#"[
          {"uid": 2, "hotkey": "hk2", "pat": "ghp_b", "github_id": "20", "stored_at": "x",
           "scored_at": {"when": [1, 2]}, "tier": "gold"},
          {"uid": 1, "hotkey": "hk1", "pat": "ghp_a", "github_id": "10", "stored_at": "y",
           "note": null}
        ]"#,
    );
    // A write to another uid rewrites the whole file.
    save(&store, entry(3, "hk3", "ghp_c", "30")).await;
    // A rotation of the same hotkey rewrites the entry itself.
    assert_saves(&store, entry(2, "hk2", "ghp_b2", "20"), SaveOutcome::Saved).await;

    let written = read_json(&path);
    let uids: Vec<_> = written
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["uid"].clone())
        .collect();
    assert_eq!(uids, [json!(1), json!(2), json!(3)]);
    assert_eq!(written[0]["note"], Value::Null);
    assert!(written[0].as_object().unwrap().contains_key("note"));
    assert_eq!(written[1]["scored_at"], json!({"when": [1, 2]}));
    assert_eq!(written[1]["tier"], json!("gold"));
    assert_eq!(written[1]["pat"], json!("ghp_b2"));
}

#[tokio::test]
async fn a_duplicated_uid_reads_as_its_last_entry_and_is_written_once() {
    let (_dir, store, path) = store_holding(
        r#"[{"uid": 1, "hotkey": "first", "pat": "p1", "github_id": "1"},
            {"uid": 1, "hotkey": "last", "pat": "p2", "github_id": "2"}]"#,
    );
    let stored = store.get(Uid(1)).await.unwrap().unwrap();
    assert_eq!(stored.hotkey.as_str(), "last");
    assert_eq!(store.all().await.unwrap().len(), 1);
    save(&store, entry(2, "hk", "p", "3")).await;
    let written = read_json(&path);
    assert_eq!(written.as_array().unwrap().len(), 2);
    assert_eq!(written[0]["hotkey"], json!("last"));
}

#[tokio::test]
async fn a_crashed_writers_temp_file_is_removed_by_the_next_write() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = store_in(&dir);
    let stale = dir.path().join(".miner_pats.json.tmp.99999.0");
    fs::write(&stale, "[{\"half").unwrap();
    let unrelated = dir.path().join(".other.json.tmp.1.0");
    fs::write(&unrelated, "x").unwrap();
    // A read leaves it (it takes no exclusive lock) and is not disturbed by it.
    assert!(store.all().await.unwrap().is_empty());
    assert!(stale.exists());
    save(&store, entry(1, "hk", "ghp_a", "1")).await;
    assert!(!stale.exists());
    assert!(unrelated.exists());
}

#[test]
fn sixty_four_threads_saving_lose_no_update() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = store_in(&dir);
    let start = Arc::new(Barrier::new(64));
    let threads: Vec<_> = (0..64u32)
        .map(|uid| {
            let (store, start) = (store.clone(), Arc::clone(&start));
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .build()
                    .unwrap();
                start.wait();
                let saved = store.save_pinned(entry(uid, &format!("hk{uid}"), "ghp_t", "1"));
                assert_eq!(runtime.block_on(saved).unwrap(), SaveOutcome::Saved);
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let stored = runtime.block_on(store.all()).unwrap();
    assert_eq!(uids(&stored), (0..64).collect::<Vec<_>>());
    assert!(temp_files(dir.path()).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_broadcasts_for_one_hotkey_pin_exactly_one_account() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = store_in(&dir);
    // Accounts from 1: "0" is gittensor's placeholder and pins nothing (docs/contract.md §7).
    let tasks: Vec<_> = (1..=16)
        .map(|account| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .save_pinned(entry(
                        5,
                        "hk5",
                        &format!("ghp_{account}"),
                        &account.to_string(),
                    ))
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut saved = 0;
    for task in tasks {
        if task.await.unwrap() == SaveOutcome::Saved {
            saved += 1;
        }
    }
    assert_eq!(saved, 1);
}
