"""Latency draws: every duration is integer nanoseconds from `Random.random()` and arithmetic.

No log/exp on the way (maths libraries differ between platforms), so CPython and Pyodide
draw identical values. Jitter is uniform; the sources of each base figure are in config.py.
"""

from random import Random

from sim.core.config import Config
from sim.core.units import US

# int() of a float, called on float directly: int() goes through the generic type call, about
# four times the instructions in CPython 3.11, and a request makes five draws. Same value.
trunc = float.__trunc__


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
        self.session_read = config.session_read_ns
        self.store_rtt = config.store_round_trip_us * US
        hop = config.lb_hop_us * US
        work = config.server_work_us * US
        replication = config.replication_round_trip_us * US
        self.hop_half, self.work_half = hop // 2, work // 2
        self.replication_half = replication // 2
        # The spans as floats, which a random() multiplies exactly (they are far below 2**53),
        # and faster: CPython 3.11 specialises a float times a float, not a float times an int.
        self.lb_hop, self.work, self.replication = float(hop), float(work), float(replication)
        self.store_jitter = float(config.store_jitter_us * US)

    def hop(self) -> int:
        """One way between the balancer and a server."""
        return self.hop_half + trunc(self.random() * self.lb_hop)

    def server_work(self) -> int:
        """The server's own work for one request."""
        return self.work_half + trunc(self.random() * self.work)

    def stateless_request(self, added_ns: int, wait: bool = False) -> tuple[int, int, int]:
        """A stateless request's cart load from the store, its work, and the cart save, drawn
        in that order; each store operation is its round trip, up to the jitter more, and any
        latency added to the link. `wait`: the save also waits for the replica (WAIT 1 0),
        one more round trip, from the primary to its replica, drawn last."""
        store = self.store_rtt + added_ns
        load = store + trunc(self.random() * self.store_jitter)
        work = self.work_half + trunc(self.random() * self.work)
        save = store + trunc(self.random() * self.store_jitter)
        if wait:
            save += self.store_rtt + trunc(self.random() * self.store_jitter)
        return load, work, save

    def replication_round_trip(self) -> int:
        """A synchronous copy of a session to its backup server and the acknowledgement."""
        return self.replication_half + trunc(self.random() * self.replication)
