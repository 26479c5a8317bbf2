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


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 2}, "version must be 1"),
        ({"mode": "replicated"}, "mode must be one of stateless, stateful"),
        ({"servers": ["B", "C"]}, "servers must be A, B, C"),
        ({"config": {"timeout_check_ms": 100}}, "unknown field(s) timeout_check_ms"),
        ({"kill": {"server": "D", "kind": "crash", "at_ms": 1}}, "kill server 'D'"),
        ({"kill": {"server": "B", "kind": "stop", "at_ms": 1}}, "kill kind 'stop'"),
        ({"kill": {"server": "B", "kind": "crash", "at_ms": -1}}, "kill at_ms -1"),
        ({"users": [{"id": "u1", "server": "A", "items": -3}]}, "user u1: items -3"),
        ({"users": [{"id": "u1", "server": None, "items": 1}]}, "user u1: server None"),
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
