"""The state of a run in one place, and the actions a learner (or a test) takes on it.

The rules live in modules of functions that act on this state, one concern each:
`requests` (the life of a request), `sessions` (carts), `replication` (backup copies),
`faults` (kills, restarts, servers added and removed, store outages), `checks` (health
checks), `workload` (the Chaos Monkey and background traffic), `deploy` and `failover`. Each
hands what happened to `note` as a typed record (`records`); the words are sim/story's.
"""

from collections.abc import Callable
from random import Random

from sim.core import (
    checks,
    deploy,
    failover,
    faults,
    rebalance,
    requests,
    sessions,
    source_hash,
    store_crash,
    visits,
    workload,
)
from sim.core.balancer import Balancer
from sim.core.cluster import DEMO_USER, Copy, Request, Server, User
from sim.core.config import MODE_RULES, SERVER_NAMES, Config
from sim.core.errors import ScenarioError
from sim.core.events import EventQueue
from sim.core.latency import Latency
from sim.core.metrics import Metrics, Series
from sim.core.records import Record, Started, TabsSent, Unchanged
from sim.core.store import Store
from sim.core.units import MS, S

# Independent random streams, one per concern, so that switching traffic on does not move
# the chaos schedule, and `compare` meets the same faults in every mode. Each is seeded by
# (stream << 32) | seed, which is unique for seeds below 2**32.
STREAM_MODEL, STREAM_TRAFFIC, STREAM_CHAOS, STREAM_VISITS = 0, 1, 2, 3


def stream(seed: int, number: int) -> Random:
    """Return the seeded random stream `number` of a run."""
    return Random((number << 32) | seed)


class Model:
    """A load balancer, servers, a shared store, users, faults, traffic and a Chaos Monkey."""

    def __init__(
        self,
        config: Config,
        seed: int,
        record: bool = True,
        listener: Callable[[Record, int], None] | None = None,
    ) -> None:
        """Build the cluster of `config` at time 0. `record`: keep the chart, the balancer's
        X
                happen; a model that does not record (Compare's other modes) stays cheap."""
        self.config = config
        self.rules = MODE_RULES[config.mode]
        self.seed = seed
        self.record = record
        self.listener = listener if record else None
        # An answer wakes its user's next request: requests.wake, handed to `answers` here so
        # that answers need not import requests (which imports answers).
        self.wake = requests.wake
        self.begin = requests.plan_accepted  # a freed thread starts a waiting request (capacity)
        self.queue = EventQueue(self)
        self.rng = stream(seed, STREAM_MODEL)
        self.traffic_rng = stream(seed, STREAM_TRAFFIC)
        self.chaos_rng = stream(seed, STREAM_CHAOS)
        self.latency = Latency(config, self.rng)
        self.servers = [Server(name) for name in SERVER_NAMES[: config.servers]]
        self.draining: list[Server] = []  # removed, finishing the requests inside them
        self.store = Store(
            config.store_wait, config.store_replication_lag_ms * MS, config.store_persistence
        )
        self.balancer = Balancer(config.policy, explain=record, hash_type=config.hash_type)
        self.balancer.on_remap = lambda old, new: source_hash.remapped(self, old, new)
        self.remap: dict | None = None  # the last change of the servers a source hash spans
        self.servers_added = self.servers_removed = 0  # by Add and Remove server
        self.added: rebalance.Added | None = None  # the last add, and when it had its share
        self.visits = (
            None
            if not config.visit_s
            else visits.Visits(config.visit_s, config.traffic_users, stream(seed, STREAM_VISITS))
        )
        self.users: dict[str, User] = {DEMO_USER: User(DEMO_USER)}
        # Background users by index, as traffic draws them (filled on first use): a list is
        # cheaper than naming one and looking it up, 50 times a simulated second.
        self.traffic_pool: list[User | None] = [None] * config.traffic_users
        self.metrics = Metrics()
        self.series = Series(config.series_bucket_ms * MS)
        self.request_seq = 0
        self.session_seq = 0
        self.active = 0  # requests sent and not yet answered
        self.waiting = 0  # requests waiting for their user's previous answer
        self.chaos_on = False
        self.chaos_gen = 0
        self.next_kill_ns: int | None = None
        self.traffic_milli = 0  # requests per 1,000 s, so the rate stays an integer
        self.traffic_gen = 0
        self.deploy: deploy.Rollout | None = None
        checks.start(self)
        self.note(Started(config.mode))

    def note(self, record: Record) -> None:
        """Hand a record of what happened, and the time, to the listener if any."""
        if self.listener is not None:
            self.listener(record, self.queue.now)

    @property
    def now(self) -> int:
        """The simulated time in nanoseconds."""
        return self.queue.now

    def server(self, name: str) -> Server:
        """Return the server called `name`, or raise ScenarioError."""
        for server in self.servers:
            if server.name == name:
                return server
        names = ", ".join(s.name for s in self.servers)
        raise ScenarioError(f"there is no Server {name} (servers: {names})")

    def cluster(self) -> list[Server]:
        """Every server with a running process or a place in the cluster: the balancer's,
        and removed ones still finishing their requests, in name order."""
        if not self.draining:
            return self.servers
        return sorted(self.servers + self.draining, key=lambda server: server.name)

    def user(self, user_id: str) -> User:
        """Return the user `user_id`, creating it on first use."""
        user = self.users.get(user_id)
        if user is None:
            user = self.users[user_id] = User(user_id)
        return user

    # -- actions -------------------------------------------------------------------------

    def request(self, tabs: int = 1) -> Request:
        """The demo user adds one item from each of `tabs` tabs at once, sharing its cookies;
        time runs until every answer has arrived. Return the request answered last."""
        user = self.users[DEMO_USER]
        if tabs > 1:
            self.note(TabsSent(tabs))
        sent = [requests.start(self, user) for _ in range(tabs)]
        limit = self.now + 24 * 3600 * S
        queue = self.queue
        for req in sent:
            while not req.finished:
                next_time = queue.next_time()
                if next_time is None or next_time > limit:
                    raise AssertionError("a request never finished")  # a model bug, not input
                queue.step()
        last = max(sent, key=lambda r: r.done_ns)
        queue.run_until(last.done_ns)
        # One tab's answer is the cart shown; of several, each tab keeps its own, in the order
        # sent, and the one that arrived last is the cart shown.
        user.tab_answers = tuple((req.shown, req.done_ns) for req in sent) if tabs > 1 else ()
        if tabs > 1:
            for req in sorted(sent, key=lambda r: r.done_ns):
                if req.shown is not None:
                    user.cart_items = req.shown
        return last

    def advance(self, duration_ns: int) -> None:
        """Let simulated time pass."""
        self.queue.run_until(self.now + duration_ns)

    def kill(self, server: Server, kind: str | None = None, cause: str = "") -> None:
        """Kill a server (a dead one is only logged)."""
        if server.alive:
            faults.kill(self, server, kind, cause)
        else:
            self.note(Unchanged(server.name, server.alive))

    def restart(self, server: Server, cause: str = "") -> None:
        """Restart a dead server, empty (a live one is only logged)."""
        if server.alive:
            self.note(Unchanged(server.name, server.alive))
        else:
            faults.restart(self, server, cause)

    def add_server(self) -> Server:
        """Add a server, empty and believed up at once."""
        server = faults.add_server(self)
        rebalance.added(self, server)
        self._rehash()
        return server

    def remove_server(self) -> None:
        """Remove the last server; the requests inside it finish."""
        server = self.servers[-1]
        faults.remove_server(self)
        rebalance.removed(self, server)
        self._rehash()

    def _rehash(self) -> None:
        """A source hash sees a server added or removed at once (not at the next request)."""
        if self.balancer.policy == "source":
            self.balancer.rehash(self.servers)

    def deploy_all(self) -> None:
        """Start a rolling deploy; it runs as time passes."""
        deploy.start(self)

    def fail_over_store(self) -> None:
        """The store's primary dies; Sentinel promotes the replica as time passes."""
        failover.start(self)

    def kill_store(self, kind: str = "unreachable") -> None:
        """Make the shared store unreachable, or kill its primary's Redis process ("crash")."""
        if kind == "crash":
            store_crash.crash(self)
        else:
            faults.kill_store(self)

    def restore_store(self) -> None:
        """Bring the shared store back, with its data (a primary Sentinel has not yet called
        down simply answers again; a killed process restarts with what its disk kept)."""
        if not store_crash.restart(self) and not failover.primary_back(self):
            faults.restore_store(self)

    def set_store_latency(self, added_ns: int) -> None:
        """Add latency to each store round trip from now on."""
        faults.set_store_latency(self, added_ns)

    def set_chaos(self, on: bool) -> None:
        """Switch the Chaos Monkey on or off."""
        workload.set_chaos(self, on)

    def set_traffic(self, rate_milli: int) -> None:
        """Send background traffic at rate_milli/1000 requests per second (0: off)."""
        workload.set_traffic(self, rate_milli)

    # -- reading the state ---------------------------------------------------------------

    def current_cart(self, user: User) -> Copy | None:
        """Return the copy of the user's cart that a read would find now (omniscient)."""
        return sessions.current_cart(self, user)

    def lost_items(self, user: User) -> int:
        """Items acknowledged to `user` that no copy of its cart holds now."""
        return sessions.lost_items(user, sessions.current_cart(self, user))

    def item_counts(self) -> dict:
        """Return acknowledged, present and lost items over all users."""
        return sessions.item_counts(self)
