"""The store's failover: a Redis primary with one replica, and Sentinel promoting it.

- Replication is asynchronous: the primary acknowledges a write before the replica has it,
  and the replica trails by `store_replication_lag_ms` (our choice; no source defines a
  typical lag). With `store_wait` each write waits for the replica (WAIT 1 <time-out>)
  before it is acknowledged, one more round trip; with no replica WAIT returns 0 at its
  time-out, or blocks with none (requests.py).
- `failover_store`: the primary dies. Writes acknowledged within the lag before it are lost
  with it. Sentinel marks it subjectively down after `down-after-milliseconds`
  (`store_down_after_ms`, 30 s in the sentinel.conf shipped with Redis), then, once a
  quorum agrees and a leader is elected, promotes the replica (`REPLICAOF NO ONE`) and
  clients find the new primary: `store_failover_ms` more (our choice; `failover-timeout` is
  an upper bound, not a duration). Meanwhile no server can load or save a cart.
- A primary that answers again before `down-after-milliseconds` was never down for Sentinel
  (SDOWN needs that long without a valid reply; `sentinelCheckSubjectivelyDown` in
  `src/sentinel.c`): `restore_store` then brings it back as the primary, with every cart it
  held, and no failover follows.
- After a promotion the old primary stays down, and the store has no replica.
  `restore_store` brings it back, and Sentinel makes it a replica of the new primary
  (documented by Sentinel: a returning old master is reconfigured as a replica).
- A primary whose process was killed (store_crash.py) and had not restarted when the replica
  was promoted: the carts are the replica's, and the process, once it runs again, becomes
  the new primary's replica.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core import faults
from sim.core.cluster import Copy, Store
from sim.core.records import (
    StoreFailoverIgnored,
    StoreOdown,
    StorePrimaryBack,
    StorePrimaryDied,
    StorePromoted,
)
from sim.core.units import MS

if TYPE_CHECKING:
    from sim.core.model import Model


def start(model: Model) -> None:
    """The primary dies; Sentinel will promote the replica (no replica, or one failover
    already under way: logged, ignored)."""
    store = model.store
    if store.disk.down_until is not None:
        model.note(StoreFailoverIgnored("restarting", None))
        return
    if store.failover is not None:
        model.note(StoreFailoverIgnored("under_way", None))
        return
    if store.replica is None:
        model.note(StoreFailoverIgnored("no_replica", store.failed))
        return
    now = model.queue.now
    lost = lose_unreplicated(model, store, now)
    detect(model, now)
    store.settle()
    model.note(StorePrimaryDied(store.primary, store.replica, lost))
    faults.store_lost(model)


def detect(model: Model, now: int) -> None:
    """The primary stopped answering now: Sentinel calls it down after down-after."""
    when = now + model.config.store_down_after_ms * MS
    model.store.failover = ("detecting", when)
    model.queue.push(when, _objectively_down, None)


def lose_unreplicated(model: Model, store: Store, now: int) -> int:
    """Carts fall back to what the replica has: writes within the lag are gone. Return how
    many acknowledged items went with them."""
    cutoff = now - model.config.store_replication_lag_ms * MS
    acked_before: dict[str, int] = {}
    for when, uid, items, acked in reversed(store.recent):
        if when <= cutoff:
            break
        cart = store.carts[uid]
        acked_before.setdefault(uid, cart.acked)
        store.unreplicated.setdefault(uid, (cart.items, cart.acked))
        cart.items, cart.acked = items, acked
    store.recent.clear()
    lost = 0
    for uid, acked in acked_before.items():
        lost += acked - store.carts[uid].acked
    return lost


def primary_back(model: Model) -> bool:
    """The dead primary answers again. Before Sentinel has called it down it is simply the
    primary again, with what it held, and no failover follows; return whether it was."""
    store = model.store
    if store.failover is None or store.failover[0] != "detecting":
        return False
    kept = 0
    for uid, (items, acked) in store.unreplicated.items():
        cart = store.carts[uid]
        kept += acked - cart.acked
        cart.items, cart.acked = items, acked
    store.unreplicated.clear()
    store.failover = None
    store.settle()
    model.note(StorePrimaryBack(store.primary, kept))
    faults.store_reachable(model)
    return True


def _objectively_down(model: Model, _arg: object, _gen: int) -> None:
    """Sentinel agrees the primary is down and starts promoting the replica."""
    store = model.store
    if store.failover != ("detecting", model.queue.now):
        return  # the primary answered again in time: no failover
    store.failover = ("promoting", model.queue.now + model.config.store_failover_ms * MS)
    model.note(StoreOdown(store.primary, store.replica))
    model.queue.push(store.failover[1], _promoted, None)


def _promoted(model: Model, _arg: object, _gen: int) -> None:
    """The replica is the primary; clients reach it; the old primary stays down."""
    store = model.store
    store.failed, store.primary, store.replica = store.primary, store.replica, None
    store.failover = None
    store.unreplicated.clear()
    disk = store.disk
    if disk.down_until is not None:  # the old primary was killed and is still restarting
        store.carts = {
            uid: Copy(0, items, acked) for uid, (items, acked) in disk.replica_view.items()
        }
        model.queue.push(disk.down_until, _rejoin_due, store.failed)
        disk.down_until = disk.replica_view = None
    disk.restarted(model.queue.now, store.carts)  # the new primary's save points start now
    store.settle()
    model.note(StorePromoted(store.primary, store.failed))
    faults.store_reachable(model)


def _rejoin_due(model: Model, name: str, _gen: int) -> None:
    """The killed old primary runs again: Sentinel makes it a replica of the new primary
    (unless an operator restored it already)."""
    if model.store.failed == name and model.store.can_restore_primary():
        faults.rejoin_replica(model)
        faults.store_reachable(model)


def state(store: Store) -> dict:
    """The store's nodes and failover for the snapshot."""
    nodes = []
    for name in ("R1", "R2"):
        if name == store.primary:
            role, up = "primary", store.reachable()
        elif name == store.replica:
            role, up = "replica", store.up
        else:
            role, up = "down", False
        nodes.append({"name": name, "role": role, "up": up})
    failover = None
    if store.failover is not None:
        failover = {"phase": store.failover[0], "until_ns": store.failover[1]}
    return {"nodes": nodes, "failover": failover}
