"""What the lessons read of a run, taken from the model before and after each action."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sim.core import capacity, rebalance
from sim.core.cluster import DEMO_USER, items_of
from sim.core.config import Config
from sim.core.metrics import to_ms

if TYPE_CHECKING:
    from sim.core.model import Model
    from sim.story.narrator import Narrator


RECENT_BUCKETS = 5  # the window of `recent_p99_ms`: the last five full buckets (5 s)


@dataclass(frozen=True)
class Facts:
    """The demo user's cart, each server's copy of its session, the store, the counts."""

    mode: str
    config: Config
    cart_items: int  # what the last answer showed
    acknowledged: int
    lost_items: int  # acknowledged but in no copy now
    alive: frozenset[str]
    session_items: dict[str, int | None]  # server -> items of your current session there
    store_cart: int | None  # None when the mode does not use the store
    store_serves: bool  # reachable, and no failover under way
    store_unconfirmed: int  # items of your cart in the store that were never acknowledged
    store_replica: bool  # the store's primary has a replica
    deploying: bool
    failed: int
    lost_sessions: int
    p50_ms: float | None
    answer: tuple[int, str | None] | None  # the demo user's last answer: status, server
    answer_why: str | None  # why that answer failed (a failure code), or None
    answer_seq: int  # which answer that is (it changes with each new one)
    # Scaling (the scale-out lesson): the time, the traffic, each live server's finished
    # requests per second, the last remap, and p99 over the last few full buckets.
    time_ns: int = 0
    traffic_milli: int = 0
    rates: dict[str, float] = field(default_factory=dict)
    remap: dict | None = None
    recent_p99_ms: float | None = None
    added: tuple[str, int, int | None] | None = None  # rebalance.last_add


def facts(model: Model, narrator: Narrator) -> Facts:
    """Read the facts the lessons use from `model` and what its narrator heard, now."""
    you = model.users[DEMO_USER]
    store = model.store
    used = model.rules.uses_store
    stored = store.carts.get(DEMO_USER)
    last = narrator.last_answer
    return Facts(
        mode=model.config.mode,
        config=model.config,
        cart_items=you.cart_items,
        acknowledged=you.acked,
        lost_items=model.lost_items(you),
        alive=frozenset(s.name for s in model.servers if s.alive),
        session_items={s.name: items_of(s.sessions.get(you.id), you.sid) for s in model.servers},
        store_cart=(stored.items if stored is not None else 0) if used else None,
        store_serves=store.reachable() and store.failover is None,
        store_unconfirmed=stored.items - stored.acked if used and stored is not None else 0,
        store_replica=store.replica is not None,
        deploying=model.deploy is not None,
        failed=model.metrics.failed,
        lost_sessions=model.metrics.lost_sessions,
        p50_ms=to_ms(model.metrics.latency.percentile_ns(50)),
        answer=None if last is None else (last.status, last.server),
        answer_why=None if last is None or last.failure is None else last.failure[0],
        answer_seq=narrator.answers,
        time_ns=model.now,
        traffic_milli=model.traffic_milli,
        rates={s.name: capacity.finished_per_s(model, s) for s in model.servers if s.alive},
        remap=model.remap,
        added=rebalance.last_add(model),
        recent_p99_ms=to_ms(model.series.recent_percentile_ns(model.now, RECENT_BUCKETS, 99)),
    )
