//! The command line is screened for a token before clap sees it (docs/contract.md §8).
//!
//! There is no flag that takes the token, but people type one anyway: `verify ghp_…`,
//! `--token ghp_…`, `--token-env ghp_…` (the value instead of the variable's name). clap
//! repeats an offending value in its errors (`unexpected argument 'ghp_…' found`, `invalid
//! value 'ghp_…' for '--timeout'`), and our own messages name the variable or the path they
//! were given — so a token typed in the wrong place would land in scrollback, CI logs and
//! support pastes. Every argument is therefore looked at first; when one [holds a
//! token](holds_token), nothing is parsed or run, and the message says which argument and
//! what to do, never what it holds.

use std::ffi::OsString;

/// The prefixes of GitHub's token formats: fine-grained PATs, classic PATs, OAuth, user-to-
/// server, server-to-server and refresh tokens.
const PREFIXES: [&str; 6] = ["github_pat_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_"];

/// The length of a classic pre-2021 token: 40 hexadecimal digits.
const LEGACY_HEX_LEN: usize = 40;

/// Whether `text` holds something that looks like a GitHub token anywhere in it: one of
/// [`PREFIXES`] followed by at least one letter, digit or `_`, or a run of exactly 40 hex
/// digits — each starting at the beginning of `text` or after a character that is not an
/// ASCII letter or digit (so `--flag=ghp_…`, `GITHUB_TOKEN=ghp_…`, `"ghp_…"` and
/// `https://ghp_…@host` are all found, `5Fghp_` inside a word is not).
///
/// Prefixes are matched case-sensitively, as GitHub writes them: a variable named
/// `GHP_TOKEN` is a name, not a token.
#[must_use]
pub fn holds_token(text: &str) -> bool {
    let bytes = text.as_bytes();
    (0..bytes.len()).any(|start| {
        let at_boundary = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        at_boundary && token_starts(&bytes[start..])
    })
}

/// Whether a token starts at the first byte of `rest`.
fn token_starts(rest: &[u8]) -> bool {
    let prefixed = PREFIXES.iter().any(|prefix| {
        rest.starts_with(prefix.as_bytes())
            && rest
                .get(prefix.len())
                .is_some_and(|&byte| byte.is_ascii_alphanumeric() || byte == b'_')
    });
    let hex_run = rest
        .iter()
        .take_while(|byte| byte.is_ascii_hexdigit())
        .count();
    prefixed
        || (hex_run == LEGACY_HEX_LEN
            && !rest
                .get(LEGACY_HEX_LEN)
                .is_some_and(u8::is_ascii_alphanumeric))
}

/// Why the command line is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// `--token-env` was given a token instead of a variable's name.
    TokenEnvValue,
    /// Argument `position` (1-based, after the program's name) holds a token.
    TokenInArgument {
        /// Which argument.
        position: usize,
    },
}

impl Refusal {
    /// What to tell the operator: what to do, never the argument.
    #[must_use]
    pub fn message(self) -> String {
        match self {
            Self::TokenEnvValue => "--token-env takes the NAME of a variable, not the token; put \
                 the token in $GITHUB_TOKEN or pipe it to --token-stdin (the value is not shown, \
                 and nothing was run)"
                .to_owned(),
            Self::TokenInArgument { position } => format!(
                "argument {position} is not shown and nothing was run: it looks like a GitHub \
                 token, and a token on the command line ends up in shell history and `ps`: use \
                 $GITHUB_TOKEN or --token-stdin"
            ),
        }
    }
}

/// Looks at `args` (the command line without the program's name) for a token.
///
/// `--token-env`'s value is looked at first, in both spellings (`--token-env VALUE`,
/// `--token-env=VALUE`), because that mistake has its own advice; then every argument.
#[must_use]
pub fn screen(args: &[OsString]) -> Option<Refusal> {
    let args: Vec<String> = args
        .iter()
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect();
    let token_env_value = args.iter().enumerate().find_map(|(index, arg)| {
        if arg == "--token-env" {
            args.get(index + 1).map(String::as_str)
        } else {
            arg.strip_prefix("--token-env=")
        }
        .filter(|value| holds_token(value))
    });
    if token_env_value.is_some() {
        return Some(Refusal::TokenEnvValue);
    }
    args.iter()
        .position(|arg| holds_token(arg))
        .map(|index| Refusal::TokenInArgument {
            position: index + 1,
        })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    /// A token of one of GitHub's formats.
    fn token() -> impl Strategy<Value = String> {
        prop_oneof![
            (
                prop::sample::select(PREFIXES.to_vec()),
                "[A-Za-z0-9_]{1,90}"
            )
                .prop_map(|(prefix, rest)| format!("{prefix}{rest}")),
            "[0-9a-f]{40}",
            "[0-9A-F]{40}",
        ]
    }

    /// Text that can stand before a token on a command line: a flag and `=`, a variable
    /// assignment, a quote, a URL's userinfo…, or nothing.
    fn before() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            "--[a-z-]{1,12}=",
            "[A-Z_]{1,12}=",
            Just("\"".to_owned()),
            Just("https://".to_owned()),
            Just("x:".to_owned()),
            "[ ./:@,;]{1,3}",
        ]
    }

    /// Text that can follow a token.
    fn after() -> impl Strategy<Value = String> {
        prop_oneof![Just(String::new()), "[\" .@/:,;\n]{1,3}[a-z]{0,5}",]
    }

    proptest! {
        #[test]
        fn a_token_is_found_wherever_it_stands(
            before in before(), token in token(), after in after()
        ) {
            let arg = format!("{before}{token}{after}");
            prop_assert!(holds_token(&arg), "{arg:?}");
        }

        #[test]
        fn a_token_in_any_argument_refuses_the_command_line(
            others in prop::collection::vec("[a-z0-9./-]{0,12}", 0..6),
            token in token(),
            at in 0_usize..6,
        ) {
            prop_assume!(!others.iter().any(|arg| arg == "--token-env"));
            let mut args: Vec<String> = others;
            let at = at.min(args.len());
            args.insert(at, token);
            let args: Vec<OsString> = args.into_iter().map(OsString::from).collect();
            prop_assert_eq!(screen(&args), Some(Refusal::TokenInArgument { position: at + 1 }));
        }

        #[test]
        fn token_env_given_a_token_gets_its_own_advice(token in token(), joined: bool) {
            let args = if joined {
                vec![OsString::from("verify"), OsString::from(format!("--token-env={token}"))]
            } else {
                os(&["verify", "--token-env", &token])
            };
            prop_assert_eq!(screen(&args), Some(Refusal::TokenEnvValue));
        }

        #[test]
        fn text_without_a_prefix_or_forty_hex_digits_is_not_a_token(
            text in "[A-Za-z0-9./:=@_-]{0,60}"
        ) {
            let lacks_prefix = !PREFIXES.iter().any(|prefix| text.contains(prefix));
            let longest_hex = text
                .split(|c: char| !c.is_ascii_hexdigit())
                .map(str::len)
                .max()
                .unwrap_or(0);
            prop_assume!(lacks_prefix && longest_hex < LEGACY_HEX_LEN);
            prop_assert!(!holds_token(&text), "{text:?}");
        }

        #[test]
        fn the_message_never_holds_the_argument(token in token(), position in 1_usize..50) {
            for refusal in [Refusal::TokenEnvValue, Refusal::TokenInArgument { position }] {
                prop_assert!(!refusal.message().contains(&token));
            }
        }
    }

    #[test]
    fn what_the_cli_is_given_every_day_is_not_a_token() {
        for text in [
            "verify",
            "--token-env",
            "GITHUB_TOKEN",
            "MINER_PAT",
            "GHP_TOKEN",
            "--api-url",
            "https://api.github.com",
            "http://127.0.0.1:45115",
            "https://ghe.example.com/api/v3",
            "miner_pats.json",
            "data/miner_pats.json",
            "hotkey_1",
            "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty",
            "12",
            "0.5",
            "ghp_",
            "xghp_abc",
            "5Fghp_abc",
            &"a".repeat(39),
            &"a".repeat(41),
            &format!("g{}", "a".repeat(40)),
        ] {
            assert!(!holds_token(text), "{text:?}");
        }
    }

    #[test]
    fn each_format_is_found() {
        for text in [
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "gho_x",
            "ghu_x",
            "ghs_x",
            "ghr_x",
            "github_pat_11AAAAAAA0_x",
            "0123456789abcdef0123456789abcdef01234567",
            "--unknown=ghp_x",
            "GITHUB_TOKEN=ghp_x",
            "https://ghp_x@github.com",
            "https://x:0123456789abcdef0123456789abcdef01234567@ghe",
        ] {
            assert!(holds_token(text), "{text:?}");
        }
    }

    #[test]
    fn a_clean_command_line_passes() {
        let args = os(&[
            "--timeout",
            "3",
            "verify",
            "--token-env",
            "MINER_PAT",
            "--json",
        ]);
        assert_eq!(screen(&args), None);
        assert_eq!(screen(&os(&["verify", "--token-env"])), None);
    }

    #[test]
    fn token_env_advice_wins_over_the_position() {
        let args = os(&["ghp_a", "--token-env", "ghp_b"]);
        assert_eq!(screen(&args), Some(Refusal::TokenEnvValue));
        let args = os(&["check", "--hotkey", "ghp_a"]);
        assert_eq!(
            screen(&args),
            Some(Refusal::TokenInArgument { position: 3 })
        );
    }
}
