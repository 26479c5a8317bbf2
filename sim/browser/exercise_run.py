"""Run an exercise's check on the learner's code, in the browser's worker: the verdict, or
the learner's error (a traceback of their code, or what was wrong with a returned value)."""

from __future__ import annotations

import json

from sim.browser.own_policy import OwnPolicy
from sim.core.errors import OwnPolicyError, ScenarioError
from sim.story.exercise_checks import CHECKS


def run_check(exercise_id: str, code: str) -> dict:
    """{"passed", "text", "error"}: error is None or the learner's error (text is then
    "Not yet: ..." too, so a verdict always begins "Passed" or "Not yet")."""
    if exercise_id not in CHECKS:
        raise ScenarioError(f"exercise: {exercise_id!r} is not one of {', '.join(CHECKS)}")
    try:
        policy = OwnPolicy(code)
        verdict = CHECKS[exercise_id](policy.ask_with)
    except OwnPolicyError as error:
        return {"passed": False, "text": "Not yet: your code failed.", "error": str(error)}
    return {"passed": verdict.passed, "text": verdict.text, "error": None}


def run_check_json(request_json: str) -> str:
    """run_check of {"exercise", "code"} given as JSON; the answer as JSON."""
    request = json.loads(request_json)
    if not isinstance(request, dict) or not isinstance(request.get("code"), str):
        raise ScenarioError('a check needs {"exercise": id, "code": text}')
    return json.dumps(run_check(request.get("exercise"), request["code"]), separators=(",", ":"))
