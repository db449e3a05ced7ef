//! [`Step`]: one scripted answer of the fake, from an ordinary response to a transport fault.

use std::time::Duration;

use serde_json::{Value, json};

/// One scripted answer of [`FakeGithub`](crate::FakeGithub) to one request.
///
/// Responses always carry `Content-Type: application/json` unless a scripted header replaces
/// it; faults ([`Step::reset`], [`Step::stall`], [`Step::truncated`], [`Step::oversized`])
/// let tests prove that the client turns a broken exchange into a transport failure rather
/// than into evidence about the PAT.
#[derive(Clone, Debug)]
pub struct Step {
    pub(crate) action: Action,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) latency: Duration,
    /// The gate the answer waits for, if any ([`Step::held`]).
    pub(crate) gate: Option<String>,
}

/// What the server does once it has read the request.
#[derive(Clone, Debug)]
pub(crate) enum Action {
    /// A whole response.
    Respond { status: u16, body: Vec<u8> },
    /// Close with RST, no answer.
    Reset,
    /// Never answer; wait for the client to hang up or the server to stop.
    Stall,
    /// Declare `declared` bytes, send `sent`, then close.
    Truncated {
        status: u16,
        declared: usize,
        sent: Vec<u8>,
    },
    /// Stream `bytes` bytes of JSON-looking body, with `Content-Length` or chunked.
    Oversized {
        status: u16,
        bytes: u64,
        chunked: bool,
    },
    /// Write these bytes as they are (not HTTP, or broken HTTP), then close.
    Raw(Vec<u8>),
}

impl Step {
    fn of(action: Action) -> Self {
        Self {
            action,
            headers: Vec::new(),
            latency: Duration::ZERO,
            gate: None,
        }
    }

    /// A response with `code` and an empty body.
    #[must_use]
    pub fn status(code: u16) -> Self {
        Self::body(code, Vec::new())
    }

    /// A response with `code` and `body` as JSON.
    #[must_use]
    pub fn json(code: u16, body: Value) -> Self {
        Self::body(code, body.to_string())
    }

    /// A response with `code` and these exact body bytes.
    #[must_use]
    pub fn body(code: u16, bytes: impl Into<Vec<u8>>) -> Self {
        Self::of(Action::Respond {
            status: code,
            body: bytes.into(),
        })
    }

    /// `GET /user` for account `id`: a 200 with the fields GitHub sends for an authenticated
    /// user (about 1.3 KB), so parsing costs what it costs against the real API.
    #[must_use]
    pub fn user(id: u64, login: &str) -> Self {
        Self::json(200, user_body(id, login))
    }

    /// `POST /graphql` answering `{ viewer { login } }`.
    #[must_use]
    pub fn viewer(login: &str) -> Self {
        Self::json(200, json!({ "data": { "viewer": { "login": login } } }))
    }

    /// An HTML error page with `code`, as a proxy or load balancer in front of GitHub sends.
    #[must_use]
    pub fn not_json(code: u16) -> Self {
        let page = format!(
            "<!DOCTYPE html>\n<html><head><title>{code} {reason}</title></head>\n\
             <body><h1>{reason}</h1><p>Unicorn! GitHub is having trouble serving this \
             request.</p></body></html>\n",
            reason = reason_phrase(code),
        );
        Self::body(code, page).header("Content-Type", "text/html; charset=utf-8")
    }

    /// Adds a response header (`retry-after`, `x-ratelimit-remaining`, `x-oauth-scopes`, …).
    /// A `Content-Type` replaces the default one. CR and LF are removed from both name and
    /// value, so a script cannot split the response by accident. Ignored by faults that send
    /// no headers ([`Step::reset`], [`Step::stall`], [`Step::raw`]).
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let clean = |text: &str| text.replace(['\r', '\n'], "");
        self.headers.push((clean(name), clean(value)));
        self
    }

    /// Waits `latency` after reading the request, before acting (on top of
    /// [`FakeGithub::set_latency`](crate::FakeGithub::set_latency)).
    #[must_use]
    pub fn after(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Holds the answer, after reading the request, until the test opens `gate` with
    /// [`FakeGithub::open_gate`](crate::FakeGithub::open_gate) (or drops the server). A
    /// test that needs a request to be in flight — to prove two calls overlap, or to force
    /// the interleaving of a race — holds it here instead of hoping a latency is long
    /// enough. An open gate stays open.
    #[must_use]
    pub fn held(mut self, gate: &str) -> Self {
        self.gate = Some(gate.to_owned());
        self
    }

    /// Reads the request, then closes the connection with a TCP RST (`SO_LINGER` 0) and no
    /// answer.
    #[must_use]
    pub fn reset() -> Self {
        Self::of(Action::Reset)
    }

    /// Reads the request and never answers, until the client gives up or the server is
    /// dropped.
    #[must_use]
    pub fn stall() -> Self {
        Self::of(Action::Stall)
    }

    /// Declares a `Content-Length` of `declared` bytes, sends only `sent`, then closes.
    #[must_use]
    pub fn truncated(code: u16, declared: usize, sent: impl Into<Vec<u8>>) -> Self {
        Self::of(Action::Truncated {
            status: code,
            declared,
            sent: sent.into(),
        })
    }

    /// Streams a JSON-looking body of exactly `bytes` bytes with a `Content-Length`, in
    /// chunks (never holding it in memory), and stops as soon as the client hangs up.
    #[must_use]
    pub fn oversized(code: u16, bytes: u64) -> Self {
        Self::of(Action::Oversized {
            status: code,
            bytes,
            chunked: false,
        })
    }

    /// [`Step::oversized`] with `Transfer-Encoding: chunked` and no `Content-Length`, so the
    /// client cannot tell the size up front and must stop reading at its cap.
    #[must_use]
    pub fn oversized_chunked(code: u16, bytes: u64) -> Self {
        Self::of(Action::Oversized {
            status: code,
            bytes,
            chunked: true,
        })
    }

    /// Writes `bytes` as they are instead of an HTTP response, then closes: for clients'
    /// handling of answers that are not HTTP at all.
    #[must_use]
    pub fn raw(bytes: impl Into<Vec<u8>>) -> Self {
        Self::of(Action::Raw(bytes.into()))
    }
}

/// What GitHub answers to `GET /user` for a token's owner (fields as of the 2022-11-28 API).
fn user_body(id: u64, login: &str) -> Value {
    let api = format!("https://api.github.com/users/{login}");
    let mut user = json!({
        "login": login,
        "id": id,
        "node_id": format!("MDQ6VXNlcj{id}"),
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{id}?v=4"),
        "gravatar_id": "",
        "url": api,
        "html_url": format!("https://github.com/{login}"),
        "followers_url": format!("{api}/followers"),
        "following_url": format!("{api}/following{{/other_user}}"),
        "gists_url": format!("{api}/gists{{/gist_id}}"),
        "starred_url": format!("{api}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{api}/subscriptions"),
        "organizations_url": format!("{api}/orgs"),
        "repos_url": format!("{api}/repos"),
        "events_url": format!("{api}/events{{/privacy}}"),
        "received_events_url": format!("{api}/received_events"),
    });
    // Two halves: one `json!` this long exceeds the macro recursion limit.
    let profile = json!({
        "type": "User",
        "user_view_type": "private",
        "site_admin": false,
        "name": "Octo Miner",
        "company": null,
        "blog": "",
        "location": "Earth",
        "email": null,
        "hireable": null,
        "bio": "Mining commits since 2024.",
        "twitter_username": null,
        "notification_email": null,
        "public_repos": 42,
        "public_gists": 3,
        "followers": 17,
        "following": 5,
        "created_at": "2019-04-01T12:00:00Z",
        "updated_at": "2025-12-01T08:30:00Z",
        "private_gists": 0,
        "total_private_repos": 4,
        "owned_private_repos": 4,
        "disk_usage": 10240,
        "collaborators": 0,
        "two_factor_authentication": true,
        "plan": {
            "name": "free",
            "space": 976_562_499,
            "collaborators": 0,
            "private_repos": 10000
        }
    });
    if let (Value::Object(urls), Value::Object(profile)) = (&mut user, profile) {
        urls.extend(profile);
    }
    user
}

/// The reason phrase of a status line (any text is valid HTTP; these read naturally).
pub(crate) fn reason_phrase(code: u16) -> &'static str {
    match code {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_body_is_about_the_size_of_githubs() {
        let size = user_body(583_231, "octocat").to_string().len();
        assert!((1100..=1600).contains(&size), "{size} bytes");
    }

    #[test]
    fn headers_cannot_split_the_response() {
        let step = Step::status(200).header("x-a\r\n", "b\r\nInjected: yes");
        assert_eq!(
            step.headers,
            vec![("x-a".to_owned(), "bInjected: yes".to_owned())]
        );
    }
}
