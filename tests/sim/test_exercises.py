"""The exercises' checks pass a correct solution and fail an incorrect one, and the
learner's errors come back as their own traceback or a clear message."""

import pytest

from sim.browser.exercise_run import run_check, run_check_json
from sim.browser.own_policy import OwnPolicy
from sim.core.errors import OwnPolicyError, ScenarioError
from sim.story.exercise_checks import CHECKS
from sim.story.exercises import EXERCISES, catalogue
from tests.sim.exercise_solutions import CORRECT, INCORRECT


@pytest.mark.parametrize("exercise", sorted(CHECKS))
def test_a_correct_solution_passes(exercise):
    verdict = run_check(exercise, CORRECT[exercise])
    assert verdict["passed"], verdict
    assert verdict["text"].startswith("Passed")
    assert verdict["error"] is None


@pytest.mark.parametrize("exercise", sorted(CHECKS))
def test_an_incorrect_solution_does_not(exercise):
    verdict = run_check(exercise, INCORRECT[exercise])
    assert not verdict["passed"]
    assert verdict["text"].startswith("Not yet")


@pytest.mark.parametrize("exercise", sorted(CHECKS))
def test_the_starter_does_not_pass(exercise):
    starter = next(e["starter"] for e in EXERCISES if e["id"] == exercise)
    assert not run_check(exercise, starter)["passed"]


def test_modulo_hash_shows_the_share_moved():
    text = run_check("modulo-hash", CORRECT["modulo-hash"])["text"]
    assert "0.75 of the users moved" in text


def test_consistent_hash_shows_the_share_and_the_load():
    text = run_check("consistent-hash", CORRECT["consistent-hash"])["text"]
    share = float(text.split("Passed: ")[1].split(" ")[0])
    assert share <= 0.35
    assert "A: " in text and "D: " in text


def test_a_policy_that_remembers_instead_of_hashing_fails_the_hash_checks():
    remembering = """def choose(user, servers, memory):
    memory["n"] = memory.get("n", 0) + 1
    return servers[memory["n"] % len(servers)].name
"""
    verdict = run_check("modulo-hash", remembering)
    assert verdict["text"].startswith("Not yet: u")
    assert "with the servers unchanged" in verdict["text"]


def test_a_syntax_error_is_shown_with_its_line():
    verdict = run_check("skip-down", "def choose(user, servers, memory)\n    return 'A'\n")
    assert not verdict["passed"] and verdict["text"].startswith("Not yet")
    assert "SyntaxError" in verdict["error"] and "line 1" in verdict["error"]


def test_a_runtime_error_shows_the_learners_traceback_only():
    code = "def choose(user, servers, memory):\n    return servers[10].name\n"
    error = run_check("skip-down", code)["error"]
    assert error.startswith("Traceback (most recent call last):")
    assert '"<your policy>", line 2, in choose' in error
    assert "return servers[10].name" in error
    assert error.endswith("IndexError: tuple index out of range")
    assert "sim/" not in error  # the simulator's frames are not the learner's to read


@pytest.mark.parametrize(
    ("answer", "message"),
    [("None", "choose returned None (NoneType)"), ("'Z'", "choose returned 'Z', which is not")],
)
def test_a_bad_return_value_is_an_error_naming_it(answer, message):
    code = f"def choose(user, servers, memory):\n    return {answer}\n"
    error = run_check("skip-down", code)["error"]
    assert error.startswith(message)
    assert "one of A, B, C, D" in error


def test_code_without_choose_is_refused():
    with pytest.raises(OwnPolicyError, match="defines no function choose"):
        OwnPolicy("x = 1\n")


def test_an_unknown_exercise_or_a_malformed_request_is_refused():
    with pytest.raises(ScenarioError):
        run_check("nope", CORRECT["skip-down"])
    with pytest.raises(ScenarioError):
        run_check_json('{"exercise": "skip-down"}')


def test_the_catalogue_has_every_check():
    assert [e["id"] for e in catalogue()] == list(CHECKS)
    for exercise in catalogue():
        assert exercise["starter"].startswith("def choose(user, servers, memory):")


def test_hash_of_a_string_is_refused_with_a_reason():
    code = "def choose(user, servers, memory):\n    return servers[hash(user.id) % 4].name\n"
    error = run_check("modulo-hash", code)["error"]
    assert error.endswith(
        "TypeError: hash() of a string changes from one Python process to "
        "the next: use user.address, or your own arithmetic on numbers"
    )
    numbers = (
        "def choose(user, servers, memory):\n    return servers[hash(user.address) % 3].name\n"
    )
    assert run_check("modulo-hash", numbers)["error"] is None
