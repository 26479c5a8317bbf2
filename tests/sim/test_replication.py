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


def test_after_a_vanish_the_failed_copy_waits_5_s_for_the_senders_select():
    """ParallelNioSender.sendMessage loops `doLoop(selectTimeout)` while less than the
    Transport `timeout` (3,000 ms) has passed, and `selectTimeout` is a fixed 5,000 ms: a send
    nothing answers fails after 5 s, not 3 s. By then the membership has dropped the member
    (`dropTime` 3 s, then the detector's 1 s check), so TcpFailureDetector finds it already
    gone and checks nothing: the user waits 5 s."""
    d = demo()
    request(d)
    d.act({"type": "kill", "server": "B", "kind": "vanish"})
    trace = request(d)
    assert trace["status"] == 200
    assert 5 * S <= trace["latency_ns"] < 5 * S + 10 * MS
    assert your_session(d) == ("A", "C")


def test_a_member_still_in_the_membership_when_the_send_fails_is_checked_first():
    """The failed send's ChannelException reaches TcpFailureDetector.sendMessage, whose
    memberDisappeared checks the member with a TCP connect (`connectTimeout` 1,000 ms)."""
    d = demo(membership_drop_ms=60_000)
    request(d)
    d.act({"type": "kill", "server": "B", "kind": "vanish"})
    trace = request(d)
    assert 6 * S <= trace["latency_ns"] < 6 * S + 10 * MS
    assert "no answer: member removed" in [hop["note"] for hop in trace["hops"]]
    assert your_session(d) == ("A", "C")


def test_the_replication_and_detector_time_outs_are_configurable():
    """A Transport `timeout` of 7 s takes two 5 s selects; one below 5 s changes nothing."""
    d = demo(replication_timeout_ms=7_000, failure_check_timeout_ms=200, membership_drop_ms=60_000)
    request(d)
    d.act({"type": "kill", "server": "B", "kind": "vanish"})
    assert 10_200 * MS <= request(d)["latency_ns"] < 10_210 * MS
    d = demo(replication_timeout_ms=500, failure_check_timeout_ms=200, membership_drop_ms=60_000)
    request(d)
    d.act({"type": "kill", "server": "B", "kind": "vanish"})
    assert 5_200 * MS <= request(d)["latency_ns"] < 5_210 * MS


def test_a_new_session_is_announced_to_the_members_other_than_its_backup():
    """LazyReplicatedMap.publishEntryInfo: after MSG_BACKUP to the backup, MSG_PROXY to every
    other member, synchronously: one more round trip for a new session, none later, and none
    with two servers (no member but the backup)."""
    d = demo()
    first = request(d)
    proxy = [hop for hop in first["hops"] if "MSG_PROXY" in hop["note"]]
    assert len(proxy) == 1 and proxy[0]["ns"] >= 250_000  # a round trip of 500 us +/- half
    assert proxy[0]["note"] == "tell Server C where the session is (MSG_PROXY)"
    assert not [hop for hop in request(d)["hops"] if "MSG_PROXY" in hop["note"]]
    two = demo(servers=2)
    assert not [hop for hop in request(two)["hops"] if "MSG_PROXY" in hop["note"]]


def test_the_first_new_session_after_a_vanish_pays_for_the_dead_member():
    """A member that vanished is sent MSG_PROXY with the next new session: the send fails after
    the 5 s select, the detector checks and removes the member, and the request answers only
    then. The next new session no longer sends to it."""
    d = demo(membership_drop_ms=60_000)
    d.act({"type": "kill", "server": "C", "kind": "vanish"})
    trace = request(d)  # a new session on A, backup on B, MSG_PROXY to C
    assert your_session(d) == ("A", "B")
    assert trace["status"] == 200
    assert 6 * S <= trace["latency_ns"] < 6 * S + 10 * MS
    notes = [hop["note"] for hop in trace["hops"]]
    assert "no answer: send time-out" in notes
    assert "no answer: member removed" in notes
    assert not d.model.server("C").member
    log = d.snapshot()["log"]
    assert any("MSG_PROXY" in line["text"] and "Server C" in line["text"] for line in log)
    model = d.model
    requests.start(model, model.user("u1"))  # the next new session: B, backup A, no proxy
    d.act({"type": "advance", "ns": 100 * MS})
    assert model.users["u1"].acked == 1


def test_a_new_session_after_a_crash_finds_the_member_refused_at_once():
    d = demo()
    d.act({"type": "kill", "server": "C", "kind": "crash"})
    trace = request(d)
    assert trace["status"] == 200
    assert trace["latency_ns"] < 10 * MS
    assert "refused: member removed" in [hop["note"] for hop in trace["hops"]]
    assert not d.model.server("C").member


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
