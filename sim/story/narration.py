"""Narration: the console's lines and the requests' traces, in the original page's voice.

The model's functions report what happened here; every wording lives in this module. A model
built with `record=False` (the comparisons) narrates nothing, so each function returns at
once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core import replication
from sim.core.cluster import DEMO_USER, Request, Server, User
from sim.core.config import MODE_LABELS
from sim.core.units import MS, from_thousandths
from sim.story import traces
from sim.story.words import plural, seconds

if TYPE_CHECKING:
    from sim.core.model import Model


def say(model: Model, level: str, text: str) -> None:
    """Add a line to the console at the current time."""
    if model.record:
        model.log.add(model.queue.now, level, text)


def started(model: Model) -> None:
    """The run begins."""
    say(model, "info", f"Simulator initialized. Mode: {MODE_LABELS[model.config.mode]}.")


# -- a request's trace ----------------------------------------------------------------------


def tabs_sent(model: Model, tabs: int) -> None:
    """The demo user sends requests from several tabs at once."""
    say(
        model,
        "info",
        f"You add an item in {tabs} tabs at once: {tabs} requests leave together, "
        "with the same cookies.",
    )


def lost_update(model: Model, user: User) -> None:
    """A read-modify-write of a cart in the store overwrote a write made since its read."""
    if user.id != DEMO_USER:
        return
    say(
        model,
        "warn",
        "Lost update: this request read the cart before the other tab's save landed, and "
        "wrote back what it read plus one item (read-modify-write: the last write wins). "
        "An atomic update (Redis HINCRBY) would have kept both.",
    )


def copy_failed(model: Model, req: Request, member: Server, sends: int) -> None:
    """A copy of the demo user's session to a dead member failed, and the node recovered."""
    if not model.record or req.user.id != DEMO_USER:
        return
    vanished = req.copy_failures[-1][1]
    how = "no answer before the time-out" if vanished else "connection refused"
    where = f"on Server {req.backup.name}" if req.backup is not None else "nowhere: no live member"
    say(
        model,
        "warn",
        f"Replication to Server {member.name} failed ({how}); the failure detector confirmed it "
        f"gone, and Server {req.server.name} re-published {plural(sends, 'session')} before "
        f"answering (your backup is now {where}).",
    )


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
    """Keep a trace of a finished request and log it (called only when the model records)."""
    user = req.user
    text = _request_line(model, req, status, outcome, cart, note)
    level = {"ok": "info", "retried": "info", "session_lost": "warn"}.get(outcome, "error")
    if user.id == DEMO_USER or outcome in ("failed", "session_lost"):
        say(model, level, text)
    model.trace_seq += 1
    trace = traces.trace(req, status, outcome, back_ns, cart, latency)
    model.traces.append({"seq": model.trace_seq, **trace, "log": text})


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
        if req.backup is not None:
            where += f", backup on Server {req.backup.name}"
        elif replication.members(model, req.server):
            where += ", no backup (no live member)"
        else:
            where += ", no backup (no other member)"
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


_LEFT = {
    "detector": "The failure detector removed Server {} from the cluster",
    "membership": "Cluster membership dropped Server {} (no heartbeat)",
    "stopped": "Server {} left the cluster as it stopped",
}


def member_left(model: Model, member: Server, cause: str, promoted: int, published: int) -> None:
    """A member left the cluster, and the others promoted and re-published copies."""
    what = _LEFT[cause].format(member.name)
    say(
        model,
        "info",
        f"{what}: {plural(promoted, 'backup')} promoted, "
        f"{plural(published, 'session')} re-published to new backups.",
    )


def member_joined(model: Model, member: Server, published: int) -> None:
    """A member joined; sessions that had no backup got one."""
    if published:
        say(
            model,
            "info",
            f"Server {member.name} joined the cluster: "
            f"{plural(published, 'session')} without a backup got one.",
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
