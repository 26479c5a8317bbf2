"""The lessons ("Try this"): their steps, questions and choices, in the page's order.

`catalogue()` needs no model, so the build renders the lessons into the page before Python
starts; `sim.story.lesson_rules` decides when each step is done and what the lesson says.
"""

import re
from dataclasses import dataclass

PREDICT = "predict"  # the step every lesson has: the learner's prediction


@dataclass(frozen=True)
class Lesson:
    """One lesson: its steps (id, html) in order, the question and its answers."""

    id: str
    title: str
    steps: tuple[tuple[str, str], ...]
    question: str
    choices: tuple[tuple[str, str], ...]
    predictions: tuple[tuple[str, str], ...]  # answer -> the sentence said back to the learner

    def step_ids(self) -> list[str]:
        """The steps' ids, in order."""
        return [step for step, _ in self.steps]

    def answers(self) -> list[str]:
        """The answers the question takes."""
        return [answer for answer, _ in self.choices]


SURVIVES = (("survives", "It survives"), ("lost", "It is lost"), ("unsure", "Not sure"))
SURVIVES_SAID = (
    ("survives", "You expected the cart to survive."),
    ("lost", "You expected the cart to be lost."),
    ("unsure", "You were not sure what would happen."),
)

LESSONS = (
    Lesson(
        "crash",
        "A server crashes",
        (
            (
                "stateless-requests",
                "In <strong>Stateless</strong> mode, send a few requests "
                "and watch the cart grow in Shared DB / Redis.",
            ),
            (
                "stateless-kill",
                "Kill any server, then send another request. The cart survives: no server held it.",
            ),
            (
                "stateful-session",
                "Switch to <strong>Stateful</strong> and send requests until "
                "“Session” appears on a server.",
            ),
            (PREDICT, ""),
            (
                "stateful-kill",
                "Kill the server that holds your session, then send one more request.",
            ),
            (
                "replicated-kill",
                "Now try <strong>Stateful + replication</strong>: do the same, "
                "and watch the backup copy save the cart.",
            ),
        ),
        "Before you kill that server: what do you expect to happen to the cart?",
        SURVIVES,
        SURVIVES_SAID,
    ),
    Lesson(
        "deploy",
        "A rolling deploy",
        (
            (
                "deploy-session",
                "In <strong>Stateful</strong> mode, send a few requests until "
                "“Session” appears on a server.",
            ),
            (PREDICT, ""),
            (
                "deploy-stateful",
                "Press <strong>Rolling deploy</strong> and watch each server "
                "drain, stop and start empty (a Speed of 10x saves time). Send a request when it "
                "has finished.",
            ),
            (
                "deploy-stateless",
                "Switch to <strong>Stateless</strong>, send a few requests and "
                "deploy again: nothing fails and nothing is lost.",
            ),
            (
                "deploy-replicated",
                "Now <strong>Stateful + replication</strong>: send a few "
                "requests, deploy, and watch the backups take over.",
            ),
        ),
        "Before you deploy: what do you expect to happen to the cart when the deploy reaches "
        "that server?",
        SURVIVES,
        SURVIVES_SAID,
    ),
    Lesson(
        "store-failover",
        "The store fails over",
        (
            (
                "failover-requests",
                "In <strong>Stateless</strong> mode, set the <strong>"
                "Replication lag</strong> (in Failure settings) to 1 s and send a few requests.",
            ),
            (PREDICT, ""),
            (
                "failover-lost",
                "Send one request, press <strong>Fail over the store</strong> at "
                "once, and wait until the replica is the primary (a Speed of 10x saves time).",
            ),
            (
                "failover-wait",
                "Tick <strong>Wait for the replica (WAIT)</strong>, send one "
                "request and fail the store over at once again: nothing acknowledged is lost.",
            ),
            (
                "failover-unconfirmed",
                "Now send a request: the new primary has no replica, so WAIT "
                "times out and the request fails. Watch what the store’s cart holds.",
            ),
            (
                "failover-restore",
                "Press <strong>Restore the old primary</strong> and send one "
                "more request: with a replica back, writes succeed again.",
            ),
        ),
        "Before the store fails over right after your next item: what happens to that item?",
        SURVIVES,
        SURVIVES_SAID,
    ),
    Lesson(
        "two-tabs",
        "Two tabs, one cart",
        (
            (
                "tabs-session",
                "In <strong>Stateless</strong> mode, send one ordinary request, "
                "so both tabs share one session.",
            ),
            (PREDICT, ""),
            ("tabs-race", "Press <strong>Two tabs at once</strong>."),
            (
                "tabs-atomic",
                "Tick <strong>Atomic cart update</strong> (in Failure settings), "
                "send one request, and press <strong>Two tabs at once</strong> again.",
            ),
            (
                "tabs-memory",
                "Switch to <strong>Stateful</strong>, send one request, and press "
                "<strong>Two tabs at once</strong>.",
            ),
        ),
        "Before you press Two tabs at once: how many items will the cart gain?",
        (("two", "Two"), ("one", "One"), ("unsure", "Not sure")),
        (
            ("two", "You expected the cart to gain two items."),
            ("one", "You expected the cart to gain one item."),
            ("unsure", "You were not sure what would happen."),
        ),
    ),
)
BY_ID = {lesson.id: lesson for lesson in LESSONS}
FIRST = LESSONS[0].id
ANSWERS = tuple(dict.fromkeys(answer for lesson in LESSONS for answer in lesson.answers()))


def plain(html: str) -> str:
    """A step's text without its tags."""
    return re.sub(r"<[^>]+>", "", html)


def step_text(lesson: Lesson, html: str) -> str:
    """What a step says, as plain text (the prediction step says the question)."""
    return plain(html) if html else lesson.question


def catalogue() -> list[dict]:
    """Every lesson's id, title, question, steps and choices, as plain data (no model)."""
    return [
        {
            "id": lesson.id,
            "title": lesson.title,
            "question": lesson.question,
            "steps": [
                {"id": step, "text": step_text(lesson, html), "html": html or lesson.question}
                for step, html in lesson.steps
            ],
            "choices": [{"answer": answer, "text": text} for answer, text in lesson.choices],
        }
        for lesson in LESSONS
    ]
