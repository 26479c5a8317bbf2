"""The lessons run in the simulator: steps done, predictions and what is said, through the
facade exactly as the page calls it."""

import pytest

from sim.browser.facade import Demo, ScenarioError, load
from sim.core.units import S
from sim.story.lessons import catalogue


def run(*actions: dict) -> tuple[Demo, dict]:
    """A fresh demo with `actions` applied; the last snapshot."""
    demo = Demo()
    snap = demo.snapshot()
    for action in actions:
        snap = demo.apply(action)
    return demo, snap


def done(snap: dict) -> set[str]:
    """The ids of the open lesson's steps that are done."""
    return {step["id"] for step in snap["lesson"]["steps"] if step["done"]}


def holder(snap: dict) -> str:
    """The server holding the demo user's session."""
    return next(s["name"] for s in snap["servers"] if s["session_items"] is not None)


def test_the_crash_lesson_is_done_step_by_step_and_says_what_was_lost():
    demo, snap = run({"type": "request"}, {"type": "request"})
    assert done(snap) == {"stateless-requests"}
    snap = demo.apply({"type": "kill", "server": "A"})
    snap = demo.apply({"type": "request"})
    assert done(snap) == {"stateless-requests", "stateless-kill"}
    demo.apply({"type": "reset", "config": {"mode": "stateful"}})
    demo.apply({"type": "request"})
    snap = demo.apply({"type": "request"})
    assert "stateful-session" in done(snap)
    snap = demo.apply({"type": "predict", "answer": "lost"})
    assert snap["lesson"]["prediction"] == "lost"
    demo.apply({"type": "kill", "server": holder(snap)})
    snap = demo.apply({"type": "request"})
    assert "stateful-kill" in done(snap)
    assert snap["lesson"]["said"][-1].startswith(
        "You expected the cart to be lost. The cart went from 2 to 1 after one more item: 2 lost."
    )
    assert snap["lesson"]["next"] == "replicated-kill"


def test_the_replicated_step_needs_the_cart_to_survive():
    demo, snap = run(
        {"type": "reset", "config": {"mode": "replicated"}},
        {"type": "request"},
        {"type": "request"},
    )
    demo.apply({"type": "kill", "server": holder(snap)})
    snap = demo.apply({"type": "request"})
    assert "replicated-kill" in done(snap)
    assert "The cart survived with 3 items" in snap["lesson"]["said"][-1]
    assert "within the 4 s the cluster takes to drop a silent member" in snap["lesson"]["said"][-1]


def test_a_chaos_monkey_kill_counts_as_a_kill():
    demo, snap = run({"type": "reset", "config": {"mode": "stateful"}}, {"type": "request"})
    demo.apply({"type": "chaos", "on": True})
    while all(s["alive"] for s in snap["servers"]) or snap["user"]["lost_items"] == 0:
        demo.apply({"type": "advance", "ns": S})
        snap = demo.apply({"type": "request"})
        if snap["time_ns"] > 600 * S:
            pytest.fail("the Chaos Monkey never took the session")
    assert "stateful-kill" in done(snap)


def test_the_deploy_lesson_reports_the_end_of_the_deploy():
    demo, _ = run({"type": "reset", "config": {"mode": "stateful"}}, {"type": "request"})
    demo.apply({"type": "lesson", "id": "deploy"})
    snap = demo.apply({"type": "request"})
    assert done(snap) == {"deploy-session"}
    snap = demo.apply({"type": "deploy"})
    assert "deploy-stateful" not in done(snap)
    while snap["deploy"] is not None:
        snap = demo.apply({"type": "advance", "ns": 5 * S})
    assert "deploy-stateful" in done(snap)
    assert snap["lesson"]["said"][-1].startswith(
        "You deployed before predicting. The deploy is over:"
    )
    assert "your cart lost 2 items" in snap["lesson"]["said"][-1]


def test_the_store_failover_lesson_counts_the_items_lost_within_the_lag():
    demo, _ = run(
        {"type": "reset", "config": {"store_replication_lag_ms": 1000}},
        {"type": "lesson", "id": "store-failover"},
        {"type": "predict", "answer": "survives"},
        {"type": "request"},
    )
    snap = demo.apply({"type": "request"})
    assert done(snap) == {"failover-requests", "predict"}
    demo.apply({"type": "failover_store"})
    snap = demo.apply({"type": "advance", "ns": 40 * S})
    assert "failover-lost" in done(snap)
    said = snap["lesson"]["said"][-1]
    assert said.startswith("You expected the cart to survive. The store served nobody for 35 s")
    assert "2 acknowledged items did not reach the replica within the lag and are gone." in said


def test_the_store_failover_lesson_leads_from_wait_to_a_replica_back():
    """Issue 23 item 12: after the failover with WAIT every write failed (504 after 30 s) and
    the lesson asked for requests "until they succeed again". Now WAIT times out after 1 s,
    the lesson says what became of the unconfirmed writes and leads to a restore."""
    demo, _ = run(
        {"type": "lesson", "id": "store-failover"},
        {"type": "reset", "config": {"store_replication_lag_ms": 1000, "store_wait": True}},
        {"type": "request"},
        {"type": "request"},
        {"type": "request"},
        {"type": "failover_store"},
    )
    snap = demo.apply({"type": "advance", "ns": 40 * S})
    assert "failover-wait" in done(snap)
    assert "send a request and see what WAIT does" in snap["lesson"]["said"][-1]
    assert snap["lesson"]["next"] == "predict"  # the prediction was skipped
    for _ in range(2):
        snap = demo.apply({"type": "request"})
        assert snap["traces"][-1]["status"] == 503
    assert "failover-unconfirmed" in done(snap)
    said = snap["lesson"]["said"][-1]
    assert "WAIT returned 0 at its 1 s time-out, and the application answered 503" in said
    assert "cart holds 5 items, 2 of them never confirmed to you" in said
    assert snap["user"]["cart_items"] == 3 and snap["user"]["lost_items"] == 0
    demo.apply({"type": "restore_store"})
    snap = demo.apply({"type": "request"})
    assert snap["traces"][-1]["status"] == 200
    assert "failover-restore" in done(snap)
    assert "cart holds 6 items, 2 of them never confirmed" in snap["lesson"]["said"][-1]
    assert snap["user"]["cart_items"] == 6 and snap["user"]["acknowledged_items"] == 4


def test_the_two_tabs_lesson_sees_the_lost_update():
    demo, _ = run({"type": "lesson", "id": "two-tabs"}, {"type": "request"})
    snap = demo.apply({"type": "request", "tabs": 2})
    assert "tabs-race" in done(snap)
    assert "1 item was lost" in snap["lesson"]["said"][-1]
    demo.apply({"type": "reset", "config": {"mode": "stateful"}})
    demo.apply({"type": "request"})
    snap = demo.apply({"type": "request", "tabs": 2})
    assert "tabs-memory" in done(snap)


def test_a_prediction_must_answer_the_open_lessons_question():
    demo, snap = run({"type": "lesson", "id": "two-tabs"})
    with pytest.raises(ScenarioError, match="not an answer to the two-tabs lesson"):
        demo.apply({"type": "predict", "answer": "lost"})
    with pytest.raises(ScenarioError, match="not one of"):
        demo.apply({"type": "lesson", "id": "nope"})
    assert demo.snapshot()["scenario"] == snap["scenario"]


def test_a_link_replays_the_lesson_and_its_progress():
    _, snap = run(
        {"type": "lesson", "id": "two-tabs"},
        {"type": "predict", "answer": "two"},
        {"type": "request"},
        {"type": "request", "tabs": 2},
    )
    assert snap["scenario"] == "v4.1..gtwo_tabs-wtwo-r-rr"
    replayed = load(snap["scenario"]).snapshot()
    assert replayed["lesson"] == snap["lesson"]
    assert load("v2.1..r-kA-r").snapshot()["lesson"]["id"] == "crash"


def test_a_reset_keeps_the_lesson_and_writes_it_at_the_head_of_the_new_run():
    demo, _ = run({"type": "lesson", "id": "deploy"}, {"type": "predict", "answer": "lost"})
    snap = demo.apply({"type": "reset", "config": {"mode": "stateful"}})
    assert snap["scenario"].endswith(".gdeploy-wlost")
    assert snap["lesson"]["id"] == "deploy" and snap["lesson"]["prediction"] == "lost"


def test_the_catalogue_lists_every_lesson_without_a_model():
    lessons = catalogue()
    assert [lesson["id"] for lesson in lessons] == [
        "crash",
        "deploy",
        "store-failover",
        "two-tabs",
        "scale-out",
    ]
    snap = Demo().apply({"type": "lesson", "id": "deploy"})
    deploy = lessons[1]
    assert [s["id"] for s in deploy["steps"]] == [s["id"] for s in snap["lesson"]["steps"]]
    assert [s["text"] for s in deploy["steps"]] == [s["text"] for s in snap["lesson"]["steps"]]
    assert deploy["choices"] == snap["lesson"]["choices"]
    assert "<strong>" in deploy["steps"][2]["html"] and "<" not in deploy["steps"][2]["text"]


def test_a_comparison_goes_stale_when_a_reset_starts_another_run():
    demo, snap = run({"type": "request"})
    assert snap["comparison"] is None
    demo.comparison()
    assert demo.snapshot()["comparison"] == {"time_ns": snap["time_ns"], "stale": False}
    assert demo.apply({"type": "request"})["comparison"]["stale"] is False
    assert demo.apply({"type": "reset", "config": {"mode": "stateful"}})["comparison"]["stale"]


def test_a_server_not_yet_detected_says_how_many_failed_checks_mark_it_down():
    demo, _ = run({"type": "kill", "server": "B"})
    status = demo.snapshot()["servers"][1]["status"]
    assert status["icon"] == "detecting"
    # Never passed a check since it started (health counter at rise): one failure takes it down.
    assert "1 more failed check marks it down" in status["text"]
    demo, _ = run({"type": "advance", "ns": 3 * S}, {"type": "kill", "server": "A"})
    status = demo.snapshot()["servers"][0]["status"]
    assert "3 more failed checks mark it down" in status["text"]


def test_two_tabs_before_any_request_do_not_pass_for_the_race_nor_for_one_session():
    """Issue 23, item 11: step 1 asks for one ordinary request first; without it each tab
    starts a session of its own, which is no lost update."""
    demo, snap = run({"type": "lesson", "id": "two-tabs"})
    snap = demo.apply({"type": "request", "tabs": 2})
    assert done(snap) == set()
    assert snap["lesson"]["next"] == "tabs-session"
    assert "session of its own" in snap["lesson"]["said"][-1]
    assert "last write won" not in " ".join(snap["lesson"]["said"])
    snap = demo.apply({"type": "request"})
    assert done(snap) == {"tabs-session"}


def test_a_mode_switch_clears_what_the_lesson_said_about_the_run_before():
    """Issue 23, item 10: the outcome of the last run does not stay under the next one."""
    demo, snap = run(
        {"type": "reset", "config": {"mode": "stateful"}}, {"type": "request"}, {"type": "request"}
    )
    demo.apply({"type": "kill", "server": holder(snap)})
    snap = demo.apply({"type": "request"})
    assert "stateful-kill" in done(snap) and snap["lesson"]["said"]
    snap = demo.apply({"type": "reset", "config": {"mode": "replicated"}})
    assert snap["lesson"]["said"] == []
    assert "stateful-kill" in done(snap)  # the progress itself is kept
