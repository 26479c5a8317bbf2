"""The exercises' checks: each runs a fixed, seeded scenario through the learner's
`choose(user, servers, memory)` and says "Passed" or "Not yet", with what it measured.

A check calls `ask(user, servers, memory)`, which returns a server's name or raises
OwnPolicyError (the browser's side wraps the learner's function; tests pass a plain one).
The hashing checks ask each user with memories of their own, so a policy must compute the
server from the address rather than remember it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import NamedTuple

from sim.core.own_choice import ServerView, UserView, checked_name
from sim.core.source_hash import USERS_BASE

Ask = Callable[[UserView, tuple, dict], object]


class Verdict(NamedTuple):
    """A check's outcome: whether it passed, and what it says (beginning "Passed" or "Not yet")."""

    passed: bool
    text: str


def user(number: int) -> UserView:
    """Background user uN, with its source address (sim/core/source_hash.py)."""
    return UserView(f"u{number}", USERS_BASE + number)


def servers(names: str, down: str = "", busy: dict | None = None, weights=None) -> tuple:
    """Server views in name order."""
    return tuple(
        ServerView(
            name,
            name not in down,
            (busy or {}).get(name, 0),
            1 if weights is None else weights[index],
        )
        for index, name in enumerate(names)
    )


def pick(ask: Ask, who: UserView, shown: tuple, memory: dict) -> str:
    """The learner's answer, checked to be one of the servers' names."""
    return checked_name(ask(who, shown, memory), [s.name for s in shown])


def _spread(counts: dict, within: float) -> str | None:
    """None if every count is within `within` of their mean, else what is off."""
    total = 0
    for count in counts.values():
        total += count
    mean = total / len(counts)
    for count in counts.values():
        if abs(count - mean) > within * mean:
            shown = ", ".join(f"{n}: {c}" for n, c in counts.items())
            return (
                f"the requests are not spread within {within:.0%} of the mean {mean:.0f} ({shown})"
            )
    return None


def skip_down(ask: Ask) -> Verdict:
    """Round robin over the servers that are up: C down for 300 requests, then A and C
    for 200 more (one memory throughout)."""
    memory: dict = {}
    number = 0
    for down, requests in (("C", 300), ("AC", 200)):
        shown = servers("ABCD", down)
        counts = {s.name: 0 for s in shown if s.up}
        for _ in range(requests):
            number += 1
            name = pick(ask, user(number), shown, memory)
            if name not in counts:
                return Verdict(
                    False, f"Not yet: request {number} went to Server {name}, which is down."
                )
            counts[name] += 1
        off = _spread(counts, 0.10)
        if off:
            return Verdict(
                False,
                f"Not yet: with {' and '.join(down)} down, {off}.",
            )
    return Verdict(
        True,
        "Passed: no request went to a server that was down, and the up ones shared them evenly.",
    )


def least_connections(ask: Ask) -> Verdict:
    """200 requests, each with the servers' busy counts drawn at random (seed 21), one of
    the four down a third of the time: the answer must be an up server with the least busy."""
    draw = random.Random(21)
    memory: dict = {}
    for number in range(1, 201):
        busy = {name: draw.randrange(6) for name in "ABCD"}
        down = draw.choice("ABCD") if draw.randrange(3) == 0 else ""
        shown = servers("ABCD", down, busy)
        name = pick(ask, user(number), shown, memory)
        least = min(s.busy for s in shown if s.up)
        chosen = next(s for s in shown if s.name == name)
        if not chosen.up:
            return Verdict(
                False, f"Not yet: request {number} went to Server {name}, which is down."
            )
        if chosen.busy != least:
            loads = ", ".join(f"{s.name}: {s.busy}" for s in shown if s.up)
            return Verdict(
                False,
                f"Not yet: request {number} went to Server {name} with {chosen.busy} busy, "
                f"but one up server had {least} ({loads}).",
            )
    return Verdict(True, "Passed: each of 200 requests went to an up server with the least busy.")


def sticky_rebind(ask: Ask) -> Verdict:
    """30 users, 10 rounds of one request each over A, B, C; B is down in rounds 4 to 6.
    A user stays on its server while that server is up, and moves only when it is not."""
    memory: dict = {}
    where: dict = {}
    moved = 0
    for round_number in range(1, 11):
        shown = servers("ABC", "B" if 4 <= round_number <= 6 else "")
        up = {s.name for s in shown if s.up}
        for number in range(1, 31):
            who = user(number)
            name = pick(ask, who, shown, memory)
            if name not in up:
                return Verdict(
                    False,
                    f"Not yet: in round {round_number}, {who.id} went to Server {name}, "
                    "which is down.",
                )
            before = where.get(who.id)
            if before is not None and before != name:
                if before in up:
                    return Verdict(
                        False,
                        f"Not yet: in round {round_number}, {who.id} moved from Server {before} "
                        f"to Server {name}, though Server {before} was up.",
                    )
                moved += 1
            where[who.id] = name
    return Verdict(
        True,
        f"Passed: users stayed put while their server was up; {moved} moved "
        "when Server B went down.",
    )


def _hashed(ask: Ask, names: str, users: int) -> dict | Verdict:
    """Each user's server over `names`, asked twice with fresh memories: a Verdict if the
    answers differ or name a server that does not exist."""
    shown = servers(names)
    first: dict = {}
    again: dict = {}
    # The second time in the reverse order: an answer that depends on the order of the
    # requests rather than on the user changes.
    for answers, order in ((first, range(1, users + 1)), (again, range(users, 0, -1))):
        memory: dict = {}
        for number in order:
            answers[number] = pick(ask, user(number), shown, memory)
    for number in range(1, users + 1):
        if first[number] != again[number]:
            return Verdict(
                False,
                f"Not yet: u{number} went to Server {first[number]} and then to Server "
                f"{again[number]} with the servers unchanged; a hash of user.address "
                "gives the same server every time.",
            )
    return first


def _moved(ask: Ask, users: int) -> tuple[float, dict] | Verdict:
    """The share of users whose server changes from A, B, C to A, B, C, D, and the users
    per server with four."""
    before = _hashed(ask, "ABC", users)
    if isinstance(before, Verdict):
        return before
    after = _hashed(ask, "ABCD", users)
    if isinstance(after, Verdict):
        return after
    moved = 0
    for number in range(1, users + 1):
        moved += before[number] != after[number]
    counts = {name: 0 for name in "ABCD"}
    for name in after.values():
        counts[name] += 1
    return moved / users, counts


def modulo_hash(ask: Ask) -> Verdict:
    """400 users over three servers, then four: each always on one server, and at least
    0.6 of them moved when the fourth is added (what a modulo of the address does)."""
    measured = _moved(ask, 400)
    if isinstance(measured, Verdict):
        return measured
    share = measured[0]
    if share < 0.6:
        return Verdict(
            False,
            f"Not yet: {share:.2f} of the users moved from three servers to four; "
            "user.address % len(servers) moves about 0.75.",
        )
    return Verdict(True, f"Passed: {share:.2f} of the users moved when a fourth server was added.")


def consistent_hash(ask: Ask) -> Verdict:
    """400 users over three servers, then four: at most 0.35 moved, and with four no
    server above 1.5 times the mean."""
    measured = _moved(ask, 400)
    if isinstance(measured, Verdict):
        return measured
    share, counts = measured
    shown = ", ".join(f"{n}: {c}" for n, c in counts.items())
    if share > 0.35:
        return Verdict(
            False,
            f"Not yet: {share:.2f} of the users moved from three servers to four (at most 0.35).",
        )
    if max(counts.values()) > 1.5 * 100:
        return Verdict(
            False,
            f"Not yet: {share:.2f} moved, but a server has more than 1.5 times "
            f"the mean of 100 users ({shown}).",
        )
    if min(counts.values()) == 0:
        return Verdict(False, f"Not yet: the fourth server got no users ({shown}).")
    return Verdict(True, f"Passed: {share:.2f} of the users moved, and the load is {shown}.")


def weighted(ask: Ask) -> Verdict:
    """400 requests over A, B, C weighing 1, 1, 2: shares of 1/4, 1/4, 1/2, each within 10%."""
    shown = servers("ABC", weights=(1, 1, 2))
    counts = {name: 0 for name in "ABC"}
    memory: dict = {}
    for number in range(1, 401):
        counts[pick(ask, user(number), shown, memory)] += 1
    targets = {"A": 100, "B": 100, "C": 200}
    text = ", ".join(f"{n}: {c}" for n, c in counts.items())
    for name, target in targets.items():
        if abs(counts[name] - target) > 0.1 * target:
            return Verdict(
                False,
                f"Not yet: the 400 requests went {text}; weights 1, 1, 2 ask for "
                "100, 100, 200 (within 10%).",
            )
    return Verdict(True, f"Passed: the 400 requests went {text}, as the weights 1, 1, 2 ask.")


CHECKS = {
    "skip-down": skip_down,
    "least-connections": least_connections,
    "sticky-rebind": sticky_rebind,
    "modulo-hash": modulo_hash,
    "consistent-hash": consistent_hash,
    "weighted": weighted,
}
