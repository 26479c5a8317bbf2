"""Replication follows Tomcat 10.1's BackupManager in the default cluster, failure detector
included (AbstractReplicatedMap, LazyReplicatedMap, TcpFailureDetector, McastService)."""

from sim.browser.facade import Demo
from sim.browser.scenario import Scenario
from sim.core import requests
from sim.core.config import build_config
from sim.core.units import MS, S


def demo(**config) -> Demo:
    d = Demo(Scenario(1, build_config({"mode": "replicated", **config})))
    d.act({"type": "advance", "ns": 3 * S})  # past start-up: every server passed a check
    return d


def your_session(d: Demo) -> tuple:
    """(primary server name, backup server name) of the demo user's session."""
    for server in d.model.servers:
        copy = server.sessions.get("you")
        if copy is not None and copy.sid == d.model.users["you"].sid:
            return server.name, copy.peer.name if copy.peer is not None else None
    return None, None


def request(d: Demo) -> dict:
    return d.apply({"type": "request"})["traces"][-1]


def test_backups_are_placed_round_robin_across_the_other_members():
    """LazyReplicatedMap.publishEntryInfo takes getNextBackupIndex(): round robin per node."""
    d = demo(policy="sticky")
    model = d.model
    for uid in ("u1", "u2", "u3", "u4", "u5", "u6"):  # new users go round robin: A, B, C, A...
        requests.start(model, model.user(uid))
    d.act({"type": "advance", "ns": S})
    # Each node's two sessions went to its two other members in turn, not both to the next.
    for name, users in (("A", ("u1", "u4")), ("B", ("u2", "u5")), ("C", ("u3", "u6"))):
        node = model.server(name)
        peers = sorted(node.sessions[uid].peer.name for uid in users)
        assert peers == sorted(set("ABC") - {name})


def test_a_copy_to_a_crashed_backup_removes_it_at_once_and_re_publishes_in_the_request():
    """TcpFailureDetector: a failed send triggers a TCP check (refused at once after a crash)
    and the member's removal; AbstractReplicatedMap.memberDisappeared re-publishes, in the
    sending thread, every session whose backup was there."""
    d = demo()
    request(d)
    assert your_session(d) == ("A", "B")
    d.act({"type": "kill", "server": "B", "kind": "crash"})
    trace = request(d)
    assert trace["status"] == 200
    notes = [hop["note"] for hop in trace["hops"]]
    assert "refused: member removed" in notes
    assert any(note.startswith("re-publish 1 session") for note in notes)
    assert not d.model.server("B").member
    assert your_session(d) == ("A", "C")
    assert trace["latency_ns"] < 10 * MS  # round trips only


def test_after_a_vanish_the_failed_copy_costs_the_3_s_time_out_and_the_check_1_s():
    """Tomcat's sender `timeout` (3,000 ms, not retried) and TcpFailureDetector's
    `connectTimeout` (1,000 ms): the user waits for both."""
    d = demo()
    request(d)
    d.act({"type": "kill", "server": "B", "kind": "vanish"})
    trace = request(d)
    assert trace["status"] == 200
    assert 4 * S <= trace["latency_ns"] < 4 * S + 10 * MS
    assert your_session(d) == ("A", "C")


def test_the_replication_and_detector_time_outs_are_configurable():
    d = demo(replication_timeout_ms=500, failure_check_timeout_ms=200)
    request(d)
    d.act({"type": "kill", "server": "B", "kind": "vanish"})
    assert 700 * MS <= request(d)["latency_ns"] < 710 * MS


def test_a_member_nothing_is_sent_to_is_dropped_after_drop_time():
    """McastService `dropTime` (3,000 ms), then the detector's check: at once after a crash,
    after its 1 s `connectTimeout` after a vanish."""
    for kind, delay in (("crash", 3 * S), ("vanish", 4 * S)):
        d = demo()
        d.act({"type": "kill", "server": "B", "kind": kind})
        d.act({"type": "advance", "ns": delay - 1})
        assert d.model.server("B").member, kind
        d.act({"type": "advance", "ns": 1})
        assert not d.model.server("B").member, kind


def test_killing_the_backup_then_the_primary_before_anything_notices_loses_the_session():
    """Two failures inside the window before the backup's death is noticed: no copy left."""
    d = demo()
    request(d)
    d.act({"type": "kill", "server": "B"})
    d.act({"type": "kill", "server": "A"})
    trace = request(d)
    assert trace["outcome"] == "session_lost"
    assert d.snapshot()["metrics"]["lost_sessions"] == 1


def test_a_request_between_the_two_kills_saves_the_session():
    """The request's failed copy lets the detector remove the backup and re-publish at once,
    so the window is no longer dropTime but the time to the next request."""
    d = demo()
    request(d)
    d.act({"type": "kill", "server": "B"})
    request(d)
    d.act({"type": "kill", "server": "A"})
    trace = request(d)
    assert trace["outcome"] == "retried"
    assert trace["cart_items"] == 3
    assert d.snapshot()["metrics"]["lost_sessions"] == 0


def test_a_clean_stop_hands_the_sessions_over_at_once():
    """BackupManager's map breakdown sends MSG_STOP: the others run memberDisappeared now."""
    d = demo(policy="sticky")
    for _ in range(3):
        d.act({"type": "request"})
    model = d.model
    c = model.server("C")
    model.user("u9").affinity = "C"
    requests.start(model, model.user("u9"))
    d.act({"type": "advance", "ns": S})
    assert "u9" in c.sessions
    d.act({"type": "remove_server"})
    assert not c.member
    holders = [s.name for s in model.servers if "u9" in s.sessions]
    assert len(holders) == 1
    assert d.snapshot()["metrics"]["lost_sessions"] == 0


def test_a_joining_member_receives_the_backups_that_were_missing():
    """mapMemberAdded publishes the entries that have no backup; nothing else moves."""
    d = demo(servers=1)
    request(d)
    assert your_session(d) == ("A", None)
    d.act({"type": "add_server"})
    assert your_session(d) == ("A", "B")


def test_the_sessions_lost_count_only_sessions_whose_last_copy_went():
    stateful = Demo(Scenario(1, build_config({"mode": "stateful"})))
    stateful.act({"type": "request"})
    stateful.act({"type": "kill", "server": "A"})
    assert stateful.snapshot()["metrics"]["lost_sessions"] == 1
    replicated = demo()
    request(replicated)
    replicated.act({"type": "kill", "server": "A"})
    assert replicated.snapshot()["metrics"]["lost_sessions"] == 0
