"""Compare after the scale-out lesson's Add or Remove server (issue 20), through the facade as
the page calls it: each mode's rebalance, spread and remap, and rows only once the run has
scaled."""

import re

from sim.browser.facade import Demo
from sim.core.units import S
from tests.sim.test_lesson_scale import lesson_demo, set_up, until_said

SCALING = ["rebalance_s", "load_spread", "remap_share"]


def row_keys(result: dict) -> list[str]:
    return [row["key"] for row in result["rows"]]


def added_under_load(mode: str, after_s: int, **config: object) -> Demo:
    """The lesson's load in `mode`, 20 s for the queues to build, a server added, then
    `after_s` seconds."""
    demo = lesson_demo()
    set_up(demo, mode, **config)
    demo.apply({"type": "advance", "ns": 20 * S})
    demo.apply({"type": "add_server"})
    demo.apply({"type": "advance", "ns": after_s * S})
    return demo


def test_before_any_server_is_added_or_removed_compare_shows_no_scaling_rows():
    demo = lesson_demo()
    set_up(demo, "stateless")
    demo.apply({"type": "advance", "ns": 10 * S})
    result = demo.comparison()
    assert row_keys(result) == [
        "lost_items",
        "lost_sessions",
        "failed",
        "retried",
        "p50_ms",
        "p99_ms",
    ]
    assert all(result["modes"][mode]["rebalance_s"] is None for mode in result["modes"])


def test_after_an_add_stateless_has_spread_within_seconds_and_a_sticky_tier_has_not():
    # The demo in stateful mode: its own column and the other modes' must agree on the rule.
    for mode in ("stateless", "stateful"):
        result = added_under_load(mode, 10).comparison()
        assert row_keys(result)[-2:] == ["rebalance_s", "load_spread"]  # no source hash
        figures = result["modes"]
        assert 0 < figures["stateless"]["rebalance_s"] <= 3
        assert figures["stateful"]["rebalance_s"] is None  # its visitors have not left yet
        assert figures["replicated"]["rebalance_s"] is None
        # Stateless spreads evenly; the sticky tiers' old servers are still the busiest.
        assert figures["stateless"]["load_spread"] < 1.15
        assert figures["stateful"]["load_spread"] > 1.15
        assert figures["replicated"]["load_spread"] > 1.15


def test_a_sticky_tier_gets_its_figure_as_visits_end():
    figures = added_under_load("stateful", 150).comparison()["modes"]
    assert figures["stateful"]["rebalance_s"] >= 20  # visits of 60 s on average
    assert figures["stateless"]["rebalance_s"] <= 3


def test_under_a_source_hash_compare_shows_the_share_moved_in_the_hashing_column():
    demo = added_under_load("stateful", 10, policy="source", hash_type="map-based")
    remap = demo.snapshot()["remap"]
    result = demo.comparison()
    assert row_keys(result)[-3:] == SCALING
    figures = result["modes"]
    assert figures["stateful"]["remap_share"] == round(remap["moved"] / remap["users"], 3)
    assert 0.65 <= figures["stateful"]["remap_share"] <= 0.85
    assert figures["stateful"]["lost_sessions"] > 0  # the moved users' sessions stayed behind
    # The other modes keep their own default policies, which hash nothing.
    assert figures["stateless"]["remap_share"] is None
    assert figures["replicated"]["remap_share"] is None


def test_after_a_remove_compare_shows_the_spread_but_no_rebalance():
    demo = lesson_demo()
    set_up(demo, "stateless")
    demo.apply({"type": "advance", "ns": 10 * S})
    demo.apply({"type": "remove_server"})
    demo.apply({"type": "advance", "ns": 5 * S})
    result = demo.comparison()
    assert row_keys(result)[-1] == "load_spread"
    assert "rebalance_s" not in row_keys(result)
    assert all(figures["load_spread"] is not None for figures in result["modes"].values())


def test_every_row_names_a_figure_a_unit_and_what_a_null_shows():
    result = added_under_load("stateless", 2, policy="source").comparison()
    for row in result["rows"]:
        assert row["key"] in result["modes"]["stateless"]
        assert row["unit"] in {"count", "ms", "s", "ratio", "percent"}
        assert row["name"] and row["none"]


def test_the_lesson_says_the_figure_compare_shows():
    demo = lesson_demo()
    set_up(demo, "stateless")
    demo.apply({"type": "advance", "ns": 20 * S + 400_000_000})  # between bucket ends
    demo.apply({"type": "add_server"})
    _, snap = until_said(demo, 0.5, 30)
    said = float(re.search(r"mean rate ([\d.]+) s after", snap["lesson"]["said"][-1]).group(1))
    figure = demo.comparison()["modes"]["stateless"]["rebalance_s"]
    assert said == round(figure, 1) and figure % 1  # not a whole second: the add's own time
