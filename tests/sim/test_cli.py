"""The command line, run as a person would: output, JSON keys and exit statuses."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.browser.facade import load
from tests.sim.scenarios import GOLDEN

ROOT = Path(__file__).resolve().parents[2]
KEYS = {
    "requests",
    "ok",
    "failed",
    "retried",
    "acknowledged_items",
    "lost_items",
    "lost_sessions",
    "p50_ms",
    "p95_ms",
    "p99_ms",
}


def sim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_run_prints_the_log_and_metrics():
    result = sim("run", GOLDEN["stateful_session_lost"])
    assert result.returncode == 0, result.stderr
    assert "Simulator initialized. Mode: Stateful." in result.stdout
    assert "Session lost" in result.stdout
    assert "lost_items=3" in result.stdout


def test_run_json_prints_the_final_snapshot_the_browser_compares_with():
    text = GOLDEN["stateless_two_kills"]
    result = sim("run", f"https://example.org/?scenario={text}", "--json")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == load(text).snapshot_json()


def test_compare_json_has_exactly_the_documented_keys():
    result = sim(
        "compare", "--requests", "3000", "--seed", "4", "--users", "20", "--chaos", "2", "--json"
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"stateless", "stateful", "replicated"}
    for figures in data.values():
        assert set(figures) == KEYS
        assert figures["requests"] == figures["ok"] + figures["failed"] == 3000
    assert data["stateless"]["lost_items"] == 0


@pytest.mark.parametrize("lesson", ["deploy", "store-failover", "two-tabs"])
def test_compare_lesson_json_has_the_compare_keys_in_every_mode(lesson):
    result = sim("compare", "--lesson", lesson, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["stateless", "stateful", "replicated"]
    for figures in data.values():
        assert set(figures) == KEYS
    assert data == json.loads(sim("compare", "--lesson", lesson, "--seed", "1", "--json").stdout)


def test_compare_prints_a_table():
    result = sim("compare", "--requests", "200", "--seed", "1")
    assert result.returncode == 0, result.stderr
    assert "stateless" in result.stdout and "p99_ms" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["fly"],
        ["run"],
        ["run", "not-a-scenario"],
        ["run", "v2.1..kZ"],
        ["compare", "--seed", "1"],
        ["compare", "--requests", "ten", "--seed", "1"],
        ["compare", "--requests", "0", "--seed", "1"],
        ["compare", "--requests", "10", "--seed", "-1"],
        ["compare", "--requests", "10", "--seed", "1", "--chaos", "5000"],
        ["compare", "--requests", "10"],
        ["compare", "--lesson", "crash"],
        ["compare", "--lesson", "deploy", "--requests", "10"],
        ["compare", "--lesson", "two-tabs", "--seed", "-1"],
    ],
)
def test_bad_arguments_print_usage_and_exit_2(args):
    result = sim(*args)
    assert result.returncode == 2
    assert "usage:" in result.stderr


def test_compare_scale_out_gives_the_rebalance_the_p99s_and_the_share_moved():
    result = sim("compare", "--lesson", "scale-out", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["stateless", "stateful", "replicated"]
    for figures in data.values():
        assert {"rebalance_s", "p99_before_ms", "p99_after_ms", "lost_sessions", "moved"} <= set(
            figures
        )
        assert set(figures["moved"]) == {"map-based", "consistent"}
        assert 0.65 <= figures["moved"]["map-based"] <= 0.85  # 0.75 of all addresses
        assert 0.15 <= figures["moved"]["consistent"] <= 0.40  # 0.28 of all addresses
        assert figures["p99_after_ms"] < figures["p99_before_ms"]  # four servers keep up
    assert data["stateless"]["rebalance_s"] <= 3  # within seconds
    assert data["stateful"]["rebalance_s"] >= 20  # as visits end (60 s on average)
    assert data["stateless"]["moved_lost_sessions"] == {"map-based": 0, "consistent": 0}
    stateful = data["stateful"]["moved_lost_sessions"]
    assert stateful["map-based"] > stateful["consistent"] > 0
    table = sim("compare", "--lesson", "scale-out").stdout
    assert "moved.map-based" in table and "rebalance_s" in table
