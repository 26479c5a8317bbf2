"""The shared store (Shared DB / Redis) as a plain mutable record: its primary and replica,
what is up, what a write meets, the writes the replica may not have yet."""

from collections import deque

from sim.core.cluster import Copy
from sim.core.disk import Disk


class Store:
    """The shared store (Shared DB / Redis): a primary and one replica, durable, so a kill
    makes it unreachable, not empty; a failover (failover.py) promotes the replica."""

    __slots__ = (
        "added_latency_ns",
        "attached",
        "carts",
        "disk",
        "failed",
        "failover",
        "keep_ns",
        "last_write",
        "meets",
        "ops",
        "primary",
        "recent",
        "replica",
        "unreplicated",
        "up",
        "wait",
    )

    def __init__(self, wait: bool = False, lag_ns: int = 0, persistence: str = "rdb") -> None:
        """Start up and empty: R1 the primary, R2 its replica trailing by `lag_ns`; `wait`:
        each write waits for the replica (WAIT); the primary persists as `persistence` says."""
        self.up = True  # false: no store at all (kill_store unreachable)
        self.disk = Disk(persistence)
        self.wait = wait
        # How long a write stays at risk: the lag, or nothing when writes wait for the replica.
        self.keep_ns = 0 if wait else lag_ns
        self.meets: str | None = None  # see settle()
        self.primary = "R1"
        self.replica: str | None = "R2"
        self.failed: str | None = None  # a primary that died and was replaced, still down
        self.failover: tuple | None = None  # (phase, until_ns) while Sentinel fails over
        # (when, user id, items before, acked before) of acknowledged writes the replica may
        # not have yet: those within the replication lag.
        self.recent: deque[tuple] = deque()
        # user id -> (items, acked) of carts a dead primary held beyond its replica's copy,
        # until Sentinel promotes the replica (a primary back before that still has them).
        self.unreplicated: dict[str, tuple] = {}
        self.added_latency_ns = 0
        self.ops = [-2, 0, 0]  # commands answered per series bucket (capacity.py `_count`)
        self.carts: dict[str, Copy] = {}
        self.attached: dict[int, object] = {}
        # user id -> (when, items before, acked before) of the cart's last write: what a
        # read made before that write saw (read-modify-write, sessions.save_to_store).
        self.last_write: dict[str, tuple] = {}

    def can_restore_primary(self) -> bool:
        """Whether a failed-over primary can come back (as a replica): one failed, and no
        failover under way."""
        return self.failed is not None and self.failover is None

    def reachable(self) -> bool:
        """Whether a server can read and write carts now (a primary is up and known)."""
        return self.up and self.failover is None and self.disk.down_until is None

    def settle(self) -> None:
        """After any change: what a request's store operations meet from now on: None,
        "load" (unreachable: it fails at its first operation) or "wait" (its write waits for
        a replica there is not: WAIT blocks until one acknowledges or its time-out)."""
        if not self.reachable():
            self.meets = "load"
        elif self.wait and self.replica is None:
            self.meets = "wait"
        else:
            self.meets = None

    def remember(self, now: int, uid: str, items: int, acked: int) -> None:
        """Keep a write the replica may not have yet (the cart's counts before it)."""
        recent = self.recent
        recent.append((now, uid, items, acked))
        while recent[0][0] <= now - self.keep_ns:
            recent.popleft()
