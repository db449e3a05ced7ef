//! Issue 16, item 4: a write keeps what it did not change (docs/contract.md §7). Every entry a
//! save does not touch comes out with its keys in the order they were read and each value's
//! exact text, nested objects included; the entry written is in the model's order.
#![cfg(unix)]
// Test helpers too: a failed step should stop the test loudly, as an assertion does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fs;

use pat_verdict::PatStore;
use pat_verdict::store::SaveOutcome;
use pat_verdict::testing::entry;
use serde_json::value::RawValue;

use common::{assert_saves, python3, save, store_holding};

/// Written by hand with sorted keys, odd spacing, a nested object, a numeric `github_id`, an
/// odd `stored_at` and an entry without the optional keys.
const SORTED_ODD: &str = include_str!("fixtures/sorted_keys_odd_spacing.json");

/// Written by Python's `json.dump(entries, f, indent=2)` (gittensor's `pat_storage.py`), keys in
/// an order of their own, nested objects and arrays, a non-ASCII escape.
const GITTENSOR_NESTED: &str = include_str!("fixtures/gittensor_nested_indent2.json");

/// Written by gittensor's `pat_storage.py`, the five keys in its order.
const GITTENSOR: &str = include_str!("fixtures/gittensor_miner_pats.json");

/// The exact text of each element of a JSON array.
fn elements(text: &str) -> Vec<String> {
    serde_json::from_str::<Vec<&RawValue>>(text)
        .unwrap()
        .into_iter()
        .map(|raw| raw.get().to_owned())
        .collect()
}

#[tokio::test]
async fn sorted_keys_and_odd_spacing_survive_a_save_of_another_entry() {
    let (_dir, store, path) = store_holding(SORTED_ODD);
    save(&store, entry(3, "hk3", "ghp_new3", "30")).await;
    let written = fs::read_to_string(&path).unwrap();
    let expected = r#"[
  {
    "github_id": "10",
    "hotkey": "hk1",
    "meta": {"z": 1,  "a": [1,2]},
    "pat": "ghp_sortedSORTEDsorted1",
    "stored_at": "2026-01-01T00:00:00Z",
    "uid": 1
  },
  {
    "github_id": 20,
    "hotkey": "hk2",
    "pat": "ghp_sortedSORTEDsorted2",
    "stored_at": "yesterday",
    "uid": 2
  },
  {
    "uid": 3,
    "hotkey": "hk3",
    "pat": "ghp_new3",
    "github_id": "30",
    "stored_at": "2026-01-01T00:00:00Z"
  },
  {
    "hotkey": "hk4",
    "pat": "ghp_sortedSORTEDsorted4",
    "uid": 4
  }
]
"#;
    assert_eq!(written, expected);
}

#[tokio::test]
async fn the_entry_a_save_changes_is_written_in_the_models_order_and_only_it() {
    let (_dir, store, path) = store_holding(SORTED_ODD);
    // uid 2 rotates its PAT, same account (20): its entry changes, the others do not.
    let rotated = entry(2, "hk2", "ghp_rotated2", "20");
    assert_saves(&store, rotated, SaveOutcome::Saved).await;
    let written = fs::read_to_string(&path).unwrap();
    let entries = elements(&written);
    assert_eq!(entries.len(), 3);
    assert_eq!(
        entries[0],
        "{\n    \"github_id\": \"10\",\n    \"hotkey\": \"hk1\",\n    \"meta\": {\"z\": 1,  \"a\": [1,2]},\n    \"pat\": \"ghp_sortedSORTEDsorted1\",\n    \"stored_at\": \"2026-01-01T00:00:00Z\",\n    \"uid\": 1\n  }"
    );
    assert!(
        entries[1].starts_with(
            "{\n    \"uid\": 2,\n    \"hotkey\": \"hk2\",\n    \"pat\": \"ghp_rotated2\""
        ),
        "{}",
        entries[1]
    );
    assert_eq!(
        entries[2],
        "{\n    \"hotkey\": \"hk4\",\n    \"pat\": \"ghp_sortedSORTEDsorted4\",\n    \"uid\": 4\n  }"
    );
}

#[tokio::test]
async fn a_file_written_by_python_keeps_every_untouched_entry_byte_for_byte() {
    for original in [GITTENSOR_NESTED, GITTENSOR] {
        let (_dir, store, path) = store_holding(original);
        save(&store, entry(5, "hk5", "ghp_new5", "55")).await;
        let written = fs::read_to_string(&path).unwrap();
        // indent=2 at the same depth: each untouched entry is the very text Python wrote.
        for kept in elements(original) {
            assert!(written.contains(&kept), "lost:\n{kept}\nin:\n{written}");
        }
        assert_eq!(elements(&written).len(), elements(original).len() + 1);
        // And Python reads every untouched entry back with its keys in the same order.
        assert_eq!(
            python_dumps_without(&path, 5),
            python_dumps_text(original),
            "{written}"
        );
    }
}

#[tokio::test]
async fn a_read_alone_changes_nothing_and_a_rewrite_of_every_entry_drops_the_old_text() {
    let (_dir, store, path) = store_holding(GITTENSOR_NESTED);
    let listed = store.all().await.unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), GITTENSOR_NESTED);
    for stored in listed {
        save(&store, stored).await;
    }
    // Every entry was written from the model now: known keys first, unknown ones after,
    // the values kept (the nested object as its text).
    let written = fs::read_to_string(&path).unwrap();
    let entries = elements(&written);
    assert!(
        entries[0].starts_with("{\n    \"uid\": 3,\n    \"hotkey\""),
        "{written}"
    );
    assert!(
        entries[1].starts_with("{\n    \"uid\": 12,\n    \"hotkey\""),
        "{written}"
    );
    assert!(
        written.contains("\"seen\": [\n        3,\n        1,\n        2\n      ]"),
        "{written}"
    );
}

/// Python's `json.dumps` of each entry of the file at `path` except uid `skip`, in file
/// order after sorting by uid (keys in the order Python read them: dicts keep it).
fn python_dumps_without(path: &std::path::Path, skip: u64) -> String {
    python(
        &format!(
            "import json, sys\n\
             entries = json.load(open(sys.argv[1]))\n\
             kept = sorted((e for e in entries if e['uid'] != {skip}), key=lambda e: e['uid'])\n\
             print('\\n'.join(json.dumps(e) for e in kept))"
        ),
        path.to_str().unwrap(),
    )
}

/// The same for a file's text (nothing skipped).
fn python_dumps_text(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("original.json");
    fs::write(&path, text).unwrap();
    python_dumps_without(&path, u64::MAX)
}

/// What Python prints for `script` on `arg`, as text.
fn python(script: &str, arg: &str) -> String {
    String::from_utf8(python3(script, arg)).unwrap()
}

#[test]
fn the_fixtures_are_what_they_say() {
    // The nested fixture is exactly what json.dump(…, indent=2) writes for what it holds.
    let redumped = python(
        "import json, sys\nprint(json.dumps(json.load(open(sys.argv[1])), indent=2), end='')",
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/gittensor_nested_indent2.json"
        ),
    );
    assert_eq!(redumped, GITTENSOR_NESTED);
}
