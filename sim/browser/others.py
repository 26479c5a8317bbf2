"""The demo's run kept in step in every other mode, so that "Compare modes" has its answer
ready instead of replaying the whole run when asked.

Each other mode has a model that does not record (no log, no traces) and a queue of the
actions the demo applied; the caller feeds it a slice at a time when it has nothing else to
do. The figures are the same as a full replay's: same seed, same actions, same streams.
"""

from sim.browser.actions import apply_action
from sim.browser.replay import Replay
from sim.browser.snapshot import metrics_of
from sim.core.config import MODES, Config, build_config
from sim.core.errors import ScenarioError
from sim.core.model import Model

# The demo's own mode with its built-in policy, followed once a learner's policy has run the
# balancer, so that Compare sets the learner's policy beside the built-in one.
BUILT_IN = "built_in"


class OtherModes:
    """One non-recording model per mode other than `config`'s, fed the same actions."""

    def __init__(self, seed: int, config: Config) -> None:
        """Start each other mode at time 0, with `config`'s other settings."""
        self.seed, self.config = seed, config
        self.actions: list[dict] = []  # every action so far, for a model that starts late
        self.models: dict[str, Model] = {}
        self.replays: dict[str, Replay] = {}
        self.errors: dict[str, str] = {}
        for mode in MODES:
            if mode != config.mode:
                self._follow(mode, build_config({"mode": mode}, config))

    def _follow(self, key: str, config: Config) -> None:
        """A model of `config` fed every action so far and from now on."""
        model = Model(config, self.seed, record=False)
        self.models[key] = model
        self.replays[key] = Replay(
            lambda action, model=model: apply_action(model, action), model.advance
        )
        for action in self.actions:
            self.replays[key].add(action)

    def add(self, action: dict) -> None:
        """Queue an action the demo applied (never a reset: a reset starts a new OtherModes)."""
        self.actions.append(action)
        for replay in self.replays.values():
            replay.add(action)
        if action["type"] == "own_policy" and action["code"] and BUILT_IN not in self.models:
            self._follow(BUILT_IN, self.config)

    def step(self) -> bool:
        """Run one slice in the mode furthest behind; return whether any is still behind."""
        behind = [m for m, r in self.replays.items() if r.behind() and m not in self.errors]
        if not behind:
            return False
        mode = min(behind, key=lambda m: self.replays[m].done_ns)
        try:
            self.replays[mode].step()
        except ScenarioError as error:
            # An action that applies in the demo's mode but not here (a server that drained
            # at a different moment): this mode cannot be compared.
            self.errors[mode] = str(error)
        except Exception as error:  # a bug in this mode's model: Compare says so, the demo goes on
            self.errors[mode] = f"the simulator failed ({type(error).__name__}: {error})"
        return any(r.behind() and m not in self.errors for m, r in self.replays.items())

    def progress(self) -> dict:
        """Simulated time run by the mode furthest behind, and to run."""
        progress = [replay.progress() for replay in self.replays.values()]
        return {
            "done_ns": min(p["done_ns"] for p in progress),
            "total_ns": max(p["total_ns"] for p in progress),
        }

    def metrics(self) -> dict:
        """Each other mode's metrics, once in step; raise ScenarioError for a mode that failed."""
        while self.step():
            pass
        for mode, message in self.errors.items():
            raise ScenarioError(f"the run cannot be replayed in mode {mode}: {message}")
        return {mode: metrics_of(model) for mode, model in self.models.items()}
