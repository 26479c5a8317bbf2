"""What a recorded run measured, and the bindings the simulator needs to predict the same run.

Definitions follow the simulator's (sim/README.md), with Jepsen's vocabulary for items:
- a request is ok when it got a 200, failed otherwise (an HTTP error, or the connection
  closed without an answer); retried when HAProxy logged connection retries for it;
- an acknowledged item is one whose request got a 200; it is lost when the user's final read
  of the cart does not return it; an item present but never acknowledged is indeterminate
  (its server died before answering);
- the detection window runs from the kill to the moment HAProxy logged the victim down;
- the requests "from the kill on" are those sent from the kill on, and those in flight at the
  kill that HAProxy had to retry: their first connection met the dead server (a vanish is
  inserted a few milliseconds before the lab notes its time), so the simulator replays them
  at the kill.
Replicated mode (Tomcat) adds three times after the kill, as `python -m sim predict` gives
them: when a surviving member first logged the victim removed from the cluster ("Received
member disappeared"); the longest wait of a request sent from the kill on whose session had
its backup on the victim (the user's previous answer said so, X-Backup) and that another
server answered at its first attempt (HAProxy logged no retry: what can hold it is the session
copy to the dead member); and when the last user whose session was on the victim got an
answer again. Beside them, for the report: the longest a failed send's detector check that
found the member already removed waited for that answer ("Received memberDisappeared" to
"Member already disappeared"; TcpFailureDetector takes its `membership` lock in between).
"""

from dataclasses import dataclass

from lab.haproxy import model_config
from sim.vocabulary import BINDINGS_VERSION

MS = 1_000_000


def nearest_rank(sorted_values: list[float], percent: int) -> float | None:
    """The nearest-rank percentile of already sorted values (None when empty)."""
    if not sorted_values:
        return None
    rank = max(1, -(-percent * len(sorted_values) // 100))
    return sorted_values[rank - 1]


@dataclass(frozen=True)
class Measured:
    """The figures of one run."""

    requests: int
    ok: int
    failed: int
    retried: int
    failed_without_answer: int
    acknowledged_items: int
    lost_items: int
    lost_sessions: int
    indeterminate_items: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    store_us_median: float | None
    detection_s: float | None
    failed_checks_s: list[float]  # when each check of the victim failed, after the kill
    after_kill: dict  # requests sent from the kill on: requests, ok, failed, retried
    member_removed_s: float | None = None  # replicated mode only, as the next two
    copy_stall_s: float | None = None
    recovery_s: float | None = None
    detector_wait_s: float | None = None  # see the module's docstring


def _records(run: dict) -> list[dict]:
    """Every request of the run, in the order sent."""
    records = [r for user in run["users"] for r in user["records"]]
    return sorted(records, key=lambda r: r["sent_ns"])


def _counts(records: list[dict], log: dict) -> dict:
    """requests, ok, failed and retried of `records`."""
    ok = sum(1 for r in records if r["status"] == 200)
    retried = sum(1 for r in records if log.get(r["request_id"], {}).get("retries", 0) > 0)
    return {"requests": len(records), "ok": ok, "failed": len(records) - ok, "retried": retried}


def from_the_kill_on(record: dict, killed: int, log: dict, victim: str) -> bool:
    """Whether a request counts from the kill on (see the module's docstring). One the victim
    answered does not: the lab notes the kill when it sends SIGKILL, and a loaded machine can
    let the victim answer a request sent a few milliseconds later (seen: sent 2 ms after,
    answered 6 ms after); it was alive then, so that request came before its death."""
    if record["status"] == 200 and record["server"] == victim:
        return False
    if record["sent_ns"] >= killed:
        return True
    in_flight = record["received_ns"] > killed
    return in_flight and log.get(record["request_id"], {}).get("retries", 0) > 0


def measure(run: dict) -> Measured:
    """Return the figures of a recorded run."""
    records = _records(run)
    log = run["balancer_log"]
    counts = _counts(records, log)
    acked = lost = indeterminate = lost_sessions = 0
    for user in run["users"]:
        acked_items = [r["item"] for r in user["records"] if r["status"] == 200]
        final = set(user["final_cart"] or ())
        missing = [item for item in acked_items if item not in final]
        acked += len(acked_items)
        lost += len(missing)
        lost_sessions += 1 if missing else 0
        indeterminate += len(final - set(acked_items))
    ok = [r for r in records if r["status"] == 200]
    latencies = sorted((r["received_ns"] - r["sent_ns"]) / MS for r in ok)
    store = sorted(r["store_us"] for r in records if r["store_us"] is not None)
    killed = run["killed_at_ns"]
    victim = run["plan"]["victim"]
    after = [e for e in run["check_events"] if e["server"] == victim and e["time_ns"] > killed]
    down = next((e["time_ns"] for e in after if e["event"] == "down"), None)
    failed_checks = [
        round((e["time_ns"] - killed) / 1e9, 3) for e in after if e["event"] == "failed"
    ]
    return Measured(
        **counts,
        failed_without_answer=sum(1 for r in records if r["status"] == 0),
        acknowledged_items=acked,
        lost_items=lost,
        lost_sessions=lost_sessions,
        indeterminate_items=indeterminate,
        p50_ms=_round(nearest_rank(latencies, 50)),
        p95_ms=_round(nearest_rank(latencies, 95)),
        p99_ms=_round(nearest_rank(latencies, 99)),
        store_us_median=nearest_rank(store, 50),
        detection_s=None if down is None else round((down - killed) / 1e9, 3),
        failed_checks_s=failed_checks,
        after_kill=_counts([r for r in records if from_the_kill_on(r, killed, log, victim)], log),
        **(_cluster_times(run, records) if run["plan"]["mode"] == "replicated" else {}),
    )


def _cluster_times(run: dict, records: list[dict]) -> dict:
    """Replicated mode's three times after the kill (see the module's docstring)."""
    killed = run["killed_at_ns"]
    victim = run["plan"]["victim"]
    removed = [
        e["time_ns"]
        for e in run["cluster_events"]
        if e["event"] == "removed" and e["member"] == victim and e["server"] != victim
    ]
    removed = [t for t in removed if t >= killed]
    log = run["balancer_log"]
    later = [r for r in records if from_the_kill_on(r, killed, log, victim) and r["status"] == 200]
    first_try = []
    for user in run["users"]:
        backup = None  # where the user's session had its backup, as its last answer said
        for r in user["records"]:
            retried = log.get(r["request_id"], {}).get("retries", 0) > 0
            held = (
                from_the_kill_on(r, killed, log, victim) and r["status"] == 200 and backup == victim
            )
            if held and r["server"] != victim and not retried:
                first_try.append(r["received_ns"] - r["sent_ns"])
            if r["status"] == 200:
                backup = r.get("backup")
    on_victim = {u["id"] for u in bindings(run)["users"] if u["server"] == victim}
    answered = {}
    for r in later:
        if r["user"] in on_victim:
            answered.setdefault(r["user"], r["received_ns"])
    recovered = max(answered.values()) if answered.keys() == on_victim and on_victim else None
    waits = _detector_waits(run["cluster_events"], killed)
    return {
        "detector_wait_s": _seconds(max(waits)) if waits else None,
        "member_removed_s": _seconds(min(removed) - killed) if removed else None,
        "copy_stall_s": _seconds(max(first_try)) if first_try else None,
        "recovery_s": None if recovered is None else _seconds(recovered - killed),
    }


def _detector_waits(events: list[dict], killed: int) -> list[int]:
    """How long each detector check begun after the kill that ended "already disappeared"
    took: per logging server and member, each check ends the oldest still open."""
    open_checks: dict[tuple, list[int]] = {}
    waits = []
    for event in sorted(events, key=lambda e: e["time_ns"]):
        key = (event["server"], event["member"])
        if event["event"] == "verify":
            open_checks.setdefault(key, []).append(event["time_ns"])
        elif event["event"] in ("confirmed", "still_alive", "already_gone"):
            started = open_checks.get(key, [])
            if started:
                begun = started.pop(0)
                if event["event"] == "already_gone" and begun >= killed:
                    waits.append(event["time_ns"] - begun)
    return waits


def _seconds(ns: int) -> float:
    """Nanoseconds as seconds, to the millisecond."""
    return round(ns / 1e9, 3)


def _round(value: float | None) -> float | None:
    """Round milliseconds to the microsecond."""
    return None if value is None else round(value, 3)


def check_origin_ns(run: dict) -> int:
    """When HAProxy's first health check passed, in the lab's clock: the model's time 0.

    HAProxy 2.6 starts the check of server i of n (in configuration order) at
    inter * i / n after start-up (src/check.c, start_checks): A's at once, so A's first
    passed check (its log line, a loopback connect of under a millisecond) dates the
    schedule.
    """
    return min(e["time_ns"] for e in run["check_events"] if e["event"] == "passed")


def bindings(run: dict) -> dict:
    """Which user was on which server with how many acknowledged items when the kill came.

    A user's session is where its last acknowledged request before the kill was answered. An
    answer from the victim counts even when it arrived just after the kill: the victim wrote
    it before it died (after a crash it writes nothing; after a vanish nothing gets out).
    Also the requests sent from the kill on, so the simulator can replay the same traffic.
    Times are in milliseconds from HAProxy's first round of checks.
    """
    killed = run["killed_at_ns"]
    victim = run["plan"]["victim"]
    origin = check_origin_ns(run)
    stateless = run["plan"]["mode"] == "stateless"
    replicated = run["plan"]["mode"] == "replicated"
    users = []
    log = run["balancer_log"]
    later = []
    for user in run["users"]:
        server = backup = None
        items = 0
        for r in user["records"]:
            if from_the_kill_on(r, killed, log, victim):
                at_ms = round((max(r["sent_ns"], killed) - origin) / MS, 3)
                later.append({"user": user["name"], "at_ms": at_ms})
            before = r["received_ns"] <= killed or r["server"] == victim
            answered = r["status"] == 200 and (r["sent_ns"] < killed or r["server"] == victim)
            if answered and before:
                server, items, backup = r["server"], len(r["cart"]), r.get("backup")
        bound = {"id": user["name"], "server": None if stateless else server, "items": items}
        if replicated and backup:
            bound["backup"] = backup
        users.append(bound)
    settings = run["settings"]
    tomcat = run.get("tomcat_settings") or {}
    tribes = (
        {
            "replication_timeout_ms": tomcat["transport_timeout_ms"],
            "failure_check_timeout_ms": tomcat["tcp_failure_detector_connect_timeout_ms"],
            "membership_drop_ms": tomcat["static_membership_expiration_ms"],
        }
        if tomcat
        else {}
    )
    return {
        "version": BINDINGS_VERSION,
        "mode": run["plan"]["mode"],
        "servers": sorted(run["server_ports"]),
        "config": {**model_config(settings), **tribes},
        "kill": {
            "server": victim,
            "kind": run["plan"]["kill_kind"],
            "at_ms": round((killed - origin) / MS, 3),
        },
        "users": users,
        "requests_after_kill": sorted(later, key=lambda r: r["at_ms"]),
    }
