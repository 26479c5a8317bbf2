"""Configuration of a simulated cluster: one frozen dataclass, validated when built.

Defaults and their sources (see sim/README.md and ../shared/FACTS.md):
- health checks every 2,000 ms, rise 2, fall 3, retries 3: HAProxy's defaults for `check`
  (`inter 2000`, `rise 2`, `fall 3`) and `retries`;
- redispatch "every": HAProxy `option redispatch 1`, every retry goes to another server;
  "last" is plain `option redispatch` (only the last retry moves), "off" no option at all
  (every retry goes back to the same server); kill kind "crash": our choice;
- lb_hop_us 250: half of the ~500 us round trip within a datacenter (Dean, Scott);
- store_round_trip_us 200 + up to store_jitter_us 300: Redis latency is dominated by the
  ~200 us network round trip on a 1 Gbit/s link (redis.io), so 0.2-0.5 ms per operation;
- session_read_ns 100: a main-memory reference (Dean, Scott);
- replication_round_trip_us 500: one datacenter round trip for Tomcat's synchronous
  BackupManager copy (Tomcat cluster how-to: one backup on one other node);
- membership_drop_ms 3,000: Tomcat's McastService `dropTime` default (cluster membership
  reference);
- replication_timeout_ms 3,000: Tomcat's cluster Transport `timeout` default, 3,000 ms
  (cluster sender reference); a send to a vanished member fails only after ParallelNioSender's
  fixed 5 s select, 5 s in all (sim/core/copies.py);
- failure_check_timeout_ms 1,000: TcpFailureDetector's `connectTimeout` default, how long
  its TCP check of a suspect member waits (cluster interceptor reference);
- store_update "read_modify_write": session code that saves the whole cart attribute, as
  Spring Session does; "atomic" is Redis HINCRBY (or WATCH/MULTI/EXEC);
- drain_ms 20,000: our choice, the `preStop` wait of a rolling deploy (the server drains
  meanwhile), within termination_grace_ms 30,000, Kubernetes' default
  `terminationGracePeriodSeconds`, which bounds the time to SIGKILL (sim/core/deploy.py);
- store_replication_lag_ms 100: our choice, how far the store's replica trails its primary
  (replication is asynchronous; no source defines a typical lag);
- store_down_after_ms 30,000: Sentinel's `down-after-milliseconds` in the sentinel.conf
  shipped with Redis; store_failover_ms 5,000: our choice for the quorum, the election,
  `REPLICAOF NO ONE` and clients finding the new primary (`failover-timeout` is an upper
  bound, not a duration); store_wait false: Redis acknowledges before replicating;
- store_wait_timeout_ms 1,000: our choice for `WAIT 1 <ms>` (0 blocks for ever, as WAIT 0 does);
  when it expires with no replica's acknowledgement the application answers 503 (the write
  stays on the primary: WAIT rolls nothing back);
- store_persistence "rdb": Redis's built-in save points (`save 3600 1 300 100 60 10000`,
  `appendServerSaveParams` in src/server.c; the shipped redis.conf leaves them commented
  out) and `appendonly no`; store_restart_ms 1,000: our choice for a supervisor restarting
  a killed Redis (Debian's unit has `Restart=always`, systemd's `RestartSec` is 100 ms) and
  Redis loading a small data set;
- server_threads 200, server_max_connections 8,192, accept_queue 100: Tomcat 10.1's NIO
  HTTP connector, `maxThreads`, `maxConnections` and `acceptCount` (HTTP connector reference,
  tomcat.apache.org/tomcat-10.1-doc/config/http.html; see capacity.py);
- visit_s 0: simulated users never leave (a visit's mean length, our choice when above 0);
- hash_type "map-based": HAProxy's default `hash-type` for `balance source` (policy "source";
  src/cfgparse-listen.c, see source_hash.py);
- the rest (work per request, time-outs, restart delay, chaos interval) are our choices,
  scaled so that a learner sees a kill and a recovery within a minute of simulated time.
"""

from dataclasses import dataclass, fields

from sim.core.errors import ScenarioError
from sim.vocabulary import KILL_KINDS, MODES, STORE_PERSISTENCE

MODE_LABELS = {
    "stateless": "Stateless",
    "stateful": "Stateful",
    "replicated": "Stateful + replication",
}


@dataclass(frozen=True)
class ModeRules:
    """What a mode does, decided once: where carts live, whether sessions are copied."""

    uses_store: bool  # stateless: every request loads and saves the cart in the store
    replicates: bool  # replicated: each session has a backup on another server

    @property
    def memory_only(self) -> bool:
        """Sessions live in one server's memory and die with it (stateful)."""
        return not self.uses_store and not self.replicates


MODE_RULES = {
    "stateless": ModeRules(uses_store=True, replicates=False),
    "stateful": ModeRules(uses_store=False, replicates=False),
    "replicated": ModeRules(uses_store=False, replicates=True),
}
POLICIES = ("round_robin", "least_connections", "sticky", "source")
# HAProxy's `hash-type` for `balance source` (policy "source"); map-based is its default.
HASH_TYPES = ("map-based", "consistent")
DEFAULT_POLICY = {"stateless": "round_robin", "stateful": "sticky", "replicated": "sticky"}
# How a stateless request saves the cart: read it, add, write it back whole (the last write
# wins), or one atomic update in the store (Redis HINCRBY, or WATCH/MULTI/EXEC).
STORE_UPDATES = ("read_modify_write", "atomic")
# Which retries go to another server (sim/core/requests.py): HAProxy `option redispatch 1`,
# plain `option redispatch` (interval -1, the last retry), or no `option redispatch`.
REDISPATCH = ("every", "last", "off")
# Links made before "off" existed said true or false: `option redispatch 1` or plain.
_REDISPATCH_OF_BOOL = {True: "every", False: "last"}
MAX_SERVERS = 26
SERVER_NAMES = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# (low, high) for each integer field: hostile or mistaken values are refused where made.
_INT_RANGES = {
    "servers": (1, MAX_SERVERS),
    "retries": (0, 10),
    "health_check_interval_ms": (100, 600_000),
    "rise": (1, 100),
    "fall": (1, 100),
    "connect_timeout_ms": (1, 600_000),
    "server_timeout_ms": (1, 3_600_000),
    "restart_after_ms": (100, 3_600_000),
    "chaos_mean_interval_ms": (1_000, 3_600_000),
    "membership_drop_ms": (0, 600_000),
    "replication_timeout_ms": (1, 600_000),
    "failure_check_timeout_ms": (1, 600_000),
    "traffic_users": (1, 10_000),
    "lb_hop_us": (0, 1_000_000),
    "server_work_us": (0, 10_000_000),
    "session_read_ns": (0, 1_000_000),
    "store_round_trip_us": (0, 1_000_000),
    "store_jitter_us": (0, 1_000_000),
    "replication_round_trip_us": (0, 1_000_000),
    "series_bucket_ms": (100, 60_000),
    "drain_ms": (0, 600_000),
    "termination_grace_ms": (0, 3_600_000),
    "store_replication_lag_ms": (0, 600_000),
    "store_down_after_ms": (1, 600_000),
    "store_failover_ms": (0, 600_000),
    "store_wait_timeout_ms": (0, 600_000),
    "store_restart_ms": (0, 600_000),
    "server_threads": (1, 1_000),
    "server_max_connections": (1, 100_000),
    "accept_queue": (0, 10_000),
    "visit_s": (0, 86_400),
}
_BOOLS = ("store_wait",)
_CHOICES = {
    "mode": MODES,
    "policy": (*POLICIES, ""),
    "kill_kind": KILL_KINDS,
    "store_update": STORE_UPDATES,
    "redispatch": REDISPATCH,
    "store_persistence": STORE_PERSISTENCE,
    "hash_type": HASH_TYPES,
}


@dataclass(frozen=True)
class Config:
    """Everything that shapes a run except the seed and the actions."""

    mode: str = "stateless"
    policy: str = ""  # "" means the mode's default (DEFAULT_POLICY); resolved when built
    servers: int = 3
    kill_kind: str = "crash"
    redispatch: str = "every"  # true and false are read as "every" and "last"
    retries: int = 3
    health_check_interval_ms: int = 2_000
    rise: int = 2
    fall: int = 3
    connect_timeout_ms: int = 5_000
    server_timeout_ms: int = 30_000
    restart_after_ms: int = 10_000
    chaos_mean_interval_ms: int = 20_000
    membership_drop_ms: int = 3_000
    replication_timeout_ms: int = 3_000  # Tomcat cluster Transport `timeout` default
    failure_check_timeout_ms: int = 1_000  # TcpFailureDetector `connectTimeout` default
    traffic_users: int = 100
    lb_hop_us: int = 250
    server_work_us: int = 500
    session_read_ns: int = 100
    store_round_trip_us: int = 200
    store_jitter_us: int = 300
    replication_round_trip_us: int = 500
    series_bucket_ms: int = 1_000
    store_update: str = "read_modify_write"  # as session code that saves the whole cart does
    drain_ms: int = 20_000  # our choice: a deploy's preStop wait, within the grace period
    termination_grace_ms: int = 30_000  # Kubernetes terminationGracePeriodSeconds default
    store_replication_lag_ms: int = 100  # our choice: no source defines a typical lag
    store_down_after_ms: int = 30_000  # Sentinel down-after-milliseconds (sentinel.conf)
    store_failover_ms: int = 5_000  # our choice: quorum, election, REPLICAOF NO ONE, clients
    store_wait: bool = False  # each write waits for the replica (WAIT 1 <timeout>)
    store_wait_timeout_ms: int = 1_000  # WAIT's time-out, our choice; 0: for ever (WAIT 1 0)
    store_persistence: str = "rdb"  # Redis's built-in save points, no AOF
    store_restart_ms: int = 1_000  # our choice: a supervisor restarts a killed Redis
    server_threads: int = 200  # Tomcat 10.1 connector maxThreads default
    server_max_connections: int = 8_192  # Tomcat 10.1 NIO connector maxConnections default
    accept_queue: int = 100  # Tomcat 10.1 connector acceptCount default (the OS backlog)
    visit_s: int = 0  # a background user's mean visit; 0: users never leave
    hash_type: str = "map-based"  # HAProxy hash-type for policy "source" (its default)

    def __post_init__(self) -> None:
        """Refuse invalid values, naming the field; resolve the default policy."""
        if type(self.redispatch) is bool:
            object.__setattr__(self, "redispatch", _REDISPATCH_OF_BOOL[self.redispatch])
        for name, choices in _CHOICES.items():
            value = getattr(self, name)
            if not isinstance(value, str) or value not in choices:
                allowed = ", ".join(c for c in choices if c)
                raise ScenarioError(f"config {name}: {value!r} is not one of {allowed}")
        for name in _BOOLS:
            value = getattr(self, name)
            if type(value) is not bool:
                raise ScenarioError(f"config {name}: {value!r} is not true or false")
        for name, (low, high) in _INT_RANGES.items():
            value = getattr(self, name)
            if type(value) is not int:
                raise ScenarioError(f"config {name}: {value!r} is not an integer")
            if not low <= value <= high:
                raise ScenarioError(f"config {name}: {value} is outside {low}..{high}")
        if not self.policy:
            object.__setattr__(self, "policy", DEFAULT_POLICY[self.mode])

    def to_dict(self) -> dict:
        """Return every field as plain JSON-safe data."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def differences(self) -> dict:
        """Return the fields that differ from the defaults for this config's mode."""
        base = Config(mode=self.mode)
        diff = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if getattr(self, f.name) != getattr(base, f.name)
        }
        if self.mode != Config.mode:
            diff = {"mode": self.mode, **diff}
        return diff


FIELD_NAMES = tuple(f.name for f in fields(Config))


def build_config(overrides: object, base: Config | None = None) -> Config:
    """Return base (or the defaults) with overrides applied; a new mode brings its own policy."""
    if not isinstance(overrides, dict):
        raise ScenarioError("config must be an object of field: value pairs")
    unknown = sorted(str(k) for k in overrides if k not in FIELD_NAMES)
    if unknown:
        raise ScenarioError(f"unknown config field(s): {', '.join(unknown)}")
    values = (base or Config()).to_dict()
    if "policy" not in overrides and overrides.get("mode", values["mode"]) != values["mode"]:
        values["policy"] = ""
    values.update(overrides)
    return Config(**values)
