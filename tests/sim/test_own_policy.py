"""A policy the learner wrote runs the demo's balancer, and what goes wrong with it leaves the
run as it was, with the built-in policy back; a link of such a run carries no code."""

import json

from sim.browser.facade import Demo, load, start_load

TO_C = "def choose(user, servers, memory):\n    return 'C'\n"
RAISES_ON_THIRD = """def choose(user, servers, memory):
    memory["n"] = memory.get("n", 0) + 1
    if memory["n"] == 3:
        raise ValueError("three")
    return servers[0].name
"""


def replay_all(demo: Demo) -> Demo:
    while demo.load_step():
        pass
    return demo


def test_requests_go_where_the_learners_policy_says():
    demo = Demo()
    snapshot = demo.use_own(TO_C)
    assert snapshot["own_policy"] == {"on": True, "error": None, "codes": 1}
    for _ in range(3):
        snapshot = demo.apply({"type": "request"})
    assert [t["server"] for t in snapshot["traces"][-3:]] == ["C", "C", "C"]
    assert "your policy: Server C" in snapshot["traces"][-1]["reason"]
    assert snapshot["scenario"].endswith("o1-r3")


def test_a_link_of_the_run_replays_with_the_built_in_policy_and_says_so():
    demo = Demo()
    demo.use_own(TO_C)
    for _ in range(3):
        demo.apply({"type": "request"})
    replayed = load(demo.snapshot()["scenario"]).snapshot()
    assert replayed["own_policy"]["on"] is False
    assert "built-in policy (round robin)" in replayed["scenario_notice"]
    assert [t["server"] for t in replayed["traces"][-3:]] == ["A", "B", "C"]


def test_the_page_restarting_its_worker_replays_the_same_run_with_its_code():
    demo = Demo()
    demo.use_own(TO_C)
    demo.apply({"type": "request"})
    before = demo.snapshot()
    again = replay_all(start_load(before["scenario"], codes_json=json.dumps([TO_C]))).snapshot()
    assert again["own_policy"]["on"] is True
    assert again["metrics"] == before["metrics"]
    assert again["scenario_notice"] is None


def test_an_exception_shows_its_traceback_and_leaves_the_run_as_it_was():
    demo = Demo()
    demo.use_own(RAISES_ON_THIRD)
    demo.apply({"type": "request"})
    demo.apply({"type": "request"})
    before = demo.snapshot()
    after = demo.apply({"type": "request"})
    error = after["own_policy"]["error"]
    assert error.startswith("Traceback") and error.endswith("ValueError: three")
    assert "line 4, in choose" in error
    assert after["own_policy"]["on"] is False
    assert after["metrics"] == before["metrics"]
    assert after["scenario"] == before["scenario"] + "-o0"
    assert demo.apply({"type": "request"})["traces"][-1]["reason"] == "round robin"


def test_a_bad_return_value_is_an_error_and_the_built_in_policy_comes_back():
    demo = Demo()
    demo.use_own("def choose(user, servers, memory):\n    return 7\n")
    snapshot = demo.apply({"type": "request"})
    assert snapshot["own_policy"]["error"].startswith("choose returned 7 (int)")
    assert snapshot["own_policy"]["on"] is False
    assert snapshot["metrics"]["requests"] == 0


def test_code_that_does_not_compile_changes_nothing():
    demo = Demo()
    before = demo.snapshot()
    snapshot = demo.use_own("def choose(:\n")
    assert "SyntaxError" in snapshot["own_policy"]["error"]
    assert snapshot["own_policy"]["on"] is False
    assert snapshot["scenario"] == before["scenario"]


def test_a_reset_keeps_the_learners_policy():
    demo = Demo()
    demo.use_own(TO_C)
    demo.apply({"type": "reset", "config": {"mode": "stateful"}})
    snapshot = demo.apply({"type": "request"})
    assert snapshot["own_policy"]["on"] is True
    assert snapshot["traces"][-1]["server"] == "C"


def test_compare_sets_the_learners_policy_beside_the_built_in_one():
    demo = Demo()
    demo.apply({"type": "request"})
    demo.use_own(TO_C)
    demo.act({"type": "traffic", "rate_per_s": 50})
    demo.act({"type": "kill", "server": "C"})
    demo.act({"type": "advance", "ns": 5_000_000_000})
    result = demo.comparison()
    assert set(result["modes"]) == {"stateless", "stateful", "replicated", "built_in"}
    assert result["labels"] == {
        "stateless": "Stateless, your policy",
        "built_in": "Stateless, built-in policy (round robin)",
    }
    # The built-in column is the same run with the built-in policy: a link's replay of it.
    built_in = load(demo.snapshot()["scenario"]).snapshot()["metrics"]
    assert result["modes"]["built_in"] == {k: built_in[k] for k in result["modes"]["built_in"]}
    assert result["modes"]["stateless"] != result["modes"]["built_in"]


def test_compare_has_no_built_in_column_when_no_learners_policy_ran():
    demo = Demo()
    demo.apply({"type": "request"})
    result = demo.comparison()
    assert set(result["modes"]) == {"stateless", "stateful", "replicated"}
    assert result["labels"] == {}
