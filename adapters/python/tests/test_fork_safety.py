"""docs/contract.md §9 and §16: a process forked while the runtime is busy works in the
child, and nothing there hangs.

The parent's runtime threads are kept inside `Validator` hotkey lookups (checks of a hotkey
that is not registered scan the whole list), answering awaited calls and verifying, while the
test forks again and again — with `os.fork` and with multiprocessing's `fork` start method.
Every child replaces `Validator.hotkeys`, checks a stored PAT and verifies one against the
loopback fake GitHub, then exits. A child that has not exited by its deadline is killed and
the test fails: a lock inherited held from one of the parent's threads hangs a child forever,
so the deadline catches it however rarely the fork lands inside it.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import threading
import time
import warnings
from pathlib import Path
from typing import Callable, Iterator, List, Optional, Tuple

import pytest

from conftest import FakeGithub, entry, new_token, write_store
from pat_verdict import Validator, Verifier

# A child answers within a second on a quiet machine; this only bounds a hung one.
CHILD_DEADLINE = 30.0
# Exit codes of a child: it got the answers wanted, it got others, it raised.
DONE, WRONG, RAISED = 0, 1, 2


class Busy:
    """Keeps the parent's runtime inside `validator`'s hotkey lookups and verifications from
    several threads, blocking and awaited, until stopped."""

    def __init__(self, validator: Validator, verifier: Verifier, stranger: str, pat: str) -> None:
        self.stop = threading.Event()
        self.calls = 0
        self.errors: List[BaseException] = []
        self.threads = [
            threading.Thread(target=self.guarded, args=(self.checks, validator, stranger)),
            threading.Thread(target=self.guarded, args=(self.checks, validator, stranger)),
            threading.Thread(target=self.guarded, args=(self.awaited, validator, verifier,
                                                        stranger, pat)),
        ]

    def guarded(self, work: Callable[..., None], *args: object) -> None:
        try:
            work(*args)
        except BaseException as error:  # shown by the test, not lost in a thread
            self.errors.append(error)

    def checks(self, validator: Validator, stranger: str) -> None:
        while not self.stop.is_set():
            validator.check(stranger)
            self.calls += 1

    def awaited(self, validator: Validator, verifier: Verifier, stranger: str, pat: str) -> None:
        async def run() -> None:
            while not self.stop.is_set():
                await asyncio.gather(*[validator.acheck(stranger) for _ in range(8)],
                                     verifier.averify(pat))
                self.calls += 9

        asyncio.run(run())

    def __enter__(self) -> "Busy":
        for thread in self.threads:
            thread.start()
        while self.calls < 20 and not self.errors:  # the runtime is up and busy
            time.sleep(0.005)
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()
        assert self.errors == []


def in_child(validator: Validator, verifier: Verifier, hotkeys: List[str], hotkey: str,
             pat: str) -> int:
    """What every child does; its exit code."""
    try:
        validator.hotkeys = hotkeys
        checked = validator.check(hotkey)
        awaited = asyncio.run(validator.acheck(hotkey))  # a loop of the child's own
        verified = verifier.verify(pat)
        wanted = (True, True, "valid")
        answers = [(answer.has_pat, answer.pat_valid, answer.category)
                   for answer in (checked, awaited)]
        return DONE if answers == [wanted] * 2 and verified.kind == "valid" else WRONG
    except BaseException:
        return RAISED


def wait_for(pid: int, deadline: float) -> Optional[int]:
    """The exit code of child `pid`, or None when it had not exited by `deadline` (then it
    is killed)."""
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None
        time.sleep(0.005)


def fork_child(task: Callable[[], int]) -> int:
    """Forks; the child runs `task` and exits with its code, never returning here."""
    with warnings.catch_warnings():
        # Python 3.12+ warns that forking a threaded process may deadlock the child: the
        # very thing under test.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child
        code = RAISED
        try:
            code = task()
        finally:
            os._exit(code)
    return pid


def _exit_with(task: Callable[[], int]) -> None:
    """multiprocessing's target: the child's exit code is `task`'s."""
    os._exit(task())


@pytest.fixture
def world(fake: FakeGithub, tmp_path: Path, request: pytest.FixtureRequest
          ) -> Iterator[Tuple[Validator, Verifier, List[str], str, str]]:
    """A validator over `request.param` hotkeys whose first one (uid 0) has a valid stored
    PAT, a verifier, both busy in the parent: (validator, verifier, hotkeys, hotkey, pat)."""
    count: int = request.param
    hotkeys = [f"hk_{index}" for index in range(count)]
    hotkey, pat = hotkeys[0], new_token()
    fake.valid(pat, 31, "forked")
    store = tmp_path / "miner_pats.json"
    write_store(store, [entry(0, hotkey, pat, "31")])
    validator = Validator(store, hotkeys, api_url=fake.url)
    verifier = Verifier(fake.url)
    assert validator.check(hotkey).pat_valid is True  # the runtime is up before any fork
    with Busy(validator, verifier, "hk_stranger", pat):
        yield validator, verifier, hotkeys, hotkey, pat


@pytest.mark.parametrize(("world", "forks"), [(16_384, 40), (1_000_000, 12)],
                         indirect=["world"], ids=["16384-hotkeys", "1000000-hotkeys"])
def test_children_forked_with_os_fork_while_busy_all_finish(
    world: Tuple[Validator, Verifier, List[str], str, str], forks: int
) -> None:
    validator, verifier, hotkeys, hotkey, pat = world
    # The child's list is not the parent's, but uid 0 is still the stored miner's.
    replacement = [hotkey, "hk_other"]

    def task() -> int:
        return in_child(validator, verifier, replacement, hotkey, pat)

    started = [(fork_child(task), time.monotonic()) for _ in range(forks)]
    codes = [wait_for(pid, at + CHILD_DEADLINE) for pid, at in started]
    assert codes == [DONE] * forks  # None: a child hung and was killed
    assert validator.hotkeys == hotkeys  # the parent's list is its own


@pytest.mark.parametrize(("world", "forks"), [(16_384, 16)], indirect=["world"],
                         ids=["16384-hotkeys"])
def test_children_of_multiprocessing_fork_while_busy_all_finish(
    world: Tuple[Validator, Verifier, List[str], str, str], forks: int
) -> None:
    validator, verifier, hotkeys, hotkey, pat = world
    context = multiprocessing.get_context("fork")
    replacement = [hotkey, "hk_other"]

    def task() -> int:
        return in_child(validator, verifier, replacement, hotkey, pat)

    children = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for _ in range(forks):
            child = context.Process(target=_exit_with, args=(task,))
            child.start()
            children.append((child, time.monotonic()))
    codes: List[Optional[int]] = []
    for child, at in children:
        child.join(max(0.0, at + CHILD_DEADLINE - time.monotonic()))
        if child.is_alive():
            child.kill()
            child.join()
            codes.append(None)
        else:
            codes.append(child.exitcode)
    assert codes == [DONE] * forks
