"""Command line: replay a scenario, or compare the modes under the same traffic and faults.

    python -m sim run SCENARIO [--json]
    python -m sim compare --requests N --seed S [--users U] [--chaos RATE] [--json]
    python -m sim compare --lesson deploy|store-failover|two-tabs|scale-out [--seed S] [--json]
    python -m sim predict --bindings FILE [--json]

The only module of the package that prints or reads arguments; the browser never loads it.
"""

import argparse
import json
import sys

from sim.browser.facade import load
from sim.cli.compare import MAX_REQUESTS, compare
from sim.cli.lesson_runs import LESSONS, run_lesson
from sim.cli.predict import predict
from sim.core.errors import ScenarioError
from sim.story.words import seconds


def _parser() -> argparse.ArgumentParser:
    """Return the argument parser (bad arguments: usage and exit status 2)."""
    parser = argparse.ArgumentParser(prog="python -m sim", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="replay a scenario and print its log and metrics")
    run.add_argument("scenario", help="the encoded scenario, or a whole link with scenario=...")
    run.add_argument("--json", action="store_true", help="print the final snapshot as JSON")
    cmp = commands.add_parser("compare", help="run the same traffic through every mode")
    cmp.add_argument("--requests", type=int, help=f"1..{MAX_REQUESTS} (not with --lesson)")
    cmp.add_argument("--seed", type=int, help="0..4294967295 (with --lesson, default 1)")
    cmp.add_argument("--users", type=int, help="simulated users (default 100)")
    cmp.add_argument("--chaos", type=float, help="server kills per 1,000 requests (default 0)")
    cmp.add_argument(
        "--lesson", choices=LESSONS, help="a lesson's seeded schedule (see sim/README.md)"
    )
    cmp.add_argument("--json", action="store_true", help="print one JSON object")
    pred = commands.add_parser("predict", help="predict a real cluster's run (see lab/)")
    pred.add_argument("--bindings", required=True, help="the bindings file the lab recorded")
    pred.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def _run(args: argparse.Namespace) -> None:
    """Replay a scenario and print it."""
    demo = load(args.scenario)
    if args.json:
        print(demo.snapshot_json())
        return
    snap = demo.snapshot()
    for line in demo.narrator.log.tail():  # the whole ring buffer, not the snapshot's tail
        print(f"[{seconds(line['time_ns']):>9}] {line['level']:<5} {line['text']}")
    # The run's totals: not the per-server counts, nor the scaling figures (the spread of the
    # last second, the last add's rebalance, the last remap's share), which Compare shows.
    skip = ("per_server", "load_spread", "rebalance_s", "remap_share")
    metrics = {k: v for k, v in snap["metrics"].items() if k not in skip}
    print("metrics: " + ", ".join(f"{k}={v}" for k, v in metrics.items()))


def _compare(args: argparse.Namespace) -> None:
    """Compare the modes and print a table or JSON."""
    if args.lesson is not None:
        given = [f"--{k}" for k in ("requests", "users", "chaos") if getattr(args, k) is not None]
        if given:
            raise ScenarioError(f"--lesson runs its own schedule: drop {', '.join(given)}")
        result = run_lesson(args.lesson, 1 if args.seed is None else args.seed)
    elif args.requests is None or args.seed is None:
        raise ScenarioError("compare needs --requests and --seed, or --lesson")
    else:
        users = 100 if args.users is None else args.users
        result = compare(args.requests, args.seed, users, args.chaos or 0.0)
    if args.json:
        print(json.dumps(result, allow_nan=False))
        return
    rows = {mode: _flat(row) for mode, row in result.items()}
    print(f"{'':32}" + "".join(f"{mode:>14}" for mode in rows))
    for key in next(iter(rows.values())):
        cells = "".join(f"{'-' if row[key] is None else row[key]!s:>14}" for row in rows.values())
        print(f"{key:32}{cells}")


def _flat(row: dict) -> dict:
    """A row of figures with nested ones as `key.sub` (scale-out's `moved`)."""
    out = {}
    for key, value in row.items():
        if isinstance(value, dict):
            out.update({f"{key}.{sub}": inner for sub, inner in value.items()})
        else:
            out[key] = value
    return out


def _predict(args: argparse.Namespace) -> None:
    """Predict the run the bindings file describes."""
    try:
        with open(args.bindings, encoding="utf-8") as file:
            bindings = json.load(file)
    except (OSError, ValueError) as error:
        raise ScenarioError(f"cannot read bindings {args.bindings}: {error}") from None
    result = predict(bindings)
    if args.json:
        print(json.dumps(result, allow_nan=False))
        return
    for key, value in result.items():
        print(f"{key:20}{value}")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            _run(args)
        elif args.command == "predict":
            _predict(args)
        else:
            _compare(args)
    except ScenarioError as error:
        parser.print_usage(sys.stderr)
        print(f"python -m sim: error: {error}", file=sys.stderr)
        return 2
    return 0
