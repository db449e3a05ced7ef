"""docs/contract.md §6 (check and broadcast, their messages byte for byte, the identity pin, the race
rule, the fail-closed store) and the audit, through `Validator` over a real
`miner_pats.json` and the loopback fake GitHub.
"""

from __future__ import annotations

import asyncio
import errno
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, List, Optional, Tuple

import pytest

from conftest import LOCKED, FakeGithub, entry, new_token, write_store
from conftest import assert_locked_out, pinned_store
from pat_verdict import (
    AuditRow,
    BroadcastResponse,
    CheckResponse,
    StoreUnavailableError,
    Validator,
)

NOT_REGISTERED = "Hotkey not registered on subnet"
STORE_UNAVAILABLE = "Validator PAT store temporarily unavailable; please retry."
NO_PAT = "No PAT stored for this miner"
GITHUB_UNAVAILABLE_CHECK = "GitHub API temporarily unavailable; retry the check in a few minutes."
HOTKEYS = ["hk_0", "hk_1", "hk_2", "hk_3"]


def validator(fake: FakeGithub, store: Path, timeout: float = 12.0) -> Validator:
    return Validator(store, HOTKEYS, api_url=fake.url, timeout=timeout)


def answer(response: CheckResponse) -> Tuple[Optional[bool], Optional[bool], Optional[str], str]:
    return (response.has_pat, response.pat_valid, response.rejection_reason, response.category)


def read(store: Path) -> Any:
    return json.loads(store.read_text(encoding="utf-8"))


# ---- check ----


def test_check_unregistered_hotkey(fake: FakeGithub, tmp_path: Path) -> None:
    response = validator(fake, tmp_path / "s.json").check("hk_stranger")
    assert answer(response) == (None, None, NOT_REGISTERED, "no_response")


@pytest.mark.parametrize("contents", ["{}", "null", "[1]", "{", "not json"])
def test_check_unreadable_store_is_not_no_pat(
    fake: FakeGithub, tmp_path: Path, contents: str
) -> None:
    store = tmp_path / "s.json"
    store.write_text(contents, encoding="utf-8")
    response = validator(fake, store).check("hk_1")
    assert answer(response) == (False, None, STORE_UNAVAILABLE, "inconclusive")
    assert store.read_text(encoding="utf-8") == contents


def test_check_store_that_is_a_directory(fake: FakeGithub, tmp_path: Path) -> None:
    response = validator(fake, tmp_path).check("hk_1")
    assert answer(response) == (False, None, STORE_UNAVAILABLE, "inconclusive")


def test_check_no_entry_and_stale_entry(fake: FakeGithub, tmp_path: Path, token: str) -> None:
    store = tmp_path / "s.json"
    fake.valid(token, 1, "one")
    write_store(store, [entry(2, "hk_old_miner", token, "1")])
    check = validator(fake, store).check
    assert answer(check("hk_1")) == (False, False, NO_PAT, "no_pat")
    assert answer(check("hk_2")) == (False, False, NO_PAT, "no_pat")
    assert fake.count(token, "user") == 0
    assert answer(validator(fake, tmp_path / "missing.json").check("hk_1"))[3] == "no_pat"


@pytest.mark.parametrize("endpoint", ["user", "graphql"])
def test_check_github_inconclusive(
    fake: FakeGithub, tmp_path: Path, token: str, endpoint: str
) -> None:
    fake.valid(token, 1, "one")
    fake.script(token, endpoint, [{"status": 503}])
    store = tmp_path / "s.json"
    write_store(store, [entry(1, "hk_1", token, "1")])
    response = validator(fake, store, timeout=1).check("hk_1")
    assert answer(response) == (True, None, GITHUB_UNAVAILABLE_CHECK, "inconclusive")


def test_check_identity_invalid(fake: FakeGithub, tmp_path: Path, token: str) -> None:
    fake.script(token, "user", [{"status": 401, "json": {"message": "Bad credentials"}}])
    store = tmp_path / "s.json"
    write_store(store, [entry(3, "hk_3", token, "1")])
    response = validator(fake, store).check("hk_3")
    assert answer(response) == (True, False, "No Github id found for miner 3's PAT", "invalid_pat")


def test_check_test_query_invalid(fake: FakeGithub, tmp_path: Path, token: str) -> None:
    fake.script(token, "user", [{"user": [1, "one"]}])
    fake.script(token, "graphql", [{"status": 200, "json": {"data": {"viewer": None}}}])
    store = tmp_path / "s.json"
    write_store(store, [entry(1, "hk_1", token, "1")])
    response = validator(fake, store).check("hk_1")
    assert answer(response) == (
        True,
        False,
        "PAT test query failed: Fine-grained PATs need 'Public Repositories (read-only)' permission",
        "invalid_pat",
    )


def test_check_valid(fake: FakeGithub, tmp_path: Path, token: str) -> None:
    fake.valid(token, 1, "one")
    store = tmp_path / "s.json"
    write_store(store, [entry(1, "hk_1", token, 1)])  # type: ignore[arg-type]
    assert answer(validator(fake, store).check("hk_1")) == (True, True, None, "valid")


def test_seed_reproduction_a_503_is_not_an_invalid_pat(
    fake: FakeGithub, tmp_path: Path, token: str
) -> None:
    """The seed: a stored PAT, GitHub's GraphQL API in an outage (503). gittensor answered
    "invalid" and the miner rotated a working token; the answer must be "retry later"."""
    fake.script(token, "user", [{"user": [1001, "miner1"]}])
    fake.script(token, "graphql", [{"status": 503}])
    store = tmp_path / "miner_pats.json"
    write_store(store, [entry(1, "hk_1", token, "1001")])
    before = store.read_bytes()

    response = validator(fake, store).check("hk_1")

    assert response.has_pat is True
    assert response.pat_valid is None
    assert response.rejection_reason == GITHUB_UNAVAILABLE_CHECK
    assert response.category == "inconclusive"
    assert fake.count(token, "graphql") == 3  # retried, then gave up honestly
    assert store.read_bytes() == before


# ---- broadcast ----


def stored(store: Path) -> List[Any]:
    return read(store) if store.exists() else []


def test_broadcast_unregistered(fake: FakeGithub, tmp_path: Path, token: str) -> None:
    response = validator(fake, tmp_path / "s.json").broadcast("hk_x", token)
    assert (response.accepted, response.retryable, response.rejection_reason) == (
        False, False, NOT_REGISTERED)


@pytest.mark.parametrize(
    "pat, reason",
    [
        ("   ", "No Github PAT provided by miner 2"),
        ("ghp_a\r\nX-Evil: 1", "Malformed Github PAT from miner 2: "
         "the token has a character outside GitHub's token alphabet (A-Z a-z 0-9 _) at position 6"),
    ],
)
def test_broadcast_bad_token(fake: FakeGithub, tmp_path: Path, pat: str, reason: str) -> None:
    store = tmp_path / "s.json"
    response = validator(fake, store).broadcast("hk_2", pat)
    assert (response.accepted, response.retryable, response.rejection_reason) == (
        False, False, reason)
    assert not store.exists()


def test_broadcast_identity_invalid(fake: FakeGithub, tmp_path: Path, token: str) -> None:
    fake.script(token, "user", [{"status": 401, "json": {"message": "Bad credentials"}}])
    response = validator(fake, tmp_path / "s.json").broadcast("hk_2", token)
    assert (response.accepted, response.retryable, response.rejection_reason) == (
        False, False, "No Github id found for miner 2's PAT")


def test_broadcast_identity_inconclusive(fake: FakeGithub, tmp_path: Path, token: str) -> None:
    fake.script(token, "user", [{"fault": "reset"}])
    response = validator(fake, tmp_path / "s.json", timeout=1).broadcast("hk_2", token)
    assert (response.accepted, response.retryable, response.rejection_reason) == (
        False, True,
        "Could not validate Github id for miner 2: GitHub /user lookup failed transiently")


def test_broadcast_identity_pin(fake: FakeGithub, tmp_path: Path, token: str) -> None:
    fake.valid(token, 99, "other_account")
    store = pinned_store(tmp_path)
    assert_locked_out(validator(fake, store), store, token)
    assert fake.count(token, "graphql") == 0  # the early pin spared the test query


def test_broadcast_test_query_inconclusive(fake: FakeGithub, tmp_path: Path, token: str) -> None:
    fake.script(token, "user", [{"user": [5, "five"]}])
    fake.script(token, "graphql", [{"status": 503}])
    response = validator(fake, tmp_path / "s.json", timeout=1).broadcast("hk_2", token)
    assert (response.accepted, response.retryable, response.rejection_reason) == (
        False, True,
        "GitHub API temporarily unavailable during PAT test query; retry the broadcast in a "
        "few minutes. (GitHub GraphQL API returned 503)")


def test_broadcast_test_query_invalid(fake: FakeGithub, tmp_path: Path, token: str) -> None:
    fake.script(token, "user", [{"user": [5, "five"]}])
    fake.script(token, "graphql", [{"status": 200, "json": {"errors": [{"message": "nope"}]}}])
    store = tmp_path / "s.json"
    response = validator(fake, store).broadcast("hk_2", token)
    assert (response.accepted, response.retryable, response.rejection_reason) == (
        False, False, "PAT test query failed: GraphQL error: nope")
    assert not store.exists()


@pytest.mark.parametrize("contents", ["{}", "[1]", "{"])
def test_broadcast_fails_closed_on_an_unreadable_store(
    fake: FakeGithub, tmp_path: Path, token: str, contents: str
) -> None:
    fake.valid(token, 5, "five")
    store = tmp_path / "s.json"
    store.write_text(contents, encoding="utf-8")
    response = validator(fake, store).broadcast("hk_2", token)
    assert response.accepted is False and response.retryable is True
    assert response.rejection_reason is not None
    assert response.rejection_reason.startswith(STORE_UNAVAILABLE + " (")
    assert store.read_text(encoding="utf-8") == contents


def test_broadcast_accepts_and_stores(fake: FakeGithub, tmp_path: Path, token: str) -> None:
    fake.valid(token, 5, "five")
    store = tmp_path / "s.json"
    write_store(store, [entry(0, "hk_0", "ghp_someone_else", "77")])
    response = validator(fake, store).broadcast("hk_2", token)
    assert (response.accepted, response.retryable, response.rejection_reason) == (
        True, False, None)
    entries = {item["uid"]: item for item in read(store)}
    assert entries[0]["pat"] == "ghp_someone_else"
    assert entries[2]["hotkey"] == "hk_2"
    assert entries[2]["pat"] == token
    assert entries[2]["github_id"] == "5"
    assert entries[2]["stored_at"].endswith("Z")
    assert token not in repr(response)


def test_the_same_hotkey_may_rotate_and_a_new_miner_may_pick_any_account(
    fake: FakeGithub, tmp_path: Path
) -> None:
    first, rotated, newcomer = new_token(), new_token(), new_token()
    fake.valid(first, 5, "five")
    fake.valid(rotated, 5, "five")
    fake.valid(newcomer, 6, "six")
    store = tmp_path / "s.json"
    v = validator(fake, store)
    assert v.broadcast("hk_2", first).accepted
    assert v.broadcast("hk_2", rotated).accepted
    assert read(store)[0]["pat"] == rotated
    v.hotkeys = ["hk_0", "hk_1", "hk_new_miner"]  # uid 2 changed hands
    assert v.hotkeys == ["hk_0", "hk_1", "hk_new_miner"]
    assert v.broadcast("hk_new_miner", newcomer).accepted
    assert read(store)[0]["github_id"] == "6"
    assert answer(v.check("hk_2")) == (None, None, NOT_REGISTERED, "no_response")


def test_hotkeys_must_be_a_list_of_str(fake: FakeGithub, tmp_path: Path) -> None:
    v = validator(fake, tmp_path / "s.json")
    with pytest.raises(TypeError):
        v.hotkeys = "hk_0"
    assert v.hotkeys == HOTKEYS


# ---- the race rule ----


def race_tokens(fake: FakeGithub) -> List[str]:
    """Two PATs of different accounts whose test query is slow, so broadcasts overlap."""
    tokens = [new_token(), new_token()]
    for account, pat in enumerate(tokens, start=100):
        fake.script(pat, "user", [{"user": [account, f"acct{account}"]}])
        fake.script(pat, "graphql", [{"viewer": f"acct{account}", "after_ms": 300}])
    return tokens


def assert_exactly_one_accepted(responses: List[Any], store: Path, tokens: List[str]) -> None:
    accepted = [r for r in responses if r.accepted]
    rejected = [r for r in responses if not r.accepted]
    assert len(accepted) == 1, responses
    assert len(rejected) == 1 and rejected[0].rejection_reason == LOCKED, responses
    entries = read(store)
    assert len(entries) == 1 and entries[0]["pat"] in tokens


def test_two_threads_racing_for_one_hotkey(fake: FakeGithub, tmp_path: Path) -> None:
    tokens = race_tokens(fake)
    store = tmp_path / "s.json"
    v = validator(fake, store)
    responses: List[Any] = [None, None]
    start = threading.Barrier(2)

    def run(index: int) -> None:
        start.wait()
        responses[index] = v.broadcast("hk_1", tokens[index])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert_exactly_one_accepted(responses, store, tokens)


def test_two_tasks_racing_for_one_hotkey(fake: FakeGithub, tmp_path: Path) -> None:
    tokens = race_tokens(fake)
    store = tmp_path / "s.json"
    v = validator(fake, store)

    async def both() -> List[Any]:
        return list(await asyncio.gather(*(v.abroadcast("hk_1", pat) for pat in tokens)))

    assert_exactly_one_accepted(asyncio.run(both()), store, tokens)


RACER = """
import sys
from pat_verdict import Validator
store, url, pat = sys.argv[1:4]
sys.stdin.readline()  # the start signal
r = Validator(store, ["hk_0", "hk_1"], api_url=url).broadcast("hk_1", pat)
print("accepted" if r.accepted else r.rejection_reason, flush=True)
"""


def test_two_processes_racing_for_one_hotkey(fake: FakeGithub, tmp_path: Path) -> None:
    tokens = race_tokens(fake)
    store = tmp_path / "s.json"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(store), fake.url, pat],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for pat in tokens
    ]
    outputs = [proc.communicate("go\n", timeout=60)[0].strip() for proc in procs]
    assert sorted(outputs) == sorted(["accepted", LOCKED]), outputs
    assert read(store)[0]["pat"] in tokens


# ---- audit ----


def audit_store(fake: FakeGithub, tmp_path: Path) -> Tuple[Path, Tuple[str, str, str]]:
    good, bad, flaky = new_token(), new_token(), new_token()
    fake.valid(good, 10, "ten")
    fake.script(bad, "user", [{"status": 401, "json": {"message": "Bad credentials"}}])
    fake.script(flaky, "user", [{"user": [12, "twelve"]}])
    fake.script(flaky, "graphql", [{"status": 429, "headers": {"Retry-After": "120"}}])
    store = tmp_path / "s.json"
    write_store(
        store,
        [entry(2, "hk_2", flaky, "12"), entry(0, "hk_0", good, "10"), entry(1, "hk_1", bad, None)],
    )
    return store, (good, bad, flaky)


def check_rows(rows: List[AuditRow], tokens: Tuple[str, ...]) -> None:
    assert [(r.uid, r.hotkey, r.verdict.kind) for r in rows] == [
        (0, "hk_0", "valid"),
        (1, "hk_1", "invalid"),
        (2, "hk_2", "inconclusive"),
    ]
    assert rows[0].github_id == "10" and rows[0].verdict.github_id == "10"
    assert rows[1].github_id is None
    assert rows[1].verdict.error == "GitHub /user API returned 401"
    assert rows[2].verdict.rate_limited is True and rows[2].verdict.retry_after == 120.0
    shown = repr(rows) + "".join(repr(r.verdict.to_dict()) for r in rows)
    assert not any(pat in shown for pat in tokens)


def test_audit_with_an_entry_that_names_no_account(fake: FakeGithub, tmp_path: Path) -> None:
    store, tokens = audit_store(fake, tmp_path)
    check_rows(validator(fake, store).audit(), tokens)


def test_audit_shows_an_unusable_entry_as_its_own_inconclusive_row(
    fake: FakeGithub, tmp_path: Path
) -> None:
    # docs/contract.md §7: an entry without a string pat is kept and answered for on its own;
    # the audit of everyone else goes on, and it is a row that says why, never a verdict.
    store, tokens = audit_store(fake, tmp_path)
    items = read(store)
    items.append({"uid": 3, "hotkey": "hk_3", "github_id": "13"})
    items.append({"hotkey": "hk_none", "pat": "ghp_x"})
    write_store(store, items)
    rows = validator(fake, store).audit()
    check_rows(rows[:3], tokens)
    assert [(r.uid, r.hotkey, r.github_id, r.verdict.kind) for r in rows[3:]] == [
        (3, "hk_3", None, "inconclusive")
    ]
    unusable = rows[3].verdict
    assert unusable.transient_failure is True and unusable.requests == 0
    assert unusable.error is not None
    assert unusable.error.startswith("the store entry cannot be used: ")


def test_audit_and_aaudit(fake: FakeGithub, tmp_path: Path) -> None:
    store, tokens = audit_store(fake, tmp_path)
    items = read(store)
    items[2]["github_id"] = ""
    write_store(store, items)
    v = validator(fake, store)
    rows = v.audit(concurrency=2)
    check_rows(rows, tokens)

    async def run() -> List[AuditRow]:
        return await v.aaudit()

    assert asyncio.run(run()) == rows


def test_audit_of_a_missing_or_broken_store_raises(fake: FakeGithub, tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    with pytest.raises(FileNotFoundError) as not_there:  # as open() does; the CLI exits 66
        validator(fake, missing).audit()
    assert not_there.value.errno == errno.ENOENT
    assert not_there.value.strerror == os.strerror(errno.ENOENT)
    assert not_there.value.filename == str(missing)
    with pytest.raises(FileNotFoundError):
        asyncio.run(validator(fake, missing).aaudit())
    assert not missing.exists()
    broken = tmp_path / "broken.json"
    broken.write_text("{}", encoding="utf-8")
    with pytest.raises(StoreUnavailableError) as raised:
        validator(fake, broken).audit()
    assert isinstance(raised.value, OSError)
    assert "broken.json" in str(raised.value)


def test_answers_are_the_same_awaited(fake: FakeGithub, tmp_path: Path, token: str) -> None:
    fake.valid(token, 1, "one")
    store = tmp_path / "s.json"
    v = validator(fake, store)

    async def run() -> Tuple[BroadcastResponse, CheckResponse]:
        broadcast = await v.abroadcast("hk_1", token)
        check = await v.acheck("hk_1")
        return broadcast, check

    broadcast, check = asyncio.run(run())
    assert broadcast.accepted is True
    assert check == v.check("hk_1")
    assert answer(check) == (True, True, None, "valid")
