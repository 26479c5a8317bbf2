"""Session replication as Tomcat's BackupManager does it: one backup copy on another member.

The backup target is the next cluster *member* by name. A dead server stays a member until
the membership drops it (McastService `dropTime`), so until then copies are still sent to it,
and fail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim import narration
from sim.cluster import Copy, Server
from sim.units import MS

if TYPE_CHECKING:
    from sim.model import Model


def topology_changed(model: Model) -> None:
    """Forget cached backup targets: membership changed (added, removed, dropped, back)."""
    model.backup_targets.clear()


def backup_target(model: Model, server: Server) -> Server | None:
    """Return the next member after `server`, in name order, for the backup copy."""
    # Asked twice per replicated request, and the answer depends only on which servers exist
    # and are members, so it is cached until topology_changed().
    targets = model.backup_targets
    if server not in targets:
        targets[server] = find_backup_target(model, server)
    return targets[server]


def find_backup_target(model: Model, server: Server) -> Server | None:
    """Search the servers after `server`, in name order, for the first cluster member."""
    # Membership, not liveness: Tomcat learns of a death only when membership drops the
    # member (McastService dropTime), so a dead member is still chosen until then.
    # A removed server still finishing its requests is a member until it stops.
    servers = sorted(model.servers + model.draining, key=lambda s: s.name)
    if server not in servers:
        return None
    start = servers.index(server)
    for step in range(1, len(servers)):
        other = servers[(start + step) % len(servers)]
        if other.member:
            return other
    return None


def place_backup(model: Model, server: Server, uid: str, copy: Copy) -> Server | None:
    """Copy the session synchronously to one backup server (Tomcat's BackupManager)."""
    target = backup_target(model, server)
    if target is not None and copy.peer == target.name:
        backup = target.backups.get(uid)
        if backup is not None and backup.sid == copy.sid:  # the usual case: update it
            backup.items = copy.items
            backup.acked = copy.acked
            return target
    for other in model.servers:
        stale = other.backups.get(uid)
        if stale is not None and stale.sid == copy.sid and other is not target:
            del other.backups[uid]
    if target is None or not target.alive:
        # No member to copy to, or the copy to a dead member failed: Tomcat logs it and
        # answers anyway, so the session has no backup until membership moves on.
        copy.peer = None
        return None
    backup = copy.clone()
    backup.peer = server.name
    target.backups[uid] = backup
    copy.peer = target.name
    return target


def schedule_membership_drop(model: Model, server: Server) -> None:
    """The cluster will notice the dead member after `membership_drop_ms`."""
    when = model.queue.now + model.config.membership_drop_ms * MS
    model.queue.push(when, _membership_drop, server, server.incarnation)


def _membership_drop(model: Model, server: Server, incarnation: int) -> None:
    """The cluster notices a member left: promote orphaned backups, make missing ones."""
    # A server restarted before the drop never left the membership.
    if server.incarnation == incarnation and not server.alive:
        server.member = False
        topology_changed(model)
    repair(model, f"Cluster membership dropped Server {server.name}")


def repair(model: Model, why: str) -> None:
    """Promote backups whose primary is gone; give every primary a live backup."""
    promoted = 0
    made = 0
    live = [s for s in model.servers if s.alive]
    by_name = {s.name: s for s in live}
    for server in live:
        for uid, backup in list(server.backups.items()):
            holder = by_name.get(backup.peer)
            primary = holder.sessions.get(uid) if holder is not None else None
            if primary is None or primary.sid != backup.sid:
                del server.backups[uid]
                server.sessions[uid] = backup
                backup.peer = None
                promoted += 1
    for server in live:
        for uid, copy in list(server.sessions.items()):
            holder = by_name.get(copy.peer)
            backup = holder.backups.get(uid) if holder is not None else None
            missing = backup is None or backup.sid != copy.sid
            if missing and place_backup(model, server, uid, copy) is not None:
                made += 1
    narration.repaired(model, why, promoted, made)
