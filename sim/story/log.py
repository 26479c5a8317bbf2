"""The console: a bounded buffer of log lines, in the original page's voice.

Most lines are kept while they are among the last LOG_LIMIT. A key line (one that explains
an outcome, such as the items a failover lost; `sim.story.console.KEY_KINDS`) is kept while
it is among the last KEY_LIMIT key lines, however many ordinary lines follow it: under
traffic, thousands of failures would otherwise push out the one sentence that says why.
"""

from collections import deque
from heapq import merge

LOG_LIMIT = 200  # lines kept in all
KEY_LIMIT = 20  # key lines kept among them


def _seq(entry: dict) -> int:
    return entry["seq"]


class Log:
    """Keeps the last KEY_LIMIT key lines and the last ordinary ones, LOG_LIMIT in all, so
    long runs use constant memory."""

    __slots__ = ("keys", "others", "seq")

    def __init__(self) -> None:
        """Start empty."""
        self.keys: deque[dict] = deque(maxlen=KEY_LIMIT)
        self.others: deque[dict] = deque()
        self.seq = 0

    def add(self, time_ns: int, level: str, text: str, key: bool = False) -> None:
        """Append one line at level 'info', 'warn' or 'error'; `key` if it explains an
        outcome."""
        self.seq += 1
        entry = {"seq": self.seq, "time_ns": time_ns, "level": level, "text": text, "key": key}
        (self.keys if key else self.others).append(entry)
        while len(self.keys) + len(self.others) > LOG_LIMIT:
            self.others.popleft()

    def tail(self) -> list[dict]:
        """Return copies of the kept lines, oldest first."""
        return [dict(e) for e in merge(self.keys, self.others, key=_seq)]

    def recent(self, count: int) -> list[dict]:
        """Copies of the last `count` lines and of the key lines kept before them, oldest
        first: what the page must append to what it holds."""
        kept = self.tail()
        last = kept[-count:]
        since = last[0]["seq"] if last else self.seq + 1
        return [e for e in kept if e["key"] and e["seq"] < since] + last

    def kept(self) -> dict:
        """Which lines are kept: ordinary ones from `from_seq` on, key ones from
        `key_from_seq` on (the page drops the others it holds)."""
        return {
            "from_seq": self.others[0]["seq"] if self.others else self.seq + 1,
            "key_from_seq": self.keys[0]["seq"] if self.keys else self.seq + 1,
        }
