"""Command line of the lab: the chaos experiment on a real cluster, beside the simulator's.

    python -m lab run [--mode stateless|stateful|replicated|both|all] [--kill crash|vanish|both]
                      [--repeat N] [--users N] [--calibration FILE] [--record DIR]
                      [--no-keep-alive] [--store-crash none|rdb|aof-everysec|aof-always|all|skip]
    python -m lab compare DIR [--calibration FILE]   # the runs recorded in DIR, against the
                                                     # simulator as it is now (no cluster)
    python -m lab remap      # only the remap experiment and Redis's capacity (no calibration)
    python -m lab check      # what the machine lacks, and how to get it
    python -m lab cleanup    # remove drop rules left by a lab that was killed outright

Exit status: 0 when every verdict is AGREE, 1 when one is DISAGREE, 2 when the lab could not
run (bad arguments, a missing program, a child that failed).
"""

import argparse
import json
import signal
import sys
from dataclasses import asdict, replace
from pathlib import Path

from lab import calibration, firewall, prerequisites, report
from lab.analysis import bindings, measure
from lab.experiment import KILL_KINDS, MODES, RECORD_VERSION, Plan, run_experiment
from lab.haproxy import Settings
from lab.prediction import PredictionFailed, predict
from lab.processes import ChildFailed
from lab.redis_capacity import measure_capacity
from lab.remap import HASH_TYPES, run_remap
from lab.store_crash import (
    StorePlan,
    measure_store_crash,
    run_store_crash,
    store_crash_bindings,
    store_crash_lines,
)
from sim.vocabulary import STORE_PERSISTENCE


def _parser() -> argparse.ArgumentParser:
    """The argument parser."""
    parser = argparse.ArgumentParser(prog="python -m lab", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the experiment and compare with the simulator")
    run.add_argument(
        "--mode",
        choices=[*MODES, "both", "all"],
        default="all",
        help="both: stateless and stateful (the lab's own servers); all: also replicated (Tomcat)",
    )
    run.add_argument("--kill", choices=[*KILL_KINDS, "both"], default="both")
    run.add_argument("--victim", choices=["A", "B", "C"], default="B")
    run.add_argument("--repeat", type=int, default=1, help="runs of each mode and kill kind")
    run.add_argument("--users", type=int, default=12, help="simulated users (default 12)")
    run.add_argument("--think-ms", type=float, default=100.0, help="mean think time (100)")
    run.add_argument("--kill-after", type=float, default=3.0, help="seconds of traffic first")
    run.add_argument("--after", type=float, default=2.0, help="seconds after detection")
    run.add_argument("--seed", type=int, default=1, help="seeds the users' think times")
    run.add_argument("--calibration", type=Path, help="write the calibration file here")
    run.add_argument("--record", type=Path, help="keep each run's record and bindings here")
    run.add_argument(
        "--store-crash",
        choices=[*STORE_PERSISTENCE, "all", "skip"],
        default="all",
        help="after the server kills, kill Redis with each persistence setting (default all)",
    )
    run.add_argument(
        "--no-keep-alive",
        action="store_true",
        help="skip the last run, in which HAProxy reuses its server connections",
    )
    again = commands.add_parser("compare", help="compare recorded runs with the simulator now")
    again.add_argument("record", type=Path, help="a folder written by run --record")
    again.add_argument("--calibration", type=Path, help="write the calibration file here")
    commands.add_parser("remap", help="only the remap experiment and Redis's capacity")
    commands.add_parser("check", help="say what the machine lacks")
    commands.add_parser("cleanup", help="remove drop rules left by a killed lab")
    return parser


def _stop_on_sigterm() -> None:
    """Turn SIGTERM and SIGHUP into an exit that runs every clean-up, as Ctrl-C does."""

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)


def _plans(args: argparse.Namespace) -> list[Plan]:
    """Every run asked for, in order."""
    modes = {"all": MODES, "both": ("stateless", "stateful")}.get(args.mode, (args.mode,))
    kinds = KILL_KINDS if args.kill == "both" else (args.kill,)
    if not 1 <= args.repeat <= 20:
        raise ValueError(f"--repeat {args.repeat} is outside 1..20")
    return [
        Plan(
            mode=mode,
            kill_kind=kind,
            victim=args.victim,
            users=args.users,
            think_ms=args.think_ms,
            kill_after_s=args.kill_after,
            after_s=args.after,
            seed=args.seed + repeat,
        )
        for repeat in range(args.repeat)
        for mode in modes
        for kind in kinds
    ]


def _progress(text: str) -> None:
    """Say at once what the experiment is doing (stdout may be a pipe)."""
    print(f"  {text}", flush=True)


def _run(args: argparse.Namespace) -> int:
    """Run the experiments, then compare them with the simulator."""
    plans = _plans(args)
    prerequisites.check()
    firewall.remove_stale_rules()
    settings = Settings.from_model()
    machine = calibration.machine()
    records = []
    results = []
    for index, plan in enumerate(plans, start=1):
        print(f"run {index} of {len(plans)}", flush=True)
        record = asdict(run_experiment(plan, settings, progress=_progress))
        record["machine"] = machine
        records.append(record)
        if args.record:
            args.record.mkdir(parents=True, exist_ok=True)
            stem = f"{index:02d}-{plan.mode}-{plan.kill_kind}"
            (args.record / f"{stem}.run.json").write_text(json.dumps(record))
        results.append(_compare_one(record))
    keep_alive = None if args.no_keep_alive else _keep_alive_run(plans, records, results)
    store = _store_crashes(args)
    scale = _scale_out()
    return _conclude(records, results, args.calibration, keep_alive, store, scale)


def _scale_out() -> dict:
    """The remap experiment with each hash type, then Redis's capacity; print each line."""
    print("remap: balance source over A-C, then D added through the runtime API", flush=True)
    remap = [run_remap(hash_type) for hash_type in HASH_TYPES]
    for entry in remap:
        print(entry["line"])
        before, after = entry["misplaced"]
        if before or after:
            print(
                f"  addresses sent elsewhere than the simulator's server: {before} with three"
                f" servers, {after} with four"
            )
    print(flush=True)
    print("redis capacity: redis-benchmark, GET and SET", flush=True)
    return {"remap": remap, "redis_capacity": measure_capacity(progress=_progress)}


def _store_crashes(args: argparse.Namespace) -> list[dict]:
    """Kill Redis once per persistence setting asked for; print each; return their entries."""
    if args.store_crash == "skip":
        return []
    settings = Settings.from_model()
    chosen = STORE_PERSISTENCE if args.store_crash == "all" else (args.store_crash,)
    entries = []
    for persistence in chosen:
        plan = StorePlan(persistence, think_ms=args.think_ms, seed=args.seed)
        print(f"store crash: Redis with persistence {persistence}", flush=True)
        record = run_store_crash(plan, settings, progress=_progress)
        measured = measure_store_crash(record)
        predicted = predict(store_crash_bindings(record))
        lines, agree = store_crash_lines(persistence, measured, predicted)
        print("\n".join(lines), "", sep="\n", flush=True)
        entries.append(
            {
                "persistence": persistence,
                "measured": measured,
                "predicted": {"lost_items": predicted["lost_items"]},
                "agree": agree,
            }
        )
    return entries


def _keep_alive_run(plans: list[Plan], records: list[dict], results: list[tuple]) -> dict:
    """One more run of the first plan, HAProxy reusing its server connections; its line.

    The model opens a connection per request, so this run gets no prediction and no verdict:
    it is printed beside the runs of the same mode and kill kind, and kept in the calibration
    file. A vanish is where the two differ (a reused connection does not time out on connect).
    """
    usual = [p for p in plans if p.mode != "replicated"] or plans
    first = next((p for p in usual if p.kill_kind == "vanish"), usual[0])
    plan = replace(first, keep_alive=True)
    print("keep-alive run: HAProxy reuses its connections to the servers", flush=True)
    record = asdict(run_experiment(plan, Settings.from_model(), progress=_progress))
    measured = measure(record)
    alike = [
        result[0]
        for other, result in zip(records, results, strict=True)
        if (other["plan"]["mode"], other["plan"]["kill_kind"]) == (plan.mode, plan.kill_kind)
    ]
    print(report.keep_alive_line(record["plan"], measured, alike), "", sep="\n", flush=True)
    return calibration.keep_alive_entry(record["plan"], measured, alike)


def _compare_one(record: dict) -> tuple:
    """Print one run beside the simulator's prediction; return (measured, predicted, verdicts)."""
    measured = measure(record)
    predicted = predict(bindings(record))
    exit_ns = record.get("crash_exit_ns")
    lines, agree = report.run_section(record["plan"], measured, predicted, exit_ns)
    print("\n".join(lines), "", sep="\n", flush=True)
    return measured, predicted, agree


def _compare_recorded(args: argparse.Namespace) -> int:
    """Compare the runs recorded in a folder with the simulator as it is now."""
    files = sorted(args.record.glob("*.run.json"))
    if not files:
        raise ValueError(f"{args.record} holds no recorded run (*.run.json)")
    records = []
    for path in files:
        try:
            record = json.loads(path.read_text())
        except ValueError as error:
            raise ValueError(f"{path} is not JSON ({error})") from None
        if not isinstance(record, dict) or record.get("record_version") != RECORD_VERSION:
            raise ValueError(f"{path} was not recorded by this version of the lab; run it again")
        records.append(record)
    results = [_compare_one(record) for record in records]
    return _conclude(records, results, args.calibration)


def _conclude(
    records: list[dict],
    results: list[tuple],
    calibration_path: Path | None,
    keep_alive: dict | None = None,
    store_crash: list[dict] | None = None,
    scale_out: dict | None = None,
) -> int:
    """The summary lines, the calibration file; 1 when a verdict disagrees."""
    entries = []
    tomcat = []
    by_mode: dict[str, list] = {}
    verdicts = []
    for record, (measured, predicted, agree) in zip(records, results, strict=True):
        verdicts += agree
        entry = calibration.run_entry(record["plan"], measured, predicted, agree)
        (tomcat if record["plan"]["mode"] == "replicated" else entries).append(entry)
        by_mode.setdefault(record["plan"]["mode"], []).append((measured, predicted))
    print("\n".join(report.ratio_lines(by_mode)))
    if calibration_path:
        first = records[0]
        ratio = report.store_ratio(by_mode)
        calibration.write(
            calibration_path,
            first["machine"],
            first["settings"],
            entries,
            ratio,
            keep_alive,
            tomcat=tomcat,
            store_crash=store_crash,
            **(scale_out or {}),
        )
        print(f"calibration written to {calibration_path}")
    verdicts += [entry["agree"] for entry in store_crash or ()]
    verdicts += [entry["agree"] for entry in (scale_out or {}).get("remap", ())]
    disagreements = verdicts.count(False)
    print(f"{len(verdicts) - disagreements} of {len(verdicts)} verdicts agree")
    return 1 if disagreements else 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    _stop_on_sigterm()
    try:
        if args.command == "check":
            problems = prerequisites.missing()
            print("\n".join(problems) or "the lab can run here")
            return 2 if problems else 0
        if args.command == "compare":
            return _compare_recorded(args)
        if args.command == "remap":
            prerequisites.check()
            scale = _scale_out()
            return 1 if not all(entry["agree"] for entry in scale["remap"]) else 0
        if args.command == "cleanup":
            prerequisites.check()
            removed = firewall.remove_stale_rules()
            print(f"removed {len(removed)} stale rule(s)")
            return 0
        return _run(args)
    except (ValueError, prerequisites.MissingPrerequisite, ChildFailed, PredictionFailed) as error:
        print(f"python -m lab: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("python -m lab: interrupted; everything it started is stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
