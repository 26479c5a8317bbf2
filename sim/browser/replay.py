"""Actions applied a slice of simulated time at a time, so that a caller (the browser's
worker) can answer other calls, and show progress, between slices.

Advancing in slices gives the same run as one advance: the event queue runs the same events
in the same order whatever the steps (checked by tests/sim/test_replay.py).
"""

from collections import deque
from collections.abc import Callable

from sim.core.units import S

# Our choice: at the top traffic rate (100/s) about 100 requests, a few ms of Pyodide's time.
SLICE_NS = S


def _ignore(_action: dict) -> None:
    """Nothing to do once an advance is done."""


class Replay:
    """A queue of canonical actions: `step()` applies one action or one slice of an advance."""

    def __init__(
        self,
        apply: Callable[[dict], None],
        advance: Callable[[int], None],
        advanced: Callable[[dict], None] = _ignore,
    ) -> None:
        """`apply` takes any action but an advance; `advance` one slice of an advance;
        `advanced` the whole advance once its last slice has run."""
        self._apply = apply
        self._advance = advance
        self._advanced = advanced
        self._pending: deque[dict] = deque()
        self._current: dict | None = None  # the advance under way
        self._left_ns = 0
        self.applied = 0  # actions applied in full
        self.queued_ns = 0  # simulated time of every advance added
        self.done_ns = 0  # of which already run

    def add(self, action: dict) -> None:
        """Queue one canonical action."""
        self._pending.append(action)
        if action["type"] == "advance":
            self.queued_ns += action["ns"]

    def behind(self) -> bool:
        """Whether actions remain to be applied."""
        return self._current is not None or bool(self._pending)

    def step(self) -> bool:
        """Apply one action or one slice of an advance; return whether work remains."""
        if self._current is None:
            if not self._pending:
                return False
            action = self._pending.popleft()
            if action["type"] != "advance":
                self._apply(action)
                self.applied += 1
                return self.behind()
            self._current, self._left_ns = action, action["ns"]
        ns = min(self._left_ns, SLICE_NS)
        self._advance(ns)
        self._left_ns -= ns
        self.done_ns += ns
        if not self._left_ns:
            action, self._current = self._current, None
            self._advanced(action)
            self.applied += 1
        return self.behind()

    def progress(self) -> dict:
        """Simulated time run and to run, and actions applied and queued."""
        return {
            "done_ns": self.done_ns,
            "total_ns": self.queued_ns,
            "actions_done": self.applied,
            "actions_total": self.applied + len(self._pending) + (self._current is not None),
        }
