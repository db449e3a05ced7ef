"""`pat_verdict.gittensor` without bittensor (docs/contract.md §14): the handlers over objects
of gittensor's shape, the store gittensor uses, one shared `Validator` per process and store,
`configure` and the `PAT_VERDICT_*` variables, fork, the log lines, and the types a gittensor
validator's code is checked with.

The classes below are a gittensor validator's objects as `mypy --strict` sees them (bittensor's
`TerminalInfo`, gittensor's synapses and validator): this file is also the caller that
scripts/test-all.sh type-checks. The real bittensor `Axon` and `Dendrite` are in
`test_gittensor_axon.py`.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import multiprocessing
import os
import subprocess
import sys
import textwrap
import types
from functools import partial
from pathlib import Path
from typing import Iterator, List, Optional, Tuple

import pytest

import pat_verdict.gittensor as adapter
from conftest import FakeGithub, LOCKED, entry, new_token, write_store
from pat_verdict import Validator
from pat_verdict.gittensor import (
    BroadcastSynapse,
    CheckSynapse,
    configure,
    handle_pat_broadcast,
    handle_pat_check,
    handlers_for,
    store_path,
    validator,
)

NOT_REGISTERED = "Hotkey not registered on subnet"
NO_PAT = "No PAT stored for this miner"
HOTKEYS = ["5Validator000000000000", "5MinerOne0000000000000x", "5MinerTwo0000000000000y"]


# ---- a gittensor validator's objects, as its code declares them -----------------------------


class TerminalInfo:
    """bittensor's `TerminalInfo` as far as the handlers read it."""

    def __init__(self, hotkey: Optional[str]) -> None:
        self.hotkey = hotkey


class PatBroadcastSynapse:
    """gittensor's `PatBroadcastSynapse`: its fields, and bittensor's `dendrite`."""

    def __init__(self, github_access_token: str, hotkey: Optional[str] = None) -> None:
        self.dendrite: Optional[TerminalInfo] = TerminalInfo(hotkey)
        self.github_access_token = github_access_token
        self.accepted: Optional[bool] = None
        self.rejection_reason: Optional[str] = None


class PatCheckSynapse:
    """gittensor's `PatCheckSynapse`: its fields, and bittensor's `dendrite`."""

    def __init__(self, hotkey: Optional[str] = None) -> None:
        self.dendrite: Optional[TerminalInfo] = TerminalInfo(hotkey)
        self.has_pat: Optional[bool] = None
        self.pat_valid: Optional[bool] = None
        self.rejection_reason: Optional[str] = None


class Metagraph:
    def __init__(self, hotkeys: List[str]) -> None:
        self.hotkeys = hotkeys
        self.S = [1.0] * len(hotkeys)


class GittensorValidator:
    """gittensor's validator (`neurons/validator.py`) as the handlers see it."""

    def __init__(self, hotkeys: List[str]) -> None:
        self.metagraph = Metagraph(hotkeys)


@pytest.fixture(autouse=True)
def fresh(
    fake: FakeGithub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Every test starts before first use, with its store in its own folder."""
    for name in list(os.environ):
        if name.startswith("PAT_VERDICT_"):
            monkeypatch.delenv(name)
    store = tmp_path / "miner_pats.json"
    monkeypatch.setenv("GITTENSOR_MINER_PATS_FILE", str(store))
    monkeypatch.setenv("PAT_VERDICT_API_URL", fake.url)
    adapter._forget()
    yield store
    adapter._forget()


def neuron() -> GittensorValidator:
    return GittensorValidator(list(HOTKEYS))


def run_broadcast(
    validator_: GittensorValidator, synapse: PatBroadcastSynapse
) -> PatBroadcastSynapse:
    return asyncio.run(handle_pat_broadcast(validator_, synapse))


def run_check(validator_: GittensorValidator, synapse: PatCheckSynapse) -> PatCheckSynapse:
    return asyncio.run(handle_pat_check(validator_, synapse))


# ---- the handlers -----------------------------------------------------------------------------


def test_broadcast_sets_gittensors_fields_and_saves(fake: FakeGithub, fresh: Path) -> None:
    token = new_token()
    fake.valid(token, 501, "five-oh-one")
    synapse = PatBroadcastSynapse(token, HOTKEYS[1])
    returned = run_broadcast(neuron(), synapse)
    assert returned is synapse  # gittensor's handlers return the synapse they got
    assert (synapse.accepted, synapse.rejection_reason, synapse.github_access_token) == (
        True, None, "")
    saved = json.loads(fresh.read_text(encoding="utf-8"))
    assert [(e["uid"], e["hotkey"], e["github_id"]) for e in saved] == [(1, HOTKEYS[1], "501")]


def test_check_sets_gittensors_fields(fake: FakeGithub, fresh: Path) -> None:
    token = new_token()
    fake.valid(token, 502, "five-oh-two")
    write_store(fresh, [entry(2, HOTKEYS[2], token, "502")])
    synapse = PatCheckSynapse(HOTKEYS[2])
    assert run_check(neuron(), synapse) is synapse
    assert (synapse.has_pat, synapse.pat_valid, synapse.rejection_reason) == (True, True, None)
    other = run_check(neuron(), PatCheckSynapse(HOTKEYS[1]))
    assert (other.has_pat, other.pat_valid, other.rejection_reason) == (False, False, NO_PAT)


def test_the_seeds_outage_is_retry_later(fake: FakeGithub, fresh: Path) -> None:
    token = new_token()
    fake.valid(token, 503, "seed")
    fake.script(token, "graphql", [{"status": 503}])
    write_store(fresh, [entry(1, HOTKEYS[1], token, "503")])
    synapse = run_check(neuron(), PatCheckSynapse(HOTKEYS[1]))
    assert (synapse.has_pat, synapse.pat_valid, synapse.rejection_reason) == (
        True, None, "GitHub API temporarily unavailable; retry the check in a few minutes.")


def test_token_is_cleared_whatever_the_outcome(fake: FakeGithub) -> None:
    pinned = new_token()
    fake.valid(pinned, 504, "first")
    other = new_token()
    fake.valid(other, 505, "second")
    cases = [
        PatBroadcastSynapse(pinned, HOTKEYS[1]),  # accepted
        PatBroadcastSynapse(other, HOTKEYS[1]),  # the pin refuses it
        PatBroadcastSynapse(new_token(), HOTKEYS[2]),  # revoked: 401
        PatBroadcastSynapse(other, "5NotRegistered"),
        PatBroadcastSynapse(other, None),
        PatBroadcastSynapse("", HOTKEYS[2]),
    ]
    reasons = []
    for synapse in cases:
        run_broadcast(neuron(), synapse)
        assert synapse.github_access_token == ""
        reasons.append(synapse.rejection_reason)
    assert reasons == [
        None,
        LOCKED,
        "No Github id found for miner 2's PAT",
        NOT_REGISTERED,
        NOT_REGISTERED,
        "No Github PAT provided by miner 2",
    ]


def test_a_cancelled_broadcast_clears_the_token_and_saves_nothing(
    fake: FakeGithub, fresh: Path
) -> None:
    token = new_token()
    fake.valid(token, 506, "slow")
    fake.script(token, "user", [{"user": [506, "slow"], "after_ms": 2000}])
    synapse = PatBroadcastSynapse(token, HOTKEYS[1])

    async def cancel_it() -> None:
        task = asyncio.ensure_future(handle_pat_broadcast(neuron(), synapse))
        while fake.count(token, "user") < 1:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancel_it())
    assert synapse.github_access_token == ""
    assert synapse.accepted is None
    assert not fresh.exists()


def test_a_sender_without_hotkey_is_not_registered() -> None:
    check = PatCheckSynapse(None)
    run_check(neuron(), check)
    assert (check.has_pat, check.pat_valid, check.rejection_reason) == (None, None, NOT_REGISTERED)
    nobody = PatCheckSynapse(HOTKEYS[1])
    nobody.dendrite = None
    run_check(neuron(), nobody)
    assert nobody.rejection_reason == NOT_REGISTERED
    broadcast = PatBroadcastSynapse(new_token(), HOTKEYS[1])
    broadcast.dendrite = None
    run_broadcast(neuron(), broadcast)
    assert (broadcast.accepted, broadcast.rejection_reason, broadcast.github_access_token) == (
        False, NOT_REGISTERED, "")


def test_the_metagraph_is_read_at_every_call(fake: FakeGithub, fresh: Path) -> None:
    token = new_token()
    fake.valid(token, 507, "moves")
    write_store(fresh, [entry(1, HOTKEYS[1], token, "507")])
    validator_ = neuron()
    assert run_check(validator_, PatCheckSynapse(HOTKEYS[1])).pat_valid is True
    # The metagraph resyncs: the miner left; its uid went to someone else.
    validator_.metagraph.hotkeys = [HOTKEYS[0], "5Newcomer", HOTKEYS[2]]
    assert run_check(validator_, PatCheckSynapse(HOTKEYS[1])).rejection_reason == NOT_REGISTERED
    assert run_check(validator_, PatCheckSynapse("5Newcomer")).rejection_reason == NO_PAT


def test_handlers_are_attachable_as_partials() -> None:
    # What bittensor's `axon.attach` reads: the first parameter left by the partial, and the
    # return, as the synapse class itself.
    broadcast, check = handlers_for(PatBroadcastSynapse, PatCheckSynapse)
    for handler, cls in ((broadcast, PatBroadcastSynapse), (check, PatCheckSynapse)):
        signature = inspect.signature(partial(handler, neuron()))
        assert list(signature.parameters) == ["synapse"]
        assert signature.parameters["synapse"].annotation is cls
        assert signature.return_annotation is cls
        assert inspect.iscoroutinefunction(handler)
    # Without gittensor importable the module's own handlers carry the protocols, which
    # `attach` refuses: `handlers_for` is the way then (documented).
    assert inspect.signature(handle_pat_broadcast).parameters["synapse"].annotation is (
        BroadcastSynapse)
    assert inspect.signature(handle_pat_check).parameters["synapse"].annotation is CheckSynapse


def test_handlers_for_answers_as_the_modules(fake: FakeGithub, fresh: Path) -> None:
    token = new_token()
    fake.valid(token, 508, "pair")
    broadcast, check = handlers_for(PatBroadcastSynapse, PatCheckSynapse)
    synapse = asyncio.run(broadcast(neuron(), PatBroadcastSynapse(token, HOTKEYS[2])))
    assert synapse.accepted is True
    checked = asyncio.run(check(neuron(), PatCheckSynapse(HOTKEYS[2])))
    assert checked.pat_valid is True
    assert sum(validator().metrics()["handler_answers"]["broadcast"].values()) == 1


# ---- the store, the shared Validator, configure -----------------------------------------------


def test_store_is_the_variable_else_data_miner_pats(
    fresh: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert store_path() == str(fresh)
    monkeypatch.delenv("GITTENSOR_MINER_PATS_FILE")
    monkeypatch.chdir(tmp_path)
    assert store_path() == str(tmp_path / "data" / "miner_pats.json")


def test_store_is_gittensors_pats_file_read_at_every_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = types.ModuleType("gittensor.validator.pat_storage")
    setattr(storage, "PATS_FILE", tmp_path / "first.json")
    monkeypatch.setitem(sys.modules, "gittensor.validator.pat_storage", storage)
    adapter._forget()
    assert store_path() == str(tmp_path / "first.json")  # over $GITTENSOR_MINER_PATS_FILE
    first = validator()
    setattr(storage, "PATS_FILE", tmp_path / "second.json")  # as gittensor's tests do
    assert store_path() == str(tmp_path / "second.json")
    second = validator()
    assert second is not first  # one Validator per store
    setattr(storage, "PATS_FILE", tmp_path / "first.json")
    assert validator() is first


def test_a_gittensor_on_the_path_gives_its_classes(tmp_path: Path) -> None:
    # A process where `gittensor` imports: the module's own handlers carry its classes.
    package = tmp_path / "gittensor"
    (package / "validator").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "synapses.py").write_text(
        "class PatBroadcastSynapse: pass\nclass PatCheckSynapse: pass\n", encoding="utf-8")
    (package / "validator" / "__init__.py").write_text("", encoding="utf-8")
    (package / "validator" / "pat_storage.py").write_text(
        f"from pathlib import Path\nPATS_FILE = Path({str(tmp_path / 'pats.json')!r})\n",
        encoding="utf-8")
    script = textwrap.dedent("""
        import inspect
        import gittensor.synapses as synapses
        from pat_verdict.gittensor import handle_pat_broadcast, handle_pat_check, store_path
        b = inspect.signature(handle_pat_broadcast)
        c = inspect.signature(handle_pat_check)
        assert b.parameters["synapse"].annotation is synapses.PatBroadcastSynapse
        assert b.return_annotation is synapses.PatBroadcastSynapse
        assert c.parameters["synapse"].annotation is synapses.PatCheckSynapse
        assert c.return_annotation is synapses.PatCheckSynapse
        print(store_path())
    """)
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(tmp_path / "pats.json")


def test_one_validator_per_process_and_store(fake: FakeGithub) -> None:
    token = new_token()
    fake.valid(token, 509, "shared")
    shared = validator()
    assert isinstance(shared, Validator)
    run_broadcast(neuron(), PatBroadcastSynapse(token, HOTKEYS[1]))
    run_check(neuron(), PatCheckSynapse(HOTKEYS[1]))
    run_check(neuron(), PatCheckSynapse(HOTKEYS[2]))
    assert validator() is shared
    answers = shared.metrics()["handler_answers"]
    assert sum(answers["broadcast"].values()) == 1
    assert sum(answers["check"].values()) == 2
    assert "pat_verdict_handler_answers_total" in shared.metrics_text()
    assert shared.hotkeys == HOTKEYS  # set from the metagraph at every call


def test_configure_before_first_use(fake: FakeGithub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAT_VERDICT_API_URL")
    chosen = configure(api_url=fake.url, timeout=4.5, outage_threshold=0, one_call=True)
    assert (chosen.api_url, chosen.timeout, chosen.outage_threshold, chosen.one_call) == (
        fake.url, 4.5, 0, True)
    built = repr(validator())
    assert fake.url in built and "4.5" in built
    assert configure(api_url=fake.url, timeout=4.5, outage_threshold=0, one_call=True) == chosen
    with pytest.raises(RuntimeError, match="before the first handler call"):
        configure(api_url=fake.url, timeout=9.0)


def test_configure_checks_as_the_validator_does() -> None:
    with pytest.raises(ValueError):
        configure(timeout=-1.0)
    with pytest.raises(ValueError):
        configure(api_url="not a url")
    with pytest.raises(TypeError, match="one_call"):
        configure(one_call=1)  # type: ignore[arg-type]
    assert adapter._validators == {}  # nothing was built


def test_environment_variables_are_the_defaults(
    fake: FakeGithub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAT_VERDICT_TIMEOUT", "3.25")
    monkeypatch.setenv("PAT_VERDICT_ONE_CALL", "yes")
    monkeypatch.setenv("PAT_VERDICT_OUTAGE_THRESHOLD", "2")
    monkeypatch.setenv("PAT_VERDICT_OUTAGE_COOLDOWN", "7.5")
    settings = adapter.settings()
    assert settings == adapter.Settings(
        api_url=fake.url, timeout=3.25, one_call=True, outage_threshold=2, outage_cooldown=7.5,
        ca_file=None)
    # configure's arguments win over the variables; the rest still come from them.
    assert configure(timeout=6.0).timeout == 6.0
    assert adapter.settings().outage_cooldown == 7.5


@pytest.mark.parametrize("name, value", [
    ("PAT_VERDICT_TIMEOUT", "soon"),
    ("PAT_VERDICT_ONE_CALL", "maybe"),
    ("PAT_VERDICT_OUTAGE_THRESHOLD", "6.5"),
])
def test_a_malformed_variable_stops_the_import(name: str, value: str) -> None:
    env = dict(os.environ, **{name: value})
    done = subprocess.run([sys.executable, "-c", "import pat_verdict.gittensor"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert f"${name} must be" in done.stderr
    assert value in done.stderr


@pytest.mark.parametrize("name, value, words", [
    ("PAT_VERDICT_TIMEOUT", "-1", "timeout"),
    ("PAT_VERDICT_API_URL", "ftp://example.invalid", "api_url"),
    ("PAT_VERDICT_OUTAGE_COOLDOWN", "0", "cool-down"),
])
def test_a_bad_value_stops_the_import(name: str, value: str, words: str) -> None:
    # The Validator's own checks, at import: not at a miner's first call.
    env = dict(os.environ, **{name: value})
    done = subprocess.run([sys.executable, "-c", "import pat_verdict.gittensor"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "ValueError" in done.stderr and words in done.stderr, done.stderr
    assert f"${name}" in done.stderr  # the operator learns which variable to fix


# ---- fork -------------------------------------------------------------------------------------


def _check_in_child(hotkey: str) -> Tuple[Optional[bool], int, int]:
    synapse = run_check(neuron(), PatCheckSynapse(hotkey))
    answers = validator().metrics()["handler_answers"]["check"]
    return synapse.pat_valid, id(validator()), sum(answers.values())


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_answers_with_a_validator_of_its_own(fake: FakeGithub, fresh: Path) -> None:
    token = new_token()
    fake.valid(token, 510, "forked")
    write_store(fresh, [entry(1, HOTKEYS[1], token, "510")])
    assert run_check(neuron(), PatCheckSynapse(HOTKEYS[1])).pat_valid is True
    assert run_check(neuron(), PatCheckSynapse(HOTKEYS[1])).pat_valid is True
    parent = validator()
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        valid, child_id, child_count = pool.apply_async(_check_in_child, (HOTKEYS[1],)).get(60)
    # A Validator of its own (never the parent's, whose locks the parent's threads may have
    # held at the fork), counting only the child's call.
    assert (valid, child_count) == (True, 1)
    assert child_id != id(parent)
    assert sum(parent.metrics()["handler_answers"]["check"].values()) == 2
    assert run_check(neuron(), PatCheckSynapse(HOTKEYS[1])).pat_valid is True


# ---- logging ----------------------------------------------------------------------------------


def test_log_lines_as_gittensors_and_never_the_token(
    fake: FakeGithub, fresh: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="pat_verdict")
    token, stored, revoked = new_token(), new_token(), new_token()
    fake.valid(token, 511, "logged")
    fake.valid(stored, 512, "stored")
    write_store(fresh, [entry(2, HOTKEYS[2], revoked, "9")])
    run_broadcast(neuron(), PatBroadcastSynapse(token, HOTKEYS[1]))
    run_broadcast(neuron(), PatBroadcastSynapse(stored, HOTKEYS[1]))  # another account: pinned
    run_check(neuron(), PatCheckSynapse(HOTKEYS[1]))
    run_check(neuron(), PatCheckSynapse(HOTKEYS[2]))
    lines = [
        (r.levelno, r.getMessage()) for r in caplog.records if r.getMessage().startswith("PAT ")
    ]
    one, two = HOTKEYS[1][:16], HOTKEYS[2][:16]
    assert lines == [
        (adapter._success_level(),
         f"PAT broadcast accepted — UID: 1, hotkey: {one}..., github_id: 511"),
        (logging.WARNING, f"PAT broadcast rejected — hotkey: {one}... reason: {LOCKED}"),
        (logging.INFO, f"PAT check request — UID: 1, hotkey: {one}..."),
        (adapter._success_level(), "PAT check result — UID: 1: valid"),
        (logging.INFO, f"PAT check request — UID: 2, hotkey: {two}..."),
        (logging.WARNING,
         "PAT check result — UID: 2: validation failed: No Github id found for miner 2's PAT"),
    ]
    for secret in (token, stored, revoked):
        assert secret not in caplog.text


def test_without_bittensor_the_logger_is_left_alone() -> None:
    # No bittensor imported: nothing registered, the level untouched, the NullHandler kept.
    assert "bittensor" not in sys.modules
    logger = logging.getLogger("pat_verdict")
    level, handlers = logger.level, list(logger.handlers)
    run_check(neuron(), PatCheckSynapse(HOTKEYS[1]))
    assert (logger.level, logger.handlers) == (level, handlers)
    assert any(isinstance(h, logging.NullHandler) for h in logger.handlers)


# ---- types --------------------------------------------------------------------------------


async def _typed_caller() -> None:
    """What a gittensor validator writes, checked by mypy --strict (scripts/test-all.sh): the
    handlers take its objects and give back its own synapse types."""
    validator_ = GittensorValidator(list(HOTKEYS))
    broadcast: PatBroadcastSynapse = await handle_pat_broadcast(
        validator_, PatBroadcastSynapse("t", HOTKEYS[1]))
    check: PatCheckSynapse = await handle_pat_check(validator_, PatCheckSynapse(HOTKEYS[1]))
    forward = partial(handle_pat_broadcast, validator_)
    again: PatBroadcastSynapse = await forward(broadcast)
    pair = handlers_for(PatBroadcastSynapse, PatCheckSynapse)
    checked: PatCheckSynapse = await pair[1](validator_, check)
    del again, checked


def test_mypy_refuses_objects_of_another_shape(tmp_path: Path) -> None:
    api = pytest.importorskip("mypy.api")
    (tmp_path / "caller.py").write_text(textwrap.dedent("""
        from typing import List, Optional
        from pat_verdict.gittensor import handle_pat_broadcast, handle_pat_check

        class Terminal:
            hotkey: Optional[str] = None

        class Broadcast:
            dendrite: Optional[Terminal] = None
            github_access_token: str = ""
            accepted: Optional[bool] = None
            rejection_reason: Optional[str] = None

        class NoToken:
            dendrite: Optional[Terminal] = None
            accepted: Optional[bool] = None
            rejection_reason: Optional[str] = None

        class Metagraph:
            hotkeys: List[str] = []

        class Neuron:
            metagraph: Metagraph = Metagraph()

        async def good() -> Broadcast:
            return await handle_pat_broadcast(Neuron(), Broadcast())

        async def no_token() -> None:
            await handle_pat_broadcast(Neuron(), NoToken())

        async def wrong_handler() -> None:
            await handle_pat_check(Neuron(), Broadcast())

        async def no_metagraph() -> None:
            await handle_pat_broadcast(object(), Broadcast())
    """), encoding="utf-8")
    stdout, _, status = api.run([
        "--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"),
        str(tmp_path / "caller.py"),
    ])
    errors = [line for line in stdout.splitlines() if ": error:" in line]
    assert status == 1, stdout
    lines = sorted({int(line.split(":")[1]) for line in errors})
    assert lines == [29, 32, 35], stdout  # the three bad calls, and only those


def test_every_caller_gets_the_one_shared_validator() -> None:
    # gittensor's validator.py and a metrics module each ask for the Validator: both get the
    # one shared object (one outage guard, one set of counters), not one each.
    assert validator() is adapter.validator()
