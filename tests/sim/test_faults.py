"""Faults: kills, restarts, servers added and removed, each with the requests they touch."""

import base64
import json

from sim.browser.facade import load


def scenario(config: dict, actions: str, seed: int = 1) -> str:
    """Return an encoded scenario of `config` overrides and action tokens."""
    raw = json.dumps(config, separators=(",", ":")).encode()
    return f"v2.{seed}.{base64.urlsafe_b64encode(raw).decode().rstrip('=')}.{actions}"


# Stateful, 1 s of work per request, 10 requests/s: Server A is killed (vanish) at 2 s with
# requests inside, and restarted 1 s later, long before their 30 s server time-out fires.
VANISH_THEN_RESTART = (
    "v2.1.eyJtb2RlIjoic3RhdGVmdWwiLCJzZXJ2ZXJfd29ya191cyI6MTAwMDAwMH0"
    ".t10-a2000000000-kAv-a1000000000-sA-a40000000000"
)
# Replicated, 1 s of work, 5 users at 10 requests/s: the last server is removed at 60 s
# while requests are inside it.
REMOVE_WHILE_BUSY = (
    "v2.1.eyJtb2RlIjoicmVwbGljYXRlZCIsInNlcnZlcl93b3JrX3VzIjoxMDAwMDAwLCJ0cmFmZmljX3VzZXJzIjo1fQ"
    ".t10-a60000000000-x-a2000000000"
)


def failures(demo) -> list[str]:
    return [line["text"] for line in demo.narrator.log.tail() if "Request failed" in line["text"]]


def test_a_request_inside_a_vanished_server_times_out_with_504_even_after_a_restart():
    """HAProxy answers 504 when `timeout server` expires with no response; a restart of the
    process meanwhile does not turn the vanished connection into a reset (502)."""
    demo = load(VANISH_THEN_RESTART)
    lines = failures(demo)
    assert lines, "the kill should catch requests inside Server A"
    assert all("(504)" in line for line in lines), lines


def test_removing_a_busy_server_in_replicated_mode_loses_no_session():
    """A removed server stops taking new requests, lets the ones inside finish, then shuts
    down cleanly: Tomcat's BackupManager hands its sessions over (MSG_STOP)."""
    demo = load(REMOVE_WHILE_BUSY)
    metrics = demo.snapshot()["metrics"]
    assert metrics["lost_items"] == 0
    assert not any("Session lost" in line["text"] for line in demo.narrator.log.tail())


def test_a_request_finishing_on_a_removed_stateful_server_keeps_its_session():
    """Requests already inside a removed server finish against its memory."""
    config = {"mode": "stateful", "server_work_us": 1_000_000, "traffic_users": 5}
    demo = load(scenario(config, "t10-a60000000000-x-a2000000000"))
    texts = [line["text"] for line in demo.narrator.log.tail()]
    removed_at = next(i for i, t in enumerate(texts) if "removed" in t)
    assert not any("Session lost" in t and "Server C" in t for t in texts[removed_at:])
