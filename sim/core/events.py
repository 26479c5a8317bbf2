"""Simulated time: a queue of events keyed by (time, sequence), so ties break in a fixed order."""

import heapq
import itertools
from collections.abc import Callable


class EventQueue:
    """Time is integer nanoseconds and jumps from event to event; nothing reads a clock.

    An event is handler(owner, arg, gen): the owner is the state the handlers act on (the
    model), `gen` lets a handler recognise an event that a later change made stale.
    """

    __slots__ = ("_heap", "counter", "now", "owner")

    def __init__(self, owner: object) -> None:
        """Start at time 0 with nothing scheduled; handlers will be given `owner`."""
        self.owner = owner
        self.now = 0
        self._heap: list[tuple] = []
        self.counter = itertools.count()  # the tie-breaker: first scheduled, first run

    def push(self, time_ns: int, handler: Callable, arg: object, gen: int = 0) -> None:
        """Call handler(owner, arg, gen) at time_ns (never before now)."""
        if time_ns < self.now:
            time_ns = self.now
        heapq.heappush(self._heap, (time_ns, next(self.counter), handler, arg, gen))

    def next_time(self) -> int | None:
        """Return the time of the next event, or None."""
        return self._heap[0][0] if self._heap else None

    def step(self) -> None:
        """Run the next event."""
        time_ns, _, handler, arg, gen = heapq.heappop(self._heap)
        self.now = time_ns
        handler(self.owner, arg, gen)

    def run_until(self, time_ns: int) -> None:
        """Run every event due by time_ns, then set the time to time_ns."""
        heap = self._heap
        while heap and heap[0][0] <= time_ns:
            self.now, _, handler, arg, gen = heapq.heappop(heap)
            handler(self.owner, arg, gen)
        if time_ns > self.now:
            self.now = time_ns
