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
