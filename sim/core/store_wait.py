"""A stateless write that waits for a replica (`WAIT 1 <timeout>` after the write): when the
wait ends, and what the application answers when too few replicas confirmed it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core import sessions
from sim.core.answers import fail
from sim.core.units import MS

if TYPE_CHECKING:
    from sim.core.cluster import Request
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


def answer_unconfirmed(model: Model, req: Request) -> None:
    """The write is on the primary, never confirmed by a replica: WAIT rolls nothing back.
    The application treats too few acknowledgements as a failed save (503); a WAIT that
    never returns ends in HAProxy's 504."""
    sessions.commit_to_store(model, req.user, acknowledged=False)
    if wait_ends(model, req)[1]:
        fail(model, req, 503, ("wait_timeout", model.config.store_wait_timeout_ms), via_server=True)
    else:
        fail(model, req, 504, ("wait_replica",))
