"""The balancer: round robin, least connections, sticky with rebinding; never a down server."""

from sim.balancer import Balancer
from sim.cluster import Server, User


def cluster(count: int = 3) -> list[Server]:
    return [Server(name) for name in "ABCDEFGH"[:count]]


def test_round_robin_rotates_and_skips_servers_marked_down():
    servers = cluster()
    servers[1].lb_up = False
    balancer = Balancer("round_robin")
    picks = [balancer.choose(servers, User("u"), [])[0].name for _ in range(4)]
    assert picks == ["A", "C", "A", "C"]


def test_least_connections_prefers_the_fewest_open():
    servers = cluster()
    servers[0].in_flight = 2
    servers[1].in_flight = 0
    servers[2].in_flight = 1
    server, reason = Balancer("least_connections").choose(servers, User("u"), [])
    assert server.name == "B"
    assert "least connections" in reason


def test_sticky_keeps_the_cookie_and_rebinds_when_its_server_is_down():
    servers = cluster()
    user = User("u")
    user.affinity = "B"
    balancer = Balancer("sticky")
    assert balancer.choose(servers, user, [])[0].name == "B"
    servers[1].lb_up = False
    server, reason = balancer.choose(servers, user, [])
    assert server.name != "B"
    assert "re-bound" in reason


def test_tried_servers_are_not_picked_again_and_none_left_means_none():
    servers = cluster(2)
    balancer = Balancer("round_robin")
    assert balancer.choose(servers, User("u"), ["A"])[0].name == "B"
    assert balancer.choose(servers, User("u"), ["A", "B"]) == (None, "no server available")


def test_health_checks_mark_down_after_fall_and_up_after_rise():
    server = Server("A")
    balancer = Balancer("round_robin")
    server.alive = False
    assert [balancer.check(server, 2, 3) for _ in range(3)] == [None, None, "down"]
    server.alive = True
    assert [balancer.check(server, 2, 3) for _ in range(2)] == [None, "up"]
