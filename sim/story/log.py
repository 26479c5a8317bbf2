"""The console: a bounded ring buffer of log lines, in the original page's voice."""

from collections import deque

LOG_LIMIT = 200


class Log:
    """Keeps the last LOG_LIMIT lines, so long runs use constant memory."""

    __slots__ = ("entries", "seq")

    def __init__(self) -> None:
        """Start empty."""
        self.entries: deque[dict] = deque(maxlen=LOG_LIMIT)
        self.seq = 0

    def add(self, time_ns: int, level: str, text: str) -> None:
        """Append one line at level 'info', 'warn' or 'error'."""
        self.seq += 1
        self.entries.append({"seq": self.seq, "time_ns": time_ns, "level": level, "text": text})

    def tail(self) -> list[dict]:
        """Return copies of the kept lines, oldest first."""
        return [dict(e) for e in self.entries]
