//! Store failures carry their kind, path and OS error number as values (docs/contract.md §13):
//! what the CLI's exit 66 and "fix or restore it", and Python's `StoreUnavailableError.errno`
//! and `.filename`, are decided from — never from the text, which stays as it was.
#![cfg(unix)]
// Test helpers too: a failed step should stop the test loudly, as an assertion does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fs;
use std::time::Duration;

use pat_verdict::{PatStore, StoreError, StoreFailureKind, Uid, error_chain};

use common::{every_error, store_holding, store_in};

/// Asserts every error is of `kind` and about `path`.
#[track_caller]
fn assert_all(errors: &[StoreError], kind: StoreFailureKind, path: &std::path::Path) {
    for error in errors {
        assert_eq!(error.kind(), kind, "{}", error_chain(error));
        assert_eq!(error.path(), Some(path), "{}", error_chain(error));
    }
}

#[tokio::test]
async fn a_missing_store_is_empty_to_the_operations_and_missing_to_require_file() {
    let dir = tempfile::tempdir().unwrap();
    let (store, path) = store_in(&dir);
    assert!(store.all().await.unwrap().is_empty());
    let error = store.require_file().unwrap_err();
    assert_eq!(error.kind(), StoreFailureKind::Missing);
    assert_eq!(error.path(), Some(path.as_path()));
    assert_eq!(error.errno(), Some(libc::ENOENT));
    assert!(matches!(error, StoreError::Read(_)));
    assert_eq!(
        error_chain(&error),
        format!(
            "cannot read the PAT store: {} does not exist: No such file or directory (os error 2)",
            path.display()
        )
    );
    // What a check's `no_pat` adds, for the CLI and Python alike.
    assert_eq!(
        store.not_created_yet(),
        Some(format!(
            "{} does not exist yet: no PAT has been stored (a broadcast creates it)",
            path.display()
        ))
    );
    // Once the file is there, it is not missing.
    fs::write(&path, "[]").unwrap();
    assert!(store.require_file().is_ok());
    assert_eq!(store.not_created_yet(), None);
    // A path that is not a file is not "missing" either: the operations say what it is.
    fs::remove_file(&path).unwrap();
    fs::create_dir(&path).unwrap();
    assert!(store.require_file().is_ok());
    assert_eq!(store.not_created_yet(), None);
}

#[tokio::test]
async fn a_directory_is_not_a_file_with_the_errno_open_would_give() {
    let dir = tempfile::tempdir().unwrap();
    let (store, path) = store_in(&dir);
    fs::create_dir(&path).unwrap();
    let errors = every_error(&store).await;
    assert_all(&errors, StoreFailureKind::NotAFile, &path);
    for error in &errors {
        assert_eq!(error.errno(), Some(libc::EISDIR), "{}", error_chain(error));
        assert!(error_chain(error).ends_with("is a directory, not a regular file"));
    }
    // A device is not a file either, and no OS call failed: no error number.
    let errors = every_error(&pat_verdict_json_store::JsonStore::new("/dev/null")).await;
    assert_all(
        &errors,
        StoreFailureKind::NotAFile,
        std::path::Path::new("/dev/null"),
    );
    assert!(errors.iter().all(|error| error.errno().is_none()));
}

#[tokio::test]
async fn a_corrupt_file_and_an_unusable_entry_are_corrupt() {
    let (_dir, store, path) = store_holding("[{\"uid\": 1");
    let errors = every_error(&store).await;
    assert_all(&errors, StoreFailureKind::Corrupt, &path);
    assert!(
        errors
            .iter()
            .all(|error| matches!(error, StoreError::Corrupt(_)) && error.errno().is_none())
    );

    let (_dir, store, path) = store_holding(r#"[{"uid": 1, "hotkey": 5, "pat": "ghp_a"}]"#);
    let error = store.get(Uid(1)).await.unwrap_err();
    assert_eq!(error.kind(), StoreFailureKind::Corrupt);
    assert_eq!(error.path(), Some(path.as_path()));
    assert!(store.get(Uid(2)).await.is_ok(), "other uids are served");
}

#[tokio::test]
async fn a_lock_held_past_the_wait_is_lock_held_on_the_lock_file() {
    let (dir, store, _) = store_holding("[]");
    let lock_path = dir.path().join("miner_pats.json.lock");
    let lock = fs::File::create(&lock_path).unwrap();
    fs4::FileExt::lock(&lock).unwrap();
    let store = store.with_lock_wait(Duration::from_millis(20));
    let errors = every_error(&store).await;
    assert_all(&errors, StoreFailureKind::LockHeld, &lock_path);
    fs4::FileExt::unlock(&lock).unwrap();
    assert!(store.all().await.is_ok());
}

#[tokio::test]
async fn a_file_larger_than_a_store_can_be_is_too_large() {
    let (_dir, store, path) = store_holding("[]");
    fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(pat_verdict_json_store::MAX_STORE_BYTES + 1)
        .unwrap();
    let error = store.all().await.unwrap_err();
    assert_eq!(error.kind(), StoreFailureKind::TooLarge);
    assert_eq!(error.path(), Some(path.as_path()));
}

#[tokio::test]
async fn an_os_failure_keeps_its_errno_and_the_file_it_was_about() {
    let (dir, store, _) = store_holding("[]");
    let lock_path = dir.path().join("miner_pats.json.lock");
    fs::create_dir(&lock_path).unwrap();
    let errors = every_error(&store).await;
    assert_all(&errors, StoreFailureKind::Io, &lock_path);
    for error in &errors {
        assert_eq!(error.errno(), Some(libc::EISDIR), "{}", error_chain(error));
    }
}
