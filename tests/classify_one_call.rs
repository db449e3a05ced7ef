//! docs/contract.md §11 against §2 and §3: the one call's classifier is the test query's table,
//! row for row, and a valid viewer is an identity only with a `databaseId` that passes §3's
//! rules for `id`. Checked over any answer (any status, headers and body, viewer bodies with
//! any `databaseId` among them), not a list of examples.

mod common;

use common::{arb_any_body, arb_headers, arb_junk, arb_now, at, config};
use pat_verdict::{Body, CallResult, HttpResponse, Verdict};
use pat_verdict::{classify_one_call, classify_test_query};
use proptest::prelude::*;
use serde_json::{Value, json};

const WITHOUT_ID: &str = "GitHub /user API returned no account id";
const NOT_DECIMAL: &str =
    "GitHub /user API returned an account id that is not a non-negative integer";

/// What §3 makes of an `id` value: the account id it is, or the reason it is none.
fn expected_id(id: Option<&Value>) -> Result<String, &'static str> {
    match id {
        None | Some(Value::Null) => Err(WITHOUT_ID),
        Some(Value::Number(number)) => number.as_u64().map(|n| n.to_string()).ok_or(NOT_DECIMAL),
        // A string of digits is kept as sent (§3's choices), when it is an integer a u64
        // holds (GitHub's ids are below 2^53).
        Some(Value::String(text))
            if !text.is_empty()
                && text.bytes().all(|byte| byte.is_ascii_digit())
                && text.parse::<u64>().is_ok() =>
        {
            Ok(text.clone())
        }
        Some(_) => Err(NOT_DECIMAL),
    }
}

/// A `databaseId` as GitHub sends it, or as a broken host might.
fn arb_database_id() -> BoxedStrategy<Option<Value>> {
    prop_oneof![
        4 => any::<u64>().prop_map(|n| Some(json!(n))),
        1 => Just(None),
        1 => Just(Some(Value::Null)),
        1 => any::<i64>().prop_map(|n| Some(json!(n))),
        1 => any::<f64>().prop_map(|n| Some(json!(n))),
        1 => "[0-9]{1,20}".prop_map(|digits| Some(json!(digits))),
        1 => "[ -~]{0,12}".prop_map(|text| Some(json!(text))),
        1 => arb_junk().prop_map(Some),
    ]
    .boxed()
}

/// The one call's answer body: a viewer with any `databaseId`, sometimes beside GitHub's own
/// failure in `errors` (still valid, §2), sometimes with junk fields.
fn arb_viewer_body() -> BoxedStrategy<(Option<Value>, Vec<u8>)> {
    (
        arb_database_id(),
        proptest::option::of("[a-z0-9-]{1,12}"),
        any::<bool>(),
        arb_junk(),
    )
        .prop_map(|(id, login, own_failure, junk)| {
            let mut viewer = serde_json::Map::new();
            if let Some(login) = login {
                viewer.insert("login".into(), json!(login));
            }
            if let Some(id) = &id {
                viewer.insert("databaseId".into(), id.clone());
            }
            viewer.insert("extra".into(), junk);
            let mut body = json!({"data": {"viewer": viewer}});
            if own_failure {
                body["errors"] =
                    json!([{"message": "Something went wrong while executing your query."}]);
            }
            (id, body.to_string().into_bytes())
        })
        .boxed()
}

/// Any answer: a 200 with a viewer body most often, else any status, headers and body.
fn arb_answer() -> BoxedStrategy<(i64, CallResult)> {
    let viewer = (arb_now(), arb_viewer_body())
        .prop_flat_map(|(now, (_, body))| {
            arb_headers(now).prop_map(move |headers| {
                (
                    now,
                    Ok(HttpResponse {
                        status: 200,
                        headers,
                        body: Body::Complete(body.clone()),
                    }),
                )
            })
        })
        .boxed();
    let anything = (
        prop_oneof![Just(200_u16), any::<u16>()],
        arb_now(),
        arb_any_body(),
    )
        .prop_flat_map(|(status, now, body)| {
            arb_headers(now).prop_map(move |headers| {
                (
                    now,
                    Ok(HttpResponse {
                        status,
                        headers,
                        body: body.clone(),
                    }),
                )
            })
        })
        .boxed();
    prop_oneof![viewer, anything].boxed()
}

proptest! {
    #![proptest_config(config(1024))]

    /// Wherever the test query's table does not say Valid, the one call says exactly what it
    /// says (verdict, reason, wait, rate limit); where it says Valid, the one call is Valid
    /// only with an id by §3's rules, and otherwise Inconclusive with §3's reason.
    #[test]
    fn the_one_call_is_the_test_querys_table_plus_the_id((now, result) in arb_answer()) {
        let test_query = classify_test_query(&result, at(now));
        let one_call = classify_one_call(&result, at(now));
        match test_query {
            Verdict::Valid(viewer) => {
                let Ok(response) = &result else {
                    return Err(TestCaseError::fail("valid without a response"));
                };
                let Body::Complete(bytes) = &response.body else {
                    return Err(TestCaseError::fail("valid without a body"));
                };
                let body: Value = serde_json::from_slice(bytes)
                    .map_err(|error| TestCaseError::fail(error.to_string()))?;
                match expected_id(body["data"]["viewer"].get("databaseId")) {
                    Ok(id) => match one_call {
                        Verdict::Valid(identity) => {
                            prop_assert_eq!(identity.github_id.as_str(), id.as_str());
                            prop_assert_eq!(identity.login, viewer.login);
                        }
                        other @ (Verdict::Invalid { .. } | Verdict::Inconclusive { .. }) => {
                            prop_assert!(false, "not valid with id {}: {:?}", id, other);
                        }
                    },
                    Err(reason) => prop_assert_eq!(one_call, common::inconclusive(reason)),
                }
            }
            not_valid @ (Verdict::Invalid { .. } | Verdict::Inconclusive { .. }) => {
                // The same row of the table: verdict, reason, wait and cause (whose endpoint
                // names the call, the one call here).
                prop_assert_eq!(one_call.kind(), not_valid.kind());
                prop_assert_eq!(one_call.error(), not_valid.error());
                prop_assert_eq!(one_call.retry_after(), not_valid.retry_after());
                prop_assert_eq!(one_call.cause_kind(), not_valid.cause_kind());
            }
        }
    }
}

#[test]
fn scopes_and_expiry_come_from_the_one_answer() {
    let headers = pat_verdict::RelevantHeaders {
        oauth_scopes: Some("repo, read:user".to_owned()),
        ..Default::default()
    };
    let result: CallResult = Ok(HttpResponse {
        status: 200,
        headers,
        body: Body::Complete(
            br#"{"data": {"viewer": {"login": "alice", "databaseId": 42}}}"#.to_vec(),
        ),
    });
    let Verdict::Valid(identity) = classify_one_call(&result, at(1_800_000_000)) else {
        panic!("a viewer with an id is valid");
    };
    assert_eq!(identity.github_id.as_str(), "42");
    assert_eq!(identity.login.as_deref(), Some("alice"));
    assert_eq!(
        identity.token.scopes,
        Some(vec!["repo".to_owned(), "read:user".to_owned()])
    );
}
