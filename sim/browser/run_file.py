"""A run saved as a file: one line saying how long the run is, then its scenario.

    chaos-monkey-run actions=<count> advanced-ns=<simulated time the actions advance>
    v3.<seed>.<config>.<actions>

The first line lets a file that was cut short or changed be refused instead of replayed as a
shorter or different run. Files saved before it existed hold the scenario alone; they still
open, with a notice that they could not be checked.
"""

import re

from sim.browser.scenario import MAX_FILE_CHARS, Scenario, parse
from sim.core.errors import ScenarioError
from sim.core.units import S

MAGIC = "chaos-monkey-run"
_HEAD = re.compile(rf"{MAGIC} actions=([0-9]{{1,6}}) advanced-ns=([0-9]{{1,16}})")
UNCHECKED_NOTICE = (
    "This file was saved before run files said how long they are, so it could not be "
    "checked for being cut short or changed."
)


def advanced_ns(actions: tuple | list) -> int:
    """The simulated time a run's actions ask for (requests run the clock too, by the model's
    rules, so only advances are counted: they are the part a file states)."""
    total = 0
    for action in actions:
        if action["type"] == "advance":
            total += action["ns"]
    return total


def head(action_count: int, advanced: int) -> str:
    """The first line of a run file, with its line break."""
    return f"{MAGIC} actions={action_count} advanced-ns={advanced}\n"


def _duration(ns: int) -> str:
    """A simulated time in words, for a notice."""
    seconds = ns / S
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.1f} min"


def read(text: object) -> tuple[Scenario, str | None]:
    """The scenario in a run file, and a notice for the reader (None when it was checked);
    raise ScenarioError for a file that is empty, cut short, changed or not a run."""
    if not isinstance(text, str):
        raise ScenarioError("a run file must be text")
    if not text.strip():
        raise ScenarioError("the file is empty")
    lines = text.strip().splitlines()
    if not lines[0].startswith(MAGIC):
        if len(lines) != 1:
            raise ScenarioError("it is not a run saved by this demo")
        return parse(lines[0], MAX_FILE_CHARS), UNCHECKED_NOTICE
    match = _HEAD.fullmatch(lines[0].strip())
    if match is None:
        raise ScenarioError("its first line, which says how long the run is, has been changed")
    if len(lines) != 2:
        raise ScenarioError(
            "it should hold one line after the first, the run; it may have been cut short"
        )
    stated_actions, stated_ns = int(match[1]), int(match[2])
    scenario = parse(lines[1], MAX_FILE_CHARS)
    found_actions, found_ns = len(scenario.actions), advanced_ns(scenario.actions)
    if (found_actions, found_ns) != (stated_actions, stated_ns):
        raise ScenarioError(
            f"it says the run has {stated_actions:,} actions and {_duration(stated_ns)} of "
            f"simulated time, but it holds {found_actions:,} actions and "
            f"{_duration(found_ns)}; it was cut short or changed"
        )
    return scenario, None
