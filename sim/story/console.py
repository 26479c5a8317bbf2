"""The console's lines, in the original page's voice: one function per kind of record.

Each takes the record and the run's config and returns (level, text), or None when the
console says nothing of it (a background user's request that went well, say). The request
lines and the deploy and failover lines are in `requests_said` and `console_lessons`.
"""

from collections.abc import Callable

from sim.core import records as r
from sim.core.config import MODE_LABELS, MODE_RULES, Config
from sim.core.deploy import SIGKILL
from sim.core.units import MS, from_thousandths
from sim.story.console_lessons import LESSON_LINES
from sim.story.console_scale import SCALE_LINES
from sim.story.console_store import STORE_LINES
from sim.story.requests_said import (
    copy_failed,
    lost_update,
    proxy_failed,
    request_line,
    tabs_sent,
)
from sim.story.words import plural, seconds

Line = tuple[str, str] | None

# The kinds whose lines explain an outcome (a kill, what it took with it, a store outage and
# the items a failover or a store crash lost, a lost update, a failed copy or announcement):
# the console keeps them while ordinary lines come and go (sim/story/log.py).
KEY_KINDS = frozenset(
    (
        "killed",
        "deploy_killed",
        "memory_lost",
        "store_down",
        "store_primary_died",
        "store_primary_back",
        "store_crashed",
        "lost_update",
        "copy_failed",
        "proxy_failed",
    )
)


def started(rec: r.Started, config: Config) -> Line:
    return "info", f"Simulator initialized. Mode: {MODE_LABELS[rec.mode]}."


def killed(rec: r.Killed, config: Config) -> Line:
    if rec.cause == SIGKILL:
        return None  # the deploy's own line says it (console_lessons.deploy_killed)
    how = (
        "crashed: connections are refused at once"
        if rec.how == "crash"
        else "vanished: connections time out"
    )
    by = f"{rec.cause} killed Server {rec.server}" if rec.cause else f"Server {rec.server} killed"
    return (
        "error",
        f"{by} ({how}). The balancer still sends it requests until health checks notice.",
    )


def memory_lost(rec: r.MemoryLost, config: Config) -> Line:
    if not MODE_RULES[config.mode].memory_only:
        return None  # replicated sessions are handed over; stateless servers hold none
    took = f"Server {rec.server} took {plural(rec.sessions, 'session')} with it "
    took += f"({plural(rec.items, 'item')} in memory)"
    stale = rec.sessions - rec.lost  # their users had been sent elsewhere: lost then
    if not stale:
        return "warn", f"{took}."
    if rec.lost:
        return "warn", (
            f"{took}: {plural(rec.lost, 'session')} lost now; {stale} already lost, their "
            "users had started new sessions elsewhere."
        )
    if rec.sessions == 1:
        return "warn", f"{took}; it was already lost: its user had started a new one elsewhere."
    return "warn", f"{took}; all were already lost: their users had started new ones elsewhere."


def restarted(rec: r.Restarted, config: Config) -> Line:
    if rec.believed_up:
        note = "The balancer never noticed it was gone."
    else:
        note = f"The balancer re-admits it after {config.rise} passed health checks."
    lead = f"{rec.cause}: Server {rec.server}" if rec.cause else f"Server {rec.server}"
    return "info", f"{lead} restarted, empty. {note}"


def unchanged(rec: r.Unchanged, config: Config) -> Line:
    return "info", f"Server {rec.server} is already {'running' if rec.alive else 'down'}."


_LEFT = {
    "detector": "The failure detector removed Server {} from the cluster",
    "membership": "Cluster membership dropped Server {} (no heartbeat)",
    "stopped": "Server {} left the cluster as it stopped",
}


def member_left(rec: r.MemberLeft, config: Config) -> Line:
    return "info", (
        f"{_LEFT[rec.cause].format(rec.server)}: {plural(rec.promoted, 'backup')} promoted, "
        f"{plural(rec.published, 'session')} re-published to new backups."
    )


def member_joined(rec: r.MemberJoined, config: Config) -> Line:
    return "info", (
        f"Server {rec.server} joined the cluster: "
        f"{plural(rec.published, 'session')} without a backup got one."
    )


def server_added(rec: r.ServerAdded, config: Config) -> Line:
    return "info", f"Server {rec.server} added; the balancer sends it requests at once."


def server_removed(rec: r.ServerRemoved, config: Config) -> Line:
    return "info", f"Server {rec.server} removed; requests already inside it finish."


def marked_down(rec: r.MarkedDown, config: Config) -> Line:
    when = "" if rec.dead_for_ns is None else f" {seconds(rec.dead_for_ns)} after it died"
    count = rec.failed_checks
    if count < config.fall:
        why = (
            f"after {plural(count, 'failed check')}: it had not passed one since it started, "
            "and HAProxy takes such a server down at its first failure"
        )
    else:
        why = f"after {count} failed checks in a row"
    return "warn", f"Health checks marked Server {rec.server} DOWN{when}, {why}."


def marked_up(rec: r.MarkedUp, config: Config) -> Line:
    rise = plural(config.rise, "check")
    return "info", f"Health checks marked Server {rec.server} UP ({rise} passed in a row)."


def store_unchanged(rec: r.StoreUnchanged, config: Config) -> Line:
    return "info", f"The Shared DB is already {'up' if rec.up else 'down'}."


def store_down(rec: r.StoreDown, config: Config) -> Line:
    if MODE_RULES[config.mode].uses_store:
        note = (
            "Stateless servers cannot load or save carts now: the state problem moved, "
            "it did not vanish."
        )
    else:
        note = "This mode keeps carts in server memory, so requests go on."
    return "error", f"Shared DB / Redis is down. {note}"


def store_up(rec: r.StoreUp, config: Config) -> Line:
    return "info", "Shared DB / Redis is back, with every cart it held."


def store_latency(rec: r.StoreLatency, config: Config) -> Line:
    if rec.added_ns:
        return "info", f"Store link slowed: +{seconds(rec.added_ns)} per round trip."
    return "info", "Store link back to normal."


def chaos_switched(rec: r.ChaosSwitched, config: Config) -> Line:
    if not rec.on:
        return "info", "Chaos Monkey off."
    mean = seconds(config.chaos_mean_interval_ms * MS)
    restart = seconds(config.restart_after_ms * MS)
    return "info", (
        f"Chaos Monkey on: it kills a random server about every {mean}; "
        f"killed servers restart after {restart}."
    )


def chaos_spared(rec: r.ChaosSpared, config: Config) -> Line:
    return "info", "Chaos Monkey spared the last live server."


def traffic_set(rec: r.TrafficSet, config: Config) -> Line:
    if not rec.rate_milli:
        return "info", "Background traffic off."
    rate = from_thousandths(rec.rate_milli)
    users = plural(config.traffic_users, "simulated user")
    return "info", f"Background traffic: {rate} requests/s from {users}."


LINES: dict[type, Callable[..., Line]] = {
    r.Started: started,
    r.TabsSent: tabs_sent,
    r.LostUpdate: lost_update,
    r.CopyFailed: copy_failed,
    r.ProxyFailed: proxy_failed,
    r.RequestFinished: request_line,
    r.Killed: killed,
    r.MemoryLost: memory_lost,
    r.Restarted: restarted,
    r.Unchanged: unchanged,
    r.MemberLeft: member_left,
    r.MemberJoined: member_joined,
    r.ServerAdded: server_added,
    r.ServerRemoved: server_removed,
    r.MarkedDown: marked_down,
    r.MarkedUp: marked_up,
    r.StoreUnchanged: store_unchanged,
    r.StoreDown: store_down,
    r.StoreUp: store_up,
    r.StoreLatency: store_latency,
    r.ChaosSwitched: chaos_switched,
    r.ChaosSpared: chaos_spared,
    r.TrafficSet: traffic_set,
    **LESSON_LINES,
    **STORE_LINES,
    **SCALE_LINES,
}


def lines(rec: r.Record, config: Config) -> list[tuple[str, str]]:
    """The console's lines for one record (most give one, some none, one gives two)."""
    said = LINES[type(rec)](rec, config)
    if said is None:
        return []
    return said if isinstance(said, list) else [said]
