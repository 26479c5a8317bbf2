"""Faults and changes to the cluster: kill, restart, add and remove servers, store outages.

Each fault re-plans the requests it touches (see requests.py) and then reports what happened
to the narration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core import checks, deploy, replication, requests, sessions
from sim.core.cluster import Server, next_server_name
from sim.core.config import MAX_SERVERS
from sim.core.errors import ScenarioError
from sim.core.records import (
    Killed,
    Restarted,
    ServerAdded,
    ServerRemoved,
    StoreDown,
    StoreLatency,
    StoreReplicaBack,
    StoreUnchanged,
    StoreUp,
)
from sim.core.units import MS

if TYPE_CHECKING:
    from sim.core.model import Model


def kill(model: Model, server: Server, kind: str | None = None, cause: str = "") -> None:
    """Kill a live server: its memory is gone; requests heading there or inside fail."""
    kind = kind or model.config.kill_kind
    now = model.queue.now
    server.alive = False
    # The backup target follows membership, which notices the death only at the drop.
    server.killed_at_ns = now
    server.kill_kind = kind
    server.incarnation += 1
    for req in list(server.attached.values()):
        if req.refused or req.doomed:
            continue
        if req.t_conn > now:
            requests.plan_refused(model, req)
            continue
        # Inside the server: the outcome is unknown to the user.
        if (
            model.rules.uses_store
            and req.draws is not None
            and req.store_fail in (None, "wait")
            and req.save_land <= now
        ):
            # Written, never acknowledged: indeterminate, not lost.
            sessions.commit_to_store(model, req.user, acknowledged=False)
        requests.plan_died_inside(model, req, kind)
    model.note(Killed(server.name, kind, cause))
    sessions.lose_memory(model, server, clean=False)
    deploy.poke(model, server)


def restart(model: Model, server: Server, cause: str = "") -> None:
    """Bring a dead server back, empty; the balancer re-admits it after `rise` checks."""
    server.alive = True
    server.killed_at_ns = None
    server.kill_kind = None
    server.incarnation += 1
    server.wipe()
    now = model.queue.now
    for req in list(server.attached.values()):
        if req.refused and req.t_conn > now:
            requests.plan_accepted(model, req)
    model.note(Restarted(server.name, cause, server.lb_up))
    if model.rules.replicates and not server.member:
        replication.member_joined(model, server)  # dropped meanwhile: it joins anew


def schedule_restart(model: Model, server: Server) -> None:
    """Restart `server` after the configured time (a supervisor or an autoscaler)."""
    when = model.queue.now + model.config.restart_after_ms * MS
    model.queue.push(when, _auto_restart, (server, server.incarnation))


def _auto_restart(model: Model, arg: tuple, _gen: int) -> None:
    """Restart a server killed by chaos, unless someone already did or removed it."""
    server, incarnation = arg
    if server in model.servers and server.incarnation == incarnation and not server.alive:
        restart(model, server, "Auto-restart")


def can_add_server(model: Model) -> bool:
    """Whether a server can be added: fewer than MAX_SERVERS, and a letter free (a removed
    server's letter is not reused while it drains)."""
    return len(model.servers) < MAX_SERVERS and next_server_name(model.cluster()) is not None


def can_remove_server(model: Model) -> bool:
    """Whether a server can be removed: never the last one."""
    return len(model.servers) > 1


def add_server(model: Model) -> Server:
    """Add a server, empty and believed up at once."""
    if not can_add_server(model):
        raise ScenarioError(f"cannot add a server: at most {MAX_SERVERS}")
    name = next_server_name(model.cluster())
    server = Server(name)
    model.servers.append(server)
    checks.begin(model, server)
    model.note(ServerAdded(server.name))
    if model.rules.replicates:
        replication.member_joined(model, server)
    return server


def remove_server(model: Model) -> None:
    """Remove the last server: no new requests; it stops once the requests inside finish."""
    if not can_remove_server(model):
        raise ScenarioError("cannot remove the last server")
    server = model.servers.pop()
    model.balancer.cursor %= len(model.servers)
    model.note(ServerRemoved(server.name))
    if server.in_flight:
        server.draining = True
        model.draining.append(server)
    else:
        sessions.stop(model, server)
    deploy.poke(model, server)


def kill_store(model: Model) -> None:
    """Make the shared store unreachable, primary and replica; stateless servers cannot serve
    carts."""
    if not model.store.up:
        model.note(StoreUnchanged(up=False))
        return
    model.store.up = False
    model.store.settle()
    store_lost(model)
    model.note(StoreDown())


def store_lost(model: Model) -> None:
    """The store can no longer be reached: requests whose store operation is still ahead fail
    at it."""
    now = model.queue.now
    for req in list(model.store.attached.values()):
        if req.store_fail is not None:
            continue
        if req.load_land > now:
            req.store_fail = "load"
        elif req.save_land > now:
            req.store_fail = "save"
        else:
            continue
        requests.plan_stateless(model, req)


def restore_store(model: Model) -> None:
    """Bring the shared store back, with its data (it is durable); after a failover, the old
    primary comes back as a replica of the new one."""
    store = model.store
    rejoin = store.can_restore_primary()
    if store.up and not rejoin:
        model.note(StoreUnchanged(up=True))
        return
    if not store.up:
        store.up = True
        store.settle()
        model.note(StoreUp())
    if rejoin:
        rejoin_replica(model)
    store_reachable(model)


def rejoin_replica(model: Model) -> None:
    """The failed-over old primary runs again: Sentinel makes it the new primary's replica."""
    store = model.store
    store.replica, store.failed = store.failed, None
    store.recent.clear()  # the returning replica copies the whole data set
    store.settle()
    model.note(StoreReplicaBack(store.replica, store.primary))


def store_reachable(model: Model) -> None:
    """The store can be reached again, or has a replica again: re-plan the requests that
    failed or blocked on it and would reach it from now on."""
    store = model.store
    if not store.reachable():
        return
    now = model.queue.now
    outcome = store.meets
    for req in list(store.attached.values()):
        if req.store_fail == "wait":
            if outcome is None:  # a replica acknowledges: WAIT returns
                req.store_fail = None
                requests.plan_stateless(model, req)
            continue
        land = req.load_land if req.store_fail == "load" else req.save_land
        if req.store_fail is not None and land > now:
            req.store_fail = outcome
            requests.plan_stateless(model, req)


def set_store_latency(model: Model, added_ns: int) -> None:
    """Add latency to each store round trip that starts from now on."""
    model.store.added_latency_ns = added_ns
    model.note(StoreLatency(added_ns))
