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

A crash of the store's Redis process instead of a server's kill (stateless mode only):
`"store_crash": {"at_ms": 6703.0, "persistence": "none" | "rdb" | "aof-everysec" |
"aof-always", "restart_ms": 1000}` in place of `kill`. Redis is taken to have started empty
at time 0; the users' items count as written at the crash's moment (bindings carry no write
times), so no RDB save comes between them and the crash: right for a run shorter than the
first save point (60 s with 10,000 changes). The prediction adds `carts` (each user's items
at the end) and `restart_s`; `detection_s` is null.

Besides the counts, the prediction gives replicated mode's three times after the kill (None
when they do not happen): `member_removed_s`, when the cluster removed the killed member;
`copy_stall_s`, the longest wait of a request whose session had its backup on the killed
member, answered at its first attempt by another server (the copy to the dead member holds
it); `recovery_s`, when the last user whose session was on the killed server got an
answer again (sim/cli/replicated.py).
"""

from sim.cli.replicated import ReplicatedTimes, place_user
from sim.core import requests, sessions
from sim.core.config import KILL_KINDS, SERVER_NAMES, build_config
from sim.core.errors import ScenarioError
from sim.core.model import Model
from sim.core.units import MS, S
from sim.vocabulary import BINDINGS_VERSION, LAB_MODES, STORE_PERSISTENCE

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
    if "store_crash" in bindings:
        _check_store_crash(bindings)
        return servers
    kill = bindings.get("kill")
    _require(isinstance(kill, dict), "kill must be an object")
    _require(kill.get("server") in servers, f"kill server {kill.get('server')!r} is not a server")
    _require(kill.get("kind") in KILL_KINDS, f"kill kind {kill.get('kind')!r} is not a kind")
    _time_ns(kill.get("at_ms"), "kill at_ms")
    return servers


def _check_store_crash(bindings: dict) -> None:
    """Check a store crash: stateless mode, no server kill, its time, persistence, restart."""
    crash = bindings["store_crash"]
    _require(bindings["mode"] == "stateless", "a store crash needs mode stateless")
    _require("kill" not in bindings, "give kill or store_crash, not both")
    _require(isinstance(crash, dict), "store_crash must be an object")
    unknown = sorted(str(k) for k in crash if k not in ("at_ms", "persistence", "restart_ms"))
    _require(not unknown, f"store_crash has unknown field(s) {', '.join(unknown)}")
    _time_ns(crash.get("at_ms"), "store_crash at_ms")
    persistence = crash.get("persistence")
    _require(persistence in STORE_PERSISTENCE, f"store_crash persistence {persistence!r}")
    restart = crash.get("restart_ms", 1000)
    _require(type(restart) is int and 0 <= restart <= 600_000, f"restart_ms {restart!r}")


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


def _predict_store_crash(bindings: dict, servers: list[str]) -> dict:
    """Replay a crash of the store's Redis process: the carts in the store at the crash, the
    restart with what the persistence kept, the same requests afterwards."""
    crash = bindings["store_crash"]
    restart_ms = crash.get("restart_ms", 1000)
    overrides = {
        "mode": "stateless",
        "servers": len(servers),
        "store_persistence": crash["persistence"],
        "store_restart_ms": restart_ms,
        **bindings["config"],
    }
    model = Model(build_config(overrides), seed=1, record=False)
    crash_ns = _time_ns(crash["at_ms"], "store_crash at_ms")
    model.advance(crash_ns)
    for user in bindings["users"]:
        sessions.place(model, user["id"], None, user["items"])
    model.kill_store("crash")
    for request in sorted(bindings.get("requests_after_kill", []), key=lambda r: r["at_ms"]):
        model.advance(max(0, _time_ns(request["at_ms"], "") - model.now))
        requests.offer(model, model.user(request["user"]))
    limit = model.now + SETTLE_NS
    while (model.active or model.waiting or not model.store.reachable()) and model.now < limit:
        model.advance(min(S, limit - model.now))
    metrics = model.metrics
    counts = model.item_counts()
    carts = model.store.carts
    return {
        "mode": "stateless",
        "store_crash": dict(crash),
        "acknowledged_items": counts["acknowledged_items"],
        "lost_items": counts["lost_items"],
        "lost_sessions": metrics.lost_sessions,
        "detection_s": None,
        "restart_s": restart_ms / 1000,
        "carts": {
            u["id"]: carts[u["id"]].items if u["id"] in carts else 0 for u in bindings["users"]
        },
        "after_kill": {
            "requests": metrics.requests,
            "ok": metrics.ok,
            "failed": metrics.failed,
            "retried": metrics.retried,
        },
        **metrics.percentiles(),
    }


def predict(bindings: object) -> dict:
    """Replay the bindings in the model; return its prediction (raises ScenarioError)."""
    servers = _check_top(bindings)
    _check_users(bindings, servers)
    if "store_crash" in bindings:
        return _predict_store_crash(bindings, servers)
    kill = bindings["kill"]
    overrides = {
        "mode": bindings["mode"],
        "servers": len(servers),
        "kill_kind": kill["kind"],
        **bindings["config"],
    }
    times = ReplicatedTimes(kill["server"], bindings["users"])
    model = Model(build_config(overrides), seed=1, listener=times)
    kill_ns = _time_ns(kill["at_ms"], "kill at_ms")
    down: list[int] = []
    _run_until(model, kill_ns, kill["server"], kill_ns, down)
    for user in bindings["users"]:
        place_user(model, user)
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
