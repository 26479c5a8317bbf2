"""The part of the facade's Demo that answers Compare: the other modes (others.py) kept in
step with the run a slice at a time, and this run's metrics beside theirs."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sim.browser.others import BUILT_IN
from sim.browser.snapshot import metrics_of
from sim.core.config import MODE_LABELS, MODES
from sim.story.compare_rows import compare_rows
from sim.story.exercises import compare_labels

if TYPE_CHECKING:
    from sim.browser.others import OtherModes
    from sim.core.model import Model


class ComparedRun:
    """Mixed into Demo, which holds `model`, `_others`, `_runs` and `_compared`."""

    model: Model
    _others: OtherModes
    _runs: int
    _compared: tuple[int, int] | None

    def compare_step(self) -> bool:
        """Bring the other modes one slice nearer this run; return whether they are behind."""
        return self._others.step()

    def compare_progress_json(self) -> str:
        """How far the other modes have followed this run, as JSON."""
        return json.dumps(self._others.progress(), separators=(",", ":"))

    def comparison(self) -> dict:
        """This run's metrics in every mode, the simulated time they were taken at, and the
        rows the table shows (sim/story/compare_rows.py)."""
        others = self._others.metrics()
        here = self.model.config.mode
        modes = {mode: metrics_of(self.model) if mode == here else others[mode] for mode in MODES}
        labels = {}
        if BUILT_IN in others:  # a learner's policy ran: the same run with the built-in one
            modes[BUILT_IN] = others[BUILT_IN]
            labels = compare_labels(here, BUILT_IN, MODE_LABELS[here], self.model.config.policy)
        self._compared = (self._runs, self.model.now)
        rows = compare_rows(
            self.model.servers_added > 0,
            self.model.servers_removed > 0,
            any(figures["remap_share"] is not None for figures in modes.values()),
        )
        return {"time_ns": self.model.now, "modes": modes, "labels": labels, "rows": rows}

    def comparison_json(self) -> str:
        """comparison() as JSON."""
        return json.dumps(self.comparison(), allow_nan=False, separators=(",", ":"))
