"""What a balancing policy written by the learner costs per request, against the built-in one.

    .venv/bin/python bench/bench_own_policy.py [--seconds 100] [--repeat 3]

Runs the demo (stateless mode, background traffic at 100 requests/s) for `--seconds` of
simulated time through the facade, as the page does, once with each built-in policy and once
with the same policy written as a learner would write it (the exercises' solutions), and
prints microseconds per request (best of the repeats) and their ratio. The issue asks for at
most 2x. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.browser.facade import Demo
from tests.sim.exercise_solutions import CORRECT

PAIRS = (
    ("round_robin", CORRECT["skip-down"]),
    ("least_connections", CORRECT["least-connections"]),
)


def run(policy: str, code: str | None, seconds: int) -> tuple[float, int]:
    """Seconds of CPU and requests for one run."""
    demo = Demo()
    demo.act({"type": "reset", "config": {"mode": "stateless", "policy": policy}})
    if code is not None:
        demo.use_own(code)
    demo.act({"type": "traffic", "rate_per_s": 100})
    start = time.process_time()
    for _ in range(seconds):
        demo.act({"type": "advance", "ns": 1_000_000_000})
    spent = time.process_time() - start
    snapshot = demo.snapshot()
    assert snapshot["own_policy"]["on"] is (code is not None), snapshot["own_policy"]
    return spent, snapshot["metrics"]["requests"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'policy':<20} {'built-in us/req':>16} {'learner us/req':>16} {'ratio':>7}")
    for policy, code in PAIRS:
        per = {}
        for label, source in (("built-in", None), ("learner", code)):
            best = min(run(policy, source, args.seconds) for _ in range(args.repeat))
            per[label] = best[0] / best[1] * 1e6
        ratio = per["learner"] / per["built-in"]
        print(f"{policy:<20} {per['built-in']:>16.1f} {per['learner']:>16.1f} {ratio:>7.2f}")


if __name__ == "__main__":
    main()
