"""A run replayed a slice at a time, and the other modes kept in step with the demo."""

import json

import pytest

from sim.browser.facade import Demo, load, start_load
from sim.browser.replay import SLICE_NS, Replay
from sim.browser.scenario import MAX_CHARS, Scenario, parse
from sim.browser.snapshot import metrics_of
from sim.core.config import MODES, build_config
from sim.core.errors import ScenarioError
from sim.core.model import Model
from sim.story.narrator import Narrator

LONG_LINK = "v2.1..c1-t50-a600000000000-r2-kB-a90000000000-r"
BUSY = [
    {"type": "chaos", "on": True},
    {"type": "traffic", "rate_per_s": 50},
    {"type": "request"},
    {"type": "advance", "ns": 30 * 10**9},
    {"type": "kill", "server": "A"},
    {"type": "request"},
    {"type": "add_server"},
    {"type": "advance", "ns": 7 * 10**9 + 123},
    {"type": "remove_server"},
    {"type": "kill_store"},
    {"type": "advance", "ns": 3 * 10**9},
    {"type": "request"},
    {"type": "restore_store"},
    {"type": "store_latency", "ms": 5},
    {"type": "advance", "ns": 45 * 10**9},
    {"type": "request"},
]


def full_replay_metrics(demo: Demo) -> dict:
    """What Compare gave before the other modes were kept in step: a whole replay per mode."""
    base = demo.scenario()
    return {
        mode: Demo(
            Scenario(base.seed, build_config({"mode": mode}, base.config), base.actions)
        ).snapshot()["metrics"]
        for mode in MODES
    }


def test_advancing_in_slices_gives_the_same_run_as_one_advance():
    config = build_config({"mode": "replicated", "traffic_users": 20})
    told = Narrator(config), Narrator(config)
    whole, sliced = (Model(config, 7, listener=narrator.take) for narrator in told)
    for model in (whole, sliced):
        model.set_chaos(True)
        model.set_traffic(50_000)
    whole.advance(95 * 10**9 + 17)
    replay = Replay(lambda action: None, sliced.advance)
    replay.add({"type": "advance", "ns": 95 * 10**9 + 17})
    steps = 0
    while replay.step():
        steps += 1
    assert steps == 95  # one slice per simulated second, the last one short
    assert SLICE_NS == 10**9
    assert metrics_of(whole) == metrics_of(sliced)
    assert told[0].log.tail() == told[1].log.tail()
    assert told[0].traces(20) == told[1].traces(20)


@pytest.mark.parametrize("mode", MODES)
def test_the_other_modes_kept_in_step_give_what_a_whole_replay_gives(mode: str):
    demo = Demo()
    demo.apply({"type": "reset", "config": {"mode": mode}})
    for action in BUSY:
        demo.apply(action)
        demo.compare_step()  # some slices between actions, as the worker runs them
    assert demo.comparison()["modes"] == full_replay_metrics(demo)
    comparison = demo.comparison()
    assert comparison["time_ns"] == demo.snapshot()["time_ns"]
    assert list(comparison["modes"]) == list(MODES)


def test_a_reset_starts_the_other_modes_again():
    demo = Demo()
    for action in BUSY[:6]:
        demo.apply(action)
    demo.apply({"type": "reset", "config": {"mode": "stateful"}})
    demo.apply({"type": "request"})
    assert demo.comparison()["modes"] == full_replay_metrics(demo)
    assert demo.comparison()["modes"]["stateless"]["requests"] == 1


def test_compare_progress_says_how_far_the_slowest_other_mode_has_got():
    demo = load(LONG_LINK)
    progress = json.loads(demo.compare_progress_json())
    assert progress == {"done_ns": 0, "total_ns": 690 * 10**9}
    for _ in range(6):  # in each of the two modes: chaos on, traffic on, one slice
        demo.compare_step()
    assert json.loads(demo.compare_progress_json())["done_ns"] == 10**9
    while demo.compare_step():
        pass
    assert json.loads(demo.compare_progress_json())["done_ns"] == 690 * 10**9


def test_a_link_loaded_in_steps_ends_as_a_whole_load_does_and_reports_progress():
    stepped = start_load(LONG_LINK)
    first = json.loads(stepped.load_progress_json())
    assert first == {"done_ns": 0, "total_ns": 690 * 10**9, "actions_done": 0, "actions_total": 8}
    seen = []
    while stepped.load_step():
        seen.append(json.loads(stepped.load_progress_json())["done_ns"])
    assert seen == sorted(seen) and len(seen) > 600
    assert stepped.snapshot_json() == load(LONG_LINK).snapshot_json()


def test_a_bad_action_in_a_link_loaded_in_steps_names_its_place():
    stepped = start_load("v2.1..r-a1000-kZ")
    with pytest.raises(ScenarioError, match=r"action 3 \(kill\): there is no Server Z"):
        while stepped.load_step():
            pass


def long_run() -> Demo:
    """A run whose link would be longer than a link may be: many requests, time between."""
    demo = Demo()
    while len(demo.snapshot()["scenario"]) <= MAX_CHARS:
        demo.act({"type": "request"})
        demo.act({"type": "advance", "ns": 123_456_789})
    return demo


def test_a_run_too_long_for_a_link_can_be_saved_and_loaded_from_a_file():
    demo = long_run()
    snap = demo.snapshot()
    assert not snap["scenario_shareable"]
    assert snap["scenario_savable"]
    assert snap["scenario_link_limit"] == MAX_CHARS
    with pytest.raises(ScenarioError, match="too long"):
        parse(snap["scenario"])
    with pytest.raises(ScenarioError, match="too long"):
        start_load(snap["scenario"])
    again = start_load(snap["run_file_head"] + snap["scenario"] + "\n", from_file=True)
    while again.load_step():
        pass
    assert again.snapshot_json() == demo.snapshot_json()
