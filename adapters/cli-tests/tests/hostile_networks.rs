//! Hostile networks (docs/contract.md §4 transport failures, §8 flags) through the command line: Enterprise roots, private CAs over real TLS, strict
//! `--api-url` and `--timeout`, a GitHub that echoes the token back, and answers full of
//! control characters. Every run also goes through `common::run`, which fails on any
//! fragment of the token in stdout or stderr.

mod common;

use common::{Fixture, HOTKEYS, Run, SECRET, bare, read_store, run};
use pat_verdict::Endpoint;
use pat_verdict::needs_escape;
use pat_verdict_fake_github::tls::TestCa;
use pat_verdict_fake_github::{Echo, FakeGithub, Reply};
use serde_json::json;

/// Neither stream holds a raw control character (other than line ends) or the first half
/// of the token, in any ASCII case (a token straddling a cut must not leak its head).
fn assert_clean(out: &Run) {
    let half = SECRET[..SECRET.len() / 2].to_ascii_lowercase();
    for stream in [&out.stdout, &out.stderr] {
        assert!(
            !stream.to_ascii_lowercase().contains(&half),
            "half the token leaked: {out:?}"
        );
        assert!(
            !stream.chars().any(|c| c != '\n' && needs_escape(c)),
            "a raw control character: {out:?}"
        );
    }
}

// ---- --api-url ----

#[test]
fn an_api_url_with_a_bad_port_is_a_usage_error_before_any_request() {
    let fixture = Fixture::new();
    let port = fixture.github.addr().port();
    for (url, says) in [
        ("http://127.0.0.1:99999".to_owned(), "1 to 65535"),
        ("http://127.0.0.1:abc".to_owned(), "1 to 65535"),
        ("http://127.0.0.1:".to_owned(), "no port number"),
        (format!("http://u:hunter2@127.0.0.1:{port}"), "credentials"),
        // A token as the password is refused before the URL is even parsed (issue 16).
        (
            format!("http://u:{SECRET}@127.0.0.1:{port}"),
            "looks like a GitHub token",
        ),
        (format!("http://127.0.0.1:{port}/?x=1"), "query"),
        (format!("http://127.0.0.1:{port}/#x"), "fragment"),
    ] {
        let out = run(bare()
            .args(["--api-url", &url, "verify"])
            .env("GITHUB_TOKEN", SECRET));
        assert_eq!(out.code, 2, "{url}: {out:?}");
        assert!(
            out.stderr.contains("--api-url") || says == "looks like a GitHub token",
            "{out:?}"
        );
        assert!(out.stderr.contains(says), "{url}: {out:?}");
        assert!(!out.stderr.contains("hunter2"), "{url}: {out:?}");
        assert_clean(&out);
    }
    assert_eq!(fixture.all_requests(), 0, "a token went out");
}

// ---- GitHub Enterprise ----

#[test]
fn an_enterprise_root_is_verified_end_to_end() {
    let github = FakeGithub::builder().enterprise().start().expect("starts");
    github.valid(SECRET, 42, "octo");
    let out = run(bare()
        .args(["--api-url", &github.url(), "verify", "--json"])
        .env("GITHUB_TOKEN", SECRET));
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()["verdict"], "valid");
    assert_eq!(github.requests_for(SECRET, Endpoint::TestQuery), 1);
}

// ---- TLS and --ca-file ----

/// An Enterprise fake over TLS with a certificate for 127.0.0.1 issued by `ca`, where
/// [`SECRET`] is a working PAT of account `id`: the server every TLS test starts.
#[expect(
    clippy::expect_used,
    reason = "a fixture outside #[test] functions: a failed setup should panic the test"
)]
fn tls_github(ca: &TestCa, id: u64, login: &str) -> FakeGithub {
    let github = FakeGithub::builder()
        .enterprise()
        .tls(ca.issue(&["127.0.0.1"]).expect("a certificate"))
        .start()
        .expect("starts");
    github.valid(SECRET, id, login);
    github
}

#[test]
fn a_private_ca_given_with_ca_file_is_trusted_and_others_are_not() {
    let ca = TestCa::new("pat-verdict CLI test CA").expect("a CA");
    let github = tls_github(&ca, 42, "octo");
    let dir = tempfile::tempdir().expect("temp dir");
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca.cert_pem()).expect("write");

    let trusted = run(bare()
        .args(["--api-url", &github.url(), "verify", "--json", "--ca-file"])
        .arg(&ca_file)
        .env("GITHUB_TOKEN", SECRET));
    assert_eq!(trusted.code, 0, "{trusted:?}");

    github.reset_counts();
    let untrusted = run(bare()
        .args(["--api-url", &github.url(), "--timeout", "2", "verify"])
        .env("GITHUB_TOKEN", SECRET));
    assert_eq!(untrusted.code, 75, "{untrusted:?}");
    assert!(untrusted.stdout.contains("TLS"), "{untrusted:?}");
    assert!(untrusted.stdout.contains("certificate"), "{untrusted:?}");
    assert_eq!(github.requests(Endpoint::Identity), 0, "the token was sent");

    let not_pem = dir.path().join("not.pem");
    std::fs::write(&not_pem, "hello").expect("write");
    let bad = run(bare()
        .args(["--api-url", &github.url(), "verify", "--ca-file"])
        .arg(&not_pem)
        .env("GITHUB_TOKEN", SECRET));
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("--ca-file"), "{bad:?}");
}

/// `verify --json` against `github` (over TLS) with the child's trust store set by `store`
/// (`SSL_CERT_FILE` / `SSL_CERT_DIR`, which the client reads in place of the system's, so the
/// machine's own store plays no part) and any `extra` arguments before `verify`.
fn verify_with_store(
    github: &FakeGithub,
    store: &[(&str, &std::path::Path)],
    extra: &[&std::ffi::OsStr],
) -> Run {
    let mut cmd = bare();
    cmd.env_remove("SSL_CERT_FILE").env_remove("SSL_CERT_DIR");
    for (name, path) in store {
        cmd.env(name, path);
    }
    run(cmd
        .args(["--api-url", &github.url(), "--timeout", "2"])
        .args(extra)
        .args(["verify", "--json"])
        .env("GITHUB_TOKEN", SECRET))
}

/// docs/contract.md §8: the operating system's trust store is trusted, the bundled roots
/// stay, and `--ca-file` adds to both. A CA installed into a store the test controls (a
/// file, or a directory, as OpenSSL reads them) is trusted; the same server is a TLS failure,
/// inconclusive, when that store holds another CA.
#[test]
fn a_ca_in_the_systems_trust_store_is_trusted_alongside_ca_file() {
    let ca = TestCa::new("pat-verdict system store test CA").expect("a CA");
    let github = tls_github(&ca, 42, "octo");
    let other_ca = TestCa::new("pat-verdict CA of another company").expect("a CA");
    let other = tls_github(&other_ca, 43, "other");

    let dir = tempfile::tempdir().expect("temp dir");
    let bundle = dir.path().join("ca-bundle.crt");
    std::fs::write(&bundle, ca.cert_pem()).expect("write");
    let cert_dir = dir.path().join("certs");
    std::fs::create_dir(&cert_dir).expect("mkdir");
    std::fs::write(cert_dir.join("company-root.pem"), ca.cert_pem()).expect("write");
    let other_file = dir.path().join("other.pem");
    std::fs::write(&other_file, other_ca.cert_pem()).expect("write");

    for store in [
        ("SSL_CERT_FILE", bundle.as_path()),
        ("SSL_CERT_DIR", cert_dir.as_path()),
    ] {
        let out = verify_with_store(&github, &[store], &[]);
        assert_eq!(out.code, 0, "{store:?}: {out:?}");
        assert_eq!(out.json()["verdict"], "valid", "{out:?}");
    }

    // The store holds another CA: not trusted, inconclusive, and the token never went out.
    github.reset_counts();
    let out = verify_with_store(&github, &[("SSL_CERT_FILE", &other_file)], &[]);
    assert_eq!(out.code, 75, "{out:?}");
    assert_eq!(out.json()["verdict"], "inconclusive", "{out:?}");
    let reason = out.json()["reason"].as_str().unwrap_or_default().to_owned();
    assert!(reason.contains("TLS failed"), "{out:?}");
    assert!(reason.contains("certificate"), "{out:?}");
    assert_eq!(github.requests(Endpoint::Identity), 0, "the token was sent");

    // --ca-file adds to the system's store rather than replacing it: with one CA in each,
    // both servers are trusted by the same command line.
    for server in [&github, &other] {
        let out = verify_with_store(
            server,
            &[("SSL_CERT_FILE", &bundle)],
            &["--ca-file".as_ref(), other_file.as_os_str()],
        );
        assert_eq!(out.code, 0, "{out:?}");
        assert_eq!(out.json()["verdict"], "valid", "{out:?}");
    }
}

// ---- --timeout ----

#[test]
fn absurd_timeouts_are_usage_errors_naming_the_range() {
    let fixture = Fixture::new();
    fixture.github.valid(SECRET, 42, "octo");
    for timeout in ["9.3e18", "-1", "0", "3601", "NaN", "inf"] {
        let out = run(fixture
            .cmd()
            .args(["verify", "--timeout", timeout])
            .env("GITHUB_TOKEN", SECRET));
        assert_eq!(out.code, 2, "{timeout}: {out:?}");
        assert!(out.stderr.contains("3600"), "{timeout}: {out:?}");
        assert!(!out.stderr.contains("panicked"), "{out:?}");
        assert!(!out.stderr.contains("unexpected argument"), "{out:?}");
    }
    assert_eq!(fixture.all_requests(), 0);
    let out = run(fixture
        .cmd()
        .args(["verify", "--json", "--timeout", "3600"])
        .env("GITHUB_TOKEN", SECRET));
    assert_eq!(out.code, 0, "{out:?}");
}

// ---- a GitHub that echoes the token ----

fn echoing(echo: Echo) -> Fixture {
    let fixture = Fixture::new();
    fixture.github.set_echo(Some(echo));
    fixture.write_store(&[(0, SECRET, "42")]);
    fixture
}

/// The message padding that puts the cut (300 characters, after `GraphQL error: `'s own
/// words are added) in the middle of the token.
const STRADDLE: usize = 300 - SECRET.len() / 2;

#[test]
fn no_subcommand_prints_an_echoed_token() {
    for echo in [
        Echo {
            in_id: false,
            message_padding: STRADDLE,
            rate_limited: false,
        },
        Echo {
            in_id: false,
            message_padding: STRADDLE,
            rate_limited: true,
        },
        Echo {
            in_id: true,
            message_padding: 0,
            rate_limited: false,
        },
    ] {
        let fixture = echoing(echo);
        let (mut seen_redacted, mut seen_bad_id) = (false, false);
        for json in [false, true] {
            // A rate-limited echo is retried: a short deadline keeps the test fast.
            let with_json = |cmd: &mut assert_cmd::Command| {
                cmd.args(["--timeout", "1"]);
                if json {
                    cmd.arg("--json");
                }
            };
            let mut verify = fixture.cmd();
            verify.arg("verify").env("GITHUB_TOKEN", SECRET);
            with_json(&mut verify);
            let mut check = fixture.handler("check", HOTKEYS[0]);
            with_json(&mut check);
            let mut broadcast = fixture.handler("broadcast", HOTKEYS[1]);
            broadcast.env("GITHUB_TOKEN", SECRET);
            with_json(&mut broadcast);
            let mut audit = fixture.cmd();
            audit.arg("audit").arg("--store").arg(fixture.store());
            with_json(&mut audit);
            for cmd in [&mut verify, &mut check, &mut broadcast, &mut audit] {
                let out = run(cmd);
                assert_clean(&out);
                // The echo did reach the output (so the test is not vacuous) — redacted.
                seen_redacted |= out.stdout.contains("[REDACT");
                seen_bad_id |= out.stdout.contains("not a non-negative integer");
            }
        }
        assert!(seen_redacted || echo.in_id, "{echo:?}: no echo was shown");
        assert!(
            seen_bad_id || !echo.in_id,
            "{echo:?}: the echoed id was not refused"
        );
        // An echoed id is no identity: nothing is stored for uid 1.
        let stored = read_store(&fixture.store());
        assert!(
            stored.iter().all(|entry| entry["uid"] != 1),
            "{echo:?}: {stored:?}"
        );
    }
}

// ---- control characters ----

const FORGED: &str = "octo\u{1b}[2J\u{1b}[H\r\nverdict  valid\u{9b}31m\u{7f}";

#[test]
fn control_characters_from_github_and_the_store_are_escaped() {
    let fixture = Fixture::new();
    fixture.script_secret(
        [Reply::user(42, FORGED)],
        [Reply::json(200, json!({"errors": [{"message": FORGED}]}))],
    );
    for args in [&["verify"][..], &["verify", "--json"][..]] {
        let out = run(fixture.cmd().args(args).env("GITHUB_TOKEN", SECRET));
        assert_eq!(out.code, 1, "{out:?}");
        assert_clean(&out);
        assert_eq!(
            out.stdout
                .lines()
                .filter(|line| line.trim_start().starts_with("verdict"))
                .count(),
            usize::from(args.len() == 1),
            "a forged verdict line: {out:?}"
        );
    }

    // A hotkey with control characters in the store, shown by audit and check.
    let dir = &fixture.dir;
    std::fs::write(
        dir.path().join("hotkeys.json"),
        json!([FORGED, HOTKEYS[1], HOTKEYS[2]]).to_string(),
    )
    .expect("write hotkeys");
    std::fs::write(
        fixture.store(),
        json!([{"uid": 0, "hotkey": FORGED, "pat": SECRET, "github_id": "42",
                "stored_at": "2026-01-01T00:00:00Z"}])
        .to_string(),
    )
    .expect("write store");
    for json in [false, true] {
        let mut audit = fixture.cmd();
        audit.arg("audit").arg("--store").arg(fixture.store());
        let mut check = fixture.handler("check", FORGED);
        if json {
            audit.arg("--json");
            check.arg("--json");
        }
        for cmd in [&mut audit, &mut check] {
            let out = run(cmd);
            assert_clean(&out);
        }
    }
}
