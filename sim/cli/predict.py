"""Predict a real cluster's run: the lab's bindings in, the model's outcome out.

The lab (lab/, outside the browser bundle) records which user was on which server with how
many acknowledged items when it killed a server, when the kill came after HAProxy's first
round of health checks, and when each user sent a request afterwards. This module replays
exactly that in the model: the same configuration, the sessions placed where they were, the
kill at the same moment of the check schedule, the same requests at the same times. It
returns what the model says happened: items and sessions lost, the detection window, the requests'
outcomes. Pure: the bindings are a dict, the prediction a dict.

Bindings (version 1), JSON:
    {"version": 1, "mode": "stateless" | "stateful" | "replicated", "servers": ["A", "B", "C"],
     "config": {"retries": 3, "redispatch": true, "connect_timeout_ms": 5000,
                "server_timeout_ms": 30000, "health_check_interval_ms": 2000,
                "rise": 2, "fall": 3},
     "kill": {"server": "B", "kind": "crash" | "vanish", "at_ms": 6703.0},
     "users": [{"id": "u1", "server": "B" | null, "items": 27, "backup": "C"}, ...],
     "requests_after_kill": [{"user": "u1", "at_ms": 6710.5}, ...]}
A user's `server` is null when its cart is in the store (stateless mode). `backup`
(replicated mode, optional) names the member holding the session's backup; without it the
model picks one as a node does (round robin). Replicated mode's config may also give
`replication_timeout_ms`, `failure_check_timeout_ms` and `membership_drop_ms`. Times are
milliseconds from the first round of health checks, the model's time 0.

Besides the counts, the prediction gives replicated mode's three times after the kill (None
when they do not happen): `member_removed_s`, when the cluster removed the killed member;
`copy_stall_s`, the longest wait of a request whose session had its backup on the killed
member, answered at its first attempt by another server (the copy to the dead member holds
it); `recovery_s`, when the last user whose
session was on the killed server got an answer again.
"""

from sim.core import replication, requests, sessions
from sim.core.config import KILL_KINDS, SERVER_NAMES, build_config
from sim.core.errors import ScenarioError
from sim.core.model import Model
from sim.core.records import MemberLeft, Record, RequestFinished
from sim.core.units import MS, S
from sim.vocabulary import BINDINGS_VERSION, LAB_MODES

CONFIG_KEYS = (
    "retries",
    "redispatch",
    "connect_timeout_ms",
    "server_timeout_ms",
    "health_check_interval_ms",
    "rise",
    "fall",
    "replication_timeout_ms",
    "failure_check_timeout_ms",
    "membership_drop_ms",
)
MAX_USERS = 10_000
MAX_ITEMS = 1_000_000
MAX_REQUESTS = 200_000
MAX_TIME_MS = 3_600_000
SETTLE_NS = 600 * S  # how long after the last request the model may run to settle


def _require(condition: bool, message: str) -> None:
    """Raise ScenarioError(message) unless condition holds."""
    if not condition:
        raise ScenarioError(f"bindings: {message}")


def _time_ns(value: object, where: str) -> int:
    """Milliseconds (a number in 0..MAX_TIME_MS) as integer nanoseconds."""
    ok = type(value) in (int, float) and 0 <= value <= MAX_TIME_MS
    _require(ok, f"{where} {value!r} is not a time in 0..{MAX_TIME_MS} ms")
    return round(value * MS)


def _check_top(bindings: object) -> list[str]:
    """Check version, mode, servers, config and kill; return the server names."""
    _require(isinstance(bindings, dict), "must be an object")
    _require(bindings.get("version") == BINDINGS_VERSION, f"version must be {BINDINGS_VERSION}")
    _require(bindings.get("mode") in LAB_MODES, f"mode must be one of {', '.join(LAB_MODES)}")
    servers = bindings.get("servers")
    ok = isinstance(servers, list) and 1 <= len(servers) <= len(SERVER_NAMES)
    _require(ok and servers == list(SERVER_NAMES[: len(servers)]), "servers must be A, B, C...")
    config = bindings.get("config")
    _require(isinstance(config, dict), "config must be an object")
    unknown = sorted(str(k) for k in config if k not in CONFIG_KEYS)
    _require(not unknown, f"config has unknown field(s) {', '.join(unknown)}")
    kill = bindings.get("kill")
    _require(isinstance(kill, dict), "kill must be an object")
    _require(kill.get("server") in servers, f"kill server {kill.get('server')!r} is not a server")
    _require(kill.get("kind") in KILL_KINDS, f"kill kind {kill.get('kind')!r} is not a kind")
    _time_ns(kill.get("at_ms"), "kill at_ms")
    return servers


def _check_users(bindings: dict, servers: list[str]) -> None:
    """Check the users and the requests after the kill."""
    users = bindings.get("users")
    _require(isinstance(users, list) and len(users) <= MAX_USERS, f"users: at most {MAX_USERS}")
    stateless = bindings["mode"] == "stateless"
    seen = set()
    for user in users:
        _require(isinstance(user, dict), "each user must be an object")
        uid = user.get("id")
        _require(isinstance(uid, str) and uid[1:].isdigit() and uid[:1] == "u", f"user {uid!r}")
        _require(uid not in seen, f"user {uid} appears twice")
        seen.add(uid)
        server = user.get("server")
        where = "null (the store)" if stateless else "a server"
        ok = server is None if stateless else server in servers
        _require(ok, f"user {uid}: server {server!r} must be {where}")
        items = user.get("items")
        ok = type(items) is int and 0 <= items <= MAX_ITEMS
        _require(ok, f"user {uid}: items {items!r} is not in 0..{MAX_ITEMS}")
        backup = user.get("backup")
        ok = backup is None or (bindings["mode"] == "replicated" and backup in servers)
        _require(ok, f"user {uid}: backup {backup!r} must be a server, in replicated mode")
    later = bindings.get("requests_after_kill", [])
    ok = isinstance(later, list) and len(later) <= MAX_REQUESTS
    _require(ok, f"requests_after_kill: a list of at most {MAX_REQUESTS}")
    for request in later:
        ok = isinstance(request, dict) and request.get("user") in seen
        _require(ok, f"request {request!r} is not of a listed user")
        _time_ns(request.get("at_ms"), "request at_ms")


def _run_until(model: Model, until_ns: int, victim: str, kill_ns: int, found: list) -> None:
    """Run the model's events due by until_ns, noting when the victim is marked down."""
    queue = model.queue
    server = model.server(victim)
    while True:
        next_time = queue.next_time()
        if next_time is None or next_time > until_ns:
            break
        queue.step()
        if not found and not server.lb_up and model.now >= kill_ns:
            found.append(model.now)
    queue.run_until(until_ns)


def _place(model: Model, user: dict) -> None:
    """Give a bound user its cart, and in replicated mode its session's backup."""
    sessions.place(model, user["id"], user["server"], user["items"])
    if model.config.mode != "replicated" or user["server"] is None:
        return
    node = model.server(user["server"])
    copy = node.sessions[user["id"]]
    backup = user.get("backup")
    if backup is None or backup == node.name:
        replication.copy_session(model, node, user["id"], copy, fresh=True)
        return
    target = model.server(backup)
    held = target.backups[user["id"]] = copy.clone()
    held.peer, copy.peer = node, target


class _Times:
    """Replicated mode's times after the kill, from the model's records (nanoseconds)."""

    def __init__(self, victim: str, users: list[dict]) -> None:
        """Watch for `victim`'s removal and the answers to its users and the others."""
        self.victim = victim
        # the victim's users not yet answered after the kill
        self.waiting = {u["id"] for u in users if u["server"] == victim}
        self.backups = {u["id"]: u.get("backup") for u in users}  # as each last answer said
        self.kill_ns: int | None = None
        self.removed_ns: int | None = None
        self.recovered_ns: int | None = None
        self.stall_ns: int | None = None

    def __call__(self, record: Record, now: int) -> None:
        """Take one record (the model's listener)."""
        if self.kill_ns is None:
            return
        if isinstance(record, MemberLeft) and record.server == self.victim:
            self.removed_ns = self.removed_ns or now
        if not isinstance(record, RequestFinished):
            return  # (the replay sends no request before the kill)
        if record.status == 200 and record.user in self.waiting:
            self.waiting.discard(record.user)
            if not self.waiting:
                self.recovered_ns = now
        held = self.backups.get(record.user) == self.victim
        if held and record.outcome == "ok" and record.server != self.victim:
            self.stall_ns = max(self.stall_ns or 0, record.latency_ns)
        if record.status == 200:
            self.backups[record.user] = record.backup

    def figures(self) -> dict:
        """The three times in seconds after the kill (None when they did not happen)."""

        def after_kill(when: int | None) -> float | None:
            return None if when is None else round((when - self.kill_ns) / S, 3)

        return {
            "member_removed_s": after_kill(self.removed_ns),
            "copy_stall_s": None if self.stall_ns is None else round(self.stall_ns / S, 3),
            "recovery_s": after_kill(self.recovered_ns) if self.waiting == set() else None,
        }


def predict(bindings: object) -> dict:
    """Replay the bindings in the model; return its prediction (raises ScenarioError)."""
    servers = _check_top(bindings)
    _check_users(bindings, servers)
    kill = bindings["kill"]
    overrides = {
        "mode": bindings["mode"],
        "servers": len(servers),
        "kill_kind": kill["kind"],
        **bindings["config"],
    }
    times = _Times(kill["server"], bindings["users"])
    model = Model(build_config(overrides), seed=1, listener=times)
    kill_ns = _time_ns(kill["at_ms"], "kill at_ms")
    down: list[int] = []
    _run_until(model, kill_ns, kill["server"], kill_ns, down)
    for user in bindings["users"]:
        _place(model, user)
    times.kill_ns = kill_ns
    model.kill(model.server(kill["server"]), kill["kind"])
    later = sorted(bindings.get("requests_after_kill", []), key=lambda r: r["at_ms"])
    for request in later:
        _run_until(
            model, max(kill_ns, _time_ns(request["at_ms"], "")), kill["server"], kill_ns, down
        )
        requests.offer(model, model.user(request["user"]))
    # Let every request finish and the health checks run their course.
    limit = model.now + SETTLE_NS
    while (model.active or model.waiting or not down) and model.now < limit:
        _run_until(model, min(limit, model.now + S), kill["server"], kill_ns, down)
    metrics = model.metrics
    counts = model.item_counts()
    return {
        "mode": bindings["mode"],
        "kill": dict(kill),
        "acknowledged_items": counts["acknowledged_items"],
        "lost_items": counts["lost_items"],
        "lost_sessions": metrics.lost_sessions,
        "detection_s": round((down[0] - kill_ns) / S, 3) if down else None,
        "after_kill": {
            "requests": metrics.requests,
            "ok": metrics.ok,
            "failed": metrics.failed,
            "retried": metrics.retried,
        },
        **metrics.percentiles(),
        **times.figures(),
    }
