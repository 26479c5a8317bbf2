"""A server's capacity, as Tomcat 10.1's NIO HTTP connector has it.

Tomcat 10.1 HTTP connector reference (tomcat-10.1-doc/config/http.html, Introduction and
the attributes `maxThreads`, `maxConnections`, `acceptCount`): each request needs a thread for
its duration, up to `maxThreads` (200 by default) at once; further connections are accepted
and wait in order until a thread is free, up to `maxConnections` connections (8,192 for NIO);
past that, the operating system queues up to `acceptCount` more (100); past that, further
connection requests are refused or time out. Linux drops them (`tcp_abort_on_overflow` 0), so
the balancer sees a connect time-out, as for a vanished server. The time spent waiting is
part of the request's latency.

A server keeps `busy` (requests holding a thread), `waiting` (those queued for one, in order)
and `rps` (requests finished per bucket of the series, below).

Simplified: a request takes its thread (or its place in the queue) when the balancer sends
it, one hop early; health checks do not queue; a queued request runs the moment a thread is
free. A background user sends one request at a time, so a server's queue never holds more
requests than the users bound to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core.cluster import Request, Server

if TYPE_CHECKING:
    from sim.core.model import Model

RUN, WAIT, DROP = "run", "wait", "drop"
DROPPED = "dropped"  # Request.refused of a connection a full backlog dropped


def timed_out(req: Request) -> bool:
    """Whether a failed connection timed out (a vanished server, a full backlog) rather than
    being refused."""
    return req.refused == DROPPED or req.server.kill_kind == "vanish"


def admit(model: Model, server: Server, req: Request) -> str:
    """Give a request arriving at a live server a thread (RUN), a place in the queue (WAIT),
    or nothing: the backlog is full and its connection attempt is dropped (DROP)."""
    config = model.config
    busy = server.busy
    if busy < config.server_threads and busy < config.server_max_connections:
        server.busy = busy + 1
        return RUN
    if busy + len(server.waiting) >= config.server_max_connections + config.accept_queue:
        return DROP
    server.waiting.append(req)
    req.refused = False  # a restart may re-admit a refused connection: its failure is off
    req.gen += 1
    return WAIT


def release(model: Model, server: Server, req: Request) -> None:
    """A request leaves its thread: count it as finished by the server (and its store
    commands, if all answered), and hand the thread to the first request waiting, if any (its
    wait is part of its latency)."""
    server.busy -= 1
    now = model.queue.now
    bucket = now // model.series.width_ns
    _count(server.rps, bucket)
    if req.draws is not None and model.rules.uses_store and req.store_fail is None:
        store = model.store
        _count(store.ops, bucket, 3 if store.wait else 2)  # GET and SET (and WAIT)
    if server.waiting and server.alive:
        following = server.waiting.popleft()
        server.busy += 1
        # Its work starts now, or on arrival if a thread is free before it arrives.
        start = max(now, following.t_conn)
        following.waited = start - following.t_conn
        following.t_conn = start
        model.begin(model, following)  # requests.plan_accepted, passed in by the model


def holds_thread(req: Request) -> bool:
    """Whether a request leaving its server held one of its threads: not a failed connection
    (refused, dropped) and not one its server died with (lose_all freed those)."""
    return not req.refused and not req.doomed


def lose_all(server: Server) -> None:
    """The server died: no thread runs and nothing waits (each request fails on its own)."""
    server.waiting.clear()
    server.busy = 0


def _count(counter: list, bucket: int, number: int = 1) -> None:
    """Count in the current bucket of the series: `counter` is [that bucket, its count, the
    count of the bucket before] (a server's `rps`, the store's `ops`)."""
    if bucket != counter[0]:
        counter[2] = counter[1] if bucket == counter[0] + 1 else 0
        counter[1] = 0
        counter[0] = bucket
    counter[1] += number


def finished_per_s(model: Model, server: Server) -> float:
    """Requests the server finished per second over the last full bucket of the series."""
    return per_s(model, server.rps)


def per_s(model: Model, counter: list) -> float:
    """A counter's count per second over the last full bucket of the series."""
    width = model.series.width_ns
    return count_in(counter, model.queue.now // width - 1) * 1_000_000_000 / width


def count_in(counter: list, bucket: int) -> int:
    """A counter's count in `bucket`, the current one or the one before (else 0: a bucket
    further back is forgotten, and one with no count left the counter behind)."""
    last, now, before = counter
    if last == bucket:
        return now
    if last == bucket + 1:
        return before
    return 0


def load(model: Model, server: Server) -> dict:
    """A server's load: requests running, waiting (for a thread or in the backlog), and
    finished per second."""
    return {
        "busy": server.busy,
        "queued": len(server.waiting),
        "rps": round(finished_per_s(model, server), 3),
    }


def load_spread(model: Model) -> float | None:
    """The busiest live server's rate over the mean of the live ones (1.0 is even); None
    with no traffic."""
    rates = [finished_per_s(model, s) for s in model.servers if s.alive]
    total = 0.0
    for rate in rates:
        total += rate
    if not total:
        return None
    return round(max(rates) * len(rates) / total, 3)
