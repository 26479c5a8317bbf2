"""The balancer: round robin, least connections, sticky with rebinding; never a down server."""

from sim.core.balancer import Balancer
from sim.core.cluster import Server, User
from sim.story.traces import reason_text


def cluster(count: int = 3) -> list[Server]:
    return [Server(name) for name in "ABCDEFGH"[:count]]


def test_round_robin_rotates_and_skips_servers_marked_down():
    servers = cluster()
    servers[1].lb_up = False
    balancer = Balancer("round_robin")
    picks = [balancer.choose(servers, User("u"))[0].name for _ in range(4)]
    assert picks == ["A", "C", "A", "C"]


def test_least_connections_prefers_the_fewest_open():
    servers = cluster()
    servers[0].in_flight = 2
    servers[1].in_flight = 0
    servers[2].in_flight = 1
    server, reason, persistent = Balancer("least_connections").choose(servers, User("u"))
    assert server.name == "B"
    assert reason_text(reason) == "least connections (0 open)"
    assert not persistent


def test_sticky_keeps_the_cookie_and_rebinds_when_its_server_is_down():
    servers = cluster()
    user = User("u")
    user.affinity = "B"
    balancer = Balancer("sticky")
    assert balancer.choose(servers, user)[::2] == (servers[1], True)
    servers[1].lb_up = False
    server, reason, persistent = balancer.choose(servers, user)
    assert server.name != "B"
    assert "re-bound" in reason_text(reason)
    assert not persistent


def test_a_redispatch_ignores_the_cookie_and_avoids_only_the_server_that_just_failed():
    """HAProxy's assign_server() avoids `prev_srv` only, and uses it when nothing else is up."""
    servers = cluster(2)
    user = User("u")
    user.affinity = "A"
    balancer = Balancer("sticky")
    server, reason, persistent = balancer.choose(servers, user, servers[0], persist=False)
    assert (server.name, persistent) == ("B", False)
    assert "avoiding Server A" in reason_text(reason)
    servers[1].lb_up = False
    assert balancer.choose(servers, user, servers[0], persist=False)[0] is servers[0]
    servers[0].lb_up = False
    assert balancer.choose(servers, user, servers[0], persist=False)[0] is None
