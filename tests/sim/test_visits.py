"""Visits: background users come and go, so a sticky tier rebalances as visits end."""

from sim.core.config import build_config
from sim.core.model import Model
from sim.core.units import S
from sim.core.visits import Visits, present_users


def test_without_visits_users_never_leave_and_the_run_is_unchanged():
    plain = Model(build_config({}), 3)
    plain.set_traffic(100_000)
    plain.advance(60 * S)
    assert plain.visits is None
    assert sorted(plain.users) == sorted(["you", *(f"u{n}" for n in range(1, 101))])


def test_a_visit_ends_and_a_new_visitor_takes_the_place_with_no_cookie():
    visits = Visits(10, 2, __import__("random").Random(1))
    first = visits.visitor("u1", 0)
    assert first == "u1" and visits.visitor("u1", 1) == "u1"
    later = visits.visitor("u1", 25 * S)  # visits last at most twice the mean
    assert later == "u3"  # the next number after the 2 places
    assert visits.present() == ["u3"]


def test_the_request_rate_holds_while_visitors_change():
    model = Model(build_config({"visit_s": 10}), 1)
    model.set_traffic(100_000)
    model.advance(60 * S)
    assert 5_700 < model.metrics.requests < 6_300
    assert len(model.users) > 300  # about six visits a place in a minute
    assert len(present_users(model)) == 101  # you, and one visitor in each of 100 places


def test_a_sticky_tier_rebalances_only_as_visits_end():
    loads = {}
    for visit_s in (0, 20):
        config = build_config(
            {"mode": "stateful", "server_threads": 1, "server_work_us": 16_000, "visit_s": visit_s}
        )
        model = Model(config, 1)
        model.set_traffic(200_000)
        model.advance(60 * S)
        model.add_server()
        model.advance(60 * S)
        loads[visit_s] = len(model.server("D").sessions)
    assert loads[0] == 0  # nobody without a cookie ever comes: the new server idles
    assert loads[20] > 15  # new visitors are spread over four servers
