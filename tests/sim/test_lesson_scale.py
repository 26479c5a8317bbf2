"""The scale-out lesson (issue 20), through the facade as the page calls it: under its load a
stateless tier spreads within seconds, a sticky one only as visits end, and a source hash
moves a share of the users at once."""

import re

import pytest

from sim.browser.facade import Demo, load
from sim.core.units import S
from sim.story.lessons import SCALE_SETUP, catalogue


def set_up(demo: Demo, mode: str, **config) -> dict:
    """What "Set up the load" sends: a reset with the lesson's settings, then its traffic."""
    demo.apply({"type": "reset", "config": {"mode": mode, **SCALE_SETUP["config"], **config}})
    return demo.apply({"type": "traffic", "rate_per_s": SCALE_SETUP["rate_per_s"]})


def done(snap: dict) -> set[str]:
    return {step["id"] for step in snap["lesson"]["steps"] if step["done"]}


def until_said(demo: Demo, step_s: float, limit_s: int) -> tuple[float, dict]:
    """Advance in steps until the lesson says something; the time it took and the snapshot."""
    elapsed = 0.0
    while elapsed < limit_s:
        snap = demo.apply({"type": "advance", "ns": int(step_s * S)})
        elapsed += step_s
        if snap["lesson"]["said"]:
            return elapsed, snap
    raise AssertionError(f"the lesson said nothing within {limit_s} s")


def lesson_demo() -> Demo:
    demo = Demo()
    demo.apply({"type": "lesson", "id": "scale-out"})
    return demo


def test_the_set_up_saturates_three_servers_and_marks_the_first_step():
    demo = lesson_demo()
    set_up(demo, "stateless")
    snap = demo.apply({"type": "advance", "ns": 20 * S})
    assert "scale-setup" in done(snap)
    assert all(s["load"]["busy"] == 1 for s in snap["servers"])  # each thread always busy
    assert snap["metrics"]["p99_ms"] > 200  # waiting for a thread is part of latency


def test_stateless_spreads_to_the_new_server_within_seconds():
    demo = lesson_demo()
    set_up(demo, "stateless")
    demo.apply({"type": "advance", "ns": 20 * S})
    demo.apply({"type": "add_server"})
    _, snap = until_said(demo, 0.5, 30)
    assert "scale-stateless" in done(snap)
    said = snap["lesson"]["said"][-1]
    took = float(re.search(r"mean rate ([\d.]+) s after", said).group(1))
    assert took <= 3  # the next round-robin turns reach it
    assert "any server can answer any request" in said


def test_a_sticky_tier_takes_about_a_visit_and_the_prediction_is_said_back():
    demo = lesson_demo()
    set_up(demo, "stateful")
    demo.apply({"type": "predict", "answer": "visits"})
    demo.apply({"type": "advance", "ns": 20 * S})
    demo.apply({"type": "add_server"})
    _, snap = until_said(demo, 1, 240)
    assert "scale-sticky" in done(snap)
    said = snap["lesson"]["said"][-1]
    assert said.startswith("You expected the new server to take its share only as visitors")
    took = int(re.search(r"only (\d+) s after", said).group(1))
    assert 20 <= took <= 180  # visits of 60 s on average end one by one
    assert "a visit lasts 60 s on average" in said


@pytest.mark.parametrize(
    ("hash_type", "low", "high"), [("map-based", 65, 85), ("consistent", 15, 40)]
)
def test_source_hashing_moves_a_share_at_once_and_stateful_loses_those_sessions(
    hash_type, low, high
):
    demo = lesson_demo()
    set_up(demo, "stateful", policy="source", hash_type=hash_type)
    demo.apply({"type": "advance", "ns": 20 * S})
    snap = demo.apply({"type": "add_server"})
    remap = snap["remap"]
    assert low <= remap["moved"] * 100 // remap["users"] <= high
    step = "scale-source-map" if hash_type == "map-based" else "scale-source-consistent"
    assert step in done(snap)
    said = snap["lesson"]["said"][-1]
    assert f"{remap['moved']} of {remap['users']} users" in said
    assert "lost at the user's next request" in said
    lost_before = snap["metrics"]["lost_sessions"]
    snap = demo.apply({"type": "advance", "ns": 10 * S})
    assert snap["metrics"]["lost_sessions"] - lost_before >= remap["moved"] // 2


def test_removing_a_server_under_load_is_the_same_in_reverse():
    demo = lesson_demo()
    set_up(demo, "stateful")
    demo.apply({"type": "advance", "ns": 10 * S})
    snap = demo.apply({"type": "remove_server"})
    assert "scale-in" in done(snap)
    said = snap["lesson"]["said"][-1]
    assert said.startswith("2 servers now share 200 requests a second, 100 each, against about 62")
    assert "the queues grow again" in said


def test_without_the_lessons_load_adding_a_server_marks_nothing():
    demo = lesson_demo()
    demo.apply({"type": "traffic", "rate_per_s": 200})
    demo.apply({"type": "add_server"})
    snap = demo.apply({"type": "advance", "ns": 10 * S})
    assert done(snap) == set()


def test_a_link_replays_the_lesson_and_its_progress():
    demo = lesson_demo()
    set_up(demo, "stateful", policy="source", hash_type="consistent")
    demo.apply({"type": "advance", "ns": 5 * S})
    snap = demo.apply({"type": "add_server"})
    again = load(snap["scenario"]).snapshot()
    assert again["lesson"]["id"] == "scale-out"
    assert done(again) == done(snap) and again["remap"] == snap["remap"]


def test_the_catalogue_carries_the_lessons_set_up_for_the_page():
    lesson = next(entry for entry in catalogue() if entry["id"] == "scale-out")
    assert lesson["title"] == "Scale out"
    assert lesson["setup"] == {
        "config": {"server_threads": 1, "server_work_us": 16_000, "visit_s": 60},
        "rate_per_s": 200,
    }
    assert [c["answer"] for c in lesson["choices"]] == ["seconds", "visits", "unsure"]
