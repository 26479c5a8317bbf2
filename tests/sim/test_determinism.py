"""Determinism: the same scenario gives the identical snapshot and log, every time, in any
process (string hashing is seeded per process: PYTHONHASHSEED)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from sim.browser.facade import load
from tests.sim.scenarios import GOLDEN, PARITY

ROOT = Path(__file__).resolve().parents[2]
TEXTS = [PARITY, *GOLDEN.values()]


def snapshots_in_a_process(hash_seed: str) -> list[str]:
    """Each scenario's snapshot JSON, computed in a fresh interpreter with this hash seed."""
    code = (
        "import json, sys; from sim.browser.facade import load; "
        "print(json.dumps([load(t).snapshot_json() for t in json.loads(sys.stdin.read())]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(TEXTS),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": hash_seed},
        check=True,
        timeout=300,
    ).stdout
    return json.loads(out)


def test_the_same_scenario_gives_identical_snapshots_in_another_process():
    here = [load(text).snapshot_json() for text in TEXTS]
    assert snapshots_in_a_process("12345") == here


def test_a_different_seed_gives_a_different_run():
    other = PARITY.replace("v4.11.", "v4.12.", 1)
    assert load(other).snapshot()["log"] != load(PARITY).snapshot()["log"]


def test_replaying_the_recorded_scenario_reproduces_the_state():
    demo = load(PARITY)
    assert load(demo.snapshot()["scenario"]).snapshot_json() == demo.snapshot_json()
