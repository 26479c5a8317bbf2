"""A request's answer: the 200 from a session's server, or a failure; the counts, the
user's next request, and the record of it (only when the model records)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core import capacity, deploy, rebalance, replication, sessions
from sim.core.cluster import Request, Server
from sim.core.records import RequestFinished

if TYPE_CHECKING:
    from sim.core.model import Model


def answer(model: Model, req: Request) -> None:
    """The session's server sends its 200 back through the balancer."""
    server, user = req.server, req.user
    detach(model, req)
    server.requests += 1
    cart = req.cart
    sessions.acknowledge(model, server, user, cart)
    user.affinity = server.name
    user.acked += 1
    user.cart_items = cart.items
    outcome = "session_lost" if req.session_lost else "retried" if req.retried else "ok"
    finish(model, req, 200, outcome, model.latency.hop(), cart.items, None)


def fail(model: Model, req: Request, status: int, why: tuple, via_server: bool = False) -> None:
    """Answer the user with a failure: from the server through the balancer, or the balancer.
    `why` is the failure's code and facts (sim.core.records.RequestFinished)."""
    back = model.latency.hop() if via_server else None
    finish(model, req, status, "failed", back, None, why)


def finish(
    model: Model,
    req: Request,
    status: int,
    outcome: str,
    back_ns: int | None,
    cart_items: int | None,
    why: tuple | None,
) -> None:
    """The answer reaches the user `back_ns` from now (None: from the balancer, at once)."""
    done = model.queue.now + (back_ns or 0)
    req.finished = True
    req.shown = cart_items
    req.done_ns = done
    latency = done - req.start_ns
    model.metrics.record(status == 200, req.retried, latency)
    # The user has its answer: its next waiting request goes then.
    user = req.user
    model.active -= 1
    user.busy = False
    user.free_at = done
    if user.pending and not user.waking:
        user.waking = True
        model.queue.push(done, model.wake, user)  # requests.wake, passed in by the model
    if model.record:  # the chart and the trace: runs without a view (compare) skip both
        model.series.record(done, status == 200, latency)
        _note_finished(model, req, status, outcome, back_ns, cart_items, why, latency)


def _note_finished(
    model: Model,
    req: Request,
    status: int,
    outcome: str,
    back_ns: int | None,
    cart_items: int | None,
    why: tuple | None,
    latency: int,
) -> None:
    """Record a finished request (only when the model records)."""
    server = req.server.name if status == 200 else None
    backup = req.backup.name if req.backup is not None else None
    members = (
        backup is None and model.rules.replicates and bool(replication.members(model, req.server))
    )
    model.note(
        RequestFinished(
            req,
            req.user.id,
            server,
            status,
            outcome,
            latency,
            cart_items,
            back_ns,
            why,
            backup,
            members,
        )
    )


def detach(model: Model, req: Request) -> None:
    """The balancer closes its connection to the request's server (and the store's)."""
    server = req.server
    if server.attached.pop(req.seq, None) is not None:
        server.in_flight -= 1
        if capacity.holds_thread(req):
            watched = model.added
            if watched is not None and watched.done_ns is None:
                rebalance.judge(model, watched)  # before the counters move to a new bucket
            capacity.release(model, server, req)
        if server.draining and not server.in_flight:
            # A removed server stops once its last request has been handled.
            model.queue.push(model.queue.now, _stop_drained, server)
    model.store.attached.pop(req.seq, None)


def _stop_drained(model: Model, server: Server, _gen: int) -> None:
    """A stopping server (removed, or replaced by a deploy) with no request left inside shuts
    down cleanly."""
    if server.draining and not server.in_flight:
        sessions.stop(model, server)
        deploy.poke(model, server)
