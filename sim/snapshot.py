"""The snapshot: everything the browser draws, as plain JSON-safe data."""

from sim import __version__
from sim.cluster import DEMO_USER
from sim.config import MODE_LABELS
from sim.model import Model
from sim.units import US, from_thousandths

# What one snapshot carries of the recent past. The page keeps its own 200-line log and
# animates only new traces, and a smaller snapshot is what keeps a click within a frame:
# in Pyodide, encoding 45 KB of JSON took most of the worker's round trip.
SNAPSHOT_LOG_LINES = 50
SNAPSHOT_TRACES = 10


def _server(model: Model, server: object) -> dict:
    """Return one server's state, as it is and as the balancer believes it."""
    mine = server.sessions.get(DEMO_USER)
    backup = server.backups.get(DEMO_USER)
    return {
        "name": server.name,
        "alive": server.alive,
        "lb_status": "up" if server.lb_up else "down",
        "detecting": (not server.alive) and server.lb_up,
        "killed_at_ns": server.killed_at_ns,
        "kill_kind": server.kill_kind,
        "requests": server.requests,
        "sessions": len(server.sessions),
        "backups": len(server.backups),
        "in_flight": server.in_flight,
        "session_items": mine.items if mine is not None else None,
        "backup_items": backup.items if backup is not None else None,
    }


def build_snapshot(model: Model, scenario_text: str, shareable: bool) -> dict:
    """Return the whole state of `model` as plain data."""
    config = model.config
    you = model.users[DEMO_USER]
    stateless = config.mode == "stateless"
    store_cart = model.store.carts.get(DEMO_USER)
    added = model.store.added_latency_ns
    metrics = model.metrics
    counts = model.item_counts()
    return {
        "version": __version__,
        "time_ns": model.now,
        "mode": config.mode,
        "mode_label": MODE_LABELS[config.mode],
        "policy": config.policy,
        "seed": model.seed,
        "config": config.to_dict(),
        "scenario": scenario_text,
        "scenario_shareable": shareable,
        "user": {
            "id": DEMO_USER,
            "cart_items": you.cart_items,
            "acknowledged_items": you.acked,
            "bound_server": you.affinity if config.policy == "sticky" else None,
        },
        "servers": [_server(model, s) for s in model.servers],
        "store": {
            "up": model.store.up,
            "used": stateless,
            "cart_items": (store_cart.items if store_cart is not None else 0)
            if stateless
            else None,
            "added_latency_ms": from_thousandths(added // US),
        },
        "chaos": {"on": model.chaos_on, "next_kill_ns": model.next_kill_ns},
        "traffic": {
            "rate_per_s": from_thousandths(model.traffic_milli),
            "users": config.traffic_users,
            "in_flight": model.active,
        },
        "traces": [dict(t) for t in list(model.traces)[-SNAPSHOT_TRACES:]],
        "log": model.log.tail()[-SNAPSHOT_LOG_LINES:],
        "metrics": {
            "requests": metrics.requests,
            "ok": metrics.ok,
            "failed": metrics.failed,
            "retried": metrics.retried,
            **counts,
            "lost_sessions": metrics.lost_sessions,
            **metrics.percentiles(),
            "per_server": {
                s.name: {"requests": s.requests, "sessions": len(s.sessions)} for s in model.servers
            },
        },
        "series": model.series.points(model.now),
        "series_bucket_ms": config.series_bucket_ms,
    }
