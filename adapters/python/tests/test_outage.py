"""docs/contract.md §10 from Python: the outage guard (`outage_threshold`, `outage_cooldown`,
`.outage`) and the counters (`.metrics()`, `.metrics_text()`, `pat_verdict.prometheus`),
against the loopback fake GitHub.

The guard is judged by requests (the fake's counts) and answers, never by how long a call
took: the project has no timed assertions. Cool-downs are short (0.5 s) where a probe is
awaited, long (30 s) where the guard must stay open for the test.
"""

from __future__ import annotations

import asyncio
import copy
import datetime
import logging
import math
import multiprocessing
import os
import pickle
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

import pytest

from conftest import FakeGithub, entry, new_token, write_store
from pat_verdict import OutageState, Validator, Verifier

GITHUB_UNAVAILABLE_CHECK = "GitHub API temporarily unavailable; retry the check in a few minutes."
COOLDOWN_REFUSED = "the outage cool-down must be more than 0 and at most 600 seconds"
DOWN = [{"status": 503}]
UTC = datetime.timezone.utc

# The six families of §10, as prometheus_client's parser names them (a counter's family
# without its `_total`, its samples with it).
FAMILIES = {
    "pat_verdict_verdicts": "counter",
    "pat_verdict_github_requests": "counter",
    "pat_verdict_github_request_seconds": "histogram",
    "pat_verdict_outage_guard_open": "gauge",
    "pat_verdict_outage_guard_opened": "counter",
    "pat_verdict_handler_answers": "counter",
}

Samples = Dict[Tuple[str, FrozenSet[Tuple[str, str]]], float]


def down_tokens(fake: FakeGithub, n: int) -> List[str]:
    """`n` fresh tokens the fake answers 503 on `GET /user`, every time."""
    tokens = [new_token() for _ in range(n)]
    for token in tokens:
        fake.script(token, "user", DOWN)
    return tokens


def sent(fake: FakeGithub, tokens: List[str]) -> int:
    """Requests the fake received with any of `tokens`, on both endpoints."""
    return sum(fake.count(token, endpoint) for token in tokens for endpoint in ("user", "graphql"))


def samples(text: str) -> Samples:
    """Every sample of the Prometheus `text`, by name and labels, parsed by prometheus_client;
    asserts the families are §10's six with their types."""
    from prometheus_client.parser import text_string_to_metric_families

    found: Samples = {}
    types = {}
    for family in text_string_to_metric_families(text):
        types[family.name] = family.type
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    assert types == FAMILIES
    return found


def value(found: Samples, name: str, **labels: str) -> float:
    return found[(name, frozenset(labels.items()))]


# ---- (a) an audit into an outage ----


def test_an_audit_of_256_pats_into_an_outage_sends_at_most_64_requests(
    fake: FakeGithub, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    tokens = down_tokens(fake, 256)
    store = tmp_path / "miner_pats.json"
    write_store(store, [entry(uid, f"hk_{uid}", token, None) for uid, token in enumerate(tokens)])
    validator = Validator(store, [f"hk_{uid}" for uid in range(256)], api_url=fake.url)
    caplog.set_level(logging.WARNING, logger="pat_verdict")
    started = time.monotonic()
    rows = asyncio.run(validator.aaudit())
    print(f"audit of 256 PATs into an outage: {time.monotonic() - started:.2f} s")  # not asserted
    requests = sent(fake, tokens)
    # Without the guard: 768 (three attempts each). With it: the first wave of `concurrency`
    # (16) verifications' first attempts, the threshold's six among them; nothing after.
    assert requests <= 64, requests
    assert len(rows) == 256
    assert all(row.verdict.kind == "inconclusive" for row in rows)
    assert all(row.verdict.transient_failure and not row.verdict.rate_limited for row in rows)
    assert sum(row.verdict.requests for row in rows) == requests
    short = [row for row in rows if row.verdict.requests == 0]
    assert len(short) >= 256 - 64
    assert all(
        row.verdict.error is not None
        and row.verdict.error.startswith("GitHub API unavailable: ")
        and "requests in a row failed; not asking again before " in row.verdict.error
        for row in short
    )
    state = validator.outage
    assert state is not None and state.failures >= 6
    # The opening is told once, however many answers it short-circuited.
    opened = [r for r in caplog.records if r.getMessage().startswith("GitHub API outage: ")]
    assert len(opened) == 1, [r.getMessage() for r in opened]
    assert "until one probe at " in opened[0].getMessage()
    assert validator.metrics()["outage_guard_opened"] == 1


# ---- (b), (c) while the guard is open ----


def test_while_open_check_answers_at_once_without_a_request(
    fake: FakeGithub, tmp_path: Path
) -> None:
    down, other_down, up = new_token(), new_token(), new_token()
    fake.script(down, "user", DOWN)
    fake.script(other_down, "user", DOWN)
    fake.valid(up, 21, "twentyone")
    store = tmp_path / "miner_pats.json"
    write_store(store, [entry(0, "hk_0", down, None), entry(1, "hk_1", up, None),
                        entry(2, "hk_2", other_down, None)])
    validator = Validator(
        store, ["hk_0", "hk_1", "hk_2"], api_url=fake.url, outage_threshold=2,
        outage_cooldown=30.0
    )
    assert validator.outage is None

    first = validator.check("hk_0")
    assert (first.category, first.pat_valid, first.rejection_reason, first.cause) == (
        "inconclusive", None, GITHUB_UNAVAILABLE_CHECK, "github_down")
    # One token's failures count once (docs/contract.md §16): its three attempts leave the
    # guard closed...
    assert fake.count(down, "user") == 3
    assert validator.outage is None
    # ...and a second token's first failure opens a guard of threshold 2: its retries are
    # never sent.
    second = validator.check("hk_2")
    assert (second.category, second.cause) == ("inconclusive", "short_circuited")
    assert fake.count(other_down, "user") == 1
    state = validator.outage
    assert state is not None
    assert state.failures >= 2
    assert state.retry_at > state.opened_at
    assert state.opened_at.tzinfo is not None and state.opened_at.utcoffset() == datetime.timedelta(0)
    assert state.opened_at.microsecond == 0 and state.retry_at.microsecond == 0
    assert state.probing is False
    now = datetime.datetime.now(UTC)
    assert state.opened_at <= now + datetime.timedelta(seconds=1)
    assert state.retry_at - state.opened_at >= datetime.timedelta(seconds=30)

    started = time.monotonic()
    answer = validator.check("hk_1")
    print(f"a short-circuited check: {(time.monotonic() - started) * 1000:.1f} ms")  # not asserted
    assert (answer.category, answer.has_pat, answer.pat_valid, answer.rejection_reason) == (
        "inconclusive", True, None, GITHUB_UNAVAILABLE_CHECK)
    assert fake.count(up, "user") == 0 and fake.count(up, "graphql") == 0
    again = asyncio.run(validator.acheck("hk_0"))
    assert again.category == "inconclusive" and fake.count(down, "user") == 3
    answers = validator.metrics()["handler_answers"]["check"]
    assert answers["inconclusive"] == 4 and answers["valid"] == 0


def test_after_the_cool_down_one_probe_closes_the_guard(fake: FakeGithub) -> None:
    down, up = new_token(), new_token()
    fake.script(down, "user", DOWN)
    fake.valid(up, 22, "twentytwo")
    # One attempt a call: with three, the retry after the 0.5 s backoff would already be the
    # probe (the cool-down is as short as the backoff).
    verifier = Verifier(fake.url, attempts=1, outage_threshold=1, outage_cooldown=0.5)
    assert verifier.verify(down).kind == "inconclusive"
    assert fake.count(down, "user") == 1  # one failure opens a guard of threshold 1
    assert verifier.outage is not None
    time.sleep(0.6)  # past the cool-down (monotonic 0.5 s): the next request is the probe
    verdict = verifier.verify(up)
    assert (verdict.kind, verdict.github_id, verdict.requests) == ("valid", "22", 2)
    assert verifier.outage is None
    assert value(samples(verifier.metrics_text()), "pat_verdict_outage_guard_open") == 0


def test_the_guard_is_shared_across_threads_and_event_loops(fake: FakeGithub) -> None:
    down, other_down, up = new_token(), new_token(), new_token()
    fake.script(down, "user", DOWN)
    fake.script(other_down, "user", DOWN)
    fake.valid(up, 23, "twentythree")
    verifier = Verifier(fake.url, outage_threshold=2, outage_cooldown=30.0)
    verdicts: List[Any] = []

    async def two_down() -> None:
        # Two tokens: one token's failures count once (docs/contract.md §16).
        verdicts.append(await verifier.averify(down))
        verdicts.append(await verifier.averify(other_down))

    # Opened from an event loop in another thread...
    thread = threading.Thread(target=lambda: asyncio.run(two_down()))
    thread.start()
    thread.join(timeout=30)
    assert [verdict.cause for verdict in verdicts] == ["github_down", "short_circuited"]
    # ...it answers this thread's blocking call and a fresh loop's at once.
    assert verifier.verify(up).requests == 0
    assert asyncio.run(verifier.averify(up)).requests == 0
    assert fake.count(up, "user") == 0
    assert verifier.metrics()["verdicts"]["inconclusive"]["short_circuited"] == 3


_FORKED: Optional[Verifier] = None


def _openings_in_child(token: str) -> int:
    assert _FORKED is not None
    _FORKED.verify(token)
    opened: int = _FORKED.metrics()["outage_guard_opened"]
    return opened


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_keeps_the_settings(fake: FakeGithub, token: str) -> None:
    global _FORKED
    fake.script(token, "user", DOWN)
    _FORKED = Verifier(fake.url, outage_threshold=1, outage_cooldown=30.0)
    assert _FORKED.verify(new_token()).kind == "invalid"  # the runtime is up in the parent
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        opened = pool.submit(_openings_in_child, token).result(timeout=60)
    # The child's guard is its own, of threshold 1: one request, then it opened.
    assert opened == 1 and fake.count(token, "user") == 1
    assert _FORKED.outage is None  # the parent's guard saw nothing of it


# ---- (d) the guard turned off ----


def test_threshold_zero_sends_every_attempt(fake: FakeGithub) -> None:
    tokens = down_tokens(fake, 4)
    verifier = Verifier(fake.url, outage_threshold=0)

    async def verify_all() -> List[Any]:
        return list(await asyncio.gather(*(verifier.averify(token) for token in tokens)))

    assert [verdict.requests for verdict in asyncio.run(verify_all())] == [3, 3, 3, 3]
    assert sent(fake, tokens) == 12
    assert verifier.outage is None
    metrics = verifier.metrics()
    assert metrics["outage_guard_opened"] == 0 and metrics["outage_guard_open"] == 0
    assert metrics["github_requests"]["user"]["5xx"] == 12


# ---- (e) settings ----


@pytest.mark.parametrize("cooldown", [0, 0.0, -1, 600.001, 601, 1e9, math.nan, math.inf, -math.inf])
def test_a_cooldown_out_of_range_is_refused(cooldown: float, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=f"^{COOLDOWN_REFUSED}$"):
        Verifier(outage_cooldown=cooldown)
    with pytest.raises(ValueError, match=f"^{COOLDOWN_REFUSED}$"):
        Validator(tmp_path / "s.json", [], outage_cooldown=cooldown)


@pytest.mark.parametrize("threshold", [-1, 2**32, 2**70])
def test_a_threshold_out_of_range_is_refused(threshold: int) -> None:
    with pytest.raises(ValueError, match="^outage_threshold must be from 0"):
        Verifier(outage_threshold=threshold)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"outage_threshold": True}, "argument 'outage_threshold' must be int, not bool"),
        ({"outage_threshold": 6.0}, "argument 'outage_threshold' must be int, not float"),
        ({"outage_threshold": "6"}, "argument 'outage_threshold' must be int, not str"),
        ({"outage_threshold": None}, "argument 'outage_threshold' must be int, not None"),
        ({"outage_cooldown": "30"}, "argument 'outage_cooldown' must be a number, not str"),
        ({"outage_cooldown": True}, "argument 'outage_cooldown' must be a number, not bool"),
        ({"outage_cooldown": None}, "argument 'outage_cooldown' must be a number, not None"),
    ],
)
def test_settings_of_the_wrong_type(arguments: Dict[str, Any], message: str, tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=f"^{message}$"):
        Verifier(**arguments)
    with pytest.raises(TypeError, match=f"^{message}$"):
        Validator(tmp_path / "s.json", [], **arguments)


def test_settings_in_range_and_shown() -> None:
    for threshold, cooldown in [(0, 30.0), (1, 0.001), (6, 600), (2**32 - 1, 600.0), (3, 1)]:
        Verifier(outage_threshold=threshold, outage_cooldown=cooldown)
    assert repr(Verifier(outage_threshold=2, outage_cooldown=0.5)).endswith(
        "outage_threshold=2, outage_cooldown=0.5, one_call=False)")
    assert "outage_threshold=6, outage_cooldown=30.0" in repr(Verifier())


# ---- (f), (g) the counters ----


def run_of_known_counts(fake: FakeGithub) -> Verifier:
    """One valid PAT, then three PATs into an outage, one attempt each, with a guard of
    threshold 2: 2 + 2 requests, the guard opened on the second failure, the third outage PAT
    answered at once. (One attempt a call keeps the backoff out of the run.)"""
    up = new_token()
    fake.valid(up, 31, "thirtyone")
    verifier = Verifier(fake.url, attempts=1, outage_threshold=2, outage_cooldown=30.0)
    assert verifier.verify(up).kind == "valid"
    assert [verifier.verify(token).requests for token in down_tokens(fake, 3)] == [1, 1, 0]
    return verifier


def test_metrics_text_parses_with_the_run_s_counts(fake: FakeGithub) -> None:
    verifier = run_of_known_counts(fake)
    text = verifier.metrics_text()
    found = samples(text)
    verdicts = "pat_verdict_verdicts_total"
    assert value(found, verdicts, verdict="valid", cause="ok") == 1
    assert value(found, verdicts, verdict="inconclusive", cause="github_down") == 2
    assert value(found, verdicts, verdict="inconclusive", cause="short_circuited") == 1
    assert value(found, verdicts, verdict="invalid", cause="bad_credentials") == 0
    requests = "pat_verdict_github_requests_total"
    assert value(found, requests, endpoint="user", outcome="2xx") == 1
    assert value(found, requests, endpoint="user", outcome="5xx") == 2
    assert value(found, requests, endpoint="graphql", outcome="2xx") == 1
    assert value(found, requests, endpoint="graphql", outcome="transport") == 0
    seconds = "pat_verdict_github_request_seconds"
    assert value(found, seconds + "_count", endpoint="user") == 3
    assert value(found, seconds + "_bucket", endpoint="user", le="+Inf") == 3
    assert value(found, seconds + "_count", endpoint="graphql") == 1
    assert value(found, "pat_verdict_outage_guard_open") == 1
    assert value(found, "pat_verdict_outage_guard_opened_total") == 1
    assert value(found, "pat_verdict_handler_answers_total", endpoint="check", category="valid") == 0

    # .metrics() is the same snapshot as a dict, series for series.
    metrics = verifier.metrics()
    assert set(metrics) == {"verdicts", "github_requests", "github_request_seconds",
                            "outage_guard_open", "outage_guard_opened", "handler_answers"}
    for (name, labels), number in found.items():
        label = dict(labels)
        if name == verdicts:
            assert metrics["verdicts"][label["verdict"]][label["cause"]] == number
        elif name == requests:
            assert metrics["github_requests"][label["endpoint"]][label["outcome"]] == number
        elif name == seconds + "_bucket":
            assert metrics["github_request_seconds"][label["endpoint"]]["buckets"][label["le"]] == number
        elif name == seconds + "_count":
            assert metrics["github_request_seconds"][label["endpoint"]]["count"] == number
        elif name == seconds + "_sum":
            assert metrics["github_request_seconds"][label["endpoint"]]["sum"] == pytest.approx(number)
        elif name == "pat_verdict_outage_guard_open":
            assert metrics["outage_guard_open"] == number
        elif name == "pat_verdict_outage_guard_opened_total":
            assert metrics["outage_guard_opened"] == number
        else:
            assert name == "pat_verdict_handler_answers_total", name
            assert metrics["handler_answers"][label["endpoint"]][label["category"]] == number
    assert metrics is not verifier.metrics() and metrics == verifier.metrics()


def test_every_series_starts_at_zero(tmp_path: Path) -> None:
    for obj in (Verifier(), Validator(tmp_path / "s.json", [])):
        found = samples(obj.metrics_text())
        assert found and all(number == 0 for number in found.values())
        assert ("pat_verdict_handler_answers_total",
                frozenset({("endpoint", "broadcast"), ("category", "retry_later")})) in found


def test_register_with_a_fresh_registry(fake: FakeGithub) -> None:
    from prometheus_client import CollectorRegistry, generate_latest

    from pat_verdict.prometheus import register

    verifier = run_of_known_counts(fake)
    registry = CollectorRegistry()
    collector = register(verifier, registry)
    get = registry.get_sample_value
    assert get("pat_verdict_verdicts_total", {"verdict": "valid", "cause": "ok"}) == 1
    assert get("pat_verdict_github_requests_total", {"endpoint": "user", "outcome": "5xx"}) == 2
    assert get("pat_verdict_outage_guard_open") == 1
    # Read at every scrape, not at registration.
    verifier.verify(new_token())  # short-circuited: the guard is open
    assert get("pat_verdict_verdicts_total",
               {"verdict": "inconclusive", "cause": "short_circuited"}) == 2
    exposed = generate_latest(registry).decode()
    assert "# TYPE pat_verdict_github_request_seconds histogram" in exposed
    assert 'pat_verdict_outage_guard_opened_total 1.0' in exposed
    registry.unregister(collector)
    assert get("pat_verdict_outage_guard_open") is None


def test_register_with_the_default_registry_and_a_validator(tmp_path: Path) -> None:
    import prometheus_client

    from pat_verdict.prometheus import register

    validator = Validator(tmp_path / "s.json", ["hk_0"])
    collector = register(validator)
    try:
        assert prometheus_client.REGISTRY.get_sample_value("pat_verdict_outage_guard_open") == 0
        # The default registry refuses a second set of the same names, as for its own.
        with pytest.raises(ValueError):
            register(Verifier())
    finally:
        prometheus_client.REGISTRY.unregister(collector)


def test_register_refuses_what_has_no_metrics() -> None:
    from pat_verdict.prometheus import register

    with pytest.raises(TypeError, match="^argument 'obj' must be a pat_verdict Verifier or Validator, not int$"):
        register(3)  # type: ignore[arg-type]


def test_register_without_prometheus_client_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pat_verdict.prometheus import register

    for name in [n for n in sys.modules if n == "prometheus_client" or n.startswith("prometheus_client.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "prometheus_client", None)  # import raises ImportError
    with pytest.raises(ImportError, match="pip install prometheus-client") as raised:
        register(Verifier())
    assert raised.value.name == "prometheus_client"


def test_promtool_accepts_the_text(fake: FakeGithub, tmp_path: Path) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool not installed (apt-get install prometheus)")
    for obj in (run_of_known_counts(fake), Validator(tmp_path / "s.json", [])):
        checked = subprocess.run(
            [promtool, "check", "metrics"], input=obj.metrics_text(), capture_output=True,
            text=True, timeout=60,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.strip() == "" and checked.stderr.strip() == "", checked


# ---- (h) OutageState as a value ----


def test_outage_state_round_trips(fake: FakeGithub) -> None:
    verifier = run_of_known_counts(fake)
    state = verifier.outage
    assert state is not None
    for again in (pickle.loads(pickle.dumps(state)), copy.copy(state), copy.deepcopy(state)):
        assert again == state and hash(again) == hash(state)
        assert (again.opened_at, again.retry_at, again.failures, again.probing) == (
            state.opened_at, state.retry_at, state.failures, state.probing)
    assert verifier.outage == state  # a snapshot: the guard has not moved
    assert len({state, pickle.loads(pickle.dumps(state))}) == 1
    assert repr(state).startswith("OutageState(opened_at=") and f"failures={state.failures}" in repr(state)


def test_outage_state_by_hand() -> None:
    opened = datetime.datetime(2026, 1, 1, tzinfo=UTC)
    state = OutageState(opened_at=opened, retry_at=opened + datetime.timedelta(seconds=30),
                        failures=6)
    assert repr(state) == ("OutageState(opened_at=2026-01-01T00:00:00Z, "
                           "retry_at=2026-01-01T00:00:30Z, failures=6, probing=False)")
    assert state.to_dict() == {"opened_at": "2026-01-01T00:00:00Z",
                               "retry_at": "2026-01-01T00:00:30Z", "failures": 6, "probing": False}
    assert state.retry_at == datetime.datetime(2026, 1, 1, 0, 0, 30, tzinfo=UTC)
    # Another zone names the same instant.
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    assert OutageState(opened.astimezone(plus_two), state.retry_at, 6) == state
    assert OutageState(opened, state.retry_at, 6, probing=True) != state
    with pytest.raises(AttributeError):
        state.failures = 1  # type: ignore[misc]
    with pytest.raises(ValueError, match="timezone-aware"):
        OutageState(datetime.datetime(2026, 1, 1), state.retry_at, 6)
    with pytest.raises(ValueError, match="to the second"):
        OutageState(opened.replace(microsecond=5), state.retry_at, 6)
    with pytest.raises(TypeError, match="^argument 'retry_at' must be datetime.datetime, not float$"):
        OutageState(opened, 1.0, 6)  # type: ignore[arg-type]
