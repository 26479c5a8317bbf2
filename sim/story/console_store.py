"""The console's lines for a crash of the store's Redis process (see sim/story/console.py)."""

from sim.core import records as r
from sim.core.config import MODE_RULES, Config
from sim.core.units import MS
from sim.story.words import plural, seconds

Line = tuple[str, str] | None

# What a killed Redis process restarts with, per `store_persistence`.
KEEPS = {
    "none": "no persistence: it restarts empty",
    "rdb": "RDB snapshots (save 3600 1 300 100 60 10000): it restarts with its last snapshot",
    "aof-everysec": "an append-only file, written before each reply (fsync every second): it "
    "restarts with every write it answered",
    "aof-always": "an append-only file, fsynced before each reply: it restarts with every "
    "write it answered",
}


def _disk(rec: r.StoreCrashed) -> str:
    """What the disk held at the kill."""
    if rec.persistence != "rdb":
        return KEEPS[rec.persistence]
    if rec.saved_ago_ns is None:
        return (
            "RDB snapshots, but none yet (the first comes after an hour, or sooner with "
            "100 changes in 5 minutes or 10,000 in one): it restarts empty"
        )
    return (
        f"RDB snapshots: it restarts with the one taken {seconds(rec.saved_ago_ns)} ago, "
        "without the writes since"
    )


def store_crashed(rec: r.StoreCrashed, config: Config) -> list[tuple[str, str]]:
    restart = seconds(rec.restart_ns)
    said = [
        (
            "error",
            f"Redis primary {rec.primary}'s process was killed; a supervisor restarts it in "
            f"{restart}. Its memory is gone; its disk holds {_disk(rec)}.",
        )
    ]
    if not MODE_RULES[config.mode].uses_store:
        said.append(("info", "This mode keeps carts in server memory, so requests go on."))
        return said
    if rec.replica is not None:
        after = seconds(config.store_down_after_ms * MS)
        said.append(
            (
                "info",
                f"Sentinel promotes {rec.replica} only if {rec.primary} stays silent for "
                f"{after}; back sooner, {rec.primary} stays the primary and {rec.replica} "
                "copies whatever it restarts with.",
            )
        )
    if rec.lost:
        said.append(
            (
                "warn",
                f"{plural(rec.lost, 'acknowledged item')} {'is' if rec.lost == 1 else 'are'} "
                f"not on its disk: lost, unless Sentinel promotes {rec.replica} first."
                if rec.replica is not None
                else f"{plural(rec.lost, 'acknowledged item')} "
                f"{'is' if rec.lost == 1 else 'are'} not on its disk: lost.",
            )
        )
    else:
        said.append(("info", "Every acknowledged item is on its disk: nothing is lost."))
    return said


def store_crash_ignored(rec: r.StoreCrashIgnored, config: Config) -> Line:
    why = {
        "down": "the store is unreachable",
        "restarting": "its process is already restarting",
        "failing_over": "the primary is already down and Sentinel is failing over",
    }[rec.why]
    return "info", f"No Redis process to kill: {why}."


def store_restarted(rec: r.StoreRestarted, config: Config) -> Line:
    if rec.role == "replica":
        return "info", (
            f"Redis {rec.node} runs again; Sentinel makes it a replica of the new primary, "
            "and it copies the data."
        )
    copied = f"; {rec.replica} copies it again" if rec.replica is not None else ""
    return "info", (
        f"Redis {rec.node} runs again, the primary, with the {plural(rec.items, 'item')} it "
        f"loaded from disk{copied}. The store serves again."
    )


STORE_LINES = {
    r.StoreCrashed: store_crashed,
    r.StoreCrashIgnored: store_crash_ignored,
    r.StoreRestarted: store_restarted,
}
