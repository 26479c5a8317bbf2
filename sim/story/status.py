"""The servers, the store and a rolling deploy in words, with the icon that goes with each
(never colour alone), computed from the model for the snapshot."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core.cluster import Server
from sim.core.units import S
from sim.story.words import plural

if TYPE_CHECKING:
    from sim.core.model import Model


def _s(ms: int) -> str:
    """A setting in milliseconds, said in seconds: '2', '0.5'."""
    return f"{ms / 1000:g}"


def _since(ns: int) -> str:
    """A duration in seconds with one decimal, as the page shows time."""
    return f"{ns / S:.1f} s"


def _deploy_status(model: Model, server: Server) -> dict | None:
    """What a rolling deploy is doing to this server, or None if it is not at this server."""
    rollout = model.deploy
    if rollout is None or rollout.server is not server:
        return None
    config = model.config
    if rollout.phase == "draining":
        return {
            "icon": "draining",
            "short": "Draining for the deploy",
            "text": f"Draining for a deploy (preStop wait, {_s(config.drain_ms)} s): no new "
            "users; requests whose cookie names it still arrive and are served",
        }
    if rollout.phase == "stopped":
        return {
            "icon": "replacing",
            "short": "Stopped for the deploy",
            "text": "SIGTERM: stopping once the requests inside finish; the new version starts "
            "empty",
        }
    return {
        "icon": "readmitting",
        "short": "New version, not yet re-admitted",
        "text": f"New version up, empty; the balancer re-admits it after {config.rise} passing "
        "health checks, then the deploy moves on",
    }


def _dead_status(model: Model, server: Server) -> dict:
    """A dead server, detected by the balancer or not yet."""
    config = model.config
    how = "vanished" if server.kill_kind == "vanish" else "crashed"
    if not server.lb_up:
        return {
            "icon": "down",
            "short": f"Down ({how})",
            "text": f"Down ({how}); the balancer has marked it down",
        }
    # HAProxy's health counter (checks.py): from `rise` (not yet passed a check since it was
    # admitted) one failed check marks it down; from the top, `fall` of them.
    falls = max(1, server.health - config.rise + 1)
    return {
        "icon": "detecting",
        "short": f"Down ({how}), not yet detected",
        "text": f"Down ({how}), not yet detected: the balancer still sends it requests "
        f"({_since(model.now - server.killed_at_ns)} since the kill; health checks every "
        f"{_s(config.health_check_interval_ms)} s, {falls} more failed "
        f"{'check marks' if falls == 1 else 'checks mark'} it down)",
    }


def server_status(model: Model, server: Server) -> dict:
    """One server's state in words: {"icon", "short", "text"}."""
    deploying = _deploy_status(model, server)
    if deploying is not None and (server.alive or model.deploy.phase == "stopped"):
        return deploying
    if not server.alive:
        return _dead_status(model, server)
    if server.lb_up and server.drain:
        return {
            "icon": "draining",
            "short": "Draining",
            "text": "Draining: only requests whose cookie names it",
        }
    if not server.lb_up:
        return {
            "icon": "readmitting",
            "short": "Up, not yet re-admitted",
            "text": f"Up again, empty; the balancer re-admits it after {model.config.rise} "
            "passing health checks",
        }
    return {"icon": "up", "short": "Up", "text": "Up"}


def store_status(model: Model) -> dict:
    """The store in words: a failover under way says what Sentinel does next."""
    store = model.store
    if store.disk.down_until is not None:
        left = _since(max(0, store.disk.down_until - model.now))
        status = {"icon": "down", "text": f"Primary's process killed; it restarts in {left}"}
    elif store.failover is not None:
        phase, until_ns = store.failover
        left = _since(max(0, until_ns - model.now))
        status = (
            {"icon": "detecting", "text": f"Primary down; Sentinel calls it down in {left}"}
            if phase == "detecting"
            else {
                "icon": "readmitting",
                "text": f"Failing over; the replica is the primary in {left}",
            }
        )
    else:
        status = {"icon": "up", "text": "Up"} if store.up else {"icon": "down", "text": "Down"}
    added_ms = store.added_latency_ns / 1_000_000
    if added_ms:
        status["text"] += f", +{added_ms:g} ms latency"
    return status


def disk_line(model: Model) -> str:
    """What the primary's disk holds: what a killed Redis process would restart with."""
    disk, now = model.store.disk, model.now
    persistence = disk.persistence
    if persistence == "none":
        return "Disk: nothing (no persistence): a killed process restarts empty"
    if persistence.startswith("aof"):
        fsync = "every second" if persistence == "aof-everysec" else "before each reply"
        return f"Disk: append-only file, every write (fsync {fsync})"
    if disk.snapshot is None:
        return "Disk: no RDB snapshot yet (save 3600 1 300 100 60 10000)"
    items = 0
    for held, _ in disk.snapshot.values():
        items += held
    return (
        f"Disk: RDB snapshot of {_since(now - disk.saved_at)} ago, {plural(items, 'item')}; "
        f"{plural(disk.dirty, 'change')} since"
    )


def node_lines(nodes: list[dict], lag_ms: int) -> list[str]:
    """One line per Redis node: its role, and whether it answers."""
    lines = []
    for node in nodes:
        if node["role"] == "down":
            lines.append(f"{node['name']}: old primary, down")
            continue
        trails = ""
        if node["role"] == "replica" and node["up"]:
            trails = f", {lag_ms} ms behind" if lag_ms else ", in step"
        lines.append(f"{node['name']}: {node['role']}, {'up' if node['up'] else 'down'}{trails}")
    return lines


def store_words(model: Model, nodes: list[dict]) -> dict:
    """The store's status, node lines, disk, whether it is killed and whether its old
    primary can be restored, for the snapshot's `store`."""
    store = model.store
    return {
        "status": store_status(model),
        "node_lines": node_lines(nodes, model.config.store_replication_lag_ms),
        "disk": disk_line(model),
        # no node answers, or the primary's process is restarting: Restore database
        "killed": not any(node["up"] for node in nodes) or store.disk.down_until is not None,
        # the old primary back as a replica, or the dead one before Sentinel calls it down
        "restorable": store.disk.down_until is None
        and (
            store.can_restore_primary()
            or (store.failover is not None and store.failover[0] == "detecting")
        ),
    }


def deploy_status(model: Model) -> str | None:
    """A sentence while a rolling deploy runs."""
    rollout = model.deploy
    if rollout is None or rollout.server is None:
        return None
    left = len(rollout.todo)
    after = f"; {left} more after it" if left else "; the last one"
    return f"Rolling deploy: Server {rollout.server.name} {rollout.phase}{after}"


def detection_window(model: Model) -> str:
    """The servers dead but still believed up, as the metrics line says it."""
    names = [f"Server {s.name}" for s in model.servers if not s.alive and s.lb_up]
    return f" · detection window open for {', '.join(names)}" if names else ""
