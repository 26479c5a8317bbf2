"""A rolling deploy: each server in turn drains, gets SIGTERM, stops cleanly, starts empty.

For each server, in name order (the servers there when the deploy began):
- draining, for `drain_ms` (a `preStop` hook's wait, our 20 s): HAProxy's `drain` state
  (weight 0; `set server ... state drain` on the runtime API). The balancer sends it no new
  non-persistent traffic, but clients whose cookie names it still reach it, and Tomcat,
  which has not been told anything yet, serves them;
- stopped: SIGTERM. The deploy marks the server down (`set server ... health down`: health
  counter 0, no request at all), and Tomcat's shutdown pauses its connectors first
  (StandardService.stopInternal), so nothing new gets in; the requests inside finish and the
  process exits cleanly: its memory goes, and in replicated mode BackupManager tells the
  cluster (MSG_STOP), so the backups are promoted at once;
- starting: the new version starts empty at once and the deploy sets it `ready`; with its
  health counter at 0 the balancer re-admits it after `rise` passed health checks (leaving
  `maint` instead would re-admit it at once: server.c sets the counter to `rise`); then the
  next server drains.
`termination_grace_ms` (Kubernetes' `terminationGracePeriodSeconds`, 30 s, counted from the
start of the step, the hook included) is not a drain time: it bounds the time to SIGKILL.
A process still running then (a request still inside, or a hook still waiting: Kubernetes
gives a hook one extra 2 s) is killed, with no clean stop, and its new version starts.
A server that is dead or removed when its turn comes, or dies or is removed during its turn,
is skipped. A deploy asked for while one runs is logged and ignored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core import sessions
from sim.core.cluster import Server
from sim.core.records_deploy import (
    DeployDraining,
    DeployFinished,
    DeployIgnored,
    DeployKilled,
    DeployReplaced,
    DeploySkipped,
    DeployStarted,
    DeployStopping,
)
from sim.core.units import MS, S

HOOK_EXTENSION_NS = 2 * S  # Kubernetes: a preStop hook still running at the grace period's end
SIGKILL = "SIGKILL"  # the cause of a kill at the end of the grace period

if TYPE_CHECKING:
    from sim.core.model import Model


class Rollout:
    """A deploy under way: the servers still to do, the current one and its phase."""

    __slots__ = ("gen", "phase", "server", "started_ns", "todo")

    def __init__(self, names: list[str], started_ns: int) -> None:
        """Start with every server to do."""
        self.todo = names
        self.server: Server | None = None
        self.phase = ""
        self.gen = 0  # bumped at each step: events of an earlier step are ignored
        self.started_ns = started_ns


def start(model: Model) -> None:
    """Begin a rolling deploy (one already running: logged, ignored)."""
    if model.deploy is not None:
        model.note(DeployIgnored(model.deploy.server.name))
        return
    names = [server.name for server in model.servers]
    model.deploy = Rollout(names, model.queue.now)
    model.note(DeployStarted(tuple(names)))
    _next(model)


def _next(model: Model) -> None:
    """Drain the next live server of the deploy, or finish."""
    rollout = model.deploy
    rollout.gen += 1
    while rollout.todo:
        name = rollout.todo.pop(0)
        server = _find(model, name)
        if server is None or not server.alive:
            model.note(DeploySkipped(name, "removed" if server is None else "down"))
            continue
        rollout.server, rollout.phase = server, "draining"
        server.drain = True
        model.note(DeployDraining(server.name))
        config, now = model.config, model.queue.now
        model.queue.push(now + config.drain_ms * MS, _drained, rollout, rollout.gen)
        grace = config.termination_grace_ms * MS
        if config.drain_ms >= config.termination_grace_ms:
            grace += HOOK_EXTENSION_NS
        model.queue.push(now + grace, _grace_over, rollout, rollout.gen)
        return
    model.deploy = None
    model.note(DeployFinished(model.queue.now - rollout.started_ns))


def _find(model: Model, name: str) -> Server | None:
    """The server called `name` in the balancer, or None."""
    for server in model.servers:
        if server.name == name:
            return server
    return None


def _drained(model: Model, rollout: Rollout, gen: int) -> None:
    """The preStop wait is over: SIGTERM. Out of the balancer, its connectors paused; it
    exits once the requests inside finish."""
    if model.deploy is not rollout or gen != rollout.gen or rollout.phase != "draining":
        return
    server = rollout.server
    _out_of_the_balancer(server)
    rollout.phase = "stopped"
    model.note(DeployStopping(server.name, server.in_flight))
    if server.in_flight:
        server.draining = True  # answers.detach stops it when the last one leaves
    else:
        sessions.stop(model, server)
        _start_new(model, rollout, server)


def _out_of_the_balancer(server: Server) -> None:
    """The deploy marks the server down (health down): no request at all, cookie or not."""
    server.drain = False
    server.held_down = True
    server.lb_up = False


def _grace_over(model: Model, rollout: Rollout, gen: int) -> None:
    """terminationGracePeriodSeconds is over: SIGKILL for a process still running."""
    if model.deploy is not rollout or gen != rollout.gen:
        return
    server = rollout.server
    if rollout.phase not in ("draining", "stopped") or not server.alive:
        return
    _out_of_the_balancer(server)
    rollout.phase = "killed"  # poke: not a server to skip, the deploy killed it
    model.note(DeployKilled(server.name, server.in_flight))
    server.draining = False
    model.kill(server, "crash", SIGKILL)
    _start_new(model, rollout, server)


def _start_new(model: Model, rollout: Rollout, server: Server) -> None:
    """The new version starts empty at once; health checks must pass `rise` times."""
    rollout.phase = "starting"
    server.held_down = False
    server.health = 0
    model.restart(server, "Rolling deploy")


def poke(model: Model, server: Server) -> None:
    """Something happened to `server` (stopped, killed, removed, marked up): move the deploy
    on if it concerns the server being replaced."""
    rollout = model.deploy
    if rollout is None or rollout.server is not server or rollout.phase == "killed":
        return
    removed = server not in model.servers
    if rollout.phase == "stopped" and not removed and not server.alive and not server.draining:
        _start_new(model, rollout, server)  # it stopped cleanly
    elif rollout.phase == "starting" and server.alive and server.lb_up and not removed:
        model.note(DeployReplaced(server.name))
        _next(model)
    elif removed or not server.alive:
        server.drain = server.held_down = False
        if not removed:
            server.draining = False  # killed: no clean stop to wait for
        model.note(DeploySkipped(server.name, "removed" if removed else "down"))
        _next(model)


def state(model: Model) -> dict | None:
    """The deploy for the snapshot: null, or the server being replaced and its phase."""
    rollout = model.deploy
    if rollout is None:
        return None
    return {"server": rollout.server.name, "phase": rollout.phase}
