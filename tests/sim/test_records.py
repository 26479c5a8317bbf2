"""The core records what happened; the snapshot carries the last action's records."""

import pytest

from sim.browser.facade import Demo, ScenarioError
from sim.core.config import build_config
from sim.core.model import Model
from sim.core.units import S


def test_a_kill_is_recorded_as_a_typed_fact():
    snap = Demo().apply({"type": "kill", "server": "A", "kind": "vanish"})
    assert snap["happened"] == [
        {"kind": "killed", "server": "A", "how": "vanish", "cause": "", "at_ns": 0}
    ]
    assert snap["happened_counts"] == {"killed": 1}


def test_happened_is_about_the_last_action_and_stays_small():
    demo = Demo()
    demo.apply({"type": "traffic", "rate_per_s": 100})
    snap = demo.apply({"type": "advance", "ns": 600 * S})
    assert len(snap["happened"]) == 50
    finished = snap["happened_counts"]["request_finished"]
    assert 59_000 < finished < 61_000  # 100/s for ten minutes
    assert snap["happened"][-1]["kind"] == "request_finished"
    assert demo.apply({"type": "chaos", "on": True})["happened_counts"] == {"chaos_switched": 1}


def test_a_refused_action_leaves_the_last_actions_records():
    demo = Demo()
    before = demo.apply({"type": "kill", "server": "B"})["happened"]
    with pytest.raises(ScenarioError):
        demo.apply({"type": "kill", "server": "Q"})
    assert demo.snapshot()["happened"] == before


def test_a_model_that_does_not_record_hands_over_nothing():
    heard = []
    model = Model(build_config({}), 1, record=False, listener=lambda r, now: heard.append(r))
    model.set_traffic(100_000)
    model.kill(model.server("A"))
    model.advance(30 * S)
    assert model.metrics.requests > 2_000
    assert heard == []


def test_the_core_records_every_console_line_it_causes():
    heard = []
    model = Model(build_config({}), 1, listener=lambda r, now: heard.append(r.kind))
    model.kill(model.server("A"))
    model.request()
    model.advance(10 * S)
    assert heard[:2] == ["started", "killed"]
    assert "marked_down" in heard and "request_finished" in heard
