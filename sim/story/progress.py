"""One lesson's progress: the steps done, the prediction, what the lesson has said."""

from sim.story.lessons import PREDICT, Lesson, step_text

SAID_LIMIT = 10  # sentences a lesson keeps; the page shows the last


class Progress:
    """The progress of `lesson`, and what its rule remembers between actions."""

    def __init__(self, lesson: Lesson) -> None:
        """Start with nothing done."""
        self.lesson = lesson
        self.done: set[str] = set()
        self.prediction: str | None = None
        self.said: list[str] = []
        self.memo: dict = {}

    def predict(self, answer: str) -> None:
        """The learner answered the lesson's question."""
        self.prediction = answer
        self.mark(PREDICT)

    def predicted(self, otherwise: str) -> str:
        """The learner's prediction said back, or `otherwise` when there is none."""
        return dict(self.lesson.predictions).get(self.prediction, otherwise)

    def mark(self, step: str) -> None:
        """A step is done."""
        self.done.add(step)

    def say(self, text: str) -> None:
        """What the lesson says now."""
        self.said = [*self.said[-(SAID_LIMIT - 1) :], text]

    def next_step(self) -> str | None:
        """The first step not done, or None."""
        return next((step for step in self.lesson.step_ids() if step not in self.done), None)

    def to_dict(self) -> dict:
        """The lesson as the snapshot carries it."""
        lesson = self.lesson
        return {
            "id": lesson.id,
            "title": lesson.title,
            "question": lesson.question,
            "steps": [
                {"id": step, "text": step_text(lesson, html), "done": step in self.done}
                for step, html in lesson.steps
            ],
            "choices": [{"answer": answer, "text": text} for answer, text in lesson.choices],
            "setup": lesson.setup,
            "prediction": self.prediction,
            "said": list(self.said),
            "next": self.next_step(),
        }
