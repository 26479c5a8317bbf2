"""Drive the simulator as the page does, through the calls the worker makes on `sim.browser.facade`.

Every action type (taken from `sim.browser.actions.FIELDS`, so a new one is covered the day it is
added) in every mode (`sim.core.config.MODES`), broken forms of each (an unknown field, each field
of the wrong type), the comparison, a shared link replayed, and the bad input a reader can
give. The build runs this in Pyodide under Node to learn which standard-library modules the
site needs; a test runs it again against the archives the build wrote. It imports nothing the
page would not, since what it pulls in is what the browser gets.
"""

import json

from sim.browser import exercise_run, facade
from sim.browser.actions import FIELDS
from sim.core.config import MODES

# A valid value for every field an action takes; an action with a field not listed here
# fails loudly, so the list keeps up with the simulator.
EXAMPLE_VALUES = {
    "ns": 3_000_000_000,
    "server": "A",
    "kind": "vanish",
    "ms": 2.5,
    "on": True,
    "rate_per_s": 20,
    "config": {"redispatch": False},
    "seed": 7,
    "tabs": 2,
    "id": "two-tabs",  # the lesson action comes before predict in FIELDS
    "answer": "two",
    "code": 0,  # own_policy: back to the built-in policy
}
# The learner's policies the page runs (sim/browser/own_policy.py): one that works, one that
# raises (a traceback), one that does not compile.
OWN_CODES = (
    "def choose(user, servers, memory):\n    return servers[user.address % len(servers)].name\n",
    "def choose(user, servers, memory):\n    return servers[9].name\n",
    "def choose(user, servers, memory)\n",
)
# Where one field name takes other values in another action: (action, field) -> value.
EXAMPLE_FOR = {("kill_store", "kind"): "crash"}
BAD_LINKS = ("v1.x.not-a-scenario", "https://example.org/?scenario=v9..r", "v1.1..q")


def example_action(kind: str) -> dict:
    """A valid action of this type, with every field it takes."""
    required, optional = FIELDS[kind]
    unknown = [name for name in (*required, *optional) if name not in EXAMPLE_VALUES]
    if unknown:
        raise LookupError(f"{kind}: no example value for {', '.join(unknown)}; add one above")
    fields = (*required, *optional)
    return {
        "type": kind,
        **{name: EXAMPLE_FOR.get((kind, name), EXAMPLE_VALUES[name]) for name in fields},
    }


def refused(call, *args) -> str:
    """The message of the ScenarioError that `call` must raise."""
    try:
        call(*args)
    except facade.ScenarioError as error:
        return str(error)
    raise AssertionError(f"{call.__name__}{args!r} was accepted")


def run() -> list[str]:
    """Return every snapshot and error message the calls produced, in order."""
    out = []
    for mode in MODES:
        demo = facade.load(None)
        out.append(demo.apply_json(json.dumps({"type": "reset", "config": {"mode": mode}})))
        for kind in FIELDS:
            out.append(demo.apply_json(json.dumps(example_action(kind))))
            out.append(demo.apply_json(json.dumps({"type": "request"})))
            out.append(refused(demo.apply_json, json.dumps({"type": kind, "no_such_field": 1})))
            for name in (*FIELDS[kind][0], *FIELDS[kind][1]):
                broken = {**example_action(kind), name: [None]}
                out.append(refused(demo.apply_json, json.dumps(broken)))
        out.append(demo.comparison_json())
        link = json.loads(demo.snapshot_json())["scenario"]
        out.append(facade.load(link).snapshot_json())
        # The worker's own calls: a link replayed a slice at a time, the other modes followed.
        stepped = facade.start_load(link, True)
        while stepped.load_step():
            out.append(stepped.load_progress_json())
        stepped.apply_json(json.dumps({"type": "advance", "ns": 3_000_000_000}))
        while stepped.compare_step():
            out.append(stepped.compare_progress_json())
        out.append(stepped.comparison_json())
    for code in OWN_CODES:
        out.append(demo.use_own_json(code))
        out.append(demo.apply_json(json.dumps({"type": "request"})))
        for exercise in exercise_run.CHECKS:
            out.append(
                exercise_run.run_check_json(json.dumps({"exercise": exercise, "code": code}))
            )
    out.append(refused(demo.apply_json, "{not json"))
    out.append(refused(demo.apply_json, json.dumps({"type": "no_such_action"})))
    out.extend(refused(facade.load, link) for link in BAD_LINKS)
    return out
