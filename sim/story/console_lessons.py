"""The console's lines for a rolling deploy and a store failover (see sim/story/console.py)."""

from sim.core import records as r
from sim.core import records_deploy as rd
from sim.core.config import Config
from sim.core.units import MS
from sim.story.words import plural, seconds

Line = tuple[str, str] | None


def deploy_started(rec: rd.DeployStarted, config: Config) -> Line:
    wait = seconds(config.drain_ms * MS)
    return "info", (
        f"Rolling deploy of Servers {', '.join(rec.servers)}, one at a time: each drains "
        f"(no new users) through a preStop wait of {wait}, then gets SIGTERM, finishes the "
        "requests inside and exits; the new version starts empty and rejoins after "
        f"{plural(config.rise, 'passed health check')}."
    )


def deploy_ignored(rec: rd.DeployIgnored, config: Config) -> Line:
    return "info", f"A rolling deploy is already running (Server {rec.server}); ignored."


def deploy_draining(rec: rd.DeployDraining, config: Config) -> Line:
    wait = seconds(config.drain_ms * MS)
    return "info", (
        f"Rolling deploy: Server {rec.server} drains (HAProxy drain): no new visitors, but "
        f"clients whose cookie names it still reach it, and it serves them during its preStop "
        f"wait ({wait})."
    )


def deploy_stopping(rec: rd.DeployStopping, config: Config) -> Line:
    inside = plural(rec.in_flight, "request")
    return "info", (
        f"Rolling deploy: SIGTERM for Server {rec.server}. It is out of the balancer and "
        f"Tomcat pauses its connectors, so nothing new gets in; it exits once the requests "
        f"inside have finished ({inside} now)."
    )


def deploy_killed(rec: rd.DeployKilled, config: Config) -> Line:
    grace = seconds(config.termination_grace_ms * MS)
    inside = plural(rec.in_flight, "request")
    return "warn", (
        f"Rolling deploy: the {grace} grace period (terminationGracePeriodSeconds) is over and "
        f"Server {rec.server} is still running: SIGKILL, with {inside} inside. No clean stop: "
        "its memory goes as in a crash."
    )


def deploy_replaced(rec: rd.DeployReplaced, config: Config) -> Line:
    return "info", f"Rolling deploy: Server {rec.server} runs the new version, back in."


def deploy_skipped(rec: rd.DeploySkipped, config: Config) -> Line:
    return "warn", f"Rolling deploy skips Server {rec.server}: it is {rec.why}."


def deploy_finished(rec: rd.DeployFinished, config: Config) -> Line:
    return "info", f"Rolling deploy finished in {seconds(rec.took_ns)}."


def store_failover_ignored(rec: r.StoreFailoverIgnored, config: Config) -> Line:
    why = {
        "under_way": "a failover is already under way",
        "restarting": "the primary's process is restarting",
    }.get(rec.why, f"there is no replica to promote ({rec.failed} is still down)")
    return "info", f"No store failover: {why}."


def store_primary_died(rec: r.StorePrimaryDied, config: Config) -> list[tuple[str, str]]:
    after = seconds(config.store_down_after_ms * MS)
    said = [
        (
            "error",
            f"Redis primary {rec.primary} died. Sentinel declares it down after {after} "
            f"without an answer (down-after-milliseconds), then promotes {rec.replica}; until "
            "then no server can load or save a cart.",
        )
    ]
    if config.store_wait:
        said.append(("info", "Every acknowledged write had reached the replica (WAIT)."))
    elif rec.lost:
        lag = seconds(config.store_replication_lag_ms * MS)
        said.append(
            (
                "warn",
                f"{plural(rec.lost, 'acknowledged item')} written in the last {lag} had not "
                "reached the replica (asynchronous replication): lost.",
            )
        )
    return said


def store_odown(rec: r.StoreOdown, config: Config) -> Line:
    return "warn", (
        f"Sentinel: {rec.primary} is objectively down (quorum); the elected leader promotes "
        f"{rec.replica} (REPLICAOF NO ONE) and clients look up the new primary."
    )


def store_promoted(rec: r.StorePromoted, config: Config) -> Line:
    note = ""
    if config.store_wait:
        note = " Writes that WAIT for a replica now block: there is none"
        timeout = config.store_wait_timeout_ms
        note += f", until WAIT's {seconds(timeout * MS)} time-out." if timeout else "."
    return "info", (
        f"{rec.primary} is the primary now; the store is reachable again, without a replica "
        f"({rec.failed} stays down).{note}"
    )


def store_replica_back(rec: r.StoreReplicaBack, config: Config) -> Line:
    return "info", (
        f"{rec.replica} is back: Sentinel makes it a replica of {rec.primary} (REPLICAOF), "
        "and it copies the data again."
    )


def store_primary_back(rec: r.StorePrimaryBack, config: Config) -> list[tuple[str, str]]:
    after = seconds(config.store_down_after_ms * MS)
    kept = (
        f" (the {plural(rec.kept, 'acknowledged item')} the replica lacked too)" if rec.kept else ""
    )
    return [
        (
            "info",
            f"Redis primary {rec.primary} answers again before Sentinel's {after} "
            f"(down-after-milliseconds) ran out: it was never declared down, so no failover "
            f"follows. It is the primary again, with every cart it held{kept}.",
        )
    ]


LESSON_LINES = {
    rd.DeployStarted: deploy_started,
    rd.DeployIgnored: deploy_ignored,
    rd.DeployDraining: deploy_draining,
    rd.DeployStopping: deploy_stopping,
    rd.DeployKilled: deploy_killed,
    rd.DeployReplaced: deploy_replaced,
    rd.DeploySkipped: deploy_skipped,
    rd.DeployFinished: deploy_finished,
    r.StoreFailoverIgnored: store_failover_ignored,
    r.StorePrimaryDied: store_primary_died,
    r.StorePrimaryBack: store_primary_back,
    r.StoreOdown: store_odown,
    r.StorePromoted: store_promoted,
    r.StoreReplicaBack: store_replica_back,
}
