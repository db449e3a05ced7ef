"""Fixtures: the loopback fake GitHub (the `fake-github` binary), unique tokens, stores.

The fake is started once per session on port 0 and scripted per test through its stdin
(`script`, `valid`, `count`); every test uses tokens of its own, so tests never see each
other's scripts. Its binary is `$PAT_VERDICT_FAKE_GITHUB`, else `target/debug/fake-github`
or `target/release/fake-github` (built by `scripts/test-all.sh`).
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

ROOT = Path(__file__).resolve().parents[3]


def fake_binary() -> Path:
    env = os.environ.get("PAT_VERDICT_FAKE_GITHUB")
    candidates = [Path(env)] if env else []
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    candidates += [target / "debug" / "fake-github", target / "release" / "fake-github"]
    for path in candidates:
        if path.is_file():
            return path
    raise RuntimeError(
        "fake-github is not built: run `cargo build -p pat-verdict-fake-github` "
        "(scripts/test-all.sh does) or set PAT_VERDICT_FAKE_GITHUB"
    )


# One scripted answer of the fake GitHub (its stdin protocol's JSON object).
Reply = Dict[str, Any]


class FakeGithub:
    """The fake GitHub as a child process, scripted over its stdin (one answer per command)."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [str(fake_binary())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None and self.proc.stdin is not None
        first = self.proc.stdout.readline().split()
        if len(first) != 2 or first[0] != "url":
            raise RuntimeError(f"fake-github did not start: {first}")
        self.url: str = first[1]
        self.lock = threading.Lock()

    def command(self, line: str) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        with self.lock:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
            answer = self.proc.stdout.readline().strip()
        if answer.startswith("error"):
            raise RuntimeError(f"fake-github refused {line!r}: {answer}")
        return answer

    def script(self, token: str, endpoint: str, replies: List[Reply]) -> None:
        """Scripts `token` on `endpoint` ("user" or "graphql"); the last step repeats."""
        self.command(f"script {token} {endpoint} {json.dumps(replies)}")

    def valid(self, token: str, github_id: int, login: str) -> None:
        self.command(f"valid {token} {github_id} {login}")

    def count(self, token: str, endpoint: str) -> int:
        return int(self.command(f"count {token} {endpoint}"))

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="session")
def fake() -> Iterator[FakeGithub]:
    github = FakeGithub()
    try:
        yield github
    finally:
        github.close()


@pytest.fixture
def token() -> str:
    """A fresh, unscripted token (the fake answers it 401 until scripted)."""
    return new_token()


def new_token(prefix: str = "ghp_") -> str:
    return prefix + uuid.uuid4().hex


# gittensor's words for a broadcast of another account's PAT by a hotkey already pinned.
LOCKED = (
    "GitHub identity is locked for this hotkey. "
    "Deregister and re-register to change GitHub accounts."
)


def pinned_store(tmp_path: Path) -> Path:
    """A store file in which uid 2 (`hk_2`) holds a PAT pinned to GitHub id 42."""
    store = tmp_path / "s.json"
    write_store(store, [entry(2, "hk_2", "ghp_previous", "42")])
    return store


def assert_locked_out(validator: Any, store: Path, token: str) -> None:
    """`validator` refuses `hk_2`'s broadcast of `token` (another account than the one its
    stored PAT is pinned to) for good, in gittensor's words, and leaves the store as it was."""
    before = store.read_bytes()
    response = validator.broadcast("hk_2", token)
    assert (response.accepted, response.retryable, response.rejection_reason) == (
        False, False, LOCKED)
    assert store.read_bytes() == before


def write_store(path: Path, entries: List[Dict[str, Any]]) -> None:
    path.write_text(json.dumps(entries), encoding="utf-8")


def entry(uid: int, hotkey: str, pat: str, github_id: Optional[str]) -> Dict[str, Any]:
    item: Dict[str, Any] = {
        "uid": uid,
        "hotkey": hotkey,
        "pat": pat,
        "stored_at": "2026-01-01T00:00:00Z",
    }
    if github_id is not None:
        item["github_id"] = github_id
    return item
