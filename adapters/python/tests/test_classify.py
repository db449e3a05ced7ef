"""docs/contract.md §2 (test query), §3 (identity) and §4 (rate-limit signals) through the pure
classifiers, with responses synthesized the way a host's own HTTP client would hand them over.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any, Callable, Dict, Iterator, List, Mapping

import pytest
import requests.structures

from pat_verdict import Verdict, classify_identity, classify_test_query

Classify = Callable[..., Verdict]
VIEWER_MISSING = "Fine-grained PATs need 'Public Repositories (read-only)' permission"
ONE_MIB = 1 << 20


def viewer(login: str = "octocat") -> Dict[str, Any]:
    return {"data": {"viewer": {"login": login}}}


def assert_inconclusive(verdict: Verdict, *, rate_limited: bool = False) -> None:
    assert verdict.kind == "inconclusive"
    assert verdict.transient_failure is True
    assert verdict.error
    assert verdict.rate_limited is rate_limited
    assert verdict.requests == 0


def assert_invalid(verdict: Verdict, error: str) -> None:
    assert verdict.kind == "invalid"
    assert verdict.transient_failure is False
    assert verdict.error == error
    assert verdict.rate_limited is False


# ---- docs/contract.md §2: the test query ----


@pytest.mark.parametrize(
    "body",
    [
        viewer(),
        {"data": {"viewer": {"login": "octocat"}}, "errors": []},
        {"errors": None, "data": {"viewer": {}}},
        json.dumps(viewer()),
        json.dumps(viewer()).encode(),
        bytearray(json.dumps(viewer()).encode()),
    ],
)
def test_query_200_with_a_viewer_is_valid(body: Any) -> None:
    verdict = classify_test_query(200, body=body)
    assert verdict.kind == "valid"
    assert verdict.error is None
    assert verdict.transient_failure is False
    assert verdict.stage is None
    assert verdict.requests == 0


@pytest.mark.parametrize("status", [500, 502, 503, 504, 599])
def test_query_5xx_is_inconclusive(status: int) -> None:
    verdict = classify_test_query(status, body={"message": "Server Error"})
    assert_inconclusive(verdict)
    assert verdict.error == f"GitHub GraphQL API returned {status}"
    assert verdict.stage == "test_query"


@pytest.mark.parametrize(
    "failure", ["timeout", "connect", "dns", "reset", "tls", "truncated", "protocol",
                "timeout: read timed out after 12 s", "something odd happened"]
)
def test_query_transport_failure_is_inconclusive(failure: str) -> None:
    verdict = classify_test_query(transport_error=failure)
    assert_inconclusive(verdict)
    assert verdict.error is not None and verdict.error.startswith("GitHub GraphQL API unreachable: ")


def test_transport_failure_kinds_are_named_in_words() -> None:
    words = {
        "timeout": "timed out",
        "connect": "connection failed",
        "dns": "host name did not resolve",
        "reset": "connection reset",
        "tls": "TLS failed",
        "truncated": "response body truncated",
        "TIMEOUT": "timed out",
        "anything else": "transport failure: anything else",
    }
    for given, said in words.items():
        error = classify_identity(transport_error=given).error
        assert error is not None and said in error, (given, error)


@pytest.mark.parametrize(
    "status, headers, body",
    [
        (408, {}, None),
        (429, {}, None),
        (403, {"x-ratelimit-remaining": "0"}, {"message": "Forbidden"}),
        (403, {"Retry-After": "60"}, {"message": "Forbidden"}),
        (403, {}, {"message": "You have exceeded a secondary rate limit."}),
        (403, {}, {"errors": [{"type": "RATE_LIMITED", "message": "slow down"}]}),
        (403, {}, b"<html><body>API Rate Limit exceeded</body></html>"),
    ],
)
def test_query_rate_limits_are_inconclusive(
    status: int, headers: Dict[str, str], body: Any
) -> None:
    verdict = classify_test_query(status, headers=headers, body=body)
    assert_inconclusive(verdict, rate_limited=True)
    assert verdict.error is not None
    assert verdict.error.startswith(f"GitHub GraphQL API returned {status}")
    assert "rate limited" in verdict.error


@pytest.mark.parametrize("status", [401, 403])
def test_query_401_and_403_are_invalid(status: int) -> None:
    # docs/contract.md §13 (2026-12-07): of the 4xx, only 401 and 403 are about the token.
    verdict = classify_test_query(status, body={"message": "Bad credentials"})
    assert_invalid(verdict, f"GitHub GraphQL API returned {status}")
    assert verdict.stage == "test_query"


REFUSED = "GitHub refused the request, not the token (is the API URL GitHub's API root? a proxy rewriting requests?)"


@pytest.mark.parametrize("status", [400, 404, 405, 406, 410, 415, 422, 499])
def test_query_other_4xx_is_a_refused_request(status: int) -> None:
    # docs/contract.md §13 (2026-12-07): any other 4xx with GitHub's JSON refuses the request.
    verdict = classify_test_query(status, body={"message": "Bad credentials"})
    assert_inconclusive(verdict)
    assert verdict.cause == "request_refused"
    assert verdict.error == f"GitHub GraphQL API returned {status}: {REFUSED}"
    assert verdict.stage == "test_query"


@pytest.mark.parametrize(
    "first",
    [
        {"type": "RATE_LIMITED", "message": "API rate limit exceeded for user."},
        {"type": "RATE_LIMIT", "message": "API rate limit exceeded for user."},
        {"code": "graphql_rate_limit", "message": "API rate limit exceeded for user."},
    ],
)
def test_query_graphql_rate_limit_is_inconclusive(first: Dict[str, str]) -> None:
    verdict = classify_test_query(200, body={"errors": [first], "data": None})
    assert_inconclusive(verdict, rate_limited=True)
    assert verdict.error == "API rate limit exceeded for user."


def test_query_graphql_error_is_invalid_and_checked_before_data() -> None:
    body = {"errors": [{"type": "FORBIDDEN", "message": "Resource not accessible"}], **viewer()}
    assert_invalid(classify_test_query(200, body=body), "GraphQL error: Resource not accessible")
    assert_invalid(classify_test_query(200, body={"errors": [{}]}), "GraphQL error: unknown")


@pytest.mark.parametrize(
    "body",
    [{"data": None}, {}, {"data": {}}, {"data": {"viewer": None}}, {"data": {"other": 1}}],
)
def test_query_without_viewer_is_invalid(body: Dict[str, Any]) -> None:
    assert_invalid(classify_test_query(200, body=body), VIEWER_MISSING)


@pytest.mark.parametrize(
    "body, says",
    [
        (b"<html>Unicorn!</html>", "not JSON"),
        ("", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        ([1, 2], "not an object"),
        (None, "not an object"),
        ("null", "not an object"),
        (b"x" * (ONE_MIB + 1), "larger than"),
        ({"data": {"viewer": {"login": "x" * ONE_MIB}}}, "larger than"),
    ],
)
def test_query_unreadable_200_is_inconclusive(body: Any, says: str) -> None:
    verdict = classify_test_query(200, body=body)
    assert_inconclusive(verdict)
    assert verdict.error is not None and says in verdict.error


@pytest.mark.parametrize("status", [100, 101, 201, 204, 301, 302, 304, 307, 0, 999])
def test_query_other_statuses_are_inconclusive(status: int) -> None:
    verdict = classify_test_query(status, body=viewer())
    assert_inconclusive(verdict)
    assert verdict.error == f"GitHub GraphQL API returned {status}"


# ---- docs/contract.md §3: the identity lookup ----


@pytest.mark.parametrize(
    "id_, expected", [(42, "42"), ("42", "42"), (0, "0"), (2**63 - 1, str(2**63 - 1))]
)
def test_identity_200_with_an_id_is_valid(id_: Any, expected: str) -> None:
    verdict = classify_identity(200, body={"id": id_, "login": "octocat"})
    assert verdict.kind == "valid"
    assert verdict.github_id == expected
    assert verdict.login == "octocat"
    assert verdict.stage is None


@pytest.mark.parametrize(
    "body",
    [
        {"login": "octocat"},
        {"id": None},
        {"id": -1},
        {"id": 4.5},
        {"id": 42.0},
        {"id": True},
        {"id": "abc"},
        {"id": ""},
        {"id": [42]},
        [{"id": 42}],
        b"not json",
    ],
)
def test_identity_without_a_usable_id_is_inconclusive(body: Any) -> None:
    verdict = classify_identity(200, body=body)
    assert_inconclusive(verdict)
    assert verdict.github_id is None
    assert verdict.stage == "identity"


@pytest.mark.parametrize(
    "status, headers, body",
    [
        (408, {}, None),
        (429, {}, None),
        (403, {"X-RateLimit-Remaining": "0"}, {"message": "API rate limit exceeded"}),
        (403, {"retry-after": "5"}, None),
        (403, {}, {"message": "API rate limit exceeded for 1.2.3.4."}),
    ],
)
def test_identity_rate_limits_are_inconclusive(
    status: int, headers: Dict[str, str], body: Any
) -> None:
    verdict = classify_identity(status, headers=headers, body=body)
    assert_inconclusive(verdict, rate_limited=True)
    assert verdict.error is not None and verdict.error.startswith(f"GitHub /user API returned {status}")


@pytest.mark.parametrize("status", [401, 403])
def test_identity_401_and_403_are_invalid(status: int) -> None:
    verdict = classify_identity(status, body={"message": "Bad credentials"})
    assert_invalid(verdict, f"GitHub /user API returned {status}")
    assert verdict.stage == "identity"


@pytest.mark.parametrize("status", [400, 404, 405, 406, 410, 415, 422])
def test_identity_other_4xx_is_a_refused_request(status: int) -> None:
    verdict = classify_identity(status, body={"message": "Bad credentials"})
    assert_inconclusive(verdict)
    assert verdict.cause == "request_refused"
    assert verdict.error == f"GitHub /user API returned {status}: {REFUSED}"
    assert verdict.stage == "identity"


@pytest.mark.parametrize("status", [500, 503, 100, 302, 204])
def test_identity_5xx_and_odd_statuses_are_inconclusive(status: int) -> None:
    assert_inconclusive(classify_identity(status, body={"id": 1}))


def test_identity_transport_failure_is_inconclusive() -> None:
    assert_inconclusive(classify_identity(transport_error="dns"))


def test_identity_reads_scopes_and_both_expiration_forms() -> None:
    headers = {
        "X-OAuth-Scopes": "repo, read:org",
        "github-authentication-token-expiration": "2026-01-02 15:04:05 UTC",
    }
    verdict = classify_identity(200, body={"id": 1}, headers=headers)
    assert verdict.scopes == ["repo", "read:org"]
    assert verdict.expires_at == "2026-01-02T15:04:05Z"
    headers["github-authentication-token-expiration"] = "2026-01-02 15:04:05 -0700"
    verdict = classify_identity(200, body={"id": 1}, headers=headers)
    assert verdict.expires_at == "2026-01-02T22:04:05Z"
    bare = classify_identity(200, body={"id": 1})
    assert bare.scopes is None and bare.expires_at is None


# ---- docs/contract.md §4: how long to wait ----


def test_retry_after_in_seconds_is_carried() -> None:
    verdict = classify_test_query(429, headers={"Retry-After": "30"})
    assert verdict.retry_after == 30.0
    assert verdict.to_dict()["retry_after_secs"] == 30


def test_ratelimit_reset_minus_now_is_the_wait_and_never_negative() -> None:
    now = 1_700_000_000
    ahead = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(now + 90)}
    assert classify_identity(403, headers=ahead, now=now).retry_after == 90.0
    assert classify_identity(403, headers=ahead, now=now + 0.9).retry_after == 90.0
    past = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(now - 90)}
    assert classify_identity(403, headers=past, now=now).retry_after == 0.0


def test_reset_without_a_limit_is_no_wait() -> None:
    # GitHub sends x-ratelimit-reset on every answer; it means nothing while quota remains.
    headers = {"x-ratelimit-remaining": "4999", "x-ratelimit-reset": "1900000000"}
    verdict = classify_identity(503, headers=headers, now=1_800_000_000)
    assert verdict.retry_after is None


# ---- what a host's client hands over ----


class PlainMapping(Mapping[str, str]):
    def __init__(self, items: Dict[str, str]) -> None:
        self.items_ = items

    def __getitem__(self, key: str) -> str:
        return self.items_[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.items_)

    def __len__(self) -> int:
        return len(self.items_)


@pytest.mark.parametrize(
    "headers",
    [
        {"RETRY-AFTER": "7"},
        OrderedDict([("Retry-After", "7")]),
        requests.structures.CaseInsensitiveDict({"retry-After": "7"}),
        PlainMapping({"rEtRy-AfTeR": "7"}),
        {"retry-after": b"7"},
    ],
)
def test_headers_are_any_mapping_with_case_insensitive_names(headers: Mapping[str, Any]) -> None:
    verdict = classify_test_query(429, headers=headers)
    assert verdict.retry_after == 7.0


BODIES: List[Any] = [
    viewer(),
    {"data": {"viewer": {"login": "ü → 😀", "n": [1, 2.5, -0.0, 1e300, True, False, None]}}},
    {"id": 10**30},
    {"id": 42.0},
    {"id": 42, "plan": {"space": 976562499, "nested": [[[[]]]]}},
    {"id": "007"},
    {"errors": [{"message": "a\u0000b\nc\"d\\e"}]},
    {"errors": [{"type": "RATE_LIMIT"}], "data": None},
    {"data": {"viewer": None}},
    [],
    "just a string",
    12,
    3.25,
    True,
]


@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("classify", [classify_identity, classify_test_query])
def test_a_parsed_body_is_judged_as_its_raw_text(classify: Classify, body: Any) -> None:
    raw = json.dumps(body).encode()
    if isinstance(body, str):
        return_parsed = classify(200, body=raw, now=0)
        assert return_parsed == classify(200, body=raw.decode(), now=0)
        return
    assert classify(200, body=body, now=0) == classify(200, body=raw, now=0)


def test_non_finite_floats_are_not_json_as_github_sent_them() -> None:
    # Python's json reads NaN; GitHub's JSON grammar (and the core) does not.
    parsed = json.loads('{"id": NaN}')
    verdict = classify_identity(200, body=parsed)
    assert verdict == classify_identity(200, body=b'{"id":NaN}')
    assert_inconclusive(verdict)


def test_a_self_containing_body_is_not_followed_forever() -> None:
    loop: List[Any] = []
    loop.append(loop)
    assert_inconclusive(classify_test_query(200, body={"data": loop}))


# ---- bad arguments ----


@pytest.mark.parametrize("classify", [classify_identity, classify_test_query])
def test_exactly_one_of_status_or_transport_error(classify: Classify) -> None:
    with pytest.raises(ValueError):
        classify()
    with pytest.raises(ValueError):
        classify(200, transport_error="timeout")
    with pytest.raises(ValueError):
        classify(transport_error="  ")


@pytest.mark.parametrize("status", [-1, 65536, 10**20])
def test_status_out_of_range_is_a_value_error(status: int) -> None:
    with pytest.raises(ValueError):
        classify_test_query(status)


@pytest.mark.parametrize("now", [float("nan"), float("inf")])
def test_now_must_be_finite(now: float) -> None:
    with pytest.raises(ValueError):
        classify_test_query(200, body=viewer(), now=now)


def test_types_no_json_parser_returns_are_type_errors() -> None:
    with pytest.raises(TypeError):
        classify_test_query(200, body={1, 2})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        classify_test_query(200, body={1: "x"})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        classify_test_query(200, headers=["retry-after"])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        classify_test_query(transport_error=OSError("timeout"))  # type: ignore[arg-type]


def test_classifiers_default_to_the_current_time() -> None:
    verdict = classify_identity(
        403, headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "4102444800"}
    )
    # 2100-01-01 minus now: positive and less than a century away.
    assert verdict.retry_after is not None and 0 < verdict.retry_after < 100 * 365 * 86400


def test_optional_arguments_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        classify_test_query(200, b"{}")  # type: ignore[call-arg]
    assert classify_identity(status=200, body={"id": 5}).github_id == "5"


def test_none_is_json_null() -> None:
    assert classify_identity(200, body=None) == classify_identity(200, body=b"null")
    assert classify_identity(200) == classify_identity(200, body="null")


def test_to_dict_of_a_classified_verdict() -> None:
    assert classify_test_query(401).to_dict() == {
        "verdict": "invalid",
        "github_id": None,
        "login": None,
        "reason": "GitHub GraphQL API returned 401",
        "stage": "test_query",
        "retry_after_secs": None,
        "scopes": None,
        "expires_at": None,
        "cause": "bad_credentials",
        "requests": 0,
    }


# ---- docs/contract.md §4: Retry-After dates, saturation and the one-day clamp ----


def test_retry_after_as_an_http_date_is_read() -> None:
    now = 1_445_412_480  # Wed, 21 Oct 2015 07:28:00 GMT
    headers = {"Retry-After": "Wed, 21 Oct 2015 07:29:00 GMT"}
    assert classify_test_query(429, headers=headers, now=now).retry_after == 60.0


def test_a_huge_retry_after_saturates_to_one_day() -> None:
    verdict = classify_test_query(429, headers={"Retry-After": "9" * 30})
    assert verdict.retry_after == 86400.0


def test_the_wait_is_clamped_to_one_day() -> None:
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(10**6 + 500_000)}
    assert classify_identity(403, headers=headers, now=10**6).retry_after == 86400.0


# ---- docs/contract.md §2–§4, added 2026-12-02: GitHub's own failures, answers that are not
# ---- GitHub's, the widened rate-limit signals (issue 15's rows, each as GitHub sent it)

SOMETHING_WENT_WRONG = (
    "Something went wrong while executing your query. This may be the result of a timeout, "
    "or it could be a GitHub bug. Please include `A8C2:3B5E:1F0C3A:2E4D1B:6756F0A1` when "
    "reporting this issue."
)


def not_githubs(api: str, status: int) -> str:
    return (
        f"{api} returned {status} with a body that is not GitHub's JSON "
        "(a proxy, a firewall or a wrong API URL?)"
    )


@pytest.mark.parametrize(
    "body",
    [
        {"errors": [{"message": SOMETHING_WENT_WRONG}]},
        {"data": None, "errors": [{"message": SOMETHING_WENT_WRONG}]},
        {"data": None, "errors": [{"message": "SOMETHING WENT WRONG, sorry"}]},
        {"data": None, "errors": [{"message": "We couldn't respond to your request in time."}]},
        {"data": None, "errors": [{"message": "the query Timed Out"}]},
        {"data": None, "errors": [{"type": "SERVICE_UNAVAILABLE", "message": "Bad credentials"}]},
    ],
)
def test_query_githubs_own_failure_is_inconclusive(body: Dict[str, Any]) -> None:
    verdict = classify_test_query(200, body=body)
    assert_inconclusive(verdict)
    assert verdict.error == f"GitHub GraphQL API failed: {body['errors'][0]['message']}"
    assert verdict.stage == "test_query"


def test_query_githubs_own_failure_by_type_alone() -> None:
    body = {"data": None, "errors": [{"type": "RESOURCE_LIMITS_EXCEEDED",
                                       "message": "Resource limits for this query exceeded."}]}
    verdict = classify_test_query(200, body=body)
    assert_inconclusive(verdict)
    assert verdict.error == "GitHub GraphQL API failed: Resource limits for this query exceeded."
    untyped = classify_test_query(200, body={"errors": [{"type": "INTERNAL"}]})
    assert_inconclusive(untyped)
    assert untyped.error == "GitHub GraphQL API failed: unknown"


def test_query_githubs_own_failure_beside_a_viewer_is_valid() -> None:
    body = {"errors": [{"message": SOMETHING_WENT_WRONG}], **viewer("octocat")}
    verdict = classify_test_query(200, body=body)
    assert verdict.kind == "valid"
    assert verdict.login == "octocat"


@pytest.mark.parametrize(
    "message",
    [
        "You have triggered an abuse detection mechanism. Please wait a few minutes before you try again.",
        "Maximum number of login attempts exceeded. Please try again later.",
        "you have triggered an ABUSE DETECTION mechanism",
    ],
)
@pytest.mark.parametrize("classify, api", [(classify_test_query, "GitHub GraphQL API"),
                                           (classify_identity, "GitHub /user API")])
def test_abuse_and_lockout_403s_are_rate_limits(classify: Classify, api: str, message: str) -> None:
    verdict = classify(403, body={"message": message,
                                  "documentation_url": "https://docs.github.com/rest"})
    assert_inconclusive(verdict, rate_limited=True)
    assert verdict.error == f"{api} returned 403 (rate limited)"


def test_a_rate_limit_documentation_url_is_a_rate_limit() -> None:
    url = ("https://docs.github.com/rest/using-the-rest-api/"
           "rate-limits-for-the-rest-api#about-secondary-rate-limits")
    verdict = classify_test_query(403, body={"message": "Forbidden", "documentation_url": url})
    assert_inconclusive(verdict, rate_limited=True)


@pytest.mark.parametrize(
    "status, body",
    [
        (403, b"<!DOCTYPE html><html><body>Access denied</body></html>"),
        (404, "<html><body><h1>Not Found</h1></body></html>"),
        (404, "404 page not found\n"),
        (403, b""),
        (401, ""),
        (401, [1, 2]),
    ],
)
@pytest.mark.parametrize("classify, api", [(classify_test_query, "GitHub GraphQL API"),
                                           (classify_identity, "GitHub /user API")])
def test_a_4xx_that_is_not_githubs_json_is_inconclusive(
    classify: Classify, api: str, status: int, body: Any
) -> None:
    verdict = classify(status, body=body)
    assert_inconclusive(verdict)
    assert verdict.error == not_githubs(api, status)


@pytest.mark.parametrize(
    "status, body, error",
    [
        (401, {}, "GitHub GraphQL API returned 401"),
        (401, {"message": "Bad credentials"}, "GitHub GraphQL API returned 401"),
        (401, None, "GitHub GraphQL API returned 401"),
        (403, {"message": "Sorry. Your account was suspended."}, "GitHub GraphQL API returned 403"),
        (403, {"message": "Resource not accessible by personal access token"},
         "GitHub GraphQL API returned 403"),
        (200, {"errors": [{"message": "Bad credentials"}]}, "GraphQL error: Bad credentials"),
        (200, {"errors": [{"type": "FORBIDDEN", "message": "Something went wrong"}]},
         "GraphQL error: Something went wrong"),
        (200, {"errors": [{"type": "INSUFFICIENT_SCOPES", "message": "timed out"}]},
         "GraphQL error: timed out"),
        (200, {"errors": [{"type": "NOT_FOUND", "message": "timeout"}]}, "GraphQL error: timeout"),
        (200, {"data": None}, VIEWER_MISSING),
        (200, {"data": {"viewer": None}}, VIEWER_MISSING),
        (200, {"data": None, "errors": []}, VIEWER_MISSING),
    ],
)
def test_query_evidence_stays_evidence(status: int, body: Any, error: str) -> None:
    assert_invalid(classify_test_query(status, body=body), error)


def test_identity_evidence_stays_evidence() -> None:
    for status, body in [(401, {}), (401, None), (403, {"message": "Sorry. Your account was suspended."})]:
        assert_invalid(classify_identity(status, body=body), f"GitHub /user API returned {status}")


def test_identity_200_saying_github_failed_is_inconclusive_and_says_so() -> None:
    verdict = classify_identity(200, body={"message": SOMETHING_WENT_WRONG})
    assert_inconclusive(verdict)
    assert verdict.error == f"GitHub /user API failed: {SOMETHING_WENT_WRONG}"
