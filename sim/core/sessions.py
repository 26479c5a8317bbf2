"""Carts: in the shared store (stateless), or as sessions in a server's memory.

A user's session cookie names a session id (`User.sid`); a copy of that session may be a
primary in one server's `sessions`, a backup in another's `backups`, both, or gone. A cart in
the store is keyed by user, and the store never loses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core import replication
from sim.core.cluster import Copy, Server, User, belongs
from sim.core.records import LostUpdate, MemoryLost

if TYPE_CHECKING:
    from sim.core.model import Model


def commit_to_store(
    model: Model, user: User, acknowledged: bool = True, read_at: int | None = None
) -> Copy:
    """Write the user's cart in the store with one item more (created on first use); return it.

    `read_at`: when the request read the cart. With `store_update` "read_modify_write" it
    writes back what it read plus one, so a write that landed after that read is overwritten
    (the last write wins); "atomic" adds one in the store (HINCRBY), losing nothing. A user
    sends one request at a time except with two tabs, so one write at most comes between.
    """
    store = model.store
    store.disk.wrote(model.queue.now, store.carts)  # an RDB save due before it, then counted
    cart = store.carts.get(user.id)
    if cart is None:
        cart = store.carts[user.id] = Copy(0)
    last = store.last_write.get(user.id)
    store.last_write[user.id] = (model.queue.now, cart.items, cart.acked)
    if store.keep_ns:  # the replica may not have this write yet
        store.remember(model.queue.now, user.id, cart.items, cart.acked)
    if (
        read_at is not None
        and last is not None
        and last[0] > read_at
        and model.config.store_update == "read_modify_write"
    ):
        cart.items, cart.acked = last[1], last[2]  # what this request read
        model.note(LostUpdate(user.id))
    cart.items += 1
    if acknowledged:
        cart.acked += 1
    return cart


def place(model: Model, user_id: str, server_name: str | None, items: int) -> None:
    """Give a user a cart of `items` acknowledged items, on a server or in the store (None).

    For replaying a real cluster's state (sim/cli/predict.py): a session on a server also binds
    the user to it, as the balancer's cookie did; one in the store counts as `items` writes
    now, for its RDB save points.
    """
    user = model.user(user_id)
    model.session_seq += 1
    copy = Copy(model.session_seq, items, items)
    user.sid = copy.sid
    user.acked += items
    user.cart_items = items
    if server_name is None:
        model.store.disk.wrote(model.queue.now, model.store.carts, items)
        model.store.carts[user_id] = copy
    else:
        model.server(server_name).sessions[user_id] = copy
        user.affinity = server_name


def find_copy(
    model: Model, user: User, exclude: Server | None = None, sid: int | None = None
) -> tuple | None:
    """Return (server, copy) of a live copy of session `sid` (default: the user's current
    one), primary first."""
    if sid is None:
        sid = user.sid
    if sid is None:
        return None
    for kind in ("sessions", "backups"):
        for server in model.cluster():
            if server is exclude or not server.alive:
                continue
            copy = getattr(server, kind).get(user.id)
            if belongs(copy, sid):
                return server, copy
    return None


def needs_fetch(model: Model, server: Server, user: User, sid: int | None) -> bool:
    """Whether `server` must fetch session `sid` (the request's cookie) from another server."""
    if sid is None:
        return False
    for holder in (server.sessions, server.backups):
        copy = holder.get(user.id)
        if belongs(copy, sid):
            return False
    return find_copy(model, user, exclude=server, sid=sid) is not None


def session_for(model: Model, server: Server, user: User, sid: int | None) -> tuple:
    """Return (copy, lost, origin, source): the session that cookie `sid` names on `server`,
    found or created (a created one's cookie is set on the user: the last Set-Cookie wins);
    origin is memory, backup, fetched (from the server named `source`) or new."""
    uid = user.id
    copy = server.sessions.get(uid)
    if belongs(copy, sid):
        return copy, False, "memory", None
    origin = source = None
    if model.rules.replicates and sid is not None:
        backup = server.backups.get(uid)
        if belongs(backup, sid):
            del server.backups[uid]
            copy, origin = backup, "backup"
        else:
            found = find_copy(model, user, exclude=server, sid=sid)
            if found is not None:
                holder, copy = found
                origin, source = "fetched", holder.name
        if copy is not None and origin is not None:
            _drop_copies(model, uid, sid)
            server.sessions[uid] = copy
            copy.peer = None  # primary here now: it gets a backup of its own
            return copy, False, origin, source
    lost = sid is not None
    if lost:
        _count_stranded(model, user, sid)
    model.session_seq += 1
    copy = server.sessions[uid] = Copy(model.session_seq)
    user.sid = copy.sid
    return copy, lost, "new", None


def _count_stranded(model: Model, user: User, sid: int) -> None:
    """The user's request could not reach session `sid`. One destroyed was counted then; one
    still alive elsewhere is stranded (the user's cookie moves on), counted now, once (a
    second tab may find it unreachable too)."""
    if user.stranded_sid != sid and find_copy(model, user, sid=sid) is not None:
        user.stranded_sid = sid
        model.metrics.lost_sessions += 1


def _drop_copies(model: Model, uid: str, sid: int) -> None:
    """Forget every copy of session `sid` (before it moves to a new primary)."""
    for server in model.cluster():
        for holder in (server.sessions, server.backups):
            copy = holder.get(uid)
            if belongs(copy, sid):
                del holder[uid]


def acknowledge(model: Model, server: Server, user: User, cart: Copy) -> None:
    """The user gets its 200: the item is acknowledged in the session and in its backup, if
    the backup already holds it."""
    cart.acked += 1
    if not _held(model, user.id, cart):
        # Another tab's request took the session elsewhere after this item was added: the
        # copies it made hold the item (as many items or more), so they hold the ack too.
        for server in model.cluster():
            for holder in (server.sessions, server.backups):
                copy = holder.get(user.id)
                if server.alive and belongs(copy, cart.sid) and copy.items >= cart.items:
                    copy.acked += 1
        return
    if cart.peer is not None:
        backup = cart.peer.backups.get(user.id)
        if belongs(backup, cart.sid) and backup.items == cart.items:
            backup.acked += 1


def _held(model: Model, uid: str, cart: Copy) -> bool:
    """Whether `cart` is still some server's primary copy."""
    return any(server.sessions.get(uid) is cart for server in model.cluster())


def current_cart(model: Model, user: User) -> Copy | None:
    """Return the copy of the user's cart that a read would find now (omniscient)."""
    if model.rules.uses_store:
        return model.store.carts.get(user.id)
    found = find_copy(model, user)
    return found[1] if found is not None else None


def lost_items(user: User, cart: Copy | None) -> int:
    """Items acknowledged to `user` that its current cart (`current_cart`) no longer holds."""
    return user.acked - (cart.acked if cart is not None else 0)


def item_counts(model: Model) -> dict:
    """Return acknowledged, present and lost items over all users."""
    acked = present = lost = 0
    for user in model.users.values():
        cart = current_cart(model, user)
        acked += user.acked
        if cart is not None:
            present += cart.items
        lost += lost_items(user, cart)
    return {"acknowledged_items": acked, "present_items": present, "lost_items": lost}


def lose_memory(model: Model, server: Server, clean: bool) -> None:
    """A server's process ends: its memory goes. After a clean shutdown the cluster is told at
    once (Tomcat's BackupManager sends MSG_STOP); after a crash it notices later."""
    lost = _last_copies(model, server)
    if model.record and server.sessions:
        items = 0
        for copy in server.sessions.values():
            items += copy.items
        model.note(MemoryLost(server.name, len(server.sessions), items, lost))
    model.metrics.lost_sessions += lost
    server.wipe()
    if not model.rules.replicates:
        return
    if clean:
        replication.member_left(model, server, "stopped")
    else:
        replication.schedule_membership_drop(model, server)


def _last_copies(model: Model, server: Server) -> int:
    """Count the sessions whose last live copy is in `server`'s memory."""
    count = 0
    for holder in (server.sessions, server.backups):
        for uid, copy in holder.items():
            user = model.users[uid]
            if belongs(copy, user.sid) and find_copy(model, user, exclude=server) is None:
                count += 1
    return count


def stop(model: Model, server: Server) -> None:
    """A removed server, with no request left inside, shuts down cleanly."""
    server.draining = False
    server.alive = False
    if server in model.draining:
        model.draining.remove(server)
    lose_memory(model, server, clean=True)
