"""Stateful property tests for the lessons' actions: random sequences of deploys, store
failovers, two-tab requests and the learner's faults keep the model consistent.

Checked after every step, besides the promises of every run (test_invariants.ModelPromises):
- a server is in drain or held out of the balancer only while a deploy is replacing it;
- the snapshot's deploy and store fields are what the page may draw;
- after enough quiet time every deploy and failover has run its course;
- stateless mode with an atomic update loses nothing without a failover, whatever the deploys
  and kills, and nothing acknowledged even with one when writes wait for the replica.
"""

import json

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from sim.browser.facade import Demo
from sim.browser.scenario import Scenario
from sim.core.config import build_config
from sim.core.units import S
from tests.sim.test_invariants import ModelPromises

SIM = settings.get_profile("sim")
MACHINE_SETTINGS = settings(SIM, max_examples=60, stateful_step_count=40)


class Lessons(ModelPromises):
    """Drives a Demo with the lessons' actions mixed with kills, restarts and removals."""

    mode = "stateless"
    extra: tuple = ()  # (field, value) pairs of config

    def __init__(self) -> None:
        super().__init__()
        self.demo = Demo(Scenario(3, build_config({"mode": self.mode, **dict(self.extra)})))
        self.model = self.demo.model
        self.failed_over = False

    def names(self) -> list[str]:
        return [s.name for s in self.model.servers]

    @rule(tabs=st.sampled_from([1, 2]))
    def request(self, tabs: int) -> None:
        self.demo.act({"type": "request", "tabs": tabs})

    @rule(seconds=st.sampled_from([1, 5, 20, 40]))
    def advance(self, seconds: int) -> None:
        self.demo.act({"type": "advance", "ns": seconds * S})

    @rule()
    def deploy(self) -> None:
        self.demo.act({"type": "deploy"})

    @rule()
    def failover_store(self) -> None:
        self.failed_over = True
        self.demo.act({"type": "failover_store"})

    @rule()
    def restore_store(self) -> None:
        self.demo.act({"type": "restore_store"})

    @rule(data=st.data())
    def kill(self, data: st.DataObject) -> None:
        self.demo.act({"type": "kill", "server": data.draw(st.sampled_from(self.names()))})

    @rule(data=st.data())
    def restart(self, data: st.DataObject) -> None:
        self.demo.act({"type": "restart", "server": data.draw(st.sampled_from(self.names()))})

    @precondition(lambda self: len(self.model.servers) > 1)
    @rule()
    def remove_server(self) -> None:
        self.demo.act({"type": "remove_server"})

    @precondition(lambda self: len(self.model.servers) < 5)
    @rule()
    def add_server(self) -> None:
        self.demo.act({"type": "add_server"})

    @rule(rate=st.sampled_from([0, 20]))
    def traffic(self, rate: int) -> None:
        self.demo.act({"type": "traffic", "rate_per_s": rate})

    @invariant()
    def drain_and_maintenance_belong_to_the_server_being_replaced(self) -> None:
        rollout = self.model.deploy
        for server in self.model.servers:
            if server.drain or server.held_down:
                assert rollout is not None and rollout.server is server

    @invariant()
    def the_snapshot_draws_the_deploy_and_the_store(self) -> None:
        snap = json.loads(self.demo.snapshot_json())
        deploy = snap["deploy"]
        assert deploy is None or deploy["phase"] in ("draining", "stopped", "starting")
        roles = sorted(node["role"] for node in snap["store"]["nodes"])
        assert roles in (["primary", "replica"], ["down", "primary"])
        for server in snap["servers"]:
            assert server["lb_status"] in ("up", "drain", "down")

    @invariant()
    def stateless_loses_nothing_without_a_failover(self) -> None:
        # Two tabs may lose an update with read-modify-write: the stateless run is atomic.
        if self.mode == "stateless" and not self.failed_over:
            assert self.model.item_counts()["lost_items"] == 0

    def teardown(self) -> None:
        """Ten quiet minutes finish every deploy and failover."""
        self.demo.act({"type": "traffic", "rate_per_s": 0})
        self.demo.act({"type": "advance", "ns": 600 * S})
        assert self.model.deploy is None
        assert self.model.store.failover is None
        assert not any(s.drain or s.held_down for s in self.model.servers)


class StatelessLessons(Lessons):
    mode = "stateless"
    extra = (("store_update", "atomic"),)


class StatelessWaitLessons(Lessons):
    """Writes wait for the replica: a failover loses nothing acknowledged either."""

    mode = "stateless"
    extra = (("store_update", "atomic"), ("store_wait", True))

    @invariant()
    def nothing_acknowledged_is_lost(self) -> None:
        assert self.model.item_counts()["lost_items"] == 0


class StatefulLessons(Lessons):
    mode = "stateful"


class ReplicatedLessons(Lessons):
    mode = "replicated"


TestStateless = StatelessLessons.TestCase
TestStateless.settings = MACHINE_SETTINGS
TestStatelessWait = StatelessWaitLessons.TestCase
TestStatelessWait.settings = MACHINE_SETTINGS
TestStateful = StatefulLessons.TestCase
TestStateful.settings = MACHINE_SETTINGS
TestReplicated = ReplicatedLessons.TestCase
TestReplicated.settings = MACHINE_SETTINGS
