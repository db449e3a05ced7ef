"""The surface of docs/contract.md §9: names, frozen value objects, reprs that never hold a token, and
bad arguments as `ValueError`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Callable, List

import certifi
import pytest

import pat_verdict
from conftest import FakeGithub, entry, write_store
from pat_verdict import (
    AuditRow,
    BroadcastResponse,
    CheckResponse,
    Validator,
    Verdict,
    Verifier,
    classify_identity,
    classify_test_query,
)


def test_every_name_of_spec_9_is_exported() -> None:
    for name in ["Verdict", "classify_identity", "classify_test_query", "Verifier", "Validator",
                 "CheckResponse", "BroadcastResponse", "AuditRow"]:
        assert name in pat_verdict.__all__
        assert getattr(pat_verdict, name).__module__.startswith("pat_verdict")


def test_the_package_ships_its_stubs() -> None:
    folder = Path(pat_verdict.__file__).parent
    assert (folder / "py.typed").is_file()
    assert (folder / "_pat_verdict.pyi").is_file()


def test_value_objects_are_frozen(fake: FakeGithub, tmp_path: Path, token: str) -> None:
    verdict = classify_test_query(503)
    with pytest.raises(AttributeError):
        verdict.kind = "valid"  # type: ignore[misc]
    fake.valid(token, 1, "one")
    v = Validator(tmp_path / "s.json", ["hk_0"], api_url=fake.url)
    broadcast = v.broadcast("hk_0", token)
    check = v.check("hk_0")
    [row] = v.audit()
    for value, field in [(broadcast, "accepted"), (check, "category"), (row, "uid")]:
        with pytest.raises(AttributeError):
            setattr(value, field, None)
    assert isinstance(broadcast, BroadcastResponse)
    assert isinstance(check, CheckResponse)
    assert isinstance(row, AuditRow) and isinstance(row.verdict, Verdict)


def test_reprs_are_readable() -> None:
    verdict = classify_identity(429, headers={"retry-after": "3"})
    assert repr(verdict) == (
        "Verdict(kind='inconclusive', error='GitHub /user API returned 429 (rate limited; "
        "retry after 3 s)', rate_limited=True, retry_after=3.0, stage='identity', requests=0)"
    )
    hostile = classify_test_query(200, body={"errors": [{"message": "\x1b[2Jcleared"}]})
    assert "\x1b" not in repr(hostile) and "\\x1b" in repr(hostile)


def test_no_token_in_any_repr_str_or_exception(
    fake: FakeGithub, tmp_path: Path, token: str
) -> None:
    fake.script(token, "user", [{"status": 200, "json": {"id": 8, "login": token}}])
    fake.script(token, "graphql", [{"status": 401, "json": {"message": f"bad {token}"}}])
    store = tmp_path / "s.json"
    write_store(store, [entry(0, "hk_0", token, "8")])
    verifier = Verifier(fake.url)
    validator = Validator(store, ["hk_0", "hk_1"], api_url=fake.url)
    shown: List[Any] = [verifier, validator, verifier.verify(token), validator.check("hk_0"),
                   validator.broadcast("hk_1", token), validator.broadcast("hk_1", token + "\n\x00"),
                   validator.audit()]
    shown.append(asyncio.run(_averify(verifier, token)))
    for value in shown:
        for text in (repr(value), str(value)):
            assert token not in text
    untyped_verify: Callable[..., Any] = verifier.verify
    untyped_broadcast: Callable[..., Any] = validator.broadcast
    calls: List[Callable[[], Any]] = [
        lambda: untyped_verify(1234),
        lambda: untyped_broadcast("hk_1", None),
    ]
    for call in calls:
        with pytest.raises(TypeError) as raised:
            call()
        assert token not in str(raised.value)


async def _averify(verifier: Verifier, token: str) -> Any:
    return await verifier.averify(token)


@pytest.mark.parametrize(
    "api_url",
    ["ftp://api.github.com", "api.github.com", "https://user:pw@api.github.com",
     "https://api.github.com/?x=1", "https://api.github.com/#top", "https://exa mple.com", ""],
)
def test_a_bad_api_url_is_a_value_error(api_url: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError) as raised:
        Verifier(api_url)
    assert "pw" not in str(raised.value)
    with pytest.raises(ValueError):
        Validator(tmp_path / "s.json", [], api_url=api_url)


@pytest.mark.parametrize("timeout", [0, -1, 3600.5, float("nan"), float("inf")])
def test_a_timeout_outside_0_to_3600_is_a_value_error(timeout: float, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        Verifier(timeout=timeout)
    with pytest.raises(ValueError):
        Validator(tmp_path / "s.json", [], timeout=timeout)


def test_timeouts_within_bounds_are_fine(tmp_path: Path) -> None:
    Verifier(timeout=3600)
    Verifier(timeout=0.001)
    Validator(str(tmp_path / "s.json"), ["a"], timeout=1)


@pytest.mark.parametrize("attempts", [0, -1, 4])
def test_attempts_outside_1_to_3_is_a_value_error(attempts: int) -> None:
    with pytest.raises(ValueError):
        Verifier(attempts=attempts)


@pytest.mark.parametrize("concurrency", [0, -5])
def test_concurrency_below_1_is_a_value_error(concurrency: int, tmp_path: Path) -> None:
    v = Validator(tmp_path / "s.json", [])
    with pytest.raises(ValueError):
        v.audit(concurrency=concurrency)
    with pytest.raises(ValueError):  # a coroutine: raised when awaited, as `async def` does
        asyncio.run(v.aaudit(concurrency=concurrency))


def test_ca_file_must_be_a_readable_pem_file(tmp_path: Path) -> None:
    # A real bundle of CA certificates (certifi comes with requests) is accepted.
    bundle = certifi.where()
    Verifier(ca_file=bundle)
    Validator(tmp_path / "s.json", [], ca_file=bundle)
    truncated = tmp_path / "ca.pem"
    truncated.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    empty = tmp_path / "empty.pem"
    empty.write_text("", encoding="utf-8")
    for bad in [tmp_path / "missing.pem", tmp_path, truncated, empty]:
        with pytest.raises(ValueError, match="ca_file"):
            Verifier(ca_file=bad)
        with pytest.raises(ValueError, match="ca_file"):
            Validator(tmp_path / "s.json", [], ca_file=bad)


def test_options_are_keyword_only(tmp_path: Path) -> None:
    make: Callable[..., Any] = Verifier
    with pytest.raises(TypeError):
        make("https://api.github.com", 12.0)
    make_validator: Callable[..., Any] = Validator
    with pytest.raises(TypeError):
        make_validator(tmp_path / "s.json", [], "https://api.github.com")
