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


def test_without_option_redispatch_a_pinned_request_retries_the_dead_server_until_a_503():
    """No `option redispatch`: stream_choose_redispatch (include/haproxy/stream.h) never
    moves a retry, so each goes back to the same server, after the turn-around of
    min(`timeout connect`, 1 s) when refused (back_handle_st_cer, src/backend.c); once
    `retries 3` are spent the stream closes with a 503 (http_return_srv_error)."""
    d = pinned_to_a(redispatch="off")
    d.act({"type": "kill", "server": "A", "kind": "crash"})
    trace = last_trace(d)
    assert trace["tried"] == ["A", "A", "A", "A"]
    assert trace["status"] == 503
    assert 3 * S <= trace["latency_ns"] < 3 * S + 10 * MS
    waits = [hop for hop in trace["hops"] if hop["note"].startswith("wait")]
    assert [hop["ns"] for hop in waits] == [S, S, S]
    assert trace["log"] == (
        "Request failed (503): 4 attempts failed, all on Server A: without option redispatch "
        "the balancer retries only the server it chose."
    )


def test_without_option_redispatch_a_vanished_server_costs_four_connect_time_outs():
    d = pinned_to_a(redispatch="off")
    d.act({"type": "kill", "server": "A", "kind": "vanish"})
    trace = last_trace(d)
    assert trace["tried"] == ["A", "A", "A", "A"]
    assert trace["status"] == 503
    assert 20 * S <= trace["latency_ns"] < 20 * S + 10 * MS


def test_without_option_redispatch_even_a_round_robin_request_stays_on_its_server():
    """The test of `option redispatch` comes first in stream_choose_redispatch: without it
    a request the algorithm placed is not moved either."""
    d = demo(redispatch="off")  # stateless: round robin, no cookie
    d.act({"type": "kill", "server": "A", "kind": "crash"})
    trace = last_trace(d)
    assert trace["tried"] == ["A", "A", "A", "A"]
    assert trace["status"] == 503
    # The next request is placed by the algorithm, which skips nothing it still believes up.
    assert last_trace(d)["tried"] == ["B"]


def marked_down_at(**config) -> int:
    """When health checks mark Server A down after a crash at 3 s, in a pinned demo."""
    d = pinned_to_a(**config)
    d.act({"type": "kill", "server": "A", "kind": "crash"})
    while next(s for s in d.snapshot()["servers"] if s["name"] == "A")["lb_status"] == "up":
        d.act({"type": "advance", "ns": 10 * MS})
    return d.snapshot()["time_ns"]


@pytest.mark.parametrize(
    ("redispatch", "tried", "status"),
    [("last", ["A", "A", "B"], 200), ("off", ["A", "A", "A", "A"], 503)],
)
def test_a_retry_after_the_turn_around_goes_to_its_server_even_if_marked_down_meanwhile(
    redispatch, tried, status
):
    """back_handle_st_tar (src/backend.c): "we keep trying on the same server as long as
    the stream is marked assigned" (a FIXME asks whether a server that went down should be
    left). The attempt after the turn-around goes to the server; its failure then finds the
    server down, which `option redispatch` leaves at once (stream.h), and no option does not."""
    down_at = marked_down_at(redispatch=redispatch)
    d = pinned_to_a(redispatch=redispatch)
    d.act({"type": "kill", "server": "A", "kind": "crash"})
    d.act({"type": "advance", "ns": down_at - d.snapshot()["time_ns"] - 500 * MS})
    trace = last_trace(d)
    assert trace["tried"] == tried
    assert trace["status"] == status


@pytest.mark.parametrize(("old", "new"), [(True, "every"), (False, "last")])
def test_the_old_true_and_false_still_mean_interval_1_and_plain_option_redispatch(old, new):
    assert build_config({"redispatch": old}).redispatch == new
