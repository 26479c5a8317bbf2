"""Session replication as Tomcat 10.1's BackupManager does it, in the default cluster, whose
channel includes the TcpFailureDetector (ha/session/BackupManager.java,
tribes/tipis/AbstractReplicatedMap.java, LazyReplicatedMap.java,
tribes/group/interceptors/TcpFailureDetector.java).

- A session has one backup copy on another cluster member. A node picks it round robin over
  the other members (getNextBackupIndex) when a session is created on it or becomes primary
  there (publishEntryInfo); each later request sends its changes to that same backup, before
  the response (ReplicationValve, SYNC_ACK).
- A copy sent to a dead member fails (refused after a crash, 5 s after a vanish); the
  failure detector checks and removes the member, and the node's map, still in the request,
  re-publishes every session whose backup was there and promotes the backups it held of
  sessions whose primary was there (memberDisappeared). A new session is also announced to
  the other members (MSG_PROXY). Both in sim/core/copies.py.
- A member that nothing is sent to leaves when the membership drops it (McastService
  `dropTime`, 3 s), after the same TCP check; a clean stop tells the others at once
  (MSG_STOP). A member that joins receives the backups of sessions that had none.
- The model keeps one membership view: when one node removes a member, every node does.
  When a member leaves, copies are re-published to live members only (the detector's checks
  of any other dead member are taken as instant).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core.cluster import Copy, Server, belongs
from sim.core.records import MemberJoined, MemberLeft
from sim.core.units import MS

if TYPE_CHECKING:
    from sim.core.model import Model


def members(model: Model, node: Server) -> list[Server]:
    """The cluster members other than `node`, in name order (removed ones still draining
    included)."""
    return [s for s in model.cluster() if s.member and s is not node]


def other_members(model: Model, node: Server) -> int:
    """How many cluster members there are besides `node` (with one, a request copies its
    session; with two or more, a new session is also announced to the others)."""
    # A loop, not a generator: one per replicated request costs a few percent of a run.
    count = 0
    for server in model.cluster():
        if server.member and server is not node:
            count += 1
    return count


def _next_member(model: Model, node: Server, live_only: bool) -> Server | None:
    """The next backup member for a session published by `node`, round robin."""
    candidates = members(model, node)
    if live_only:
        candidates = [s for s in candidates if s.alive]
    if not candidates:
        return None
    index = node.backup_cursor % len(candidates)
    node.backup_cursor = index + 1
    return candidates[index]


def copy_session(model: Model, node: Server, uid: str, copy: Copy, fresh: bool) -> Server | None:
    """Send the session's changes to its backup at the end of a request (a session new or
    newly primary on `node` first gets a backup, round robin). Return the member it was sent
    to, None when nothing was sent; a dead member means the copy failed."""
    target = _peer(copy)
    if target is None:
        if not fresh:
            return None  # AbstractReplicatedMap.replicate: no backup node, nothing to send
        target = _next_member(model, node, live_only=False)
        if target is None:
            return None
    if target.alive:
        _store_backup(node, target, uid, copy)
    return target


def _peer(copy: Copy) -> Server | None:
    """The member that holds this primary copy's backup, if any."""
    peer = copy.peer
    return peer if peer is not None and peer.member else None


def _store_backup(node: Server, target: Server, uid: str, copy: Copy) -> None:
    """Put (or update) the backup of `node`'s session on `target`."""
    backup = target.backups.get(uid)
    if belongs(backup, copy.sid):
        backup.items = copy.items
        backup.acked = copy.acked
    else:
        backup = target.backups[uid] = copy.clone()
    backup.peer = node
    copy.peer = target


def failure_detected(model: Model, node: Server, member: Server, cause: str) -> int:
    """`node`'s failure detector confirmed `member` dead: remove it from the cluster (if no
    node has yet); return how many sessions `node` re-published or promoted meanwhile."""
    if not member.member:
        return 0
    return member_left(model, member, cause).get(node.name, 0)


def member_left(model: Model, member: Server, cause: str) -> dict[str, int]:
    """Every node's map reacts to `member` leaving: backups whose primary was there are
    promoted, sessions whose backup was there re-published. Return the work per node."""
    member.member = False
    work: dict[str, int] = {}
    promoted = published = 0
    for node in model.cluster():
        if not node.alive or node is member:
            continue
        for uid, backup in list(node.backups.items()):
            if backup.peer is member:  # its primary was there: this copy takes over
                del node.backups[uid]
                node.sessions[uid] = backup
                promoted += 1
        for uid, copy in node.sessions.items():
            if copy.peer is member:  # its backup was there (or, promoted, its primary)
                copy.peer = None
                target = _next_member(model, node, live_only=True)
                if target is not None:
                    _store_backup(node, target, uid, copy)
                    published += 1
                    work[node.name] = work.get(node.name, 0) + 1
    model.note(MemberLeft(member.name, cause, promoted, published))
    return work


def member_joined(model: Model, member: Server) -> None:
    """A member joined (a restart or an added server): sessions without a backup get one
    (mapMemberAdded). Nothing else moves."""
    member.member = True
    published = 0
    for node in model.cluster():
        if not node.alive:
            continue
        for uid, copy in node.sessions.items():
            if _peer(copy) is None:
                target = _next_member(model, node, live_only=True)
                if target is not None:
                    _store_backup(node, target, uid, copy)
                    published += 1
    if published:
        model.note(MemberJoined(member.name, published))


def schedule_membership_drop(model: Model, server: Server) -> None:
    """A dead member that nothing is sent to is dropped after `dropTime`, once the failure
    detector's own check has failed too (at once after a crash, 1 s after a vanish)."""
    delay = model.config.membership_drop_ms * MS
    if server.kill_kind == "vanish":
        delay += model.config.failure_check_timeout_ms * MS
    model.queue.push(model.queue.now + delay, _membership_drop, server, server.incarnation)


def _membership_drop(model: Model, server: Server, incarnation: int) -> None:
    """The membership drops a member that stopped sending heartbeats."""
    # A server restarted before the drop answers the detector's check: it stays a member.
    if server.incarnation == incarnation and not server.alive and server.member:
        member_left(model, server, "membership")
