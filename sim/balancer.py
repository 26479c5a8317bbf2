"""The load balancer: picks a server by policy, and learns of failures only by health checks."""

from sim.cluster import Server, User


class Balancer:
    """Round robin, least connections or sticky (cookie affinity), as HAProxy does them."""

    __slots__ = ("cursor", "explain", "policy", "sent_to_down")

    def __init__(self, policy: str, explain: bool = True) -> None:
        """Start the rotation at the first server; `explain` words the reasons."""
        self.policy = policy
        self.explain = explain
        self.cursor = 0
        self.sent_to_down = 0  # must stay 0: the balancer never picks a server it marked down

    def choose(self, servers: list[Server], user: User, tried: list[str]) -> tuple:
        """Return (server or None, reason in words) among servers believed up and not tried."""
        if not self.explain and self.policy != "sticky":
            return self._rotate(servers, tried, self.policy == "least_connections"), ""
        if self.policy == "sticky" and user.affinity is not None:
            bound = user.affinity
            for server in servers:
                if server.name == bound:
                    if server.lb_up and bound not in tried:
                        return server, f"sticky cookie: Server {bound}" if self.explain else ""
                    why = "marked down" if not server.lb_up else "not answering"
                    break
            else:
                why = "gone"
            chosen = self._rotate(servers, tried, False)
            if chosen is None:
                return None, "no server available"
            return chosen, f"Server {bound} is {why}: re-bound to Server {chosen.name}"
        chosen = self._rotate(servers, tried, self.policy == "least_connections")
        if chosen is None:
            return None, "no server available"
        if self.policy == "least_connections":
            return chosen, f"least connections ({chosen.in_flight} open)"
        if self.policy == "sticky":
            return chosen, "no cookie yet: round robin"
        return chosen, "round robin"

    def _rotate(self, servers: list[Server], tried: list[str], least: bool) -> Server | None:
        """Pick the next eligible server from the cursor; with `least`, the fewest open."""
        count = len(servers)
        cursor = self.cursor
        if not least and cursor < count:
            # Round robin's usual case (hot path): the server at the cursor is eligible.
            server = servers[cursor]
            if server.lb_up and server.name not in tried:
                self.cursor = (cursor + 1) % count
                return server
        best = None
        best_index = 0
        for step in range(count):
            index = (cursor + step) % count
            server = servers[index]
            if not server.lb_up or server.name in tried:
                continue
            if best is None or (least and server.in_flight < best.in_flight):
                best, best_index = server, index
                if not least:
                    break
        if best is not None:
            self.cursor = (best_index + 1) % count
        return best

    def check(self, server: Server, rise: int, fall: int) -> str | None:
        """Apply one health check result; return 'up' or 'down' when the belief changes."""
        if server.alive:
            server.check_fail = 0
            server.check_ok += 1
            if not server.lb_up and server.check_ok >= rise:
                server.lb_up = True
                return "up"
        else:
            server.check_ok = 0
            server.check_fail += 1
            if server.lb_up and server.check_fail >= fall:
                server.lb_up = False
                return "down"
        return None
