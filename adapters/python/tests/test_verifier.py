"""docs/contract.md §4 (retries, deadline, order of the calls) and §5 (the token) through `Verifier`,
against the loopback fake GitHub.
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

import pytest

from conftest import FakeGithub, new_token
from pat_verdict import Verdict, Verifier


def assert_invalid(verdict: Verdict, stage: str, error: str) -> None:
    """`verdict` is GitHub's evidence against the PAT, found at `stage`, in gittensor's words."""
    assert (verdict.kind, verdict.stage, verdict.error) == ("invalid", stage, error)


def test_a_working_pat_is_valid_with_its_account(fake: FakeGithub, token: str) -> None:
    fake.valid(token, 583231, "octocat")
    verdict = Verifier(fake.url).verify(token)
    assert verdict.kind == "valid"
    assert verdict.error is None and verdict.transient_failure is False
    assert verdict.github_id == "583231"
    assert verdict.login == "octocat"
    assert verdict.stage is None
    assert verdict.requests == 2
    assert verdict.to_dict() == {
        "verdict": "valid",
        "github_id": "583231",
        "login": "octocat",
        "reason": None,
        "stage": None,
        "retry_after_secs": None,
        "scopes": None,
        "expires_at": None,
        "cause": "ok",
        "requests": 2,
    }


def test_identity_runs_first_and_the_test_query_only_after_a_valid_one(
    fake: FakeGithub, token: str
) -> None:
    fake.script(token, "user", [{"status": 401, "json": {"message": "Bad credentials"}}])
    fake.script(token, "graphql", [{"viewer": "x"}])
    assert_invalid(Verifier(fake.url).verify(token), "identity", "GitHub /user API returned 401")
    assert fake.count(token, "graphql") == 0


def test_an_inconclusive_call_is_retried_until_it_answers(fake: FakeGithub, token: str) -> None:
    fake.script(token, "user", [{"status": 503}, {"user": [7, "seven"]}])
    fake.script(token, "graphql", [{"not_json": 502}, {"viewer": "seven"}])
    verdict = Verifier(fake.url).verify(token)
    assert verdict.kind == "valid"
    assert verdict.requests == 4
    assert fake.count(token, "user") == 2 and fake.count(token, "graphql") == 2


def test_an_invalid_answer_is_never_retried(fake: FakeGithub, token: str) -> None:
    fake.script(token, "user", [{"user": [7, "seven"]}])
    fake.script(token, "graphql", [{"status": 403, "json": {
        "message": "Resource not accessible by personal access token"}}])
    verdict = Verifier(fake.url).verify(token)
    assert_invalid(verdict, "test_query", "GitHub GraphQL API returned 403")
    assert verdict.github_id == "7"
    assert fake.count(token, "graphql") == 1


def test_a_test_query_401_after_a_valid_identity_is_asked_again_once(
    fake: FakeGithub, token: str
) -> None:
    # docs/contract.md §4 "GitHub contradicting itself": GraphQL's auth flapped, REST worked.
    bad = {"status": 401, "json": {"message": "Bad credentials"}}
    fake.script(token, "user", [{"user": [7, "seven"]}])
    fake.script(token, "graphql", [bad, {"viewer": "seven"}])
    assert Verifier(fake.url).verify(token).kind == "valid"
    assert fake.count(token, "graphql") == 2
    # A second 401 is evidence.
    fake.script(token, "graphql", [bad])
    verdict = Verifier(fake.url).verify(token)
    assert_invalid(verdict, "test_query", "GitHub GraphQL API returned 401")
    assert fake.count(token, "graphql") == 4


def test_an_html_4xx_is_not_githubs_judgement(fake: FakeGithub, token: str) -> None:
    fake.script(token, "user", [{"not_json": 404}])
    verdict = Verifier(fake.url, timeout=1.0).verify(token)
    assert verdict.kind == "inconclusive"
    assert verdict.stage == "identity"
    assert verdict.error == ("GitHub /user API returned 404 with a body that is not GitHub's JSON "
                             "(a proxy, a firewall or a wrong API URL?)")


def test_at_most_three_attempts_per_call(fake: FakeGithub, token: str) -> None:
    fake.script(token, "user", [{"user": [7, "seven"]}])
    fake.script(token, "graphql", [{"status": 503}])
    verdict = Verifier(fake.url).verify(token)
    assert verdict.kind == "inconclusive"
    assert verdict.error == "GitHub GraphQL API returned 503"
    assert fake.count(token, "graphql") == 3
    assert verdict.requests == 4


def test_attempts_bounds_the_retries(fake: FakeGithub, token: str) -> None:
    fake.script(token, "user", [{"status": 500}])
    verdict = Verifier(fake.url, attempts=1).verify(token)
    assert verdict.kind == "inconclusive" and verdict.requests == 1


def test_a_retry_after_past_the_deadline_is_not_waited_for(fake: FakeGithub, token: str) -> None:
    fake.script(token, "user", [{"status": 429, "headers": {"Retry-After": "60"}}])
    verdict = Verifier(fake.url, timeout=5).verify(token)
    assert verdict.kind == "inconclusive"
    assert verdict.rate_limited is True
    assert verdict.retry_after == 60.0
    assert verdict.to_dict()["retry_after_secs"] == 60
    assert verdict.requests == 1


def test_the_deadline_bounds_the_whole_verdict(fake: FakeGithub, token: str) -> None:
    fake.script(token, "user", [{"fault": "stall"}])
    verdict = Verifier(fake.url, timeout=0.5).verify(token)
    assert verdict.kind == "inconclusive"
    assert verdict.stage == "identity"
    assert verdict.error is not None and "timed out" in verdict.error


@pytest.mark.parametrize(
    "step, says",
    [
        ({"fault": "reset"}, "unreachable"),
        ({"fault": "truncated", "status": 200, "declared": 500, "sent": '{"data": '}, "unreachable"),
        ({"fault": "oversized", "status": 200, "bytes": 2 << 20}, "larger than"),
        ({"fault": "oversized", "status": 200, "bytes": 2 << 20, "chunked": True}, "larger than"),
        ({"not_json": 502}, "returned 502"),
        ({"raw": "SSH-2.0-OpenSSH\r\n"}, "unreachable"),
        ({"status": 302, "headers": {"Location": "http://127.0.0.1:9/graphql"}}, "returned 302"),
    ],
)
def test_an_outage_on_the_test_query_is_inconclusive(
    fake: FakeGithub, token: str, step: Dict[str, Any], says: str
) -> None:
    fake.script(token, "user", [{"user": [9, "nine"]}])
    fake.script(token, "graphql", [step])
    verdict = Verifier(fake.url, attempts=1).verify(token)
    assert verdict.kind == "inconclusive", verdict
    assert verdict.transient_failure is True
    assert verdict.stage == "test_query"
    assert verdict.error is not None and says in verdict.error


def test_a_connection_refused_is_inconclusive() -> None:
    verdict = Verifier("http://127.0.0.1:1", attempts=1).verify("ghp_whatever")
    assert verdict.kind == "inconclusive"
    assert verdict.error is not None and "connection failed" in verdict.error


def test_scopes_and_expiry_come_from_the_identity_headers(fake: FakeGithub, token: str) -> None:
    headers = {
        "X-OAuth-Scopes": "repo, read:user",
        "github-authentication-token-expiration": "2030-01-02 03:04:05 UTC",
    }
    fake.script(token, "user", [{"user": [3, "three"], "headers": headers}])
    fake.script(token, "graphql", [{"viewer": "three"}])
    verdict = Verifier(fake.url).verify(token)
    assert verdict.scopes == ["repo", "read:user"]
    assert verdict.expires_at == "2030-01-02T03:04:05Z"
    assert verdict.to_dict()["scopes"] == ["repo", "read:user"]


# ---- docs/contract.md §5: the token, before any request ----


def test_surrounding_whitespace_is_stripped(fake: FakeGithub, token: str) -> None:
    fake.valid(token, 5, "five")
    assert Verifier(fake.url).verify(f"  {token}\n").kind == "valid"


@pytest.mark.parametrize("raw", ["", "   ", "\n\t"])
def test_an_empty_token_is_invalid_without_a_request(fake: FakeGithub, raw: str) -> None:
    verdict = Verifier(fake.url).verify(raw)
    assert verdict.kind == "invalid"
    assert verdict.stage == "token"
    assert verdict.requests == 0


@pytest.mark.parametrize("suffix", ["\r\nX-Evil: 1", "é", " space", "\x00", "\x7f"])
def test_invisible_characters_are_invalid_without_a_request(
    fake: FakeGithub, token: str, suffix: str
) -> None:
    fake.valid(token, 5, "five")
    verdict = Verifier(fake.url).verify(token + suffix)
    assert verdict.kind == "invalid"
    assert verdict.stage == "token"
    assert verdict.requests == 0
    assert fake.count(token, "user") == 0


@pytest.mark.parametrize("prefix", ["ghp_", "github_pat_11AAAA_", "gho_", ""])
def test_every_token_family_is_sent(fake: FakeGithub, prefix: str) -> None:
    token = new_token(prefix)
    if not prefix:
        token = token + "01234567"  # 40 hex digits, a legacy token
        assert len(token) == 40
    fake.valid(token, 11, "eleven")
    assert Verifier(fake.url).verify(token).kind == "valid"


def test_a_token_echoed_by_github_is_redacted_everywhere(fake: FakeGithub, token: str) -> None:
    fake.script(token, "user", [{"status": 200, "json": {"id": 12, "login": token}}])
    fake.script(
        token,
        "graphql",
        [{"status": 200, "json": {"errors": [{"message": f"token {token} lacks access"}]}}],
    )
    verdict = Verifier(fake.url).verify(token)
    assert verdict.kind == "invalid"
    assert verdict.error == "GraphQL error: token [REDACTED] lacks access"
    shown = [repr(verdict), str(verdict), repr(verdict.to_dict()), str(verdict.login)]
    assert not any(token in text for text in shown)


# ---- sharing ----


def test_one_verifier_serves_several_event_loops_and_threads(fake: FakeGithub, token: str) -> None:
    import threading

    fake.valid(token, 21, "shared")
    verifier = Verifier(fake.url)
    kinds: List[str] = []

    async def averify() -> str:
        return (await verifier.averify(token)).kind

    def in_a_loop() -> None:
        kinds.append(asyncio.run(averify()))
        kinds.append(verifier.verify(token).kind)

    in_a_loop()
    threads = [threading.Thread(target=in_a_loop) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert kinds == ["valid"] * 8
