"""The load balancer: picks a server by policy, and learns of failures only by health checks."""

from sim.core.cluster import Server, User


class Balancer:
    """Round robin, least connections or sticky (a cookie naming a server), as HAProxy does.

    A request sent to the server its cookie names is *persistent* (HAProxy's SF_DIRECT); one
    the algorithm placed is not. Retries (see requests.py) depend on the difference.
    """

    __slots__ = ("cursor", "explain", "policy", "sent_to_down")

    def __init__(self, policy: str, explain: bool = True) -> None:
        """Start the rotation at the first server; `explain` words the reasons."""
        self.policy = policy
        self.explain = explain
        self.cursor = 0
        self.sent_to_down = 0  # must stay 0: the balancer never picks a server it marked down

    def choose(
        self, servers: list[Server], user: User, avoid: Server | None = None, persist: bool = True
    ) -> tuple[Server | None, str, bool]:
        """Return (server or None, reason in words, persistent) among servers believed up.

        `avoid` is the server a retry just failed on: the algorithm skips it unless it is the
        only one up (HAProxy's `prev_srv`); `persist=False` ignores the cookie (a redispatch).
        """
        if persist and self.policy == "sticky" and user.affinity is not None:
            return self._follow_cookie(servers, user, avoid)
        chosen = self._rotate(servers, avoid)
        if chosen is None:
            return None, "no server available", False
        if not self.explain:
            return chosen, "", False
        if self.policy == "least_connections":
            reason = f"least connections ({chosen.in_flight} open)"
        elif self.policy == "sticky" and user.affinity is None:
            reason = "no cookie yet: round robin"
        else:
            reason = "round robin"
        if avoid is not None:
            reason = f"redispatch ({reason}, avoiding Server {avoid.name})"
        return chosen, reason, False

    def _follow_cookie(self, servers: list[Server], user: User, avoid: Server | None) -> tuple:
        """The cookie's server if it is believed up; otherwise another, and the user re-bound."""
        bound = user.affinity
        server = None
        for candidate in servers:
            if candidate.name == bound:
                if candidate.lb_up:
                    return candidate, f"sticky cookie: Server {bound}" if self.explain else "", True
                server = candidate
                break
        chosen = self._rotate(servers, avoid)
        if chosen is None:
            return None, "no server available", False
        why = "gone" if server is None else "marked down"
        explained = f"Server {bound} is {why}: re-bound to Server {chosen.name}"
        return chosen, explained if self.explain else "", False

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
            if not server.lb_up or server is avoid or server.drain:
                continue  # down, just failed, or draining (HAProxy: weight 0)
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
