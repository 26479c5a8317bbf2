"""The part of the facade's Demo that runs a policy the learner wrote (own_policy.py): the
balancer is given it by an own_policy action naming it by its number among the codes the page
gave, so a replay within the page uses the same code, and a link (which has no code) does not."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.browser.own_policy import OwnPolicy
from sim.core.errors import OwnPolicyError
from sim.story.exercises import own_policy_notice

if TYPE_CHECKING:
    from sim.core.config import Config
    from sim.core.model import Model


class OwnPolicyRun:
    """Mixed into Demo, which holds `model`, `_config`, `_notice`, `_codes`, `_own_on` and
    `_own_error`, and applies actions."""

    model: Model
    _config: Config
    _notice: str | None
    _codes: list
    _own_on: int
    _own_error: str | None

    def _install(self, number: int) -> None:
        """Give the balancer the learner's policy number `number` (0: the built-in one), with
        an empty memory; one this page was not given (a link's, a file's) is said and skipped."""
        self._own_on = 0
        self.model.balancer.own = None
        if number and number <= len(self._codes):
            self.model.balancer.own = OwnPolicy(self._codes[number - 1])
            self._own_on = number
        elif number:
            said = own_policy_notice(self._config.policy)
            if said not in (self._notice or ""):
                self._notice = " ".join(n for n in (self._notice, said) if n)

    def use_own(self, code: str) -> dict:
        """Run on with the learner's policy `code`; a snapshot whose `own_policy.error` says
        why not, if it cannot be used (the run goes on as it was)."""
        self._own_error = None
        try:
            OwnPolicy(code)
        except OwnPolicyError as error:
            self._own_error = str(error)
            return self.snapshot()  # type: ignore[attr-defined]
        self._codes.append(code)
        return self.apply({"type": "own_policy", "code": len(self._codes)})  # type: ignore[attr-defined]

    def use_own_json(self, code: str) -> str:
        """use_own() with the snapshot as JSON."""
        self.use_own(code)
        return self.snapshot_json()  # type: ignore[attr-defined]
