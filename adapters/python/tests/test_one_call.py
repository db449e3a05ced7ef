"""docs/contract.md §11, one round trip per verdict: ``one_call=True`` on `Verifier`, `Validator`
and `Verification`, against the loopback fake GitHub. Every row of §2's table as the one
call's answer, the viewer's ``databaseId`` by §3's rules, the pin by it, the handlers' test
query words, and one request per verdict where two calls need two.
"""

from __future__ import annotations

import asyncio
import json
import pickle
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import requests

from conftest import LOCKED, FakeGithub, Reply, entry, new_token, write_store
from conftest import assert_locked_out, pinned_store
from pat_verdict import DoneStep, SendStep, Validator, Verification, Verifier, WaitStep

GRAPHQL = "GitHub GraphQL API"
VIEWER_MISSING = "Fine-grained PATs need 'Public Repositories (read-only)' permission"
WITHOUT_ID = "GitHub /user API returned no account id"
NOT_DECIMAL = "GitHub /user API returned an account id that is not a non-negative integer"
HOTKEYS = ["hk_0", "hk_1", "hk_2", "hk_3"]


def viewer(database_id: Any = 42, login: str = "octocat") -> Dict[str, Any]:
    return {"data": {"viewer": {"login": login, "databaseId": database_id}}}


def ok(body: Any, **headers: str) -> Reply:
    reply: Reply = {"status": 200, "json": body}
    if headers:
        reply["headers"] = {name.replace("_", "-"): value for name, value in headers.items()}
    return reply


def verifier(fake: FakeGithub, **options: Any) -> Verifier:
    # One second: a retried outage ends inside it.
    return Verifier(fake.url, timeout=1.0, one_call=True, **options)


def requests_sent(fake: FakeGithub, token: str) -> Dict[str, int]:
    return {endpoint: fake.count(token, endpoint) for endpoint in ("user", "graphql", "one_call")}


# ---- §2's table, row by row, as the one call's answer ----

# (name, reply, verdict, rate_limited, reason or None for "starts with the API's name")
ROWS: List[Any] = [
    ("5xx", {"status": 503}, "inconclusive", False, f"{GRAPHQL} returned 503"),
    ("transport failure", {"fault": "reset"}, "inconclusive", False, None),
    ("408", {"status": 408}, "inconclusive", True, f"{GRAPHQL} returned 408 (rate limited)"),
    ("429 with retry-after", {"status": 429, "headers": {"retry-after": "30"}},
     "inconclusive", True, f"{GRAPHQL} returned 429 (rate limited; retry after 30 s)"),
    ("403 with a rate-limit signal",
     {"status": 403, "json": {"message": "API rate limit exceeded"},
      "headers": {"x-ratelimit-remaining": "0"}},
     "inconclusive", True, f"{GRAPHQL} returned 403 (rate limited)"),
    ("4xx with an HTML page", {"not_json": 403}, "inconclusive", False,
     f"{GRAPHQL} returned 403 with a body that is not GitHub's JSON "
     "(a proxy, a firewall or a wrong API URL?)"),
    ("401 bad credentials", {"status": 401, "json": {"message": "Bad credentials"}},
     "invalid", False, f"{GRAPHQL} returned 401"),
    # docs/contract.md §13 (2026-12-07): a 4xx other than 401/403 refuses the request.
    ("4xx with a JSON object", {"status": 422, "json": {}}, "inconclusive", False,
     f"{GRAPHQL} returned 422: GitHub refused the request, not the token "
     "(is the API URL GitHub's API root? a proxy rewriting requests?)"),
    ("200 GraphQL rate limit",
     ok({"errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded for user"}]}),
     "inconclusive", True, "API rate limit exceeded for user"),
    ("200 GitHub's own failure",
     ok({"data": None, "errors": [{"message": "Something went wrong while executing your query."}]}),
     "inconclusive", False,
     f"{GRAPHQL} failed: Something went wrong while executing your query."),
    ("200 GraphQL error that is evidence",
     ok({"errors": [{"type": "FORBIDDEN",
                     "message": "Resource not accessible by personal access token"}]}),
     "invalid", False, "GraphQL error: Resource not accessible by personal access token"),
    ("200 data null", ok({"data": None}), "invalid", False, VIEWER_MISSING),
    ("200 viewer null", ok({"data": {"viewer": None}}), "invalid", False, VIEWER_MISSING),
    ("200 larger than the cap", {"fault": "oversized", "status": 200, "bytes": 2_000_000},
     "inconclusive", False, f"{GRAPHQL} returned a body larger than 1048576 bytes"),
    ("200 not JSON", {"status": 200, "body": "<html>"}, "inconclusive", False, None),
    ("200 JSON not an object", ok([None, None]), "inconclusive", False,
     f"{GRAPHQL} returned JSON that is not an object"),
    ("3xx", {"status": 302, "headers": {"location": "http://127.0.0.1:1/"}},
     "inconclusive", False, f"{GRAPHQL} returned 302"),
    ("2xx other than 200", {"status": 204}, "inconclusive", False, f"{GRAPHQL} returned 204"),
]


@pytest.mark.parametrize(("reply", "kind", "rate_limited", "reason"),
                         [row[1:] for row in ROWS], ids=[row[0] for row in ROWS])
def test_every_row_of_the_test_query_table_decides_the_one_call(
    fake: FakeGithub, token: str, reply: Reply, kind: str, rate_limited: bool,
    reason: Optional[str],
) -> None:
    fake.script(token, "one_call", [reply])
    verdict = verifier(fake).verify(token)
    assert verdict.kind == kind
    assert verdict.stage == "test_query"
    assert verdict.rate_limited is rate_limited
    assert verdict.github_id is None
    if reason is None:
        assert verdict.error is not None and verdict.error.startswith(GRAPHQL)
    else:
        assert verdict.error == reason
    sent = requests_sent(fake, token)
    assert sent["user"] == 0 and sent["graphql"] == 0
    assert verdict.requests == sent["one_call"] >= 1
    if kind == "invalid":
        assert sent["one_call"] == 1  # evidence at the first answer: not asked again


def test_a_valid_viewer_is_one_request_with_its_id_login_scopes_and_expiry(
    fake: FakeGithub, token: str
) -> None:
    fake.script(token, "one_call", [ok(
        viewer(583231),
        x_oauth_scopes="repo, read:user",
        github_authentication_token_expiration="2099-01-01 00:00:00 UTC",
    )])
    verdict = verifier(fake).verify(token)
    assert (verdict.kind, verdict.github_id, verdict.login) == ("valid", "583231", "octocat")
    assert verdict.stage is None and verdict.error is None
    assert verdict.scopes == ["repo", "read:user"]
    assert verdict.to_dict()["expires_at"] == "2099-01-01T00:00:00Z"
    assert verdict.requests == 1
    assert requests_sent(fake, token) == {"user": 0, "graphql": 0, "one_call": 1}


def test_a_pat_scripted_valid_is_valid_in_one_request_where_two_calls_take_two(
    fake: FakeGithub, token: str
) -> None:
    fake.valid(token, 77, "seventy")
    one = verifier(fake).verify(token)
    two = Verifier(fake.url).verify(token)
    assert (one.kind, one.github_id, one.login, one.requests) == ("valid", "77", "seventy", 1)
    assert (two.kind, two.github_id, two.requests) == ("valid", "77", 2)


def test_averify_and_metrics_count_one_graphql_request(fake: FakeGithub, token: str) -> None:
    fake.valid(token, 78, "async")
    v = verifier(fake)
    verdict = asyncio.run(v.averify(token))
    assert (verdict.kind, verdict.github_id, verdict.requests) == ("valid", "78", 1)
    by_endpoint = v.metrics()["github_requests"]
    assert sum(by_endpoint["graphql"].values()) == 1
    assert sum(by_endpoint["user"].values()) == 0


@pytest.mark.parametrize(("database_id", "reason"), [
    ("missing", WITHOUT_ID),
    (None, WITHOUT_ID),
    (-1, NOT_DECIMAL),
    (4.2, NOT_DECIMAL),
    ("forty-two", NOT_DECIMAL),
    ("", NOT_DECIMAL),
    (True, NOT_DECIMAL),
    ([42], NOT_DECIMAL),
])
def test_a_viewer_without_a_usable_database_id_is_inconclusive_never_valid(
    fake: FakeGithub, token: str, database_id: Any, reason: str
) -> None:
    body = viewer(database_id)
    if database_id == "missing":
        del body["data"]["viewer"]["databaseId"]
    fake.script(token, "one_call", [ok(body)])
    verdict = verifier(fake).verify(token)
    assert (verdict.kind, verdict.stage, verdict.error) == ("inconclusive", "test_query", reason)
    assert verdict.github_id is None


def test_the_token_echoed_as_the_id_is_not_an_identity(fake: FakeGithub, token: str) -> None:
    fake.script(token, "one_call", [ok(viewer(token))])
    verdict = verifier(fake).verify(token)
    assert (verdict.kind, verdict.error) == ("inconclusive", NOT_DECIMAL)
    assert token not in repr(verdict) and token not in str(verdict.to_dict())


def test_a_string_of_digits_is_the_id_as_sent(fake: FakeGithub, token: str) -> None:
    fake.script(token, "one_call", [ok(viewer("0042"))])
    assert verifier(fake).verify(token).github_id == "0042"


def test_an_outage_is_asked_again_then_valid(fake: FakeGithub, token: str) -> None:
    fake.script(token, "one_call", [{"status": 502}, ok(viewer(9))])
    verdict = verifier(fake).verify(token)
    assert (verdict.kind, verdict.github_id, verdict.requests) == ("valid", "9", 2)


# ---- the handlers ----


def validator(fake: FakeGithub, store: Path) -> Validator:
    return Validator(store, HOTKEYS, api_url=fake.url, timeout=1.0, one_call=True)


def test_broadcast_pins_the_database_id(fake: FakeGithub, tmp_path: Path, token: str) -> None:
    fake.script(token, "one_call", [ok(viewer(42))])
    store = tmp_path / "s.json"
    response = validator(fake, store).broadcast("hk_2", token)
    assert (response.accepted, response.rejection_reason) == (True, None)
    [saved] = json.loads(store.read_text(encoding="utf-8"))
    assert (saved["uid"], saved["github_id"], saved["pat"]) == (2, "42", token)
    assert requests_sent(fake, token) == {"user": 0, "graphql": 0, "one_call": 1}


def test_broadcast_of_another_account_for_a_pinned_hotkey_is_locked(
    fake: FakeGithub, tmp_path: Path, token: str
) -> None:
    fake.script(token, "one_call", [ok(viewer(99))])
    store = pinned_store(tmp_path)
    assert_locked_out(validator(fake, store), store, token)


def test_broadcast_of_the_same_account_replaces_the_pat(
    fake: FakeGithub, tmp_path: Path, token: str
) -> None:
    fake.script(token, "one_call", [ok(viewer(42))])
    store = pinned_store(tmp_path)
    response = validator(fake, store).broadcast("hk_2", token)
    assert response.accepted is True
    [saved] = json.loads(store.read_text(encoding="utf-8"))
    assert (saved["github_id"], saved["pat"]) == ("42", token)


def test_the_handlers_speak_of_the_test_query_when_the_one_call_fails(
    fake: FakeGithub, tmp_path: Path
) -> None:
    # Invalid: both handlers in the test query's words (two calls: "No Github id found…").
    revoked = new_token()
    fake.script(revoked, "one_call", [{"status": 401, "json": {"message": "Bad credentials"}}])
    store = tmp_path / "s.json"
    v = validator(fake, store)
    response = v.broadcast("hk_1", revoked)
    assert (response.accepted, response.retryable, response.rejection_reason) == (
        False, False, f"PAT test query failed: {GRAPHQL} returned 401")
    write_store(store, [entry(1, "hk_1", revoked, "42")])
    check = v.check("hk_1")
    assert (check.has_pat, check.pat_valid, check.category) == (True, False, "invalid_pat")
    assert check.rejection_reason == f"PAT test query failed: {GRAPHQL} returned 401"

    # Inconclusive: broadcast asks to retry "during PAT test query"; check, GitHub unavailable.
    down = new_token()
    fake.script(down, "one_call", [{"status": 503}])
    response = v.broadcast("hk_3", down)
    assert (response.accepted, response.retryable, response.rejection_reason) == (
        False, True,
        "GitHub API temporarily unavailable during PAT test query; retry the broadcast in a "
        f"few minutes. ({GRAPHQL} returned 503)")
    write_store(store, [entry(3, "hk_3", down, "7")])
    check = v.check("hk_3")
    assert (check.pat_valid, check.category) == (None, "inconclusive")
    assert check.rejection_reason == (
        "GitHub API temporarily unavailable; retry the check in a few minutes.")
    assert fake.count(revoked, "user") == 0 and fake.count(down, "user") == 0


def test_audit_is_one_request_per_stored_pat(fake: FakeGithub, tmp_path: Path) -> None:
    tokens = [new_token() for _ in range(3)]
    for uid, pat in enumerate(tokens):
        fake.valid(pat, uid + 1, f"miner{uid}")
    store = tmp_path / "s.json"
    write_store(store, [entry(uid, HOTKEYS[uid], pat, str(uid + 1))
                        for uid, pat in enumerate(tokens)])
    rows = validator(fake, store).audit()
    assert [(row.uid, row.verdict.kind, row.github_id, row.verdict.requests) for row in rows] == [
        (0, "valid", "1", 1), (1, "valid", "2", 1), (2, "valid", "3", 1)]
    for pat in tokens:
        assert requests_sent(fake, pat) == {"user": 0, "graphql": 0, "one_call": 1}


# ---- Verification, driven by hand ----


def test_verification_sends_the_one_call_and_is_done_at_its_answer(
    fake: FakeGithub, token: str
) -> None:
    fake.script(token, "one_call", [ok(viewer(5, "five"))])
    machine = Verification(token, now=100.0, one_call=True)
    step = machine.step
    assert isinstance(step, SendStep)
    assert (step.endpoint, step.method, step.path) == ("one_call", "POST", "/graphql")
    assert step.headers["Authorization"] == f"Bearer {token}"
    assert step.body == b'{"query": "{ viewer { login databaseId } }"}'
    assert token not in repr(step) and token not in repr(machine)
    response = requests.request(step.method, step.url(fake.url), headers=step.headers,
                                data=step.body, timeout=step.timeout, allow_redirects=False)
    done = machine.receive(response.status_code, body=response.content,
                           headers=response.headers, now=100.1)
    assert isinstance(done, DoneStep)  # no IdentityStep: the id came with the answer
    assert (done.verdict.kind, done.verdict.github_id, done.verdict.requests) == ("valid", "5", 1)
    assert requests_sent(fake, token) == {"user": 0, "graphql": 0, "one_call": 1}


def test_verification_one_call_failures_are_at_the_test_query() -> None:
    machine = Verification(new_token(), now=0.0, one_call=True)
    step = machine.receive(401, body=b'{"message": "Bad credentials"}', now=0.1)
    assert isinstance(step, DoneStep)
    assert (step.verdict.kind, step.verdict.stage, step.verdict.error) == (
        "invalid", "test_query", f"{GRAPHQL} returned 401")

    # Two attempts: a 503, then a viewer without its id (inconclusive too: the last answer).
    machine = Verification(new_token(), now=0.0, attempts=2, one_call=True)
    wait = machine.receive(503, now=0.1)
    assert isinstance(wait, WaitStep)
    again = machine.resume(now=wait.until)
    assert isinstance(again, SendStep) and again.endpoint == "one_call"
    done = machine.receive(200, body=b'{"data": {"viewer": {"login": "x"}}}', now=wait.until)
    assert isinstance(done, DoneStep)
    assert (done.verdict.kind, done.verdict.error, done.verdict.requests) == (
        "inconclusive", WITHOUT_ID, 2)


def test_two_calls_stay_the_default() -> None:
    step = Verification(new_token(), now=0.0).step
    assert isinstance(step, SendStep) and step.endpoint == "identity"


# ---- the option itself ----


@pytest.mark.parametrize("value", [1, 0, "yes", None, 1.0])
def test_one_call_must_be_a_bool(fake: FakeGithub, tmp_path: Path, value: Any) -> None:
    with pytest.raises(TypeError, match="one_call"):
        Verifier(fake.url, one_call=value)
    with pytest.raises(TypeError, match="one_call"):
        Validator(tmp_path / "s.json", HOTKEYS, api_url=fake.url, one_call=value)
    with pytest.raises(TypeError):
        Verification(new_token(), one_call=value)


def test_the_repr_says_one_call(fake: FakeGithub, tmp_path: Path) -> None:
    assert "one_call=True" in repr(verifier(fake))
    assert "one_call=False" in repr(Verifier(fake.url))
    assert "one_call=True" in repr(validator(fake, tmp_path / "s.json"))


def test_a_one_call_verdict_pickles_like_any_other(fake: FakeGithub, token: str) -> None:
    fake.valid(token, 81, "pickled")
    verdict = verifier(fake).verify(token)
    assert pickle.loads(pickle.dumps(verdict)) == verdict
