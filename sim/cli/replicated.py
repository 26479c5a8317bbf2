"""Replicated mode in `python -m sim predict`: each bound session's backup where the real
cluster had it, and the cluster's times after the kill, read from the model's records."""

from sim.core import replication, sessions
from sim.core.model import Model
from sim.core.records import MemberLeft, Record, RequestFinished
from sim.core.units import S


def place_user(model: Model, user: dict) -> None:
    """Give a bound user its cart, and in replicated mode its session's backup."""
    sessions.place(model, user["id"], user["server"], user["items"])
    if model.config.mode != "replicated" or user["server"] is None:
        return
    node = model.server(user["server"])
    copy = node.sessions[user["id"]]
    backup = user.get("backup")
    if backup is None or backup == node.name:
        replication.copy_session(model, node, user["id"], copy, fresh=True)
        return
    target = model.server(backup)
    held = target.backups[user["id"]] = copy.clone()
    held.peer, copy.peer = node, target


class ReplicatedTimes:
    """Replicated mode's times after the kill, from the model's records (nanoseconds)."""

    def __init__(self, victim: str, users: list[dict]) -> None:
        """Watch for `victim`'s removal and the answers to its users and the others."""
        self.victim = victim
        # the victim's users not yet answered after the kill
        self.waiting = {u["id"] for u in users if u["server"] == victim}
        self.backups = {u["id"]: u.get("backup") for u in users}  # as each last answer said
        self.kill_ns: int | None = None
        self.removed_ns: int | None = None
        self.recovered_ns: int | None = None
        self.stall_ns: int | None = None

    def __call__(self, record: Record, now: int) -> None:
        """Take one record (the model's listener)."""
        if self.kill_ns is None:
            return
        if isinstance(record, MemberLeft) and record.server == self.victim:
            self.removed_ns = self.removed_ns or now
        if not isinstance(record, RequestFinished):
            return  # (the replay sends no request before the kill)
        if record.status == 200 and record.user in self.waiting:
            self.waiting.discard(record.user)
            if not self.waiting:
                self.recovered_ns = now
        held = self.backups.get(record.user) == self.victim
        if held and record.outcome == "ok" and record.server != self.victim:
            self.stall_ns = max(self.stall_ns or 0, record.latency_ns)
        if record.status == 200:
            self.backups[record.user] = record.backup

    def figures(self) -> dict:
        """The three times in seconds after the kill (None when they did not happen)."""

        def after_kill(when: int | None) -> float | None:
            return None if when is None else round((when - self.kill_ns) / S, 3)

        return {
            "member_removed_s": after_kill(self.removed_ns),
            "copy_stall_s": None if self.stall_ns is None else round(self.stall_ns / S, 3),
            "recovery_s": after_kill(self.recovered_ns) if self.waiting == set() else None,
        }
