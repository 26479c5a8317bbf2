"""Benchmark: the `compare` workload (100,000 requests per mode, with chaos) in CPython.

    .venv/bin/python bench/bench_sim.py [--requests N] [--repeat R] [--chaos RATE]

Reports seconds per mode (best of R), peak traced memory at N/10 and N requests (it should
be flat in N), and each mode's time as a ratio of a reference measured in the same run: a
bare event loop doing, per request, what no simulator can avoid (two heap events, one object,
eight random draws). The ratio is what to compare between machines; absolute seconds depend
on the machine and on whatever else it runs. Nothing here is asserted.
"""

import argparse
import heapq
import itertools
import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.cli.compare import run_mode
from sim.core.config import MODES, build_config


class _Slot:
    """A request-sized object for the reference loop."""

    __slots__ = ("a", "b", "c")

    def __init__(self) -> None:
        """Set three fields."""
        self.a = self.b = self.c = 0


def _noop(_arg: object, _gen: int) -> None:
    """An event handler that does nothing."""


def reference(requests: int) -> float:
    """Time a bare event loop: per request two heap events, one object, eight draws."""
    rng = random.Random(1)
    draw = rng.random
    heap: list = []
    counter = itertools.count()
    start = time.perf_counter()
    now = 0
    for _ in range(requests):
        item = _Slot()
        for _ in range(6):
            draw()
        heapq.heappush(heap, (now + int(draw() * 1000), next(counter), _noop, item, 0))
        heapq.heappush(heap, (now + int(draw() * 1000), next(counter), _noop, item, 0))
        for _ in range(2):
            now, _, handler, arg, gen = heapq.heappop(heap)
            handler(arg, gen)
    return time.perf_counter() - start


def timed(mode: str, requests: int, chaos: float) -> tuple[float, dict]:
    """Run one mode; return (seconds, figures)."""
    config = build_config({"mode": mode})
    start = time.perf_counter()
    figures = run_mode(config, requests, 1, chaos)
    return time.perf_counter() - start, figures


def peak_memory(mode: str, requests: int, chaos: float) -> int:
    """Return the peak traced memory in bytes of one mode's run."""
    tracemalloc.start()
    run_mode(build_config({"mode": mode}), requests, 1, chaos)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chaos", type=float, default=1.0, help="kills per 1,000 requests")
    args = parser.parse_args()
    n = args.requests
    print(
        f"compare workload: {n:,} requests per mode, chaos {args.chaos} per 1,000, "
        f"Python {sys.version.split()[0]}"
    )
    ref = min(reference(n) for _ in range(args.repeat))
    print(f"reference (bare event loop, {n:,} requests): {ref:.3f} s")
    print(f"{'mode':12}{'seconds':>10}{'x ref':>8}{'peak MiB N/10':>15}{'peak MiB N':>12}")
    for mode in MODES:
        best = min(timed(mode, n, args.chaos)[0] for _ in range(args.repeat))
        small = peak_memory(mode, n // 10, args.chaos) / 2**20
        large = peak_memory(mode, n, args.chaos) / 2**20
        print(f"{mode:12}{best:>10.3f}{best / ref:>8.2f}{small:>15.2f}{large:>12.2f}")


if __name__ == "__main__":
    main()
