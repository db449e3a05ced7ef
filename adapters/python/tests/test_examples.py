"""The gittensor drop-ins of `examples/` against the fake GitHub: the test query and the
identity lookup keep `requests` and borrow only the decision; the handlers hand everything to
`Validator`.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from conftest import FakeGithub

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))

from gittensor_identity import github_identity  # noqa: E402
from gittensor_test_query import _test_pat_against_repo  # noqa: E402
from gittensor_validator import handle_pat_broadcast, handle_pat_check  # noqa: E402
from own_client_machine import verify_with_requests  # noqa: E402
from pat_verdict import Validator  # noqa: E402


def test_query_drop_in_valid(fake: FakeGithub, token: str) -> None:
    fake.valid(token, 1, "one")
    verdict = _test_pat_against_repo(token, fake.url)
    assert verdict.kind == "valid" and verdict.error is None


def test_query_drop_in_outage_is_transient_not_a_bad_pat(fake: FakeGithub, token: str) -> None:
    fake.script(token, "graphql", [{"status": 503}])
    verdict = _test_pat_against_repo(token, fake.url)
    assert verdict.transient_failure is True
    assert verdict.error == "GitHub GraphQL API returned 503"  # gittensor's own words


@pytest.mark.parametrize("step", [{"fault": "reset"}, {"not_json": 502},
                                  {"status": 429, "headers": {"Retry-After": "9"}}])
def test_query_drop_in_other_outages(fake: FakeGithub, token: str, step: Any) -> None:
    fake.script(token, "graphql", [step])
    assert _test_pat_against_repo(token, fake.url).transient_failure is True


def test_query_drop_in_bad_pat_is_invalid(fake: FakeGithub, token: str) -> None:
    fake.script(token, "graphql", [{"status": 200, "json": {"data": {"viewer": None}}}])
    verdict = _test_pat_against_repo(token, fake.url)
    assert verdict.kind == "invalid"
    assert verdict.error == "Fine-grained PATs need 'Public Repositories (read-only)' permission"
    assert _test_pat_against_repo("ghp_never_scripted", fake.url).kind == "invalid"  # 401


def test_query_drop_in_connection_refused() -> None:
    verdict = _test_pat_against_repo("ghp_x", "http://127.0.0.1:1")
    assert verdict.transient_failure is True
    assert verdict.error is not None and "connection failed" in verdict.error


def test_identity_drop_in(fake: FakeGithub, token: str) -> None:
    fake.valid(token, 583231, "octocat")
    verdict = github_identity(token, fake.url)
    assert (verdict.kind, verdict.github_id, verdict.login) == ("valid", "583231", "octocat")
    fake.script(token, "user", [{"fault": "reset"}])
    assert github_identity(token, fake.url).transient_failure is True
    fake.script(token, "user", [{"status": 401, "json": {"message": "Bad credentials"}}])
    assert github_identity(token, fake.url).kind == "invalid"


def test_validator_drop_in(fake: FakeGithub, tmp_path: Path, token: str) -> None:
    fake.valid(token, 7, "seven")
    pats = Validator(tmp_path / "miner_pats.json", [], api_url=fake.url)
    neuron = SimpleNamespace(metagraph=SimpleNamespace(hotkeys=["hk_0", "hk_1"]))
    dendrite = SimpleNamespace(hotkey="hk_1")
    broadcast = SimpleNamespace(dendrite=dendrite, github_access_token=token, accepted=None,
                                rejection_reason=None)
    check = SimpleNamespace(dendrite=dendrite, has_pat=None, pat_valid=None, rejection_reason=None)

    async def both() -> None:
        await handle_pat_broadcast(pats, neuron, broadcast)
        await handle_pat_check(pats, neuron, check)

    asyncio.run(both())
    assert broadcast.accepted is True and broadcast.github_access_token == ""
    assert (check.has_pat, check.pat_valid, check.rejection_reason) == (True, True, None)


def test_machine_with_requests_valid(fake: FakeGithub, token: str) -> None:
    fake.valid(token, 4242, "forty")
    verdict = verify_with_requests(token, fake.url)
    assert verdict is not None
    assert (verdict.kind, verdict.github_id, verdict.login, verdict.requests) == (
        "valid", "4242", "forty", 2)


def test_machine_with_requests_sleeps_through_a_retry(fake: FakeGithub, token: str) -> None:
    fake.valid(token, 6, "six")
    fake.script(token, "graphql", [{"status": 502},
                                   {"status": 200, "json": {"data": {"viewer": {"login": "six"}}}}])
    verdict = verify_with_requests(token, fake.url)
    assert verdict is not None and verdict.kind == "valid" and verdict.requests == 3
    assert fake.count(token, "graphql") == 2


def test_machine_with_requests_pin_and_revoked(fake: FakeGithub, token: str) -> None:
    fake.valid(token, 6, "six")
    assert verify_with_requests(token, fake.url, pinned_id="7") is None
    assert fake.count(token, "graphql") == 0
    pinned = verify_with_requests(token, fake.url, pinned_id="6")
    assert pinned is not None and pinned.kind == "valid"
    fake.script(token, "user", [{"status": 401, "json": {"message": "Bad credentials"}}])
    revoked = verify_with_requests(token, fake.url)
    assert revoked is not None and (revoked.kind, revoked.stage) == ("invalid", "identity")


def test_machine_with_requests_connection_refused() -> None:
    verdict = verify_with_requests("ghp_x", "http://127.0.0.1:1", timeout=2.0)
    assert verdict is not None and verdict.transient_failure is True
    assert verdict.stage == "identity" and 1 <= verdict.requests <= 3


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("name, printed", [
    ("gittensor_test_query", "test query: valid"),
    ("gittensor_identity", "identity: valid (github_id='31'"),
    ("own_client_machine", "verified with requests: valid (github_id='31', requests=2)"),
    ("gittensor_validator", "audit: uid 1 hotkey_1: valid"),
])
def test_example_runs_as_a_script(fake: FakeGithub, token: str, name: str, printed: str) -> None:
    fake.valid(token, 31, "thirtyone")
    env = dict(os.environ, GITHUB_TOKEN=token)
    done = subprocess.run([sys.executable, str(EXAMPLES / f"{name}.py"), "--api-url", fake.url],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert printed in done.stdout
    assert token not in done.stdout + done.stderr
    assert fake.count(token, "user") + fake.count(token, "graphql") >= 1


def test_example_without_a_token_says_so(fake: FakeGithub) -> None:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_TOKEN"}
    done = subprocess.run([sys.executable, str(EXAMPLES / "gittensor_identity.py"),
                           "--api-url", fake.url], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2 and "GITHUB_TOKEN" in done.stderr
