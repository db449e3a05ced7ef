//! What to do about a mistake the operator probably made, added to what the core says
//! (docs/contract.md §8). The verdicts and the miners' words are the core's and never change
//! here; these are the CLI's own words about its own flags, which only the CLI knows.

use pat_verdict::{Cause, DEFAULT_API_URL, TransportErrorKind, WhyRefused};

/// A hint to append to a verdict's reason, decided from its cause (docs/contract.md §13:
/// nothing reads a reason to learn the why) and the `--api-url` it was judged against:
///
/// - GitHub's JSON refusing the *route* (a 404, 405, 406, 410, 415 or 422 on `/user` or
///   `/graphql`, R17) means the URL is not GitHub's API root far more often than anything
///   else: the core's reason asks about "the API URL" in words every face can use; the CLI
///   adds what only it knows — which value `--api-url` had — and what the roots look like.
///   Not for GitHub.com's own root (the URL is right; the core's "a proxy rewriting
///   requests?" is the question), nor for a refused User-Agent (not about the URL);
/// - a peer that answered in plain text to a TLS handshake
///   ([`TransportErrorKind::NotTls`]) means `https://` was given for an `http://` server.
#[must_use]
pub fn for_cause(cause: Option<&Cause>, api_url: &str) -> Option<String> {
    match cause? {
        Cause::RequestRefused {
            why: WhyRefused::Route,
            ..
        } if !is_githubs_root(api_url) => Some(format!(
            "(--api-url is {}: GitHub's API root is {DEFAULT_API_URL}, an Enterprise server's \
             https://HOST/api/v3)",
            crate::output::safe(api_url)
        )),
        Cause::Transport {
            kind: TransportErrorKind::NotTls,
            ..
        } if api_url.starts_with("https://") => Some(
            "(the server does not speak TLS: is the scheme of --api-url wrong? try http://)"
                .to_owned(),
        ),
        Cause::RequestRefused { .. }
        | Cause::Transport { .. }
        | Cause::MalformedToken(_)
        | Cause::BadCredentials { .. }
        | Cause::Forbidden { .. }
        | Cause::GraphqlError { .. }
        | Cause::NoViewer
        | Cause::RateLimited(_)
        | Cause::GithubDown { .. }
        | Cause::GithubFailure { .. }
        | Cause::NotGithub { .. }
        | Cause::NoAccountId(_)
        | Cause::Contradicted
        | Cause::Deadline { .. }
        | Cause::ShortCircuited { .. } => None,
    }
}

/// Whether `api_url` is GitHub.com's API root (the default), however it was written.
fn is_githubs_root(api_url: &str) -> bool {
    api_url
        .trim_end_matches('/')
        .eq_ignore_ascii_case(DEFAULT_API_URL)
}

/// `reason` with the [hint](for_cause) for its `cause`, if any, after a space.
#[must_use]
pub fn annotate(reason: &str, cause: Option<&Cause>, api_url: &str) -> String {
    append(reason, for_cause(cause, api_url).as_deref())
}

/// `reason` with `hint`, if any, after a space: for a caller that decided the hint where the
/// cause was at hand (an audit's rows keep only the cause's word).
#[must_use]
pub fn append(reason: &str, hint: Option<&str>) -> String {
    match hint {
        Some(hint) => format!("{reason} {hint}"),
        None => reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use pat_verdict::Endpoint;

    use super::*;

    /// A transport failure of `kind` on `/user`, in ureq's words.
    fn transport(kind: TransportErrorKind, detail: &str) -> Cause {
        Cause::Transport {
            endpoint: Endpoint::Identity,
            kind,
            detail: detail.to_owned(),
        }
    }

    #[test]
    fn a_refused_route_names_the_api_url_and_a_plain_text_peer_asks_about_the_scheme() {
        let url = "https://ghe.example.com/api/v3";
        let route = Cause::RequestRefused {
            endpoint: Endpoint::Identity,
            status: 404,
            why: WhyRefused::Route,
        };
        let reason = route.to_string();
        assert_eq!(
            annotate(&reason, Some(&route), url),
            format!(
                "{reason} (--api-url is https://ghe.example.com/api/v3: GitHub's API root is \
                 https://api.github.com, an Enterprise server's https://HOST/api/v3)"
            )
        );
        // GitHub.com's own root is right: the core's question (a proxy?) stands alone.
        for root in ["https://api.github.com", "https://API.github.com/"] {
            assert_eq!(annotate(&reason, Some(&route), root), reason);
        }
        // A refused User-Agent is not about the URL.
        let agent = Cause::RequestRefused {
            endpoint: Endpoint::Identity,
            status: 403,
            why: WhyRefused::UserAgent,
        };
        assert_eq!(for_cause(Some(&agent), url), None);

        // The words of the reason decide nothing: a TLS failure whose kind says plain text
        // gets the hint whatever its detail, one whose kind says TLS does not.
        let plain = transport(TransportErrorKind::NotTls, "io: something new");
        assert!(
            annotate("x", Some(&plain), url).ends_with("try http://)"),
            "{plain}"
        );
        let worded_like_it = transport(
            TransportErrorKind::Tls,
            "io: received corrupt message of type InvalidContentType",
        );
        assert_eq!(for_cause(Some(&worded_like_it), url), None);
        // Over http:// there is no TLS to blame.
        assert_eq!(for_cause(Some(&plain), "http://127.0.0.1:1"), None);
        // Evidence gets no hint, and neither does a valid verdict.
        let bad = Cause::BadCredentials {
            endpoint: Endpoint::Identity,
        };
        assert_eq!(for_cause(Some(&bad), url), None);
        assert_eq!(for_cause(None, url), None);
    }
}
