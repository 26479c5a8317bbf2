"""What happened, as typed records: one small named tuple per kind of fact.

Each mechanism of the core hands its records to `Model.note` (only when the model records);
nothing in the core words them. `sim/story` turns them into console lines, traces, and the
snapshot's `happened`. Servers are named by their letter, the store's nodes by theirs.

Named tuples rather than frozen dataclasses: the dataclasses generated their methods with
`exec` at import, once per kind, which cost about 100 ms of CPython (more in Pyodide) on every
cold start of the demo; a named tuple costs a small fraction of that. Two records compare
as tuples, so compare kinds, not records.
"""

from typing import NamedTuple, Protocol

from sim.core.cluster import Request


class Record(Protocol):
    """A fact of the run; `kind` names it in the snapshot."""

    kind: str

    def _asdict(self) -> dict: ...


def as_dict(record: Record) -> dict:
    """The record as plain data, with its kind (a request as its number)."""
    out = {"kind": record.kind}
    for name, value in record._asdict().items():
        out[name] = value.seq if isinstance(value, Request) else value
    return out


# -- the run and the requests ---------------------------------------------------------------


class Started(NamedTuple):
    mode: str
    kind = "started"


class TabsSent(NamedTuple):
    tabs: int
    kind = "tabs_sent"


class LostUpdate(NamedTuple):
    """A read-modify-write overwrote a write made since its read."""

    user: str
    kind = "lost_update"


class CopyFailed(NamedTuple):
    """A session copy to a dead member failed; the node re-published `sends` sessions."""

    user: str
    server: str
    member: str
    vanished: bool
    backup: str | None  # where the session's backup is now
    sends: int
    kind = "copy_failed"


class ProxyFailed(NamedTuple):
    """Announcing a new session to the other members (MSG_PROXY) failed on dead `members`;
    the node re-published `sends` sessions once the detector had removed them."""

    user: str
    server: str
    members: tuple[str, ...]
    vanished: bool
    sends: int
    kind = "proxy_failed"


class RequestFinished(NamedTuple):
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
    kind = "request_finished"


# -- servers --------------------------------------------------------------------------------


class Killed(NamedTuple):
    server: str
    how: str  # crash or vanish
    cause: str  # "" (the learner) or "Chaos Monkey"
    kind = "killed"


class MemoryLost(NamedTuple):
    server: str
    sessions: int  # in its memory when it went (a kill or a clean stop)
    items: int
    lost: int  # sessions whose last copy this was (the others were stale: already lost)
    kind = "memory_lost"


class Restarted(NamedTuple):
    server: str
    cause: str
    believed_up: bool  # the balancer never noticed it was gone
    kind = "restarted"


class Unchanged(NamedTuple):
    """A kill of a dead server, or a restart of a live one."""

    server: str
    alive: bool
    kind = "unchanged"


class ServerAdded(NamedTuple):
    server: str
    kind = "server_added"


class ServerRemoved(NamedTuple):
    server: str
    kind = "server_removed"


class MarkedDown(NamedTuple):
    server: str
    dead_for_ns: int | None  # since it died, if it did
    failed_checks: int
    kind = "marked_down"


class MarkedUp(NamedTuple):
    server: str
    kind = "marked_up"


class MemberLeft(NamedTuple):
    server: str
    cause: str  # detector, membership, stopped
    promoted: int
    published: int
    kind = "member_left"


class MemberJoined(NamedTuple):
    server: str
    published: int
    kind = "member_joined"


# -- the store, chaos, traffic --------------------------------------------------------------


class StoreUnchanged(NamedTuple):
    up: bool
    kind = "store_unchanged"


class StoreDown(NamedTuple):
    pass
    kind = "store_down"


class StoreUp(NamedTuple):
    pass
    kind = "store_up"


class StoreLatency(NamedTuple):
    added_ns: int
    kind = "store_latency"


class ChaosSwitched(NamedTuple):
    on: bool
    kind = "chaos_switched"


class ChaosSpared(NamedTuple):
    pass
    kind = "chaos_spared"


class TrafficSet(NamedTuple):
    rate_milli: int
    kind = "traffic_set"


# -- a store failover (a rolling deploy's records: records_deploy.py) -------------------------


class StoreFailoverIgnored(NamedTuple):
    why: str  # under_way, or no_replica (`failed` is still down)
    failed: str | None
    kind = "store_failover_ignored"


class StorePrimaryDied(NamedTuple):
    primary: str
    replica: str
    lost: int  # acknowledged items within the lag
    kind = "store_primary_died"


class StorePrimaryBack(NamedTuple):
    primary: str
    kept: int  # acknowledged items it held that the replica lacked
    kind = "store_primary_back"


class StoreOdown(NamedTuple):
    primary: str
    replica: str
    kind = "store_odown"


class StorePromoted(NamedTuple):
    primary: str
    failed: str
    kind = "store_promoted"


class StoreReplicaBack(NamedTuple):
    replica: str
    primary: str
    kind = "store_replica_back"


# -- a crash of the store's Redis process ---------------------------------------------------


class StoreCrashed(NamedTuple):
    """The primary's Redis process was killed; it restarts with what its disk kept."""

    primary: str
    persistence: str  # none, rdb, aof-everysec, aof-always
    lost: int  # acknowledged items its disk did not keep
    kept: int  # items (acknowledged or not) its disk kept
    saved_ago_ns: int | None  # rdb: how old the last snapshot is (None: no snapshot yet)
    replica: str | None  # a replica Sentinel may promote
    restart_ns: int
    kind = "store_crashed"


class StoreCrashIgnored(NamedTuple):
    why: str  # down (unreachable), restarting, failing_over
    kind = "store_crash_ignored"


class StoreRestarted(NamedTuple):
    """The killed process runs again: the primary, with what it loaded (its replica copies
    it), or a replica of the primary Sentinel promoted meanwhile."""

    node: str
    role: str  # primary or replica
    items: int  # the items it loaded (a primary), or copied (a replica)
    replica: str | None  # the primary's replica, which copied its data again
    kind = "store_restarted"
