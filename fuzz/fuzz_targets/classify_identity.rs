//! The identity classifier (docs/contract.md §3) over any status, headers and body: never a panic, a
//! valid verdict's id is a non-negative decimal integer, and — for the token-aware variant —
//! no token in the login, the id, the scopes or the reason.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use pat_verdict::Verdict;
use pat_verdict::{classify_identity, classify_identity_redacting};

fuzz_target!(|answer: common::Answer| {
    let result = answer.call_result();
    let plain = classify_identity(&result, answer.now());
    common::check_verdict(&plain, None);
    if let Verdict::Valid(identity) = &plain {
        let id = identity.github_id.as_str();
        assert!(!id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()), "id {id:?}");
        assert!(id.parse::<u64>().is_ok(), "id {id:?} does not fit a u64");
    }
    if let Some(token) = answer.token() {
        let redacted = classify_identity_redacting(&result, answer.now(), &token);
        common::check_verdict(&redacted, Some(&token));
        if let Verdict::Valid(identity) = &redacted {
            assert!(!common::holds(identity.github_id.as_str(), &token));
            if let Some(login) = &identity.login {
                assert!(!common::holds(login, &token), "the token is in the login");
            }
            for scope in identity.token.scopes.iter().flatten() {
                assert!(!common::holds(scope, &token), "the token is in a scope");
            }
        }
    }
});
