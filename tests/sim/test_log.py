"""The console: natural counts and a bounded ring buffer."""

from sim.story.log import KEY_LIMIT, LOG_LIMIT, Log
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


def test_key_lines_stay_while_ordinary_lines_come_and_go():
    log = Log()
    log.add(0, "warn", "why it was lost", key=True)
    for number in range(1, LOG_LIMIT * 3):
        log.add(number, "error", f"failure {number}")
    tail = log.tail()
    assert len(tail) == LOG_LIMIT
    assert tail[0]["text"] == "why it was lost"
    assert tail[1]["text"] == f"failure {LOG_LIMIT * 3 - LOG_LIMIT + 1}"
    assert log.kept() == {"from_seq": tail[1]["seq"], "key_from_seq": 1}
    # What the page is handed: the last lines and the key lines before them.
    recent = log.recent(5)
    assert [e["seq"] for e in recent] == [1, *range(LOG_LIMIT * 3 - 4, LOG_LIMIT * 3 + 1)]


def test_only_the_last_key_lines_are_kept():
    log = Log()
    for number in range(KEY_LIMIT + 3):
        log.add(number, "warn", f"key {number}", key=True)
        log.add(number, "info", f"line {number}")
    kept = [e["text"] for e in log.tail() if e["key"]]
    assert kept == [f"key {number}" for number in range(3, KEY_LIMIT + 3)]
    assert log.kept()["key_from_seq"] == 7  # the fourth key line, after three pairs
