"""The three lessons of issue 10 (two tabs, a rolling deploy, a store failover), per mode: the
outcomes come from the mechanisms, each test naming the source it follows."""

import pytest

from sim.errors import ScenarioError
from sim.facade import Demo, load
from sim.scenario import parse


def demo(mode: str, **config) -> Demo:
    """A fresh demo in `mode` with config overrides."""
    d = Demo()
    d.apply({"type": "reset", "config": {"mode": mode, **config}})
    return d


# -- two tabs -------------------------------------------------------------------------------


def two_tabs(mode: str, **config) -> dict:
    """One ordinary request (the user gets its session), then two tabs at once."""
    d = demo(mode, **config)
    d.apply({"type": "request"})
    return d.apply({"type": "request", "tabs": 2})


def test_stateless_read_modify_write_loses_one_of_two_tabs_items():
    """Session code that saves the whole cart attribute (Spring Session writes the attribute
    back with HSET): both tabs read one item, both write two; the last write wins."""
    snap = two_tabs("stateless")
    assert snap["user"]["acknowledged_items"] == 3
    assert snap["store"]["cart_items"] == 2
    assert snap["metrics"]["lost_items"] == 1
    assert snap["metrics"]["lost_sessions"] == 0
    assert any("Lost update" in line["text"] for line in snap["log"])


def test_stateless_atomic_update_keeps_both_tabs_items():
    """Redis HINCRBY (or WATCH/MULTI/EXEC) adds in the store: nothing is lost."""
    snap = two_tabs("stateless", store_update="atomic")
    assert snap["store"]["cart_items"] == 3
    assert snap["metrics"]["lost_items"] == 0
    assert not any("Lost update" in line["text"] for line in snap["log"])


@pytest.mark.parametrize("mode", ["stateful", "replicated"])
def test_in_memory_cart_guarded_by_the_application_keeps_both_tabs_items(mode):
    """Both requests follow the sticky cookie (HAProxy `cookie SERVERID insert`) to the one
    session, which the application updates under `synchronized (session)` (Spring's
    synchronizeOnSession): three items, nothing lost."""
    snap = two_tabs(mode)
    server = next(s for s in snap["servers"] if s["session_items"] is not None)
    assert server["session_items"] == 3
    assert server["requests"] == 3
    assert snap["metrics"]["lost_items"] == 0
    assert snap["user"]["cart_items"] in (2, 3)  # the answer that arrived last


def test_the_cart_shown_is_the_one_in_the_answer_that_arrived_last():
    """Issue 10: cart_items is the cart in the answer that arrived last."""
    d = demo("stateful")
    d.apply({"type": "request"})
    snap = d.apply({"type": "request", "tabs": 2})
    last = max(snap["traces"][-2:], key=lambda t: t["start_ns"] + t["latency_ns"])
    assert snap["user"]["cart_items"] == last["cart_items"]


@pytest.mark.parametrize("mode", ["stateful", "replicated"])
def test_two_tabs_without_a_session_make_two_sessions_and_the_last_cookie_wins(mode):
    """A browser with no session cookie sends none from either tab: each server creates a
    session (round robin places them apart) and the last Set-Cookie wins."""
    d = demo(mode)
    snap = d.apply({"type": "request", "tabs": 2})
    assert snap["user"]["acknowledged_items"] == 2
    assert snap["metrics"]["lost_items"] == 1
    assert snap["metrics"]["lost_sessions"] == 0
    assert [t["outcome"] for t in snap["traces"]] == ["ok", "ok"]


def test_two_tabs_have_a_token_and_one_tab_is_a_plain_request():
    d = demo("stateless")
    d.apply({"type": "request", "tabs": 1})
    d.apply({"type": "request", "tabs": 2})
    d.apply({"type": "request"})
    snap = d.snapshot()
    assert snap["scenario"].endswith(".r-rr-r")
    assert parse(snap["scenario"]).actions == (
        {"type": "request"},
        {"type": "request", "tabs": 2},
        {"type": "request"},
    )
    assert load(snap["scenario"]).snapshot() == snap


@pytest.mark.parametrize("tabs", [0, 3, "2", 1.5, None])
def test_a_bad_number_of_tabs_is_refused_saying_so(tabs):
    with pytest.raises(ScenarioError, match="request tabs"):
        Demo().apply({"type": "request", "tabs": tabs})


def test_a_bad_store_update_is_refused_naming_the_choices():
    with pytest.raises(ScenarioError, match=r"store_update.*read_modify_write, atomic"):
        Demo().apply({"type": "reset", "config": {"store_update": "merge"}})
