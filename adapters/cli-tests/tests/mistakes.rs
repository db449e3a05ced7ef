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

/// The hint the CLI adds when GitHub's JSON refuses the route (a 404 on `/user` or
/// `/graphql`, R17): which `--api-url` the run had, and what GitHub's roots look like. The
/// core's reason already asks, in words every face can use, whether "the API URL" is the root.
fn api_root_hint(fixture: &Fixture) -> String {
    format!(
        "(--api-url is {}: GitHub's API root is https://api.github.com, an Enterprise server's \
         https://HOST/api/v3)",
        fixture.github.url()
    )
}

/// `verify --json` of [`SECRET`] ends its reason with [`api_root_hint`] after the core's
/// question about the API root, and is inconclusive (exit 75): the dated 4xx rule
/// (docs/contract.md §13, 2026-12-07) — a refused request is not evidence against the PAT.
/// Returns the reason. Both 404 cases (the identity lookup and the test query) are asked this
/// way.
#[track_caller]
fn assert_api_root_hint(fixture: &Fixture) -> String {
    let out = fixture.verify_json(SECRET, &[]);
    let value = out.json_exiting(75);
    let reason = value["reason"].as_str().unwrap_or_default().to_owned();
    assert!(reason.ends_with(&api_root_hint(fixture)), "{out:?}");
    assert!(
        reason.contains(
            "GitHub refused the request, not the token (is the API URL GitHub's API root?"
        ),
        "{out:?}"
    );
    assert_eq!(value["verdict"], "inconclusive", "{out:?}");
    assert_eq!(value["cause"], "request_refused", "{out:?}");
    assert_eq!(out.code, exit_for(&value["verdict"]), "{out:?}");
    reason
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
    let reason = assert_api_root_hint(&fixture);
    assert!(reason.contains("404"), "{reason}");

    run(fixture.cmd().arg("verify").env("GITHUB_TOKEN", SECRET))
        .exiting(75)
        .assert_stdout_has(&[
            &api_root_hint(&fixture),
            "GitHub refused the request, not the PAT: this is not evidence against the PAT. \
             Check --api-url (and any proxy) before trying again.",
        ]);

    // The same for the test query.
    let fixture = Fixture::new();
    fixture.github.valid(SECRET, 42, "octo");
    fixture
        .github
        .script(SECRET, Endpoint::TestQuery, vec![github_404()]);
    assert_api_root_hint(&fixture);

    // A 401 is GitHub's evidence about the PAT, not about the URL: no hint.
    let out = Fixture::new().verify_json(SECRET, &[]);
    assert_eq!(out.json()["reason"], "GitHub /user API returned 401");
}

#[test]
fn hotkeys_given_the_list_itself_says_it_takes_a_file_path() {
    let fixture = Fixture::new();
    let check_with_hotkeys = |hotkeys: &str| {
        run(fixture
            .cmd()
            .args(["check", "--hotkeys", hotkeys, "--hotkey", "a"]))
        .exiting(2)
    };
    let out = check_with_hotkeys(r#"["a","b"]"#);
    out.assert_stderr_has(&["--hotkeys takes a file path"]);
    assert!(!out.stderr.contains("No such file"), "{out:?}");
    // A path that is simply wrong still says so, with the OS's words.
    check_with_hotkeys("nope.json").assert_stderr_has(&["No such file"]);
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
    fixture
        .check_for_people("5Carol")
        .exiting(1)
        .assert_stdout_has(&[
            "reason     No Github id found for miner 2's PAT",
            "why        GitHub /user API returned 401",
        ]);
    // The miner's answer is as it was.
    assert_json_reason_has_no_detail(&fixture, "5Carol", "No Github id found for miner 2's PAT");
}

#[test]
fn a_corrupt_store_says_fix_or_restore_it() {
    let fixture = Fixture::new();
    // A working PAT, so that the broadcast reaches the store.
    fixture.github.valid(SECRET, 42, "bob");
    std::fs::write(fixture.store(), "[{\"uid\": 1").expect("write");
    fixture
        .check_for_people("5Bob")
        .exiting(75)
        .assert_stdout_has(&["fix or restore it", "retrying does not help a corrupt file"]);
    fixture
        .run_for_people("broadcast", "5Bob")
        .exiting(75)
        .assert_stdout_has(&["fix or restore it"]);
    let out = run(fixture
        .cmd()
        .args(["audit", "--store"])
        .arg(fixture.store()))
    .exiting(75);
    out.assert_stderr_has(&["fix or restore it"]);
    assert!(!out.stderr.contains("unavailable"), "{out:?}");
    // A store that is merely unreadable (a directory) is not called corrupt.
    std::fs::remove_file(fixture.store()).expect("remove");
    std::fs::create_dir(fixture.store()).expect("mkdir");
    let out = fixture.check_for_people("5Bob").exiting(75);
    assert!(!out.stdout.contains("fix or restore"), "{out:?}");
}

#[test]
fn two_lines_on_token_stdin_are_a_usage_error_saying_so() {
    let fixture = Fixture::new();
    let out = fixture
        .verify_stdin(&["--token-stdin"], format!("{SECRET}\nghp_another\n"))
        .exiting(2);
    out.assert_stderr_has(&["more than one line: --token-stdin expects exactly one token"]);
    assert!(
        !out.stdout.contains("outside GitHub's token alphabet"),
        "{out:?}"
    );
    assert_eq!(fixture.all_requests(), 0);
}

#[test]
fn a_ca_file_that_cannot_be_read_gives_the_os_error_once() {
    let fixture = Fixture::new();
    let out = run(fixture
        .cmd()
        .args(["verify", "--ca-file", "nope.pem"])
        .env("GITHUB_TOKEN", SECRET))
    .exiting(2);
    assert_eq!(
        out.stderr.matches("No such file or directory").count(),
        1,
        "{out:?}"
    );
}

#[test]
fn check_json_of_a_store_that_does_not_exist_has_a_detail() {
    let fixture = Fixture::new();
    let out = fixture.check_json("5Bob", &[]);
    assert_eq!(out.json_exiting(1)["category"], "no_pat");
    assert!(
        out.detail()
            .ends_with("does not exist yet: no PAT has been stored (a broadcast creates it)"),
        "{out:?}"
    );
    // A store that exists but holds no PAT for the miner has none.
    fixture.write_store(&[(0, "ghp_other", "1")]);
    let out = fixture.check_json("5Bob", &[]);
    assert_eq!(out.json()["category"], "no_pat");
    assert!(out.json().get("detail").is_none(), "{out:?}");
}

#[test]
fn broadcast_to_a_new_store_says_it_created_it() {
    let fixture = Fixture::new();
    fixture.github.valid(SECRET, 42, "bob");
    let created = format!("created {} (a new store)", fixture.store().display());
    fixture
        .run_for_people("broadcast", "5Bob")
        .exiting(0)
        .assert_stdout_has(&[&created]);
    // The second time the store exists: nothing to say.
    let out = fixture.run_for_people("broadcast", "5Bob").exiting(0);
    assert!(!out.stdout.contains("created"), "{out:?}");
}
