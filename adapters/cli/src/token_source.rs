//! Where the PAT comes from: an environment variable (`$GITHUB_TOKEN`, or the one
//! `--token-env` names) or standard input (`--token-stdin`). Never argv.
//!
//! The raw text goes straight into a [`SecretString`] and is judged by the core's pre-check
//! (docs/contract.md §5), so this module decides nothing about its contents:
//!
//! - an **unset** variable is a usage error (exit 2): the operator named the wrong variable
//!   or forgot to export it, and "your PAT is invalid" would send them looking in the wrong
//!   place. A variable that is set but empty is passed on, and the pre-check calls it
//!   Invalid at stage `token` (exit 1), as docs/contract.md §5 says of an empty token;
//! - text that is not UTF-8 is passed on with each bad byte replaced by U+FFFD, which the
//!   pre-check rejects as malformed (outside the token alphabet) — still without a request;
//! - standard input is read up to [`STDIN_CAP`] bytes; more is a usage error rather than an
//!   unbounded read of whatever was piped in by mistake; so is more than one line (blank
//!   lines aside): two tokens, or a whole `.env` file, are a mistake in what was piped, not a
//!   malformed token;
//! - standard input that is a terminal is refused (usage error): the terminal would echo the
//!   PAT as it is typed or pasted, putting it on screen and in scrollback. People use
//!   `$GITHUB_TOKEN`; `--token-stdin` is for pipes (`pass show … |`) and files.
//!
//! No message here ever includes the text read.

use std::ffi::OsString;
use std::io::{IsTerminal, Read};

use secrecy::SecretString;
use secrecy::zeroize::Zeroize;

use crate::args::TokenArgs;
use crate::exit::Failure;

/// The most `--token-stdin` reads. PATs are under 300 bytes; 64 KiB leaves room for any
/// future format while bounding a mistaken `cat big-file |`.
pub const STDIN_CAP: usize = 64 * 1024;

/// Reads the PAT as `args` say.
///
/// # Errors
///
/// [`Failure::Usage`] when the variable is unset or badly named, or standard input cannot
/// be read or holds more than [`STDIN_CAP`] bytes.
pub fn read(args: &TokenArgs) -> Result<SecretString, Failure> {
    if args.token_stdin {
        let stdin = std::io::stdin();
        if stdin.is_terminal() {
            return Err(Failure::Usage(
                "--token-stdin reads a pipe or a file, not a terminal, which would echo the PAT; \
                 pipe it in (`pass show github/pat | pat-verdict …`) or export $GITHUB_TOKEN"
                    .to_owned(),
            ));
        }
        tracing::debug!("reading the token from standard input");
        from_reader(stdin.lock())
    } else {
        check_variable_name(&args.token_env)?;
        tracing::debug!(variable = %args.token_env, "reading the token from the environment");
        from_env(&args.token_env, std::env::var_os(&args.token_env))
    }
}

/// Rejects names the environment cannot hold, which `var_os` would quietly report as unset.
fn check_variable_name(name: &str) -> Result<(), Failure> {
    if name.is_empty() || name.contains(['=', '\0']) {
        return Err(Failure::Usage(format!(
            "--token-env needs the name of an environment variable, not `{}`",
            name.escape_debug()
        )));
    }
    Ok(())
}

/// The PAT from the value of variable `name`, as read from the environment.
fn from_env(name: &str, value: Option<OsString>) -> Result<SecretString, Failure> {
    let Some(value) = value else {
        return Err(Failure::Usage(format!(
            "no token: ${name} is not set (export it, or use --token-env NAME or --token-stdin)"
        )));
    };
    Ok(match value.into_string() {
        Ok(text) => SecretString::from(text),
        Err(raw) => SecretString::from(raw.to_string_lossy().into_owned()),
    })
}

/// The PAT from `input`: at most [`STDIN_CAP`] bytes, trailing line ending stripped.
fn from_reader(input: impl Read) -> Result<SecretString, Failure> {
    let mut bytes = Vec::new();
    let cap = u64::try_from(STDIN_CAP)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let read = input.take(cap).read_to_end(&mut bytes);
    if let Err(error) = read {
        bytes.zeroize();
        return Err(Failure::Usage(format!(
            "cannot read the token from standard input: {error}"
        )));
    }
    if bytes.len() > STDIN_CAP {
        bytes.zeroize();
        return Err(Failure::Usage(format!(
            "standard input holds more than {} KiB; a PAT is a single short line",
            STDIN_CAP / 1024
        )));
    }
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    bytes.zeroize();
    // Two tokens, or a token and something else (`cat .env |`): not a malformed token, a
    // mistake in what was piped. Blank lines around the one token are fine.
    if text.trim().contains(['\n', '\r']) {
        text.zeroize();
        return Err(Failure::Usage(
            "more than one line: --token-stdin expects exactly one token".to_owned(),
        ));
    }
    let kept = text.trim_end_matches(['\n', '\r']).len();
    text.truncate(kept);
    Ok(SecretString::from(text))
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn an_unset_variable_is_a_usage_error_that_names_it() {
        let error = from_env("MINER_PAT", None).expect_err("unset");
        assert!(matches!(&error, Failure::Usage(message) if message.contains("$MINER_PAT")));
    }

    #[test]
    fn a_set_variable_is_passed_on_as_it_is() {
        let token = from_env("T", Some(OsString::from(" ghp_x "))).expect("set");
        assert_eq!(token.expose_secret(), " ghp_x ");
        let empty = from_env("T", Some(OsString::new())).expect("set but empty");
        assert_eq!(empty.expose_secret(), "");
    }

    #[test]
    fn standard_input_loses_its_line_ending_and_keeps_bad_bytes_visible() {
        let token = from_reader(&b"ghp_abc\r\n"[..]).expect("read");
        assert_eq!(token.expose_secret(), "ghp_abc");
        let token = from_reader(&b"ghp_\xff"[..]).expect("read");
        assert_eq!(token.expose_secret(), "ghp_\u{fffd}");
    }

    #[test]
    fn more_than_one_line_is_a_usage_error_and_blank_lines_are_not_lines() {
        for two in [
            &b"ghp_a\nghp_b\n"[..],
            b"ghp_a\r\nx",
            b"GITHUB_TOKEN=ghp_a\nOTHER=1\n",
        ] {
            let error = from_reader(two).expect_err("two lines");
            assert!(
                matches!(&error, Failure::Usage(message)
                    if message == "more than one line: --token-stdin expects exactly one token"),
                "{error}"
            );
        }
        let token = from_reader(&b"\nghp_abc\n\n"[..]).expect("one line");
        assert_eq!(token.expose_secret().trim(), "ghp_abc");
    }

    #[test]
    fn standard_input_is_capped() {
        let exactly = vec![b'a'; STDIN_CAP];
        assert!(from_reader(&exactly[..]).is_ok());
        let over = vec![b'a'; STDIN_CAP + 1];
        assert!(matches!(from_reader(&over[..]), Err(Failure::Usage(_))));
    }

    #[test]
    fn impossible_variable_names_are_refused() {
        for bad in ["", "A=B", "A\0B"] {
            assert!(check_variable_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_variable_name("GITHUB_TOKEN").is_ok());
    }
}
