"""The life of a request: the balancer's choice, the connection, the server's work, the answer.

A request is planned when it is sent: its draws fix when it would answer, and one event is
scheduled for that moment. A fault that changes the outcome before then (the server dies, the
store goes down or comes back, a dead server restarts before the connection arrives) re-plans
the requests it touches; a request's generation number makes the stale events harmless.

The random draws of one attempt happen in a fixed order: the hop to the server; then the
server's work (stateless: load, work, save; in memory: fetch, replicate, work); then the hop
back with the answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core import deploy, replication, sessions
from sim.core.cluster import Request, Server, User
from sim.core.units import MS, S
from sim.story import narration
from sim.story.words import plural

if TYPE_CHECKING:
    from sim.core.model import Model


# -- sending -------------------------------------------------------------------------------


def offer(model: Model, user: User) -> None:
    """Send a request for `user` now, or once its previous request has been answered."""
    if user.busy or model.queue.now < user.free_at:
        user.pending += 1
        model.waiting += 1
        if not user.busy and not user.waking:
            user.waking = True
            model.queue.push(user.free_at, _wake, user)
    else:
        start(model, user)


def _wake(model: Model, user: User, _gen: int) -> None:
    """Send a user's next waiting request."""
    user.waking = False
    if user.pending and not user.busy:
        user.pending -= 1
        model.waiting -= 1
        start(model, user)


def start(model: Model, user: User) -> Request:
    """Send one add-item request of `user` to the balancer now."""
    model.request_seq += 1
    req = Request(model.request_seq, user, model.queue.now)
    user.busy = True
    user.attempted += 1
    model.active += 1
    server, reason, req.persistent = model.balancer.choose(model.servers, user)
    if server is None:
        fail(model, req, 503, "no server available")
    else:
        send(model, req, server, reason)
    return req


def send(model: Model, req: Request, server: Server, reason: str) -> None:
    """Open a connection from the balancer to `server` and plan what follows."""
    if not server.lb_up:
        model.balancer.sent_to_down += 1
    req.tried.append(server.name)
    req.reasons.append(reason)
    req.server = server
    server.in_flight += 1
    server.attached[req.seq] = req
    req.t_send = model.queue.now
    req.t_conn = model.queue.now + model.latency.hop()
    req.draws = None
    if server.alive:
        plan_accepted(model, req)
    else:
        plan_refused(model, req)


def plan_accepted(model: Model, req: Request) -> None:
    """Plan a request that the server accepts: one event when it answers."""
    req.refused = False
    if model.config.mode == "stateless":
        store = model.store
        store.attached[req.seq] = req
        if req.draws is None:
            wait = model.config.store_wait
            req.draws = model.latency.stateless_request(store.added_latency_ns, wait)
        req.store_fail = store.meets
        plan_stateless(model, req)
        return
    if req.draws is None:
        req.draws = _session_draws(model, req)
    read, fetch, work, replicate = req.draws
    req.gen += 1
    model.queue.push(req.t_conn + read + fetch + work + replicate, respond, req, req.gen)


def _session_draws(model: Model, req: Request) -> tuple:
    """Draw, in order, a session request's fetch, replication and work durations."""
    lat = model.latency
    fetch = replicate = 0
    if model.config.mode == "replicated":
        server, user = req.server, req.user
        copy = server.sessions.get(user.id)
        if (copy is None or copy.sid != user.sid) and sessions.needs_fetch(model, server, user):
            fetch = lat.replication_round_trip()
        if replication.has_other_member(model, server):
            replicate = lat.replication_round_trip()  # the copy to the backup, and its ack
    work = lat.server_work()
    return (lat.session_read, fetch, work, replicate)


def plan_stateless(model: Model, req: Request) -> None:
    """Schedule a stateless request's answer: at the failed store operation, after all, or,
    blocked in WAIT, when HAProxy's `timeout server` gives up."""
    load, work, save = req.draws
    if req.store_fail == "wait":
        when = req.t_conn + model.config.server_timeout_ms * MS
    else:
        when = req.t_conn + (load if req.store_fail == "load" else load + work + save)
    req.gen += 1
    model.queue.push(when, respond, req, req.gen)


def plan_refused(model: Model, req: Request) -> None:
    """Plan a connection to a dead server: refused (crash) or timed out (vanish)."""
    req.refused = True
    model.store.attached.pop(req.seq, None)
    req.gen += 1
    if req.server.kill_kind == "vanish":
        when = req.t_send + model.config.connect_timeout_ms * MS
    else:
        when = req.t_conn + model.latency.hop()  # the reset travels back one hop
    model.queue.push(when, connect_failed, req, req.gen)


def plan_died_inside(model: Model, req: Request, kind: str) -> None:
    """Plan the failure of a request whose server died while handling it."""
    now = model.queue.now
    model.store.attached.pop(req.seq, None)
    req.t_kill = now
    req.doomed = True
    req.vanished = kind == "vanish"  # decided now: a later restart does not change it
    if kind == "crash":
        when = now + model.latency.hop()  # the connection reset reaches the balancer
    else:
        when = max(now, req.t_conn + model.config.server_timeout_ms * MS)
    req.gen += 1
    model.queue.push(when, died_inside, req, req.gen)


# -- outcomes ------------------------------------------------------------------------------


def connect_failed(model: Model, req: Request, gen: int) -> None:
    """The connection failed: retry as HAProxy does, or answer 503 when retries are spent.

    HAProxy (`retries`, `option redispatch`; src/stream.c, backend.c) sends a retry to
    another server, at once, when the server is marked down, when the request was not
    persistent and more than one server is up, or when the redispatch interval says so:
    every retry with `option redispatch 1` (config `redispatch: true`), only the last one
    with plain `option redispatch` (`false`). Otherwise it retries the same server, after a
    turn-around of min(`timeout connect`, 1 s) when the connection was refused (not after a
    connect time-out). A redispatch avoids only the server that just failed.
    """
    if gen != req.gen:
        return
    server = req.server
    now = model.queue.now
    _detach(model, req)
    req.retried = True
    config = model.config
    attempts = len(req.tried)
    if attempts > config.retries:
        _record_failure(model, req, 0)
        fail(model, req, 503, f"{plural(attempts, 'attempt')} failed")
        return
    up = len([s for s in model.servers if s.lb_up])
    redispatch = (
        not server.lb_up
        or server not in model.servers
        or config.redispatch
        or attempts == config.retries
        or (not req.persistent and up > 1)
    )
    target, reason = server, f"retry Server {server.name}"
    if redispatch:
        target, reason, _ = model.balancer.choose(model.servers, req.user, server, persist=False)
        req.persistent = False
    refused = server.kill_kind != "vanish"
    wait = 0
    if target is not None and refused and (target is server or up <= 1):
        wait = min(config.connect_timeout_ms * MS, S)
    _record_failure(model, req, wait)
    if target is None:
        fail(model, req, 503, "no server available")
    elif wait:
        req.retry = (target, reason)
        model.queue.push(now + wait, _retry, req, req.gen)
    else:
        send(model, req, target, reason)


def _record_failure(model: Model, req: Request, wait: int) -> None:
    """Keep the failed connection's facts for the trace."""
    vanished = req.server.kill_kind == "vanish"
    failed = (req.server.name, req.t_send, req.t_conn, model.queue.now, vanished, wait)
    req.failures += (failed,)


def _retry(model: Model, req: Request, gen: int) -> None:
    """Send a retry after the turn-around (elsewhere, if its server was marked down meanwhile)."""
    if gen != req.gen:
        return
    target, reason = req.retry
    if not target.lb_up:
        target, reason, _ = model.balancer.choose(model.servers, req.user, target, persist=False)
        req.persistent = False
    if target is None:
        fail(model, req, 503, "no server available")
    else:
        send(model, req, target, reason)


def respond(model: Model, req: Request, gen: int) -> None:
    """The server has done the work: commit the item (or fail on the store) and answer."""
    if gen != req.gen:
        return
    server, user = req.server, req.user
    if model.config.mode == "stateless":
        _detach(model, req)
        server.requests += 1
        if req.store_fail == "wait":
            sessions.commit_to_store(model, user, acknowledged=False)  # written, not confirmed
            fail(model, req, 504, "the server waited for a replica that is not there (WAIT 1 0)")
            return
        if req.store_fail is not None:
            fail(model, req, 503, "the Shared DB is unavailable", via_server=True)
            return
        cart = sessions.commit_to_store(model, user, read_at=req.load_land)
        user.affinity = server.name
        user.acked += 1
        user.cart_items = cart.items
        outcome = "retried" if req.retried else "ok"
        _finish(model, req, 200, outcome, model.latency.hop(), cart.items, "")
        return
    cart, req.session_lost, req.origin = sessions.session_for(model, server, user, req.sid)
    cart.items += 1
    if model.config.mode == "replicated":
        target = replication.copy_session(model, server, user.id, cart, req.origin != "memory")
        if target is not None and not target.alive:
            _plan_copy_failure(model, req, target)
            return
        req.backup = target
    _answer(model, req)


def _answer(model: Model, req: Request) -> None:
    """The session's server sends its 200 back through the balancer."""
    server, user = req.server, req.user
    _detach(model, req)
    server.requests += 1
    cart = server.sessions[user.id]
    sessions.acknowledge(model, server, user, cart)
    user.affinity = server.name
    user.acked += 1
    user.cart_items = cart.items
    outcome = "session_lost" if req.session_lost else "retried" if req.retried else "ok"
    _finish(model, req, 200, outcome, model.latency.hop(), cart.items, "")


def _plan_copy_failure(model: Model, req: Request, member: Server) -> None:
    """The copy to a dead member failed: the failure detector checks the member next."""
    config = model.config
    now = model.queue.now
    if member.kill_kind == "vanish":
        # No answer: the sender waits for its time-out, the detector's connect for its own.
        copy_started = now - req.draws[3]
        failed_at = max(now, copy_started + config.replication_timeout_ms * MS)
        check = config.failure_check_timeout_ms * MS
    else:
        failed_at = now  # refused within the copy's round trip
        check = model.latency.replication_round_trip()  # the detector's connect, refused
    req.copy_failures += ((member, member.kill_kind == "vanish", failed_at, check),)
    req.gen += 1
    model.queue.push(failed_at + check, _copy_failed, req, req.gen)


def _copy_failed(model: Model, req: Request, gen: int) -> None:
    """The detector confirmed the member dead: the node's map re-publishes, then answers."""
    if gen != req.gen:
        return
    server, user = req.server, req.user
    member = req.copy_failures[-1][0]
    sends = replication.failure_detected(model, server, member, "detector")
    cart = server.sessions[user.id]
    fresh = req.origin != "memory"
    target = replication.copy_session(model, server, user.id, cart, fresh)
    if target is not None and not target.alive:
        _plan_copy_failure(model, req, target)  # the next member is dead too
        return
    if fresh and target is not None:
        sends += 1  # publishEntryInfo moved on to the next member
    req.backup = target
    republish = 0
    for _ in range(sends):
        republish += model.latency.replication_round_trip()
    req.republished = (sends, republish)
    narration.copy_failed(model, req, member, sends)
    req.gen += 1
    model.queue.push(model.queue.now + republish, _answer_later, req, req.gen)


def _answer_later(model: Model, req: Request, gen: int) -> None:
    """Answer once the re-publishing is done."""
    if gen == req.gen:
        _answer(model, req)


def died_inside(model: Model, req: Request, gen: int) -> None:
    """The balancer learns that the server died while handling the request."""
    if gen != req.gen:
        return
    server = req.server
    _detach(model, req)
    server.requests += 1
    # HAProxy: a reset connection is a 502; `timeout server` expiring with no answer, a 504.
    status = 504 if req.vanished else 502
    fail(
        model,
        req,
        status,
        f"Server {server.name} died while handling it; outcome unknown, "
        "not retried (adding an item is not idempotent)",
    )


def fail(model: Model, req: Request, status: int, note: str, via_server: bool = False) -> None:
    """Answer the user with a failure: from the server through the balancer, or the balancer."""
    back = model.latency.hop() if via_server else None
    _finish(model, req, status, "failed", back, None, note)


def _finish(
    model: Model,
    req: Request,
    status: int,
    outcome: str,
    back_ns: int | None,
    cart_items: int | None,
    note: str,
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
        model.queue.push(done, _wake, user)
    if model.record:  # the chart and the trace: runs without a view (compare) skip both
        model.series.record(done, status == 200, latency)
        narration.request_finished(model, req, status, outcome, back_ns, cart_items, note, latency)


def _detach(model: Model, req: Request) -> None:
    """The balancer closes its connection to the request's server (and the store's)."""
    server = req.server
    if server.attached.pop(req.seq, None) is not None:
        server.in_flight -= 1
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
