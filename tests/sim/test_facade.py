"""The browser's facade: the snapshot's shape, JSON in and out, refusals that change nothing."""

import json

import pytest

from sim import __version__
from sim.browser.facade import Demo, load
from sim.browser.scenario import Scenario
from sim.core.errors import ScenarioError
from sim.story.log import KEY_LIMIT

SERVER_KEYS = {
    "name",
    "alive",
    "lb_status",
    "detecting",
    "killed_at_ns",
    "kill_kind",
    "requests",
    "sessions",
    "in_flight",
    "session_items",
    "backup_items",
}
TRACE_KEYS = {
    "seq",
    "user",
    "server",
    "tried",
    "reason",
    "path",
    "hops",
    "latency_ns",
    "outcome",
    "status",
    "cart_items",
    "log",
}
METRIC_KEYS = {
    "requests",
    "ok",
    "failed",
    "retried",
    "acknowledged_items",
    "present_items",
    "lost_items",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "per_server",
}


def busy_demo() -> Demo:
    demo = Demo()
    for action in [
        {"type": "request"},
        {"type": "traffic", "rate_per_s": 20},
        {"type": "chaos", "on": True},
        {"type": "advance", "ns": 30 * 10**9},
        {"type": "request"},
        {"type": "kill", "server": "C"},
        {"type": "request"},
    ]:
        demo.apply(action)
    return demo


def test_the_snapshot_has_every_key_the_browser_reads():
    snap = busy_demo().snapshot()
    assert snap["version"] == __version__ == "0.1.0"
    assert {
        "time_ns",
        "mode",
        "mode_label",
        "config",
        "scenario",
        "user",
        "servers",
        "store",
        "chaos",
        "traffic",
        "traces",
        "log",
        "metrics",
        "series",
    } <= set(snap)
    assert set(snap["user"]) >= {"id", "cart_items", "acknowledged_items", "bound_server"}
    assert all(set(s) >= SERVER_KEYS for s in snap["servers"])
    assert set(snap["store"]) >= {"up", "used", "cart_items", "added_latency_ms"}
    assert set(snap["chaos"]) >= {"on", "next_kill_ns"}
    assert "rate_per_s" in snap["traffic"]
    assert 0 < len(snap["traces"]) <= 10
    assert all(set(t) >= TRACE_KEYS for t in snap["traces"])
    assert all({"from", "to", "ns", "note"} == set(h) for t in snap["traces"] for h in t["hops"])
    assert all(sum(h["ns"] for h in t["hops"]) == t["latency_ns"] for t in snap["traces"])
    assert len(snap["log"]) <= 50 + KEY_LIMIT
    assert all(set(e) == {"seq", "time_ns", "level", "text", "key"} for e in snap["log"])
    assert set(snap["log_kept"]) == {"from_seq", "key_from_seq"}
    assert set(snap["metrics"]) >= METRIC_KEYS
    assert all({"t_ns", "p50_ms", "p99_ms", "errors", "requests"} == set(p) for p in snap["series"])
    assert len(snap["series"]) <= 60


def test_the_snapshot_is_json_safe_and_matches_snapshot_json():
    demo = busy_demo()
    text = json.dumps(demo.snapshot(), allow_nan=False)
    assert json.loads(text) == json.loads(demo.snapshot_json())


def test_modes_have_their_labels():
    labels = {}
    for mode in ["stateless", "stateful", "replicated"]:
        snap = Demo().apply({"type": "reset", "config": {"mode": mode}})
        labels[mode] = snap["mode_label"]
    assert labels == {
        "stateless": "Stateless",
        "stateful": "Stateful",
        "replicated": "Stateful + replication",
    }


def test_the_default_demo_starts_empty():
    snap = Demo().snapshot()
    assert snap["user"] == {
        "id": "you",
        "cart_items": 0,
        "cart_text": "Cart: 0 items",
        "tabs": [],
        "acknowledged_items": 0,
        "lost_items": 0,
        "bound_server": None,
        "cart_note": None,
    }
    assert [s["name"] for s in snap["servers"]] == ["A", "B", "C"]
    assert snap["metrics"]["p50_ms"] is None
    assert snap["scenario"] == "v4.1.."


@pytest.mark.parametrize(
    ("action", "words"),
    [
        ("request", "object"),
        ({}, "unknown action type"),
        ({"type": "explode"}, "unknown action type"),
        ({"type": "advance"}, "missing field ns"),
        ({"type": "advance", "ns": -1}, "outside"),
        ({"type": "advance", "ns": 10**20}, "cap"),
        ({"type": "advance", "ns": 1.5}, "not an integer"),
        ({"type": "kill", "server": "Z"}, "no Server Z"),
        ({"type": "kill", "server": "AA"}, "not a server name"),
        ({"type": "kill", "server": "A", "kind": "melt"}, "crash or vanish"),
        ({"type": "request", "extra": 1}, "unexpected field extra"),
        ({"type": "chaos", "on": "yes"}, "true or false"),
        ({"type": "traffic", "rate_per_s": float("nan")}, "not a number"),
        ({"type": "traffic", "rate_per_s": 1e9}, "outside"),
        ({"type": "store_latency", "ms": -3}, "outside"),
        ({"type": "reset", "config": {"mode": "chaotic"}}, "mode"),
        ({"type": "reset", "config": {"servers": 10**100}}, "servers"),
    ],
)
def test_an_invalid_action_raises_a_readable_error_and_changes_nothing(action, words):
    demo = busy_demo()
    before = demo.snapshot_json()
    with pytest.raises(ScenarioError, match=words):
        demo.apply(action)
    assert demo.snapshot_json() == before


def test_removing_the_last_server_is_refused_without_change():
    demo = Demo()
    demo.apply({"type": "reset", "config": {"servers": 1}})
    before = demo.snapshot_json()
    with pytest.raises(ScenarioError, match="last server"):
        demo.apply({"type": "remove_server"})
    assert demo.snapshot_json() == before


def test_apply_json_round_trips_and_bad_json_is_a_scenario_error():
    demo = Demo()
    snap = json.loads(demo.apply_json('{"type": "request"}'))
    assert snap["user"]["cart_items"] == 1
    with pytest.raises(ScenarioError, match="not valid JSON"):
        demo.apply_json("{nope")
    with pytest.raises(ScenarioError):
        demo.apply_json("[" * 100_000)


def test_actions_are_recorded_and_consecutive_advances_merge():
    demo = Demo()
    for action in [
        {"type": "advance", "ns": 16},
        {"type": "advance", "ns": 17},
        {"type": "request"},
        {"type": "kill", "server": "B", "kind": "vanish"},
    ]:
        demo.apply(action)
    assert demo.scenario().actions == (
        {"type": "advance", "ns": 33},
        {"type": "request"},
        {"type": "kill", "server": "B", "kind": "vanish"},
    )
    assert demo.snapshot()["scenario"] == "v4.1..a33-r-kBv"


def test_reset_starts_over_with_the_same_seed_and_clears_actions():
    demo = Demo(Scenario(seed=42))
    demo.apply({"type": "request"})
    snap = demo.apply({"type": "reset", "config": {"mode": "stateful", "kill_kind": "vanish"}})
    assert snap["user"]["cart_items"] == 0
    assert demo.scenario().seed == 42 and demo.scenario().actions == ()
    assert (snap["config"]["policy"], snap["config"]["kill_kind"]) == ("sticky", "vanish")
    assert snap["log"][0]["text"] == "Simulator initialized. Mode: Stateful."


def test_load_replays_a_link_and_none_gives_the_defaults():
    demo = busy_demo()
    again = load("https://example.org/stateless-guide/?x=1&scenario=" + demo.snapshot()["scenario"])
    assert again.snapshot_json() == demo.snapshot_json()
    assert load(None).snapshot_json() == Demo().snapshot_json()
    assert load("").snapshot_json() == Demo().snapshot_json()
    with pytest.raises(ScenarioError):
        load("v2.1..kZ")  # parses, but there is no server Z to kill


def test_compare_modes_replays_the_scenario_in_each_mode():
    demo = Demo()
    for _ in range(3):
        demo.apply({"type": "request"})
    demo.apply({"type": "kill", "server": "A"})
    demo.apply({"type": "request"})
    result = demo.comparison()["modes"]
    assert set(result) == {"stateless", "stateful", "replicated"}
    assert result["stateful"]["lost_items"] == 3
    assert result["stateless"]["lost_items"] == result["replicated"]["lost_items"] == 0


def test_a_link_made_with_an_earlier_model_replays_with_a_notice_that_a_reset_clears():
    """v1 links predate the HAProxy and Tomcat mechanisms: they replay with today's model and
    say so; the run they continue is encoded in the current version."""
    old = load("v1.1.eyJtb2RlIjoic3RhdGVmdWwifQ.r3-kA-r")
    snap = old.snapshot()
    assert "earlier version" in snap["scenario_notice"]
    assert snap["scenario"] == "v4.1.eyJtb2RlIjoic3RhdGVmdWwifQ.r3-kA-r"
    assert load(snap["scenario"]).snapshot()["scenario_notice"] is None
    assert old.apply({"type": "reset"})["scenario_notice"] is None


def test_the_snapshot_names_what_the_page_would_otherwise_re_derive():
    snap = Demo().snapshot()
    assert snap["modes"] == [
        {"id": "stateless", "label": "Stateless"},
        {"id": "stateful", "label": "Stateful"},
        {"id": "replicated", "label": "Stateful + replication"},
    ]
    assert snap["log_limit"] == 200
    assert snap["config"]["membership_drop_ms"] == 3_000
    stateful = load("v2.1.eyJtb2RlIjoic3RhdGVmdWwifQ.r3-kA-r")
    assert stateful.snapshot()["user"]["lost_items"] == 3


def test_the_user_box_says_when_its_cart_is_only_the_last_answer():
    """Issue 23, items 5 and 4: after a rolling deploy the box still shows the last answer's
    cart; with two tabs the session holds more than the answer that came last."""
    from sim.browser.facade import Demo

    demo = Demo()
    demo.act({"type": "reset", "config": {"mode": "stateful"}})
    for _ in range(3):
        demo.act({"type": "request"})
    assert demo.snapshot()["user"]["cart_note"] is None
    demo.act({"type": "deploy"})
    user = demo.apply({"type": "advance", "ns": 120 * 10**9})["user"]
    assert user["cart_items"] == 3 and user["lost_items"] == 3
    assert user["cart_note"] == "That was the last answer; the servers hold no cart for you now."
    assert demo.apply({"type": "request"})["user"]["cart_note"] is None
    tabs = Demo()
    tabs.act({"type": "reset", "config": {"mode": "stateful"}})
    tabs.act({"type": "request"})
    user = tabs.apply({"type": "request", "tabs": 2})["user"]
    assert user["cart_items"] == 2  # the answer that came last; the other tab's saw 3
    assert user["cart_text"] == "Tab 1: 2 items, Tab 2: 3 items"
    assert [tab["cart_items"] for tab in user["tabs"]] == [2, 3]
    assert user["cart_note"] == (
        "Both tabs share one session, on Server A: 3 items now. Each answer counted the cart "
        "right after its own item, so the one handled first shows fewer."
    )
    user = tabs.apply({"type": "request"})["user"]
    assert (user["cart_text"], user["tabs"], user["cart_note"]) == ("Cart: 4 items", [], None)


def test_two_tabs_that_lose_an_update_say_both_read_the_same_cart():
    """Issue 23, item 4, in stateless mode: both tabs show 2, the store holds 2."""
    from sim.browser.facade import Demo

    demo = Demo()
    demo.act({"type": "reset", "config": {"mode": "stateless"}})
    demo.act({"type": "request"})
    user = demo.apply({"type": "request", "tabs": 2})["user"]
    assert user["cart_text"] == "Tab 1: 2 items, Tab 2: 2 items"
    assert user["lost_items"] == 1
    assert user["cart_note"].startswith(
        "Both tabs share one cart, in the store: 2 items now. Each request read the same cart"
    )
