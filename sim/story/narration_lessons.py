"""Narration of the lessons' events: a rolling deploy and a store failover.

narration.py's companion (the same voice, through `narration.say`), kept apart so that each
module stays short enough to read. A model that does not record narrates nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core.cluster import Server
from sim.core.units import MS
from sim.story.narration import say
from sim.story.words import plural, seconds

if TYPE_CHECKING:
    from sim.core.model import Model


# -- a rolling deploy -----------------------------------------------------------------------


def deploy_started(model: Model, names: list[str]) -> None:
    """A rolling deploy begins."""
    drain = seconds(model.config.drain_ms * MS)
    say(
        model,
        "info",
        f"Rolling deploy of Servers {', '.join(names)}, one at a time: each drains for {drain}, "
        f"stops, starts the new version empty and rejoins after "
        f"{plural(model.config.rise, 'passed health check')}.",
    )


def deploy_ignored(model: Model, server: Server) -> None:
    """A deploy was asked for while one runs."""
    say(model, "info", f"A rolling deploy is already running (Server {server.name}); ignored.")


def deploy_draining(model: Model, server: Server) -> None:
    """A server enters HAProxy's drain state."""
    say(
        model,
        "info",
        f"Rolling deploy: Server {server.name} drains (HAProxy drain): no new visitors, but "
        "clients whose cookie names it still reach it.",
    )


def deploy_stopping(model: Model, server: Server) -> None:
    """A drained server leaves the balancer and stops."""
    inside = plural(server.in_flight, "request")
    say(
        model,
        "info",
        f"Rolling deploy: Server {server.name} is out of the balancer; it stops cleanly once "
        f"the requests inside have finished ({inside} now).",
    )


def deploy_replaced(model: Model, server: Server) -> None:
    """The new version of a server is back in the balancer."""
    say(model, "info", f"Rolling deploy: Server {server.name} runs the new version, back in.")


def deploy_skipped(model: Model, name: str, why: str) -> None:
    """A server the deploy cannot replace (down or removed)."""
    say(model, "warn", f"Rolling deploy skips Server {name}: it is {why}.")


def deploy_finished(model: Model, took_ns: int) -> None:
    """Every server has been replaced (or skipped)."""
    say(model, "info", f"Rolling deploy finished in {seconds(took_ns)}.")


# -- a store failover -----------------------------------------------------------------------


def store_failover_ignored(model: Model, why: str) -> None:
    """A store failover that cannot happen now."""
    say(model, "info", f"No store failover: {why}.")


def store_primary_died(model: Model, lost: int) -> None:
    """The store's primary died; Sentinel has not noticed yet."""
    store, config = model.store, model.config
    after = seconds(config.store_down_after_ms * MS)
    say(
        model,
        "error",
        f"Redis primary {store.primary} died. Sentinel declares it down after {after} without "
        f"an answer (down-after-milliseconds), then promotes {store.replica}; until then no "
        "server can load or save a cart.",
    )
    if config.store_wait:
        say(model, "info", "Every acknowledged write had reached the replica (WAIT 1 0).")
    elif lost:
        lag = seconds(config.store_replication_lag_ms * MS)
        say(
            model,
            "warn",
            f"{plural(lost, 'acknowledged item')} written in the last {lag} had not reached "
            "the replica (asynchronous replication): lost.",
        )


def store_odown(model: Model) -> None:
    """Sentinel agreed the primary is down and starts the failover."""
    store = model.store
    say(
        model,
        "warn",
        f"Sentinel: {store.primary} is objectively down (quorum); the elected leader promotes "
        f"{store.replica} (REPLICAOF NO ONE) and clients look up the new primary.",
    )


def store_promoted(model: Model) -> None:
    """The replica is the primary now."""
    store = model.store
    note = (
        " Writes that WAIT for a replica now block: there is none."
        if model.config.store_wait
        else ""
    )
    say(
        model,
        "info",
        f"{store.primary} is the primary now; the store is reachable again, without a replica "
        f"({store.failed} stays down).{note}",
    )


def store_replica_back(model: Model) -> None:
    """The old primary came back and became a replica of the new one."""
    store = model.store
    say(
        model,
        "info",
        f"{store.replica} is back: Sentinel makes it a replica of {store.primary} (REPLICAOF), "
        "and it copies the data again.",
    )
