"""What docs/contract.md §9 promises about sharing: `verify` releases the GIL for the whole call,
`averify` never blocks the event loop, and hundreds of awaited calls share a bounded pool of
OS threads.

Each promise is checked structurally first (ticks of another thread or task that could only
happen if the interpreter or the loop was free), then by the timing the issue asks for, with
generous bounds and the best of three tries, since this machine is shared.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from typing import List, Optional, Tuple

from conftest import FakeGithub, new_token
import pat_verdict
from pat_verdict import Verifier, _pat_verdict


def slow_token(fake: FakeGithub, ms: int) -> str:
    """A working PAT whose answers each take `ms` milliseconds (identity and test query)."""
    token = new_token()
    fake.script(token, "user", [{"user": [1, "slow"], "after_ms": ms // 2}])
    fake.script(token, "graphql", [{"viewer": "slow", "after_ms": ms - ms // 2}])
    return token


def test_averify_never_blocks_the_event_loop(fake: FakeGithub) -> None:
    token = slow_token(fake, 300)
    verifier = Verifier(fake.url)

    async def beside_a_slow_github() -> Tuple[float, int, str]:
        call = asyncio.ensure_future(verifier.averify(token))
        started = time.perf_counter()
        await asyncio.sleep(0.010)
        slept = time.perf_counter() - started
        ticks = 0
        while not call.done():
            await asyncio.sleep(0.005)
            ticks += 1
        return slept, ticks, (await call).kind

    tries = [asyncio.run(beside_a_slow_github()) for _ in range(3)]
    assert all(kind == "valid" for _, _, kind in tries)
    # Structural: the loop kept running while the call was in flight.
    assert all(ticks >= 5 for _, ticks, _ in tries), tries
    # The figure: a 10 ms sleep beside a 300 ms GitHub finishes in under 50 ms.
    assert min(slept for slept, _, _ in tries) < 0.050, tries


def test_verify_releases_the_gil_for_the_whole_call(fake: FakeGithub) -> None:
    token = slow_token(fake, 500)
    verifier = Verifier(fake.url)
    ticks: List[int] = []
    stop = threading.Event()

    def ticker() -> None:
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.002)

    background = threading.Thread(target=ticker)
    background.start()
    try:
        before = len(ticks)
        assert verifier.verify(token).kind == "valid"
        during = len(ticks) - before
    finally:
        stop.set()
        background.join()
    # Structural: another Python thread ran throughout the 500 ms call.
    assert during >= 20, during

    def one_call() -> float:
        started = time.perf_counter()
        assert verifier.verify(token).kind == "valid"
        return time.perf_counter() - started

    def two_threads() -> float:
        started = time.perf_counter()
        threads = [threading.Thread(target=one_call) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - started

    single = min(one_call() for _ in range(2))
    # The figure: two threads finish in about one call's time, not two.
    assert min(two_threads() for _ in range(3)) < 1.6 * single


def os_threads() -> int:
    return len(os.listdir("/proc/self/task"))


def test_hundreds_of_averify_calls_share_a_bounded_pool_of_threads(fake: FakeGithub) -> None:
    token = slow_token(fake, 200)
    verifier = Verifier(fake.url)
    baseline = os_threads()

    async def many() -> Tuple[List[str], int]:
        calls = [asyncio.ensure_future(verifier.averify(token)) for _ in range(300)]
        peak = 0
        while not all(call.done() for call in calls):
            peak = max(peak, os_threads())
            await asyncio.sleep(0.01)
        return [call.result().kind for call in calls], peak

    kinds, peak = asyncio.run(many())
    assert kinds == ["valid"] * 300
    # The runtime's workers plus the bounded blocking pool -- not a thread per call.
    assert peak - baseline <= _pat_verdict.BLOCKING_THREADS + (os.cpu_count() or 2) + 4, peak


# ---- the hand-over from the runtime to the loops ----


def test_concurrent_calls_on_several_loops_each_get_their_own_answer(fake: FakeGithub) -> None:
    # Answers reach each loop in batches (one wake-up settles every call finished meanwhile):
    # none may land on another call's future, another loop's, or be lost.
    ids = {new_token(): number for number in range(100, 148)}
    for token, number in ids.items():
        fake.valid(token, number, f"miner{number}")
    malformed = "not a token"  # answered at once, before any request
    verifier = Verifier(fake.url)
    results: List[List[Tuple[str, Optional[str]]]] = []

    async def all_at_once() -> List[Tuple[str, Optional[str]]]:
        tokens = [token for token in ids for _ in range(2)] + [malformed] * 16
        verdicts = await asyncio.gather(*(verifier.averify(token) for token in tokens))
        return [(token, verdict.github_id) for token, verdict in zip(tokens, verdicts)]

    def in_a_loop() -> None:
        results.append(asyncio.run(all_at_once()))

    threads = [threading.Thread(target=in_a_loop) for _ in range(3)]
    for thread in threads:
        thread.start()
    in_a_loop()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    for answers in results:
        for token, answered in answers:
            assert answered == (str(ids[token]) if token in ids else None)


def test_cancelled_calls_leave_no_future_behind(fake: FakeGithub) -> None:
    token = slow_token(fake, 400)
    verifier = Verifier(fake.url)

    async def cancel_them() -> int:
        calls = [asyncio.ensure_future(verifier.averify(token)) for _ in range(20)]
        await asyncio.sleep(0.1)
        for call in calls:
            call.cancel()
        await asyncio.gather(*calls, return_exceptions=True)
        done = await verifier.averify("not a token")  # one more, answered
        assert done.kind == "invalid"
        # The loop's mailbox: every future settled or cancelled is forgotten.
        mailbox = pat_verdict._mailbox(asyncio.get_running_loop())
        return len(mailbox.futures)

    assert asyncio.run(cancel_them()) == 0


def test_an_answer_for_a_closed_loop_is_dropped_quietly(fake: FakeGithub) -> None:
    token = slow_token(fake, 300)
    verifier = Verifier(fake.url)
    unraisable: List[object] = []
    hook = sys.unraisablehook
    sys.unraisablehook = unraisable.append
    loop = asyncio.new_event_loop()
    try:
        task = loop.create_task(verifier.averify(token))
        loop.run_until_complete(asyncio.sleep(0.05))  # started, not answered
        loop.close()  # the task is still referenced: its call is not cancelled
        deadline = time.monotonic() + 5
        while fake.count(token, "graphql") < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)  # the answer arrives at the closed loop meanwhile
        assert fake.count(token, "graphql") == 1, "the call ran to its end"
        assert not task.done()
    finally:
        sys.unraisablehook = hook
    assert unraisable == []
