"""User actions: validated plain dicts, applied to a model the same way by every caller.

Every action is checked before anything changes, so an invalid one leaves the state as it was.
Numbers are put in canonical form (rates and latencies to 1/1000), so a scenario that was
encoded and parsed back compares equal.
"""

import math

from sim.core.config import SERVER_NAMES, build_config
from sim.core.errors import ScenarioError
from sim.core.model import Model
from sim.core.units import US, S, from_thousandths, to_thousandths
from sim.story.lessons import ANSWERS, BY_ID
from sim.vocabulary import STORE_KILL_KINDS

MAX_ADVANCE_NS = 600 * S  # one advance: 10 minutes of simulated time
MAX_STORE_LATENCY_MS = 10_000
MAX_TRAFFIC_PER_S = 200
MAX_SEED = 2**32 - 1
MAX_TABS = 2

# type -> the fields it takes besides "type" (required, optional)
FIELDS = {
    "request": ((), ("tabs",)),
    "advance": (("ns",), ()),
    "kill": (("server",), ("kind",)),
    "restart": (("server",), ()),
    "add_server": ((), ()),
    "remove_server": ((), ()),
    "kill_store": ((), ("kind",)),
    "restore_store": ((), ()),
    "store_latency": (("ms",), ()),
    "deploy": ((), ()),
    "failover_store": ((), ()),
    "chaos": (("on",), ()),
    "traffic": (("rate_per_s",), ()),
    "reset": ((), ("config", "seed")),
    # The learner's lesson and prediction: recorded, never applied to the model.
    "lesson": (("id",), ()),
    "predict": (("answer",), ()),
    # A policy the learner wrote, by its number in the page (0: back to the built-in one).
    "own_policy": (("code",), ()),
}
MAX_OWN_CODES = 999
LESSON_ACTIONS = ("lesson", "predict")


def _integer(action: dict, key: str, low: int, high: int, unit: str = "") -> int:
    """Return action[key] if it is an integer in low..high, else raise a readable error."""
    value = action[key]
    if type(value) is not int:
        raise ScenarioError(f"{action['type']} {key}: {value!r} is not an integer")
    if not low <= value <= high:
        cap = f" (the cap is {high}{unit})" if value > high else ""
        raise ScenarioError(f"{action['type']} {key}: {value} is outside {low}..{high}{cap}")
    return value


def canonical_number(action: dict, key: str, high: int) -> int | float:
    """Return a finite number in 0..high rounded to 1/1000, as an int when whole."""
    value = action[key]
    if type(value) not in (int, float) or (type(value) is float and not math.isfinite(value)):
        raise ScenarioError(f"{action['type']} {key}: {value!r} is not a number")
    if not 0 <= value <= high:
        raise ScenarioError(f"{action['type']} {key}: {value} is outside 0..{high}")
    return from_thousandths(to_thousandths(value))


def validate_action(action: object) -> dict:
    """Return the canonical form of an action dict, or raise ScenarioError saying what is wrong."""
    if not isinstance(action, dict):
        raise ScenarioError('an action must be an object with a "type"')
    kind = action.get("type")
    if not isinstance(kind, str) or kind not in FIELDS:
        raise ScenarioError(f"unknown action type {kind!r}; expected one of {', '.join(FIELDS)}")
    required, optional = FIELDS[kind]
    missing = [k for k in required if k not in action]
    if missing:
        raise ScenarioError(f"{kind}: missing field {', '.join(missing)}")
    extra = sorted(str(k) for k in action if k != "type" and k not in required + optional)
    if extra:
        raise ScenarioError(f"{kind}: unexpected field {', '.join(extra)}")
    out: dict = {"type": kind}
    if kind == "request":
        if "tabs" in action and _integer(action, "tabs", 1, MAX_TABS) > 1:
            out["tabs"] = action["tabs"]  # one tab is the plain request, as old links have it
    elif kind == "advance":
        out["ns"] = _integer(action, "ns", 0, MAX_ADVANCE_NS, " ns, 10 minutes")
    elif kind in ("kill", "restart"):
        name = action["server"]
        if not isinstance(name, str) or len(name) != 1 or name not in SERVER_NAMES:
            raise ScenarioError(f"{kind} server: {name!r} is not a server name (A to Z)")
        out["server"] = name
        if "kind" in action:
            if action["kind"] not in ("crash", "vanish"):
                raise ScenarioError(f"kill kind: {action['kind']!r} is not crash or vanish")
            out["kind"] = action["kind"]
    elif kind == "kill_store" and action.get("kind", "unreachable") != "unreachable":
        if action["kind"] not in STORE_KILL_KINDS:
            raise ScenarioError(f"kill_store kind: {action['kind']!r} is not unreachable or crash")
        out["kind"] = action["kind"]  # unreachable, the default, is left out as old links have it
    elif kind == "store_latency":
        out["ms"] = canonical_number(action, "ms", MAX_STORE_LATENCY_MS)
    elif kind == "chaos":
        if type(action["on"]) is not bool:
            raise ScenarioError(f"chaos on: {action['on']!r} is not true or false")
        out["on"] = action["on"]
    elif kind == "traffic":
        out["rate_per_s"] = canonical_number(action, "rate_per_s", MAX_TRAFFIC_PER_S)
    elif kind == "lesson":
        if not isinstance(action["id"], str) or action["id"] not in BY_ID:
            raise ScenarioError(f"lesson id: {action['id']!r} is not one of {', '.join(BY_ID)}")
        out["id"] = action["id"]
    elif kind == "predict":
        if not isinstance(action["answer"], str) or action["answer"] not in ANSWERS:
            raise ScenarioError(
                f"predict answer: {action['answer']!r} is not one of {', '.join(ANSWERS)}"
            )
        out["answer"] = action["answer"]
    elif kind == "own_policy":
        out["code"] = _integer(action, "code", 0, MAX_OWN_CODES)
    elif kind == "reset":
        overrides = action.get("config", {})
        build_config(overrides)  # refuse bad fields now, before anything changes
        out["config"] = dict(overrides)
        if "seed" in action:
            out["seed"] = _integer(action, "seed", 0, MAX_SEED)
    return out


def apply_action(model: Model, action: dict) -> None:
    """Apply a validated action (not reset) to the model; refuse it first if it cannot apply."""
    kind = action["type"]
    if kind == "request":
        model.request(action.get("tabs", 1))
    elif kind == "advance":
        model.advance(action["ns"])
    elif kind == "kill":
        model.kill(model.server(action["server"]), action.get("kind"))
    elif kind == "restart":
        model.restart(model.server(action["server"]))
    elif kind == "add_server":
        model.add_server()
    elif kind == "remove_server":
        model.remove_server()
    elif kind == "deploy":
        model.deploy_all()
    elif kind == "failover_store":
        model.fail_over_store()
    elif kind == "kill_store":
        model.kill_store(action.get("kind", "unreachable"))
    elif kind == "restore_store":
        model.restore_store()
    elif kind == "store_latency":
        model.set_store_latency(to_thousandths(action["ms"]) * US)
    elif kind == "chaos":
        model.set_chaos(action["on"])
    elif kind == "traffic":
        model.set_traffic(to_thousandths(action["rate_per_s"]))
    elif kind == "own_policy":
        pass  # the facade gives the balancer the learner's code; other modes keep theirs
    else:
        raise ScenarioError(f"{kind} cannot be applied here")
