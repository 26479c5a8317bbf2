"""A crash of the store: the stateless cluster's Redis killed (SIGKILL) while users add items,
restarted with what its persistence kept, and the carts that survive beside the simulator's.

For each `store_persistence` setting of the simulator, Redis runs with the matching options
(Redis persistence manual; redis.conf; `lab.cluster.REDIS_PERSISTENCE`):
- "none": `save ""`, `appendonly no`: nothing on disk;
- "rdb": Redis's built-in save points `save 3600 1 300 100 60 10000` (what a Redis started
  without a configuration file uses; the shipped redis.conf leaves them commented out), no
  AOF;
- "aof-everysec" and "aof-always": `appendonly yes` with `appendfsync everysec` or `always`,
  no RDB save points.
The timeline: traffic for `kill_after_s`, SIGKILL of redis-server, a supervisor's pause of
`Config().store_restart_ms` (the model's restart delay), redis-server started again on the
same folder (it loads its RDB file or its AOF), traffic for `after_s` more, then each user
reads its cart. A killed process cannot save on its way out (SIGKILL is not caught), so what
survives is what was on disk, or in the kernel's page cache, at the kill.
"""

import time
from dataclasses import asdict, dataclass

from lab.analysis import MS, check_origin_ns
from lab.client import Users
from lab.cluster import Clock, Cluster
from lab.haproxy import Settings, model_config, parse_check_events
from sim.core.config import Config
from sim.vocabulary import BINDINGS_VERSION, STORE_PERSISTENCE


@dataclass(frozen=True)
class StorePlan:
    """One store crash to run."""

    persistence: str
    users: int = 8
    think_ms: float = 100.0
    kill_after_s: float = 3.0
    after_s: float = 2.0
    seed: int = 1

    def __post_init__(self) -> None:
        """Refuse what the lab cannot run."""
        if self.persistence not in STORE_PERSISTENCE:
            raise ValueError(f"persistence {self.persistence!r} is not one of {STORE_PERSISTENCE}")


def run_store_crash(plan: StorePlan, settings: Settings, progress=print) -> dict:
    """Run `plan` on a fresh stateless cluster; return its record (plain data)."""
    clock = Clock()
    restart_s = Config().store_restart_ms / 1000
    with Cluster.start("stateless", settings, persistence=plan.persistence) as cluster:
        cluster.wait_until_checked()
        progress(f"store crash {plan.persistence}: traffic starts")
        users = Users(cluster.url, plan.users, plan.think_ms, plan.seed, clock)
        try:
            users.start()
            time.sleep(plan.kill_after_s)
            killed = clock.since_origin(cluster.crash_store())
            progress(f"store crash {plan.persistence}: redis-server killed (SIGKILL)")
            time.sleep(restart_s)
            cluster.restart_store()
            restarted = clock.now_ns()
            progress(f"store crash {plan.persistence}: redis-server restarted")
            time.sleep(plan.after_s)
            users.finish(settings.server_timeout_ms / 1000)
            users.read_carts()
        finally:
            users.close()
        time.sleep(0.05)  # let HAProxy write its last log lines
        events = parse_check_events(cluster.haproxy_log())
        for event in events:
            event["time_ns"] = clock.since_origin(event["time_ns"])
        return {
            "plan": asdict(plan),
            "settings": settings.to_dict(),
            "server_ports": dict(cluster.server_ports),
            "killed_at_ns": killed,
            "restarted_at_ns": restarted,
            "check_events": events,
            "users": [
                {
                    "name": u.name,
                    "records": [asdict(r) for r in u.records],
                    "final_cart": u.final_cart,
                }
                for u in users.users
            ],
        }


def _before_and_after(run: dict, user: dict) -> tuple[list[str], list[dict]]:
    """The items acknowledged before the crash, and the requests the simulator replays.

    An item was written before the crash when its request was sent before it and answered
    before Redis came back (nothing answers in between). The replay has every other request:
    those sent from the crash on, and those in flight at the crash (replayed at its moment).
    """
    killed, restarted = run["killed_at_ns"], run["restarted_at_ns"]
    acked: list[str] = []
    later = []
    for r in user["records"]:
        if r["sent_ns"] < killed and r["status"] == 200 and r["received_ns"] < restarted:
            acked.append(r["item"])
        elif r["sent_ns"] >= killed or r["received_ns"] > killed:
            later.append(r)
    return acked, later


def measure_store_crash(run: dict) -> dict:
    """Items acknowledged before the crash and lost after it; carts that kept every item."""
    lost = kept = acknowledged = 0
    for user in run["users"]:
        acked, _ = _before_and_after(run, user)
        final = set(user["final_cart"] or ())
        missing = [item for item in acked if item not in final]
        acknowledged += len(acked)
        lost += len(missing)
        kept += 1 if acked and not missing else 0
    # Items acknowledged after the restart are lost by nothing here; count them all too.
    acked_all = [r["item"] for u in run["users"] for r in u["records"] if r["status"] == 200]
    finals = {item for u in run["users"] for item in (u["final_cart"] or ())}
    return {
        "acknowledged_before": acknowledged,
        "lost_items": sum(1 for item in acked_all if item not in finals),
        "lost_before": lost,
        "carts_kept": kept,
        "carts": sum(1 for u in run["users"] if _before_and_after(run, u)[0]),
        "restart_s": round((run["restarted_at_ns"] - run["killed_at_ns"]) / 1e9, 3),
    }


def store_crash_bindings(run: dict) -> dict:
    """The bindings `python -m sim predict` replays: each user's items at the crash, the
    crash's moment and persistence, the restart's delay, the requests from the crash on."""
    killed = run["killed_at_ns"]
    origin = check_origin_ns(run)
    users, later = [], []
    for user in run["users"]:
        acked, replayed = _before_and_after(run, user)
        users.append({"id": user["name"], "server": None, "items": len(acked)})
        for r in replayed:
            at_ms = round((max(r["sent_ns"], killed) - origin) / MS, 3)
            later.append({"user": user["name"], "at_ms": at_ms})
    settings = run["settings"]
    return {
        "version": BINDINGS_VERSION,
        "mode": "stateless",
        "servers": sorted(run["server_ports"]),
        "config": model_config(settings),
        "store_crash": {
            "at_ms": round((killed - origin) / MS, 3),
            "persistence": run["plan"]["persistence"],
            "restart_ms": round((run["restarted_at_ns"] - killed) / MS),
        },
        "users": users,
        "requests_after_kill": sorted(later, key=lambda r: r["at_ms"]),
    }


def store_crash_lines(persistence: str, measured: dict, predicted: dict) -> tuple[list, bool]:
    """The report of one store crash: what survived, then its verdict line; and the verdict."""
    agree = measured["lost_items"] == predicted["lost_items"]
    word = "AGREE" if agree else "DISAGREE"
    lines = [
        f"store crash ({persistence}): redis-server killed, restarted after"
        f" {measured['restart_s']:.2f} s; carts that kept every item acknowledged before the"
        f" crash: {measured['carts_kept']} of {measured['carts']}"
        f" ({measured['acknowledged_before']} items acknowledged before the crash)",
        f"store crash {persistence}: lost {measured['lost_items']},"
        f" predicted {predicted['lost_items']}: {word}",
    ]
    return lines, agree
