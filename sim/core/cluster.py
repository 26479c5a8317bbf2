"""The pieces of the cluster as plain mutable records: users, servers, cart copies, requests
(the store is in store.py)."""

from collections import deque

from sim.core.config import SERVER_NAMES

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
        # The server holding the other copy (replication): a primary's backup holder, or a
        # backup's primary.
        self.peer: Server | None = None

    def clone(self) -> "Copy":
        """Return an independent copy with the same content."""
        return Copy(self.sid, self.items, self.acked)


def belongs(copy: Copy | None, sid: int | None) -> bool:
    """Whether `copy` is a copy of session `sid` (a user's cookie may name an older one)."""
    return copy is not None and copy.sid == sid


def items_of(copy: Copy | None, sid: int | None) -> int | None:
    """The items of `copy` if it is a copy of session `sid`, else None."""
    return copy.items if belongs(copy, sid) else None


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
        "stranded_sid",
        "tab_answers",
        "waking",
    )

    def __init__(self, user_id: str) -> None:
        """Start with no cookies and an empty cart."""
        self.id = user_id
        self.affinity: str | None = None  # the balancer's sticky cookie (a server name)
        self.sid: int | None = None  # the application's session cookie
        self.stranded_sid: int | None = None  # the last session counted lost while it lived on
        self.acked = 0  # items acknowledged to this user
        self.attempted = 0  # add-item requests this user has sent
        self.cart_items = 0  # the count the last successful response showed
        self.tab_answers: tuple = ()  # (shown or None, done_ns) per tab of the last two-tab send
        self.busy = False
        self.free_at = 0
        self.pending = 0  # requests waiting for the previous one to finish
        self.waking = False


class Server:
    """An application server and what the balancer believes about it."""

    __slots__ = (
        "alive",
        "attached",
        "backup_cursor",
        "backups",
        "busy",
        "drain",
        "draining",
        "fails_in_a_row",
        "health",
        "held_down",
        "in_flight",
        "incarnation",
        "kill_kind",
        "killed_at_ns",
        "lb_up",
        "member",
        "name",
        "requests",
        "rps",
        "sessions",
        "waiting",
    )

    def __init__(self, name: str) -> None:
        """Start alive, empty, and believed up (HAProxy assumes a new server is up)."""
        self.name = name
        self.alive = True
        # In the cluster's membership (Tomcat's view), which outlives a death until the
        # membership drop: until then the server stays a backup target.
        self.member = True
        self.backup_cursor = 0  # where its round robin of backup members stands
        self.incarnation = 0
        self.killed_at_ns: int | None = None
        self.kill_kind: str | None = None
        self.lb_up = True
        self.draining = False  # stopping: finishing the requests inside (removed, or deployed)
        self.drain = False  # HAProxy's drain state: no new non-persistent traffic
        self.held_down = False  # marked down by a deploy until its old process stops
        self.health = 0  # HAProxy's check health counter; see checks.py
        self.fails_in_a_row = 0
        self.requests = 0
        self.in_flight = 0
        self.sessions: dict[str, Copy] = {}  # user id -> primary copy
        self.backups: dict[str, Copy] = {}  # user id -> backup copy
        self.attached: dict[int, object] = {}  # request seq -> request heading here or inside
        self.busy, self.waiting, self.rps = 0, deque(), [-2, 0, 0]  # see capacity.py

    def wipe(self) -> None:
        """Lose everything in memory."""
        self.sessions = {}
        self.backups = {}


def next_server_name(servers: list[Server]) -> str | None:
    """Return the first letter not in use, or None when all are taken."""
    used = [s.name for s in servers]
    for letter in SERVER_NAMES:
        if letter not in used:
            return letter
    return None


class Request:
    """One add-item request on its way through the cluster."""

    __slots__ = (
        "announced",
        "backup",
        "cart",
        "copy_failures",
        "done_ns",
        "doomed",
        "draws",
        "failures",
        "finished",
        "gen",
        "origin",
        "persistent",
        "proxy_failure",
        "reasons",
        "refused",
        "republished",
        "retried",
        "retry",
        "seq",
        "server",
        "session_lost",
        "shown",
        "sid",
        "source",
        "start_ns",
        "store_fail",
        "t_conn",
        "t_kill",
        "t_send",
        "tried",
        "user",
        "vanished",
        "waited",
    )

    def __init__(self, seq: int, user: User, start_ns: int) -> None:
        """Start a request of `user` at start_ns, not yet sent to a server."""
        self.seq = seq
        self.user = user
        self.start_ns = start_ns
        self.gen = 0  # bumped at each re-plan: events of an older plan are ignored
        self.server: Server | None = None
        self.tried: list[str] = []  # server names, in the order the balancer tried them
        # The balancer's reason for each choice, as a code and its facts (None: unexplained).
        self.reasons: list[tuple | None] = []
        # Failed connections, for the trace: (server, sent, arrived, failed, vanished, wait).
        self.failures: tuple = ()
        self.draws: tuple | None = None
        self.origin: str | None = None  # where its session came from (None: stateless)
        self.source: str | None = None  # the server it was fetched from, if it was
        self.backup: Server | None = None  # where the session was copied, if it was
        self.session_lost = False  # a session cookie named a session no copy holds any more
        self.sid = user.sid  # the session cookie it was sent with
        self.cart: Copy | None = None  # the session copy it changed (session modes)
        self.shown: int | None = None  # the cart its answer showed (None: a failure)
        # Copies to dead members: (member, vanished, failed at, the detector's check ns).
        self.copy_failures: tuple = ()
        self.republished = (0, 0)  # sessions re-published after a failed copy, and the time
        # A failed MSG_PROXY: (started, failed at, ((member, check ns), ...), vanished,
        # re-published sessions, their time).
        self.proxy_failure: tuple | None = None
        self.announced: tuple[str, ...] = ()  # the members told of its new session (MSG_PROXY)
        self.vanished = False  # how the server died, when it died with the request inside
        self.refused = False  # the connection failed: the server was dead when it arrived
        self.store_fail: str | None = None  # "load" or "save": the store was down then
        self.doomed = False  # its server died while handling it
        self.persistent = False  # sent where its cookie said (HAProxy's SF_DIRECT)
        self.retry: tuple | None = None  # (server, reason) of a retry after a turn-around
        self.retried = self.finished = False
        self.waited = 0  # how long it waited for a thread (or in the backlog)
        self.t_send = self.t_conn = self.t_kill = self.done_ns = start_ns

    @property
    def load_land(self) -> int:
        """When a stateless request's cart load reaches the store."""
        return self.t_conn + self.draws[0] // 2

    @property
    def save_land(self) -> int:
        """When a stateless request's cart save reaches the store."""
        load, work, save = self.draws
        return self.t_conn + load + work + save // 2
