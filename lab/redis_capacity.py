"""A single Redis's capacity on this machine: `redis-benchmark`, GET and SET, a short fixed run.

redis-server runs on loopback without persistence (no snapshot, no AOF), as the lab's store;
redis-benchmark runs on the same machine, so the two share its CPUs: the figure is what one
Redis serves here with its client beside it, not a datacenter figure. Each run is fixed:
REQUESTS requests per operation from CLIENTS connections, values of VALUE_BYTES bytes, with
pipelining 1 (a request waits for its answer, as a session store's client does) and 16. Other
work shares the CPUs, so each run is repeated ROUNDS times and the best kept as the capacity
(the least disturbed), every round's figures and the load average beside it.
"""

import contextlib
import csv
import io
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from lab.prerequisites import find_program
from lab.processes import Processes, free_ports

REQUESTS = 100_000
CLIENTS = 50  # redis-benchmark's default
VALUE_BYTES = 3  # redis-benchmark's default
PIPELINES = (1, 16)
ROUNDS = 3
OPERATIONS = ("GET", "SET")


def benchmark_argv(program: str, port: int, pipeline: int) -> list[str]:
    """redis-benchmark's command line for one run."""
    return [
        program,
        "-h", "127.0.0.1",
        "-p", str(port),
        "-n", str(REQUESTS),
        "-c", str(CLIENTS),
        "-d", str(VALUE_BYTES),
        "-P", str(pipeline),
        "-t", ",".join(op.lower() for op in OPERATIONS),
        "--csv",
    ]  # fmt: skip


def parse_csv(text: str) -> dict[str, dict]:
    """redis-benchmark's --csv output: per operation, ops per second and latencies in ms."""
    rows = csv.DictReader(io.StringIO(text.strip()))
    out = {}
    for row in rows:
        out[row["test"]] = {
            "ops_per_s": round(float(row["rps"])),
            "p50_ms": float(row["p50_latency_ms"]),
            "p99_ms": float(row["p99_latency_ms"]),
        }
    missing = [op for op in OPERATIONS if op not in out]
    if missing:
        raise ValueError(f"redis-benchmark gave no figure for {', '.join(missing)}")
    return out


def best_of(rounds: list[dict[str, dict]]) -> dict[str, dict]:
    """Per operation, the round with the most ops per second."""
    return {op: max((r[op] for r in rounds), key=lambda f: f["ops_per_s"]) for op in OPERATIONS}


def capacity_line(pipeline: int, figures: dict[str, dict]) -> str:
    """One line of the report: ops per second per operation at this pipelining."""
    parts = [f"{op} {figures[op]['ops_per_s']:,} ops/s" for op in OPERATIONS]
    return f"redis capacity (pipeline {pipeline}): " + ", ".join(parts)


@contextlib.contextmanager
def _redis() -> Iterator[int]:
    """A redis-server on loopback without persistence; its port."""
    with tempfile.TemporaryDirectory(prefix="lab-redis-") as folder:
        processes = Processes(Path(folder))
        (port,) = free_ports(1)
        argv = [find_program("redis-server"), "--port", str(port), "--bind", "127.0.0.1"]
        argv += ["--dir", folder, "--save", "", "--appendonly", "no"]
        try:
            processes.start("redis", argv)
            processes.wait_for_port("redis", port)
            yield port
        finally:
            processes.stop_all()


def measure_capacity(progress=print) -> dict:
    """Run redis-benchmark at each pipelining; the calibration file's entry."""
    program = find_program("redis-benchmark")
    runs = []
    with _redis() as port:
        for pipeline in PIPELINES:
            load = os.getloadavg()[0]
            argv = benchmark_argv(program, port, pipeline)
            rounds = []
            for _ in range(ROUNDS):
                done = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=300)
                rounds.append(parse_csv(done.stdout))
            best = best_of(rounds)
            progress(capacity_line(pipeline, best))
            runs.append(
                {"pipeline": pipeline, "load_average": round(load, 2), **best, "rounds": rounds}
            )
    return {
        "rounds": ROUNDS,
        "requests": REQUESTS,
        "clients": CLIENTS,
        "value_bytes": VALUE_BYTES,
        "cpus": os.cpu_count(),
        "runs": runs,
    }
