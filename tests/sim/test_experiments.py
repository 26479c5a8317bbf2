"""The demo's experiments, as the browser tests run them, give the outcomes the page promises."""

from sim.browser.facade import Demo


def run(mode: str, kills: list[str] | None = None) -> tuple[Demo, dict]:
    """Send 3 requests in `mode`, kill `kills` (default: the session's server), send 1 more."""
    demo = Demo()
    demo.apply({"type": "reset", "config": {"mode": mode}})
    for _ in range(3):
        snap = demo.apply({"type": "request"})
    if kills is None:
        kills = [s["name"] for s in snap["servers"] if s["session_items"] is not None]
        assert len(kills) == 1
    for name in kills:
        demo.apply({"type": "kill", "server": name})
    return demo, demo.apply({"type": "request"})


def test_stateless_survives_two_kills_with_four_items_in_cart_and_store():
    _, snap = run("stateless", ["A", "B"])
    assert snap["user"]["cart_items"] == 4
    assert snap["store"]["cart_items"] == 4
    assert snap["metrics"]["lost_items"] == 0


def test_stateful_kill_of_the_session_server_loses_the_session():
    _, snap = run("stateful")
    assert snap["user"]["cart_items"] == 1
    assert any("Session lost" in line["text"] for line in snap["log"])
    assert snap["traces"][-1]["outcome"] == "session_lost"
    assert snap["metrics"]["lost_items"] == 3


def test_replicated_survives_the_same_kill_with_four_items():
    _, snap = run("replicated")
    assert snap["user"]["cart_items"] == 4
    assert snap["metrics"]["lost_items"] == 0


def test_the_log_opens_in_the_original_pages_voice():
    log = Demo().snapshot()["log"]
    # "Select a mode and send a request" is the page's wording, not the model's.
    assert [line["text"] for line in log] == ["Simulator initialized. Mode: Stateless."]
