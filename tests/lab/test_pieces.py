"""The lab's pieces that need no cluster: HAProxy's and Tomcat's configuration and logs, the
figures, the bindings and the report's verdicts (these run everywhere, root or not)."""

import random
import subprocess
from xml.etree import ElementTree

import pytest

from lab.analysis import bindings, check_origin_ns, measure, nearest_rank
from lab.client import Users
from lab.cluster import Clock
from lab.firewall import _restore_line, cgroup_rule_spec
from lab.haproxy import Settings, parse_check_events, parse_log, redispatch_of, render_config
from lab.prerequisites import CATALINA_HOME, MissingPrerequisite, find_program
from lab.report import (
    experiment_name,
    keep_alive_line,
    lost_items_verdict,
    run_section,
    time_verdict,
)
from lab.tomcat import TribesSettings, compile_servlet, parse_cluster_events, render_server_xml
from lab.tomcat import ready as tomcat_ready
from sim.core.config import Config

MS = 1_000_000
S = 1_000_000_000


def _prediction(**figures: object) -> dict:
    """A simulator's prediction for the report's tests: a stateful run's figures, with
    `figures` added or changed."""
    return {
        "lost_items": 2,
        "acknowledged_items": 5,
        "lost_sessions": 1,
        "detection_s": 5.2,
        "after_kill": {"requests": 2, "ok": 2, "failed": 0, "retried": 1},
        "p50_ms": 1.0,
        "p95_ms": 1.2,
        "p99_ms": 1.3,
        **figures,
    }


def test_haproxy_gets_exactly_the_models_defaults() -> None:
    config = Config()
    text = render_config(Settings.from_model(), "stateful", 8000, {"A": 1, "B": 2}, "sock")
    assert f"retries {config.retries}" in text
    assert "option redispatch 1" in text
    assert f"timeout connect {config.connect_timeout_ms}ms" in text
    assert f"timeout server {config.server_timeout_ms}ms" in text
    check = f"check inter {config.health_check_interval_ms}ms rise {config.rise} fall {config.fall}"
    assert f"default-server {check}" in text
    assert "timeout check" not in text  # so `inter` is each check's whole time-out
    assert "cookie SERVERID insert" in text
    assert "server B 127.0.0.1:2 cookie B" in text
    assert "bind 127.0.0.1:8000" in text


def test_stateless_mode_balances_round_robin_without_a_cookie() -> None:
    text = render_config(Settings.from_model(), "stateless", 8000, {"A": 1}, "sock")
    assert "balance roundrobin" in text
    assert "cookie" not in text


@pytest.mark.parametrize(
    ("redispatch", "line"),
    [("every", "option redispatch 1\n"), ("last", "option redispatch -1\n"), ("off", None)],
)
def test_the_model_s_redispatch_is_haproxy_s_option_redispatch(redispatch, line) -> None:
    settings = Settings.from_model(Config(redispatch=redispatch))
    text = render_config(settings, "stateless", 8000, {"A": 1}, "sock")
    if line is None:
        assert "redispatch" not in text
    else:
        assert line in text
    assert redispatch_of(settings.to_dict()["option_redispatch"]) == redispatch


LOG = """\
2026-12-01T05:53:45.620338+00:00 Health check for server carts/A succeeded, reason: Layer4 check passed, check duration: 0ms, status: 3/3 UP.
2026-12-01T05:53:45.634386+00:00 - <NOSRV> 400 0 -1 0 CR--
2026-12-01T05:53:46.100000+00:00 r-u1-1 A 200 0 0 3 ----
2026-12-01T05:53:47.100000+00:00 r-u1-2 C 200 +1 0 5001 ----
2026-12-01T05:53:48.100000+00:00 r-u2-1 <NOSRV> 503 3 -1 3 SC--
[WARNING]  (23330) : Server carts/B is DOWN, reason: Layer4 timeout. 2 active left.
2026-12-01T05:53:50.279525+00:00 Health check for server carts/B failed, reason: Layer4 timeout, check duration: 2001ms, status: 2/3 UP.
2026-12-01T05:53:58.281270+00:00 Server carts/B is DOWN. 2 active and 0 backup servers left.
"""  # noqa: E501


def test_the_log_gives_each_requests_server_and_retries() -> None:
    lines = parse_log(LOG)
    assert set(lines) == {"r-u1-1", "r-u1-2", "r-u2-1"}
    assert (lines["r-u1-2"].server, lines["r-u1-2"].retries) == ("C", 1)
    assert lines["r-u1-2"].redispatched
    assert lines["r-u2-1"].server is None
    assert lines["r-u2-1"].status == 503


def test_the_log_gives_check_events_to_the_microsecond() -> None:
    events = parse_check_events(LOG)
    assert [(e["server"], e["event"]) for e in events] == [
        ("A", "passed"),
        ("B", "failed"),
        ("B", "down"),
    ]  # the [WARNING] copy on stderr has no time and is not counted twice
    assert events[2]["time_ns"] - events[0]["time_ns"] == 12_660_932_000


def _record(user: str, seq: int, sent_s: float, status: int, server: str | None, cart: list):
    return {
        "request_id": f"r-{user}-{seq}",
        "user": user,
        "item": f"{user}-{seq}",
        "sent_ns": round(sent_s * S),
        "received_ns": round(sent_s * S) + 2 * MS,
        "status": status,
        "server": server,
        "cart": cart if status == 200 else None,
        "store_us": 5.0 if status == 200 else None,
        "error": None,
    }


def _run() -> dict:
    """A stateful run: u1 on A, u2 on B (killed at 3 s), u2's request inside B fails."""
    u1 = [
        _record("u1", 1, 1.0, 200, "A", ["u1-1"]),
        _record("u1", 2, 4.0, 200, "A", ["u1-1", "u1-2"]),
    ]
    u2 = [
        _record("u2", 1, 1.5, 200, "B", ["u2-1"]),
        _record("u2", 2, 2.0, 200, "B", ["u2-1", "u2-2"]),
        _record("u2", 3, 2.9995, 0, None, None),
        _record("u2", 4, 4.5, 200, "C", ["u2-4"]),
    ]
    return {
        "plan": {
            "mode": "stateful",
            "kill_kind": "crash",
            "victim": "B",
            "users": 2,
            "kill_after_s": 2.0,
        },
        "settings": Settings.from_model().to_dict(),
        "server_ports": {"A": 1, "B": 2, "C": 3},
        "killed_at_ns": 3 * S,
        "check_events": [
            {"time_ns": 500 * MS, "server": "A", "event": "passed"},
            {"time_ns": 1167 * MS, "server": "B", "event": "passed"},
            {"time_ns": 4167 * MS, "server": "B", "event": "failed"},
            {"time_ns": 6167 * MS, "server": "B", "event": "failed"},
            {"time_ns": 8167 * MS, "server": "B", "event": "failed"},
            {"time_ns": 8167 * MS, "server": "B", "event": "down"},
        ],
        "users": [
            {"name": "u1", "records": u1, "final_cart": ["u1-1", "u1-2"], "final_server": "A"},
            {"name": "u2", "records": u2, "final_cart": ["u2-4"], "final_server": "C"},
        ],
        "balancer_log": {"r-u2-4": {"retries": 1}},
    }


def test_measure_counts_lost_items_as_acknowledged_but_not_read_back() -> None:
    measured = measure(_run())
    assert (measured.requests, measured.ok, measured.failed) == (6, 5, 1)
    assert measured.failed_without_answer == 1
    assert measured.retried == 1
    assert (measured.acknowledged_items, measured.lost_items) == (5, 2)
    assert measured.lost_sessions == 1
    assert measured.detection_s == 5.167
    assert measured.failed_checks_s == [1.167, 3.167, 5.167]
    assert measured.after_kill == {"requests": 2, "ok": 2, "failed": 0, "retried": 1}


def test_bindings_say_who_was_where_when_the_kill_came() -> None:
    bound = bindings(_run())
    assert check_origin_ns(_run()) == 500 * MS
    assert bound["users"] == [
        {"id": "u1", "server": "A", "items": 1},
        {"id": "u2", "server": "B", "items": 2},
    ]
    assert bound["kill"] == {"server": "B", "kind": "crash", "at_ms": 2500.0}
    assert bound["requests_after_kill"] == [
        {"user": "u1", "at_ms": 3500.0},
        {"user": "u2", "at_ms": 4000.0},
    ]
    assert bound["config"]["redispatch"] == "every"


def test_nearest_rank() -> None:
    assert nearest_rank([], 50) is None
    assert nearest_rank([1, 2, 3, 4], 50) == 2
    assert nearest_rank([1, 2, 3, 4], 99) == 4


def test_each_verdict_line_names_its_experiment_and_says_agree_or_disagree() -> None:
    name = experiment_name({"mode": "stateful", "kill_kind": "crash"})
    assert lost_items_verdict(name, 12, 12) == (
        True,
        "stateful crash: lost 12 items, predicted 12: AGREE",
    )
    assert lost_items_verdict(name, 11, 12)[1].endswith(": DISAGREE")
    tomcat = experiment_name({"mode": "replicated", "kill_kind": "vanish"})
    assert time_verdict(tomcat, "cluster detection", 4.0, 4.1) == (
        True,
        "tomcat vanish: cluster detection 4.10 s, predicted 4.00 s: AGREE",
    )
    assert not time_verdict(name, "HAProxy detection", 5.0, 5.6)[0]
    assert not time_verdict(name, "HAProxy detection", None, 5.6)[0]
    assert time_verdict(name, "recovery", None, None) == (
        True,
        "stateful crash: recovery never, predicted never: AGREE",
    )
    predicted = _prediction(lost_sessions=None)
    lines, agree = run_section(_run()["plan"], measure(_run()), predicted)
    assert agree == [True, True]
    verdict_lines = [line for line in lines if "AGREE" in line]
    assert verdict_lines == lines[-2:]
    assert all(line.startswith("stateful crash: ") for line in verdict_lines)


def test_haproxy_accepts_the_configuration_in_both_modes(tmp_path) -> None:
    try:
        program = find_program("haproxy")
    except MissingPrerequisite as error:
        pytest.skip(str(error))
    for mode in ("stateless", "stateful"):
        path = tmp_path / f"{mode}.cfg"
        ports = {"A": 18001, "B": 18002, "C": 18003}
        path.write_text(render_config(Settings.from_model(), mode, 18000, ports, tmp_path / "s"))
        done = subprocess.run([program, "-c", "-f", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "[WARNING]" not in done.stdout + done.stderr


def test_the_keep_alive_run_lets_haproxy_reuse_server_connections() -> None:
    settings = Settings.from_model()
    per_request = render_config(settings, "stateless", 8000, {"A": 1}, "sock")
    reused = render_config(settings, "stateless", 8000, {"A": 1}, "sock", keep_alive=True)
    assert "option http-server-close" in per_request
    assert "http-server-close" not in reused and "http-reuse never" not in reused


def test_the_keep_alive_line_sits_beside_the_runs_with_one_connection_per_request() -> None:
    run = _run()
    line = keep_alive_line(run["plan"], measure(run), [measure(run), measure(run)])
    assert line.startswith("keep-alive: detection ")
    assert " failed requests of " in line and "one connection per request: detection " in line
    assert "in 2 run(s)" in line


def test_a_request_in_flight_at_the_kill_that_haproxy_retried_is_replayed_at_the_kill() -> None:
    run = _run()
    # u1's request sent 1 ms before the kill met the dead server and was retried elsewhere.
    late = _record("u1", 3, 2.999, 200, "C", ["u1-1", "u1-2", "u1-3"])
    late["received_ns"] = 8 * S
    run["users"][0]["records"].insert(1, late)
    run["balancer_log"]["r-u1-3"] = {"retries": 1}
    bound = bindings(run)
    assert {"user": "u1", "at_ms": 2500.0} in bound["requests_after_kill"]
    assert bound["users"][0] == {"id": "u1", "server": "A", "items": 1}
    assert measure(run).after_kill["requests"] == 3


def test_each_tomcat_gets_backup_manager_static_members_and_the_models_time_outs() -> None:
    config = Config()
    members = {"A": 4001, "B": 4002, "C": 4003}
    text = render_server_xml("B", 8002, members, TribesSettings.from_model())
    root = ElementTree.fromstring(text)
    assert root.find(".//Connector").get("port") == "8002"
    assert root.find(".//Engine").get("jvmRoute") == "B"
    cluster = root.find(".//Cluster")
    assert cluster.find("Manager").get("className").endswith(".BackupManager")
    membership = cluster.find(".//Membership")
    assert membership.get("className").endswith(".StaticMembershipService")
    assert membership.get("expirationTime") == str(config.membership_drop_ms)
    static = membership.findall("Member")
    assert sorted(int(m.get("port")) for m in static) == [4001, 4002, 4003]
    assert len({m.get("uniqueId") for m in static}) == 3
    assert cluster.find(".//Receiver").get("port") == "4002"
    assert cluster.find(".//Transport").get("timeout") == str(config.replication_timeout_ms)
    interceptors = [i.get("className").rsplit(".", 1)[1] for i in cluster.iter("Interceptor")]
    assert interceptors == ["TcpFailureDetector", "MessageDispatchInterceptor"]
    detector = next(cluster.iter("Interceptor"))
    assert detector.get("connectTimeout") == str(config.failure_check_timeout_ms)


TOMCAT_LOG = """\
1796647204833 INFO org.apache.catalina.core.StandardEngine Starting Servlet engine: [Apache Tomcat/10.1.60 (Debian)]
1796647208077 INFO org.apache.catalina.ha.tcp.SimpleTcpCluster Replication member added:[org.apache.catalina.tribes.membership.StaticMember[tcp://{127, 0, 0, 1}:4003,{127, 0, 0, 1},4003, alive=997]]
1796647210381 INFO org.apache.catalina.tribes.tipis.AbstractReplicatedMap Map member added:[org.apache.catalina.tribes.membership.StaticMember[tcp://{127, 0, 0, 1}:4003]]
1796647210480 INFO org.apache.catalina.startup.Catalina Server startup in [5661] milliseconds
1796647220001 WARNING org.apache.catalina.tribes.transport.nio.ParallelNioSender Member send is failing for:[tcp://{127, 0, 0, 1}:4002] ; Setting to suspect and retrying.
1796647220004 INFO org.apache.catalina.tribes.group.interceptors.TcpFailureDetector Received memberDisappeared[org.apache.catalina.tribes.membership.StaticMember[tcp://{127, 0, 0, 1}:4002]] message. Will verify.
	at org.apache.catalina.tribes.transport.nio.ParallelNioSender.sendMessage(ParallelNioSender.java:123)
1796647221004 SEVERE org.apache.catalina.tribes.tipis.AbstractReplicatedMap Unable to replicate out data for an AbstractReplicatedMap.get operation
1796647221005 INFO org.apache.catalina.tribes.group.interceptors.TcpFailureDetector Verification complete. Member disappeared[org.apache.catalina.tribes.membership.StaticMember[tcp://{127, 0, 0, 1}:4002]]
1796647221007 INFO org.apache.catalina.ha.tcp.SimpleTcpCluster Received member disappeared:[org.apache.catalina.tribes.membership.StaticMember[tcp://{127, 0, 0, 1}:4002]]
"""  # noqa: E501


def test_tomcats_log_gives_the_clusters_membership_events_to_the_millisecond() -> None:
    events = parse_cluster_events("A", TOMCAT_LOG, {"A": 4001, "B": 4002, "C": 4003})
    assert [(e["event"], e["member"]) for e in events] == [
        ("added", "C"),
        ("send_failing", "B"),
        ("verify", "B"),
        ("get_failed", ""),
        ("confirmed", "B"),
        ("removed", "B"),
    ]
    assert {e["server"] for e in events} == {"A"}
    assert events[-1]["time_ns"] - events[1]["time_ns"] == 1_006_000_000
    assert not tomcat_ready(TOMCAT_LOG)  # it has met one other member only
    second = "1796647210400 INFO x Map member added:[tcp://{127, 0, 0, 1}:4002]\n"
    assert tomcat_ready(TOMCAT_LOG + second)


def test_a_vanish_is_one_iptables_restore_batch_that_keeps_the_comment_whole() -> None:
    rule = cgroup_rule_spec("stateless-guide-lab-7-B", 7)
    assert rule[:5] == ["OUTPUT", "-m", "cgroup", "--path", "stateless-guide-lab-7-B"]
    line = _restore_line(rule)
    assert line.startswith("-I OUTPUT ")
    assert '--comment "stateless-guide-lab 7" -j DROP' in line


def _replicated_run(kind: str) -> dict:
    """u1 on A with its backup on B, u2 on B (backup on C); B dies at 3 s.

    u1's next request waits 5 s for its copy to B; u2's is retried on C and answered at 8 s;
    the cluster removes B at 6.9 s (A's log) and 7 s (C's).
    """
    run = _run()
    run["plan"] |= {"mode": "replicated", "kill_kind": kind}
    u1, u2 = run["users"][0]["records"], run["users"][1]["records"]
    u1[0]["backup"] = "B"
    u1[1] |= {"received_ns": 9 * S, "backup": "C"}
    u2[0]["backup"] = u2[1]["backup"] = "C"
    u2[3] |= {"sent_ns": 3500 * MS, "received_ns": 8 * S, "backup": "A"}
    run["tomcat_settings"] = TribesSettings.from_model().to_dict()
    run["cluster_events"] = [
        {"time_ns": 6900 * MS, "server": "A", "event": "removed", "member": "B"},
        {"time_ns": 7000 * MS, "server": "C", "event": "removed", "member": "B"},
        {"time_ns": 3100 * MS, "server": "B", "event": "removed", "member": "A"},
    ]
    return run


def test_replicated_runs_measure_the_clusters_detection_copy_stall_and_recovery() -> None:
    measured = measure(_replicated_run("vanish"))
    assert measured.member_removed_s == 3.9
    assert measured.copy_stall_s == 5.0
    assert measured.recovery_s == 5.0
    bound = bindings(_replicated_run("vanish"))
    assert bound["mode"] == "replicated"
    assert bound["users"][0] == {"id": "u1", "server": "A", "items": 1, "backup": "B"}
    config = Config()
    assert bound["config"]["replication_timeout_ms"] == config.replication_timeout_ms
    assert bound["config"]["membership_drop_ms"] == config.membership_drop_ms


def test_a_tomcat_run_has_five_verdicts_and_says_what_the_model_assumes_of_a_copy_stall() -> None:
    run = _replicated_run("vanish")
    predicted = _prediction(member_removed_s=4.0, copy_stall_s=4.0, recovery_s=5.0)
    lines, agree = run_section(run["plan"], measure(run), predicted)
    verdicts = [line for line in lines if line.endswith(("AGREE", "DISAGREE"))]
    assert [line.split(":")[0] for line in verdicts] == ["tomcat vanish"] * 5
    assert agree == [True, True, True, False, True]
    assert "tomcat vanish: copy stall 5.00 s, predicted 4.00 s: DISAGREE" in verdicts
    assert "selectTimeout" in lines[lines.index(verdicts[3]) + 1]


def test_the_cart_servlet_compiles_against_tomcats_servlet_api(tmp_path) -> None:
    try:
        find_program("javac")
    except MissingPrerequisite as error:
        pytest.skip(str(error))
    if not (CATALINA_HOME / "lib" / "servlet-api.jar").is_file():
        pytest.skip("Tomcat 10.1 is not installed (tomcat10-common)")
    classes = compile_servlet(tmp_path)
    assert (classes / "CartServlet.class").is_file()


def test_a_failed_sends_check_that_found_the_member_gone_is_parsed_with_its_wait() -> None:
    port = "tcp://{127, 0, 0, 1}:4002]"
    log = "\n".join(
        [
            f"4000 INFO x Received memberDisappeared[{port}] message. Will verify.",
            f"5002 INFO x Verification complete. Member disappeared[{port}]",
            f"5500 INFO x Received memberDisappeared[{port}] message. Will verify.",
            f"5800 INFO x Received memberDisappeared[{port}] message. Will verify.",
            f"6114 INFO x Verification complete. Member already disappeared[{port}]",
            f"6115 INFO x Verification complete. Member already disappeared[{port}]",
        ]
    )
    events = parse_cluster_events("C", log, {"A": 4001, "B": 4002, "C": 4003})
    assert [e["event"] for e in events][-2:] == ["already_gone", "already_gone"]
    run = _replicated_run("vanish")
    run["cluster_events"] += events
    # the membership's own check (1.002 s) ends "disappeared"; the two failed sends' checks
    # waited 0.614 s and 0.315 s for the lock
    assert measure(run).detector_wait_s == 0.614


def test_a_copy_stall_that_disagrees_shows_the_measured_wait_for_the_detectors_lock() -> None:
    run = _replicated_run("vanish")
    run["cluster_events"] += [
        {"time_ns": 8000 * MS, "server": "A", "event": "verify", "member": "B"},
        {"time_ns": 8600 * MS, "server": "A", "event": "already_gone", "member": "B"},
    ]
    predicted = _prediction(member_removed_s=3.9, copy_stall_s=4.0, recovery_s=5.0)
    lines, _ = run_section(run["plan"], measure(run), predicted)
    found = [line for line in lines if line.startswith("  found:")]
    assert len(found) == 1 and "waited 0.60 s" in found[0]
    predicted["copy_stall_s"] = 5.0
    lines, _ = run_section(run["plan"], measure(run), predicted)
    assert not [line for line in lines if line.startswith("  found:")]  # agrees: nothing to say


def test_a_request_the_victim_answered_just_after_the_noted_kill_came_before_it() -> None:
    # The lab notes the kill when it sends SIGKILL; a loaded machine let the victim answer a
    # request sent 2 ms later (seen: stateful crash, lost 101, predicted 99). The victim was
    # alive to answer it, so its item was on the victim and it is no request after the kill.
    run = _run()
    u2 = run["users"][1]
    u2["records"][2] = _record("u2", 3, 3.002, 200, "B", ["u2-1", "u2-2", "u2-3"])
    u2["records"][2]["received_ns"] = 3006 * MS
    u2["final_cart"] = ["u2-4"]
    bound = bindings(run)
    assert bound["users"][1] == {"id": "u2", "server": "B", "items": 3}
    assert {"user": "u2", "at_ms": 2502.0} not in bound["requests_after_kill"]
    assert measure(run).after_kill["requests"] == 2


def test_a_crash_says_how_long_the_killed_process_took_to_be_gone() -> None:
    run = _replicated_run("crash")
    predicted = _prediction()
    lines, _ = run_section(run["plan"], measure(run), predicted, exit_ns=253_000_000)
    assert "  server B's process was gone 0.253 s after SIGKILL" in "\n".join(lines)


def test_a_user_stops_quietly_once_its_client_is_closed() -> None:
    # When the lab is interrupted it closes the clients while users may still be sending.
    users = Users("http://127.0.0.1:9", 1, 0.0, 1, Clock())
    users.users[0].client.close()
    users._run(users.users[0], random.Random(1))  # returns instead of raising
    assert users.users[0].records == []
