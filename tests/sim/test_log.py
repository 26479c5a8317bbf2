"""The console: natural counts and a bounded ring buffer."""

from sim.story.log import LOG_LIMIT, Log
from sim.story.words import plural, seconds


def test_counts_read_naturally():
    assert plural(1, "item") == "1 item"
    assert plural(4, "item") == "4 items"
    assert plural(0, "item") == "0 items"


def test_durations_read_naturally():
    assert seconds(850_000) == "850 µs"
    assert seconds(1_250_000) == "1.2 ms"
    assert seconds(4_000_000_000) == "4.0 s"


def test_the_log_keeps_only_the_last_lines():
    log = Log()
    for number in range(LOG_LIMIT + 50):
        log.add(number, "info", f"line {number}")
    tail = log.tail()
    assert len(tail) == LOG_LIMIT
    assert tail[-1]["seq"] == LOG_LIMIT + 50
    assert tail[0]["text"] == "line 50"


def test_a_slow_answer_says_the_clock_ran_until_it_came():
    """Issue 23, item 6: a request to a vanished server waits for the connect time-out; the
    clock runs until the answer, even while the page is paused, and the log says so."""
    from sim.browser.facade import Demo

    demo = Demo()
    demo.act({"type": "reset", "config": {"mode": "stateful", "redispatch": False}})
    demo.act({"type": "request"})
    holder = next(s["name"] for s in demo.snapshot()["servers"] if s["session_items"])
    demo.act({"type": "kill", "server": holder, "kind": "vanish"})
    before = demo.snapshot()["time_ns"]
    snap = demo.apply({"type": "request"})
    waited = (snap["time_ns"] - before) / 10**9
    assert waited >= 1
    assert "The clock ran" in snap["log"][-1]["text"]
    assert "until the answer came" in snap["log"][-1]["text"]
    quick = demo.apply({"type": "request"})  # the balancer knows by now, or answers at once
    assert all("The clock ran" not in line["text"] for line in quick["log"][-1:])
