"""The browser's door into the simulator: actions in, snapshots out, as dicts or JSON.

    demo = load(text_from_url)            # or Demo() for the defaults
    snapshot = demo.apply({"type": "request"})

Actions are dicts with a "type" (request, advance, kill, restart, add_server, remove_server,
deploy, failover_store, kill_store, restore_store, store_latency, chaos, traffic, reset,
lesson, predict, own_policy): their fields are in sim/browser/actions.py and sim/README.md;
anything else raises ScenarioError and changes nothing. `act(action)` applies without a
snapshot, for batches; advances in a row merge in the scenario.

A policy the learner wrote (`use_own(code)`, sim/browser/own_policy.py) replaces the
balancer's until it fails or is turned off; the scenario records that it was used, never its
code, so a link of such a run replays with the built-in policy and says so.

A long link can be replayed a slice at a time (`start_load`, then `load_step()` until it
returns False), and the other modes follow the run a slice at a time (`compare_step()`), so
the browser's worker answers clicks and shows progress between slices.
"""

import json

from sim.browser import run_file
from sim.browser.actions import LESSON_ACTIONS, MAX_ADVANCE_NS, apply_action, validate_action
from sim.browser.compared import ComparedRun
from sim.browser.others import OtherModes
from sim.browser.own_run import OwnPolicyRun
from sim.browser.replay import Replay
from sim.browser.scenario import (
    MAX_ACTIONS,
    MAX_CHARS,
    MAX_FILE_CHARS,
    MAX_TOTAL_ADVANCE_NS,
    Encoder,
    Scenario,
    parse,
)
from sim.browser.snapshot import build_snapshot
from sim.browser.versions import earlier_version_notice
from sim.core.config import build_config
from sim.core.errors import ModelError, OwnPolicyError, ScenarioError
from sim.core.model import Model
from sim.story.facts import Facts, facts
from sim.story.lesson_book import LessonBook
from sim.story.narrator import Narrator
from sim.story.seen import Seen

__all__ = ["Demo", "ModelError", "ScenarioError", "load", "start_load"]


class Demo(OwnPolicyRun, ComparedRun):
    """One interactive run: a model plus the scenario that reproduces it."""

    def __init__(
        self,
        scenario: Scenario | None = None,
        in_steps: bool = False,
        notice: str | None = None,
        codes: tuple = (),
    ) -> None:
        """Start from `scenario` (default: seed 1, default config) and replay its actions,
        at once or, with `in_steps`, as `load_step()` is called; `notice` is said about it.
        `codes` are the learner's policies its own_policy actions name (the page's, after
        its worker was restarted); without them those actions use the built-in policy."""
        scenario = scenario or Scenario()
        self._codes = [code for code in codes if isinstance(code, str)]
        self._own_on = 0  # the own_policy in use: 0 none, N the Nth of self._codes
        self._own_error: str | None = None
        actions = []
        for position, action in enumerate(scenario.actions, start=1):
            try:
                actions.append(validate_action(action))
            except ScenarioError as error:
                raise ScenarioError(f"action {position} ({action.get('type')}): {error}") from None
        self.lessons = LessonBook()
        self._runs = 0  # runs started (a reset starts one): a comparison belongs to one
        self._compared: tuple[int, int] | None = None  # (run, time_ns) of the last comparison
        self._start(scenario.seed, scenario.config)
        notices = (earlier_version_notice(scenario.made_with), notice)
        self._notice = " ".join(n for n in notices if n) or None
        self._loading = Replay(self._apply_loaded, self._advance, self._record)
        for action in actions:
            self._loading.add(action)
        if not in_steps:
            while self.load_step():
                pass

    def _apply_loaded(self, action: dict) -> None:
        """Apply an action of the scenario being loaded; an error names its place."""
        try:
            self._apply(action)
        except ScenarioError as error:
            position = self._loading.applied + 1
            raise ScenarioError(f"action {position} ({action['type']}): {error}") from None

    def _advance(self, ns: int) -> None:
        """Run one slice of an advance (recorded and observed once whole, by `_record`)."""
        if self._before is None:  # the first slice
            self.narrator.begin_action()
            self._before = self._facts()
        self.model.advance(ns)

    def load_step(self) -> bool:
        """Replay one action or slice of the scenario being loaded; return whether more remains."""
        return self._loading.step()

    def load_progress_json(self) -> str:
        """How much of the scenario being loaded has been replayed, as JSON."""
        return json.dumps(self._loading.progress(), separators=(",", ":"))

    def _start(self, seed: int, config: object) -> None:
        """Build a fresh model."""
        self._seed = seed
        self._config = config
        self._actions: list[dict] = []
        self._encoder = Encoder(seed, config)
        self._advanced_ns = 0
        self._notice: str | None = None
        self.narrator = Narrator(config)
        self.model = Model(config, seed, listener=self.narrator.take)
        self._others = OtherModes(seed, config)
        self._runs += 1
        self._before: Facts | None = None  # before the action under way
        for action in self.lessons.heading_actions():
            self._record(action)
        if self._own_on:  # a reset keeps the learner's policy
            self._apply({"type": "own_policy", "code": self._own_on})

    def _facts(self) -> Facts:
        """What the lessons read of the run now."""
        return facts(self.model, self.narrator)

    def _apply(self, action: dict) -> None:
        """Apply a canonical action and record it."""
        kind = action["type"]
        if kind in LESSON_ACTIONS:
            last = self.narrator.begin_action()  # nothing happens in the model
            try:
                if kind == "lesson":
                    self.lessons.choose(action["id"])
                else:
                    self.lessons.predict(action["answer"])
            except ScenarioError:
                self.narrator.restore(last)
                raise
        elif kind == "own_policy":
            self._install(action["code"])
        elif kind == "reset":
            before = self._facts()
            config = build_config(action.get("config", {}), self._config)
            self._start(action.get("seed", self._seed), config)
            self._observe(action, before)
            return
        else:
            last = self.narrator.begin_action()
            self._before = self._facts()
            try:
                apply_action(self.model, action)
            except ScenarioError:
                self.narrator.restore(last)  # refused before anything changed
                raise
            except OwnPolicyError as error:  # the learner's: the run as it was, built-in policy
                self._replay_run()
                self._own_error = str(error)
                self._apply({"type": "own_policy", "code": 0})
                return
            except Exception as error:  # a bug: the model is half-way through the action
                self._replay_run()
                raise ModelError(
                    f"the simulator failed on this {kind} ({type(error).__name__}: {error}); "
                    "the demo is back as it was before it"
                ) from error
        self._record(action)

    def _replay_run(self) -> None:
        """Rebuild the model, the console and the other modes from this run's recorded
        actions: the state before an action the model failed on (the run is deterministic)."""
        self.narrator = Narrator(self._config)
        self.model = Model(self._config, self._seed, listener=self.narrator.take)
        self._others = OtherModes(self._seed, self._config)
        self._before = None
        for action in self._actions:
            if action["type"] == "own_policy":
                self._install(action["code"])
            elif action["type"] not in LESSON_ACTIONS:
                self.narrator.begin_action()
                apply_action(self.model, action)
                self._others.add(action)

    def _observe(self, action: dict, before: Facts | None) -> None:
        """Let the open lesson see an action of the model, with the facts before it."""
        after = self._facts()
        killed = tuple(self.narrator.killed)
        answer = after.answer if before is None or after.answer_seq != before.answer_seq else None
        self.lessons.observe(Seen(action, before, after, killed, answer))

    def _record(self, action: dict) -> None:
        """Record an applied action (not reset) in the scenario, and for the other modes."""
        if action["type"] in LESSON_ACTIONS:
            self._append(action)
            return
        self._others.add(action)
        self._observe(action, self._before)
        self._before = None
        self._append(action)

    def _append(self, action: dict) -> None:
        """Add an action to the scenario; consecutive advances merge."""
        actions = self._actions
        if action["type"] == "advance":
            self._advanced_ns += action["ns"]
            last = actions[-1] if actions else None
            if (
                last is not None
                and last["type"] == "advance"
                and (last["ns"] + action["ns"] <= MAX_ADVANCE_NS)
            ):
                actions[-1] = {"type": "advance", "ns": last["ns"] + action["ns"]}
                self._encoder.replace_last(actions[-1])
                return
        actions.append(action)
        self._encoder.add(action)

    def act(self, action: dict) -> None:
        """Apply one action and record it, without building a snapshot (for batches)."""
        self._apply(validate_action(action))

    def apply(self, action: dict) -> dict:
        """Apply one action, record it in the scenario and return the snapshot."""
        self.act(action)
        return self.snapshot()

    def scenario(self) -> Scenario:
        """Return the scenario that reproduces this run."""
        return Scenario(self._seed, self._config, tuple(dict(a) for a in self._actions))

    def snapshot(self) -> dict:
        """Return the current state as plain JSON-safe data."""
        text = self._encoder.text()
        short = self._advanced_ns <= MAX_TOTAL_ADVANCE_NS and len(self._actions) <= MAX_ACTIONS
        snapshot = build_snapshot(
            self.model, self.narrator, text, short and len(text) <= MAX_CHARS, self._notice
        )
        snapshot["scenario_savable"] = short and len(text) <= MAX_FILE_CHARS
        snapshot["scenario_link_limit"] = MAX_CHARS
        snapshot["run_file_head"] = run_file.head(len(self._actions), self._advanced_ns)
        snapshot["lesson"] = self.lessons.open.to_dict()
        snapshot["own_policy"] = {
            "on": self._own_on > 0,
            "error": self._own_error,
            "codes": len(self._codes),
        }
        compared = self._compared
        snapshot["comparison"] = (
            None
            if compared is None
            else {"time_ns": compared[1], "stale": compared[0] != self._runs}
        )
        return snapshot

    def apply_json(self, action_json: str) -> str:
        """Apply an action given as JSON; return the snapshot as JSON."""
        try:
            action = json.loads(action_json)
        except (ValueError, RecursionError) as error:
            raise ScenarioError(f"the action is not valid JSON ({type(error).__name__})") from None
        self.act(action)
        return self.snapshot_json()

    def snapshot_json(self) -> str:
        """Return the snapshot as compact JSON (no NaN or infinity)."""
        return json.dumps(self.snapshot(), allow_nan=False, separators=(",", ":"))


def load(scenario_text: str | None) -> Demo:
    """Return a Demo replaying an encoded scenario or link (None or empty: the defaults)."""
    if scenario_text is None or (isinstance(scenario_text, str) and not scenario_text.strip()):
        return Demo()
    return Demo(parse(scenario_text))


def start_load(scenario_text: str | None, from_file: bool = False, codes_json: str = "") -> Demo:
    """Like load(), but the actions are replayed as `load_step()` is called; `from_file`
    reads a run file (sim.browser.run_file), which may hold a run too long for a link and is
    refused when empty, cut short or changed. `codes_json`: the learner's policies the page
    used in this run, as a JSON list (after the page restarted its worker)."""
    if codes_json:
        codes = json.loads(codes_json)
        return Demo(parse(scenario_text, MAX_FILE_CHARS), in_steps=True, codes=tuple(codes))
    if from_file:
        scenario, notice = run_file.read(scenario_text)
        return Demo(scenario, in_steps=True, notice=notice)
    if scenario_text is None or (isinstance(scenario_text, str) and not scenario_text.strip()):
        return Demo()
    return Demo(parse(scenario_text), in_steps=True)
