//! Issue 16, item 1: a token typed on the command line — wherever it stands — is never
//! printed, by our messages or by clap's, nothing runs (no request), and the exit is 2.
//! Every subcommand and the top level, with the token in every place a person puts one, with
//! `RUST_LOG=trace` so that no log line can hold it either.

mod common;

use common::{Fixture, bare, demo};

/// Tokens of each format, each distinctive enough that a leak is found by `contains`.
const TOKENS: [&str; 4] = [
    "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "github_pat_11AAAAAAA0LeakLeakLeak_zzzzzzzzzzzz",
    "0123456789abcdef0123456789abcdefdeadbeef",
    "gho_OAuthLeak42",
];

/// Where the subcommand goes: each one, and the top level (no subcommand).
const SUBCOMMANDS: [Option<&str>; 5] = [
    Some("verify"),
    Some("check"),
    Some("broadcast"),
    Some("audit"),
    None,
];

/// The places a token ends up, as the arguments after the subcommand: `{}` is the token.
const PLACES: [&[&str]; 10] = [
    &["{}"],
    &["--token-env", "{}"],
    &["--token-env={}"],
    &["--token", "{}"],
    &["--unknown", "{}"],
    &["--unknown={}"],
    &["--timeout", "{}"],
    &["--api-url", "{}"],
    &["--concurrency", "{}"],
    &["--api-url", "https://{}@github.com"],
];

/// The first third of `token`: a leak cut short must be found too.
fn head(token: &str) -> &str {
    &token[..token.len() / 3 + 4]
}

fn assert_refused(out: &std::process::Output, token: &str, what: &str) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{what}: {stdout}{stderr}");
    for stream in [&stdout, &stderr] {
        assert!(
            !stream.contains(head(token)),
            "{what}: the token leaked: {stdout}{stderr}"
        );
    }
    assert!(
        stderr.contains("$GITHUB_TOKEN") && stderr.contains("--token-stdin"),
        "{what}: no advice: {stderr}"
    );
    assert!(
        !stderr.contains("error:"),
        "{what}: clap's message: {stderr}"
    );
}

#[test]
fn a_token_anywhere_on_the_command_line_is_never_printed_and_exits_2() {
    let fixture = Fixture::new();
    let mut runs = 0;
    for token in TOKENS {
        for sub in SUBCOMMANDS {
            for place in PLACES {
                let mut cmd = fixture.cmd();
                cmd.env("RUST_LOG", "trace")
                    .env("GITHUB_TOKEN", "ghp_unused");
                if let Some(sub) = sub {
                    cmd.arg(sub);
                }
                let args: Vec<String> = place.iter().map(|arg| arg.replace("{}", token)).collect();
                cmd.args(&args);
                let out = cmd.output().expect("runs");
                assert_refused(&out, token, &format!("{sub:?} {args:?}"));
                runs += 1;
            }
            // Before the subcommand, as a global flag's value.
            let mut cmd = fixture.cmd();
            cmd.args(["--timeout", token]);
            if let Some(sub) = sub {
                cmd.arg(sub);
            }
            let out = cmd.output().expect("runs");
            assert_refused(&out, token, &format!("--timeout TOKEN {sub:?}"));
        }
    }
    assert_eq!(runs, TOKENS.len() * SUBCOMMANDS.len() * PLACES.len());
    assert_eq!(fixture.all_requests(), 0, "nothing was sent");
}

#[test]
fn the_demo_refuses_a_token_anywhere_on_its_command_line_too() {
    // `pat-verdict-demo` was `pat-verdict demo`: a token typed after it is refused the same way.
    for token in TOKENS {
        for place in PLACES {
            let args: Vec<String> = place.iter().map(|arg| arg.replace("{}", token)).collect();
            let out = demo()
                .env("RUST_LOG", "trace")
                .args(&args)
                .output()
                .expect("runs");
            assert_refused(&out, token, &format!("demo {args:?}"));
        }
    }
}

#[test]
fn token_env_given_the_token_says_it_takes_a_name() {
    let token = TOKENS[0];
    for args in [
        vec![
            "verify".to_owned(),
            "--token-env".to_owned(),
            token.to_owned(),
        ],
        vec!["broadcast".to_owned(), format!("--token-env={token}")],
    ] {
        let out = bare().args(&args).output().expect("runs");
        assert_refused(&out, token, &format!("{args:?}"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(
                "--token-env takes the NAME of a variable, not the token; put the token in \
                 $GITHUB_TOKEN or pipe it to --token-stdin"
            ),
            "{stderr}"
        );
        // Not the old message, which named the "variable".
        assert!(!stderr.contains("is not set"), "{stderr}");
    }
}

#[test]
fn a_token_elsewhere_says_where_it_ends_up() {
    let out = bare().args(["verify", TOKENS[0]]).output().expect("runs");
    assert_refused(&out, TOKENS[0], "bare");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "a token on the command line ends up in shell history and `ps`: use $GITHUB_TOKEN \
             or --token-stdin"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("argument 2"), "{stderr}");
    assert!(!stderr.contains("unexpected argument"), "{stderr}");
}

#[test]
fn a_token_in_rust_log_is_not_echoed() {
    let fixture = Fixture::new();
    let out = fixture
        .cmd()
        .env("RUST_LOG", format!("{}=[", TOKENS[0]))
        .args(["verify", "--token-env", "NOT_SET_ANYWHERE"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains(head(TOKENS[0])), "{stderr}");
    assert!(stderr.contains("ignoring RUST_LOG"), "{stderr}");
}

#[test]
fn clap_still_explains_mistakes_that_hold_no_token() {
    let out = bare()
        .args(["verify", "--timeout", "soon"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("'soon'") && stderr.contains("3600"),
        "{stderr}"
    );
}
