"""Instructions per request of Compare's catch-up in CPython, for this tree and a revision.

    .venv/bin/python bench/bench_others.py [--minutes 3] [--against 6214889] [--mode MODE]

The work Compare waits for right after a long link: the other modes (sim/browser/others.py,
models that do not record) fed the issue's link (bench_compare.long_link: traffic at 50/s,
the Chaos Monkey on, `--minutes` of time) until they are level. Each tree (this one, and the
revision `--against` unpacked with `git archive`) runs it under valgrind's cachegrind twice,
with the link's time and with none (imports and start-up), and the difference is divided by
the requests the other modes answered. Instruction counts do not move with the load of a
shared machine, unlike seconds; the issue's own measure is bench_compare.py's CPU time under
Pyodide, which these counts follow (bench/README.md). `--mode` keeps one mode only.
No assertion: this prints figures.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START = "v2.1..c1-t50"  # the link without its time: what the start-up costs


def catch_up(link: str, mode: str | None) -> int:
    """Run the other modes level with `link` (the sim package on PYTHONPATH, the tree
    measured); return the requests they answered."""
    from sim.browser.others import OtherModes
    from sim.browser.scenario import parse

    scenario = parse(link)
    others = OtherModes(scenario.seed, scenario.config)
    for other in [m for m in others.replays if mode and m != mode]:
        del others.replays[other], others.models[other]
    for action in scenario.actions:
        others.add(action)
    while others.step():
        pass
    return sum(model.metrics.requests for model in others.models.values())


def instructions(tree: Path, link: str, mode: str | None) -> tuple[int, int]:
    """Instructions of one catch-up in `tree` under cachegrind, and its requests."""
    valgrind = ["valgrind", "--tool=cachegrind", "--cache-sim=no"]
    valgrind.append("--cachegrind-out-file=/dev/null")
    child = [sys.executable, __file__, "--child", link, "--mode", mode or ""]
    result = subprocess.run(
        [*valgrind, *child],
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(tree)},
    )
    refs = re.search(r"I\s+refs:\s+([\d,]+)", result.stderr)
    if refs is None:
        raise RuntimeError(f"no instruction count from valgrind: {result.stderr[-500:]}")
    return int(refs.group(1).replace(",", "")), int(result.stdout.strip())


def per_request(tree: Path, link: str, mode: str | None) -> int:
    """Instructions per request of the catch-up, start-up subtracted."""
    total, requests = instructions(tree, link, mode)
    start_up, _ = instructions(tree, START, mode)
    return round((total - start_up) / requests)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=int, default=3)
    parser.add_argument("--against", default="main", help="the git revision to measure against")
    parser.add_argument("--mode", default="", help="one mode only (stateful, replicated, ...)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:  # the measured process: cwd and PYTHONPATH are its tree
        print(catch_up(args.child, args.mode or None))
        return 0
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_compare import long_link

    link = long_link(args.minutes)
    with tempfile.TemporaryDirectory() as scratch:
        today = Path(scratch)
        archive = subprocess.run(
            ["git", "archive", args.against, "sim"], cwd=ROOT, capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", scratch], input=archive.stdout, check=True)
        ours = per_request(ROOT, link, args.mode or None)
        theirs = per_request(today, link, args.mode or None)
    print(f"instructions per request, {args.minutes} min of the link, mode {args.mode or 'all'}")
    print(f"  ours {ours:,}  {args.against} {theirs:,}  ratio {ours / theirs:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
