"""Simulated time: a queue of events keyed by (time, sequence), so ties break in a fixed order."""

import heapq
import itertools
from collections.abc import Callable


class EventQueue:
    """Time is integer nanoseconds and jumps from event to event; nothing reads a clock."""

    __slots__ = ("_heap", "counter", "now")

    def __init__(self) -> None:
        """Start at time 0 with nothing scheduled."""
        self.now = 0
        self._heap: list[tuple] = []
        self.counter = itertools.count()  # the tie-breaker: first scheduled, first run

    @property
    def heap(self) -> list[tuple]:
        """The raw heap, for hot paths that push (time >= now, next(counter), ...) directly."""
        return self._heap

    def push(self, time_ns: int, handler: Callable, arg: object, gen: int = 0) -> None:
        """Call handler(arg, gen) at time_ns (never before now)."""
        entry = (max(time_ns, self.now), next(self.counter), handler, arg, gen)
        heapq.heappush(self._heap, entry)

    def next_time(self) -> int | None:
        """Return the time of the next event, or None."""
        return self._heap[0][0] if self._heap else None

    def step(self) -> None:
        """Run the next event."""
        time_ns, _, handler, arg, gen = heapq.heappop(self._heap)
        self.now = time_ns
        handler(arg, gen)

    def run_until(self, time_ns: int) -> None:
        """Run every event due by time_ns, then set the time to time_ns."""
        heap = self._heap
        pop = heapq.heappop
        while heap and heap[0][0] <= time_ns:
            event_time, _, handler, arg, gen = pop(heap)
            self.now = event_time
            handler(arg, gen)
        if time_ns > self.now:
            self.now = time_ns
