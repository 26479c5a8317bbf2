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

from sim.core import capacity, replication, sessions, store_wait
from sim.core.answers import answer, detach, fail, finish
from sim.core.balancer import redispatches, takes_new
from sim.core.cluster import Request, Server, User, belongs
from sim.core.copies import announce_and_answer, plan_copy_failure
from sim.core.units import MS, S

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
            model.queue.push(user.free_at, wake, user)
    else:
        start(model, user)


def wake(model: Model, user: User, _gen: int) -> None:
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
        fail(model, req, 503, ("no_server",))
    else:
        send(model, req, server, reason)
    return req


def send(model: Model, req: Request, server: Server, reason: tuple | None) -> None:
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
        accept(model, req)
    else:
        plan_refused(model, req)


def accept(model: Model, req: Request) -> None:
    """A live server takes the connection: the request runs on a thread, waits for one, or
    finds the backlog full and its connection attempt dropped (capacity.py)."""
    verdict = capacity.admit(model, req.server, req)
    if verdict == capacity.RUN:
        plan_accepted(model, req)
    elif verdict == capacity.DROP:
        plan_refused(model, req, dropped=True)


def plan_accepted(model: Model, req: Request) -> None:
    """Plan a request that the server accepts: one event when it answers."""
    req.refused = False
    if model.rules.uses_store:
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
    read, fetch, work, replicate, announce = req.draws
    req.gen += 1
    when = req.t_conn + read + fetch + work + replicate + announce
    model.queue.push(when, respond, req, req.gen)


def _session_draws(model: Model, req: Request) -> tuple:
    """Draw, in order, a session request's fetch, replication, announcement and work
    durations (sim/core/copies.py)."""
    lat = model.latency
    fetch = replicate = announce = 0
    if model.rules.replicates:
        server, user = req.server, req.user
        fresh = not belongs(server.sessions.get(user.id), req.sid)  # new or not primary here
        if fresh and sessions.needs_fetch(model, server, user, req.sid):
            fetch = lat.replication_round_trip()
        others = replication.other_members(model, server)
        if others:
            replicate = lat.replication_round_trip()  # the copy to the backup, and its ack
        if fresh and others > 1:
            announce = lat.replication_round_trip()  # MSG_PROXY to the rest, in parallel
    work = lat.server_work()
    return (lat.session_read, fetch, work, replicate, announce)


def plan_stateless(model: Model, req: Request) -> None:
    """Schedule a stateless request's answer: at the failed store operation, after all, or,
    blocked in WAIT, when WAIT's time-out or HAProxy's `timeout server` ends it."""
    load, work, save = req.draws
    if req.store_fail == "wait":
        when = store_wait.wait_ends(model, req)[0]
    else:
        when = req.t_conn + (load if req.store_fail == "load" else load + work + save)
    req.gen += 1
    model.queue.push(when, respond, req, req.gen)


def plan_refused(model: Model, req: Request, dropped: bool = False) -> None:
    """Plan a connection to a dead server, refused (crash) or timed out (vanish), or one a
    full backlog dropped (timed out)."""
    req.refused = capacity.DROPPED if dropped else True
    model.store.attached.pop(req.seq, None)
    req.gen += 1
    if dropped or req.server.kill_kind == "vanish":
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

    HAProxy (`retries`, `option redispatch`; back_handle_st_cer in src/backend.c,
    stream_choose_redispatch in include/haproxy/stream.h) sends a retry to another server,
    at once, when the server is marked down, when the request was not persistent and more
    than one server is up, or when the redispatch interval says so: every retry with
    `option redispatch 1` (config `redispatch: "every"`), only the last one with plain
    `option redispatch` (`"last"`). Without the option (`"off"`) it never does. Otherwise it
    retries the same server, after a turn-around of min(`timeout connect`, 1 s) when the
    connection was refused (not after a connect time-out). A redispatch avoids only the
    server that just failed.
    """
    if gen != req.gen:
        return
    server = req.server
    now = model.queue.now
    detach(model, req)
    req.retried = True
    config = model.config
    attempts = len(req.tried)
    if attempts > config.retries:
        _record_failure(model, req, 0)
        fail(model, req, 503, ("attempts", attempts))
        return
    up = len([s for s in model.servers if takes_new(s)])  # as the balancer counts them
    redispatch = server not in model.servers or redispatches(config, req, server, attempts, up)
    target, reason = server, ("retry", server.name)
    if redispatch:
        target, reason, _ = model.balancer.choose(model.servers, req.user, server, persist=False)
        req.persistent = False
    refused = not capacity.timed_out(req)
    wait = 0
    if target is not None and refused and (target is server or up <= 1):
        wait = min(config.connect_timeout_ms * MS, S)
    _record_failure(model, req, wait)
    if target is None:
        fail(model, req, 503, ("no_server",))
    elif wait:
        req.retry = (target, reason, redispatch)
        model.queue.push(now + wait, _retry, req, req.gen)
    else:
        send(model, req, target, reason)


def _record_failure(model: Model, req: Request, wait: int) -> None:
    """Keep the failed connection's facts for the trace."""
    vanished = capacity.timed_out(req)
    failed = (req.server.name, req.t_send, req.t_conn, model.queue.now, vanished, wait)
    req.failures += (failed,)


def _retry(model: Model, req: Request, gen: int) -> None:
    """Send a retry after the turn-around. A retry to the same server goes there even if it
    was marked down meanwhile (back_handle_st_tar keeps an assigned stream's server); a
    redispatch is placed now, among the servers up now."""
    if gen != req.gen:
        return
    target, reason, redispatch = req.retry
    if redispatch and not target.lb_up:
        target, reason, _ = model.balancer.choose(model.servers, req.user, target, persist=False)
        req.persistent = False
    if target is None:
        fail(model, req, 503, ("no_server",))
    else:
        send(model, req, target, reason)


def respond(model: Model, req: Request, gen: int) -> None:
    """The server has done the work: commit the item (or fail on the store) and answer."""
    if gen != req.gen:
        return
    server, user = req.server, req.user
    if model.rules.uses_store:
        detach(model, req)
        server.requests += 1
        if req.store_fail == "wait":
            store_wait.answer_unconfirmed(model, req)
            return
        if req.store_fail is not None:
            fail(model, req, 503, ("store_down",), via_server=True)
            return
        cart = sessions.commit_to_store(model, user, read_at=req.load_land)
        user.affinity = server.name
        user.acked += 1
        user.cart_items = cart.items
        outcome = "retried" if req.retried else "ok"
        finish(model, req, 200, outcome, model.latency.hop(), cart.items, None)
        return
    cart, req.session_lost, req.origin, req.source = sessions.session_for(
        model, server, user, req.sid
    )
    req.cart = cart  # its own session: another tab's may replace it on this server meanwhile
    cart.items += 1
    if model.rules.replicates:
        target = replication.copy_session(model, server, user.id, cart, req.origin != "memory")
        if target is not None and not target.alive:
            plan_copy_failure(model, req, target)
            return
        req.backup = target
        announce_and_answer(model, req)
        return
    answer(model, req)


def died_inside(model: Model, req: Request, gen: int) -> None:
    """The balancer learns that the server died while handling the request."""
    if gen != req.gen:
        return
    server = req.server
    detach(model, req)
    server.requests += 1
    # HAProxy: a reset connection is a 502; `timeout server` expiring with no answer, a 504.
    status = 504 if req.vanished else 502
    fail(model, req, status, ("died", server.name))
