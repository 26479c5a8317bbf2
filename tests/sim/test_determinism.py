"""Determinism: the same scenario gives the identical snapshot and log, every time."""

from sim.browser.facade import load
from tests.sim.scenarios import GOLDEN, PARITY


def test_the_same_scenario_gives_identical_snapshots():
    for text in [PARITY, *GOLDEN.values()]:
        assert load(text).snapshot_json() == load(text).snapshot_json()


def test_a_different_seed_gives_a_different_run():
    other = PARITY.replace("v2.11.", "v2.12.", 1)
    assert load(other).snapshot()["log"] != load(PARITY).snapshot()["log"]


def test_replaying_the_recorded_scenario_reproduces_the_state():
    demo = load(PARITY)
    assert load(demo.snapshot()["scenario"]).snapshot_json() == demo.snapshot_json()
