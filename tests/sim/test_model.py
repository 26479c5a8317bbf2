"""The model's mechanics: detection windows, retries, in-flight deaths, store faults, chaos."""

import pytest

from sim.browser.facade import Demo
from sim.browser.scenario import Scenario
from sim.core import requests
from sim.core.config import build_config
from sim.core.units import MS, S


def demo(**config) -> Demo:
    return Demo(Scenario(1, build_config(config)))


def server(snap: dict, name: str) -> dict:
    return next(s for s in snap["servers"] if s["name"] == name)


def test_a_killed_server_is_marked_down_after_fall_checks_and_up_after_rise():
    d = demo()
    d.apply({"type": "advance", "ns": 3 * S})  # every server has passed a check
    d.apply({"type": "kill", "server": "A"})
    snap = d.snapshot()
    assert server(snap, "A")["detecting"] is True
    assert server(snap, "A")["lb_status"] == "up"
    snap = d.apply({"type": "advance", "ns": 2 * S})
    assert server(snap, "A")["lb_status"] == "up"  # checks at 4 s and 6 s fail, 8 s not yet
    snap = d.apply({"type": "advance", "ns": 4 * S})
    assert server(snap, "A")["lb_status"] == "down"  # the third, at 8 s
    assert server(snap, "A")["detecting"] is False
    d.apply({"type": "restart", "server": "A"})
    snap = d.apply({"type": "advance", "ns": 4 * S})
    assert server(snap, "A")["lb_status"] == "up"
    assert any("marked Server A UP" in line["text"] for line in snap["log"])


def test_once_marked_down_the_balancer_sends_nothing_there():
    d = demo()
    d.apply({"type": "kill", "server": "A"})
    d.apply({"type": "advance", "ns": 6 * S})
    for _ in range(6):
        snap = d.apply({"type": "request"})
        assert "A" not in snap["traces"][-1]["tried"]
    assert d.model.balancer.sent_to_down == 0


def test_a_vanished_server_costs_the_connect_timeout_before_redispatch():
    d = demo(kill_kind="vanish")
    d.apply({"type": "kill", "server": "A"})
    snap = d.apply({"type": "request"})
    trace = snap["traces"][-1]
    assert trace["tried"] == ["A", "B"]
    assert trace["outcome"] == "retried"
    assert trace["latency_ns"] >= 5_000 * MS
    assert server(snap, "A")["kill_kind"] == "vanish"


def test_a_request_inside_a_dying_server_fails_and_is_not_retried():
    d = demo(mode="stateful", server_work_us=5_000_000)  # 5 s of work: time to kill it
    model = d.model
    req = requests.start(model, model.users["you"])
    model.advance(1 * S)
    model.kill(model.server(req.tried[0]))
    model.advance(1 * S)
    assert req.finished
    trace = d.snapshot()["traces"][-1]
    assert (trace["status"], trace["outcome"], trace["tried"]) == (502, "failed", ["A"])
    assert model.metrics.failed == 1


def test_stateless_cannot_serve_carts_while_the_store_is_down_and_loses_nothing():
    d = demo()
    d.apply({"type": "request"})
    d.apply({"type": "kill_store"})
    snap = d.apply({"type": "request"})
    assert snap["traces"][-1]["status"] == 503
    assert snap["user"]["cart_items"] == 1
    d.apply({"type": "restore_store"})
    snap = d.apply({"type": "request"})
    assert snap["user"]["cart_items"] == 2
    assert snap["metrics"]["lost_items"] == 0


def test_stateful_modes_do_not_need_the_store():
    d = demo(mode="stateful")
    d.apply({"type": "kill_store"})
    snap = d.apply({"type": "request"})
    assert snap["traces"][-1]["status"] == 200
    assert snap["store"] == {
        "up": False,
        "used": False,
        "cart_items": None,
        "added_latency_ms": 0,
        "ops_per_s": None,
        "nodes": [
            {"name": "R1", "role": "primary", "up": False},
            {"name": "R2", "role": "replica", "up": False},
        ],
        "failover": None,
        "status": {"icon": "down", "text": "Down"},
        "node_lines": ["R1: primary, down", "R2: replica, down"],
        "disk": "Disk: no RDB snapshot yet (save 3600 1 300 100 60 10000)",
        "restarting": None,
        "killed": True,
        "restorable": False,
    }


def test_store_latency_shows_in_stateless_requests():
    fast = demo().apply({"type": "request"})["traces"][-1]["latency_ns"]
    d = demo()
    d.apply({"type": "store_latency", "ms": 50})
    slow = d.apply({"type": "request"})["traces"][-1]["latency_ns"]
    assert slow - fast > 95 * MS  # two store round trips per request


def test_servers_can_be_added_up_to_26_and_removed_down_to_one():
    d = demo()
    for _ in range(23):
        d.apply({"type": "add_server"})
    names = [s["name"] for s in d.snapshot()["servers"]]
    assert names == list("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    with pytest.raises(Exception, match="at most 26"):
        d.apply({"type": "add_server"})
    for _ in range(25):
        d.apply({"type": "remove_server"})
    with pytest.raises(Exception, match="last server"):
        d.apply({"type": "remove_server"})


def test_chaos_never_kills_the_last_live_server_and_restarts_its_victims():
    d = demo(servers=2, chaos_mean_interval_ms=1_000, restart_after_ms=60_000)
    d.apply({"type": "chaos", "on": True})
    for _ in range(30):
        snap = d.apply({"type": "advance", "ns": 1 * S})
        assert any(s["alive"] for s in snap["servers"])
    assert any("spared the last live server" in line["text"] for line in snap["log"])
    d2 = demo(chaos_mean_interval_ms=5_000, restart_after_ms=2_000)
    d2.apply({"type": "chaos", "on": True})
    snap = d2.apply({"type": "advance", "ns": 60 * S})
    assert any("Auto-restart" in line["text"] for line in snap["log"])
    assert snap["chaos"]["next_kill_ns"] > snap["time_ns"]


def test_background_traffic_has_requests_in_flight_when_a_server_dies():
    d = demo(server_work_us=20_000)
    d.apply({"type": "traffic", "rate_per_s": 100})
    d.apply({"type": "advance", "ns": 2 * S})
    busy = [s for s in d.snapshot()["servers"] if s["in_flight"]]
    assert busy
    d.apply({"type": "kill", "server": busy[0]["name"]})
    snap = d.apply({"type": "advance", "ns": 2 * S})
    assert snap["metrics"]["failed"] >= 1
    assert snap["metrics"]["requests"] == snap["metrics"]["ok"] + snap["metrics"]["failed"]


def test_replication_repairs_backups_when_the_cluster_notices_a_member_left():
    d = demo(mode="replicated")
    for _ in range(2):
        d.apply({"type": "request"})
    snap = d.apply({"type": "kill", "server": "B"})  # the backup holder
    assert server(snap, "A")["session_items"] == 2
    snap = d.apply({"type": "advance", "ns": 3 * S})
    assert server(snap, "C")["backup_items"] == 2
    d.apply({"type": "kill", "server": "A"})  # a second, separate failure
    snap = d.apply({"type": "request"})
    assert snap["user"]["cart_items"] == 3
    assert snap["metrics"]["lost_items"] == 0


def test_replication_loses_the_session_when_both_copies_die_at_once():
    d = demo(mode="replicated")
    for _ in range(2):
        d.apply({"type": "request"})
    d.apply({"type": "kill", "server": "A"})
    d.apply({"type": "kill", "server": "B"})
    snap = d.apply({"type": "request"})
    assert snap["traces"][-1]["outcome"] == "session_lost"
    assert snap["user"]["cart_items"] == 1
