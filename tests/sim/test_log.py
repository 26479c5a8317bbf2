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
