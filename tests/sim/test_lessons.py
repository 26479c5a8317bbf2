"""The three lessons of issue 10 (two tabs, a rolling deploy, a store failover), per mode: the
outcomes come from the mechanisms, each test naming the source it follows."""

import pytest

from sim.browser.facade import Demo, load
from sim.browser.scenario import parse
from sim.core.errors import ScenarioError


def demo(mode: str, **config) -> Demo:
    """A fresh demo in `mode` with config overrides."""
    d = Demo()
    d.apply({"type": "reset", "config": {"mode": mode, **config}})
    return d


# -- two tabs -------------------------------------------------------------------------------


def two_tabs(mode: str, **config) -> dict:
    """One ordinary request (the user gets its session), then two tabs at once."""
    d = demo(mode, **config)
    d.apply({"type": "request"})
    return d.apply({"type": "request", "tabs": 2})


def test_stateless_read_modify_write_loses_one_of_two_tabs_items():
    """Session code that saves the whole cart attribute (Spring Session writes the attribute
    back with HSET): both tabs read one item, both write two; the last write wins."""
    snap = two_tabs("stateless")
    assert snap["user"]["acknowledged_items"] == 3
    assert snap["store"]["cart_items"] == 2
    assert snap["metrics"]["lost_items"] == 1
    assert snap["metrics"]["lost_sessions"] == 0
    assert any("Lost update" in line["text"] for line in snap["log"])


def test_stateless_atomic_update_keeps_both_tabs_items():
    """Redis HINCRBY (or WATCH/MULTI/EXEC) adds in the store: nothing is lost."""
    snap = two_tabs("stateless", store_update="atomic")
    assert snap["store"]["cart_items"] == 3
    assert snap["metrics"]["lost_items"] == 0
    assert not any("Lost update" in line["text"] for line in snap["log"])


@pytest.mark.parametrize("mode", ["stateful", "replicated"])
def test_in_memory_cart_guarded_by_the_application_keeps_both_tabs_items(mode):
    """Both requests follow the sticky cookie (HAProxy `cookie SERVERID insert`) to the one
    session, which the application updates under `synchronized (session)` (Spring's
    synchronizeOnSession): three items, nothing lost."""
    snap = two_tabs(mode)
    server = next(s for s in snap["servers"] if s["session_items"] is not None)
    assert server["session_items"] == 3
    assert server["requests"] == 3
    assert snap["metrics"]["lost_items"] == 0
    assert snap["user"]["cart_items"] in (2, 3)  # the answer that arrived last


def test_the_cart_shown_is_the_one_in_the_answer_that_arrived_last():
    """Issue 10: cart_items is the cart in the answer that arrived last."""
    d = demo("stateful")
    d.apply({"type": "request"})
    snap = d.apply({"type": "request", "tabs": 2})
    last = max(snap["traces"][-2:], key=lambda t: t["start_ns"] + t["latency_ns"])
    assert snap["user"]["cart_items"] == last["cart_items"]


@pytest.mark.parametrize("mode", ["stateful", "replicated"])
def test_two_tabs_without_a_session_make_two_sessions_and_the_last_cookie_wins(mode):
    """A browser with no session cookie sends none from either tab: each server creates a
    session (round robin places them apart) and the last Set-Cookie wins."""
    d = demo(mode)
    snap = d.apply({"type": "request", "tabs": 2})
    assert snap["user"]["acknowledged_items"] == 2
    assert snap["metrics"]["lost_items"] == 1
    assert snap["metrics"]["lost_sessions"] == 0
    assert [t["outcome"] for t in snap["traces"]] == ["ok", "ok"]


def test_two_tabs_have_a_token_and_one_tab_is_a_plain_request():
    d = demo("stateless")
    d.apply({"type": "request", "tabs": 1})
    d.apply({"type": "request", "tabs": 2})
    d.apply({"type": "request"})
    snap = d.snapshot()
    assert snap["scenario"].endswith(".r-rr-r")
    assert parse(snap["scenario"]).actions == (
        {"type": "request"},
        {"type": "request", "tabs": 2},
        {"type": "request"},
    )
    assert load(snap["scenario"]).snapshot() == snap


@pytest.mark.parametrize("tabs", [0, 3, "2", 1.5, None])
def test_a_bad_number_of_tabs_is_refused_saying_so(tabs):
    with pytest.raises(ScenarioError, match="request tabs"):
        Demo().apply({"type": "request", "tabs": tabs})


def test_a_bad_store_update_is_refused_naming_the_choices():
    with pytest.raises(ScenarioError, match=r"store_update.*read_modify_write, atomic"):
        Demo().apply({"type": "reset", "config": {"store_update": "merge"}})


# -- a rolling deploy -----------------------------------------------------------------------

S = 10**9


def deployed(mode: str, traffic: float = 20, **config) -> tuple[Demo, dict]:
    """Three requests, background traffic, a rolling deploy, 120 s, one more request."""
    d = demo(mode, **config)
    for _ in range(3):
        d.apply({"type": "request"})
    d.apply({"type": "traffic", "rate_per_s": traffic})
    d.apply({"type": "deploy"})
    d.apply({"type": "advance", "ns": 120 * S})
    return d, d.apply({"type": "request"})


def test_a_deploy_drains_waits_prestop_and_restarts_each_server_in_name_order_within_75_s():
    """Per server: HAProxy drain, a preStop wait of `drain_ms` (20 s), SIGTERM (the requests
    inside finish, the process exits), then `rise` 2 checks at `inter` 2 s: three servers in
    at most 3 x 24 s. terminationGracePeriodSeconds (30 s) only bounds the time to SIGKILL."""
    d = demo("stateless")
    snap = d.apply({"type": "deploy"})
    assert snap["deploy"] == {"server": "A", "phase": "draining"}
    assert [s["lb_status"] for s in snap["servers"]] == ["drain", "up", "up"]
    assert "preStop" in snap["log"][-1]["text"]
    seen = []
    for _ in range(75):
        snap = d.apply({"type": "advance", "ns": S})
        if snap["deploy"] is not None and snap["deploy"] not in seen:
            seen.append(snap["deploy"])
        if snap["time_ns"] == 20 * S:
            assert snap["deploy"] == {"server": "A", "phase": "starting"}
            assert any("SIGTERM" in line["text"] for line in snap["log"])
    assert snap["deploy"] is None
    assert [(p["server"], p["phase"]) for p in seen] == [
        ("A", "draining"),
        ("A", "starting"),
        ("B", "draining"),
        ("B", "starting"),
        ("C", "draining"),
        ("C", "starting"),
    ]
    assert any("Rolling deploy finished" in line["text"] for line in snap["log"])


def test_a_request_still_inside_when_the_grace_period_ends_dies_with_the_sigkill():
    """SIGTERM comes after the preStop wait; whatever is still running at
    terminationGracePeriodSeconds is killed. Here a copy to a vanished backup (5 s) outlives
    a 1 s preStop and a 3 s grace period: the request dies with the server (502), whose
    new version then starts."""
    d = demo("replicated", drain_ms=1_000, termination_grace_ms=3_000, membership_drop_ms=60_000)
    d.apply({"type": "request"})  # a session on A, backup on B
    d.apply({"type": "kill", "server": "B", "kind": "vanish"})
    d.apply({"type": "deploy"})
    snap = d.apply({"type": "request"})  # its cookie still reaches A while it drains
    trace = snap["traces"][-1]
    assert trace["status"] == 502
    assert 3 * S <= trace["latency_ns"] < 3 * S + 10**7
    assert any("SIGKILL" in line["text"] for line in d.narrator.log.tail())
    assert snap["deploy"] == {"server": "A", "phase": "starting"}


def test_a_prestop_wait_longer_than_the_grace_period_ends_in_sigkill_two_seconds_later():
    """Kubernetes gives a preStop hook still running at the end of the grace period a
    one-off 2 s extension, then kills the container: no clean stop, no MSG_STOP."""
    d = demo("replicated", drain_ms=40_000)
    d.apply({"type": "request"})
    d.apply({"type": "deploy"})
    snap = d.apply({"type": "advance", "ns": 32 * S - 1})
    assert snap["deploy"] == {"server": "A", "phase": "draining"}
    snap = d.apply({"type": "advance", "ns": 1})
    assert snap["deploy"] == {"server": "A", "phase": "starting"}
    assert any("SIGKILL" in line["text"] for line in snap["log"])
    assert not any("left the cluster as it stopped" in line["text"] for line in snap["log"])


def test_stateless_deploy_loses_nothing_and_fails_nothing():
    """Carts live in the store; drain sends no new request to the server being replaced,
    and the requests inside finish before it stops."""
    _, snap = deployed("stateless")
    metrics = snap["metrics"]
    assert metrics["requests"] > 2000
    assert metrics["failed"] == 0
    assert metrics["lost_items"] == 0 and metrics["lost_sessions"] == 0
    assert snap["user"]["cart_items"] == 4


def test_stateful_deploy_loses_every_session_on_each_restarted_server():
    """Tomcat 10.1's StandardManager no longer persists sessions across a restart: each clean
    stop loses the server's sessions, including the cookie-persistent ones drain kept."""
    d, snap = deployed("stateful")
    metrics = snap["metrics"]
    assert metrics["failed"] == 0
    assert metrics["lost_sessions"] > 100
    assert snap["user"]["cart_items"] == 1
    assert snap["traces"][-1]["outcome"] == "session_lost"
    took = [line["text"] for line in d.narrator.log.tail() if " took " in line["text"]]
    assert [text.split()[1] for text in took] == ["A", "B", "C"]


def test_replicated_deploy_keeps_every_session():
    """Tomcat 10.1 BackupManager: a clean stop sends MSG_STOP, and each backup holder
    promotes its copies at once and publishes new backups
    (AbstractReplicatedMap.memberDisappeared)."""
    d, snap = deployed("replicated")
    metrics = snap["metrics"]
    assert metrics["failed"] == 0
    assert metrics["lost_items"] == 0 and metrics["lost_sessions"] == 0
    assert snap["user"]["cart_items"] == 4
    left = [
        line["text"]
        for line in d.narrator.log.tail()
        if "left the cluster as it stopped" in line["text"]
    ]
    assert len(left) == 3


def test_drain_keeps_cookie_persistent_clients_and_sends_new_ones_elsewhere():
    """HAProxy drain: weight 0 for new traffic; a client whose cookie names the server
    still reaches it."""
    d = demo("stateful")
    d.apply({"type": "request"})  # round robin: Server A, cookie A
    d.apply({"type": "deploy"})
    snap = d.apply({"type": "request"})
    assert snap["traces"][-1]["server"] == "A"
    d.apply({"type": "reset", "config": {"mode": "stateful"}})
    d.apply({"type": "deploy"})
    snap = d.apply({"type": "request"})  # no cookie: not to the draining server
    assert snap["traces"][-1]["server"] == "B"


def test_a_second_deploy_while_one_runs_is_logged_and_ignored():
    d = demo("stateless")
    d.apply({"type": "deploy"})
    d.apply({"type": "advance", "ns": 10 * S})
    snap = d.apply({"type": "deploy"})
    assert snap["deploy"] == {"server": "A", "phase": "draining"}
    assert "already running" in snap["log"][-1]["text"]
    assert snap["scenario"].endswith(".p-a10000000000-p")


def test_a_deploy_skips_a_killed_server_and_a_removed_one():
    d = demo("stateless")
    d.apply({"type": "deploy"})
    snap = d.apply({"type": "kill", "server": "A"})  # killed while draining
    assert snap["deploy"] == {"server": "B", "phase": "draining"}
    assert any("skips Server A: it is down" in line["text"] for line in snap["log"])
    snap = d.apply({"type": "remove_server"})  # C, still to do
    d.apply({"type": "advance", "ns": 60 * S})
    snap = d.snapshot()
    assert snap["deploy"] is None
    assert any("skips Server C: it is removed" in line["text"] for line in snap["log"])
    assert [s["alive"] for s in snap["servers"]] == [False, True]


def test_a_server_killed_while_starting_is_skipped_and_a_restart_brings_it_back():
    d = demo("stateless")
    d.apply({"type": "deploy"})
    d.apply({"type": "advance", "ns": 21 * S})  # the 20 s preStop wait is over
    assert d.snapshot()["deploy"] == {"server": "A", "phase": "starting"}
    snap = d.apply({"type": "kill", "server": "A"})
    assert snap["deploy"] == {"server": "B", "phase": "draining"}
    d.apply({"type": "restart", "server": "A"})
    d.apply({"type": "advance", "ns": 120 * S})
    snap = d.snapshot()
    assert snap["deploy"] is None
    assert [s["lb_status"] for s in snap["servers"]] == ["up", "up", "up"]


def test_the_deploy_token_replays_the_same_run():
    _, snap = deployed("replicated")
    assert "-p-" in snap["scenario"]
    assert load(snap["scenario"]).snapshot() == snap


# -- a store failover -----------------------------------------------------------------------


def failed_over(mode: str, traffic: float = 50, **config) -> tuple[Demo, dict, dict]:
    """Three requests, traffic, 5 s, one request, the primary dies; return the snapshot at the
    failure and 60 s later."""
    d = demo(mode, **config)
    for _ in range(3):
        d.apply({"type": "request"})
    d.apply({"type": "traffic", "rate_per_s": traffic})
    d.apply({"type": "advance", "ns": 5 * S})
    d.apply({"type": "request"})
    at_failure = d.apply({"type": "failover_store"})
    return d, at_failure, d.apply({"type": "advance", "ns": 60 * S})


def test_stateless_failover_is_an_outage_of_down_after_plus_failover_and_loses_the_lag():
    """Redis Sentinel: down-after-milliseconds 30 s (sentinel.conf), then our 5 s for quorum,
    election and REPLICAOF NO ONE; replication is asynchronous (Redis replication docs), so
    writes acknowledged within the lag (100 ms, our choice) are lost with the primary."""
    d, at_failure, snap = failed_over("stateless")
    assert at_failure["store"]["up"] is False
    assert at_failure["store"]["failover"]["phase"] == "detecting"
    assert at_failure["store"]["nodes"][0] == {"name": "R1", "role": "primary", "up": False}
    assert at_failure["user"]["lost_items"] == 1  # the request just before the failure
    assert at_failure["metrics"]["lost_items"] >= 2  # and background writes within 100 ms
    assert snap["store"]["failover"] is None
    assert snap["store"]["nodes"] == [
        {"name": "R1", "role": "down", "up": False},
        {"name": "R2", "role": "primary", "up": True},
    ]
    failed = snap["metrics"]["failed"]
    assert 35 * 50 * 0.9 < failed < 35 * 50 * 1.1  # 35 s of traffic at 50/s
    assert snap["metrics"]["lost_sessions"] == 0
    snap = d.apply({"type": "request"})
    assert snap["traces"][-1]["status"] == 200


def test_the_phases_follow_down_after_then_the_failover_time():
    d = demo("stateless")
    d.apply({"type": "failover_store"})
    snap = d.apply({"type": "advance", "ns": 30 * S})
    assert snap["store"]["failover"] == {"phase": "promoting", "until_ns": 35 * S}
    assert d.apply({"type": "request"})["traces"][-1]["status"] == 503
    snap = d.apply({"type": "advance", "ns": 5 * S})
    assert snap["store"]["failover"] is None
    assert d.apply({"type": "request"})["traces"][-1]["status"] == 200


def test_wait_for_the_replica_loses_nothing_and_costs_a_round_trip():
    """Redis WAIT 1 0: the write is acknowledged once the replica has it, one more round
    trip; nothing acknowledged is lost when the primary alone fails."""
    _, at_failure, snap = failed_over("stateless", store_wait=True)
    assert at_failure["metrics"]["lost_items"] == 0
    assert snap["metrics"]["lost_items"] == 0
    plain = demo("stateless").apply({"type": "request"})["traces"][-1]
    waited = demo("stateless", store_wait=True).apply({"type": "request"})["traces"][-1]
    assert waited["latency_ns"] - plain["latency_ns"] > 150_000  # a store round trip, 0.2 ms+
    hops = [h["ns"] for h in waited["hops"]]
    assert hops and waited["latency_ns"] == sum(hops)


def test_after_a_failover_wait_blocks_until_the_server_timeout_as_there_is_no_replica():
    """WAIT 1 0 blocks until one replica acknowledges, and after the failover there is none:
    HAProxy's `timeout server` answers 504; the write happened, unacknowledged."""
    d = demo("stateless", store_wait=True, store_wait_timeout_ms=0)
    d.apply({"type": "failover_store"})
    d.apply({"type": "advance", "ns": 40 * S})
    snap = d.apply({"type": "request"})
    trace = snap["traces"][-1]
    assert trace["status"] == 504
    assert trace["latency_ns"] >= 30 * S
    assert snap["store"]["cart_items"] == 1 and snap["user"]["acknowledged_items"] == 0
    snap = d.apply({"type": "restore_store"})  # the old primary returns as a replica
    assert snap["store"]["nodes"][0] == {"name": "R1", "role": "replica", "up": True}
    snap = d.apply({"type": "request"})
    assert snap["traces"][-1]["status"] == 200


def test_after_a_failover_wait_returns_at_its_time_out_and_the_app_answers_503():
    """WAIT 1 1000 returns 0 after a second with no replica (Redis WAIT: it returns the count
    reached at the time-out); the application treats fewer than 1 as a failed save and
    answers 503. WAIT rolls nothing back: the item is on the primary, unconfirmed."""
    d = demo("stateless", store_wait=True)  # the default time-out, 1 s
    d.apply({"type": "request"})
    d.apply({"type": "failover_store"})
    d.apply({"type": "advance", "ns": 40 * S})
    for _ in range(3):
        snap = d.apply({"type": "request"})
        trace = snap["traces"][-1]
        assert trace["status"] == 503
        assert S < trace["latency_ns"] < S + 5_000_000
        assert trace["latency_ns"] == sum(h["ns"] for h in trace["hops"])
        assert any("WAIT returned 0" in h["note"] for h in trace["hops"])
    assert "within WAIT's 1 s time-out" in snap["log"][-1]["text"]
    # One acknowledged item, three more written on the primary but never confirmed.
    assert snap["store"]["cart_items"] == 4 and snap["user"]["acknowledged_items"] == 1
    assert snap["user"]["lost_items"] == 0
    d.apply({"type": "restore_store"})
    assert d.apply({"type": "request"})["traces"][-1]["status"] == 200


def test_a_link_made_before_the_wait_time_out_still_waits_for_ever():
    """A v2 link's store_wait meant WAIT 1 0: it still waits for ever (v2 links carry the
    notice of a model changed since, sim/browser/versions.py, which this run does not touch)."""
    snap = load("v2.1.eyJzdG9yZV93YWl0Ijp0cnVlfQ.f-a40000000000-r").snapshot()
    assert snap["config"]["store_wait_timeout_ms"] == 0
    assert snap["traces"][-1]["status"] == 504
    again = load(snap["scenario"]).snapshot()  # re-encoded as v4, with the time-out written
    assert again["scenario"].startswith("v4.") and again["traces"] == snap["traces"]
    assert again["scenario_notice"] is None


@pytest.mark.parametrize("mode", ["stateful", "replicated"])
def test_in_memory_modes_do_not_notice_a_store_failover(mode):
    """Sessions live in the servers' memory (Tomcat's StandardManager, BackupManager): the
    store is not on a request's path."""
    _, _, snap = failed_over(mode)
    assert snap["metrics"]["failed"] == 0
    assert snap["metrics"]["lost_items"] == 0


def test_a_failover_without_a_replica_or_during_one_is_logged_and_ignored():
    d = demo("stateless")
    d.apply({"type": "failover_store"})
    snap = d.apply({"type": "failover_store"})
    assert "already under way" in snap["log"][-1]["text"]
    d.apply({"type": "advance", "ns": 40 * S})
    snap = d.apply({"type": "failover_store"})
    assert "no replica to promote (R1 is still down)" in snap["log"][-1]["text"]
    assert snap["store"]["up"] is True
    assert snap["scenario"].endswith(".f-f-a40000000000-f")


def test_kill_store_still_means_no_store_at_all():
    d = demo("stateless")
    snap = d.apply({"type": "kill_store"})
    assert [n["up"] for n in snap["store"]["nodes"]] == [False, False]
    assert d.apply({"type": "request"})["traces"][-1]["status"] == 503
    snap = d.apply({"type": "restore_store"})
    assert [n["up"] for n in snap["store"]["nodes"]] == [True, True]


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("store_wait", "yes", "store_wait: 'yes' is not true or false"),
        ("store_replication_lag_ms", -1, "store_replication_lag_ms: -1 is outside"),
        ("store_down_after_ms", 0, "store_down_after_ms: 0 is outside"),
        ("drain_ms", 1.5, "drain_ms: 1.5 is not an integer"),
    ],
)
def test_bad_lesson_settings_are_refused_naming_the_field(field, value, words):
    with pytest.raises(ScenarioError, match=words):
        Demo().apply({"type": "reset", "config": {field: value}})


def current_sessions(d: Demo) -> int:
    """Users whose current session some server holds."""
    model = d.model
    return len([u for u in model.users.values() if model.current_cart(u) is not None])


@pytest.mark.parametrize("mode", ["stateful", "replicated"])
def test_a_quiet_deploy_loses_exactly_the_sessions_held_or_none(mode):
    """Without traffic during the deploy: StandardManager (stateful) loses every current
    session, each on the server that held it; BackupManager (replicated) hands every one
    over (MSG_STOP, memberDisappeared), items and all."""
    d = demo(mode)
    d.apply({"type": "traffic", "rate_per_s": 20})
    d.apply({"type": "advance", "ns": 10 * S})
    d.apply({"type": "traffic", "rate_per_s": 0})
    d.apply({"type": "advance", "ns": S})
    held = current_sessions(d)
    assert held > 50
    d.apply({"type": "deploy"})
    snap = d.apply({"type": "advance", "ns": 110 * S})
    assert snap["deploy"] is None
    if mode == "stateful":
        assert snap["metrics"]["lost_sessions"] == held
        assert current_sessions(d) == 0
    else:
        assert snap["metrics"]["lost_sessions"] == 0
        assert current_sessions(d) == held
        assert snap["metrics"]["lost_items"] == 0
