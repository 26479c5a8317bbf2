"""A finished request's trace: the path it took, as hops whose durations add up to its latency.

Built from its record and the facts the request kept (failed connections, draws, copies),
when the snapshot asks: it carries the last few for the page to draw.
"""

from sim.core.cluster import Request
from sim.core.records import RequestFinished
from sim.story.words import plural


def reason_text(reason: tuple | None) -> str:
    """The balancer's reason for a choice, in words."""
    if reason is None:
        return ""
    code = reason[0]
    if code == "none":
        return "no server available"
    if code == "cookie":
        return f"sticky cookie: Server {reason[1]}"
    if code == "rebound":
        _, bound, gone, chosen = reason
        return f"Server {bound} is {'gone' if gone else 'marked down'}: re-bound to Server {chosen}"
    if code == "least_connections":
        return f"least connections ({reason[1]} open)"
    if code == "no_cookie":
        return "no cookie yet: round robin"
    if code == "round_robin":
        return "round robin"
    if code == "source":
        return f"source address hash ({reason[1]})"
    if code == "own":
        return f"your policy: Server {reason[1]}"
    if code == "retry":
        return f"retry Server {reason[1]}"
    return f"redispatch ({reason_text(reason[1])}, avoiding Server {reason[2]})"


def trace(rec: RequestFinished) -> dict:
    """Return the trace of a finished request as plain data."""
    req, status, back_ns = rec.request, rec.status, rec.back_ns
    hops = [
        {"from": h[0], "to": h[1], "ns": h[2], "note": h[3]}
        for h in _waited(_hops(req, status, back_ns), req, rec.latency_ns)
    ]
    path = [hops[0]["from"]]
    for hop in hops:
        if hop["to"] != path[-1]:
            path.append(hop["to"])
    return {
        "request": req.seq,
        "user": req.user.id,
        "server": req.server.name if status == 200 else None,
        "tried": list(req.tried),
        "reason": "; then ".join(reason_text(reason) for reason in req.reasons)
        if req.reasons
        else "no server available",
        "path": path,
        "hops": hops,
        "start_ns": req.start_ns,
        "latency_ns": rec.latency_ns,
        "outcome": rec.outcome,
        "status": status,
        "cart_items": rec.cart_items,
    }


_WAITED = {
    "wait": "WAIT returned 0 at its time-out: no replica confirmed the write",
    "cut": "the connection broke: the Redis process was killed",
}


def _waited(hops: list[tuple], req: Request, latency_ns: int) -> list[tuple]:
    """A save that blocked in WAIT, or whose connection a killed Redis broke: the time it
    spent blocked, before the server's answer."""
    note = _WAITED.get(req.store_fail)
    if note is None or len(hops) < 3 or req.doomed:
        return hops
    spent = 0
    for hop in hops:
        spent += hop[2]
    if latency_ns <= spent:
        return hops
    return [*hops[:-2], ("store", req.server.name, latency_ns - spent, note), *hops[-2:]]


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


def _arrival_hops(req: Request) -> list[tuple]:
    """The connection to the server, and the wait for one of its threads if it had to."""
    name = req.server.name
    hops = [("lb", name, req.t_conn - req.waited - req.t_send, "connect")]
    if req.waited:
        hops.append((name, name, req.waited, "wait for a free thread"))
    return hops


def _died_hops(req: Request) -> list[tuple]:
    """The hops of a request whose server died while handling it."""
    name = req.server.name
    note = "no response: server time-out" if req.vanished else "connection reset"
    return [
        *_arrival_hops(req),
        (name, name, req.t_kill - req.t_conn, "server died while handling the request"),
        (name, "lb", req.done_ns - req.t_kill, note),
    ]


def _stateless_hops(req: Request) -> list[tuple]:
    """The hops of a stateless request inside its server."""
    name = req.server.name
    load, work, save = req.draws
    hops = [*_arrival_hops(req), (name, "store", load // 2, "load cart")]
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
    read, fetch, work, replicate, announce = req.draws
    hops = _arrival_hops(req)
    if fetch:
        source = req.source if req.origin == "fetched" else name
        hops.append((name, source, fetch // 2, "fetch session"))
        hops.append((source, name, fetch - fetch // 2, "session copied"))
    note = _SESSION_NOTES.get(req.origin, "use the fetched session")
    hops.append((name, name, read + work, f"{note}, add the item"))
    if req.copy_failures:
        hops += _copy_failure_hops(req, req.t_conn + read + fetch + work)
    elif replicate:
        target = req.backup.name if req.backup is not None else name
        stored = "backup stored" if req.backup is not None else "no backup member"
        hops.append((name, target, replicate // 2, "copy session to backup"))
        hops.append((target, name, replicate - replicate // 2, stored))
    if req.proxy_failure is not None:
        hops += _proxy_failure_hops(req)
    elif req.announced and not req.copy_failures:
        servers = "Server" if len(req.announced) == 1 else "Servers"
        told = f"tell {servers} {', '.join(req.announced)} where the session is (MSG_PROXY)"
        hops.append((name, name, announce, told))
    return hops


def _proxy_failure_hops(req: Request) -> list[tuple]:
    """The announcement to dead members, the detector's checks, and the re-publishing."""
    name = req.server.name
    started, failed_at, checked, vanished, count, republish = req.proxy_failure
    first = checked[0][0].name
    took = failed_at - started
    note = "tell the other members where the session is (MSG_PROXY)"
    if vanished:
        hops = [(name, first, 0, note), (first, name, took, "no answer: send time-out")]
    else:
        hops = [(name, first, took // 2, note), (first, name, took - took // 2, "refused")]
    for member, check in checked:
        if not check:
            continue  # the membership had dropped it: nothing to check
        if member.kill_kind == "vanish":
            hops.append((name, member.name, 0, "failure detector: connect"))
            hops.append((member.name, name, check, "no answer: member removed"))
        else:
            hops.append((name, member.name, check // 2, "failure detector: connect"))
            hops.append((member.name, name, check - check // 2, "refused: member removed"))
    if count:
        hops.append(
            (name, name, republish, f"re-publish {plural(count, 'session')} to new backups")
        )
    return hops


def _copy_failure_hops(req: Request, copy_started: int) -> list[tuple]:
    """Copies to dead members, the failure detector's checks, and the re-publishing."""
    name = req.server.name
    hops = []
    at = copy_started
    for member, vanished, failed_at, check in req.copy_failures:
        target = member.name
        if vanished:
            hops.append((name, target, 0, "copy session to backup"))
            hops.append((target, name, failed_at - at, "no answer: replication time-out"))
            hops.append((name, target, 0, "failure detector: connect"))
            hops.append((target, name, check, "no answer: member removed"))
        else:
            hops.append((name, target, (failed_at - at) // 2, "copy session to backup"))
            hops.append((target, name, failed_at - at - (failed_at - at) // 2, "refused"))
            hops.append((name, target, check // 2, "failure detector: connect"))
            hops.append((target, name, check - check // 2, "refused: member removed"))
        at = failed_at + check
    count, republish = req.republished
    if count:
        note = f"re-publish {plural(count, 'session')} to new backups"
        hops.append((name, name, republish, note))
    return hops
