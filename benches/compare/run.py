#!/usr/bin/env python3
"""Side by side: `pat-verdict audit` against the Python reference, on the same fake GitHub.

    python3 benches/compare/run.py [--pats 256] [--latency-ms 0] [--runs 7] [--concurrency 16]
    python3 benches/compare/run.py --memory          # peak RSS of audit over 1,000 vs 10,000 PATs
    python3 benches/compare/run.py --plans [--latency-ms 20] [--in-process]
                                                     # two calls vs --one-call (docs/contract.md §11)

Builds the release binaries, starts `fake-github` on loopback with `--pats` working PATs and
the given latency per answer, then runs both tools in alternation (order swapped every run,
so drift on a shared machine hits both alike) and prints, per tool, the median wall time,
the median CPU time (user + sys of that process alone, from wait4), throughput and GitHub
calls per PAT; then the ratios. At a latency L the floor is 2 x L x pats / concurrency.

`--plans` runs `pat-verdict audit` with gittensor's two calls per PAT and with `--one-call`
the same way, side by side, each against its own floor (calls x L x pats / concurrency), and
the one-call time as a share of the two-call time. `--in-process` adds the same comparison at
0 ms without process start-up: criterion's `benches/audit.rs` (its medians, read from cargo's
target folder) for Rust; `benches/compare/python_package.py --plans` does it for Python.

Needs: cargo (the binaries are built into cargo's target folder, `CARGO_TARGET_DIR` honoured),
Python >= 3.9 with the `requests` package for the reference (`pip install requests`), and,
for `--memory`, GNU time at /usr/bin/time (Debian/Ubuntu: `apt-get install time`).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def target_dir() -> Path:
    """Cargo's target folder as cargo itself resolves it ($CARGO_TARGET_DIR, config, default)."""
    meta = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )
    return Path(json.loads(meta.stdout)["target_directory"])


RELEASE = target_dir() / "release"


def require_requests() -> None:
    """The reference needs `requests`; say so before building anything."""
    try:
        import requests  # noqa: F401
    except ImportError:
        raise SystemExit("benches/compare needs the Python package `requests` for the reference: "
                         "pip install requests")


def require_gnu_time() -> None:
    if not Path("/usr/bin/time").exists():
        raise SystemExit("--memory needs GNU time at /usr/bin/time (Debian/Ubuntu: apt-get install time)")


def build() -> None:
    subprocess.run(
        ["cargo", "build", "--release", "--quiet", "-p", "pat-verdict-cli", "-p", "pat-verdict-fake-github"],
        cwd=ROOT,
        check=True,
    )


class Fake:
    """The fake GitHub as a child process, driven over its stdin."""

    def __init__(self, pats: int, latency_ms: int, store: Path):
        self.proc = subprocess.Popen(
            [str(RELEASE / "fake-github"), "--valid", str(pats), "--latency-ms", str(latency_ms),
             "--write-store", str(store)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        first = self.proc.stdout.readline().split()
        if len(first) != 2 or first[0] != "url":
            raise SystemExit(f"fake-github did not start: {first}")
        self.url = first[1]

    def command(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def stats(self) -> dict:
        self.command("stats")
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def measure(argv: list) -> tuple:
    """Runs argv; returns (wall seconds, cpu seconds, stdout)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv[0]} failed with {status}: {out[-500:]}")
    return wall, usage.ru_utime + usage.ru_stime, out


def alternate(tools: dict, fake: "Fake", args) -> dict:
    """Runs every tool args.runs times, alternating which goes first, each against a reset
    fake that must find every PAT valid; each tool's wall and CPU seconds and calls per PAT
    (run 0 warms caches and is dropped)."""
    results = {name: {"wall": [], "cpu": [], "calls": []} for name in tools}
    names = list(tools)
    for run in range(args.runs + 1):
        order = names if run % 2 == 0 else names[::-1]
        for name in order:
            fake.command("reset")
            wall, cpu, out = measure(tools[name])
            stats = fake.stats()
            last = json.loads(out.strip().splitlines()[-1])
            if last.get("valid") != args.pats:
                raise SystemExit(f"{name}: expected {args.pats} valid, got {last}")
            if run > 0:
                results[name]["wall"].append(wall)
                results[name]["cpu"].append(cpu)
                results[name]["calls"].append(calls(stats) / args.pats)
    return results


def compare(args) -> None:
    require_requests()
    build()
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "miner_pats.json"
        fake = Fake(args.pats, args.latency_ms, store)
        tools = {
            "pat-verdict audit": [str(RELEASE / "pat-verdict"), "audit", "--json", "--store", str(store),
                                  "--api-url", fake.url, "--concurrency", str(args.concurrency)],
            "python reference": [sys.executable, str(Path(__file__).with_name("reference.py")),
                                 "--store", str(store), "--api-url", fake.url,
                                 "--concurrency", str(args.concurrency)],
        }
        results = alternate(tools, fake, args)
        fake.close()

    floor = 2 * args.latency_ms / 1000 * args.pats / args.concurrency
    print(f"{args.pats} PATs, {args.latency_ms} ms per answer, concurrency {args.concurrency}, "
          f"{args.runs} alternating runs (medians); floor {floor:.3f} s")
    print(f"{'tool':<20}{'wall s':>10}{'cpu s':>10}{'PATs/s':>10}{'calls/PAT':>11}{'x floor':>9}")
    med = {}
    for name, series in results.items():
        wall = statistics.median(series["wall"])
        cpu = statistics.median(series["cpu"])
        calls = statistics.median(series["calls"])
        med[name] = (wall, cpu)
        vs_floor = f"{wall / floor:.3f}" if floor else "-"
        print(f"{name:<20}{wall:>10.3f}{cpu:>10.3f}{args.pats / wall:>10.0f}{calls:>11.2f}{vs_floor:>9}")
    (rust_wall, rust_cpu), (py_wall, py_cpu) = med["pat-verdict audit"], med["python reference"]
    print(f"throughput ratio (python wall / pat-verdict wall): {py_wall / rust_wall:.2f}x")
    print(f"CPU ratio (python cpu / pat-verdict cpu): {py_cpu / max(rust_cpu, 1e-9):.2f}x")


def calls(stats: dict) -> int:
    """Every request the fake counted: identity, test query and the one call."""
    return stats["user"] + stats["graphql"] + stats.get("one_call", 0)


def plans(args) -> None:
    """Two calls vs one call (docs/contract.md §11), side by side in one run."""
    build()
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "miner_pats.json"
        fake = Fake(args.pats, args.latency_ms, store)
        audit = [str(RELEASE / "pat-verdict"), "audit", "--json", "--store", str(store),
                 "--api-url", fake.url, "--concurrency", str(args.concurrency)]
        tools = {"two calls": audit, "--one-call": audit + ["--one-call"]}
        results = alternate(tools, fake, args)
        fake.close()

    print(f"pat-verdict audit, {args.pats} PATs, {args.latency_ms} ms per answer, concurrency "
          f"{args.concurrency}, {args.runs} alternating runs (medians)")
    print(f"{'plan':<12}{'wall s':>10}{'PATs/s':>10}{'calls/PAT':>11}{'floor s':>9}{'x floor':>9}")
    wall = {}
    for name, series in results.items():
        wall[name] = statistics.median(series["wall"])
        per_pat = statistics.median(series["calls"])
        floor = per_pat * args.latency_ms / 1000 * args.pats / args.concurrency
        vs_floor = f"{wall[name] / floor:.3f}" if floor else "-"
        print(f"{name:<12}{wall[name]:>10.3f}{args.pats / wall[name]:>10.0f}{per_pat:>11.2f}"
              f"{floor:>9.3f}{vs_floor:>9}")
    print(f"one call / two calls (wall): {wall['--one-call'] / wall['two calls']:.3f}; "
          f"throughput ratio: {wall['two calls'] / wall['--one-call']:.2f}x")
    if args.in_process:
        in_process_rust()


def in_process_rust() -> None:
    """Criterion's `audit` bench at 0 ms, both plans, and the ratio of their medians (criterion
    files `two_calls/latency_0ms` under `two_calls_latency_0ms`)."""
    print("\nin-process (Rust, criterion benches/audit.rs, 0 ms): cargo bench --bench audit -- latency_0ms")
    bench = subprocess.run(["cargo", "bench", "--locked", "--bench", "audit", "--", "latency_0ms"],
                           cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if bench.returncode != 0:
        raise SystemExit(f"cargo bench --bench audit failed:\n{bench.stderr}")
    group = target_dir() / "criterion" / "audit_256_pats_concurrency_16"
    median = {}
    for plan in ("two_calls", "one_call"):
        estimates = json.loads((group / f"{plan}_latency_0ms" / "new" / "estimates.json").read_text())
        median[plan] = estimates["median"]["point_estimate"] / 1e9
        print(f"{plan:<12}{median[plan] * 1000:>10.2f} ms{256 / median[plan]:>10.0f} PATs/s")
    print(f"throughput ratio (two-call median / one-call median): "
          f"{median['two_calls'] / median['one_call']:.2f}x")


def memory(args) -> None:
    require_gnu_time()
    build()
    print(f"{'PATs':>8}{'peak RSS MiB':>14}")
    for pats in (1_000, 10_000):
        with tempfile.TemporaryDirectory() as tmp:
            store = Path(tmp) / "miner_pats.json"
            fake = Fake(pats, 0, store)
            argv = ["/usr/bin/time", "-f", "%M", str(RELEASE / "pat-verdict"), "audit", "--json",
                    "--store", str(store), "--api-url", fake.url, "--concurrency", str(args.concurrency)]
            proc = subprocess.run(argv, capture_output=True, text=True, check=True)
            fake.close()
            peak_kib = int(proc.stderr.strip().splitlines()[-1])
            print(f"{pats:>8}{peak_kib / 1024:>14.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pats", type=int, default=256)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--plans", action="store_true",
                        help="two calls vs --one-call (docs/contract.md §11), side by side")
    parser.add_argument("--in-process", action="store_true",
                        help="with --plans: also criterion's in-process audit at 0 ms, both plans")
    args = parser.parse_args()
    if args.memory:
        memory(args)
    elif args.plans:
        plans(args)
    else:
        compare(args)


if __name__ == "__main__":
    main()
