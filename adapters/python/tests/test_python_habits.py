"""docs/contract.md §9, "Behaving as Python does": coroutine functions that start on await
and stop on cancel, Ctrl-C, fork, logging, value objects, a missing store, argument errors,
signatures. Counters of the fake GitHub show what was (not) sent.
"""

from __future__ import annotations

import asyncio
import copy
import datetime
import inspect
import logging
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, List, Optional

import pytest

from conftest import FakeGithub, entry, new_token, write_store
from pat_verdict import (
    AuditRow,
    BroadcastResponse,
    CheckResponse,
    OutageState,
    Validator,
    Verdict,
    Verifier,
)

SLOW_MS = 800


def slow_identity(fake: FakeGithub, token: str, github_id: int = 5) -> None:
    """A working PAT whose `GET /user` answers after SLOW_MS."""
    fake.valid(token, github_id, "slow")
    fake.script(token, "user", [{"user": [github_id, "slow"], "after_ms": SLOW_MS}])


async def until_counted(fake: FakeGithub, token: str, endpoint: str) -> None:
    while fake.count(token, endpoint) < 1:
        await asyncio.sleep(0.01)


def wait_counted(fake: FakeGithub, token: str, endpoint: str) -> None:
    while fake.count(token, endpoint) < 1:
        time.sleep(0.01)


# ---- coroutine functions ----

@pytest.mark.parametrize("cls, name", [(Verifier, "averify"), (Validator, "acheck"),
                                       (Validator, "abroadcast"), (Validator, "aaudit")])
def test_a_methods_are_coroutine_functions(cls: Any, name: str) -> None:
    assert inspect.iscoroutinefunction(getattr(cls, name))


def test_asyncio_run_of_each_a_method(fake: FakeGithub, tmp_path: Path, token: str) -> None:
    fake.valid(token, 11, "eleven")
    assert asyncio.run(Verifier(fake.url).averify(token)).kind == "valid"
    v = Validator(tmp_path / "s.json", ["hk_0"], api_url=fake.url)
    assert asyncio.run(v.abroadcast("hk_0", token)).accepted is True
    assert asyncio.run(v.acheck("hk_0")).category == "valid"
    rows = asyncio.run(v.aaudit())
    assert [(row.uid, row.verdict.kind) for row in rows] == [(0, "valid")]


def test_create_task_taskgroup_and_wait_for(fake: FakeGithub, token: str) -> None:
    fake.valid(token, 12, "twelve")
    verifier = Verifier(fake.url)

    async def run() -> List[str]:
        task = asyncio.create_task(verifier.averify(token))
        kinds: List[str] = [(await task).kind]
        kinds.append((await asyncio.wait_for(verifier.averify(token), timeout=30)).kind)
        if sys.version_info >= (3, 11):
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(verifier.averify(token)) for _ in range(3)]
            kinds += [t.result().kind for t in tasks]
        return kinds

    kinds = asyncio.run(run())
    assert set(kinds) == {"valid"} and len(kinds) == (5 if sys.version_info >= (3, 11) else 2)


def test_nothing_is_sent_before_the_await(fake: FakeGithub, token: str) -> None:
    fake.valid(token, 13, "thirteen")
    verifier = Verifier(fake.url)

    async def run() -> str:
        pending = verifier.averify(token)
        await asyncio.sleep(0.3)  # a started call would have reached the fake by now
        assert fake.count(token, "user") == 0
        return (await pending).kind

    assert asyncio.run(run()) == "valid"
    assert fake.count(token, "user") == 1


def test_no_request_after_a_cancel(fake: FakeGithub, token: str) -> None:
    slow_identity(fake, token)
    verifier = Verifier(fake.url)

    async def run() -> None:
        task = asyncio.create_task(verifier.averify(token))
        await until_counted(fake, token, "user")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(SLOW_MS / 1000 + 0.7)  # the identity answered meanwhile

    asyncio.run(run())
    assert fake.count(token, "graphql") == 0
    # Not cancelled, the same PAT goes on to the test query.
    assert verifier.verify(token).kind == "valid" and fake.count(token, "graphql") == 1


def test_wait_for_timeout_cancels_the_call(fake: FakeGithub, token: str) -> None:
    slow_identity(fake, token)

    async def run() -> None:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(Verifier(fake.url).averify(token), timeout=0.2)
        await asyncio.sleep(SLOW_MS / 1000 + 0.7)

    asyncio.run(run())
    assert fake.count(token, "user") == 1 and fake.count(token, "graphql") == 0


def test_no_store_write_from_an_unawaited_or_cancelled_broadcast(
    fake: FakeGithub, tmp_path: Path, token: str
) -> None:
    store = tmp_path / "s.json"
    v = Validator(store, ["hk_0"], api_url=fake.url)
    fake.valid(token, 14, "fourteen")
    never = v.abroadcast("hk_0", token)
    asyncio.run(asyncio.sleep(0.3))
    never.close()
    assert fake.count(token, "user") == 0 and not store.exists()

    slow = new_token()
    slow_identity(fake, slow)

    async def cancelled() -> None:
        task = asyncio.create_task(v.abroadcast("hk_0", slow))
        await until_counted(fake, slow, "user")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(SLOW_MS / 1000 + 0.7)

    asyncio.run(cancelled())
    assert fake.count(slow, "graphql") == 0 and not store.exists()
    assert v.broadcast("hk_0", slow).accepted is True and store.exists()  # the control


# ---- Ctrl-C ----

def interrupt_when(counted: Any) -> List[float]:
    """Sends SIGINT to this process once `counted()` is true; the list gets the time."""
    sent: List[float] = []

    def run() -> None:
        while not counted():
            time.sleep(0.01)
        sent.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=run, daemon=True).start()
    return sent


def test_sigint_interrupts_a_stalled_verify(fake: FakeGithub, token: str) -> None:
    fake.script(token, "user", [{"fault": "stall"}])
    verifier = Verifier(fake.url, timeout=10.0)
    sent = interrupt_when(lambda: fake.count(token, "user") >= 1)
    with pytest.raises(KeyboardInterrupt):
        verifier.verify(token)
    assert time.monotonic() - sent[0] < 0.5


def test_sigint_interrupts_an_audit(fake: FakeGithub, tmp_path: Path) -> None:
    tokens = [new_token() for _ in range(6)]
    for pat in tokens:
        fake.script(pat, "user", [{"fault": "stall"}])
    store = tmp_path / "s.json"
    write_store(store, [entry(uid, f"hk_{uid}", pat, None) for uid, pat in enumerate(tokens)])
    v = Validator(store, [f"hk_{uid}" for uid in range(6)], api_url=fake.url, timeout=10.0)
    sent = interrupt_when(lambda: fake.count(tokens[0], "user") >= 1)
    with pytest.raises(KeyboardInterrupt):
        v.audit(concurrency=2)
    assert time.monotonic() - sent[0] < 0.5


# ---- fork ----

_FORKED: Optional[Verifier] = None


def _verify_in_child(token: str) -> Verdict:
    assert _FORKED is not None
    return _FORKED.verify(token)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_verifies(fake: FakeGithub, token: str) -> None:
    global _FORKED
    fake.valid(token, 15, "fifteen")
    _FORKED = Verifier(fake.url)
    assert _FORKED.verify(token).kind == "valid"  # the runtime is up in the parent
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        verdict = pool.submit(_verify_in_child, token).result(timeout=60)
    assert (verdict.kind, verdict.github_id) == ("valid", "15")  # pickled back, too
    assert fake.count(token, "user") == 2
    assert _FORKED.verify(token).kind == "valid"  # and the parent goes on


# ---- logging ----

def test_null_handler_attached() -> None:
    assert any(isinstance(h, logging.NullHandler) for h in logging.getLogger("pat_verdict").handlers)


def test_log_records(fake: FakeGithub, token: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="pat_verdict")
    fake.valid(token, 16, "sixteen")
    verifier = Verifier(fake.url, timeout=5.0)
    verifier.verify(token)
    assert [(r.name, r.levelno) for r in caplog.records] == [("pat_verdict", logging.DEBUG)]
    assert "valid" in caplog.records[0].getMessage()
    caplog.clear()

    fake.script(token, "graphql", [{"status": 503},
                                   {"status": 200, "json": {"data": {"viewer": {"login": "x"}}}}])
    assert asyncio.run(verifier.averify(token)).kind == "valid"
    assert [r.levelno for r in caplog.records] == [logging.WARNING, logging.DEBUG]
    assert "503" in caplog.records[0].getMessage()
    caplog.clear()

    down = new_token()
    fake.script(down, "user", [{"status": 503}])
    assert verifier.verify(down).kind == "inconclusive"
    levels = [r.levelno for r in caplog.records]
    assert levels == [logging.WARNING, logging.WARNING, logging.DEBUG, logging.WARNING]
    for record in caplog.records:
        assert down not in record.getMessage() and token not in record.getMessage()


def test_no_warning_for_invalid(fake: FakeGithub, token: str,
                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="pat_verdict")
    assert Verifier(fake.url).verify(token).kind == "invalid"  # unscripted: 401
    assert [r.levelno for r in caplog.records] == [logging.DEBUG]


# ---- value objects ----

VERDICT = Verdict("inconclusive", error="GitHub API returned 503", rate_limited=True,
                  retry_after=1.5, stage="identity", requests=3)
VALUES: List[Any] = [
    VERDICT,
    Verdict(kind="valid", github_id="1", login="one", expires_at="2027-01-01T00:00:00Z",
            scopes=["repo"], requests=2),
    CheckResponse(category="no_pat", has_pat=False, pat_valid=None,
                  rejection_reason="No PAT stored", detail="missing"),
    BroadcastResponse(accepted=False, rejection_reason="down", retryable=True),
    AuditRow(uid=3, hotkey="hk_3", github_id="9", verdict=VERDICT),
    OutageState(opened_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc),
                retry_at=datetime.datetime(2026, 1, 1, 0, 0, 30, tzinfo=datetime.timezone.utc),
                failures=6, probing=True),
]


@pytest.mark.parametrize("value", VALUES)
def test_value_objects(value: Any) -> None:
    assert pickle.loads(pickle.dumps(value)) == value
    assert copy.copy(value) == value and copy.deepcopy(value) == value
    assert hash(pickle.loads(pickle.dumps(value))) == hash(value)
    assert len({value, copy.copy(value)}) == 1
    assert isinstance(value.to_dict(), dict)
    with pytest.raises(AttributeError):
        value.anything = 1


def test_keyword_construction_and_to_dict() -> None:
    assert VERDICT.transient_failure is True and VERDICT.retry_after == 1.5
    assert VERDICT.to_dict()["retry_after_secs"] == 2
    assert VERDICT != Verdict("inconclusive", stage="identity", cause="github_down")
    # docs/contract.md §13 (2026-12-07): every answer's to_dict() has its "cause".
    assert CheckResponse(category="valid", has_pat=True, pat_valid=True).to_dict() == {
        "has_pat": True, "pat_valid": True, "rejection_reason": None, "category": "valid",
        "cause": "ok"}
    assert BroadcastResponse(accepted=True).to_dict() == {
        "accepted": True, "rejection_reason": None, "retryable": False, "cause": "ok"}
    row = AuditRow(uid=0, hotkey="hk", github_id=None, verdict=Verdict("valid"))
    assert row.to_dict()["verdict"]["verdict"] == "valid"
    with pytest.raises(ValueError, match="kind"):
        Verdict("maybe")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="category"):
        CheckResponse(category="fine")  # type: ignore[arg-type]


def test_results_from_calls_are_hashable(fake: FakeGithub, token: str, tmp_path: Path) -> None:
    fake.valid(token, 17, "seventeen")
    v = Validator(tmp_path / "s.json", ["hk_0"], api_url=fake.url)
    answers = [v.broadcast("hk_0", token), v.check("hk_0"), *v.audit()]
    assert all(pickle.loads(pickle.dumps(a)) == a and hash(a) == hash(copy.copy(a))
               for a in answers)


# ---- a missing store, arguments, signatures ----

def test_check_of_a_missing_store_says_so(fake: FakeGithub, tmp_path: Path) -> None:
    missing = tmp_path / "typo.json"
    answer = Validator(missing, ["hk_0"], api_url=fake.url).check("hk_0")
    assert answer.category == "no_pat"
    assert answer.detail is not None and "does not exist" in answer.detail
    assert str(missing) in answer.detail


def test_argument_errors_name_the_argument(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"^argument 'hotkeys' must be a sequence of str, not str$"):
        Validator(tmp_path / "s.json", "hotkey_0")
    with pytest.raises(TypeError, match=r"^argument 'token' must be str, not None$"):
        Verifier().verify(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^argument 'store' must be str, bytes or os.PathLike"):
        Validator(3, [])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"argument 'hotkeys'.*int"):
        Validator(tmp_path / "s.json", ["a", 1])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"^argument 'timeout' must be a number, not str$"):
        Verifier(timeout="3")  # type: ignore[arg-type]


def test_sequences_bytes_paths_and_default_url(fake: FakeGithub, tmp_path: Path) -> None:
    v = Validator(os.fsencode(tmp_path / "s.json"), ("hk_0", "hk_1"), api_url=None)
    assert v.hotkeys == ["hk_0", "hk_1"] and "api.github.com" in repr(v)
    v.hotkeys = ("hk_2",)
    assert v.hotkeys == ["hk_2"]
    assert "https://api.github.com" in repr(Verifier(None))
    assert "https://api.github.com" in repr(Verifier(os.environ.get("PAT_VERDICT_UNSET_URL")))


@pytest.mark.parametrize("callable_", [Verifier, Verifier.verify, Verifier.averify, Validator,
                                       Validator.check, Validator.broadcast, Validator.audit,
                                       Validator.aaudit, Verdict, CheckResponse,
                                       BroadcastResponse, AuditRow, OutageState])
def test_signatures_and_docs(callable_: Any) -> None:
    signature = inspect.signature(callable_)
    assert "Ellipsis" not in str(signature)
    assert callable_.__doc__ and len(callable_.__doc__) > 40
    assert "docs/contract.md" not in callable_.__doc__


def test_verifier_signature_defaults() -> None:
    parameters = inspect.signature(Verifier).parameters
    assert parameters["api_url"].default is None and parameters["timeout"].default == 12.0
