"""The exercises: write the balancer's policy yourself. Each has a task, a starter, a hint
and a check (exercise_checks.py) run on a fixed, seeded scenario; `catalogue()` is what the
build puts in the page, `DOC` the documentation shown above the editor."""

from __future__ import annotations

from sim.story.exercise_checks import CHECKS

SIGNATURE = "def choose(user, servers, memory)"
DOC = (
    "It returns the name of the server for this request.",
    "user.id is the user's id (a string) and user.address its source address (an int, "
    "an IPv4 address as a number).",
    "servers lists every server in name order, each with .name, .up (whether the balancer "
    "believes it up and it takes new requests), .busy (threads in use plus requests waiting) "
    "and .weight.",
    "memory is a dict the balancer keeps between requests: yours to use.",
    "Do not use hash() on a string: it changes from one Python process to the next. "
    "The checks that hash give each user a fresh memory, so compute the server from "
    "user.address.",
)

_ROUND_ROBIN = """def choose(user, servers, memory):
    # Round robin: the next server after the last one chosen.
    turn = memory.get("turn", 0)
    memory["turn"] = turn + 1
    return servers[turn % len(servers)].name
"""

_FIRST = """def choose(user, servers, memory):
    return servers[0].name
"""

EXERCISES = (
    {
        "id": "skip-down",
        "title": "Skip the servers that are down",
        "task": "A round robin that never picks a server that is not up, and spreads the "
        "requests within 10% over the up ones.",
        "starter": _ROUND_ROBIN,
        "hint": "Keep only the servers whose .up is true, then take turns over those.",
    },
    {
        "id": "least-connections",
        "title": "Least connections",
        "task": "Always an up server with the least .busy.",
        "starter": _FIRST,
        "hint": "min() over the up servers with key=lambda s: s.busy.",
    },
    {
        "id": "sticky-rebind",
        "title": "Sticky, and re-bound when the server is down",
        "task": "Keep each user on one server (remember it in memory), and move a user only "
        "when its server is not up.",
        "starter": _ROUND_ROBIN,
        "hint": "memory[user.id] holds the user's server; use it while that server is up, "
        "otherwise choose another up server and remember it.",
    },
    {
        "id": "modulo-hash",
        "title": "Hash the address, modulo the servers",
        "task": "The same user always on the same server while the servers do not change: "
        "the check counts how many users move when a fourth server is added.",
        "starter": _FIRST,
        "hint": "servers[user.address % len(servers)].name",
    },
    {
        "id": "consistent-hash",
        "title": "Consistent hashing",
        "task": "At most 0.35 of the users move from three servers to four, and with four no "
        "server has more than 1.5 times the mean load.",
        "starter": _FIRST,
        "hint": "Place each server at many points of a ring (a mix of its name's letter and a "
        "counter, such as (ord(name) * 1000 + i) * 2654435761 % 2**32); the user goes to the "
        "first point at or after a mix of its address, going round past the end.",
    },
    {
        "id": "weighted",
        "title": "Weighted round robin",
        "task": "Servers weighing 1, 1 and 2 get a quarter, a quarter and half of the "
        "requests, each within 10%.",
        "starter": _ROUND_ROBIN,
        "hint": "Take turns over a list in which each server appears .weight times.",
    },
)
BY_ID = {exercise["id"]: exercise for exercise in EXERCISES}
assert set(BY_ID) == set(CHECKS)


def catalogue() -> list[dict]:
    """The exercises as the page shows them, and the function's documentation."""
    return [dict(exercise) for exercise in EXERCISES]


def own_policy_notice(policy: str) -> str:
    """What a replayed run that used a learner's policy says: the code is not in it."""
    return (
        "This run used a balancing policy written in the page; a link or a file does not carry "
        f"code, so it replays with the built-in policy ({policy.replace('_', ' ')})."
    )


def compare_labels(mode: str, built_in: str, mode_label: str, policy: str) -> dict:
    """Compare's column names when a learner's policy ran: this run, and the same run with
    the built-in policy."""
    return {
        mode: f"{mode_label}, your policy",
        built_in: f"{mode_label}, built-in policy ({policy.replace('_', ' ')})",
    }
