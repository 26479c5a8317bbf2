"""A write blocked in WAIT for a replica that is not there (store_wait, after a failover).

Redis's `WAIT numreplicas timeout` returns the number of replicas that acknowledged, at its
time-out if too few did; 0 blocks for ever (WAIT manual). It rolls nothing back: the write is
on the primary either way. The application checks the number, as the manual asks, and treats
too few as a failed save: its server answers 503. With no time-out the write blocks until
HAProxy's `timeout server` answers 504.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core import sessions
from sim.core.answers import fail
from sim.core.cluster import Request
from sim.core.units import MS

if TYPE_CHECKING:
    from sim.core.model import Model


def wait_ends(model: Model, req: Request) -> tuple[int, bool]:
    """When a write blocked in WAIT ends, and whether WAIT's time-out ends it (it returns 0
    acknowledgements, the server answers) rather than HAProxy's `timeout server` (504)."""
    load, work, save = req.draws
    config = model.config
    cut_off = req.t_conn + config.server_timeout_ms * MS
    if not config.store_wait_timeout_ms:  # WAIT 1 0 blocks for ever
        return cut_off, False
    returns = req.t_conn + load + work + save + config.store_wait_timeout_ms * MS
    return min(returns, cut_off), returns < cut_off


def answer_blocked(model: Model, req: Request) -> None:
    """The blocked write ends: on the primary, never confirmed; a 503 or a 504."""
    sessions.commit_to_store(model, req.user, acknowledged=False)
    if wait_ends(model, req)[1]:
        timeout = model.config.store_wait_timeout_ms
        fail(model, req, 503, ("wait_timeout", timeout), via_server=True)
    else:
        fail(model, req, 504, ("wait_replica",))
