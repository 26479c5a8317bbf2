"""Runs that once went wrong (issue 19), replayed through the facade as the page would."""

import pytest

from sim.browser.facade import Demo, load
from sim.core.errors import ModelError, ScenarioError

REPLICATED = "eyJtb2RlIjoicmVwbGljYXRlZCJ9"  # {"mode": "replicated"}


def test_two_tabs_after_a_kill_in_replicated_mode_answer_from_their_own_session() -> None:
    # The tabs land on different servers; the second fetches the session from the first
    # while the first is still copying it. Each answer is the request's own session.
    demo = load(f"v2.1.{REPLICATED}.r-kA-rr")
    metrics = demo.snapshot()["metrics"]
    assert metrics["ok"] == 3
    assert metrics["acknowledged_items"] == 3
    assert metrics["present_items"] == 3  # the second tab's copy holds the first's item
    assert metrics["lost_items"] == 0


def test_two_tabs_without_a_session_create_two_and_the_last_cookie_wins() -> None:
    # Both tabs reach Server C with no session cookie: each gets a new session, the browser
    # keeps the last Set-Cookie, so the other tab's item is acknowledged and lost.
    snap = load(f"v2.1.{REPLICATED}.kA-kB-rr").snapshot()
    metrics = snap["metrics"]
    assert metrics["acknowledged_items"] == 2
    assert metrics["present_items"] == 1
    assert metrics["lost_items"] == 1
    assert snap["user"]["acknowledged_items"] == 2
    assert snap["user"]["lost_items"] == 1


def failing_once(calls: int, real):
    """`real`, failing with a KeyError at its call number `calls` + 1 only."""
    count = [0]

    def step(*args, **kwargs):
        count[0] += 1
        if count[0] == calls + 1:
            raise KeyError("injected")
        return real(*args, **kwargs)

    return step


def test_a_model_step_that_fails_leaves_the_demo_as_it_was_and_says_so(monkeypatch) -> None:
    from sim.core import sessions

    demo = Demo()
    demo.act({"type": "reset", "config": {"mode": "stateful"}})
    demo.act({"type": "request"})
    demo.act({"type": "kill", "server": "B"})
    before = demo.snapshot_json()
    monkeypatch.setattr(sessions, "acknowledge", failing_once(0, sessions.acknowledge))
    with pytest.raises(ModelError, match=r"failed on this request \(KeyError: 'injected'\)"):
        demo.act({"type": "request"})  # fails in the answer, after the item was added
    assert demo.snapshot_json() == before
    # It goes on as if the failed action had never been asked for.
    after = demo.apply({"type": "request"})
    same = Demo(demo.scenario()).snapshot()
    assert after["metrics"] == same["metrics"]
    assert after["user"]["cart_items"] == 2


def test_a_model_step_that_fails_in_another_mode_stops_only_its_comparison(monkeypatch) -> None:
    from sim.core import sessions

    demo = Demo()  # stateless: only the other modes acknowledge in a session
    monkeypatch.setattr(sessions, "acknowledge", failing_once(0, sessions.acknowledge))
    demo.act({"type": "request"})
    while demo.compare_step():
        pass
    with pytest.raises(ScenarioError, match="cannot be replayed in mode stateful"):
        demo.comparison()
    assert demo.apply({"type": "request"})["metrics"]["ok"] == 2


def test_a_primary_that_answers_before_sentinel_calls_it_down_is_simply_up_again() -> None:
    # Sentinel marks a primary down only after down-after-milliseconds without a valid reply;
    # one that answers before that was never down: no failover follows.
    demo = load("v2.1..r2-f-a1000000000-u")
    snap = demo.snapshot()
    assert snap["store"]["up"] is True
    assert snap["store"]["failover"] is None
    assert [n["role"] for n in snap["store"]["nodes"]] == ["primary", "replica"]
    assert "already up" not in snap["log"][-1]["text"]
    assert "answers again" in snap["log"][-1]["text"]
    assert snap["metrics"]["lost_items"] == 0  # it kept the writes the replica lacked
    after = demo.apply({"type": "advance", "ns": 60_000_000_000})
    assert after["store"]["failover"] is None
    assert [n["role"] for n in after["store"]["nodes"]] == ["primary", "replica"]
    assert demo.apply({"type": "request"})["metrics"]["ok"] == 3


def test_a_session_is_lost_once_when_its_users_next_request_cannot_reach_it() -> None:
    # Round robin strands the first two sessions (the user's next request lands elsewhere
    # and starts a new one); the kills then destroy sessions that were already lost.
    snap = load("v2.1.eyJtb2RlIjoic3RhdGVmdWwiLCJwb2xpY3kiOiJyb3VuZF9yb2JpbiJ9.r3-kA-kB").snapshot()
    assert snap["metrics"]["lost_sessions"] == 2
    kills = [line["text"] for line in snap["log"] if "with it" in line["text"]]
    assert len(kills) == 2
    for text in kills:
        assert "already lost" in text


def test_a_kill_that_destroys_sessions_in_use_counts_each_once() -> None:
    # Sticky stateful: the session dies with its server (counted then), and the user's next
    # request, which finds no session, does not count it again.
    snap = load("v2.1.eyJtb2RlIjoic3RhdGVmdWwifQ.r3-kA-a20000000000-r").snapshot()
    assert snap["metrics"]["lost_sessions"] == 1
    assert snap["traces"][-1]["outcome"] == "session_lost"
    kills = [line["text"] for line in snap["log"] if "with it" in line["text"]]
    assert kills == ["Server A took 1 session with it (3 items in memory)."]


def test_the_line_that_explains_a_failovers_loss_outlives_the_failures_after_it() -> None:
    # Bug 5: at 100 requests/s the failover's 40 s of 503s filled the 200-line console and
    # the one sentence saying why 11 acknowledged items were lost was pushed out.
    demo = load("v2.1..t100-a5000000000-f-a40000000000")
    snap = demo.snapshot()
    assert snap["metrics"]["lost_items"] == 11
    why = "11 acknowledged items written in the last"
    console = demo.narrator.log.tail()
    assert len(console) <= snap["log_limit"]
    assert [line["text"] for line in console if why in line["text"]]
    # The page is handed it with the action's last lines, and told to keep it.
    sent = [line for line in snap["log"] if why in line["text"]]
    assert sent
    assert sent[0]["key"]
    assert sent[0]["seq"] >= snap["log_kept"]["key_from_seq"]
    assert not snap["log"][-1]["key"]  # an ordinary line, kept while it is among the last
    assert snap["log"][-1]["seq"] >= snap["log_kept"]["from_seq"]
