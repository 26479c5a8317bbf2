"""Latency draws: every duration is integer nanoseconds from `Random.random()` and arithmetic.

No log/exp on the way (maths libraries differ between platforms), so CPython and Pyodide
draw identical values. Jitter is uniform; the sources of each base figure are in config.py.
"""

from random import Random

from sim.config import Config

US = 1_000
MS = 1_000_000
S = 1_000_000_000

# int(x) for a float x, called straight on float (hot path: int() goes through the generic
# type call, about four times the instructions in CPython 3.11); the same value everywhere.
trunc = float.__trunc__


class Latency:
    """Draws the duration of each step of a request from one seeded stream."""

    __slots__ = (
        "hop_half",
        "hop_span",
        "jitter_span",
        "lb_hop",
        "random",
        "replication",
        "replication_half",
        "replication_span",
        "session_read",
        "store_jitter",
        "store_rtt",
        "work",
        "work_half",
        "work_span",
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
        # For the model's hot paths, which draw `half + trunc(random() * span)`: the halves
        # precomputed, the spans as floats, so CPython 3.11 multiplies two floats (a
        # specialised instruction), not a float by an int. Same product: the ints convert
        # to floats exactly.
        self.hop_half, self.hop_span = self.lb_hop // 2, float(self.lb_hop)
        self.work_half, self.work_span = self.work // 2, float(self.work)
        self.replication_half = self.replication // 2
        self.replication_span = float(self.replication)
        self.jitter_span = float(self.store_jitter)

    def _around(self, base_ns: int) -> int:
        """Return a draw uniform in [base/2, 3*base/2): mean base."""
        return base_ns // 2 + trunc(self.random() * base_ns)

    def hop(self) -> int:
        """One way between the balancer and a server."""
        return self._around(self.lb_hop)

    def server_work(self) -> int:
        """The server's own work for one request."""
        return self._around(self.work)

    def store_round_trip(self, added_ns: int) -> int:
        """One store operation, network included, plus any added link latency."""
        return self.store_rtt + trunc(self.random() * self.store_jitter) + added_ns

    def replication_round_trip(self) -> int:
        """A synchronous copy of a session to its backup server and the acknowledgement."""
        return self._around(self.replication)
