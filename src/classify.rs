//! The classifiers: what came back from one GitHub call → a [`Verdict`] (docs/contract.md §2, §3, §4).
//!
//! Both are total over their input: any status, any headers, any bytes give a verdict, never
//! a panic (property-tested in `tests/classify_*.rs`). They read only the JSON keys they need
//! and skip the rest without allocating, so a typical answer costs well under a microsecond.
//!
//! The order of the checks follows the tables: status first (5xx and transport failures are
//! never evidence; a 4xx is, unless it is a rate limit or its body is not GitHub's JSON),
//! then for a 200 the body — `errors` before `data`, because GitHub may send both, and in
//! `errors[0]` a rate limit, then GitHub's own failure, then evidence.

use std::borrow::Cow;
use std::fmt;

use serde::Deserializer as _;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use crate::cause::{AccountId, Cause, OddAnswer, RateLimit, WhyRefused};
use crate::github_failure;
use crate::http::{Body, CallResult, Endpoint, HttpResponse, RelevantHeaders};
use crate::messages;
use crate::rate_limit;
use crate::time::UnixTime;
use crate::token::Token;
use crate::verdict::{GithubId, Identity, TokenInfo, Verdict, Viewer};

/// Classifies the test query (`POST /graphql`) per docs/contract.md §2. `now` turns `x-ratelimit-reset`
/// into a wait.
///
/// For a caller that does not hold the token (a host classifying its own client's answers).
/// A caller that sent a token uses [`classify_test_query_redacting`], so an answer that
/// echoes the token never carries it further.
#[must_use]
pub fn classify_test_query(result: &CallResult, now: UnixTime) -> Verdict<Viewer> {
    test_query(result, now, Shown(None))
}

/// [`classify_test_query`] for an answer to a request that carried `token`: every string
/// GitHub supplied (a message, the viewer's login, a transport failure's words) has the
/// token replaced by `[REDACTED]` *before* it is cut to
/// the quoting limit (300 characters), so not even part of a token straddling the cut survives
/// (docs/contract.md §5).
#[must_use]
pub fn classify_test_query_redacting(
    result: &CallResult,
    now: UnixTime,
    token: &Token,
) -> Verdict<Viewer> {
    test_query(result, now, Shown(Some(token)))
}

/// Classifies the identity lookup (`GET /user`) per docs/contract.md §3; a valid answer carries the
/// account id (as a decimal string), the login, and the token's scopes and expiry.
///
/// For a caller that does not hold the token; one that sent a token uses
/// [`classify_identity_redacting`].
#[must_use]
pub fn classify_identity(result: &CallResult, now: UnixTime) -> Verdict<Identity> {
    identity(result, now, Shown(None))
}

/// [`classify_identity`] for an answer to a request that carried `token`: the login, the
/// scopes and every reason are redacted before they are cut, and an id that repeats the
/// token is not an identity (docs/contract.md §3, §5).
#[must_use]
pub fn classify_identity_redacting(
    result: &CallResult,
    now: UnixTime,
    token: &Token,
) -> Verdict<Identity> {
    identity(result, now, Shown(Some(token)))
}

/// How GitHub-supplied text is made fit to show: the token (when known) redacted first,
/// then cut to [`messages::MAX_QUOTED_CHARS`].
#[derive(Clone, Copy)]
struct Shown<'a>(Option<&'a Token>);

impl Shown<'_> {
    fn redact<'t>(self, text: &'t str) -> Cow<'t, str> {
        match self.0 {
            Some(token) => token.redact_cow(text),
            None => Cow::Borrowed(text),
        }
    }

    /// Redacted, then cut.
    fn quote(self, text: &str) -> String {
        messages::quote(&self.redact(text))
    }

    /// The verdict with its reason redacted: a last guard for words that did not pass
    /// through [`Shown::quote`].
    fn finish<T>(self, verdict: Verdict<T>) -> Verdict<T> {
        match self.0 {
            Some(token) => verdict.map_reason(|reason| token.redact(reason)),
            None => verdict,
        }
    }
}

fn test_query(result: &CallResult, now: UnixTime, shown: Shown<'_>) -> Verdict<Viewer> {
    graphql(Endpoint::TestQuery, result, now, shown, |viewer, _| {
        Verdict::Valid(viewer_of(viewer, shown))
    })
}

/// The one call of docs/contract.md §11: the test query's table (§2), and a valid viewer must
/// also carry a `databaseId` that is an account id by §3's rules; the identity's scopes and
/// expiry come from this answer's headers.
fn one_call(result: &CallResult, now: UnixTime, shown: Shown<'_>) -> Verdict<Identity> {
    graphql(Endpoint::OneCall, result, now, shown, |viewer, response| {
        let github_id = match viewer.get("databaseId") {
            None | Some(Value::Null) => return no_account_id(AccountId::Missing),
            Some(id) => match decimal_id(id) {
                Some(id) if shown.redact(&id) == id.as_str() => id,
                Some(_) | None => return no_account_id(AccountId::NotDecimal),
            },
        };
        Verdict::Valid(Identity {
            github_id: GithubId::new(github_id),
            login: viewer_of(viewer, shown).login,
            token: shown_token_info(&response.headers, shown),
        })
    })
}

/// Classifies the one call (`POST /graphql` asking for `viewer { login databaseId }`,
/// docs/contract.md §11): §2's table, and Valid only with a `databaseId` that is a
/// non-negative integer (§3's rules for `id`), else Inconclusive with §3's reason. A valid
/// answer is the identity: the account id, the login, the scopes and expiry of its headers.
#[must_use]
pub fn classify_one_call(result: &CallResult, now: UnixTime) -> Verdict<Identity> {
    one_call(result, now, Shown(None))
}

/// [`classify_one_call`] for an answer to a request that carried `token`: every string
/// GitHub supplied is redacted before it is cut, and an id that repeats the token is not an
/// identity (docs/contract.md §5).
#[must_use]
pub fn classify_one_call_redacting(
    result: &CallResult,
    now: UnixTime,
    token: &Token,
) -> Verdict<Identity> {
    one_call(result, now, Shown(Some(token)))
}

/// The GraphQL table (docs/contract.md §2) for either GraphQL call; `valid` turns a viewer
/// that came back into the call's valid verdict (or, for the one call, a verdict on its id).
fn graphql<T>(
    endpoint: Endpoint,
    result: &CallResult,
    now: UnixTime,
    shown: Shown<'_>,
    valid: impl FnOnce(&serde_json::Map<String, Value>, &HttpResponse) -> Verdict<T>,
) -> Verdict<T> {
    let (response, [errors, data]) =
        match fields_of_200(endpoint, result, now, shown, &["errors", "data"]) {
            Ok(found) => found,
            Err(verdict) => return shown.finish(verdict),
        };
    match errors {
        None | Some(Value::Null) => {}
        Some(Value::Array(errors)) => {
            if let Some(first) = errors.first() {
                return match graphql_error(first, data.as_ref(), &response.headers, now, shown) {
                    GraphqlError::Verdict(verdict) => verdict,
                    GraphqlError::ViewerCameBack(viewer) => valid(viewer, response),
                };
            }
        }
        Some(_) => return unexpected(endpoint, "`errors` is not an array"),
    }
    match data {
        None | Some(Value::Null) => Verdict::because(Cause::NoViewer, None),
        Some(Value::Object(data)) => match data.get("viewer") {
            None | Some(Value::Null) => Verdict::because(Cause::NoViewer, None),
            Some(Value::Object(viewer)) => valid(viewer, response),
            Some(_) => unexpected(endpoint, "`data.viewer` is not an object"),
        },
        Some(_) => unexpected(endpoint, "`data` is not an object"),
    }
}

fn identity(result: &CallResult, now: UnixTime, shown: Shown<'_>) -> Verdict<Identity> {
    let endpoint = Endpoint::Identity;
    let (response, [id, login, message, errors]) = match fields_of_200(
        endpoint,
        result,
        now,
        shown,
        &["id", "login", "message", "errors"],
    ) {
        Ok(found) => found,
        Err(verdict) => return shown.finish(verdict),
    };
    let github_id = match id {
        None | Some(Value::Null) => {
            return identity_without_id(message.as_ref(), errors.as_ref(), response, now, shown);
        }
        Some(id) => match decimal_id(&id) {
            // An id that repeats the token (an all-digit token, echoed) is the request
            // reflected, not GitHub's answer.
            Some(id) if shown.redact(&id) == id.as_str() => id,
            Some(_) | None => return no_account_id(AccountId::NotDecimal),
        },
    };
    Verdict::Valid(Identity {
        github_id: GithubId::new(github_id),
        login: match login {
            Some(Value::String(login)) => Some(shown.quote(&login)),
            Some(_) | None => None,
        },
        token: shown_token_info(&response.headers, shown),
    })
}

/// [`token_info`] with the scopes made fit to show (GitHub may echo the token anywhere).
fn shown_token_info(headers: &RelevantHeaders, shown: Shown<'_>) -> TokenInfo {
    let mut token = token_info(headers);
    if let Some(scopes) = &mut token.scopes {
        for scope in scopes.iter_mut() {
            if let Cow::Owned(redacted) = shown.redact(scope) {
                *scope = redacted;
            }
        }
    }
    token
}

/// A 200 from `GET /user` without an id: never an identity, and when the body says GitHub
/// failed (a REST `message` or a GraphQL-style `errors[0]` that is GitHub's own failure,
/// docs/contract.md §2 "GitHub's own failures", which §3 shares) the reason quotes it.
fn identity_without_id(
    message: Option<&Value>,
    errors: Option<&Value>,
    response: &HttpResponse,
    now: UnixTime,
    shown: Shown<'_>,
) -> Verdict<Identity> {
    let first = errors
        .and_then(Value::as_array)
        .and_then(|errors| errors.first());
    let failure = match first {
        Some(first) if github_failure::is_github_failure(first) => {
            Some(first.get("message").and_then(Value::as_str))
        }
        Some(_) | None => message
            .and_then(Value::as_str)
            .filter(|message| github_failure::message_says_github_failed(message))
            .map(Some),
    };
    match failure {
        Some(message) => github_failed(Endpoint::Identity, message, &response.headers, now, shown),
        None => no_account_id(AccountId::Missing),
    }
}

/// A 200 without a usable account id (R12): inconclusive, never an identity.
fn no_account_id<T>(why: AccountId) -> Verdict<T> {
    Verdict::because(Cause::NoAccountId(why), None)
}

/// A 200 whose JSON has a shape GitHub never sends (R11).
fn unexpected<T>(endpoint: Endpoint, what: &'static str) -> Verdict<T> {
    not_github(endpoint, OddAnswer::Unexpected { what }, None)
}

/// An answer that is not GitHub's API speaking.
fn not_github<T>(
    endpoint: Endpoint,
    answer: OddAnswer,
    retry_after: Option<std::time::Duration>,
) -> Verdict<T> {
    Verdict::because(Cause::NotGithub { endpoint, answer }, retry_after)
}

/// The id as a decimal string, when it is a non-negative integer: a JSON number without
/// sign, fraction or exponent, or a string of ASCII digits that fits a `u64` (docs/contract.md §3).
fn decimal_id(id: &Value) -> Option<String> {
    match id {
        Value::Number(number) => number.as_u64().map(|id| id.to_string()),
        Value::String(text) => {
            let digits = !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit());
            (digits && text.parse::<u64>().is_ok()).then(|| text.clone())
        }
        Value::Null | Value::Bool(_) | Value::Array(_) | Value::Object(_) => None,
    }
}

/// Scopes and expiry from the identity call's headers (docs/contract.md §8).
#[must_use]
pub fn token_info(headers: &RelevantHeaders) -> TokenInfo {
    TokenInfo {
        scopes: headers.oauth_scopes.as_deref().map(|scopes| {
            scopes
                .split(',')
                .map(str::trim)
                .filter(|scope| !scope.is_empty())
                .map(str::to_owned)
                .collect()
        }),
        expires_at: headers
            .token_expiration
            .as_deref()
            .and_then(UnixTime::parse_github_expiration),
    }
}

/// The common front half of both tables: the status decides (`Err`), or it is a 200 whose
/// body is a readable JSON object and these `keys` of it decide (`Ok`).
fn fields_of_200<'a, T, const N: usize>(
    endpoint: Endpoint,
    result: &'a CallResult,
    now: UnixTime,
    shown: Shown<'_>,
    keys: &'static [&'static str; N],
) -> Result<(&'a HttpResponse, [Option<Value>; N]), Verdict<T>> {
    let response = by_status(endpoint, result, now, shown)?;
    let bytes = match &response.body {
        Body::Complete(bytes) => bytes,
        Body::OverCap { cap } => {
            return Err(not_github(endpoint, OddAnswer::OverCap { cap: *cap }, None));
        }
        // A 200 handed over without its body is read as the JSON `null` a parsed empty
        // answer is (`response.json()` gives `None` for `null`): nothing to judge.
        Body::Absent => return Err(not_github(endpoint, OddAnswer::NotObject, None)),
    };
    match parse_object(bytes, keys) {
        Ok(fields) => Ok((response, fields)),
        Err(error) => Err(unreadable_body(endpoint, &error)),
    }
}

/// Everything that the status (or its absence) decides; `Ok` is a 200 whose body decides.
fn by_status<'a, T>(
    endpoint: Endpoint,
    result: &'a CallResult,
    now: UnixTime,
    shown: Shown<'_>,
) -> Result<&'a HttpResponse, Verdict<T>> {
    let response = match result {
        Ok(response) => response,
        // The client's words are outside text like GitHub's (a host hands them over as it
        // likes): redacted, then cut, so a 10 MB detail never becomes a 10 MB reason.
        Err(error) => {
            let cause = Cause::Transport {
                endpoint,
                kind: error.kind,
                detail: shown.quote(&error.detail),
            };
            return Err(Verdict::because(cause, None));
        }
    };
    let status = response.status;
    let headers = &response.headers;
    let limited = |status| {
        let wait = rate_limit::retry_after(headers, now, true);
        let cause = Cause::RateLimited(RateLimit::Status {
            endpoint,
            status,
            wait,
        });
        Err(Verdict::because(cause, wait))
    };
    let not_evidence = |cause| {
        Err(Verdict::because(
            cause,
            rate_limit::retry_after(headers, now, false),
        ))
    };
    match status {
        200 => Ok(response),
        408 | 429 => limited(status),
        400..=499 => {
            let body = ErrorBody::read(&response.body);
            if status == 403
                && (rate_limit::signalled_by_headers(headers) || body.says_rate_limited())
            {
                limited(status)
            } else if !body.is_githubs() {
                // Not GitHub's API answering: a proxy, a firewall, the edge, a web UI.
                let answer = OddAnswer::NotGithubsJson { status };
                not_evidence(Cause::NotGithub { endpoint, answer })
            } else if status == 403 && body.refuses_user_agent() {
                let why = WhyRefused::UserAgent;
                not_evidence(Cause::RequestRefused {
                    endpoint,
                    status,
                    why,
                })
            } else {
                match status {
                    // The only 4xx GitHub sends about a token on these endpoints.
                    401 => Err(Verdict::because(Cause::BadCredentials { endpoint }, None)),
                    403 => Err(Verdict::because(Cause::Forbidden { endpoint }, None)),
                    // `/user` and `/graphql` exist for every token: any other 4xx says the
                    // route or the request is wrong, never the token (docs/contract.md §13).
                    _ => {
                        let why = WhyRefused::Route;
                        not_evidence(Cause::RequestRefused {
                            endpoint,
                            status,
                            why,
                        })
                    }
                }
            }
        }
        500..=599 => not_evidence(Cause::GithubDown { endpoint, status }),
        // 1xx, 3xx, other 2xx and nonsense statuses: GitHub said nothing about the PAT.
        _ => not_evidence(Cause::NotGithub {
            endpoint,
            answer: OddAnswer::Status { status },
        }),
    }
}

fn unreadable_body<T>(endpoint: Endpoint, error: &serde_json::Error) -> Verdict<T> {
    let answer = match error.classify() {
        serde_json::error::Category::Data => OddAnswer::NotObject,
        serde_json::error::Category::Io
        | serde_json::error::Category::Syntax
        | serde_json::error::Category::Eof => OddAnswer::NotJson {
            error: error.to_string(),
        },
    };
    not_github(endpoint, answer, None)
}

/// Whether `errors[0]` of a GraphQL answer is a rate limit: its `type` (GitHub sends both
/// `RATE_LIMITED` and `RATE_LIMIT`), its `code`, a message with a rate-limit phrase, or a
/// rate-limit `documentation_url`.
fn is_graphql_rate_limit(first: &Value) -> bool {
    let field = |name| first.get(name).and_then(Value::as_str);
    matches!(field("type"), Some("RATE_LIMITED" | "RATE_LIMIT"))
        || field("code") == Some("graphql_rate_limit")
        || field("message").is_some_and(rate_limit::mentions_rate_limit)
        || field("documentation_url").is_some_and(rate_limit::documentation_url_signals_rate_limit)
}

/// What `errors[0]` of a 200 decides.
enum GraphqlError<'a, T> {
    /// A verdict, whatever the viewer.
    Verdict(Verdict<T>),
    /// GitHub's own failure, with the viewer beside it: the PAT works, as far as the viewer
    /// goes (the call's own rules for a valid viewer decide).
    ViewerCameBack(&'a serde_json::Map<String, Value>),
}

/// `errors[0]` of a 200 answer: a rate limit is inconclusive, so is GitHub's own failure
/// (valid when the viewer came back beside it: the PAT works), anything else is evidence.
fn graphql_error<'a, T>(
    first: &Value,
    data: Option<&'a Value>,
    headers: &RelevantHeaders,
    now: UnixTime,
    shown: Shown<'_>,
) -> GraphqlError<'a, T> {
    let message = first.get("message").and_then(Value::as_str);
    GraphqlError::Verdict(if is_graphql_rate_limit(first) {
        let cause = Cause::RateLimited(RateLimit::Graphql {
            message: message.map(|message| shown.quote(message)),
        });
        Verdict::because(cause, rate_limit::retry_after(headers, now, true))
    } else if github_failure::is_github_failure(first) {
        let viewer = data
            .and_then(|data| data.get("viewer"))
            .and_then(Value::as_object);
        match viewer {
            Some(viewer) => return GraphqlError::ViewerCameBack(viewer),
            None => github_failed(Endpoint::TestQuery, message, headers, now, shown),
        }
    } else {
        let cause = Cause::GraphqlError {
            message: message.map(|message| shown.quote(message)),
        };
        Verdict::because(cause, None)
    })
}

/// GitHub said it failed (docs/contract.md §2): inconclusive, quoting what it said, with any
/// wait its headers ask for.
fn github_failed<T>(
    endpoint: Endpoint,
    message: Option<&str>,
    headers: &RelevantHeaders,
    now: UnixTime,
    shown: Shown<'_>,
) -> Verdict<T> {
    let cause = Cause::GithubFailure {
        endpoint,
        message: message.map(|message| shown.quote(message)),
    };
    Verdict::because(cause, rate_limit::retry_after(headers, now, false))
}

/// The viewer of a valid test query, its login made fit to show.
fn viewer_of(viewer: &serde_json::Map<String, Value>, shown: Shown<'_>) -> Viewer {
    Viewer {
        login: viewer
            .get("login")
            .and_then(Value::as_str)
            .map(|login| shown.quote(login)),
    }
}

/// What a 4xx answer's body is, read once: whether GitHub's API sent it (a JSON object, as
/// it sends for every 4xx) and whether it signals a rate limit.
enum ErrorBody<'a> {
    /// No body was handed over: the status alone decides.
    Absent,
    /// A JSON object: GitHub's `message`, `errors` and `documentation_url`, when present.
    Object([Option<Value>; 3]),
    /// Received, and not a JSON object (HTML, plain text, empty, JSON of another kind).
    Other(&'a [u8]),
    /// Larger than the adapter's cap: no GitHub error body is anywhere near that.
    OverCap,
}

impl<'a> ErrorBody<'a> {
    fn read(body: &'a Body) -> Self {
        match body {
            Body::Absent => Self::Absent,
            Body::OverCap { .. } => Self::OverCap,
            Body::Complete(bytes) => {
                match parse_object(bytes, &["message", "errors", "documentation_url"]) {
                    Ok(fields) => Self::Object(fields),
                    Err(_) => Self::Other(bytes),
                }
            }
        }
    }

    /// Whether the body came from GitHub's API, or there is none to say otherwise.
    fn is_githubs(&self) -> bool {
        matches!(self, Self::Absent | Self::Object(_))
    }

    /// Whether GitHub's JSON refuses the request's User-Agent (docs/contract.md §13): a
    /// `documentation_url` about it (`…#user-agent-required`), a structured signal, whatever
    /// the message says; else a message saying the User-Agent is missing or invalid.
    fn refuses_user_agent(&self) -> bool {
        let Self::Object([message, _, documentation_url]) = self else {
            return false;
        };
        fn text(value: &Option<Value>) -> Option<&[u8]> {
            value.as_ref().and_then(Value::as_str).map(str::as_bytes)
        }
        text(documentation_url)
            .is_some_and(|url| rate_limit::contains_ignore_ascii_case(url, b"user-agent-required"))
            || text(message).is_some_and(|message| {
                rate_limit::contains_ignore_ascii_case(message, b"user agent")
                    || rate_limit::contains_ignore_ascii_case(message, b"user-agent")
            })
    }

    /// Whether the body says it is a rate limit (docs/contract.md §4): a REST `message` with
    /// a rate-limit phrase or a rate-limit `documentation_url`, a GraphQL `errors[0]` that
    /// types or words one, or — for a body that is not JSON, such as an HTML page — its
    /// text with a rate-limit phrase.
    fn says_rate_limited(&self) -> bool {
        match self {
            Self::Absent | Self::OverCap => false,
            Self::Object([message, errors, documentation_url]) => {
                message
                    .as_ref()
                    .and_then(Value::as_str)
                    .is_some_and(rate_limit::mentions_rate_limit)
                    || documentation_url
                        .as_ref()
                        .and_then(Value::as_str)
                        .is_some_and(rate_limit::documentation_url_signals_rate_limit)
                    || errors
                        .as_ref()
                        .and_then(Value::as_array)
                        .and_then(|errors| errors.first())
                        .is_some_and(is_graphql_rate_limit)
            }
            Self::Other(bytes) => rate_limit::mentions_rate_limit(bytes),
        }
    }
}

/// Parses `bytes` as one JSON object and returns the values of `keys` (last one wins when a
/// key repeats); every other value is skipped without being built. A body that is JSON but
/// not an object is an error of category `Data`.
///
/// The body is checked as UTF-8 once, up front (a vectorised pass), so the parser need not
/// re-validate every string it skips: this halves the cost of a typical `GET /user` answer.
/// A body that is not UTF-8 is parsed as bytes only to get serde_json's precise error.
fn parse_object<const N: usize>(
    bytes: &[u8],
    keys: &'static [&'static str; N],
) -> Result<[Option<Value>; N], serde_json::Error> {
    fn run<'de, R: serde_json::de::Read<'de>, const N: usize>(
        mut deserializer: serde_json::Deserializer<R>,
        keys: &'static [&'static str; N],
    ) -> Result<[Option<Value>; N], serde_json::Error> {
        let fields = (&mut deserializer).deserialize_map(ObjectFields { keys })?;
        deserializer.end()?;
        Ok(fields)
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => run(serde_json::Deserializer::from_str(text), keys),
        Err(_) => run(serde_json::Deserializer::from_slice(bytes), keys),
    }
}

/// The wanted keys' values of one JSON object, every other value skipped.
struct ObjectFields<const N: usize> {
    keys: &'static [&'static str; N],
}

impl<'de, const N: usize> Visitor<'de> for ObjectFields<N> {
    type Value = [Option<Value>; N];

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields: [Option<Value>; N] = std::array::from_fn(|_| None);
        while let Some(index) = map.next_key_seed(KeySeed { keys: self.keys })? {
            match index {
                Some(index) => fields[index] = Some(map.next_value()?),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(fields)
    }
}

/// A map key, resolved to its position in the wanted keys without allocating.
struct KeySeed<const N: usize> {
    keys: &'static [&'static str; N],
}

impl<'de, const N: usize> DeserializeSeed<'de> for KeySeed<N> {
    type Value = Option<usize>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de, const N: usize> Visitor<'de> for KeySeed<N> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.keys.iter().position(|wanted| *wanted == key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::HttpResponse;

    fn ok(body: &str) -> CallResult {
        Ok(HttpResponse::new(200, body))
    }

    #[test]
    fn skips_unknown_keys_and_reads_the_wanted_ones() {
        let fields = parse_object(
            br#"{"a":[1,{"b":2}],"data":{"viewer":{}},"z":null}"#,
            &["errors", "data"],
        );
        let [errors, data] = fields.expect("an object");
        assert_eq!(errors, None);
        assert!(matches!(data, Some(Value::Object(_))));
    }

    #[test]
    fn arrays_are_not_objects() {
        let verdict = classify_test_query(&ok("[null, null]"), UnixTime(0));
        assert_eq!(
            verdict,
            Verdict::because(
                Cause::NotGithub {
                    endpoint: Endpoint::TestQuery,
                    answer: OddAnswer::NotObject
                },
                None
            )
        );
    }

    #[test]
    fn trailing_garbage_is_not_json() {
        let verdict = classify_identity(&ok(r#"{"id": 1} x"#), UnixTime(0));
        assert!(verdict.transient_failure());
    }
}
