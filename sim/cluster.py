"""The pieces of the cluster as plain mutable records: users, servers, the store, cart copies."""

from sim.config import SERVER_NAMES

DEMO_USER = "you"  # the learner; background users are u1..uN


class Copy:
    """One copy of a cart: in a server's memory (a session or its backup) or in the store.

    `acked` counts the items of this copy that were acknowledged to the user; an item written
    but never acknowledged (its server died before answering) is in `items` only.
    """

    __slots__ = ("acked", "items", "peer", "sid")

    def __init__(self, sid: int, items: int = 0, acked: int = 0) -> None:
        """Make a copy of session `sid`."""
        self.sid = sid
        self.items = items
        self.acked = acked
        self.peer: str | None = None  # where the other copy lives (replication)

    def clone(self) -> "Copy":
        """Return an independent copy with the same content."""
        return Copy(self.sid, self.items, self.acked)


class User:
    """A browser: one cart, cookies for affinity and session, one request at a time."""

    __slots__ = (
        "acked",
        "affinity",
        "attempted",
        "busy",
        "cart_items",
        "free_at",
        "id",
        "pending",
        "sid",
        "waking",
    )

    def __init__(self, user_id: str) -> None:
        """Start with no cookies and an empty cart."""
        self.id = user_id
        self.affinity: str | None = None  # the balancer's sticky cookie (a server name)
        self.sid: int | None = None  # the application's session cookie
        self.acked = 0  # items acknowledged to this user
        self.attempted = 0  # add-item requests this user has sent
        self.cart_items = 0  # the count the last successful response showed
        self.busy = False
        self.free_at = 0
        self.pending = 0  # requests waiting for the previous one to finish
        self.waking = False


class Server:
    """An application server and what the balancer believes about it."""

    __slots__ = (
        "alive",
        "attached",
        "backups",
        "draining",
        "fails_in_a_row",
        "health",
        "in_flight",
        "incarnation",
        "kill_kind",
        "killed_at_ns",
        "lb_up",
        "member",
        "name",
        "requests",
        "sessions",
    )

    def __init__(self, name: str) -> None:
        """Start alive, empty, and believed up (HAProxy assumes a new server is up)."""
        self.name = name
        self.alive = True
        # In the cluster's membership (Tomcat's view), which outlives a death until the
        # membership drop: until then the server stays a backup target.
        self.member = True
        self.incarnation = 0
        self.killed_at_ns: int | None = None
        self.kill_kind: str | None = None
        self.lb_up = True
        self.draining = False  # removed from the balancer, finishing the requests inside
        self.health = 0  # HAProxy's check health counter; see checks.py
        self.fails_in_a_row = 0
        self.requests = 0
        self.in_flight = 0
        self.sessions: dict[str, Copy] = {}  # user id -> primary copy
        self.backups: dict[str, Copy] = {}  # user id -> backup copy
        self.attached: dict[int, object] = {}  # request seq -> request heading here or inside

    def wipe(self) -> None:
        """Lose everything in memory."""
        self.sessions = {}
        self.backups = {}


class Store:
    """The shared store (Shared DB / Redis): durable, so a kill makes it unreachable, not empty."""

    __slots__ = ("added_latency_ns", "attached", "carts", "up")

    def __init__(self) -> None:
        """Start up and empty."""
        self.up = True
        self.added_latency_ns = 0
        self.carts: dict[str, Copy] = {}
        self.attached: dict[int, object] = {}


def next_server_name(servers: list[Server]) -> str | None:
    """Return the first letter not in use, or None when all are taken."""
    used = [s.name for s in servers]
    for letter in SERVER_NAMES:
        if letter not in used:
            return letter
    return None
