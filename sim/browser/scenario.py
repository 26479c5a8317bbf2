"""A scenario (seed, config, actions) and its compact, versioned, URL-safe encoding.

    v4.<seed>.<config>.<actions>   (versions: sim/browser/versions.py)

<config> is base64url (no padding) of the JSON object of the fields that differ from the
defaults of the config's mode, or empty. <actions> are tokens joined by "-":

    r / rN     request (N of them)      n   add_server        c0 / c1  chaos off / on
    rr         request from two tabs
    aNS        advance NS nanoseconds    x   remove_server     tR       traffic R per second
    kS, kSc, kSv  kill S (crash/vanish)  d / dc  kill_store (unreachable / crash)  lM  latency M ms
    sS         restart S                 u   restore_store
    p          deploy (rolling)         f   failover_store
    gID        lesson ID ("-" in an id written "_")   wANSWER   predict ANSWER
    oN         own_policy N (a learner's policy, the Nth the page gave; o0 the built-in one)

Every character is unreserved in URLs. Parsing untrusted text raises only ScenarioError.
"""

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from sim.browser.actions import MAX_ADVANCE_NS, MAX_SEED, validate_action
from sim.browser.json_depth import nesting
from sim.browser.versions import EARLIER_VERSIONS, VERSION, as_meant
from sim.core.config import Config, build_config
from sim.core.errors import ScenarioError
from sim.core.units import S

MAX_CHARS = 2_000  # a link (our choice: short enough for any browser, chat or mail client)
MAX_FILE_CHARS = 100_000  # a run saved as a file, too long for a link (our choice)
MAX_INPUT_CHARS = 20_000  # a whole link may carry other parameters
MAX_ACTIONS = 5_000
MAX_RUN = 1_000  # one "rN" token
MAX_TOTAL_ADVANCE_NS = 2 * 3600 * S  # simulated time a shared link may ask for

_TOKEN = re.compile(
    r"(rr)|(r)([0-9]{0,4})|(a)([0-9]{1,13})|(k)([A-Z])([cv]?)|(s)([A-Z])|(d)(c?)|([nxupf])"
    r"|(c)([01])|([tl])([0-9]{1,5}(?:\.[0-9]{1,3})?)|(g)([a-z_]{1,20})|(w)([a-z]{1,20})"
    r"|(o)([0-9]{1,3})"
)


@dataclass(frozen=True)
class Scenario:
    """A run: a seed (0 to 2**32-1), a configuration and a tuple of canonical action dicts."""

    seed: int = 1
    config: Config = field(default_factory=Config)
    actions: tuple = ()
    made_with: str = VERSION  # the version of the text it was parsed from

    def __post_init__(self) -> None:
        """Refuse a bad seed, config or action list."""
        if type(self.seed) is not int or not 0 <= self.seed <= MAX_SEED:
            raise ScenarioError(f"seed: {self.seed!r} is not an integer in 0..{MAX_SEED}")
        if not isinstance(self.config, Config):
            raise ScenarioError("config must be a Config")
        if not isinstance(self.actions, tuple):
            raise ScenarioError("actions must be a tuple")


def _number_text(value: int | float) -> str:
    """Return a canonical number as text (repr never uses an exponent in our ranges)."""
    return str(value) if type(value) is int else repr(value)


def _token(action: dict) -> str:
    """Return the token of one canonical action."""
    kind = action["type"]
    if kind == "request":
        return "rr" if action.get("tabs", 1) == 2 else "r"
    if kind == "advance":
        return f"a{action['ns']}"
    if kind == "kill":
        return "k" + action["server"] + {"crash": "c", "vanish": "v"}.get(action.get("kind"), "")
    if kind == "restart":
        return "s" + action["server"]
    if kind == "kill_store":
        return "dc" if action.get("kind") == "crash" else "d"
    if kind == "store_latency":
        return "l" + _number_text(action["ms"])
    if kind == "chaos":
        return "c1" if action["on"] else "c0"
    if kind == "traffic":
        return "t" + _number_text(action["rate_per_s"])
    if kind == "lesson":
        return "g" + action["id"].replace("-", "_")
    if kind == "predict":
        return "w" + action["answer"]
    if kind == "own_policy":
        return f"o{action['code']}"
    simple = {
        "add_server": "n",
        "remove_server": "x",
        "restore_store": "u",
        "deploy": "p",
        "failover_store": "f",
    }
    if kind in simple:
        return simple[kind]
    raise ScenarioError(f"{kind} actions are not part of a scenario")


class Encoder:
    """A scenario's encoding kept up to date as actions are recorded, so that a snapshot of
    a long run does not encode the whole run again."""

    def __init__(self, seed: int, config: Config) -> None:
        """Start the encoding of a run with no actions."""
        diff = config.differences()
        config_text = ""
        if diff:
            raw = json.dumps(diff, sort_keys=True, separators=(",", ":")).encode()
            config_text = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        self.head = f"{VERSION}.{seed}.{config_text}."
        self.tokens: list[str] = []
        self.run = 0  # requests in the last token, when it is a run of requests

    def add(self, action: dict) -> None:
        """Append one canonical action; consecutive requests share a token, up to MAX_RUN."""
        if action["type"] != "request" or action.get("tabs", 1) != 1:
            self.run = 0
            self.tokens.append(_token(action))
        elif 0 < self.run < MAX_RUN:
            self.run += 1
            self.tokens[-1] = f"r{self.run}"
        else:
            self.run = 1
            self.tokens.append("r")

    def replace_last(self, action: dict) -> None:
        """Replace the last action (not a request), as when two advances merge."""
        self.tokens[-1] = _token(action)

    def text(self) -> str:
        """Return the encoding, however long."""
        return self.head + "-".join(self.tokens)


def encode(scenario: Scenario) -> str:
    """Return the encoded scenario, however long."""
    encoder = Encoder(scenario.seed, scenario.config)
    for action in scenario.actions:
        encoder.add(action)
    return encoder.text()


def _extract(text: str) -> str:
    """Return the scenario string from a bare string or from a link with scenario=..."""
    if "scenario=" not in text:
        return text
    parts = urlsplit(text)
    for source in (parts.query, parts.fragment, text.split("?", 1)[-1]):
        values = parse_qs(source, max_num_fields=50).get("scenario")
        if values:
            return values[0].strip()
    raise ScenarioError("the link has no scenario parameter value")


def _parse_config(text: str, made_with: str = VERSION) -> Config:
    """Decode the config section of a link made with `made_with`."""
    if not text:
        return Config()
    if not re.fullmatch(r"[A-Za-z0-9_-]+", text):
        raise ScenarioError(
            "its settings part has characters a demo link never contains; "
            "it may have been changed when it was copied"
        )
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("utf-8")
        if nesting(raw) > 2:  # settings are one flat object; much deeper JSON is never parsed
            raise ValueError("nested")
        overrides = json.loads(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError, RecursionError):
        raise ScenarioError(
            "its settings part cannot be read; it may have been cut short or changed "
            "when it was copied"
        ) from None
    if not isinstance(overrides, dict):
        raise ScenarioError("its settings part holds no list of settings")
    for key, value in overrides.items():
        if not isinstance(value, str | int | float | bool) or value is None:
            raise ScenarioError(f"config {key}: must be a plain value")
    return build_config(as_meant(made_with, overrides))


def _parse_actions(text: str) -> tuple:
    """Decode the actions section into canonical action dicts."""
    actions: list[dict] = []
    total_ns = 0
    if not text:
        return ()
    tokens = text.split("-")
    for position, token in enumerate(tokens, start=1):
        match = _TOKEN.fullmatch(token)
        if match is None:
            following = tokens[position] if position < len(tokens) else ""
            # No token starts with a digit: in "a-5" the "-" is a minus sign, not a separator.
            shown = f"{token}-{following}" if following[:1].isdigit() else token
            shown = shown if len(shown) <= 20 else shown[:20] + "..."
            raise ScenarioError(
                f"step {position} of the run, {shown!r}, is not an action the demo knows"
            )
        groups = [g for g in match.groups() if g is not None]
        code, args = groups[0], groups[1:]
        if code == "r":
            count = int(args[0]) if args and args[0] else 1
            if not 1 <= count <= MAX_RUN:
                raise ScenarioError(f"action {position}: {count} requests (1..{MAX_RUN})")
            actions.extend({"type": "request"} for _ in range(count))
        else:
            action = _action_of(code, args)
            if action["type"] == "advance":
                if action["ns"] > MAX_ADVANCE_NS:
                    raise ScenarioError(
                        f"action {position}: advance of {action['ns']} ns is "
                        f"above the cap of {MAX_ADVANCE_NS} ns (10 minutes)"
                    )
                total_ns += action["ns"]
                if total_ns > MAX_TOTAL_ADVANCE_NS:
                    raise ScenarioError(
                        "the scenario advances more than 2 hours of simulated time (the cap)"
                    )
            actions.append(validate_action(action))
        if len(actions) > MAX_ACTIONS:
            raise ScenarioError(f"more than {MAX_ACTIONS} actions (the cap)")
    return tuple(actions)


def _action_of(code: str, args: list[str]) -> dict:
    """Return the action dict of one non-request token."""
    if code == "rr":
        return {"type": "request", "tabs": 2}
    if code == "a":
        return {"type": "advance", "ns": int(args[0])}
    if code == "k":
        action = {"type": "kill", "server": args[0]}
        if len(args) > 1 and args[1]:
            action["kind"] = {"c": "crash", "v": "vanish"}[args[1]]
        return action
    if code == "s":
        return {"type": "restart", "server": args[0]}
    if code == "d":
        return {"type": "kill_store", **({"kind": "crash"} if args and args[0] else {})}
    if code == "c":
        return {"type": "chaos", "on": args[0] == "1"}
    if code == "g":
        return {"type": "lesson", "id": args[0].replace("_", "-")}
    if code == "w":
        return {"type": "predict", "answer": args[0]}
    if code == "o":
        return {"type": "own_policy", "code": int(args[0])}
    if code in ("t", "l"):
        number = float(args[0]) if "." in args[0] else int(args[0])
        if code == "t":
            return {"type": "traffic", "rate_per_s": number}
        return {"type": "store_latency", "ms": number}
    simple = {
        "n": "add_server",
        "x": "remove_server",
        "u": "restore_store",
        "p": "deploy",
        "f": "failover_store",
    }
    return {"type": simple[code]}


def parse(text: object, max_chars: int = MAX_CHARS) -> Scenario:
    """Return the scenario in `text` (the encoded string or a whole link); raise ScenarioError.
    `max_chars` is a link's limit unless the text comes from a file (MAX_FILE_CHARS)."""
    if not isinstance(text, str):
        raise ScenarioError("a scenario must be text")
    text = text.strip()
    if len(text) > max(MAX_INPUT_CHARS, max_chars):
        raise ScenarioError(f"the text is too long ({len(text)} characters)")
    text = _extract(text)
    if len(text) > max_chars:
        raise ScenarioError(f"the scenario is too long ({len(text)} characters, limit {max_chars})")
    parts = text.split(".", 3)
    if len(parts) != 4 or parts[0] not in (VERSION, *EARLIER_VERSIONS):
        raise ScenarioError(
            f"it is not a scenario from this demo, which starts with '{VERSION}.' and then "
            "a seed, the settings and the actions, separated by dots"
        )
    seed_text, config_text, actions_text = parts[1:]
    if not re.fullmatch(r"[0-9]{1,10}", seed_text) or int(seed_text) > MAX_SEED:
        raise ScenarioError(f"seed: {seed_text[:20]!r} is not an integer in 0..{MAX_SEED}")
    config, actions = _parse_config(config_text, parts[0]), _parse_actions(actions_text)
    return Scenario(int(seed_text), config, actions, made_with=parts[0])
