//! What to do about a mistake the operator probably made, added to what the core says
//! (docs/contract.md §8). The verdicts and the miners' words are the core's and never change
//! here; these are the CLI's own words about its own flags, which only the CLI knows.

/// The URL `--api-url` probably meant when it was given without a scheme
/// (`127.0.0.1:45115`): `http://` for a loopback host (a fake or a local proxy), `https://`
/// otherwise. `None` when the value has a scheme, or holds anything that makes it more than
/// a host, port and path (credentials, spaces, control characters): it is then not repeated.
#[must_use]
pub fn api_url_with_scheme(value: &str) -> Option<String> {
    let plain = !value.is_empty()
        && !value.contains("://")
        && value
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '@' | '?' | '#' | '\\'));
    if !plain {
        return None;
    }
    let host = value.split(['/', ':']).next().unwrap_or_default();
    let loopback = host == "localhost" || host.starts_with("127.") || value.starts_with("[::1]");
    let scheme = if loopback { "http" } else { "https" };
    Some(format!("{scheme}://{value}"))
}

/// A hint to append to a verdict's reason, given the `--api-url` it was judged against:
///
/// - an endpoint that answered 404 means the URL is not GitHub's API root (a root without
///   `/api/v3`, or a non-Enterprise host with it) far more often than a deleted account —
///   only when the 404 came with GitHub's JSON (the reason ends at the status): a 404 that is
///   not GitHub's JSON already asks about a wrong API URL in the core's words;
/// - a TLS failure because the peer answered in plain text (rustls:
///   `InvalidContentType`) means `https://` was given for an `http://` server.
#[must_use]
pub fn for_reason(reason: &str, api_url: &str) -> Option<&'static str> {
    if reason.ends_with("returned 404") {
        return Some("(is --api-url the API root?)");
    }
    let plain_text_peer = reason.contains("TLS failed")
        && (reason.contains("InvalidContentType") || reason.contains("corrupt message"));
    (plain_text_peer && api_url.starts_with("https://"))
        .then_some("(the server does not speak TLS: is the scheme of --api-url wrong? try http://)")
}

/// `reason` with its [hint](for_reason), if any, after a space.
#[must_use]
pub fn annotate(reason: &str, api_url: &str) -> String {
    match for_reason(reason, api_url) {
        Some(hint) => format!("{reason} {hint}"),
        None => reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_without_a_scheme_gets_one() {
        assert_eq!(
            api_url_with_scheme("127.0.0.1:45115").as_deref(),
            Some("http://127.0.0.1:45115")
        );
        assert_eq!(
            api_url_with_scheme("localhost:8080/api/v3").as_deref(),
            Some("http://localhost:8080/api/v3")
        );
        assert_eq!(
            api_url_with_scheme("ghe.example.com/api/v3").as_deref(),
            Some("https://ghe.example.com/api/v3")
        );
        for not_repeated in ["", "ftp://x", "user:pw@host", "a b", "host?x=1", "x\u{1b}"] {
            assert_eq!(api_url_with_scheme(not_repeated), None, "{not_repeated:?}");
        }
    }

    #[test]
    fn a_404_asks_about_the_root_and_a_plain_text_peer_about_the_scheme() {
        let url = "https://127.0.0.1:1";
        assert_eq!(
            annotate("GitHub /user API returned 404", url),
            "GitHub /user API returned 404 (is --api-url the API root?)"
        );
        // A 404 that is not GitHub's JSON already asks about the URL: no second question.
        let not_json = "GitHub /user API returned 404 with a body that is not GitHub's JSON \
                        (a proxy, a firewall or a wrong API URL?)";
        assert_eq!(annotate(not_json, url), not_json);
        let tls = "GitHub /user API unreachable: TLS failed: io: received corrupt message of \
                   type InvalidContentType";
        assert!(annotate(tls, url).ends_with("try http://)"));
        // Over http:// there is no TLS to blame, and a certificate problem is not a scheme one.
        assert_eq!(annotate(tls, "http://127.0.0.1:1"), tls);
        let cert =
            "GitHub /user API unreachable: TLS failed: invalid peer certificate: UnknownIssuer";
        assert_eq!(annotate(cert, url), cert);
        assert_eq!(
            annotate("GitHub /user API returned 401", url),
            "GitHub /user API returned 401"
        );
    }
}
