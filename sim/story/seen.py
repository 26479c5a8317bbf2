"""One action as a lesson's rule sees it: the facts before and after, what happened."""

from __future__ import annotations

from dataclasses import dataclass

from sim.story.facts import Facts


@dataclass(frozen=True)
class Seen:
    """One action as a rule sees it."""

    action: dict
    before: Facts | None  # None for the first action of a run
    after: Facts
    killed: tuple[str, ...]  # servers killed during the action
    answer: tuple[int, str | None] | None  # the demo user's last answer: status, server

    @property
    def kind(self) -> str:
        """The action's type."""
        return self.action["type"]
