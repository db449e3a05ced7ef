//! The one call's classifier (docs/contract.md §11) over any status, headers and body: never a
//! panic, the test query's verdict wherever that is not Valid, and where it is, Valid or — an
//! unusable `databaseId` — Inconclusive, never Invalid; for the token-aware variant, no token
//! in the reason, the login or the id.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use pat_verdict::{Verdict, VerdictKind};
use pat_verdict::{classify_one_call, classify_one_call_redacting, classify_test_query};

fuzz_target!(|answer: common::Answer| {
    let result = answer.call_result();
    let plain = classify_one_call(&result, answer.now());
    common::check_verdict(&plain, None);
    let test_query = classify_test_query(&result, answer.now());
    if test_query.kind() == VerdictKind::Valid {
        assert_ne!(plain.kind(), VerdictKind::Invalid, "a viewer that came back is not evidence");
    } else {
        // The same row of §2's table: verdict, reason, wait and cause word (the cause's
        // endpoint names the call, the one call here).
        assert_eq!(plain.kind(), test_query.kind(), "not §2's verdict");
        assert_eq!(plain.error(), test_query.error(), "not §2's reason");
        assert_eq!(plain.retry_after(), test_query.retry_after(), "not §2's wait");
        assert_eq!(plain.cause_kind(), test_query.cause_kind(), "not §2's cause");
    }
    if let Verdict::Valid(identity) = &plain {
        let id = identity.github_id.as_str();
        assert!(!id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()), "id {id:?}");
    }
    if let Some(token) = answer.token() {
        let redacted = classify_one_call_redacting(&result, answer.now(), &token);
        common::check_verdict(&redacted, Some(&token));
        if let Verdict::Valid(identity) = &redacted {
            assert!(!common::holds(identity.github_id.as_str(), &token), "the token is the id");
            if let Some(login) = &identity.login {
                assert!(!common::holds(login, &token), "the token is in the login");
            }
        }
    }
});
