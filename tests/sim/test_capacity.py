"""A server's capacity, as Tomcat's NIO connector has it: threads, a queue, the backlog."""

import pytest

from sim.core import capacity
from sim.core.config import build_config
from sim.core.errors import ScenarioError
from sim.core.model import Model
from sim.core.units import MS, S
from sim.story.traces import _hops

SATURATED = {"server_threads": 1, "server_work_us": 16_000}  # about 62 requests/s a server


def run(overrides: dict, rate_per_s: int, seconds: int = 20, seed: int = 1) -> Model:
    model = Model(build_config(overrides), seed)
    model.set_traffic(rate_per_s * 1_000)
    model.advance(seconds * S)
    return model


def test_the_defaults_are_tomcats_and_the_ranges_are_checked():
    config = build_config({})
    assert (config.server_threads, config.server_max_connections, config.accept_queue) == (
        200,
        8_192,
        100,
    )
    for field, bad in (
        ("server_threads", 0),
        ("server_threads", 1_001),
        ("server_max_connections", 100_001),
        ("accept_queue", -1),
        ("accept_queue", 10_001),
        ("visit_s", 86_401),
    ):
        with pytest.raises(ScenarioError, match=field):
            build_config({field: bad})


def test_with_the_defaults_no_request_ever_waits_for_a_thread():
    model = Model(build_config({}), 1)
    model.set_traffic(200_000)
    most = 0
    for _ in range(100):
        model.advance(100 * MS)
        most = max(most, *(s.busy + len(s.waiting) for s in model.servers))
    assert most <= 101  # one request at a time from each of 100 users and you: below 200
    assert all(not s.waiting for s in model.servers)


def test_waiting_for_a_thread_is_part_of_latency():
    light = run(SATURATED, 20)
    heavy = run(SATURATED, 200)
    assert light.metrics.percentiles()["p99_ms"] < 30  # about one work time, 8-24 ms
    assert heavy.metrics.percentiles()["p99_ms"] > 200  # queued behind other users
    assert any(s.waiting for s in heavy.servers)
    assert all(s.busy == 1 for s in heavy.servers)  # one thread, never more


def test_a_queue_never_holds_more_than_the_users_sending():
    model = run({**SATURATED, "traffic_users": 30}, 200)
    assert sum(s.busy + len(s.waiting) for s in model.servers) <= 30


def test_a_full_backlog_drops_the_connection_and_the_balancer_times_out_and_retries():
    overrides = {**SATURATED, "server_max_connections": 1, "accept_queue": 2}
    model = Model(build_config(overrides), 1)
    finished = []
    model.listener = lambda rec, now: finished.append(rec) if rec.kind == "request_finished" else 0
    model.set_traffic(200_000)
    model.advance(20 * S)
    assert all(s.busy + len(s.waiting) <= 3 for s in model.servers)
    timed_out = [r for r in finished if r.request.failures]
    assert timed_out and model.metrics.retried
    first = timed_out[0].request
    _name, sent, _arrived, failed, vanished, wait = first.failures[0]
    assert vanished and failed - sent == 5_000 * MS and wait == 0  # connect time-out
    hops = _hops(first, timed_out[0].status, timed_out[0].back_ns)
    assert any(h[3] == "no answer: connect time-out" for h in hops)


def test_a_trace_shows_the_wait_for_a_thread_and_still_adds_up():
    model = Model(build_config(SATURATED), 1)
    finished = []
    model.listener = lambda rec, now: finished.append(rec) if rec.kind == "request_finished" else 0
    model.set_traffic(200_000)
    model.advance(5 * S)
    waited = [r for r in finished if r.request.waited]
    assert waited
    for rec in waited[:50]:
        hops = _hops(rec.request, rec.status, rec.back_ns)
        assert ("wait for a free thread" in [h[3] for h in hops]) and sum(
            h[2] for h in hops
        ) == rec.latency_ns


def test_a_killed_server_drops_its_queue_and_frees_its_threads():
    model = run(SATURATED, 200, seconds=5)
    victim = model.server("A")
    assert victim.waiting
    model.kill(victim)
    assert victim.busy == 0 and not victim.waiting
    model.advance(15 * S)  # restarted by nobody; the others carry on
    assert victim.busy == 0
    model.restart(victim)
    model.advance(10 * S)
    assert victim.busy <= 1 and victim.requests > 0


def test_load_counts_running_waiting_and_finished_per_second():
    model = run(SATURATED, 200)
    loads = [capacity.load(model, s) for s in model.servers]
    for load in loads:
        assert load["busy"] == 1
        assert 40 <= load["rps"] <= 90  # one thread of 8-24 ms: about 62 a second
    spread = capacity.load_spread(model)
    assert 1.0 <= spread < 1.5
    assert capacity.load_spread(Model(build_config({}), 1)) is None


def test_traffic_goes_up_to_200_a_second():
    from sim.browser.facade import Demo

    assert Demo().apply({"type": "traffic", "rate_per_s": 200})["traffic"]["rate_per_s"] == 200
    with pytest.raises(ScenarioError, match="outside"):
        Demo().apply({"type": "traffic", "rate_per_s": 201})


def test_a_restart_that_queues_a_refused_connection_cancels_its_failure():
    # Long hops, so several requests are on their way at once; long work, so the second one
    # re-admitted still waits when its refused connection would have failed.
    config = build_config({"server_threads": 1, "server_work_us": 1_000_000, "lb_hop_us": 20_000})
    model = Model(config, 1)
    model.set_traffic(200_000)
    server = model.server("A")
    heading = []
    for _ in range(100_000):  # until requests are on their way to A, not yet arrived
        model.queue.step()
        heading = [r for r in server.attached.values() if r.t_conn > model.now]
        if len(heading) >= 2:
            break
    assert heading
    model.kill(server)
    model.restart(server)  # before they arrive: accepted again, on a thread or in the queue
    finished = {}
    model.listener = lambda rec, now: (
        finished.__setitem__(rec.request.seq, rec) if rec.kind == "request_finished" else 0
    )
    model.advance(20 * S)
    for req in heading:
        assert finished[req.seq].status == 200
        assert req.failures == ()  # no refused connection recorded
