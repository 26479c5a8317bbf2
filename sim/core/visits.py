"""Visits: background users who come and go, so that the request rate holds while the users
behind it change (config `visit_s`).

With `visit_s` 0 (the default) a simulated user never leaves, as before. Above 0, each of
the `traffic_users` places holds one visitor at a time, who stays for a visit of mean
`visit_s` (uniform in [0, 2 x visit_s), drawn from the visits' own stream, so the traffic and
the kills do not move); the place's first request after the visit ends comes from a new
visitor, with no cookie and a new id (`u101`, `u102`, ... with 100 places), so with it a new
source address. A sticky tier therefore rebalances only as visits end.
"""

from __future__ import annotations

from random import Random
from typing import TYPE_CHECKING

from sim.core.cluster import DEMO_USER
from sim.core.units import S

if TYPE_CHECKING:
    from sim.core.model import Model


class Visits:
    """The visitor in each place and when its visit ends."""

    __slots__ = ("ends", "ids", "mean_ns", "next_number", "random")

    def __init__(self, visit_s: int, places: int, rng: Random) -> None:
        """No visitor yet; visits of mean `visit_s` seconds over `places` places."""
        self.mean_ns = visit_s * S
        self.random = rng.random
        self.ids: dict[str, str] = {}  # place (the user id it started with) -> visitor's id
        self.ends: dict[str, int] = {}  # place -> when its visitor leaves
        self.next_number = places + 1

    def visitor(self, place: str, now: int) -> str:
        """The id of the user in `place` now: a new visitor once the last one's visit ended."""
        end = self.ends.get(place)
        if end is None:
            self.ids[place] = place
        elif now >= end:
            self.ids[place] = f"u{self.next_number}"
            self.next_number += 1
        else:
            return self.ids[place]
        self.ends[place] = now + int(self.random() * 2 * self.mean_ns)
        return self.ids[place]

    def present(self) -> list[str]:
        """The ids of the visitors here now (those who have come), in place order."""
        return list(self.ids.values())


def visitor(model: Model, place: str) -> str:
    """The id of the user who sends `place`'s next request (the place itself without visits).
    A visitor who left sends nothing more: the requests it had waiting go with it."""
    if model.visits is None:
        return place
    previous = model.visits.ids.get(place)
    current = model.visits.visitor(place, model.queue.now)
    if previous is not None and previous != current:
        gone = model.users.get(previous)
        if gone is not None and gone.pending:
            model.waiting -= gone.pending
            gone.pending = 0
    return current


def present_users(model: Model) -> list[str]:
    """The ids of the users still visiting: every user ever seen, without visits."""
    if model.visits is None:
        return list(model.users)
    return [DEMO_USER, *model.visits.present()]
