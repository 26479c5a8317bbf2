"""The lab on a real cluster: Redis, three servers and HAProxy on 127.0.0.1, one server killed.

Asserts what the guide teaches (stateless loses no acknowledged item; stateful loses exactly
the killed server's sessions), that the simulator given the recorded bindings predicts exactly
the items the real run lost and the detection window within the report's tolerance, HAProxy's
detection windows, and that the lab leaves nothing behind, even when interrupted; then
replicated mode on three Tomcat 10.1 instances (a member crashes, a member vanishes) and a
crash of Redis with each persistence setting. Needs root and Debian's redis-server, haproxy,
iptables, tomcat10-common and a JDK.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict
from itertools import pairwise
from pathlib import Path

import pytest

from lab import prerequisites
from lab.analysis import bindings, measure
from lab.experiment import Plan, run_experiment
from lab.firewall import drop_rule_specs, rules_of
from lab.haproxy import Settings
from lab.prediction import predict
from lab.processes import free_ports
from lab.redis_capacity import measure_capacity
from lab.remap import HASH_TYPES, run_remap
from lab.report import DETECTION_TOLERANCE_S
from lab.store_crash import StorePlan, measure_store_crash, run_store_crash, store_crash_bindings
from lab.tomcat import PING_INTERVAL_MS, TribesSettings

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.lab

_problems = prerequisites.missing()
if _problems:
    pytest.skip(
        f"lab test skipped: {'; '.join(_problems)}. To run it: `make lab-test` as root",
        allow_module_level=True,
    )

SETTINGS = Settings.from_model()
INTER_S = SETTINGS.check_interval_ms / 1000
SLACK_S = 0.3  # a loaded machine's scheduling (seen: a check 0.2 s late)
SHORT = {"users": 8, "think_ms": 50.0, "kill_after_s": 2.0, "after_s": 0.5}


@pytest.fixture(scope="module")
def another_lab() -> Iterator[int]:
    """Another lab's drop rules on this machine, its process alive: a lab must leave them be."""
    owner = subprocess.Popen(["sleep", "3600"])
    (port,) = free_ports(1)
    iptables = prerequisites.find_program("iptables")
    rules = drop_rule_specs(port, owner.pid)
    try:
        for rule in rules:
            subprocess.run([iptables, "-w", "-I", *rule], check=True)
        yield owner.pid
    finally:
        for rule in rules:
            subprocess.run([iptables, "-w", "-D", *rule], check=False, capture_output=True)
        owner.kill()
        owner.wait()


@pytest.fixture(scope="module")
def runs(another_lab: int) -> dict:
    """Three short experiments: stateless crash, stateful crash, stateful vanish."""
    out = {}
    for mode, kind in (("stateless", "crash"), ("stateful", "crash"), ("stateful", "vanish")):
        record = asdict(run_experiment(Plan(mode, kind, **SHORT), SETTINGS, lambda _: None))
        bound = bindings(record)
        out[mode, kind] = {
            "record": record,
            "measured": measure(record),
            "bindings": bound,
            "predicted": predict(bound),
        }
        assert rules_of(os.getpid()) == [], "a drop rule outlived its experiment"
    return out


def test_a_lab_leaves_another_labs_drop_rules_alone(runs: dict, another_lab: int) -> None:
    assert len(rules_of(another_lab)) == 2


def test_stateless_loses_no_acknowledged_item_when_a_server_crashes(runs: dict) -> None:
    measured = runs["stateless", "crash"]["measured"]
    assert measured.acknowledged_items > 0
    assert measured.after_kill["ok"] > 0
    assert measured.lost_items == 0


@pytest.mark.parametrize("kind", ["crash", "vanish"])
def test_stateful_loses_exactly_the_killed_servers_sessions(runs: dict, kind: str) -> None:
    run = runs["stateful", kind]
    victim = run["record"]["plan"]["victim"]
    on_victim = {u["id"]: u["items"] for u in run["bindings"]["users"] if u["server"] == victim}
    assert on_victim, "no user was on the killed server"
    for user in run["record"]["users"]:
        acked = [r["item"] for r in user["records"] if r["status"] == 200]
        lost = [item for item in acked if item not in set(user["final_cart"])]
        assert len(lost) == on_victim.get(user["name"], 0), user["name"]
    assert run["measured"].lost_sessions == len(on_victim)


@pytest.mark.parametrize(
    "case", [("stateless", "crash"), ("stateful", "crash"), ("stateful", "vanish")]
)
def test_the_simulator_predicts_exactly_the_items_the_real_run_lost(
    runs: dict, case: tuple
) -> None:
    run = runs[case]
    assert run["predicted"]["lost_items"] == run["measured"].lost_items


def _gaps(times: list[float]) -> list[float]:
    """The time between consecutive failed checks."""
    return [later - earlier for earlier, later in pairwise(times)]


@pytest.mark.parametrize(
    "case", [("stateless", "crash"), ("stateful", "crash"), ("stateful", "vanish")]
)
def test_the_simulator_predicts_the_detection_window_and_the_lost_sessions(
    runs: dict, case: tuple
) -> None:
    run = runs[case]
    predicted, measured = run["predicted"], run["measured"]
    assert abs(predicted["detection_s"] - measured.detection_s) <= DETECTION_TOLERANCE_S
    assert predicted["lost_sessions"] == measured.lost_sessions


def test_haproxy_marks_a_crashed_server_down_after_fall_refused_checks(runs: dict) -> None:
    # The first check after the kill comes within `inter`, then one every `inter`.
    for case in (("stateless", "crash"), ("stateful", "crash")):
        measured = runs[case]["measured"]
        fall = SETTINGS.fall
        assert (fall - 1) * INTER_S - SLACK_S <= measured.detection_s <= fall * INTER_S + SLACK_S
        gaps = _gaps(measured.failed_checks_s)
        assert len(measured.failed_checks_s) == fall
        assert all(abs(gap - INTER_S) < SLACK_S for gap in gaps), gaps


def test_haproxy_marks_a_vanished_server_down_after_fall_timed_out_checks(runs: dict) -> None:
    # Without `timeout check` each check waits `inter` for its time-out, and the next one
    # starts `inter` after it ended: failures 2 * inter apart (HAProxy 2.6, src/check.c).
    measured = runs["stateful", "vanish"]["measured"]
    fall = SETTINGS.fall
    low, high = (2 * fall - 1) * INTER_S - SLACK_S, 2 * fall * INTER_S + SLACK_S
    assert low <= measured.detection_s <= high
    gaps = _gaps(measured.failed_checks_s)
    assert all(abs(gap - 2 * INTER_S) < SLACK_S for gap in gaps), gaps


def test_a_store_round_trip_costs_more_than_memory_in_the_lab_and_the_model(runs: dict) -> None:
    stateless, stateful = runs["stateless", "crash"], runs["stateful", "crash"]
    assert stateless["measured"].store_us_median > 2 * stateful["measured"].store_us_median
    assert stateless["predicted"]["p50_ms"] > stateful["predicted"]["p50_ms"]


def _children(pid: int) -> set[int]:
    """The processes whose parent is `pid`."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    """Whether `pid` still exists (a zombie counts as gone)."""
    try:
        return "Z" not in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False


def test_ctrl_c_during_a_vanish_leaves_no_process_and_no_drop_rule(another_lab: int) -> None:
    lab = subprocess.Popen(
        [
            *(sys.executable, "-m", "lab", "run", "--mode", "stateful", "--kill", "vanish"),
            *("--users", "4", "--kill-after", "1"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        seen = []
        for line in lab.stdout:
            seen.append(line)
            if "killed (vanish)" in line:
                break
        else:
            pytest.fail(f"the lab ended before its kill:\n{''.join(seen)}{lab.stderr.read()}")
        children = _children(lab.pid)
        assert len(children) == 4, children  # three servers and HAProxy
        assert len(rules_of(lab.pid)) == 2
        lab.send_signal(signal.SIGINT)
        assert lab.wait(timeout=30) == 130
        assert "interrupted" in lab.stderr.read()
    finally:
        if lab.poll() is None:
            lab.kill()
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in children if _alive(pid)]
    assert rules_of(lab.pid) == []


TRIBES = TribesSettings.from_model()


@pytest.fixture(scope="module")
def tomcat_runs() -> dict:
    """Replicated mode on Tomcat: a crash and a vanish of member B."""
    out = {}
    for kind in ("crash", "vanish"):
        plan = Plan("replicated", kind, **SHORT)
        record = asdict(run_experiment(plan, SETTINGS, lambda _: None))
        out[kind] = {"record": record, "measured": measure(record)}
        out[kind]["predicted"] = predict(bindings(record))
        assert rules_of(os.getpid()) == [], "a drop rule outlived its experiment"
    return out


@pytest.mark.parametrize("kind", ["crash", "vanish"])
def test_tomcats_backup_manager_loses_no_acknowledged_item_when_one_member_dies(
    tomcat_runs: dict, kind: str
) -> None:
    run = tomcat_runs[kind]
    assert run["measured"].acknowledged_items > 0
    assert run["measured"].lost_items == 0 == run["predicted"]["lost_items"]
    assert any(u["server"] == "B" for u in bindings(run["record"])["users"])


def test_a_crashed_member_leaves_the_cluster_at_the_first_copy_sent_to_it(
    tomcat_runs: dict,
) -> None:
    # Refused at once: the sender fails, the failure detector's connect is refused too.
    measured = tomcat_runs["crash"]["measured"]
    assert measured.member_removed_s < DETECTION_TOLERANCE_S
    assert tomcat_runs["crash"]["predicted"]["member_removed_s"] < DETECTION_TOLERANCE_S


def test_a_vanished_member_leaves_when_its_pings_expire_and_a_copy_waits_five_seconds(
    tomcat_runs: dict,
) -> None:
    # The membership expires B `expirationTime` after its last ping (sent every
    # `pingInterval`), then TcpFailureDetector's connect times out. A copy to B meanwhile
    # fails only after ParallelNioSender's fixed 5 s select, not the Transport's 3 s timeout
    # (tribes/transport/nio/ParallelNioSender.java, selectTimeout).
    measured = tomcat_runs["vanish"]["measured"]
    low = (TRIBES.expiration_ms - PING_INTERVAL_MS + TRIBES.check_timeout_ms) / 1000
    high = (TRIBES.expiration_ms + 2 * PING_INTERVAL_MS + TRIBES.check_timeout_ms) / 1000
    assert low - SLACK_S <= measured.member_removed_s <= high + SLACK_S
    assert TRIBES.send_timeout_ms < 5000
    assert 5.0 <= measured.copy_stall_s < 2 * 5.0  # one round of the selector, not two


@pytest.mark.parametrize("persistence", ["rdb", "aof-everysec"])  # make lab runs all four
def test_a_killed_redis_keeps_what_its_persistence_wrote_as_the_simulator_predicts(
    persistence: str,
) -> None:
    plan = StorePlan(persistence, users=4, think_ms=50.0, kill_after_s=2.0, after_s=0.5)
    record = run_store_crash(plan, SETTINGS, lambda _: None)
    measured = measure_store_crash(record)
    assert measured["acknowledged_before"] > 0
    if persistence.startswith("aof"):
        # The AOF is written before the reply: a killed process loses nothing it answered.
        assert measured["lost_items"] == 0
        assert measured["carts_kept"] == measured["carts"]
    else:
        # Nothing on disk yet (the first save point is an hour with one change away).
        assert measured["lost_items"] == measured["acknowledged_before"]
        assert measured["carts_kept"] == 0
    assert predict(store_crash_bindings(record))["lost_items"] == measured["lost_items"]


@pytest.mark.parametrize("hash_type", HASH_TYPES)
def test_a_fourth_server_added_at_run_time_moves_the_addresses_the_simulator_predicts(
    hash_type: str,
) -> None:
    entry = run_remap(hash_type)
    assert entry["addresses"] >= 200
    assert entry["servers_before"] == ["A", "B", "C"]
    assert entry["servers_after"] == ["A", "B", "C", "D"]
    # Not only the share: HAProxy sent every address where the simulator says, both times.
    assert entry["misplaced"] == [0, 0]
    assert entry["agree"], entry["line"]


def test_redis_benchmark_gives_get_and_set_capacity_at_each_pipelining() -> None:
    entry = measure_capacity(progress=lambda _: None)
    assert [run["pipeline"] for run in entry["runs"]] == [1, 16]
    for run in entry["runs"]:
        assert run["GET"]["ops_per_s"] > 0 and run["SET"]["ops_per_s"] > 0
