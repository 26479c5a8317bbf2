"""Health checks follow HAProxy's src/check.c and server.c exactly: spread first checks, a
time-out of `inter` per check without `timeout check`, and the rise/fall health counter."""

import pytest

from sim.core import checks
from sim.core.config import build_config
from sim.core.model import Model
from sim.core.units import MS, S


def model(**config) -> Model:
    return Model(build_config(config), 1)


def run_until_marked(model: Model, name: str, up: bool) -> int:
    """Run events until the balancer's belief about `name` becomes `up`; return the time."""
    server = model.server(name)
    while server.lb_up != up:
        model.queue.step()
    return model.now


@pytest.mark.parametrize("name", ["A", "B", "C"])
@pytest.mark.parametrize("kill_at_ms", [3_000, 3_500, 4_999, 6_100])
def test_a_crashed_server_is_marked_down_4_to_6_seconds_after_it_dies(name, kill_at_ms):
    """check.c: a refused check fails at once and the next starts `inter` (2 s) later; from
    the top of the counter (every server has passed a check by 3 s) `fall` (3) failures."""
    m = model()
    m.advance(kill_at_ms * MS)
    m.kill(m.server(name), "crash")
    window = run_until_marked(m, name, up=False) - kill_at_ms * MS
    assert 4 * S <= window <= 6 * S


@pytest.mark.parametrize("name", ["A", "B", "C"])
@pytest.mark.parametrize("kill_at_ms", [3_000, 3_500, 4_999, 6_100])
def test_a_vanished_server_is_marked_down_10_to_12_seconds_after_it_dies(name, kill_at_ms):
    """check.c/tcpcheck.c: without `timeout check` a check's time-out is `inter`, and the next
    check starts `inter` after that one ended: 3 failures cost 10-12 s (measured on a real
    HAProxy 2.6 with these defaults: 11.8 and 12.2 s)."""
    m = model()
    m.advance(kill_at_ms * MS)
    m.kill(m.server(name), "vanish")
    window = run_until_marked(m, name, up=False) - kill_at_ms * MS
    assert 10 * S <= window <= 12 * S


@pytest.mark.parametrize(("name", "first_check_ms"), [("A", 0), ("B", 667), ("C", 1_333)])
def test_first_checks_are_spread_and_a_server_never_checked_falls_at_its_first_failure(
    name, first_check_ms
):
    """check.c: the first check of server i of n is at inter * i / n; server.c starts each
    server at health = rise, "up, but will fall down at first failure"."""
    m = model()
    m.kill(m.server(name), "crash")  # at 0 s, before any check
    down_at = run_until_marked(m, name, up=False)
    assert down_at == 2_000 * MS * "ABC".index(name) // 3
    assert abs(down_at - first_check_ms * MS) < MS
    assert m.server(name).fails_in_a_row == 1


def test_a_server_marked_down_needs_rise_passes_and_one_failure_between_resets_them():
    """check.c: below `rise` a failure drops the counter to 0; `rise` passes in a row put the
    server back."""
    m = model(rise=2)
    m.advance(3 * S)
    a = m.server("A")
    m.kill(a, "crash")
    run_until_marked(m, "A", up=False)
    down_at = m.now
    m.restart(a)
    up_at = run_until_marked(m, "A", up=True)
    assert up_at - down_at == 2 * 2 * S  # the next two checks, 2 s apart, both pass


def test_a_server_restarted_before_it_was_noticed_is_never_marked_down():
    heard = []
    m = Model(build_config({}), 1, listener=lambda record, _now: heard.append(record.kind))
    m.advance(3 * S)
    a = m.server("A")
    m.kill(a, "crash")
    m.advance(1 * S)  # one failed check at most: the counter is still above `rise`
    m.restart(a)
    m.advance(20 * S)
    assert a.lb_up
    assert "killed" in heard and "restarted" in heard
    assert "marked_down" not in heard


def test_an_added_server_is_checked_at_once_and_falls_at_its_first_failure():
    """server.c: a server leaving maintenance gets health = rise and is checked at once."""
    m = model()
    m.advance(3 * S)
    d = m.add_server()
    assert d.lb_up and d.health == m.config.rise
    m.advance(0)  # its first check, at once, passes: the counter jumps to the top
    assert d.health == m.config.rise + m.config.fall - 1
    m.kill(d, "crash")
    assert run_until_marked(m, "D", up=False) - 3 * S == 3 * 2 * S


def test_an_added_server_that_dies_before_its_first_check_falls_at_once():
    m = model()
    m.advance(3 * S)
    d = m.add_server()
    m.kill(d, "crash")
    assert run_until_marked(m, "D", up=False) == 3 * S


def test_the_health_counter_follows_check_c():
    """A pass at `rise` jumps to the top; from the top `fall` failures reach 0."""
    m = model(rise=2, fall=3)
    server = m.server("A")
    server.health = 2
    server.alive = False
    server.kill_kind = "crash"
    checks._judge(m, server, passed=True)
    assert server.health == 4  # rise + fall - 1
    for expected in (3, 2, 0):
        checks._judge(m, server, passed=False)
        assert server.health == expected
    assert not server.lb_up
    checks._judge(m, server, passed=True)
    assert (server.health, server.lb_up) == (1, False)
    checks._judge(m, server, passed=False)
    assert server.health == 0
