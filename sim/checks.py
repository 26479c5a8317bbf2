"""Health checks: the only way the balancer learns that a server died or came back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim import narration
from sim.units import MS

if TYPE_CHECKING:
    from sim.model import Model


def start(model: Model) -> None:
    """Schedule the first round of checks, one interval after the start."""
    model.queue.push(model.config.health_check_interval_ms * MS, _check_all, None)


def _check_all(model: Model, _arg: object, _gen: int) -> None:
    """Check every server, as HAProxy does every `inter`; change beliefs after rise/fall."""
    config = model.config
    for server in model.servers:
        change = model.balancer.check(server, config.rise, config.fall)
        if change is not None:
            narration.check_changed(model, server, change)
    model.queue.push(model.queue.now + config.health_check_interval_ms * MS, _check_all, None)
