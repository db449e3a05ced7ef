//! What the classifier targets share: an arbitrary GitHub answer, and the checks every
//! verdict must pass whatever came back.

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use pat_verdict::{Body, CallResult, HttpResponse, RelevantHeaders};
use pat_verdict::testing::MAX_RETRY_AFTER;
use pat_verdict::{Token, TransportError, TransportErrorKind, UnixTime, Verdict};

/// One answer: a transport failure or a status, any headers (the relevant names are
/// favoured so the fuzzer reaches them), any body, and the token the request carried.
#[derive(Arbitrary, Debug)]
pub struct Answer {
    pub status: Option<u16>,
    pub failure_detail: String,
    pub headers: Vec<(HeaderName, Vec<u8>)>,
    pub body: Vec<u8>,
    pub over_cap: bool,
    pub token: String,
    pub now: i64,
}

#[derive(Arbitrary, Debug)]
pub enum HeaderName {
    RetryAfter,
    Remaining,
    Reset,
    Scopes,
    Expiration,
    Other(String),
}

impl HeaderName {
    fn as_str(&self) -> &str {
        match self {
            Self::RetryAfter => "retry-after",
            Self::Remaining => "x-ratelimit-remaining",
            Self::Reset => "x-ratelimit-reset",
            Self::Scopes => "x-oauth-scopes",
            Self::Expiration => "github-authentication-token-expiration",
            Self::Other(name) => name,
        }
    }
}

impl Answer {
    pub fn call_result(&self) -> CallResult {
        let Some(status) = self.status else {
            return Err(TransportError::new(
                TransportErrorKind::Other,
                self.failure_detail.clone(),
            ));
        };
        let headers = RelevantHeaders::from_pairs(
            self.headers
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_slice())),
        );
        Ok(HttpResponse {
            status,
            headers,
            body: if self.over_cap {
                Body::OverCap { cap: 1 << 20 }
            } else {
                Body::Complete(self.body.clone())
            },
        })
    }

    pub fn now(&self) -> UnixTime {
        UnixTime(self.now)
    }

    /// The token, when the fuzzer's string passes the pre-check and is long enough not to
    /// be found in the classifiers' own words ("API", "GitHub"): a real token is 40+
    /// characters, and a 3-character one would "leak" through every English reason.
    pub fn token(&self) -> Option<Token> {
        Token::parse(&self.token)
            .ok()
            .filter(|token| token.expose_secret().len() >= 16)
    }
}

/// Whether `text` holds `token`, ignoring ASCII case (as redaction does).
pub fn holds(text: &str, token: &Token) -> bool {
    text.to_ascii_lowercase()
        .contains(&token.expose_secret().to_ascii_lowercase())
}

/// The invariants of every verdict: a wait within a day, and no token in its reason.
pub fn check_verdict<T>(verdict: &Verdict<T>, token: Option<&Token>) {
    if let Some(wait) = verdict.retry_after() {
        assert!(wait <= MAX_RETRY_AFTER, "a wait over a day: {wait:?}");
    }
    if let (Some(reason), Some(token)) = (verdict.error(), token) {
        assert!(!holds(reason, token), "the token is in the reason");
    }
}
