"""The story of one run, told as it happens: the model hands each record (with the time) to
`Narrator.take`, which writes the console's lines, keeps the last requests for their traces,
and keeps what happened during the action under way for the snapshot's `happened`."""

from collections import deque

from sim.core.cluster import DEMO_USER
from sim.core.config import Config
from sim.core.records import Record, RequestFinished, as_dict
from sim.story.console import KEY_KINDS, lines
from sim.story.log import Log
from sim.story.requests_said import request_text
from sim.story.traces import trace

TRACE_LIMIT = 20  # finished requests kept for their traces
HAPPENED_LIMIT = 50  # records of one action the snapshot carries


class Narrator:
    """The console, the recent requests and what the last action did, for one model."""

    def __init__(self, config: Config) -> None:
        """Start with nothing said."""
        self.config = config
        self.log = Log()
        self.finished: deque[tuple[int, RequestFinished]] = deque(maxlen=TRACE_LIMIT)
        self.trace_seq = 0
        self.happened: deque[tuple[int, Record]] = deque(maxlen=HAPPENED_LIMIT)
        self.counts: dict[str, int] = {}
        self.killed: list[str] = []  # servers killed during the action, every one
        self.answers = 0  # the demo user's answers so far
        self.last_answer: RequestFinished | None = None

    def take(self, record: Record, now_ns: int) -> None:
        """Something happened at `now_ns`: say it, and keep it."""
        self.happened.append((now_ns, record))
        kind = record.kind
        self.counts[kind] = self.counts.get(kind, 0) + 1
        key = kind in KEY_KINDS
        for level, text in lines(record, self.config):
            self.log.add(now_ns, level, text, key)
        if kind == "killed":
            self.killed.append(record.server)
        elif kind == "request_finished":
            self.trace_seq += 1
            self.finished.append((self.trace_seq, record))
            if record.user == DEMO_USER:
                self.answers += 1
                self.last_answer = record

    def begin_action(self) -> tuple:
        """A new action starts: `happened` is about it alone. Return what the last action
        did, for `restore` if this one is refused."""
        last = (self.happened, self.counts, self.killed)
        self.happened = deque(maxlen=HAPPENED_LIMIT)
        self.counts = {}
        self.killed = []
        return last

    def restore(self, last: tuple) -> None:
        """The action was refused before anything happened: the last one is still the last."""
        self.happened, self.counts, self.killed = last

    def traces(self, count: int) -> list[dict]:
        """The last `count` finished requests' traces, oldest first."""
        kept = list(self.finished)[-count:]
        return [
            {"seq": seq, **trace(rec), "log": request_text(rec, self.config)} for seq, rec in kept
        ]

    def happened_dicts(self) -> list[dict]:
        """What the last action did, as plain data, oldest first."""
        return [{**as_dict(record), "at_ns": at} for at, record in self.happened]
