"""The learner's lessons: which one is open, each one's progress, and the rule that moves it.

Progress is kept per lesson, and across resets (a mode switch is a reset): a lesson spans
modes. Only the open lesson watches the actions, as the page's picker shows one at a time.
"""

from collections.abc import Callable

from sim.core.errors import ScenarioError
from sim.story.lessons import BY_ID, FIRST
from sim.story.progress import Progress
from sim.story.rules_scale import scale_out
from sim.story.rules_servers import crash, deploy
from sim.story.rules_store import store_failover, two_tabs
from sim.story.seen import Seen

RULES: dict[str, Callable[[Progress, Seen], None]] = {
    "crash": crash,
    "deploy": deploy,
    "store-failover": store_failover,
    "two-tabs": two_tabs,
    "scale-out": scale_out,
}


class LessonBook:
    """Every lesson's progress, and which one is open."""

    def __init__(self) -> None:
        """Open the first lesson, with nothing done."""
        self.progress = {lesson_id: Progress(lesson) for lesson_id, lesson in BY_ID.items()}
        self.open_id = FIRST

    @property
    def open(self) -> Progress:
        """The open lesson's progress."""
        return self.progress[self.open_id]

    def choose(self, lesson_id: str) -> None:
        """Open a lesson; its progress so far is kept."""
        if lesson_id not in self.progress:
            raise ScenarioError(f"lesson: {lesson_id!r} is not one of {', '.join(BY_ID)}")
        self.open_id = lesson_id

    def predict(self, answer: str) -> None:
        """The learner answers the open lesson's question."""
        answers = self.open.lesson.answers()
        if answer not in answers:
            raise ScenarioError(
                f"predict answer: {answer!r} is not an answer to the {self.open_id} lesson's "
                f"question ({', '.join(answers)})"
            )
        self.open.predict(answer)

    def observe(self, seen: Seen) -> None:
        """Let the open lesson's rule see an action."""
        if seen.kind == "reset":
            self.open.said = []  # what it said was about the run the reset ended
        RULES[self.open_id](self.open, seen)

    def heading_actions(self) -> list[dict]:
        """The actions that bring a fresh run to this lesson and prediction (after a reset)."""
        actions = [] if self.open_id == FIRST else [{"type": "lesson", "id": self.open_id}]
        if self.open.prediction is not None:
            actions.append({"type": "predict", "answer": self.open.prediction})
        return actions
