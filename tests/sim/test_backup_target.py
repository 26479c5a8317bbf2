"""The replicated mode's cached backup target always equals a fresh search of the cluster."""

import pytest

from sim import replication
from sim.compare import Workload
from sim.config import build_config
from sim.facade import Demo
from sim.model import Model
from sim.scenario import Scenario


def assert_cache_is_fresh(model: Model) -> None:
    """Every cached target, and every target asked for now, equals a fresh search."""
    for server, target in list(model.backup_targets.items()):
        assert target is replication.find_backup_target(model, server)
    for server in model.servers:
        assert replication.backup_target(model, server) is replication.find_backup_target(
            model, server
        )


@pytest.mark.parametrize("action", [{"type": "add_server"}, {"type": "remove_server"}])
def test_a_membership_change_moves_the_backup_target_at_once(action):
    demo = Demo(Scenario(1, build_config({"mode": "replicated"})))
    model = demo.model
    a = model.server("A")
    assert replication.backup_target(model, a).name == "B"
    demo.act(action)
    assert_cache_is_fresh(model)
    demo.act({"type": "request"})
    assert_cache_is_fresh(model)


@pytest.mark.parametrize("kind", ["crash", "vanish"])
def test_a_kill_moves_the_backup_target_only_at_the_membership_drop(kind):
    demo = Demo(Scenario(1, build_config({"mode": "replicated"})))
    model = demo.model
    a = model.server("A")
    assert replication.backup_target(model, a).name == "B"
    demo.act({"type": "kill", "server": "B", "kind": kind})
    assert (
        replication.backup_target(model, a).name == "B"
    )  # still a member: the cluster has not noticed
    assert_cache_is_fresh(model)
    demo.act({"type": "advance", "ns": 2_999_999_999})
    assert replication.backup_target(model, a).name == "B"
    demo.act({"type": "advance", "ns": 1})
    assert replication.backup_target(model, a).name == "C"
    assert_cache_is_fresh(model)


def test_a_restart_gives_the_backup_role_back():
    demo = Demo(Scenario(1, build_config({"mode": "replicated"})))
    model = demo.model
    demo.act({"type": "kill", "server": "B"})
    demo.act({"type": "advance", "ns": 3_000_000_000})
    assert replication.backup_target(model, model.server("A")).name == "C"
    demo.act({"type": "restart", "server": "B"})
    assert replication.backup_target(model, model.server("A")).name == "B"
    assert_cache_is_fresh(model)


def test_a_restart_before_the_drop_keeps_the_membership():
    demo = Demo(Scenario(1, build_config({"mode": "replicated"})))
    model = demo.model
    demo.act({"type": "kill", "server": "B"})
    demo.act({"type": "restart", "server": "B"})
    demo.act({"type": "advance", "ns": 5_000_000_000})
    assert model.server("B").member
    assert replication.backup_target(model, model.server("A")).name == "B"
    assert_cache_is_fresh(model)


def test_a_removed_server_has_no_backup_target():
    demo = Demo(Scenario(1, build_config({"mode": "replicated", "servers": 4})))
    model = demo.model
    last = model.servers[-1]
    assert replication.backup_target(model, last).name == "A"
    demo.act({"type": "remove_server"})
    assert replication.backup_target(model, last) is None
    assert replication.backup_target(model, model.servers[-1]).name == "A"


def test_the_cache_stays_fresh_through_chaos_kills_restarts_and_membership_drops():
    config = build_config({"mode": "replicated", "servers": 4, "traffic_users": 20})
    model = Model(config, 3, record=False)
    workload = Workload(model, 3000, 3, chaos_per_1000=30)
    workload.start()
    queue = model.queue
    while workload.remaining or model.active or model.waiting:
        queue.step()
        assert_cache_is_fresh(model)
    assert model.metrics.requests == 3000


def test_the_demo_cache_stays_fresh_under_chaos_and_traffic():
    overrides = {"mode": "replicated", "chaos_mean_interval_ms": 1_000, "restart_after_ms": 2_000}
    demo = Demo(Scenario(2, build_config(overrides)))
    model = demo.model
    demo.act({"type": "chaos", "on": True})
    demo.act({"type": "traffic", "rate_per_s": 50})
    for step in range(40):
        demo.act({"type": "advance", "ns": 500_000_000})
        assert_cache_is_fresh(model)
        if step == 20:
            demo.act({"type": "add_server"})
        if step == 30:
            demo.act({"type": "remove_server"})
        assert_cache_is_fresh(model)
