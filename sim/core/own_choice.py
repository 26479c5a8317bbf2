"""A balancing policy written by the learner: what it is shown, and what it may answer.

The learner writes `choose(user, servers, memory)`; the browser's side compiles it
(sim/browser/own_policy.py) and hands the balancer a callable `(user, servers) -> name` that
keeps `memory` itself. Here are the plain views it is called with, built from the model's
records, and the check of its answer: a name of one of the servers, or an OwnPolicyError.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from sim.core.cluster import Server, User
from sim.core.errors import OwnPolicyError
from sim.core.source_hash import address


class UserView(NamedTuple):
    """The requesting user: its id and its IPv4 source address as an int."""

    id: str
    address: int


class ServerView(NamedTuple):
    """A server as the learner's policy sees it."""

    name: str
    up: bool  # the balancer believes it up and it takes new requests
    busy: int  # threads in use plus requests waiting (the snapshot's load.busy + load.queued)
    weight: int


OwnChoose = Callable[[UserView, tuple], object]


def views(servers: Sequence[Server], weights: Sequence[int] | None = None) -> tuple:
    """The servers in name order as the policy sees them (every server's weight is 1 in the
    demo, as HAProxy's default)."""
    out = []
    for index, server in enumerate(servers):
        up = server.lb_up and not server.drain
        weight = 1 if weights is None else weights[index]
        out.append(ServerView(server.name, up, server.busy + len(server.waiting), weight))
    return tuple(sorted(out, key=lambda view: view.name))


def checked_name(answer: object, names: Sequence[str]) -> str:
    """The server name a policy returned, or an OwnPolicyError saying what is wrong."""
    if not isinstance(answer, str):
        shown = repr(answer)[:60]
        raise OwnPolicyError(
            f"choose returned {shown} ({type(answer).__name__}): it must return a server's "
            f"name, one of {', '.join(names)}"
        )
    if answer not in names:
        raise OwnPolicyError(
            f"choose returned {answer[:60]!r}, which is not a server: it must return one of "
            f"{', '.join(names)}"
        )
    return answer


def ask(own: OwnChoose, servers: Sequence[Server], user: User) -> Server:
    """The server the learner's policy picks for this user's request."""
    shown = views(servers)
    name = checked_name(own(UserView(user.id, address(user.id)), shown), [v.name for v in shown])
    return next(server for server in servers if server.name == name)
