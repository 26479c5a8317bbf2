"""What happened, as typed records: one small frozen dataclass per kind of fact.

Each mechanism of the core hands its records to `Model.note` (only when the model records);
nothing in the core words them. `sim/story` turns them into console lines, traces, and the
snapshot's `happened`. Servers are named by their letter, the store's nodes by theirs.
"""

from dataclasses import dataclass, fields
from typing import ClassVar

from sim.core.cluster import Request


@dataclass(frozen=True, slots=True)
class Record:
    """A fact of the run; `kind` names it in the snapshot."""

    kind: ClassVar[str] = ""

    def to_dict(self) -> dict:
        """The record as plain data, with its kind."""
        out = {"kind": self.kind}
        for field in fields(self):
            value = getattr(self, field.name)
            out[field.name] = value.seq if isinstance(value, Request) else value
        return out


def _kind(name: str):
    """Give a record class its kind."""

    def named(cls: type) -> type:
        cls.kind = name
        return cls

    return named


# -- the run and the requests ---------------------------------------------------------------


@_kind("started")
@dataclass(frozen=True, slots=True)
class Started(Record):
    mode: str


@_kind("tabs_sent")
@dataclass(frozen=True, slots=True)
class TabsSent(Record):
    tabs: int


@_kind("lost_update")
@dataclass(frozen=True, slots=True)
class LostUpdate(Record):
    """A read-modify-write overwrote a write made since its read."""

    user: str


@_kind("copy_failed")
@dataclass(frozen=True, slots=True)
class CopyFailed(Record):
    """A session copy to a dead member failed; the node re-published `sends` sessions."""

    user: str
    server: str
    member: str
    vanished: bool
    backup: str | None  # where the session's backup is now
    sends: int


@_kind("request_finished")
@dataclass(frozen=True, slots=True)
class RequestFinished(Record):
    """A request's answer: `failure` says why it failed (see sim.story.console)."""

    request: Request  # finished: its path stays as it was (the trace reads it)
    user: str
    server: str | None
    status: int
    outcome: str  # ok, retried, failed, session_lost
    latency_ns: int
    cart_items: int | None
    back_ns: int | None
    failure: tuple | None  # ("no_server",), ("attempts", n), ("died", server), ...
    backup: str | None
    members: bool  # whether its server had a live member to copy to (replicated mode)


# -- servers --------------------------------------------------------------------------------


@_kind("killed")
@dataclass(frozen=True, slots=True)
class Killed(Record):
    server: str
    how: str  # crash or vanish
    cause: str  # "" (the learner) or "Chaos Monkey"


@_kind("memory_lost")
@dataclass(frozen=True, slots=True)
class MemoryLost(Record):
    """A server's memory went (a kill or a clean stop) with sessions in it."""

    server: str
    sessions: int
    items: int


@_kind("restarted")
@dataclass(frozen=True, slots=True)
class Restarted(Record):
    server: str
    cause: str
    believed_up: bool  # the balancer never noticed it was gone


@_kind("unchanged")
@dataclass(frozen=True, slots=True)
class Unchanged(Record):
    """A kill of a dead server, or a restart of a live one."""

    server: str
    alive: bool


@_kind("server_added")
@dataclass(frozen=True, slots=True)
class ServerAdded(Record):
    server: str


@_kind("server_removed")
@dataclass(frozen=True, slots=True)
class ServerRemoved(Record):
    server: str


@_kind("marked_down")
@dataclass(frozen=True, slots=True)
class MarkedDown(Record):
    server: str
    dead_for_ns: int | None  # since it died, if it did
    failed_checks: int


@_kind("marked_up")
@dataclass(frozen=True, slots=True)
class MarkedUp(Record):
    server: str


@_kind("member_left")
@dataclass(frozen=True, slots=True)
class MemberLeft(Record):
    server: str
    cause: str  # detector, membership, stopped
    promoted: int
    published: int


@_kind("member_joined")
@dataclass(frozen=True, slots=True)
class MemberJoined(Record):
    server: str
    published: int


# -- the store, chaos, traffic --------------------------------------------------------------


@_kind("store_unchanged")
@dataclass(frozen=True, slots=True)
class StoreUnchanged(Record):
    up: bool


@_kind("store_down")
@dataclass(frozen=True, slots=True)
class StoreDown(Record):
    pass


@_kind("store_up")
@dataclass(frozen=True, slots=True)
class StoreUp(Record):
    pass


@_kind("store_latency")
@dataclass(frozen=True, slots=True)
class StoreLatency(Record):
    added_ns: int


@_kind("chaos_switched")
@dataclass(frozen=True, slots=True)
class ChaosSwitched(Record):
    on: bool


@_kind("chaos_spared")
@dataclass(frozen=True, slots=True)
class ChaosSpared(Record):
    pass


@_kind("traffic_set")
@dataclass(frozen=True, slots=True)
class TrafficSet(Record):
    rate_milli: int


# -- a rolling deploy and a store failover --------------------------------------------------


@_kind("deploy_started")
@dataclass(frozen=True, slots=True)
class DeployStarted(Record):
    servers: tuple[str, ...]


@_kind("deploy_ignored")
@dataclass(frozen=True, slots=True)
class DeployIgnored(Record):
    server: str  # the one the running deploy is at


@_kind("deploy_draining")
@dataclass(frozen=True, slots=True)
class DeployDraining(Record):
    server: str


@_kind("deploy_stopping")
@dataclass(frozen=True, slots=True)
class DeployStopping(Record):
    server: str
    in_flight: int


@_kind("deploy_replaced")
@dataclass(frozen=True, slots=True)
class DeployReplaced(Record):
    server: str


@_kind("deploy_skipped")
@dataclass(frozen=True, slots=True)
class DeploySkipped(Record):
    server: str
    why: str  # down or removed


@_kind("deploy_finished")
@dataclass(frozen=True, slots=True)
class DeployFinished(Record):
    took_ns: int


@_kind("store_failover_ignored")
@dataclass(frozen=True, slots=True)
class StoreFailoverIgnored(Record):
    why: str  # under_way, or no_replica (`failed` is still down)
    failed: str | None


@_kind("store_primary_died")
@dataclass(frozen=True, slots=True)
class StorePrimaryDied(Record):
    primary: str
    replica: str
    lost: int  # acknowledged items within the lag


@_kind("store_odown")
@dataclass(frozen=True, slots=True)
class StoreOdown(Record):
    primary: str
    replica: str


@_kind("store_promoted")
@dataclass(frozen=True, slots=True)
class StorePromoted(Record):
    primary: str
    failed: str


@_kind("store_replica_back")
@dataclass(frozen=True, slots=True)
class StoreReplicaBack(Record):
    replica: str
    primary: str
