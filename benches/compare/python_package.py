#!/usr/bin/env python3
"""Side by side, in one Python process: the `pat_verdict` package against the `requests`
reference, on the same fake GitHub; then the cost of one `classify_test_query` call.

    target/py-venv/bin/python benches/compare/python_package.py [--pats 256] [--runs 7]
        [--concurrency 16] [--latency-ms 0 20]
    target/py-venv/bin/python benches/compare/python_package.py --plans [--latency-ms 0 20]

Run it with an interpreter that has `pat_verdict` (`pip install ./adapters/python`) and
`requests` installed (scripts/test-all.sh leaves one in target/py-venv). It builds the
release `fake-github`, starts it with `--pats` working PATs and each latency in turn, and
times, alternating the order every run (medians of `--runs`, after one warm-up run each):

- `Validator.audit(concurrency)`: every stored PAT re-verified, in process;
- `asyncio.gather` over `Verifier.averify`, at most `concurrency` in flight;
- the reference (`reference.py`, a thread pool of `requests` sessions), run in process.

At a latency L the floor is 2 x L x pats / concurrency (two round trips per PAT).

`--plans` instead compares gittensor's two calls per PAT with `one_call=True`'s one
(docs/contract.md §11), side by side at each latency: `Validator.audit` and the `averify`
gather, each plan's `Validator` and `Verifier` built once before timing (as a validator keeps
one), so the figures are the steady throughput of each plan, against its own floor. A timed
run repeats the tool until it lasts 0.2 s and counts its mean (one audit at 0 ms is ~10 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import math
import runpy
import statistics
import sys
import tempfile
import time
import timeit
from pathlib import Path
from typing import Callable, Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as compare  # noqa: E402  (the CLI comparison's build and fake-github driver)

import pat_verdict  # noqa: E402


def reference_audit(store: Path, url: str, concurrency: int) -> int:
    """reference.py, in this process; returns how many PATs it found valid."""
    argv = sys.argv
    sys.argv = ["reference.py", "--store", str(store), "--api-url", url,
                "--concurrency", str(concurrency)]
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(str(Path(__file__).with_name("reference.py")), run_name="__main__")
    finally:
        sys.argv = argv
    return int(json.loads(out.getvalue().strip().splitlines()[-1])["valid"])


def package_audit(store: Path, url: str, concurrency: int, pats: int) -> int:
    hotkeys = [f"hotkey_{uid}" for uid in range(pats)]
    rows = pat_verdict.Validator(store, hotkeys, api_url=url).audit(concurrency=concurrency)
    return sum(row.verdict.kind == "valid" for row in rows)


def package_gather(url: str, concurrency: int, pats: int) -> int:
    return gather(pat_verdict.Verifier(url), concurrency, pats)


def side_by_side(args: argparse.Namespace, latency_ms: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "miner_pats.json"
        fake = compare.Fake(args.pats, latency_ms, store)
        tools: Dict[str, Callable[[], int]] = {
            "pat_verdict audit": lambda: package_audit(store, fake.url, args.concurrency, args.pats),
            "pat_verdict averify": lambda: package_gather(fake.url, args.concurrency, args.pats),
            "requests reference": lambda: reference_audit(store, fake.url, args.concurrency),
        }
        walls: Dict[str, List[float]] = {name: [] for name in tools}
        names = list(tools)
        for run in range(args.runs + 1):  # run 0 warms up and is dropped
            for name in names if run % 2 == 0 else names[::-1]:
                started = time.perf_counter()
                valid = tools[name]()
                wall = time.perf_counter() - started
                if valid != args.pats:
                    raise SystemExit(f"{name}: expected {args.pats} valid, got {valid}")
                if run > 0:
                    walls[name].append(wall)
        fake.close()
    floor = 2 * latency_ms / 1000 * args.pats / args.concurrency
    print(f"\n{args.pats} PATs, {latency_ms} ms per answer, concurrency {args.concurrency}, "
          f"{args.runs} alternating runs (medians); floor {floor:.3f} s")
    print(f"{'in one Python process':<24}{'wall s':>10}{'PATs/s':>10}{'x floor':>9}")
    medians = {name: statistics.median(series) for name, series in walls.items()}
    for name, wall in medians.items():
        vs_floor = f"{wall / floor:.3f}" if floor else "-"
        print(f"{name:<24}{wall:>10.3f}{args.pats / wall:>10.0f}{vs_floor:>9}")
    reference = medians["requests reference"]
    for name in ("pat_verdict audit", "pat_verdict averify"):
        print(f"throughput {name} / reference: {reference / medians[name]:.2f}x")


def gather(verifier: pat_verdict.Verifier, concurrency: int, pats: int) -> int:
    """`averify` of every bench PAT through `verifier`, `concurrency` in flight; how many valid."""

    async def all_of_them() -> int:
        limit = asyncio.Semaphore(concurrency)

        async def one(uid: int) -> bool:
            async with limit:
                return (await verifier.averify(f"ghp_bench_{uid}")).kind == "valid"

        return sum(await asyncio.gather(*(one(uid) for uid in range(pats))))

    return asyncio.run(all_of_them())


MIN_RUN_S = 0.2
"""How long one timed run of `--plans` lasts at least, repeating the tool as needed."""


def plans(args: argparse.Namespace, latency_ms: int) -> None:
    """Two calls vs one call, in this process, alternating (medians)."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "miner_pats.json"
        fake = compare.Fake(args.pats, latency_ms, store)
        hotkeys = [f"hotkey_{uid}" for uid in range(args.pats)]
        # The guard off: a benchmark measures the calls, not a guard's verdicts.
        built = {
            plan: (
                pat_verdict.Validator(store, hotkeys, api_url=fake.url, outage_threshold=0,
                                      one_call=one_call),
                pat_verdict.Verifier(fake.url, outage_threshold=0, one_call=one_call),
            )
            for plan, one_call in (("two calls", False), ("one call", True))
        }
        tools: Dict[str, Callable[[], int]] = {}
        for plan, (validator, verifier) in built.items():
            tools[f"audit, {plan}"] = (
                lambda v=validator: sum(row.verdict.kind == "valid"
                                        for row in v.audit(concurrency=args.concurrency)))
            tools[f"averify, {plan}"] = (
                lambda v=verifier: gather(v, args.concurrency, args.pats))
        walls: Dict[str, List[float]] = {name: [] for name in tools}
        # Each tool's two plans alternate with each other only, so what one tool leaves
        # behind (the gather's garbage, its connections) falls on both plans of the next.
        for tool in ("audit", "averify"):
            pair = [f"{tool}, two calls", f"{tool}, one call"]
            # A timed run repeats the tool until it lasts about MIN_RUN_S (at 0 ms one audit
            # is ~10 ms, too short to time alone); the warm-up run decides how many times.
            repeats = 1
            for run in range(args.runs + 1):  # run 0 warms up and is dropped
                for name in pair if run % 2 == 0 else pair[::-1]:
                    started = time.perf_counter()
                    for _ in range(repeats):
                        valid = tools[name]()
                        if valid != args.pats:
                            raise SystemExit(f"{name}: expected {args.pats} valid, got {valid}")
                    wall = (time.perf_counter() - started) / repeats
                    if run > 0:
                        walls[name].append(wall)
                    else:
                        repeats = max(repeats, math.ceil(MIN_RUN_S / max(wall, 1e-6)))
        fake.close()
    print(f"\n{args.pats} PATs, {latency_ms} ms per answer, concurrency {args.concurrency}, "
          f"{args.runs} alternating runs of each pair (medians of each run's mean), "
          f"two calls vs one_call=True")
    print(f"{'in one Python process':<24}{'wall s':>10}{'PATs/s':>10}{'floor s':>9}{'x floor':>9}")
    medians = {name: statistics.median(series) for name, series in walls.items()}
    for name, wall in medians.items():
        calls = 1 if name.endswith("one call") else 2
        floor = calls * latency_ms / 1000 * args.pats / args.concurrency
        vs_floor = f"{wall / floor:.3f}" if floor else "-"
        print(f"{name:<24}{wall:>10.3f}{args.pats / wall:>10.0f}{floor:>9.3f}{vs_floor:>9}")
    for tool in ("audit", "averify"):
        two, one = medians[f"{tool}, two calls"], medians[f"{tool}, one call"]
        print(f"{tool}: one call / two calls (wall) {one / two:.3f}; throughput ratio "
              f"{two / one:.2f}x")


def classify_cost() -> None:
    raw = b'{"data":{"viewer":{"login":"octocat"}}}'
    parsed = json.loads(raw)
    headers = {"Content-Type": "application/json", "x-ratelimit-remaining": "4999",
               "x-ratelimit-reset": "1767366245"}
    classify = pat_verdict.classify_test_query
    cases: Dict[str, Callable[[], object]] = {
        "raw bytes": lambda: classify(200, body=raw, now=0),
        "raw bytes, headers": lambda: classify(200, body=raw, headers=headers, now=0),
        "parsed dict": lambda: classify(200, body=parsed, now=0),
        "503, no body": lambda: classify(503, now=0),
        "raw bytes, now read": lambda: classify(200, body=raw),
    }
    print("\nclassify_test_query from Python, per call (best of 7 x 200,000; "
          "the lambda's own call included)")
    empty = min(timeit.repeat(lambda: None, number=200_000, repeat=7)) / 200_000
    for name, case in cases.items():
        per_call = min(timeit.repeat(case, number=200_000, repeat=7)) / 200_000
        print(f"{name:<22}{per_call * 1e6:>8.3f} us   (minus an empty lambda: "
              f"{(per_call - empty) * 1e6:.3f} us)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pats", type=int, default=256)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency-ms", type=int, nargs="+", default=[0, 20])
    parser.add_argument("--classify-only", action="store_true")
    parser.add_argument("--plans", action="store_true",
                        help="two calls vs one_call=True (docs/contract.md §11), side by side")
    args = parser.parse_args()
    if args.plans:
        compare.build()
        for latency in args.latency_ms:
            plans(args, latency)
        return
    if not args.classify_only:
        compare.build()
        for latency in args.latency_ms:
            side_by_side(args, latency)
    classify_cost()


if __name__ == "__main__":
    main()
