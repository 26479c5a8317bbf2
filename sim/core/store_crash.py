"""A crash of the store's Redis primary: its process is killed (SIGKILL) and restarts, after
`store_restart_ms`, with what its persistence kept (sim/core/disk.py).

- Its memory is gone. Until it restarts no server can load or save a cart, and the carts
  are what its disk holds (what the restart loads).
- With a replica, Sentinel counts `down-after-milliseconds` as for any primary that stops
  answering (failover.py). A primary that restarts before then was never down for Sentinel:
  it is the primary again, with what it loaded, and its replica copies it again (a full
  resynchronisation: the replica drops what it had), so the replica loses what the
  primary's disk did not keep. Persistence off and a quick restart empty both (Redis
  replication manual, "Safety of replication when master has persistence turned off").
- A primary that restarts after Sentinel called it down is no longer the primary: once the
  replica is promoted, with what it had (the lag's writes missing), Sentinel makes the
  returning process its replica (failover.py).
- `restore_store` restarts a killed process at once, as an operator would.
- `kill_store` with kind "unreachable" (faults.py) is another fault: the store's host cut
  off, every node unreachable, nothing lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core import failover, faults, requests, sessions
from sim.core.cluster import Copy, Store
from sim.core.records import StoreCrashed, StoreCrashIgnored, StoreRestarted
from sim.core.units import MS

if TYPE_CHECKING:
    from sim.core.model import Model


def _cannot_crash(store: Store) -> str | None:
    """Why the primary's process cannot be killed now, or None."""
    if not store.up:
        return "down"
    if store.disk.down_until is not None:
        return "restarting"
    if store.failover is not None:
        return "failing_over"
    return None


def crash(model: Model) -> None:
    """Kill the primary's Redis process; it restarts after `store_restart_ms`."""
    store, now = model.store, model.queue.now
    why = _cannot_crash(store)
    if why is not None:
        model.note(StoreCrashIgnored(why))
        return
    disk = store.disk
    _cut_waits(model, store)
    acked = {uid: cart.acked for uid, cart in store.carts.items()}
    saved_ago = None if disk.snapshot is None else now - disk.saved_at
    kept = disk.kept(now, store.carts)
    if store.replica is not None:
        failover.lose_unreplicated(model, store, now)  # the carts as the replica has them
        disk.replica_view = counts_of(store.carts)
        store.unreplicated.clear()  # the primary's memory is gone: nothing comes back
        failover.detect(model, now)
    store.carts = carts_of(kept)
    store.recent.clear()
    store.last_write.clear()
    lost = 0
    for uid, before in acked.items():
        lost += max(0, before - kept.get(uid, (0, 0))[1])
    items = 0
    for held, _ in kept.values():
        items += held
    disk.down_until = now + model.config.store_restart_ms * MS
    store.settle()
    model.note(
        StoreCrashed(
            store.primary,
            disk.persistence,
            lost,
            items,
            saved_ago if disk.persistence == "rdb" else None,
            store.replica,
            disk.down_until - now,
        )
    )
    faults.store_lost(model)
    model.queue.push(disk.down_until, _restart_due, disk.down_until)


def _cut_waits(model: Model, store: Store) -> None:
    """Writes blocked in WAIT are on the primary (unconfirmed); the connection to it breaks,
    so their servers answer an error now."""
    for req in list(store.attached.values()):
        if req.store_fail == "wait":
            sessions.commit_to_store(model, req.user, acknowledged=False)
            req.store_fail = "cut"
            requests.plan_stateless(model, req)


def counts_of(carts: dict) -> dict[str, tuple[int, int]]:
    """The carts as (items, acked) per user."""
    return {uid: (cart.items, cart.acked) for uid, cart in carts.items()}


def carts_of(counts: dict) -> dict[str, Copy]:
    """Carts from (items, acked) per user."""
    return {uid: Copy(0, items, acked) for uid, (items, acked) in counts.items()}


def _restart_due(model: Model, due: int, _gen: int) -> None:
    """The supervisor's restart, unless an operator restarted it already."""
    if model.store.disk.down_until == due:
        restart(model)


def restart(model: Model) -> bool:
    """The killed process runs again; return whether one was down. Before Sentinel called it
    down it is the primary, with what it loaded; during a promotion it waits to become the
    new primary's replica (failover.py)."""
    store, now = model.store, model.queue.now
    disk = store.disk
    if disk.down_until is None:
        return False
    if store.failover is not None and store.failover[0] == "promoting":
        disk.down_until = store.failover[1]  # it rejoins once the promotion is done
        model.queue.push(disk.down_until, _restart_due, disk.down_until)
        return True
    disk.down_until = None
    disk.replica_view = None
    store.failover = None  # Sentinel never called it down
    disk.restarted(now, store.carts)
    store.recent.clear()  # its replica, if any, copies it whole
    store.settle()
    items = 0
    for cart in store.carts.values():
        items += cart.items
    model.note(StoreRestarted(store.primary, "primary", items, store.replica))
    faults.store_reachable(model)
    return True
