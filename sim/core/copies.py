"""A session copy to a dead member (replicated mode): the copy fails, Tomcat's failure
detector checks the member, the node re-publishes its sessions, and only then answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core import replication
from sim.core.answers import answer
from sim.core.cluster import Request, Server
from sim.core.records import CopyFailed
from sim.core.units import MS

if TYPE_CHECKING:
    from sim.core.model import Model


def plan_copy_failure(model: Model, req: Request, member: Server) -> None:
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
        plan_copy_failure(model, req, target)  # the next member is dead too
        return
    if fresh and target is not None:
        sends += 1  # publishEntryInfo moved on to the next member
    req.backup = target
    republish = 0
    for _ in range(sends):
        republish += model.latency.replication_round_trip()
    req.republished = (sends, republish)
    backup = target.name if target is not None else None
    model.note(
        CopyFailed(user.id, server.name, member.name, req.copy_failures[-1][1], backup, sends)
    )
    req.gen += 1
    model.queue.push(model.queue.now + republish, _answer_later, req, req.gen)


def _answer_later(model: Model, req: Request, gen: int) -> None:
    """Answer once the re-publishing is done."""
    if gen == req.gen:
        answer(model, req)
