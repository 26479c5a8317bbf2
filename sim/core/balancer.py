"""The load balancer: picks a server by policy, and learns of failures only by health checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sim.core import own_choice
from sim.core.cluster import Server, User
from sim.core.source_hash import SourceHash

if TYPE_CHECKING:
    from sim.core.cluster import Request
    from sim.core.config import Config


def takes_new(server: Server) -> bool:
    """Whether the balancer may send this server a request that no cookie pins there:
    believed up and not draining (HAProxy's `drain` state is weight 0)."""
    return server.lb_up and not server.drain


class Balancer:
    """Round robin, least connections, sticky (a cookie naming a server) or source (the
    client's address hashed, source_hash.py), as HAProxy does.

    A request sent to the server its cookie names is *persistent* (HAProxy's SF_DIRECT); one
    the algorithm placed is not. Retries (see requests.py) depend on the difference.
    """

    __slots__ = (
        "cursor",
        "explain",
        "hash_type",
        "on_remap",
        "own",
        "policy",
        "sent_to_down",
        "table",
    )

    def __init__(self, policy: str, explain: bool = True, hash_type: str = "map-based") -> None:
        """Start the rotation at the first server; `explain` keeps the reasons (a
        model that records)."""
        self.policy = policy
        self.explain = explain
        self.hash_type = hash_type
        self.table: SourceHash | None = None  # the source hash over the servers it last saw
        # Called with the old and the new table when the servers hashed over change.
        self.on_remap: Callable[[SourceHash, SourceHash], None] | None = None
        self.cursor = 0
        self.sent_to_down = 0  # must stay 0: the balancer never picks a server it marked down
        # A policy the learner wrote (own_choice.py), used instead of `policy` while set.
        self.own: own_choice.OwnChoose | None = None

    def choose(
        self, servers: list[Server], user: User, avoid: Server | None = None, persist: bool = True
    ) -> tuple[Server | None, tuple | None, bool]:
        """Return (server or None, reason, persistent) among servers believed up; the reason
        is a code and its facts (worded by sim.story.traces), None when not explained.

        `avoid` is the server a retry just failed on: the algorithm skips it unless it is the
        only one up (HAProxy's `prev_srv`); `persist=False` ignores the cookie (a redispatch).
        """
        if self.own is not None:
            return self._ask_own(servers, user)
        if persist and self.policy == "sticky" and user.affinity is not None:
            return self._follow_cookie(servers, user, avoid)
        if self.policy == "source":
            return self._hash_source(servers, user, avoid)
        chosen = self._rotate(servers, avoid)
        if chosen is None:
            return None, ("none",), False
        if not self.explain:
            return chosen, None, False
        if self.policy == "least_connections":
            reason: tuple = ("least_connections", chosen.in_flight)
        elif self.policy == "sticky" and user.affinity is None:
            reason = ("no_cookie",)
        else:
            reason = ("round_robin",)
        if avoid is not None:
            reason = ("redispatch", reason, avoid.name)
        return chosen, reason, False

    def _ask_own(self, servers: list[Server], user: User) -> tuple:
        """The learner's policy decides, retries included; with no server taking new
        requests it is not asked (503 at once, as for the built-in policies)."""
        if not any(takes_new(server) for server in servers):
            return None, ("none",), False
        chosen = own_choice.ask(self.own, servers, user)
        return chosen, ("own", chosen.name) if self.explain else None, False

    def _follow_cookie(self, servers: list[Server], user: User, avoid: Server | None) -> tuple:
        """The cookie's server if it is believed up; otherwise another, and the user re-bound."""
        bound = user.affinity
        server = None
        for candidate in servers:
            if candidate.name == bound:
                if candidate.lb_up:
                    return candidate, ("cookie", bound) if self.explain else None, True
                server = candidate
                break
        chosen = self._rotate(servers, avoid)
        if chosen is None:
            return None, ("none",), False
        if not self.explain:
            return chosen, None, False
        return chosen, ("rebound", bound, server is None, chosen.name), False

    def rehash(self, servers: list[Server]) -> SourceHash:
        """The source hash over the servers taking new requests, rebuilt when they change."""
        names = tuple(s.name for s in servers if takes_new(s))
        table = self.table
        if table is None or table.names != names:
            new = SourceHash(self.hash_type, names)
            if table is not None and self.on_remap is not None:
                self.on_remap(table, new)
            self.table = table = new
        return table

    def _hash_source(self, servers: list[Server], user: User, avoid: Server | None) -> tuple:
        """The server the user's source address hashes to among those taking new requests
        (HAProxy's weight-0 draining servers are out of the map and the ring)."""
        table = self.rehash(servers)
        name = table.pick(user.id, avoid.name if avoid is not None else None)
        if name is None:
            return None, ("none",), False
        chosen = next(s for s in servers if s.name == name)
        if not self.explain:
            return chosen, None, False
        reason: tuple = ("source", table.hash_type)
        if avoid is not None:
            reason = ("redispatch", reason, avoid.name)
        return chosen, reason, False

    def _rotate(self, servers: list[Server], avoid: Server | None) -> Server | None:
        """Pick the next server believed up from the cursor (least connections: the fewest
        open); `avoid` only when no other is up."""
        count = len(servers)
        least = self.policy == "least_connections"
        best = None
        best_index = 0
        for step in range(count):
            index = (self.cursor + step) % count
            server = servers[index]
            if not takes_new(server) or server is avoid:
                continue  # down, draining (HAProxy: weight 0), or just failed
            if best is None or (least and server.in_flight < best.in_flight):
                best, best_index = server, index
                if not least:
                    break
        if best is None:
            if avoid is None or not avoid.lb_up or avoid not in servers:
                return None
            best, best_index = avoid, servers.index(avoid)
        self.cursor = (best_index + 1) % count
        return best


def redispatches(config: Config, req: Request, server: Server, attempts: int, up: int) -> bool:
    """Whether HAProxy's next attempt goes to another server (stream_choose_redispatch): never
    without `option redispatch`; with it, when the server is marked down, when the interval
    says so (1: every retry; -1, plain: the last), or when the request was not persistent
    and more than one server is up."""
    if config.redispatch == "off":
        return False
    return (
        not server.lb_up
        or config.redispatch == "every"
        or attempts == config.retries
        or (not req.persistent and up > 1)
    )
