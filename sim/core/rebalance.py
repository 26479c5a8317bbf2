"""When a server added under load has taken its share of it (issue 20): one rule, which the
scale-out lesson, Compare and `python -m sim compare --lesson scale-out` all read.

The rule: after the last add, the new server has its share at the end of the first bucket of
the series (one second by default), the partial bucket of the add included, in which it
finished at least 0.8 of the mean of the requests each live server finished there;
`rebalance_s` is the time from the add to the end of that bucket. 0.8 rather than 1 because
a bucket's counts vary with the turns and the visits: our threshold, not a standard's.

A bucket is judged when it has closed, at the first request any server finishes in a later
one, just before that request is counted (capacity.py's counters then still hold the bucket
judged); the live servers are those alive at that moment. A bucket in which no request
finished holds nothing to judge. Integers decide (5 x new x servers >= 4 x total), so no
float rounding moves the answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core import capacity
from sim.core.cluster import Server
from sim.core.units import MS, from_thousandths

if TYPE_CHECKING:
    from sim.core.model import Model

SHARE_NUMERATOR, SHARE_DENOMINATOR = 4, 5  # 0.8 of the mean rate
SHARE = SHARE_NUMERATOR / SHARE_DENOMINATOR  # the same, for words


class Added:
    """The last server added: when, and the end of the bucket in which it had its share."""

    __slots__ = ("at_ns", "bucket", "done_ns", "server")

    def __init__(self, server: Server, at_ns: int, bucket: int) -> None:
        """Watch `server`, added at `at_ns`, from the bucket it was added in."""
        self.server = server
        self.at_ns = at_ns
        self.bucket = bucket  # the bucket being counted, judged once a later one begins
        self.done_ns: int | None = None


def added(model: Model, server: Server) -> None:
    """A server joined: watch it from now (a later add replaces an earlier one)."""
    model.servers_added += 1
    now = model.queue.now
    model.added = Added(server, now, now // model.series.width_ns)


def removed(model: Model, server: Server) -> None:
    """A server left: the one being watched leaves without a figure."""
    model.servers_removed += 1
    watched = model.added
    if watched is not None and watched.server is server and watched.done_ns is None:
        model.added = None


def judge(model: Model, watched: Added) -> None:
    """A request is about to be counted as finished: if the bucket being counted has closed,
    judge it (called only while `watched` has no figure yet)."""
    bucket = model.queue.now // model.series.width_ns
    if bucket == watched.bucket:
        return
    closed, watched.bucket = watched.bucket, bucket
    counts = [capacity.count_in(s.rps, closed) for s in model.servers if s.alive]
    total = 0
    for count in counts:
        total += count
    new = capacity.count_in(watched.server.rps, closed)
    if total and SHARE_DENOMINATOR * new * len(counts) >= SHARE_NUMERATOR * total:
        watched.done_ns = (closed + 1) * model.series.width_ns


def last_add(model: Model) -> tuple[str, int, int | None] | None:
    """The last server added, when, and the end of the bucket in which it had its share (or
    None), as plain data; None with no add (or if it left first)."""
    added = model.added
    return None if added is None else (added.server.name, added.at_ns, added.done_ns)


def rebalance_s(model: Model) -> int | float | None:
    """Seconds from the last add until the new server had its share, to the millisecond (an
    int when whole); None with no add, or before it has (or if it left first)."""
    watched = model.added
    if watched is None or watched.done_ns is None:
        return None
    return from_thousandths((watched.done_ns - watched.at_ns) // MS)
