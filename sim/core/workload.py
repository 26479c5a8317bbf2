"""What happens without the learner: the Chaos Monkey's kills and background traffic.

Each draws from its own seeded stream, so switching traffic on does not move the kills.
"""

from __future__ import annotations

from random import Random
from typing import TYPE_CHECKING

from sim.core import faults, requests, visits
from sim.core.cluster import Server, User
from sim.core.records import ChaosSpared, ChaosSwitched, TrafficSet
from sim.core.units import MS, S

if TYPE_CHECKING:
    from sim.core.model import Model


def set_chaos(model: Model, on: bool) -> None:
    """Switch the Chaos Monkey on or off."""
    if on == model.chaos_on:
        return
    model.chaos_on = on
    model.chaos_gen += 1
    if on:
        _schedule_chaos(model)
    else:
        model.next_kill_ns = None
    model.note(ChaosSwitched(on))


def _schedule_chaos(model: Model) -> None:
    """Pick the next kill time, uniform around the mean interval."""
    mean = model.config.chaos_mean_interval_ms * MS
    model.next_kill_ns = model.queue.now + mean // 2 + int(model.chaos_rng.random() * mean)
    model.queue.push(model.next_kill_ns, _chaos, None, model.chaos_gen)


def _chaos(model: Model, _arg: object, gen: int) -> None:
    """Kill a random live server, never the last one, and schedule its restart."""
    if gen != model.chaos_gen:
        return
    chaos_kill(model, model.chaos_rng)
    _schedule_chaos(model)


def chaos_kill(model: Model, rng: Random) -> Server | None:
    """Kill a live server drawn from `rng` (one draw), unless it is the last live one."""
    live = [s for s in model.servers if s.alive]
    draw = rng.random()
    if len(live) <= 1:
        model.note(ChaosSpared())
        return None
    victim = live[int(draw * len(live))]
    faults.kill(model, victim, None, "Chaos Monkey")
    faults.schedule_restart(model, victim)
    return victim


def set_traffic(model: Model, rate_milli: int) -> None:
    """Send background requests from simulated users at rate_milli/1000 per second."""
    model.traffic_milli = rate_milli
    model.traffic_gen += 1
    model.note(TrafficSet(rate_milli))
    if rate_milli:
        _schedule_arrival(model)


def arrival_gap(rng: Random, mean_ns: int) -> int:
    """The time to the next arrival: uniform in [0, 2 x mean), plus 1 ns so that two arrivals
    never share a moment (background traffic, compare, and the two-tabs lesson's users)."""
    return 1 + int(rng.random() * 2 * mean_ns)


def _schedule_arrival(model: Model) -> None:
    """Pick the next background arrival."""
    gap = arrival_gap(model.traffic_rng, 1_000 * S // model.traffic_milli)
    model.queue.push(model.queue.now + gap, _arrival, None, model.traffic_gen)


def _arrival(model: Model, _arg: object, gen: int) -> None:
    """One simulated user adds an item."""
    if gen != model.traffic_gen:
        return
    place = pick_user(model, model.traffic_rng)
    if model.visits is not None:  # the place's visitor now, who may be a new one
        place = model.user(visits.visitor(model, place.id))
    requests.offer(model, place)
    _schedule_arrival(model)


def pick_user(model: Model, rng: Random) -> User:
    """Return a simulated user drawn from `rng`, u1 to u<traffic_users>."""
    pool = model.traffic_pool
    index = int(rng.random() * len(pool))
    return pool[index] or _first_seen(model, index)


def _first_seen(model: Model, index: int) -> User:
    """Create the background user at `index` of the pool."""
    user = model.traffic_pool[index] = model.user(f"u{1 + index}")
    return user
