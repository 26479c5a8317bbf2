"""Property test: under random kills, restarts, adds, removals and traffic, a saturated
cluster's threads and queues keep Tomcat's limits and never hold a request they should not."""

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from sim.browser.facade import Demo
from sim.browser.scenario import Scenario
from sim.core.config import build_config
from sim.core.units import MS

SIM = settings.get_profile("sim")
LIMITS = {
    "server_threads": 2,
    "server_max_connections": 3,
    "accept_queue": 2,
    "server_work_us": 16_000,
    "traffic_users": 40,
    "visit_s": 5,
}


class Saturated(RuleBasedStateMachine):
    """Drives a Demo whose servers are too small for the traffic."""

    def __init__(self) -> None:
        super().__init__()
        self.demo = Demo(Scenario(7, build_config({"mode": "stateful", **LIMITS})))
        self.model = self.demo.model
        self.demo.act({"type": "traffic", "rate_per_s": 200})

    def names(self) -> list[str]:
        return [s.name for s in self.model.servers]

    @rule(ms=st.integers(0, 3_000))
    def advance(self, ms: int) -> None:
        self.demo.act({"type": "advance", "ns": ms * MS})

    @rule(data=st.data())
    def kill(self, data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(self.names()))
        kind = data.draw(st.sampled_from(["crash", "vanish"]))
        self.demo.act({"type": "kill", "server": name, "kind": kind})

    @rule(data=st.data())
    def restart(self, data: st.DataObject) -> None:
        self.demo.act({"type": "restart", "server": data.draw(st.sampled_from(self.names()))})

    @precondition(lambda self: len(self.model.servers) < 5)
    @rule()
    def add_server(self) -> None:
        self.demo.act({"type": "add_server"})

    @precondition(lambda self: len(self.model.servers) > 1)
    @rule()
    def remove_server(self) -> None:
        self.demo.act({"type": "remove_server"})

    @invariant()
    def threads_and_queues_keep_their_limits(self) -> None:
        for server in self.model.cluster():
            assert 0 <= server.busy <= LIMITS["server_threads"]
            held = server.busy + len(server.waiting)
            assert held <= LIMITS["server_max_connections"] + LIMITS["accept_queue"]
            if not server.alive:
                assert server.busy == 0 and not server.waiting
            for req in server.waiting:
                assert server.attached.get(req.seq) is req  # its connection is open
                assert not req.refused and not req.doomed and not req.finished

    @invariant()
    def every_request_is_answered_once(self) -> None:
        metrics = self.model.metrics
        assert metrics.requests == metrics.ok + metrics.failed
        assert self.model.active >= 0


TestSaturated = Saturated.TestCase
TestSaturated.settings = settings(SIM, max_examples=40, stateful_step_count=30)
