"""Narration: the console's lines and the requests' traces, in the original page's voice.

The model's functions report what happened here; every wording lives in this module. A model
built with `record=False` (the comparisons) narrates nothing, so each function returns at
once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim import replication
from sim.cluster import DEMO_USER, Server
from sim.config import MODE_LABELS
from sim.log import plural, seconds
from sim.units import MS, from_thousandths

if TYPE_CHECKING:
    from sim.model import Model
    from sim.requests import Request


def say(model: Model, level: str, text: str) -> None:
    """Add a line to the console at the current time."""
    if model.record:
        model.log.add(model.queue.now, level, text)


def started(model: Model) -> None:
    """The run begins."""
    say(model, "info", f"Simulator initialized. Mode: {MODE_LABELS[model.config.mode]}.")
    say(model, "info", "Simulation Ready. Select a mode and send a request.")


# -- a request's trace ----------------------------------------------------------------------


def _hops(req: Request, status: int, back_ns: int | None) -> list[tuple]:
    """Return the request's path as (from, to, ns, note) hops that add up to its latency."""
    hops = [("user", "lb", 0, "request reaches the balancer")]
    for name, sent, arrived, failed, vanished, wait in req.failures:
        hops.append(("lb", name, arrived - sent, "connect"))
        note = "no answer: connect time-out" if vanished else "connection refused"
        hops.append((name, "lb", failed - arrived, note))
        if wait:
            hops.append(("lb", "lb", wait, "wait before retrying the same server"))
    if req.doomed:
        hops += _died_hops(req)
    elif status == 200 or back_ns is not None:
        hops += _stateless_hops(req) if req.origin is None else _session_hops(req)
    if status == 200:
        hops.append((req.server.name, "lb", back_ns, "200 OK"))
    elif back_ns is not None:
        hops.append((req.server.name, "lb", back_ns, f"{status}"))
    hops.append(("lb", "user", 0, f"response {status}"))
    return hops


def _died_hops(req: Request) -> list[tuple]:
    """The hops of a request whose server died while handling it."""
    name = req.server.name
    note = "no response: server time-out" if req.vanished else "connection reset"
    return [
        ("lb", name, req.t_conn - req.t_send, "connect"),
        (name, name, req.t_kill - req.t_conn, "server died while handling the request"),
        (name, "lb", req.done_ns - req.t_kill, note),
    ]


def _stateless_hops(req: Request) -> list[tuple]:
    """The hops of a stateless request inside its server."""
    name = req.server.name
    load, work, save = req.draws
    hops = [
        ("lb", name, req.t_conn - req.t_send, "connect"),
        (name, "store", load // 2, "load cart"),
    ]
    if req.store_fail == "load":
        hops.append(("store", name, load - load // 2, "Shared DB unavailable"))
        return hops
    saved = "Shared DB unavailable" if req.store_fail else "cart saved"
    hops += [
        ("store", name, load - load // 2, "cart loaded"),
        (name, name, work, "add the item"),
        (name, "store", save // 2, "save cart"),
        ("store", name, save - save // 2, saved),
    ]
    return hops


_SESSION_NOTES = {
    "memory": "read session in memory",
    "backup": "promote the backup copy",
    "new": "create a new session",
}


def _session_hops(req: Request) -> list[tuple]:
    """The hops of a request served from a session in its server's memory."""
    name = req.server.name
    read, fetch, work, replicate, miss = req.draws
    hops = [("lb", name, req.t_conn - req.t_send, "connect")]
    if fetch:
        source = req.origin.rsplit(" ", 1)[-1] if req.origin.startswith("fetched") else name
        hops.append((name, source, fetch // 2, "fetch session"))
        hops.append((source, name, fetch - fetch // 2, "session copied"))
    note = _SESSION_NOTES.get(req.origin, "use the fetched session")
    hops.append((name, name, read + work, f"{note}, add the item"))
    if replicate and miss is not None:
        target, kind = miss
        if kind == "vanish":
            hops.append((name, target, 0, "copy session to backup"))
            hops.append((target, name, replicate, "no answer: replication time-out"))
        else:
            hops.append((name, target, replicate // 2, "copy session to backup"))
            hops.append((target, name, replicate - replicate // 2, "connection refused"))
    elif replicate:
        target = req.backup.name if req.backup is not None else name
        stored = "backup stored" if req.backup is not None else "no backup server"
        hops.append((name, target, replicate // 2, "copy session to backup"))
        hops.append((target, name, replicate - replicate // 2, stored))
    return hops


def replication_result(model: Model, req: Request) -> None:
    """Log a failed replication to a dead member (the demo user's requests only)."""
    if not model.record or req.user.id != DEMO_USER:
        return
    server, backup = req.server, req.backup
    miss = req.draws[4]
    if backup is not None and miss is None:
        return
    if miss is None:  # planned to succeed, but the target died during the request
        target = replication.backup_target(model, server)
        if target is None or target.alive:
            return
        miss = (target.name, target.kill_kind)
    name, kind = miss
    how = "no answer before the time-out" if kind == "vanish" else "connection refused"
    if backup is None:
        then = f"Server {server.name}'s session has no backup until the cluster drops Server {name}"
    else:
        # The wait outlasted the membership window: the map re-replicated at the drop.
        then = (
            f"the cluster dropped Server {name} meanwhile, so Server {server.name}'s "
            f"session has its backup on Server {backup.name}"
        )
    say(model, "warn", f"Replication to Server {name} failed ({how}); {then}.")


def request_finished(
    model: Model,
    req: Request,
    status: int,
    outcome: str,
    back_ns: int | None,
    cart: int | None,
    note: str,
    latency: int,
) -> None:
    """Keep a trace of a finished request and log it."""
    if not model.record:
        return
    user = req.user
    text = _request_line(model, req, status, outcome, cart, note)
    level = {"ok": "info", "retried": "info", "session_lost": "warn"}.get(outcome, "error")
    if user.id == DEMO_USER or outcome in ("failed", "session_lost"):
        say(model, level, text)
    hops = [
        {"from": h[0], "to": h[1], "ns": h[2], "note": h[3]} for h in _hops(req, status, back_ns)
    ]
    path = [hops[0]["from"]]
    for hop in hops:
        if hop["to"] != path[-1]:
            path.append(hop["to"])
    model.trace_seq += 1
    model.traces.append(
        {
            "seq": model.trace_seq,
            "request": req.seq,
            "user": user.id,
            "server": req.server.name if status == 200 else None,
            "tried": list(req.tried),
            "reason": "; then ".join(req.reasons) if req.reasons else "no server available",
            "path": path,
            "hops": hops,
            "start_ns": req.start_ns,
            "latency_ns": latency,
            "outcome": outcome,
            "status": status,
            "cart_items": cart,
            "log": text,
        }
    )


def _request_line(
    model: Model, req: Request, status: int, outcome: str, cart: int | None, note: str
) -> str:
    """Return the console line for a finished request, in the original page's voice."""
    mine = req.user.id == DEMO_USER
    who = "you" if mine else req.user.id
    prefix = "" if mine else f"[{who}] "
    if status != 200:
        return f"{prefix}Request failed ({status}): {note}."
    name = req.server.name
    detour = ""
    if req.failures:
        failed = list(dict.fromkeys(failure[0] for failure in req.failures))
        vanished = any(failure[4] for failure in req.failures)
        how = "did not answer in time" if vanished else "refused the connection"
        servers = "Server" if len(failed) == 1 else "Servers"
        if name in failed:
            then = f"the balancer retried it, and Server {name} answered"
        else:
            then = f"the balancer redispatched the request to Server {name}"
        detour = f"{servers} {', '.join(failed)} {how}; {then}. "
    items = plural(cart, "item")
    mode = model.config.mode
    if outcome == "session_lost":
        return (
            f"{prefix}{detour}Session lost: Server {name} has no session for {who}. "
            f"New cart: {items}."
        )
    if mode == "stateless":
        return (
            f"{prefix}{detour}Server {name} handled the request. Cart saved to Shared DB: {items}."
        )
    where = f"Session on Server {name}: {items}"
    if mode == "replicated":
        copy = req.server.sessions.get(req.user.id)
        peer = copy.peer if copy is not None else None
        if peer:
            where += f", backup on Server {peer}"
        elif replication.backup_target(model, req.server) is None:
            where += ", no backup (no other server)"
        else:
            where += ", no backup (replication failed)"
    return f"{prefix}{detour}Server {name} handled the request. {where}."


# -- the cluster ----------------------------------------------------------------------------


def killed(model: Model, server: Server, kind: str, cause: str) -> None:
    """A server was killed."""
    how = (
        "crashed: connections are refused at once"
        if kind == "crash"
        else "vanished: connections time out"
    )
    by = f"{cause} killed Server {server.name}" if cause else f"Server {server.name} killed"
    say(
        model,
        "error",
        f"{by} ({how}). The balancer still sends it requests until health checks notice.",
    )


def memory_lost(model: Model, server: Server) -> None:
    """A server's memory is about to go (a kill or a removal)."""
    sessions = len(server.sessions)
    if model.config.mode != "stateful" or not sessions:
        return
    items = 0
    for copy in server.sessions.values():
        items += copy.items
    say(
        model,
        "warn",
        f"Server {server.name} took {plural(sessions, 'session')} with it "
        f"({plural(items, 'item')} in memory).",
    )


def restarted(model: Model, server: Server, cause: str) -> None:
    """A dead server is back, empty."""
    if server.lb_up:
        note = "The balancer never noticed it was gone."
    else:
        note = f"The balancer re-admits it after {model.config.rise} passed health checks."
    lead = f"{cause}: Server {server.name}" if cause else f"Server {server.name}"
    say(model, "info", f"{lead} restarted, empty. {note}")


def already(model: Model, server: Server) -> None:
    """A kill of a dead server, or a restart of a live one, changes nothing."""
    state = "running" if server.alive else "down"
    say(model, "info", f"Server {server.name} is already {state}.")


def repaired(model: Model, why: str, promoted: int, made: int) -> None:
    """The cluster promoted backups and made new ones."""
    if promoted or made:
        say(
            model,
            "info",
            f"{why}: {plural(promoted, 'backup')} promoted, {plural(made, 'new backup')} made.",
        )


def server_added(model: Model, server: Server) -> None:
    """A server joined."""
    say(model, "info", f"Server {server.name} added; the balancer sends it requests at once.")


def server_removed(model: Model, server: Server) -> None:
    """A server left the balancer."""
    say(model, "info", f"Server {server.name} removed; requests already inside it finish.")


def marked_down(model: Model, server: Server) -> None:
    """Health checks took a server out of the balancer."""
    when = ""
    if server.killed_at_ns is not None:
        when = f" {seconds(model.queue.now - server.killed_at_ns)} after it died"
    count = server.fails_in_a_row
    if count < model.config.fall:
        why = (
            f"after {plural(count, 'failed check')}: it had not passed one since it started, "
            "and HAProxy takes such a server down at its first failure"
        )
    else:
        why = f"after {count} failed checks in a row"
    say(model, "warn", f"Health checks marked Server {server.name} DOWN{when}, {why}.")


def marked_up(model: Model, server: Server) -> None:
    """Health checks put a server back into the balancer."""
    rise = plural(model.config.rise, "check")
    say(model, "info", f"Health checks marked Server {server.name} UP ({rise} passed in a row).")


def store_unchanged(model: Model, up: bool) -> None:
    """A store fault that changes nothing."""
    say(model, "info", f"The Shared DB is already {'up' if up else 'down'}.")


def store_down(model: Model) -> None:
    """The store became unreachable."""
    if model.config.mode == "stateless":
        note = (
            "Stateless servers cannot load or save carts now: the state problem moved, "
            "it did not vanish."
        )
    else:
        note = "This mode keeps carts in server memory, so requests go on."
    say(model, "error", f"Shared DB / Redis is down. {note}")


def store_up(model: Model) -> None:
    """The store is back."""
    say(model, "info", "Shared DB / Redis is back, with every cart it held.")


def store_latency(model: Model, added_ns: int) -> None:
    """The store's link was slowed or restored."""
    if added_ns:
        say(model, "info", f"Store link slowed: +{seconds(added_ns)} per round trip.")
    else:
        say(model, "info", "Store link back to normal.")


# -- chaos and traffic ----------------------------------------------------------------------


def chaos_switched(model: Model, on: bool) -> None:
    """The Chaos Monkey was switched on or off."""
    if not on:
        say(model, "info", "Chaos Monkey off.")
        return
    config = model.config
    mean = seconds(config.chaos_mean_interval_ms * MS)
    restart = seconds(config.restart_after_ms * MS)
    say(
        model,
        "info",
        f"Chaos Monkey on: it kills a random server about every {mean}; "
        f"killed servers restart after {restart}.",
    )


def chaos_spared(model: Model) -> None:
    """The Chaos Monkey found only one live server."""
    say(model, "info", "Chaos Monkey spared the last live server.")


def traffic_set(model: Model, rate_milli: int) -> None:
    """Background traffic was switched on, changed or off."""
    if not rate_milli:
        say(model, "info", "Background traffic off.")
        return
    rate = from_thousandths(rate_milli)
    users = plural(model.config.traffic_users, "simulated user")
    say(model, "info", f"Background traffic: {rate} requests/s from {users}.")
