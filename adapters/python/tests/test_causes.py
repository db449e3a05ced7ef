"""docs/contract.md §13 from Python: every verdict and every handler answer carries its cause, one
word of the contract's table, decided once by the core; the log levels follow the cause; log
records say how long a call really took and, for check and broadcast, whose call it was; a
scheme-less ``api_url`` gets the CLI's ``did you mean`` hint; the defaults come from the core.

The classifier rows use ``classify_*`` on synthesized answers; the rows that need a request path
(``malformed_token``, ``contradicted``, ``short_circuited``, ``deadline``) run through
``Verifier`` against the loopback fake GitHub or through ``Verification``.
"""

from __future__ import annotations

import ast
import asyncio
import errno
import inspect
import logging
import os
import pickle
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

import pat_verdict
from conftest import FakeGithub, entry, new_token, write_store
from pat_verdict import (
    BroadcastResponse,
    CheckResponse,
    DoneStep,
    IdentityStep,
    SendStep,
    Validator,
    Verdict,
    Verification,
    Verifier,
    classify_identity,
    classify_test_query,
)

REFUSED = ("GitHub refused the request, not the token "
           "(is the API URL GitHub's API root? a proxy rewriting requests?)")
SOMETHING_WENT_WRONG = "Something went wrong while executing your query. Please try again."
LOCKOUT = {"message": "Max number of login attempt exceeded",
           "documentation_url": "https://docs.github.com/rest"}
USER_AGENT = {"message": "Missing or invalid User Agent string. "
              "See https://developer.github.com/v3/#user-agent-required"}
RATE_LIMIT_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
# A hotkey as long as a real ss58 address: the records show its first 16 characters only.
HOTKEY = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"


def rows() -> List[Tuple[str, str, Verdict]]:
    """(row of the table, expected cause, verdict) for every row a classifier decides."""
    identity, query = classify_identity, classify_test_query
    return [
        ("ok: test query", "ok", query(200, body={"data": {"viewer": {"login": "octocat"}}})),
        ("ok: identity", "ok", identity(200, body={"id": 1, "login": "octocat"})),
        ("bad_credentials: 401 with JSON", "bad_credentials",
         identity(401, body={"message": "Bad credentials"})),
        ("bad_credentials: 401 alone", "bad_credentials", query(401)),
        ("forbidden: 403 about the token", "forbidden",
         query(403, body={"message": "Resource not accessible by personal access token"})),
        ("forbidden: 403 alone", "forbidden", identity(403)),
        ("graphql_error", "graphql_error",
         query(200, body={"errors": [{"type": "FORBIDDEN",
                                      "message": "Resource not accessible"}]})),
        ("no_viewer", "no_viewer", query(200, body={"data": None})),
        ("rate_limited: 429", "rate_limited", query(429)),
        ("rate_limited: primary", "rate_limited",
         identity(403, headers={"x-ratelimit-remaining": "0"}, body={"message": "x"})),
        ("rate_limited: GitHub's lockout wording", "rate_limited", identity(403, body=LOCKOUT)),
        ("rate_limited: documentation_url", "rate_limited",
         identity(403, body={"message": "Forbidden", "documentation_url": RATE_LIMIT_DOCS})),
        ("rate_limited: GraphQL", "rate_limited",
         query(200, body={"errors": [{"type": "RATE_LIMITED", "message": "API rate limit"}]})),
        ("github_down", "github_down", identity(503)),
        ("github_failure", "github_failure",
         identity(200, body={"message": SOMETHING_WENT_WRONG})),
        ("not_github: an HTML 4xx", "not_github", query(403, body="<html>Forbidden</html>")),
        ("not_github: a 302", "not_github", identity(302)),
        ("not_github: a body over the cap", "not_github", query(200, body=b" " * (1 << 21))),
        ("request_refused: User-Agent", "request_refused", identity(403, body=USER_AGENT)),
        ("request_refused: documentation_url", "request_refused",
         query(403, body={"message": "Forbidden", "documentation_url":
                          "https://developer.github.com/v3/#user-agent-required"})),
        ("no_account_id", "no_account_id", identity(200, body={"login": "octocat"})),
        ("transport", "transport", query(transport_error="timeout")),
    ]


KINDS = {
    "ok": "valid", "bad_credentials": "invalid", "forbidden": "invalid",
    "graphql_error": "invalid", "no_viewer": "invalid", "malformed_token": "invalid",
}


@pytest.mark.parametrize("row, cause, verdict", rows(), ids=[row for row, _, _ in rows()])
def test_each_row_of_the_cause_table_from_a_classifier(row: str, cause: str,
                                                        verdict: Verdict) -> None:
    assert verdict.cause == cause, row
    assert verdict.kind == KINDS.get(cause, "inconclusive")
    assert verdict.rate_limited is (cause == "rate_limited")
    assert verdict.transient_failure is (verdict.kind == "inconclusive")
    assert verdict.to_dict()["cause"] == cause


@pytest.mark.parametrize("status", [404, 405, 406, 410, 415, 422])
@pytest.mark.parametrize("classify, api", [(classify_test_query, "GitHub GraphQL API"),
                                           (classify_identity, "GitHub /user API")])
@pytest.mark.parametrize("body", [{"message": "Not Found",
                                   "documentation_url": "https://docs.github.com/rest"}, None])
def test_a_refused_request_is_inconclusive_with_a_body_and_with_the_status_alone(
    classify: Any, api: str, status: int, body: Optional[Dict[str, str]]
) -> None:
    verdict = classify(status, body=body)
    assert (verdict.kind, verdict.cause, verdict.rate_limited) == (
        "inconclusive", "request_refused", False)
    assert verdict.error == f"{api} returned {status}: {REFUSED}"


def test_the_lockout_wording_is_a_rate_limit_in_any_case() -> None:
    for message in ("Max number of login attempt exceeded",
                    "MAXIMUM NUMBER OF LOGIN ATTEMPTS EXCEEDED"):
        verdict = classify_identity(403, body={"message": message})
        assert (verdict.kind, verdict.cause, verdict.rate_limited) == (
            "inconclusive", "rate_limited", True)


def test_the_user_agent_refusal_is_a_refused_request() -> None:
    verdict = classify_identity(403, body=USER_AGENT,
                                headers={"Content-Type": "application/octet-stream"})
    assert (verdict.kind, verdict.cause) == ("inconclusive", "request_refused")
    assert verdict.error is not None and "User-Agent" in verdict.error


# ---- the rows that need a request path ----


@pytest.mark.parametrize("token", ["ghp_bad-token!", "a" * 256, "ghp_\u00e9t\u00e9"])
def test_malformed_token_sends_nothing(fake: FakeGithub, token: str) -> None:
    verdict = Verifier(fake.url).verify(token)
    assert (verdict.kind, verdict.cause, verdict.stage, verdict.requests) == (
        "invalid", "malformed_token", "token", 0)


def test_a_token_of_255_characters_of_githubs_alphabet_is_sent(fake: FakeGithub) -> None:
    token = "ghp_" + "a" * 251
    verdict = Verifier(fake.url).verify(token)  # unscripted: the fake answers 401
    assert (verdict.cause, verdict.requests) == ("bad_credentials", 1)
    assert fake.count(token, "user") == 1


def test_contradicted(fake: FakeGithub, token: str) -> None:
    fake.script(token, "user", [{"user": [5, "five"]}])
    fake.script(token, "graphql", [{"status": 401, "json": {"message": "Bad credentials"}}])
    verdict = Verifier(fake.url, attempts=1).verify(token)
    assert (verdict.kind, verdict.cause, verdict.stage) == (
        "inconclusive", "contradicted", "test_query")


def test_short_circuited(fake: FakeGithub) -> None:
    down, other = new_token(), new_token()
    fake.script(down, "user", [{"status": 503}])
    fake.valid(other, 6, "six")
    verifier = Verifier(fake.url, attempts=1, outage_threshold=1, outage_cooldown=30.0)
    assert verifier.verify(down).cause == "github_down"
    verdict = verifier.verify(other)
    assert (verdict.kind, verdict.cause, verdict.requests) == (
        "inconclusive", "short_circuited", 0)
    assert fake.count(other, "user") == 0


def test_deadline() -> None:
    machine = Verification("ghp_" + "a" * 36, timeout=1.0, now=0.0)
    assert isinstance(machine.step, SendStep)
    assert isinstance(machine.receive(200, body={"id": 7, "login": "seven"}, now=0.1),
                      IdentityStep)
    done = machine.proceed(now=5.0)  # the test query's turn comes after the deadline
    assert isinstance(done, DoneStep)
    assert (done.verdict.kind, done.verdict.cause) == ("inconclusive", "deadline")


def test_a_wrong_api_root_leaves_every_answer_open(fake: FakeGithub, tmp_path: Path) -> None:
    # The scenario: a root with an /api/v3 the host does not have answers 404 with
    # GitHub's JSON; no PAT is called invalid, no broadcast refused for good.
    token = new_token()
    fake.valid(token, 41, "fortyone")
    store = tmp_path / "miner_pats.json"
    write_store(store, [entry(0, "hk_0", token, "41")])
    validator = Validator(store, ["hk_0", "hk_1"], api_url=fake.url + "/api/v3")
    check = validator.check("hk_0")
    assert (check.category, check.pat_valid, check.cause) == (
        "inconclusive", None, "request_refused")
    broadcast = validator.broadcast("hk_1", token)
    assert (broadcast.accepted, broadcast.retryable, broadcast.cause) == (
        False, True, "request_refused")
    [row] = validator.audit()
    assert (row.verdict.kind, row.verdict.cause) == ("inconclusive", "request_refused")


# ---- the handlers' own words ----


def test_handler_answers_carry_their_cause(fake: FakeGithub, tmp_path: Path) -> None:
    good, bad, locked = new_token(), new_token(), new_token()
    fake.valid(good, 51, "fiftyone")
    fake.valid(locked, 52, "fiftytwo")
    store = tmp_path / "miner_pats.json"
    write_store(store, [entry(0, "hk_0", good, "51"), entry(1, "hk_1", bad, "53")])
    validator = Validator(store, ["hk_0", "hk_1", "hk_2"], api_url=fake.url)
    assert validator.check("hk_0").cause == "ok"
    assert validator.check("hk_1").cause == "bad_credentials"  # unscripted: 401
    assert validator.check("hk_2").cause == "no_pat"
    assert validator.check("nobody").cause == "not_registered"
    assert validator.broadcast("nobody", good).cause == "not_registered"
    assert validator.broadcast("hk_0", locked).cause == "identity_locked"
    assert validator.broadcast("hk_2", "ghp_bad-token!").cause == "malformed_token"
    accepted = validator.broadcast("hk_2", locked)
    assert (accepted.accepted, accepted.cause) == (True, "ok")
    assert accepted.to_dict()["cause"] == "ok"

    directory = tmp_path / "a_directory"
    directory.mkdir()
    unreadable = Validator(directory, ["hk_0"], api_url=fake.url)
    check = unreadable.check("hk_0")
    assert (check.category, check.cause) == ("inconclusive", "store_unavailable")
    assert check.to_dict()["cause"] == "store_unavailable"
    broadcast = unreadable.broadcast("hk_0", good)
    assert (broadcast.retryable, broadcast.cause) == (True, "store_unavailable")


def test_an_unusable_store_entry_is_an_audit_row_with_the_store_s_cause(
    fake: FakeGithub, tmp_path: Path
) -> None:
    store = tmp_path / "miner_pats.json"
    write_store(store, [{"uid": 0, "hotkey": "hk_0", "pat": 42}])
    [row] = Validator(store, ["hk_0"], api_url=fake.url).audit()
    assert (row.verdict.kind, row.verdict.cause, row.verdict.requests) == (
        "inconclusive", "store_unavailable", 0)
    assert row.to_dict()["verdict"]["cause"] == "store_unavailable"
    assert pickle.loads(pickle.dumps(row)) == row


# ---- value objects built by hand: docs/contract.md §9's cause= rules ----


def test_a_built_verdict_s_cause_defaults_from_its_kind() -> None:
    assert Verdict("valid").cause == "ok"
    assert Verdict("invalid").cause == "bad_credentials"
    assert Verdict("inconclusive").cause == "github_down"
    assert Verdict("inconclusive", rate_limited=True).cause == "rate_limited"
    given = Verdict("inconclusive", cause="request_refused", stage="identity")
    assert given.cause == "request_refused" and given.to_dict()["cause"] == "request_refused"
    assert pickle.loads(pickle.dumps(given)) == given
    assert given != Verdict("inconclusive", cause="transport", stage="identity")


@pytest.mark.parametrize("kwargs", [
    {"kind": "inconclusive", "cause": "bad_credentials"},
    {"kind": "invalid", "cause": "github_down"},
    {"kind": "valid", "cause": "no_viewer"},
    {"kind": "inconclusive", "cause": "rate_limited"},  # rate_limited=True says it
    {"kind": "inconclusive", "cause": "github_down", "rate_limited": True},
    {"kind": "inconclusive", "cause": "no_pat"},  # a handler's word no verdict carries
    {"kind": "inconclusive", "cause": "maybe"},
])
def test_a_built_verdict_refuses_a_cause_that_does_not_fit(kwargs: Dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="^cause "):
        Verdict(**kwargs)


def test_built_answers_default_their_cause_and_refuse_one_that_does_not_fit() -> None:
    assert [CheckResponse(category).cause for category in
            ("valid", "no_pat", "invalid_pat", "inconclusive", "no_response")] == [
        "ok", "no_pat", "bad_credentials", "github_down", "not_registered"]
    assert CheckResponse("inconclusive", detail="corrupt").cause == "store_unavailable"
    assert CheckResponse("invalid_pat", cause="malformed_token").cause == "malformed_token"
    assert BroadcastResponse(True).cause == "ok"
    assert BroadcastResponse(False, retryable=True).cause == "github_down"
    assert BroadcastResponse(False).cause == "bad_credentials"
    assert BroadcastResponse(False, cause="identity_locked").cause == "identity_locked"
    for bad in (lambda: CheckResponse("valid", cause="no_pat"),
                lambda: CheckResponse("invalid_pat", cause="github_down"),
                lambda: BroadcastResponse(True, cause="github_down"),
                lambda: BroadcastResponse(False, retryable=True, cause="identity_locked")):
        with pytest.raises(ValueError, match="^cause "):
            bad()


def _stub_literal(name: str) -> List[str]:
    stub = Path(pat_verdict.__file__).with_name("_pat_verdict.pyi")
    for node in ast.parse(stub.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in node.targets
        ):
            assert isinstance(node.value, ast.Subscript)
            assert isinstance(node.value.slice, ast.Tuple)
            words: List[str] = []
            for element in node.value.slice.elts:
                if isinstance(element, ast.Constant) and isinstance(element.value, str):
                    words.append(element.value)
                elif isinstance(element, ast.Name):  # another Literal alias, nested
                    words.extend(_stub_literal(element.id))
            return words
    raise AssertionError(f"{name} is not in the stub")


def test_the_stub_lists_every_cause_word_the_runtime_has() -> None:
    counted = Verifier().metrics()["verdicts"]
    verdict_words = {cause for causes in counted.values() for cause in causes}
    assert set(_stub_literal("VerdictCause")) == verdict_words | {"store_unavailable"}
    assert set(_stub_literal("AnswerCause")) == verdict_words | {
        "no_pat", "not_registered", "identity_locked", "store_unavailable"}


# ---- log records: levels from the cause, real elapsed times, whose call ----


def _records(caplog: pytest.LogCaptureFixture) -> List[Tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "pat_verdict"]


def _millis(message: str) -> int:
    found = re.search(r"in (\d+) ms$", message)
    assert found is not None, message
    return int(found.group(1))


def test_a_slow_answer_s_record_says_how_long_it_took(
    fake: FakeGithub, token: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="pat_verdict")
    fake.script(token, "user", [{"user": [61, "sixtyone"], "after_ms": 300}])
    fake.script(token, "graphql", [{"viewer": "sixtyone"}])
    assert Verifier(fake.url).verify(token).cause == "ok"
    [(level, message)] = _records(caplog)
    assert level == logging.DEBUG and message.startswith("verify: valid, cause ok, ")
    # The fake waited 300 ms before answering: the record counts them (it said 0 before).
    assert _millis(message) >= 300


def test_handler_records_name_the_uid_and_the_hotkey_s_first_16_characters(
    fake: FakeGithub, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="pat_verdict")
    token = new_token()
    fake.script(token, "user", [{"user": [62, "sixtytwo"], "after_ms": 200}])
    fake.script(token, "graphql", [{"viewer": "sixtytwo"}])
    validator = Validator(tmp_path / "miner_pats.json", ["hk_0", HOTKEY], api_url=fake.url)
    assert validator.broadcast(HOTKEY, token).accepted
    assert validator.check(HOTKEY).cause == "ok"
    assert validator.check("x" * 40).cause == "not_registered"
    who = f"(UID: 1, hotkey: {HOTKEY[:16]}...)"
    messages = [message for _, message in _records(caplog)]
    assert messages[0].startswith(f"broadcast {who}: accepted, cause ok, ")
    assert messages[1].startswith(f"check {who}: valid, cause ok, ")
    assert messages[2].startswith(f"check (UID: none, hotkey: {'x' * 16}...): no_response, "
                                  "cause not_registered, ")
    assert _millis(messages[0]) >= 200 and _millis(messages[1]) >= 200
    for _, message in _records(caplog):
        assert token not in message and HOTKEY not in message


def test_levels_follow_the_cause(
    fake: FakeGithub, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="pat_verdict")
    refused, invalid = new_token(), new_token()
    fake.valid(refused, 71, "seventyone")
    store = tmp_path / "miner_pats.json"
    write_store(store, [entry(0, "hk_0", refused, "71"), entry(1, "hk_1", invalid, "72")])

    # GitHub refused the request (a wrong root): inconclusive, so a WARNING after its
    # retries' own.
    wrong_root = Validator(store, ["hk_0", "hk_1"], api_url=fake.url + "/api/v3")
    assert wrong_root.check("hk_0").cause == "request_refused"
    records = _records(caplog)
    assert [level for level, _ in records[-2:]] == [logging.DEBUG, logging.WARNING]
    assert all(level == logging.WARNING and message.endswith("; retrying")
               for level, message in records[:-2])
    assert "(request_refused)" in records[-1][1]
    caplog.clear()

    # Evidence (401): no WARNING.
    validator = Validator(store, ["hk_0", "hk_1"], api_url=fake.url)
    assert validator.check("hk_1").cause == "bad_credentials"
    assert [level for level, _ in _records(caplog)] == [logging.DEBUG]
    caplog.clear()

    # The store's own trouble is not GitHub's: no WARNING from the binding.
    directory = tmp_path / "a_directory"
    directory.mkdir()
    assert Validator(directory, ["hk_0"], api_url=fake.url).check("hk_0").cause == (
        "store_unavailable")
    assert [level for level, _ in _records(caplog)] == [logging.DEBUG]
    caplog.clear()

    # A rate limit GitHub sent, retried: a WARNING per retry and one for the verdict.
    limited = new_token()
    fake.script(limited, "user", [{"status": 403, "json": LOCKOUT}])
    verdict = Verifier(fake.url, attempts=2).verify(limited)
    assert verdict.cause == "rate_limited"
    levels = [level for level, _ in _records(caplog)]
    assert levels[-2:] == [logging.DEBUG, logging.WARNING]
    assert "(rate_limited at identity)" in _records(caplog)[-1][1]


# ---- the URL hint, and the core's defaults ----


@pytest.mark.parametrize("given, meant", [
    ("127.0.0.1:45115", "http://127.0.0.1:45115"),
    ("localhost:8080/api/v3", "http://localhost:8080/api/v3"),
    ("ghe.example.com/api/v3", "https://ghe.example.com/api/v3"),
])
def test_a_scheme_less_api_url_gets_the_cli_s_hint(tmp_path: Path, given: str,
                                                   meant: str) -> None:
    expected = f"^api_url: .*: did you mean {re.escape(meant)}\\?$"
    with pytest.raises(ValueError, match=expected):
        Verifier(given)
    with pytest.raises(ValueError, match=expected):
        Validator(tmp_path / "s.json", [], api_url=given)


def test_an_api_url_with_credentials_is_never_repeated() -> None:
    with pytest.raises(ValueError) as raised:
        Verifier("user:secret@ghe.example.com")
    assert "secret" not in str(raised.value) and "did you mean" not in str(raised.value)


def test_the_defaults_are_the_core_s() -> None:
    assert pat_verdict.DEFAULT_API_URL == "https://api.github.com"
    verifier = inspect.signature(Verifier).parameters
    validator = inspect.signature(Validator).parameters
    machine = inspect.signature(Verification).parameters
    for parameters in (verifier, validator, machine):
        assert parameters["timeout"].default == pat_verdict.DEFAULT_TIMEOUT
    for parameters in (verifier, machine):
        assert parameters["attempts"].default == pat_verdict.MAX_ATTEMPTS
    for parameters in (verifier, validator):
        assert parameters["outage_threshold"].default == pat_verdict.DEFAULT_OUTAGE_THRESHOLD
        assert parameters["outage_cooldown"].default == pat_verdict.DEFAULT_OUTAGE_COOLDOWN
    assert inspect.signature(SendStep.url).parameters["api_url"].default == (
        pat_verdict.DEFAULT_API_URL)
    assert repr(Verifier()) == (
        f"Verifier(api_url={pat_verdict.DEFAULT_API_URL!r}, "
        f"timeout={pat_verdict.DEFAULT_TIMEOUT!r}, attempts={pat_verdict.MAX_ATTEMPTS}, "
        f"outage_threshold={pat_verdict.DEFAULT_OUTAGE_THRESHOLD}, "
        f"outage_cooldown={pat_verdict.DEFAULT_OUTAGE_COOLDOWN!r}, one_call=False)")
    with pytest.raises(ValueError, match=f"from 1 to {pat_verdict.MAX_ATTEMPTS}"):
        Verifier(attempts=pat_verdict.MAX_ATTEMPTS + 1)


# ---- store failures as values (docs/contract.md §9, §13) ----


def test_an_audit_of_a_directory_raises_with_errno_and_filename(
    fake: FakeGithub, tmp_path: Path
) -> None:
    directory = tmp_path / "a_directory"
    directory.mkdir()
    with pytest.raises(pat_verdict.StoreUnavailableError) as raised:
        Validator(directory, ["hk_0"], api_url=fake.url).audit()
    assert isinstance(raised.value, OSError)
    assert raised.value.errno == errno.EISDIR
    assert raised.value.filename == str(directory)
    assert raised.value.strerror is not None
    assert raised.value.strerror.startswith("cannot audit: the PAT store is unavailable (")


def test_an_audit_of_a_corrupt_store_has_no_os_error_number(
    fake: FakeGithub, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("[1, 2", encoding="utf-8")
    with pytest.raises(pat_verdict.StoreUnavailableError) as raised:
        asyncio.run(Validator(broken, ["hk_0"], api_url=fake.url).aaudit())
    assert raised.value.errno is None and "broken.json" in str(raised.value)


def test_a_missing_store_is_one_answer_in_the_cli_s_words(
    fake: FakeGithub, tmp_path: Path
) -> None:
    missing = tmp_path / "typo.json"
    validator = Validator(missing, ["hk_0"], api_url=fake.url)
    answer = validator.check("hk_0")
    assert (answer.category, answer.cause) == ("no_pat", "no_pat")
    assert answer.detail == (
        f"{missing} does not exist yet: no PAT has been stored (a broadcast creates it)")
    with pytest.raises(FileNotFoundError) as raised:
        asyncio.run(validator.aaudit())
    assert (raised.value.errno, raised.value.strerror, raised.value.filename) == (
        errno.ENOENT, os.strerror(errno.ENOENT), str(missing))


@pytest.mark.parametrize("cls", [Verdict, CheckResponse, BroadcastResponse, pat_verdict.AuditRow,
                                 pat_verdict.OutageState])
def test_every_attribute_says_what_it_means(cls: Any) -> None:
    for name in dir(cls):
        attribute = inspect.getattr_static(cls, name)
        if type(attribute).__name__ == "getset_descriptor":
            assert attribute.__doc__ and len(attribute.__doc__) > 10, (cls, name)
            assert "docs/contract.md" not in attribute.__doc__, (cls, name)
