//! Issue 16, item 2: the mistakes a new user makes, each answered with what to do. Each test
//! asserts the new words and that the old, unhelpful ones are gone; exit codes are those of
//! docs/contract.md §8.

mod common;

use common::{Fixture, SECRET, run};
use pat_verdict::Endpoint;
use pat_verdict_fake_github::Reply;
use serde_json::json;

/// What GitHub answers for a path it does not serve.
fn github_404() -> Reply {
    Reply::json(
        404,
        json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}),
    )
}

/// The exit status for a verdict word, as docs/contract.md §8 maps it.
fn exit_for(verdict: &serde_json::Value) -> i32 {
    match verdict.as_str() {
        Some("valid") => 0,
        Some("invalid") => 1,
        _ => 75,
    }
}

/// `check --json` for `hotkey` gives the miner's `reason` as it always was, and no
/// `detail`: the words for people never leak into the miner's answer.
fn assert_json_reason_has_no_detail(fixture: &Fixture, hotkey: &str, reason: &str) {
    let out = run(fixture.handler("check", hotkey).arg("--json"));
    assert_eq!(out.json()["rejection_reason"], reason, "{out:?}");
    assert!(out.json().get("detail").is_none(), "{out:?}");
}

#[test]
fn an_api_url_without_a_scheme_is_shown_with_one() {
    let fixture = Fixture::new();
    let bare_host = fixture.github.url().replace("http://", "");
    let out = run(common::bare()
        .args(["verify", "--api-url", &bare_host])
        .env("GITHUB_TOKEN", SECRET));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains(&format!("did you mean http://{bare_host}?")),
        "{out:?}"
    );
    assert_eq!(fixture.all_requests(), 0);
}

#[test]
fn https_against_a_plain_http_server_says_the_scheme_may_be_wrong() {
    let fixture = Fixture::new();
    let https = fixture.github.url().replace("http://", "https://");
    for json in [true, false] {
        let mut cmd = common::bare();
        cmd.args(["--api-url", &https, "--timeout", "2", "verify"])
            .env("GITHUB_TOKEN", SECRET);
        if json {
            cmd.arg("--json");
        }
        let out = run(&mut cmd);
        assert_eq!(out.code, 75, "inconclusive, as before: {out:?}");
        assert!(out.stdout.contains("TLS failed"), "{out:?}");
        assert!(
            out.stdout
                .contains("is the scheme of --api-url wrong? try http://"),
            "{out:?}"
        );
    }
}

#[test]
fn a_404_from_github_asks_whether_api_url_is_the_api_root() {
    let fixture = Fixture::new();
    // A root without /api/v3, or a host that is not an Enterprise with it: GET /user is 404.
    fixture.script_secret(vec![github_404()], []);
    let out = run(fixture
        .cmd()
        .args(["verify", "--json"])
        .env("GITHUB_TOKEN", SECRET));
    let reason = out.json()["reason"].as_str().unwrap_or_default().to_owned();
    assert!(reason.ends_with("(is --api-url the API root?)"), "{out:?}");
    assert!(reason.contains("404"), "{out:?}");
    assert_eq!(out.code, exit_for(&out.json()["verdict"]), "{out:?}");

    let people = run(fixture.cmd().arg("verify").env("GITHUB_TOKEN", SECRET));
    assert!(
        people.stdout.contains("(is --api-url the API root?)"),
        "{people:?}"
    );

    // The same for the test query.
    let fixture = Fixture::new();
    fixture.github.valid(SECRET, 42, "octo");
    fixture
        .github
        .script(SECRET, Endpoint::TestQuery, vec![github_404()]);
    let out = run(fixture
        .cmd()
        .args(["verify", "--json"])
        .env("GITHUB_TOKEN", SECRET));
    let reason = out.json()["reason"].as_str().unwrap_or_default().to_owned();
    assert!(reason.ends_with("(is --api-url the API root?)"), "{out:?}");
    assert_eq!(out.code, exit_for(&out.json()["verdict"]), "{out:?}");

    // A 401 is GitHub's evidence about the PAT, not about the URL: no hint.
    let fixture = Fixture::new();
    let out = run(fixture
        .cmd()
        .args(["verify", "--json"])
        .env("GITHUB_TOKEN", SECRET));
    assert_eq!(out.json()["reason"], "GitHub /user API returned 401");
}

#[test]
fn hotkeys_given_the_list_itself_says_it_takes_a_file_path() {
    let fixture = Fixture::new();
    let out = run(fixture
        .cmd()
        .args(["check", "--hotkeys", r#"["a","b"]"#, "--hotkey", "a"]));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("--hotkeys takes a file path"),
        "{out:?}"
    );
    assert!(!out.stderr.contains("No such file"), "{out:?}");
    // A path that is simply wrong still says so, with the OS's words.
    let out = run(fixture
        .cmd()
        .args(["check", "--hotkeys", "nope.json", "--hotkey", "a"]));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("No such file"), "{out:?}");
}

#[test]
fn an_unregistered_hotkey_says_which_list_it_is_not_in() {
    let fixture = Fixture::new();
    for sub in ["check", "broadcast"] {
        let out = fixture.run_for_people(sub, "hotkey_9");
        assert_eq!(out.code, 1, "{sub}: {out:?}");
        // The miner's words are unchanged; people get a why.
        assert!(
            out.stdout.contains("Hotkey not registered on subnet"),
            "{sub}: {out:?}"
        );
        let why = format!(
            "why        hotkey_9 is not in {} (3 hotkeys)",
            fixture.hotkeys().display()
        );
        assert!(out.stdout.contains(&why), "{sub}: {out:?}");
    }
    assert_json_reason_has_no_detail(&fixture, "hotkey_9", "Hotkey not registered on subnet");
}

#[test]
fn check_of_a_revoked_pat_shows_the_verdicts_reason_for_people() {
    let fixture = Fixture::new();
    fixture.write_store(&[(2, SECRET, "7")]);
    let out = run(&mut fixture.handler("check", "5Carol"));
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout
            .contains("reason     No Github id found for miner 2's PAT"),
        "{out:?}"
    );
    assert!(
        out.stdout
            .contains("why        GitHub /user API returned 401"),
        "{out:?}"
    );
    // The miner's answer is as it was.
    assert_json_reason_has_no_detail(&fixture, "5Carol", "No Github id found for miner 2's PAT");
}

#[test]
fn a_corrupt_store_says_fix_or_restore_it() {
    let fixture = Fixture::new();
    // A working PAT, so that the broadcast reaches the store.
    fixture.github.valid(SECRET, 42, "bob");
    std::fs::write(fixture.store(), "[{\"uid\": 1").expect("write");
    let out = run(&mut fixture.handler("check", "5Bob"));
    assert_eq!(out.code, 75, "{out:?}");
    assert!(out.stdout.contains("fix or restore it"), "{out:?}");
    assert!(
        out.stdout.contains("retrying does not help a corrupt file"),
        "{out:?}"
    );
    let out = fixture.run_for_people("broadcast", "5Bob");
    assert_eq!(out.code, 75, "{out:?}");
    assert!(out.stdout.contains("fix or restore it"), "{out:?}");
    let out = run(fixture
        .cmd()
        .args(["audit", "--store"])
        .arg(fixture.store()));
    assert_eq!(out.code, 75, "{out:?}");
    assert!(out.stderr.contains("fix or restore it"), "{out:?}");
    assert!(!out.stderr.contains("unavailable"), "{out:?}");
    // A store that is merely unreadable (a directory) is not called corrupt.
    std::fs::remove_file(fixture.store()).expect("remove");
    std::fs::create_dir(fixture.store()).expect("mkdir");
    let out = run(&mut fixture.handler("check", "5Bob"));
    assert_eq!(out.code, 75, "{out:?}");
    assert!(!out.stdout.contains("fix or restore"), "{out:?}");
}

#[test]
fn two_lines_on_token_stdin_are_a_usage_error_saying_so() {
    let fixture = Fixture::new();
    let out = run(fixture
        .cmd()
        .args(["verify", "--token-stdin"])
        .write_stdin(format!("{SECRET}\nghp_another\n")));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("more than one line: --token-stdin expects exactly one token"),
        "{out:?}"
    );
    assert!(!out.stdout.contains("outside visible ASCII"), "{out:?}");
    assert_eq!(fixture.all_requests(), 0);
}

#[test]
fn a_ca_file_that_cannot_be_read_gives_the_os_error_once() {
    let fixture = Fixture::new();
    let out = run(fixture
        .cmd()
        .args(["verify", "--ca-file", "nope.pem"])
        .env("GITHUB_TOKEN", SECRET));
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(
        out.stderr.matches("No such file or directory").count(),
        1,
        "{out:?}"
    );
}

#[test]
fn check_json_of_a_store_that_does_not_exist_has_a_detail() {
    let fixture = Fixture::new();
    let out = run(fixture.handler("check", "5Bob").arg("--json"));
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.json()["category"], "no_pat");
    let detail = out.json()["detail"].as_str().unwrap_or_default().to_owned();
    assert!(
        detail.ends_with("does not exist yet: no PAT has been stored (a broadcast creates it)"),
        "{out:?}"
    );
    // A store that exists but holds no PAT for the miner has none.
    fixture.write_store(&[(0, "ghp_other", "1")]);
    let out = run(fixture.handler("check", "5Bob").arg("--json"));
    assert_eq!(out.json()["category"], "no_pat");
    assert!(out.json().get("detail").is_none(), "{out:?}");
}

#[test]
fn broadcast_to_a_new_store_says_it_created_it() {
    let fixture = Fixture::new();
    fixture.github.valid(SECRET, 42, "bob");
    let out = fixture.run_for_people("broadcast", "5Bob");
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains(&format!(
            "created {} (a new store)",
            fixture.store().display()
        )),
        "{out:?}"
    );
    // The second time the store exists: nothing to say.
    let out = fixture.run_for_people("broadcast", "5Bob");
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stdout.contains("created"), "{out:?}");
}
