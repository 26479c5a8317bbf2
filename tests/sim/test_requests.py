"""Retries as HAProxy makes them (`retries`, `option redispatch`; src/stream.c, backend.c)."""

import pytest

from sim.browser.facade import Demo
from sim.browser.scenario import Scenario
from sim.core.config import build_config
from sim.core.units import MS, S


def demo(**config) -> Demo:
    d = Demo(Scenario(1, build_config(config)))
    d.act({"type": "advance", "ns": 3 * S})  # past start-up: every server passed a check
    return d


def last_trace(d: Demo, action: dict | None = None) -> dict:
    return d.apply(action or {"type": "request"})["traces"][-1]


def pinned_to_a(**config) -> Demo:
    """A stateful demo whose user's cookie names Server A."""
    d = demo(mode="stateful", **config)
    assert last_trace(d)["server"] == "A"
    return d


def test_option_redispatch_1_sends_each_retry_at_once_to_another_server():
    """`option redispatch 1`: redispatch on every retry, with no turn-around."""
    d = pinned_to_a()
    d.act({"type": "kill", "server": "A", "kind": "crash"})
    trace = last_trace(d)
    assert trace["tried"] == ["A", "B"]
    assert trace["status"] == 200
    assert trace["latency_ns"] < 10 * MS


def test_plain_option_redispatch_retries_a_pinned_server_then_moves_on_the_last_retry():
    """Plain `option redispatch` (interval -1): a persistent request retries the same server,
    each time after min(`timeout connect`, 1 s) following a refusal; the last retry of
    `retries 3` goes elsewhere: about 2 s in all."""
    d = pinned_to_a(redispatch=False)
    d.act({"type": "kill", "server": "A", "kind": "crash"})
    trace = last_trace(d)
    assert trace["tried"] == ["A", "A", "A", "B"]
    assert trace["status"] == 200
    assert 2 * S <= trace["latency_ns"] < 2 * S + 10 * MS
    waits = [hop for hop in trace["hops"] if hop["note"].startswith("wait")]
    assert [hop["ns"] for hop in waits] == [S, S]


def test_no_turn_around_follows_a_connect_time_out():
    """stream.c applies the turn-around only after a connection error, not a time-out: a
    vanished server costs `timeout connect` (5 s) per attempt instead."""
    d = pinned_to_a(redispatch=False)
    d.act({"type": "kill", "server": "A", "kind": "vanish"})
    trace = last_trace(d)
    assert trace["tried"] == ["A", "A", "A", "B"]
    assert not any(hop["note"].startswith("wait") for hop in trace["hops"])
    assert 15 * S <= trace["latency_ns"] < 15 * S + 10 * MS


def test_a_request_that_was_not_persistent_is_redispatched_at_once_even_without_interval_1():
    """stream.h: a non-persistent request with more than one server up (round robin) is
    redispatched on every retry, whatever the interval."""
    d = demo(redispatch=False)  # stateless: round robin, no cookie
    d.act({"type": "kill", "server": "A", "kind": "crash"})
    trace = last_trace(d)
    assert trace["tried"] == ["A", "B"]
    assert trace["latency_ns"] < 10 * MS


def test_a_pinned_server_marked_down_during_the_retries_is_left_at_once():
    """A server that is not running is redispatched whatever the interval."""
    d = pinned_to_a(redispatch=False, connect_timeout_ms=60_000)
    d.act({"type": "kill", "server": "A", "kind": "vanish"})
    trace = last_trace(d)  # the first 60 s connect time-out outlasts the checks (10-12 s)
    assert trace["tried"] == ["A", "B"]
    assert 60 * S <= trace["latency_ns"] < 60 * S + 10 * MS


def test_a_redispatch_avoids_only_the_server_that_just_failed():
    """backend.c avoids `prev_srv` only: with every server dead but not yet marked down, the
    four attempts of `retries 3` go round the servers and come back to the first."""
    d = demo()
    for name in "ABC":
        d.act({"type": "kill", "server": name, "kind": "crash"})
    trace = last_trace(d)
    assert trace["tried"] == ["A", "B", "C", "A"]
    assert trace["status"] == 503


def test_with_one_server_up_a_retry_returns_to_it_after_the_turn_around():
    """stream.c: the turn-around also applies when at most one server is up."""
    d = demo(servers=1)
    d.act({"type": "kill", "server": "A", "kind": "crash"})
    trace = last_trace(d)
    assert trace["tried"] == ["A", "A", "A", "A"]
    assert trace["status"] == 503
    assert 3 * S <= trace["latency_ns"] < 3 * S + 10 * MS


def test_no_server_believed_up_is_a_503_at_once():
    d = demo()
    for name in "ABC":
        d.act({"type": "kill", "server": name, "kind": "crash"})
    d.act({"type": "advance", "ns": 10 * S})
    trace = last_trace(d)
    assert (trace["tried"], trace["status"], trace["latency_ns"]) == ([], 503, 0)


@pytest.mark.parametrize("retries", [0, 1, 3])
def test_retries_bound_the_attempts(retries):
    d = demo(retries=retries, servers=1)
    d.act({"type": "kill", "server": "A", "kind": "crash"})
    assert len(last_trace(d)["tried"]) == retries + 1
