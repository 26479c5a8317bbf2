"""A policy the learner wrote in the page, compiled and called here, in the browser's worker.

The code comes only from the page's editor (never from a link, a run file or an embed
parameter: a scenario records that a learner's policy was used, not the code). It runs with
Python's usual builtins: it is the learner's own code in the learner's own browser, and the
worker it runs in is ended by the page when a call takes too long (an endless loop).

What goes wrong is an OwnPolicyError whose message is for the learner: a syntax error or an
exception as a traceback of their code alone (file "<your policy>"), or what was wrong with
a returned value (sim/core/own_choice.py).
"""

from __future__ import annotations

import builtins
import linecache
import traceback

from sim.core.errors import OwnPolicyError
from sim.core.own_choice import ServerView, UserView

FILE_NAME = "<your policy>"
MAX_CODE_CHARS = 20_000


def _learner_part(error: BaseException) -> str:
    """The traceback of an exception, keeping only the frames of the learner's code."""
    frames = [
        frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == FILE_NAME
    ]
    lines = ["Traceback (most recent call last):\n"] if frames else []
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(error), error)
    return "".join(lines).rstrip()


def _hash_of_numbers(value: object) -> int:
    """The learner's hash(): refused for strings and bytes, whose hash changes from one Python
    process to the next (PYTHONHASHSEED), so a run replayed in a new worker would differ."""
    if isinstance(value, tuple):
        for part in value:
            _hash_of_numbers(part)
    elif isinstance(value, str | bytes):
        raise TypeError(
            "hash() of a string changes from one Python process to the next: "
            "use user.address, or your own arithmetic on numbers"
        )
    return builtins.hash(value)


# The builtins the learner's code sees: Python's, with hash() refusing strings.
_BUILTINS = {**vars(builtins), "hash": _hash_of_numbers}


class OwnPolicy:
    """A compiled `choose(user, servers, memory)` and the memory it keeps between requests."""

    __slots__ = ("code", "function", "memory")

    def __init__(self, code: str) -> None:
        """Compile and run the learner's module; raise OwnPolicyError if it has no usable
        `choose`."""
        if not isinstance(code, str) or not code.strip():
            raise OwnPolicyError("There is no code: write choose(user, servers, memory).")
        if len(code) > MAX_CODE_CHARS:
            raise OwnPolicyError(f"The code is longer than {MAX_CODE_CHARS:,} characters.")
        self.code = code
        # Tracebacks quote the learner's lines from here.
        linecache.cache[FILE_NAME] = (len(code), None, code.splitlines(True), FILE_NAME)
        namespace: dict = {"__name__": "your_policy", "__builtins__": _BUILTINS}
        try:
            exec(compile(code, FILE_NAME, "exec"), namespace)
        except Exception as error:  # the learner's code: every error is theirs to read
            raise OwnPolicyError(_learner_part(error)) from None
        function = namespace.get("choose")
        if not callable(function):
            raise OwnPolicyError("The code defines no function choose(user, servers, memory).")
        self.function = function
        self.memory: dict = {}

    def fresh(self) -> OwnPolicy:
        """The same code with an empty memory (a run replayed from its start)."""
        return OwnPolicy(self.code)

    def __call__(self, user: UserView, servers: tuple[ServerView, ...]) -> object:
        """Ask the learner's choose with the memory kept here."""
        return self.ask_with(user, servers, self.memory)

    def ask_with(self, user: UserView, servers: tuple[ServerView, ...], memory: dict) -> object:
        """Ask the learner's choose; an exception becomes an OwnPolicyError with its traceback."""
        try:
            return self.function(user, servers, memory)
        except Exception as error:
            raise OwnPolicyError(_learner_part(error)) from None
