"""sim predict: the lab's bindings replayed in the model, and bad bindings refused."""

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli.predict import predict
from sim.core.errors import ScenarioError

ROOT = Path(__file__).resolve().parents[2]
CONFIG = {
    "retries": 3,
    "redispatch": True,
    "connect_timeout_ms": 5000,
    "server_timeout_ms": 30000,
    "health_check_interval_ms": 2000,
    "rise": 2,
    "fall": 3,
}


def bindings(mode: str, kind: str = "crash", /, **changes: object) -> dict:
    """Three users with carts, B killed 5.3 s after the first check, then each sends two."""
    on = {"stateless": [None, None, None], "stateful": ["A", "B", "B"]}[mode]
    out = {
        "version": 1,
        "mode": mode,
        "servers": ["A", "B", "C"],
        "config": dict(CONFIG),
        "kill": {"server": "B", "kind": kind, "at_ms": 5300.0},
        "users": [
            {"id": f"u{i + 1}", "server": server, "items": items}
            for i, (server, items) in enumerate(zip(on, (4, 7, 9), strict=True))
        ],
        "requests_after_kill": [
            {"user": f"u{i % 3 + 1}", "at_ms": 5300.0 + 100 * i} for i in range(6)
        ],
    }
    out.update(changes)
    return out


def test_stateless_predicts_no_lost_item() -> None:
    result = predict(bindings("stateless"))
    assert result["lost_items"] == 0
    assert result["acknowledged_items"] == 4 + 7 + 9 + 6
    assert result["after_kill"]["requests"] == 6
    assert result["after_kill"]["failed"] == 0


def test_stateful_predicts_the_killed_servers_sessions_lost() -> None:
    result = predict(bindings("stateful"))
    assert result["lost_items"] == 7 + 9  # u2 and u3 were on B
    assert result["after_kill"]["ok"] == 6  # redispatched to a live server


@pytest.mark.parametrize(("kind", "window_s"), [("crash", 5.367), ("vanish", 11.367)])
def test_the_detection_window_follows_haproxys_check_schedule(kind: str, window_s: float) -> None:
    # B, second of three, is first checked at inter / 3, then every inter: its first check
    # after the kill at 5.3 s is at 6.667 s. A crash fails it at once, and two more 2 s apart
    # mark B down; a vanish makes each wait its 2 s time-out, the next starting 2 s later.
    result = predict(bindings("stateful", kind))
    assert result["detection_s"] == window_s


def test_lost_sessions_are_the_killed_servers_sessions() -> None:
    assert predict(bindings("stateful"))["lost_sessions"] == 2
    assert predict(bindings("stateless"))["lost_sessions"] == 0


def test_the_same_bindings_give_the_same_prediction() -> None:
    assert predict(bindings("stateful", "vanish")) == predict(bindings("stateful", "vanish"))


def replicated(kind: str, **config: int) -> dict:
    """u1 on A with its backup on B, u2 on B (backup on C), u3 on C (backup on A); B killed."""
    users = [
        {"id": "u1", "server": "A", "items": 4, "backup": "B"},
        {"id": "u2", "server": "B", "items": 7, "backup": "C"},
        {"id": "u3", "server": "C", "items": 9, "backup": "A"},
    ]
    return bindings("stateful", kind, mode="replicated", users=users, config=CONFIG | config)


def test_replicated_mode_loses_nothing_when_one_member_dies() -> None:
    for kind in ("crash", "vanish"):
        result = predict(replicated(kind))
        assert result["lost_items"] == 0
        assert result["after_kill"]["ok"] == 6


def test_a_crashed_member_is_removed_by_the_first_copy_sent_to_it() -> None:
    # u1's request at the kill copies to B: refused within a round trip, the check too.
    result = predict(replicated("crash"))
    assert result["member_removed_s"] < 0.01
    assert result["copy_stall_s"] < 0.01
    assert result["recovery_s"] < 0.2  # u2's first request after the kill, 0.1 s later


@pytest.mark.parametrize("timeout_ms", [3000, 5000])
def test_a_copy_to_a_vanished_member_waits_one_5_s_select_and_no_check(
    timeout_ms: int,
) -> None:
    # u1's request, sent at the kill, waits for ParallelNioSender's 5 s select (a `timeout`
    # of 3 s or 5 s ends after one); the membership dropped B 3 s + 1 s after the kill, so
    # the failure detector finds it already gone and checks nothing (the lab measured 5.09
    # and 5.29 s on Tomcat 10.1).
    result = predict(replicated("vanish", replication_timeout_ms=timeout_ms))
    assert result["member_removed_s"] == pytest.approx(4.0, abs=0.01)
    assert result["copy_stall_s"] == pytest.approx(5.0, abs=0.01)
    # u2 on B: its request at 0.1 s waits `timeout connect` (5 s), then goes elsewhere.
    assert result["recovery_s"] == pytest.approx(5.1, abs=0.01)


def test_without_a_named_backup_the_model_picks_one() -> None:
    bound = replicated("crash")
    for user in bound["users"]:
        del user["backup"]
    assert predict(bound)["lost_items"] == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 2}, "version must be 1"),
        ({"mode": "chaos"}, "mode must be one of stateless, stateful, replicated"),
        ({"servers": ["B", "C"]}, "servers must be A, B, C"),
        ({"config": {"timeout_check_ms": 100}}, "unknown field(s) timeout_check_ms"),
        ({"kill": {"server": "D", "kind": "crash", "at_ms": 1}}, "kill server 'D'"),
        ({"kill": {"server": "B", "kind": "stop", "at_ms": 1}}, "kill kind 'stop'"),
        ({"kill": {"server": "B", "kind": "crash", "at_ms": -1}}, "kill at_ms -1"),
        ({"users": [{"id": "u1", "server": "A", "items": -3}]}, "user u1: items -3"),
        ({"users": [{"id": "u1", "server": None, "items": 1}]}, "user u1: server None"),
        (
            {"users": [{"id": "u1", "server": "A", "items": 1, "backup": "C"}]},
            "user u1: backup 'C' must be a server, in replicated mode",
        ),
        ({"requests_after_kill": [{"user": "u9", "at_ms": 6000}]}, "is not of a listed user"),
    ],
)
def test_bad_bindings_are_refused_naming_the_field(change: dict, message: str) -> None:
    bad = bindings("stateful", **copy.deepcopy(change))
    with pytest.raises(ScenarioError, match="bindings: ") as error:
        predict(bad)
    assert message in str(error.value)


def test_the_command_line_prints_json_and_refuses_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "bindings.json"
    path.write_text(json.dumps(bindings("stateful")))
    command = [sys.executable, "-m", "sim", "predict", "--bindings"]
    done = subprocess.run([*command, str(path), "--json"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["lost_items"] == 16
    missing = subprocess.run(
        [*command, str(tmp_path / "none.json")], cwd=ROOT, capture_output=True, text=True
    )
    assert missing.returncode == 2
    assert "cannot read bindings" in missing.stderr


def store_crash(persistence: str, at_ms: float = 5300.0) -> dict:
    """The stateless bindings with the store's Redis process killed instead of Server B."""
    out = bindings("stateless")
    del out["kill"]
    out["store_crash"] = {"at_ms": at_ms, "persistence": persistence, "restart_ms": 1000}
    return out


@pytest.mark.parametrize(
    ("persistence", "lost"),
    [("none", 20), ("rdb", 20), ("aof-everysec", 0), ("aof-always", 0)],
)
def test_a_store_crash_predicts_the_carts_its_persistence_keeps(persistence, lost) -> None:
    """20 items in three carts at 5.3 s: no RDB save point is reached that early, so rdb
    restarts empty as none does; the append-only file has every acknowledged write."""
    result = predict(store_crash(persistence))
    assert result["lost_items"] == lost
    assert result["detection_s"] is None and result["restart_s"] == 1.0
    # The six requests come within the restart's second: each fails, the carts stay.
    assert result["after_kill"] == {"requests": 6, "ok": 0, "failed": 6, "retried": 0}
    kept = {"u1": 4, "u2": 7, "u3": 9} if lost == 0 else {"u1": 0, "u2": 0, "u3": 0}
    assert result["carts"] == kept


def test_a_store_crash_counts_the_placed_items_as_written_at_the_crash() -> None:
    """Bindings carry no write times: the carts count as written at the crash's moment, so
    no RDB save can come between them and the crash, however late it comes."""
    out = store_crash("rdb", at_ms=400_000.0)
    out["users"][0]["items"] = 104  # 120 changes in all: `save 300 100` would be due
    assert predict(out)["lost_items"] == 120


def test_a_store_crash_needs_stateless_mode_and_a_persistence() -> None:
    with pytest.raises(ScenarioError, match="persistence 'aof'"):
        predict(store_crash("aof"))
    out = store_crash("rdb")
    out["mode"] = "stateful"
    with pytest.raises(ScenarioError, match="needs mode stateless"):
        predict(out)
