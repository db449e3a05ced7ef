//! The test-query classifier (docs/contract.md §2) over any status, headers and body: never a panic, a
//! wait within a day, and — for the token-aware variant — no token in anything it keeps.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use pat_verdict::Verdict;
use pat_verdict::{classify_test_query, classify_test_query_redacting};

fuzz_target!(|answer: common::Answer| {
    let result = answer.call_result();
    let plain = classify_test_query(&result, answer.now());
    common::check_verdict(&plain, None);
    if let Some(token) = answer.token() {
        let redacted = classify_test_query_redacting(&result, answer.now(), &token);
        common::check_verdict(&redacted, Some(&token));
        assert_eq!(plain.kind(), redacted.kind(), "redaction changed the verdict");
        if let Verdict::Valid(viewer) = &redacted {
            if let Some(login) = &viewer.login {
                assert!(!common::holds(login, &token), "the token is in the login");
            }
        }
    }
});
