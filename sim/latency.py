"""Latency draws: every duration is integer nanoseconds from `Random.random()` and arithmetic.

No log/exp on the way (maths libraries differ between platforms), so CPython and Pyodide
draw identical values. Jitter is uniform; the sources of each base figure are in config.py.
"""

from random import Random

from sim.config import Config
from sim.units import US


class Latency:
    """Draws the duration of each step of a request from one seeded stream.

    A hop, the server's work and a replication round trip are uniform in [base/2, 3*base/2)
    (mean: the base); a store operation is its round trip plus up to the jitter.
    """

    __slots__ = (
        "hop_half",
        "lb_hop",
        "random",
        "replication",
        "replication_half",
        "session_read",
        "store_jitter",
        "store_rtt",
        "work",
        "work_half",
    )

    def __init__(self, config: Config, rng: Random) -> None:
        """Keep the base figures in nanoseconds and the stream to draw from."""
        self.random = rng.random
        self.lb_hop = config.lb_hop_us * US
        self.work = config.server_work_us * US
        self.session_read = config.session_read_ns
        self.store_rtt = config.store_round_trip_us * US
        self.store_jitter = config.store_jitter_us * US
        self.replication = config.replication_round_trip_us * US
        self.hop_half = self.lb_hop // 2
        self.work_half = self.work // 2
        self.replication_half = self.replication // 2

    def hop(self) -> int:
        """One way between the balancer and a server."""
        return self.hop_half + int(self.random() * self.lb_hop)

    def server_work(self) -> int:
        """The server's own work for one request."""
        return self.work_half + int(self.random() * self.work)

    def store_round_trip(self, added_ns: int) -> int:
        """One store operation, network included, plus any added link latency."""
        return self.store_rtt + int(self.random() * self.store_jitter) + added_ns

    def replication_round_trip(self) -> int:
        """A synchronous copy of a session to its backup server and the acknowledgement."""
        return self.replication_half + int(self.random() * self.replication)
