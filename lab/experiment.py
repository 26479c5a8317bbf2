"""One chaos experiment on the real cluster, recorded: traffic, one kill, detection, final reads.

The timeline, in the lab's own clock (nanoseconds since the experiment began):
1. start the cluster and wait until every server has passed a health check (a server HAProxy
   has never checked goes down at its first failed check, so a kill before that would not be
   the steady state the simulator starts from);
2. the users send requests; `kill_after_s` later the victim crashes or vanishes;
3. traffic goes on until HAProxy marks the victim down, and `after_s` more;
4. the users stop, their requests under way finish, and each reads its cart once more.
"""

import time
from dataclasses import asdict, dataclass, field

from lab.client import Users
from lab.cluster import Clock, Cluster
from lab.haproxy import Settings, parse_check_events, parse_log
from lab.tomcat import parse_cluster_events
from sim.vocabulary import KILL_KINDS
from sim.vocabulary import LAB_MODES as MODES

RECORD_VERSION = 2  # bump when a run's record changes shape


@dataclass(frozen=True)
class Plan:
    """What to run."""

    mode: str
    kill_kind: str
    victim: str = "B"
    users: int = 12
    think_ms: float = 100.0
    kill_after_s: float = 3.0
    after_s: float = 2.0
    seed: int = 1
    keep_alive: bool = False  # HAProxy reuses server connections (the model opens one each)

    def __post_init__(self) -> None:
        """Refuse what the lab cannot run."""
        if self.mode not in MODES:
            raise ValueError(f"mode {self.mode!r} is not one of {', '.join(MODES)}")
        if self.kill_kind not in KILL_KINDS:
            raise ValueError(f"kill kind {self.kill_kind!r} is not crash or vanish")
        if self.victim not in ("A", "B", "C"):
            raise ValueError(f"victim {self.victim!r} is not A, B or C")
        if not 1 <= self.users <= 200:
            raise ValueError(f"users {self.users} is outside 1..200")


@dataclass
class Run:
    """Everything one experiment recorded, as plain data."""

    plan: dict
    settings: dict
    server_ports: dict
    killed_at_ns: int
    check_events: list[dict]  # HAProxy's log: time_ns, server, passed/failed/up/down
    users: list[dict]
    balancer_log: dict  # request id -> what HAProxy logged
    ended_at_ns: int = 0
    record_version: int = RECORD_VERSION
    crash_exit_ns: int | None = None  # a crash: from SIGKILL until the process was gone
    # Replicated mode: Tomcat's settings, and what its cluster logged about its members.
    tomcat_settings: dict | None = None
    cluster_events: list[dict] = field(default_factory=list)


def run_experiment(plan: Plan, settings: Settings, progress=print) -> Run:
    """Run `plan` on a fresh cluster and return its record."""
    clock = Clock()
    with Cluster.start(plan.mode, settings, keep_alive=plan.keep_alive) as cluster:
        cluster.wait_until_checked()
        progress(f"{plan.mode}: every server passed a health check; traffic starts")
        users = Users(cluster.url, plan.users, plan.think_ms, plan.seed, clock)
        try:
            users.start()
            time.sleep(plan.kill_after_s)
            exit_ns = None
            if plan.kill_kind == "crash":
                sent, gone = cluster.crash(plan.victim)
                killed_at, exit_ns = clock.since_origin(sent), gone - sent
            else:
                cluster.vanish(plan.victim)
                killed_at = clock.now_ns()
            progress(f"{plan.mode}: server {plan.victim} killed ({plan.kill_kind})")
            # Generous: fall failed checks, each costing up to a time-out and an interval.
            limit_s = 2 * settings.fall * settings.check_interval_ms / 1000 + 10
            down = cluster.wait_until_down(plan.victim, limit_s)
            progress(
                f"{plan.mode}: HAProxy marked {plan.victim} down"
                if down
                else f"{plan.mode}: {plan.victim} was not marked down within {limit_s:.0f} s"
            )
            time.sleep(plan.after_s)
            # A request inside a vanished server waits for `timeout server`.
            users.finish(settings.server_timeout_ms / 1000 + 2 * settings.connect_timeout_ms / 1000)
            users.read_carts()
        finally:
            users.close()
        time.sleep(0.05)  # let HAProxy write its last log lines
        log = cluster.haproxy_log()
        events = parse_check_events(log)
        cluster_events = [
            event
            for name, text in cluster.tomcat_logs().items()
            for event in parse_cluster_events(name, text, cluster.cluster_ports)
        ]
        for event in [*events, *cluster_events]:
            event["time_ns"] = clock.since_origin(event["time_ns"])
        return Run(
            plan=asdict(plan),
            settings=settings.to_dict(),
            server_ports=dict(cluster.server_ports),
            killed_at_ns=killed_at,
            crash_exit_ns=exit_ns,
            check_events=events,
            users=[_user_record(u) for u in users.users],
            balancer_log={k: asdict(v) for k, v in parse_log(log).items()},
            ended_at_ns=clock.now_ns(),
            tomcat_settings=cluster.tribes.to_dict() if cluster.cluster_ports else None,
            cluster_events=sorted(cluster_events, key=lambda e: e["time_ns"]),
        )


def _user_record(user) -> dict:
    """A user's requests and final read as plain data."""
    return {
        "name": user.name,
        "records": [asdict(r) for r in user.records],
        "final_cart": user.final_cart,
        "final_server": user.final_server,
    }
