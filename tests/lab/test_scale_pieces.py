"""The remap experiment's and the Redis capacity's pieces that need no HAProxy run: the
configuration, the simulator's prediction, the verdict line, redis-benchmark's output."""

import ipaddress
import json
import subprocess

import pytest

from lab import calibration
from lab.prerequisites import MissingPrerequisite, find_program
from lab.redis_capacity import benchmark_argv, best_of, capacity_line, parse_csv
from lab.remap import (
    HASH_TYPES,
    measured_moved,
    misplaced,
    predicted_moved,
    remap_line,
    render_config,
    source_addresses,
)
from sim.core.source_hash import SourceHash

BENCHMARK_CSV = """\
"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
"SET","22271.71","1.726","0.128","0.719","4.527","12.879","94.527"
"GET","32679.74","1.106","0.048","0.487","2.919","5.863","96.831"
"""


def test_the_clients_use_at_least_200_distinct_loopback_addresses() -> None:
    addresses = source_addresses()
    assert len(set(addresses)) == len(addresses) >= 200
    loopback = ipaddress.IPv4Network("127.0.0.0/8")
    assert all(ipaddress.IPv4Address(a) in loopback for a in addresses)


@pytest.mark.parametrize("hash_type", HASH_TYPES)
def test_the_balancer_hashes_the_source_over_ids_1_to_4_the_fourth_in_maintenance(
    hash_type: str,
) -> None:
    config = render_config(hash_type, 8000, 8001, "sock")
    lines = [line.strip() for line in config.splitlines()]
    assert "balance source" in lines and f"hash-type {hash_type}" in lines
    servers = [line for line in lines if line.startswith("server ")]
    assert servers == [
        "server A 127.0.0.1:8001 id 1",
        "server B 127.0.0.1:8001 id 2",
        "server C 127.0.0.1:8001 id 3",
        "server D 127.0.0.1:8001 id 4 disabled",
    ]
    assert "level admin" in config  # `set server ... state ready` needs it
    with pytest.raises(ValueError):
        render_config("random", 8000, 8001, "sock")


def test_haproxy_accepts_the_remap_configuration(tmp_path) -> None:
    try:
        program = find_program("haproxy")
    except MissingPrerequisite as error:
        pytest.skip(str(error))
    for hash_type in HASH_TYPES:
        path = tmp_path / f"{hash_type}.cfg"
        path.write_text(render_config(hash_type, 18000, 18001, tmp_path / "s"))
        done = subprocess.run([program, "-c", "-f", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "[WARNING]" not in done.stdout + done.stderr


def test_the_prediction_is_the_simulators_balance_source_on_the_same_addresses() -> None:
    addresses = source_addresses()
    shares = {hash_type: predicted_moved(hash_type, addresses) for hash_type in HASH_TYPES}
    # A new map of 64 slots instead of 48 keeps about a quarter; a ring keeps all but D's arc.
    assert shares["map-based"] > 0.6 > 0.4 > shares["consistent"] > 0.1
    three = SourceHash("consistent", ("A", "B", "C"))
    four = SourceHash("consistent", ("A", "B", "C", "D"))
    numbers = [int(ipaddress.IPv4Address(a)) for a in addresses]
    moved = [n for n in numbers if three.pick_address(n) != four.pick_address(n)]
    assert all(four.pick_address(n) == "D" for n in moved)
    assert shares["consistent"] == len(moved) / len(numbers)


def test_misplaced_counts_addresses_haproxy_sent_elsewhere_than_the_model() -> None:
    addresses = source_addresses(20)
    table = SourceHash("map-based", ("A", "B", "C"))
    chosen = {a: table.pick_address(int(ipaddress.IPv4Address(a))) for a in addresses}
    assert misplaced("map-based", ("A", "B", "C"), chosen) == 0
    first = addresses[0]
    chosen[first] = "B" if chosen[first] != "B" else "C"
    assert misplaced("map-based", ("A", "B", "C"), chosen) == 1


def test_the_share_moved_counts_addresses_whose_server_changed() -> None:
    before = {"127.0.0.1": "A", "127.0.0.2": "B", "127.0.0.3": "C", "127.0.0.4": "A"}
    after = {"127.0.0.1": "D", "127.0.0.2": "B", "127.0.0.3": "C", "127.0.0.4": "B"}
    assert measured_moved(before, after) == 0.5
    with pytest.raises(ValueError):
        measured_moved(before, {"127.0.0.1": "A"})


def test_a_remap_line_names_its_hash_type_and_agrees_within_two_points() -> None:
    assert remap_line("map-based", 0.74, 0.75) == (
        True,
        "remap map-based: moved 0.74, predicted 0.75: AGREE",
    )
    assert remap_line("consistent", 0.30, 0.28)[0] is True
    agree, line = remap_line("consistent", 0.31, 0.28)
    assert not agree and line == "remap consistent: moved 0.31, predicted 0.28: DISAGREE"


def test_redis_benchmark_runs_a_fixed_get_and_set() -> None:
    argv = benchmark_argv("redis-benchmark", 6390, 16)
    assert argv[argv.index("-n") + 1] == "100000"
    assert argv[argv.index("-P") + 1] == "16"
    assert argv[argv.index("-t") + 1] == "get,set"
    assert "--csv" in argv


def test_redis_benchmark_csv_gives_ops_per_second_per_operation() -> None:
    figures = parse_csv(BENCHMARK_CSV)
    assert figures["GET"] == {"ops_per_s": 32680, "p50_ms": 0.487, "p99_ms": 5.863}
    assert figures["SET"]["ops_per_s"] == 22272
    line = capacity_line(1, figures)
    assert line == "redis capacity (pipeline 1): GET 32,680 ops/s, SET 22,272 ops/s"
    with pytest.raises(ValueError):
        parse_csv(BENCHMARK_CSV.splitlines()[0] + "\n" + BENCHMARK_CSV.splitlines()[1])


def test_the_calibration_file_keeps_the_remap_and_redis_capacity(tmp_path) -> None:
    path = tmp_path / "calibration.json"
    machine = {"date": "2026-12-07", "system": "Linux", "cpus": 2}
    remap = [{"hash_type": "map-based", "measured_moved": 0.748, "agree": True}]
    capacity = {"requests": 100000, "cpus": 2, "runs": [{"pipeline": 1}]}
    calibration.write(path, machine, {}, [], None, remap=remap, redis_capacity=capacity)
    data = json.loads(path.read_text())
    assert data["remap"] == remap and data["redis_capacity"] == capacity


def test_the_capacity_is_each_operations_best_round() -> None:
    slow = parse_csv(BENCHMARK_CSV)
    fast = parse_csv(BENCHMARK_CSV.replace('"32679.74"', '"50000.00"'))
    best = best_of([slow, fast, slow])
    assert best["GET"]["ops_per_s"] == 50000
    assert best["SET"] == slow["SET"]
