"""Health checks, as HAProxy runs them: the only way the balancer learns that a server died.

Each server has its own chain of checks (HAProxy's src/check.c):
- The first checks are spread across the interval: server i of n is first checked at
  inter * i / n (`mininter * srvpos / nbcheck`), so Server A at 0 s.
- The next check starts `inter` after the previous one finished. Without `timeout check`,
  `inter` is also a check's whole time-out: a server that answers or refuses (a crashed
  process: RST) is judged at once, a vanished one only when the time-out expires. So, with
  the defaults, a crashed server is marked down 4-6 s after it dies, a vanished one 10-12 s.
- The balancer's belief follows HAProxy's health counter, from 0 to rise + fall - 1; the
  server is UP while it is at least `rise`. A failure takes one off, and below `rise` it
  drops to 0 (DOWN); a pass adds one, and at `rise` it jumps to the top (UP). A server
  starts at `rise` (server.c: "up, but will fall down at first failure"): until it has
  passed one check, one failure marks it down.
A check's result is decided when it starts: a server restarted during a check's time-out
is still judged dead by that check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core import deploy
from sim.core.cluster import Server
from sim.core.records import MarkedDown, MarkedUp
from sim.core.units import MS

if TYPE_CHECKING:
    from sim.core.model import Model


def start(model: Model) -> None:
    """Schedule every server's first check, spread across the interval."""
    inter = model.config.health_check_interval_ms * MS
    count = len(model.servers)
    for position, server in enumerate(model.servers):
        server.health = model.config.rise
        model.queue.push(inter * position // count, _check, server)


def begin(model: Model, server: Server) -> None:
    """A server added at run time: UP, falling at its first failure, checked at once."""
    server.health = model.config.rise
    server.lb_up = True
    model.queue.push(model.queue.now, _check, server)


def _check(model: Model, server: Server, _gen: int) -> None:
    """Start one check of `server`; a check that gets no answer ends at its time-out."""
    if server not in model.servers:
        return  # removed: no more checks
    if server.alive or server.kill_kind == "crash":
        _judge(model, server, server.alive)
        return
    timeout = model.config.health_check_interval_ms * MS
    model.queue.push(model.queue.now + timeout, _timed_out, server)


def _timed_out(model: Model, server: Server, _gen: int) -> None:
    """A check of a vanished server got no answer before its time-out."""
    if server in model.servers:
        _judge(model, server, passed=False)


def _judge(model: Model, server: Server, passed: bool) -> None:
    """Apply one check's result to the health counter, then schedule the next check."""
    config = model.config
    top = config.rise + config.fall - 1
    if passed:
        server.fails_in_a_row = 0
        if server.health < top:
            server.health += 1
            if server.health >= config.rise:
                server.health = top
        if not server.lb_up and server.health >= config.rise and not server.held_down:
            server.lb_up = True
            model.note(MarkedUp(server.name))
            deploy.poke(model, server)
    else:
        server.fails_in_a_row += 1
        if server.health > 0:
            server.health -= 1
            if server.health < config.rise:
                server.health = 0
        if server.lb_up and server.health == 0:
            server.lb_up = False
            killed = server.killed_at_ns
            dead_for = None if killed is None else model.queue.now - killed
            model.note(MarkedDown(server.name, dead_for, server.fails_in_a_row))
    inter = config.health_check_interval_ms * MS
    model.queue.push(model.queue.now + inter, _check, server)
