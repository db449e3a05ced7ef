//! The GitHub API root an operator names (`--api-url`), parsed strictly, and where each of
//! the two calls goes under it (docs/contract.md §1).
//!
//! A token only ever goes to the host and port the operator named. A general URL parser is
//! too forgiving for that: `http://127.0.0.1:99999` or `http://host:abc` would fall back to a
//! default port and send the token to port 80. So this parser accepts exactly
//!
//! ```text
//! http[s]://HOST[:PORT][/PATH]
//! ```
//!
//! where `HOST` is a DNS name, an IPv4 address or a bracketed IPv6 address, `PORT` is
//! 1–65535 in decimal digits, and `PATH` is visible ASCII. Credentials (`user@`), a query
//! (`?`), a fragment (`#`), whitespace or control characters inside, and non-ASCII hosts
//! (use the punycode form) are refused. Surrounding whitespace and trailing slashes are
//! dropped. Errors never repeat the URL: a mistaken paste can hold a credential.
//!
//! GitHub Enterprise Server roots its REST API at `https://HOST/api/v3` and its GraphQL API
//! at `https://HOST/api/graphql`, so when the root's path ends in `/api/v3` the test query
//! goes to the same path with `/api/v3` replaced by `/api/graphql` (any prefix before it is
//! kept, for an Enterprise served under a sub-path).
//!
//! ```
//! use pat_verdict::ApiUrl;
//! use pat_verdict::Endpoint;
//!
//! let ghe = ApiUrl::parse("https://ghe.example.com/api/v3/")?;
//! assert_eq!(ghe.url_of(Endpoint::Identity), "https://ghe.example.com/api/v3/user");
//! assert_eq!(ghe.url_of(Endpoint::TestQuery), "https://ghe.example.com/api/graphql");
//! assert!(ApiUrl::parse("http://127.0.0.1:99999").is_err());
//! # Ok::<(), pat_verdict::ApiUrlError>(())
//! ```

use std::fmt;
use std::net::Ipv6Addr;

use thiserror::Error;

use crate::http::Endpoint;

/// The path suffix of a GitHub Enterprise Server REST root.
const ENTERPRISE_REST_SUFFIX: &str = "/api/v3";
/// What replaces it for the GraphQL endpoint.
const ENTERPRISE_GRAPHQL_PATH: &str = "/api/graphql";

/// A GitHub API root that passed the strict parse. Its text form (`Display`, [`ApiUrl::root`])
/// is normalised: lower-case scheme and host, no trailing slash.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ApiUrl {
    /// `scheme://host[:port]path`, normalised.
    root: String,
    /// Byte length of `scheme://host[:port]` in `root`.
    origin_len: usize,
    https: bool,
    port: Option<u16>,
}

/// Why an API URL was refused. The URL itself is never repeated (it may hold a credential).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum ApiUrlError {
    /// Nothing was given.
    #[error("the GitHub API URL is empty")]
    Empty,
    /// It does not start with `http://` or `https://`.
    #[error("the GitHub API URL must start with https:// (or http://)")]
    Scheme,
    /// It carries `user:password@` or `token@`.
    #[error("the GitHub API URL must not contain credentials (user@host)")]
    Credentials,
    /// It carries a query string.
    #[error("the GitHub API URL must not contain a query (?…)")]
    Query,
    /// It carries a fragment.
    #[error("the GitHub API URL must not contain a fragment (#…)")]
    Fragment,
    /// It names no host.
    #[error("the GitHub API URL has no host")]
    NoHost,
    /// The host has a character a host name cannot have, or a bracketed IPv6 address does
    /// not parse.
    #[error(
        "the GitHub API URL's host is not a valid host name or IP address (letters, digits, \
         '-', '.', or [IPv6]; write international names in punycode)"
    )]
    Host,
    /// `host:` with nothing after the colon.
    #[error("the GitHub API URL has ':' but no port number after it")]
    EmptyPort,
    /// The port is not made of decimal digits, or is 0 or above 65535.
    #[error("the GitHub API URL's port must be a number from 1 to 65535")]
    Port,
    /// The path has whitespace, a control character, a backslash or a non-ASCII character.
    #[error(
        "the GitHub API URL's path may only hold visible ASCII characters (no spaces, \
         backslashes or control characters)"
    )]
    Path,
}

impl ApiUrlError {
    /// The URL the operator probably meant by `given`, the text this error refused: for a
    /// missing scheme only (`127.0.0.1:45115`, `ghe.example.com/api/v3`), with `http://` for
    /// a loopback host (a fake or a local proxy) and `https://` otherwise. `None` for any other
    /// error, and when `given` holds anything that makes it more than a host, port and path
    /// (credentials, a query, spaces, control characters) — it is then not repeated, as it
    /// may hold a secret — or when the URL with the scheme would not parse either.
    ///
    /// Every face (the CLI's `--api-url`, Python's `api_url=`) says `did you mean …?` from
    /// here, so the hint is decided once, from the error's kind.
    ///
    /// ```
    /// use pat_verdict::ApiUrl;
    ///
    /// let error = ApiUrl::parse("127.0.0.1:45115").unwrap_err();
    /// assert_eq!(error.meant("127.0.0.1:45115").as_deref(), Some("http://127.0.0.1:45115"));
    /// let error = ApiUrl::parse("user:pw@host").unwrap_err();
    /// assert_eq!(error.meant("user:pw@host"), None);
    /// ```
    #[must_use]
    pub fn meant(self, given: &str) -> Option<String> {
        if self != Self::Scheme {
            return None;
        }
        let value = given.trim();
        let plain = !value.is_empty()
            && !value.contains("://")
            && value
                .chars()
                .all(|c| c.is_ascii_graphic() && !matches!(c, '@' | '?' | '#' | '\\'));
        if !plain {
            return None;
        }
        let host = value.split(['/', ':']).next().unwrap_or_default();
        let loopback =
            host == "localhost" || host.starts_with("127.") || value.starts_with("[::1]");
        let scheme = if loopback { "http" } else { "https" };
        let meant = format!("{scheme}://{value}");
        ApiUrl::parse(&meant).is_ok().then_some(meant)
    }
}

impl ApiUrl {
    /// Parses `text` strictly (see the module documentation).
    ///
    /// # Errors
    ///
    /// An [`ApiUrlError`] naming what is wrong; never a panic, whatever the input.
    pub fn parse(text: &str) -> Result<Self, ApiUrlError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(ApiUrlError::Empty);
        }
        let (scheme, rest) = text.split_once("://").ok_or(ApiUrlError::Scheme)?;
        let https = if scheme.eq_ignore_ascii_case("https") {
            true
        } else if scheme.eq_ignore_ascii_case("http") {
            false
        } else {
            return Err(ApiUrlError::Scheme);
        };
        // A fragment is checked before a query: `#?` is a fragment holding a `?`.
        let before_fragment = match rest.split_once('#') {
            Some(_) => return Err(ApiUrlError::Fragment),
            None => rest,
        };
        if before_fragment.contains('?') {
            return Err(ApiUrlError::Query);
        }
        let (authority, path) = match before_fragment.find('/') {
            Some(slash) => before_fragment.split_at(slash),
            None => (before_fragment, ""),
        };
        if authority.contains('@') {
            return Err(ApiUrlError::Credentials);
        }
        let (host, port) = split_host_port(authority)?;
        let port = port.map(parse_port).transpose()?;
        check_path(path)?;
        let path = path.trim_end_matches('/');
        let scheme = if https { "https" } else { "http" };
        let host = host.to_ascii_lowercase();
        let origin = match port {
            Some(port) => format!("{scheme}://{host}:{port}"),
            None => format!("{scheme}://{host}"),
        };
        let origin_len = origin.len();
        Ok(Self {
            root: origin + path,
            origin_len,
            https,
            port,
        })
    }

    /// The root without a trailing slash: `https://api.github.com`,
    /// `https://ghe.example.com/api/v3`.
    #[must_use]
    pub fn root(&self) -> &str {
        &self.root
    }

    /// `scheme://host[:port]`, without the path.
    #[must_use]
    pub fn origin(&self) -> &str {
        &self.root[..self.origin_len]
    }

    /// The root's path (`""` for `https://api.github.com`, `/api/v3` for Enterprise).
    #[must_use]
    pub fn path(&self) -> &str {
        &self.root[self.origin_len..]
    }

    /// Whether requests go over TLS.
    #[must_use]
    pub fn is_https(&self) -> bool {
        self.https
    }

    /// The port named in the URL, if one was.
    #[must_use]
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// Whether this is a GitHub Enterprise Server REST root (its path ends in `/api/v3`).
    #[must_use]
    pub fn is_enterprise(&self) -> bool {
        self.path().ends_with(ENTERPRISE_REST_SUFFIX)
    }

    /// The full URL of `endpoint`: `{root}/user`; `{root}/graphql`, or for an Enterprise
    /// root `…/api/graphql` in place of `…/api/v3` (docs/contract.md §1).
    #[must_use]
    pub fn url_of(&self, endpoint: Endpoint) -> String {
        match endpoint {
            Endpoint::TestQuery | Endpoint::OneCall if self.is_enterprise() => {
                let prefix = &self.root[..self.root.len() - ENTERPRISE_REST_SUFFIX.len()];
                format!("{prefix}{ENTERPRISE_GRAPHQL_PATH}")
            }
            Endpoint::Identity | Endpoint::TestQuery | Endpoint::OneCall => {
                format!("{}{}", self.root, endpoint.path())
            }
        }
    }
}

impl fmt::Display for ApiUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.root)
    }
}

impl std::str::FromStr for ApiUrl {
    type Err = ApiUrlError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

/// Splits `host[:port]` or `[v6][:port]`; the port text is returned unparsed.
fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), ApiUrlError> {
    if authority.is_empty() {
        return Err(ApiUrlError::NoHost);
    }
    if let Some(bracketed) = authority.strip_prefix('[') {
        let (inside, after) = bracketed.split_once(']').ok_or(ApiUrlError::Host)?;
        if inside.parse::<Ipv6Addr>().is_err() {
            return Err(ApiUrlError::Host);
        }
        let host = &authority[..inside.len() + 2];
        return match after {
            "" => Ok((host, None)),
            _ => match after.strip_prefix(':') {
                Some(port) => Ok((host, Some(port))),
                None => Err(ApiUrlError::Host),
            },
        };
    }
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    if host.is_empty() {
        return Err(ApiUrlError::NoHost);
    }
    let valid = host
        .bytes()
        .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_'));
    if !valid || host.starts_with('.') || host.starts_with('-') || host.contains("..") {
        return Err(ApiUrlError::Host);
    }
    Ok((host, port))
}

fn parse_port(text: &str) -> Result<u16, ApiUrlError> {
    if text.is_empty() {
        return Err(ApiUrlError::EmptyPort);
    }
    if !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(ApiUrlError::Port);
    }
    // Leading zeros are allowed (`:0443`), but the value must be a real port.
    let digits = text.trim_start_matches('0');
    if digits.is_empty() || digits.len() > 5 {
        return Err(ApiUrlError::Port);
    }
    digits.parse::<u16>().map_err(|_| ApiUrlError::Port)
}

fn check_path(path: &str) -> Result<(), ApiUrlError> {
    if path
        .bytes()
        .all(|byte| matches!(byte, b'\x21'..=b'\x7e') && byte != b'\\')
    {
        Ok(())
    } else {
        Err(ApiUrlError::Path)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_url_without_a_scheme_is_meant_with_one() {
        let meant = |given: &str| ApiUrl::parse(given).err().and_then(|e| e.meant(given));
        assert_eq!(
            meant("127.0.0.1:45115").as_deref(),
            Some("http://127.0.0.1:45115")
        );
        assert_eq!(
            meant("localhost:8080/api/v3").as_deref(),
            Some("http://localhost:8080/api/v3")
        );
        assert_eq!(meant("[::1]:8080").as_deref(), Some("http://[::1]:8080"));
        assert_eq!(
            meant("ghe.example.com/api/v3").as_deref(),
            Some("https://ghe.example.com/api/v3")
        );
        // Not a missing scheme, more than a host, port and path, or still not a URL.
        for not_repeated in [
            "",
            "ftp://x",
            "user:pw@host",
            "a b",
            "host?x=1",
            "x\u{1b}",
            "host:abc",
            "http://host:0",
        ] {
            assert_eq!(meant(not_repeated), None, "{not_repeated:?}");
        }
    }
    use super::*;

    #[test]
    fn roots_are_normalised_and_keep_their_path() {
        for (given, root) in [
            ("https://api.github.com", "https://api.github.com"),
            ("https://api.github.com/", "https://api.github.com"),
            (" http://127.0.0.1:8080// ", "http://127.0.0.1:8080"),
            (
                "https://ghe.example.com/api/v3/",
                "https://ghe.example.com/api/v3",
            ),
            ("HTTPS://API.GitHub.com", "https://api.github.com"),
            ("http://[::1]:8080/x", "http://[::1]:8080/x"),
            ("http://127.0.0.1:0080", "http://127.0.0.1:80"),
        ] {
            assert_eq!(
                ApiUrl::parse(given).map(|url| url.root().to_owned()),
                Ok(root.to_owned()),
                "{given}"
            );
        }
    }

    #[test]
    fn each_flaw_has_its_own_error() {
        for (given, error) in [
            ("", ApiUrlError::Empty),
            ("ftp://api.github.com", ApiUrlError::Scheme),
            ("api.github.com", ApiUrlError::Scheme),
            (
                "https://user:ghp_x@api.github.com",
                ApiUrlError::Credentials,
            ),
            ("https://api.github.com/?x=1", ApiUrlError::Query),
            ("https://api.github.com/#top", ApiUrlError::Fragment),
            ("https://", ApiUrlError::NoHost),
            ("https://:443", ApiUrlError::NoHost),
            ("https://exa mple.com", ApiUrlError::Host),
            ("https://exämple.com", ApiUrlError::Host),
            ("https://[::g]", ApiUrlError::Host),
            ("https://[::1]x", ApiUrlError::Host),
            ("http://127.0.0.1:", ApiUrlError::EmptyPort),
            ("http://127.0.0.1:99999", ApiUrlError::Port),
            ("http://127.0.0.1:abc", ApiUrlError::Port),
            ("http://127.0.0.1:0", ApiUrlError::Port),
            ("http://127.0.0.1:+80", ApiUrlError::Port),
            ("http://127.0.0.1:1:2", ApiUrlError::Port),
            ("http://host/a b", ApiUrlError::Path),
            ("http://host/a\\b", ApiUrlError::Path),
            ("http://host/a\nb", ApiUrlError::Path),
        ] {
            assert_eq!(ApiUrl::parse(given), Err(error), "{given:?}");
        }
    }

    #[test]
    fn enterprise_roots_send_the_test_query_to_api_graphql() {
        let ghe = ApiUrl::parse("https://ghe.example.com:8443/api/v3").expect("parses");
        assert!(ghe.is_enterprise());
        assert_eq!(
            ghe.url_of(Endpoint::Identity),
            "https://ghe.example.com:8443/api/v3/user"
        );
        assert_eq!(
            ghe.url_of(Endpoint::TestQuery),
            "https://ghe.example.com:8443/api/graphql"
        );
        let dotcom = ApiUrl::parse("https://api.github.com").expect("parses");
        assert!(!dotcom.is_enterprise());
        assert_eq!(
            dotcom.url_of(Endpoint::TestQuery),
            "https://api.github.com/graphql"
        );
        let prefixed = ApiUrl::parse("http://h/github/api/v3").expect("parses");
        assert_eq!(
            prefixed.url_of(Endpoint::TestQuery),
            "http://h/github/api/graphql"
        );
    }

    #[test]
    fn errors_never_repeat_the_url() {
        let error = ApiUrl::parse("https://user:ghp_secret@api.github.com")
            .expect_err("credentials are refused");
        assert!(!error.to_string().contains("ghp_secret"));
    }
}
