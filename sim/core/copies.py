"""What a replicated request sends to other members before it answers, and what a dead
member costs it (Tomcat 10.1, tribes: tipis/LazyReplicatedMap.java, AbstractReplicatedMap.java,
group/interceptors/TcpFailureDetector.java, transport/nio/ParallelNioSender.java).

- The session's changes go to its backup (MSG_BACKUP). A session created on the node or made
  primary there (publishEntryInfo) is then announced to every other member but the backup
  (MSG_PROXY), in one parallel send that waits for the acknowledgements.
- A send to a dead member fails: refused within the round trip after a crash; after a
  vanish, after ParallelNioSender's fixed 5 s `selectTimeout` (its loop selects while less
  than the Transport `timeout`, 3 s, has passed, so one 5 s select ends it).
- The ChannelException reaches TcpFailureDetector.sendMessage, whose memberDisappeared checks
  the member with a TCP connect (refused at once, or no answer within `connectTimeout`, 1 s)
  unless the membership has dropped it already, removes it, and the map re-publishes, all in
  the request's thread before it answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core import replication
from sim.core.answers import answer
from sim.core.cluster import Request, Server
from sim.core.records import CopyFailed, ProxyFailed
from sim.core.units import MS

if TYPE_CHECKING:
    from sim.core.config import Config
    from sim.core.model import Model

SELECT_TIMEOUT_MS = 5_000  # ParallelNioSender.selectTimeout: final, not configurable


def unanswered_send_ns(config: Config) -> int:
    """When a send nothing answers fails: ParallelNioSender selects for 5 s at a time until
    the Transport `timeout` has passed (5 s with the default 3 s)."""
    selects = -(-config.replication_timeout_ms // SELECT_TIMEOUT_MS)
    return selects * SELECT_TIMEOUT_MS * MS


def _check_ns(model: Model, member: Server) -> int:
    """The failure detector's TCP check of a member a send failed on: none when the
    membership already dropped it ("already disappeared"), its `connectTimeout` when the host
    vanished, a refused connect's round trip after a crash."""
    if not member.member:
        return 0
    if member.kill_kind == "vanish":
        return model.config.failure_check_timeout_ms * MS
    return model.latency.replication_round_trip()


def _republish(model: Model, sends: int) -> int:
    """The time to re-publish `sends` sessions, one round trip each."""
    total = 0
    for _ in range(sends):
        total += model.latency.replication_round_trip()
    return total


# -- the backup copy ---------------------------------------------------------------------------


def plan_copy_failure(model: Model, req: Request, member: Server) -> None:
    """The copy to a dead member fails; the failure detector checks the member next."""
    now = model.queue.now
    vanished = member.kill_kind == "vanish"
    failed_at = now  # refused within the copy's round trip
    if vanished:
        copy_started = now - req.draws[3] - req.draws[4]  # the announcement follows the copy
        failed_at = max(now, copy_started + unanswered_send_ns(model.config))
    req.copy_failures += ((member, vanished, failed_at, 0),)
    req.gen += 1
    model.queue.push(failed_at, _copy_send_failed, req, req.gen)


def _copy_send_failed(model: Model, req: Request, gen: int) -> None:
    """The copy failed: the detector checks the member (if it is still one)."""
    if gen != req.gen:
        return
    member, vanished, failed_at, _ = req.copy_failures[-1]
    check = _check_ns(model, member)
    req.copy_failures = (*req.copy_failures[:-1], (member, vanished, failed_at, check))
    req.gen += 1
    model.queue.push(failed_at + check, _copy_failed, req, req.gen)


def _copy_failed(model: Model, req: Request, gen: int) -> None:
    """The detector confirmed the member dead: the node's map re-publishes, then answers."""
    if gen != req.gen:
        return
    server, user = req.server, req.user
    member = req.copy_failures[-1][0]
    sends = replication.failure_detected(model, server, member, "detector")
    cart = req.cart
    fresh = req.origin != "memory"
    target = None
    if server.sessions.get(user.id) is cart:  # another tab may have moved it meanwhile
        target = replication.copy_session(model, server, user.id, cart, fresh)
    if target is not None and not target.alive:
        plan_copy_failure(model, req, target)  # the next member is dead too
        return
    if fresh and target is not None:
        sends += 1  # publishEntryInfo moved on to the next member
    req.backup = target
    republish = _republish(model, sends)
    req.republished = (sends, republish)
    backup = target.name if target is not None else None
    model.note(
        CopyFailed(user.id, server.name, member.name, req.copy_failures[-1][1], backup, sends)
    )
    req.gen += 1
    model.queue.push(model.queue.now + republish, _announce_later, req, req.gen)


def _announce_later(model: Model, req: Request, gen: int) -> None:
    """The re-publishing is done: announce the session if it is new here, then answer."""
    if gen == req.gen:
        announce_and_answer(model, req)


# -- the announcement to the other members ------------------------------------------------------


def proxies(model: Model, req: Request) -> list[Server]:
    """The members a new session is announced to: every member but its node and backup."""
    return [m for m in replication.members(model, req.server) if m is not req.backup]


def announce_and_answer(model: Model, req: Request) -> None:
    """Answer, once a session created or made primary here has been announced (MSG_PROXY);
    a dead member among the others makes the send fail first."""
    if req.draws[4] and req.origin != "memory" and req.proxy_failure is None:
        told = proxies(model, req)
        req.announced = tuple(m.name for m in told)
        dead = [m for m in told if not m.alive]
        if dead:
            now = model.queue.now
            started = now if req.copy_failures else now - req.draws[4]
            vanished = any(m.kill_kind == "vanish" for m in dead)
            failed_at = now
            if vanished:
                failed_at = max(now, started + unanswered_send_ns(model.config))
            req.proxy_failure = (started, failed_at, tuple((m, 0) for m in dead), vanished, 0, 0)
            req.gen += 1
            model.queue.push(failed_at, _proxy_send_failed, req, req.gen)
            return
    answer(model, req)


def _proxy_send_failed(model: Model, req: Request, gen: int) -> None:
    """The announcement failed: the detector checks each dead member in turn."""
    if gen != req.gen:
        return
    started, failed_at, dead, vanished, _, _ = req.proxy_failure
    checked = tuple((member, _check_ns(model, member)) for member, _ in dead)
    total = 0  # one check after the other (memberDisappeared runs per faulty member)
    for _, check in checked:
        total += check
    req.proxy_failure = (started, failed_at, checked, vanished, 0, 0)
    req.gen += 1
    model.queue.push(failed_at + total, _proxy_failed, req, req.gen)


def _proxy_failed(model: Model, req: Request, gen: int) -> None:
    """The detector removed the dead members: the map re-publishes, then the node answers."""
    if gen != req.gen:
        return
    started, failed_at, checked, vanished, _, _ = req.proxy_failure
    server = req.server
    sends = 0
    for member, _ in checked:
        sends += replication.failure_detected(model, server, member, "detector")
    republish = _republish(model, sends)
    req.proxy_failure = (started, failed_at, checked, vanished, sends, republish)
    names = tuple(member.name for member, _ in checked)
    model.note(ProxyFailed(req.user.id, server.name, names, vanished, sends))
    req.gen += 1
    model.queue.push(model.queue.now + republish, _answer_later, req, req.gen)


def _answer_later(model: Model, req: Request, gen: int) -> None:
    """Answer once the re-publishing is done."""
    if gen == req.gen:
        answer(model, req)
