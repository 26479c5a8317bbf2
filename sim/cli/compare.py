"""The same traffic and the same faults through every mode, for a side-by-side comparison.

Traffic: `users` simulated users at COMPARE_RATE_PER_S requests per second, each request adding
one item to its user's cart (a user waits for one answer before the next request). Chaos:
`chaos_per_1000` server kills per 1,000 requests, decided by request index from a stream of
their own, so every mode meets the same faults; killed servers restart empty after the
configured time; the last live server is never killed. At the end every cart is read.
"""

from sim.core import requests, workload
from sim.core.config import MODES, Config, build_config
from sim.core.errors import ScenarioError
from sim.core.latency import trunc
from sim.core.model import Model, stream
from sim.core.units import S

COMPARE_RATE_PER_S = 100
STREAM_LOAD, STREAM_FAULTS = 3, 4
MAX_REQUESTS = 10_000_000
KEYS = (
    "requests",
    "ok",
    "failed",
    "retried",
    "acknowledged_items",
    "lost_items",
    "lost_sessions",
    "p50_ms",
    "p95_ms",
    "p99_ms",
)


class Workload:
    """Feeds a model N requests and the kills scheduled by request index."""

    def __init__(self, model: Model, requests: int, seed: int, chaos_per_1000: float) -> None:
        """Prepare the two seeded streams: arrivals and users, and faults."""
        self.model = model
        self.remaining = requests
        self.load = stream(seed, STREAM_LOAD)
        self.faults = stream(seed, STREAM_FAULTS)
        self.chaos = chaos_per_1000
        count = model.config.traffic_users
        self.users = [model.user(f"u{1 + i}") for i in range(count)]
        self.users_span = float(count)

    def _schedule(self) -> None:
        """Schedule the next arrival (workload.arrival_gap, at the compare rate)."""
        gap = workload.arrival_gap(self.load, S // COMPARE_RATE_PER_S)
        self.model.queue.push(self.model.queue.now + gap, _arrive, self)

    def start(self) -> None:
        """Schedule the first arrival."""
        if self.remaining:
            self._schedule()

    def run(self) -> None:
        """Run until every request has been answered."""
        model = self.model
        queue = model.queue
        self.start()
        # While requests remain to be sent there is always an arrival scheduled.
        while self.remaining or model.active or model.waiting:
            queue.step()


def _arrive(model: Model, load: Workload, _gen: int) -> None:
    """Maybe kill a server, then send one request."""
    if load.chaos and load.faults.random() * 1000 < load.chaos:
        workload.chaos_kill(model, load.faults)
    user = load.users[trunc(load.load.random() * load.users_span)]
    requests.offer(model, user)
    load.remaining -= 1
    if load.remaining:
        load._schedule()


def run_mode(config: Config, requests: int, seed: int, chaos_per_1000: float = 0.0) -> dict:
    """Run the workload through one configuration; return the comparison figures."""
    model = Model(config, seed, record=False)
    Workload(model, requests, seed, chaos_per_1000).run()
    return figures(model)


def figures(model: Model) -> dict:
    """The comparison figures of a finished run, in KEYS order."""
    metrics = model.metrics
    counts = model.item_counts()
    out = {
        "requests": metrics.requests,
        "ok": metrics.ok,
        "failed": metrics.failed,
        "retried": metrics.retried,
        "acknowledged_items": counts["acknowledged_items"],
        "lost_items": counts["lost_items"],
        "lost_sessions": metrics.lost_sessions,
        **metrics.percentiles(),
    }
    return {key: out[key] for key in KEYS}


def compare(
    requests: int,
    seed: int,
    users: int = 100,
    chaos_per_1000: float = 0.0,
    base: Config | None = None,
) -> dict:
    """Run the same traffic and faults through each mode; return {mode: figures}."""
    if type(requests) is not int or not 1 <= requests <= MAX_REQUESTS:
        raise ScenarioError(f"requests: {requests!r} is not an integer in 1..{MAX_REQUESTS}")
    if type(seed) is not int or not 0 <= seed <= 2**32 - 1:
        raise ScenarioError(f"seed: {seed!r} is not an integer in 0..{2**32 - 1}")
    if type(chaos_per_1000) not in (int, float) or not 0 <= chaos_per_1000 <= 1000:
        raise ScenarioError(f"chaos: {chaos_per_1000!r} is not a rate in 0..1000 per 1,000")
    out = {}
    for mode in MODES:
        config = build_config({"mode": mode, "traffic_users": users}, base)
        out[mode] = run_mode(config, requests, seed, chaos_per_1000)
    return out
