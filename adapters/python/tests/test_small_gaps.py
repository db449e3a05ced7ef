"""docs/contract.md §16's smaller gaps, as Python sees them: the repr of an object whose `__init__`
raised, `ValueError` (never `OverflowError`) for numbers too large for any range, a host's
`transport_error` detail cut, and a token too long for GitHub refused before anything is sent.
"""

from __future__ import annotations

import asyncio
import math
import re
import traceback
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

from conftest import FakeGithub
from pat_verdict import (
    SendStep,
    Validator,
    Verification,
    Verifier,
    classify_identity,
    classify_test_query,
)

COOLDOWN_REFUSED = "the outage cool-down must be more than 0 and at most 600 seconds"

# ---- repr after a failed __init__ ----


def rendered_with_locals(error: BaseException) -> str:
    """The traceback as a logger with `capture_locals` renders it: every local's repr."""
    return "".join(traceback.TracebackException.from_exception(error, capture_locals=True)
                   .format())


@pytest.mark.parametrize("build", [
    lambda: Verifier(timeout=0.0),
    lambda: Verifier(api_url=42),  # type: ignore[arg-type]
    lambda: Validator("s.json", "hk_0"),
    lambda: Validator("s.json", [], outage_cooldown=-1.0),
], ids=["verifier-value", "verifier-type", "validator-type", "validator-value"])
def test_a_traceback_with_locals_renders_after_a_failed_init(build: Callable[[], object]) -> None:
    with pytest.raises((ValueError, TypeError)) as raised:
        build()
    text = rendered_with_locals(raised.value)
    # `self` of the failed __init__ is shown as what it is, not as a failed repr.
    assert re.search(r"self = <pat_verdict\.(Verifier|Validator) object at 0x[0-9a-f]+, "
                     r"not initialized>", text), text


def test_repr_of_an_object_never_initialized() -> None:
    for half in (Verifier.__new__(Verifier), Validator.__new__(Validator)):
        name = type(half).__name__
        assert repr(half) == f"<pat_verdict.{name} object at {id(half):#x}, not initialized>"
        assert str(half) == repr(half)


def test_repr_once_initialized_is_the_settings(tmp_path: Path) -> None:
    assert repr(Verifier(timeout=5.0)).startswith("Verifier(api_url='https://api.github.com', "
                                                  "timeout=5.0,")
    assert repr(Validator(tmp_path / "s.json", ["a", "b"])).startswith(
        f"Validator(store={str(tmp_path / 's.json')!r}, hotkeys=<2 hotkeys>,")


# ---- numbers too large for any range: ValueError, as other values out of range ----

HUGE_INTS = [pytest.param(value, id=name) for name, value in [
    ("2**1024", 2**1024), ("10**30", 10**30), ("10**400", 10**400), ("-10**400", -(10**400)),
    ("10**5000", 10**5000),  # beyond what str() of an int shows
]]


def value_error(call: Callable[[], object]) -> str:
    """The message of the ValueError `call` raises (an OverflowError fails the test)."""
    with pytest.raises(ValueError) as raised:
        call()
    return str(raised.value)


@pytest.mark.parametrize("huge", HUGE_INTS)
@pytest.mark.parametrize("argument", ["timeout", "attempts"])
def test_verifier_numbers_too_large(argument: str, huge: int) -> None:
    kwargs: Dict[str, Any] = {argument: huge}
    message = value_error(lambda: Verifier(**kwargs))
    assert message.startswith(f"{argument} must be "), message
    assert message.endswith(f", not {huge}" if abs(huge) < 10**39  # a short repr
                            else f", not an int of {huge.bit_length()} bits"), message


@pytest.mark.parametrize("huge", HUGE_INTS)
def test_outage_threshold_too_large(huge: int, tmp_path: Path) -> None:
    for build in (lambda: Verifier(outage_threshold=huge),
                  lambda: Validator(tmp_path / "s.json", [], outage_threshold=huge)):
        assert value_error(build).startswith(
            "outage_threshold must be from 0 (the guard off) to 4294967295, not ")


@pytest.mark.parametrize("huge", HUGE_INTS)
def test_outage_cooldown_too_large_is_refused_as_any_cooldown_out_of_range(
    huge: int, tmp_path: Path
) -> None:
    assert value_error(lambda: Verifier(outage_cooldown=huge)) == COOLDOWN_REFUSED
    assert value_error(
        lambda: Validator(tmp_path / "s.json", [], outage_cooldown=huge)) == COOLDOWN_REFUSED


@pytest.mark.parametrize("huge", HUGE_INTS)
def test_validator_timeout_too_large(huge: int, tmp_path: Path) -> None:
    message = value_error(lambda: Validator(tmp_path / "s.json", [], timeout=huge))
    assert message.startswith("timeout must be more than 0 and at most 3600 seconds, not ")


@pytest.mark.parametrize("huge", [10**20, 2**64, -(10**20)])
def test_audit_concurrency_too_large(huge: int, tmp_path: Path) -> None:
    store = tmp_path / "s.json"
    store.write_text("[]", encoding="utf-8")
    validator = Validator(store, [])
    wanted = f"concurrency must be at least 1 and below 2**63, not {huge}"
    assert value_error(lambda: validator.audit(huge)) == wanted
    assert value_error(lambda: asyncio.run(validator.aaudit(huge))) == wanted


@pytest.mark.parametrize("huge", [10**400, -(10**400), 2**1024])
@pytest.mark.parametrize("classify", [classify_test_query, classify_identity])
def test_classify_now_too_large(classify: Callable[..., object], huge: int) -> None:
    assert value_error(lambda: classify(200, body={}, now=huge)).startswith(
        "now must be a finite number of seconds, not ")
    assert value_error(lambda: classify(transport_error="reset", now=huge)).startswith("now ")


@pytest.mark.parametrize("kwargs", [{"timeout": 2**1024}, {"attempts": 10**30},
                                    {"now": 10**400}, {"now": -(10**400)}])
def test_verification_numbers_too_large(kwargs: Dict[str, Any]) -> None:
    [(argument, _)] = kwargs.items()
    assert value_error(lambda: Verification("ghp_huge", **kwargs)).startswith(argument)


def test_verification_receive_numbers_too_large() -> None:
    machine = Verification("ghp_huge", now=0.0)
    calls: Dict[str, Callable[[], object]] = {
        "now": lambda: machine.receive(503, now=10**400),
        "wall": lambda: machine.receive(503, now=0.1, wall=10**400),
    }
    for argument, call in calls.items():
        assert value_error(call).startswith(f"{argument} must be a finite"), argument
    assert isinstance(machine.step, SendStep)  # nothing was fed back


def test_finite_floats_and_in_range_ints_still_work() -> None:
    # The conversion changes nothing for numbers that fit.
    assert Verifier(timeout=3600, attempts=1, outage_threshold=2**32 - 1,
                    outage_cooldown=600).outage is None
    assert classify_test_query(transport_error="reset", now=10**18).kind == "inconclusive"
    assert classify_test_query(transport_error="reset", now=1e300).kind == "inconclusive"
    assert isinstance(Verification("ghp_fits", timeout=12, attempts=3, now=0).step, SendStep)
    assert value_error(lambda: Verifier(timeout=math.inf)).endswith(", not inf")


# ---- a host's transport_error detail is cut (the core's 300 characters) ----

@pytest.mark.parametrize("text", ["x" * 10_000_000, "timeout: " + "y" * 10_000_000,
                                  "reset: " + "é" * 5_000_000])
def test_a_huge_transport_error_comes_back_bounded(text: str) -> None:
    for classify in (classify_test_query, classify_identity):
        verdict = classify(transport_error=text)
        assert verdict.kind == "inconclusive"
        assert verdict.error is not None and len(verdict.error) <= 400
        assert len(repr(verdict)) <= 1000


# ---- a token longer than GitHub's 255 characters is refused before anything is sent ----

def test_a_256_character_token_is_malformed_and_nothing_is_sent(fake: FakeGithub) -> None:
    token = "ghp_" + "a" * 252
    assert len(token) == 256
    fake.valid(token, 33, "too-long")  # were it sent, the fake would call it valid
    verdict = Verifier(fake.url).verify(token)
    assert (verdict.kind, verdict.stage, verdict.requests) == ("invalid", "token", 0)
    shown: List[str] = [str(verdict.error), repr(verdict), str(verdict.to_dict())]
    assert not any(token in text or "a" * 40 in text for text in shown), shown
    assert fake.count(token, "user") == 0
