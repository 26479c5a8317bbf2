"""The store's failover: a Redis primary with one replica, and Sentinel promoting it.

- Replication is asynchronous: the primary acknowledges a write before the replica has it,
  and the replica trails by `store_replication_lag_ms` (our choice; no source defines a
  typical lag). With `store_wait` each write waits for the replica (WAIT 1 0) before it is
  acknowledged, one more round trip; with no replica WAIT 1 0 blocks (requests.py).
- `failover_store`: the primary dies. Writes acknowledged within the lag before it are lost
  with it. Sentinel marks it subjectively down after `down-after-milliseconds`
  (`store_down_after_ms`, 30 s in the sentinel.conf shipped with Redis), then, once a
  quorum agrees and a leader is elected, promotes the replica (`REPLICAOF NO ONE`) and
  clients find the new primary: `store_failover_ms` more (our choice; `failover-timeout` is
  an upper bound, not a duration). Meanwhile no server can load or save a cart.
- The old primary stays down, and the store has no replica. `restore_store` brings it back,
  and Sentinel makes it a replica of the new primary (documented by Sentinel: a returning
  old master is reconfigured as a replica).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core import faults
from sim.core.cluster import Store
from sim.core.records import StoreFailoverIgnored, StoreOdown, StorePrimaryDied, StorePromoted
from sim.core.units import MS

if TYPE_CHECKING:
    from sim.core.model import Model


def start(model: Model) -> None:
    """The primary dies; Sentinel will promote the replica (no replica, or one failover
    already under way: logged, ignored)."""
    store = model.store
    if store.failover is not None:
        model.note(StoreFailoverIgnored("under_way", None))
        return
    if store.replica is None:
        model.note(StoreFailoverIgnored("no_replica", store.failed))
        return
    now = model.queue.now
    lost = _lose_unreplicated(model, store, now)
    down_after = model.config.store_down_after_ms * MS
    store.failover = ("detecting", now + down_after)
    store.settle()
    model.note(StorePrimaryDied(store.primary, store.replica, lost))
    faults.store_lost(model)
    model.queue.push(now + down_after, _objectively_down, None)


def _lose_unreplicated(model: Model, store: Store, now: int) -> int:
    """Carts fall back to what the replica has: writes within the lag are gone. Return how
    many acknowledged items went with them."""
    cutoff = now - model.config.store_replication_lag_ms * MS
    acked_before: dict[str, int] = {}
    for when, uid, items, acked in reversed(store.recent):
        if when <= cutoff:
            break
        cart = store.carts[uid]
        acked_before.setdefault(uid, cart.acked)
        cart.items, cart.acked = items, acked
    store.recent.clear()
    lost = 0
    for uid, acked in acked_before.items():
        lost += acked - store.carts[uid].acked
    return lost


def _objectively_down(model: Model, _arg: object, _gen: int) -> None:
    """Sentinel agrees the primary is down and starts promoting the replica."""
    store = model.store
    store.failover = ("promoting", model.queue.now + model.config.store_failover_ms * MS)
    model.note(StoreOdown(store.primary, store.replica))
    model.queue.push(store.failover[1], _promoted, None)


def _promoted(model: Model, _arg: object, _gen: int) -> None:
    """The replica is the primary; clients reach it; the old primary stays down."""
    store = model.store
    store.failed, store.primary, store.replica = store.primary, store.replica, None
    store.failover = None
    store.settle()
    model.note(StorePromoted(store.primary, store.failed))
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
