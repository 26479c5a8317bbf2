"""A crash of the store's Redis process (`kill_store` kind "crash"): it restarts with what its
persistence kept (Redis persistence manual; src/server.c, aof.c), and Sentinel fails over only
if it stays down for down-after-milliseconds."""

import pytest

from sim.browser.facade import Demo, load
from sim.browser.scenario import encode, parse
from sim.core.units import MS, S

CRASH = {"type": "kill_store", "kind": "crash"}


def demo(**config) -> Demo:
    """A stateless demo with these settings."""
    d = Demo()
    d.apply({"type": "reset", "config": {"mode": "stateless", **config}})
    return d


def crashed_after_three(persistence: str, **config) -> tuple[Demo, dict, dict]:
    """Three items, a crash, 2 s (the restart is 1 s), one more item; return the demo and the
    snapshots at the crash and after the last request."""
    d = demo(store_persistence=persistence, **config)
    for _ in range(3):
        d.apply({"type": "request"})
    at_crash = d.apply(CRASH)
    d.apply({"type": "advance", "ns": 2 * S})
    return d, at_crash, d.apply({"type": "request"})


# The lesson in numbers: three acknowledged items, then the process is killed a few
# milliseconds in. No RDB snapshot has been taken yet (the first save point needs an hour,
# or 100 changes and 5 minutes), so rdb loses them as "none" does; an append-only file was
# written before each reply, so neither AOF setting loses anything.
LOST = {"none": 3, "rdb": 3, "aof-everysec": 0, "aof-always": 0}


@pytest.mark.parametrize("persistence", sorted(LOST))
def test_a_killed_redis_restarts_with_what_its_persistence_kept(persistence):
    _, at_crash, after = crashed_after_three(persistence)
    lost = LOST[persistence]
    assert at_crash["user"]["lost_items"] == lost
    assert at_crash["store"]["up"] is False
    assert at_crash["store"]["restarting"] == {"until_ns": at_crash["time_ns"] + S}
    assert after["traces"][-1]["status"] == 200
    assert after["user"]["cart_items"] == 3 - lost + 1
    assert after["metrics"]["lost_items"] == lost
    assert after["store"]["restarting"] is None
    # Its replica copied the restarted primary: no failover, R1 still the primary.
    assert after["store"]["nodes"][0] == {"name": "R1", "role": "primary", "up": True}


def test_the_console_and_the_disk_line_say_what_the_disk_held():
    _, at_crash, after = crashed_after_three("none")
    said = " ".join(line["text"] for line in at_crash["log"])
    assert "R1's process was killed; a supervisor restarts it in 1.0 s" in said
    assert "no persistence: it restarts empty" in said
    assert "3 acknowledged items are not on its disk" in said
    assert at_crash["store"]["status"]["text"] == "Primary's process killed; it restarts in 1.0 s"
    assert "R1 runs again, the primary, with the 0 items it loaded from disk" in " ".join(
        line["text"] for line in after["log"]
    )
    assert demo(store_persistence="aof-always").snapshot()["store"]["disk"] == (
        "Disk: append-only file, every write (fsync before each reply)"
    )


def test_a_request_during_the_restart_fails_and_one_after_it_succeeds():
    d = demo(store_persistence="aof-everysec")
    d.apply({"type": "request"})
    d.apply(CRASH)
    assert d.apply({"type": "request"})["traces"][-1]["status"] == 503
    d.apply({"type": "advance", "ns": S})
    snap = d.apply({"type": "request"})
    assert snap["traces"][-1]["status"] == 200 and snap["user"]["cart_items"] == 2


def test_rdb_keeps_the_last_snapshot_and_loses_the_writes_since():
    """`save 300 100`: more than 300 s and at least 100 changes since the last save. Background
    writes pass 100 within 30 s; the save fires at 300 s with the three items in it; the
    fourth item, written after it, is lost with the process."""
    d = demo()  # rdb is the default
    for _ in range(3):
        d.apply({"type": "request"})
    d.apply({"type": "traffic", "rate_per_s": 10})
    d.apply({"type": "advance", "ns": 30 * S})
    d.apply({"type": "traffic", "rate_per_s": 0})
    d.apply({"type": "advance", "ns": 290 * S})
    snap = d.apply({"type": "request"})  # at about 320 s: the save at 300 s comes first
    assert snap["store"]["disk"].startswith("Disk: RDB snapshot of 20.")
    at_crash = d.apply(CRASH)
    assert at_crash["user"]["lost_items"] == 1
    assert "it restarts with the one taken 20." in " ".join(t["text"] for t in at_crash["log"])
    assert at_crash["metrics"]["lost_items"] == 0 + 1  # the background carts were all saved


def test_a_restart_slower_than_down_after_lets_sentinel_promote_the_replica():
    """Back after Sentinel called it down, the old primary is not the primary any more: R2 is,
    with what it had (everything older than the lag), and R1 becomes its replica."""
    d = demo(store_persistence="none", store_restart_ms=40_000)
    for _ in range(3):
        d.apply({"type": "request"})
    d.apply({"type": "advance", "ns": S})  # older than the 100 ms lag: R2 has all three
    at_crash = d.apply(CRASH)
    assert at_crash["user"]["lost_items"] == 3  # if it restarted first, empty
    snap = d.apply({"type": "advance", "ns": 36 * S})
    assert snap["store"]["nodes"][1] == {"name": "R2", "role": "primary", "up": True}
    assert snap["user"]["lost_items"] == 0
    assert snap["store"]["restorable"] is True
    snap = d.apply({"type": "advance", "ns": 4 * S})  # R1's process runs again at 40 s
    assert snap["store"]["nodes"][0] == {"name": "R1", "role": "replica", "up": True}
    assert "Sentinel makes it a replica of R2" in snap["log"][-1]["text"]
    assert d.apply({"type": "request"})["user"]["cart_items"] == 4


def test_restore_database_restarts_the_killed_process_at_once():
    d = demo(store_persistence="aof-always", store_restart_ms=600_000)
    d.apply({"type": "request"})
    d.apply(CRASH)
    snap = d.apply({"type": "restore_store"})
    assert snap["store"]["up"] is True and snap["store"]["restarting"] is None
    assert snap["store"]["failover"] is None
    assert d.apply({"type": "request"})["user"]["cart_items"] == 2


def test_a_crash_with_no_replica_leaves_the_store_down_until_the_restart():
    d = demo(store_persistence="aof-everysec")
    d.apply({"type": "request"})
    d.apply({"type": "failover_store"})
    d.apply({"type": "advance", "ns": 40 * S})  # R2 is the primary now, without a replica
    snap = d.apply(CRASH)
    assert snap["store"]["failover"] is None and snap["store"]["up"] is False
    assert "Sentinel promotes" not in " ".join(t["text"] for t in snap["log"][-3:])
    snap = d.apply({"type": "advance", "ns": S})
    assert snap["store"]["up"] is True
    assert snap["store"]["nodes"][1] == {"name": "R2", "role": "primary", "up": True}


@pytest.mark.parametrize(
    ("before", "why"),
    [
        ({"type": "kill_store"}, "the store is unreachable"),
        (CRASH, "its process is already restarting"),
        ({"type": "failover_store"}, "the primary is already down and Sentinel is failing over"),
    ],
)
def test_a_crash_of_a_store_already_down_is_logged_and_ignored(before, why):
    d = demo()
    d.apply(before)
    snap = d.apply(CRASH)
    assert snap["log"][-1]["text"] == f"No Redis process to kill: {why}."


def test_a_write_blocked_in_wait_is_cut_off_by_the_crash():
    """WAIT with no replica: the write is on the primary; the killed process breaks the
    connection, so the server answers 503 at once, and an AOF keeps the unconfirmed item."""
    d = demo(store_wait=True, store_persistence="aof-always", store_wait_timeout_ms=0)
    d.apply({"type": "failover_store"})
    d.apply({"type": "advance", "ns": 40 * S})
    d.apply({"type": "traffic", "rate_per_s": 20})
    d.apply({"type": "advance", "ns": S})
    snap = d.apply(CRASH)
    d.apply({"type": "traffic", "rate_per_s": 0})
    snap = d.apply({"type": "advance", "ns": 5 * S})
    assert snap["metrics"]["acknowledged_items"] == 0
    assert snap["metrics"]["present_items"] >= 15  # written, never confirmed, kept by the AOF
    cut = [
        t for t in snap["traces"] if any("Redis process was killed" in h["note"] for h in t["hops"])
    ]
    assert cut and all(t["status"] == 503 for t in cut)
    assert all(t["latency_ns"] == sum(h["ns"] for h in t["hops"]) for t in cut)
    assert all(t["latency_ns"] < 2 * S for t in cut)


def test_the_crash_has_a_token_and_old_store_kills_mean_what_they_meant():
    d = demo()
    d.apply(CRASH)
    text = d.snapshot()["scenario"]
    assert text.endswith(".dc")
    assert parse(text).actions[-1] == CRASH
    assert parse("v2.1..r-d-u").actions[1] == {"type": "kill_store"}
    assert encode(parse("v2.1..r-d-u")).endswith("..r-d-u")
    assert load(text).snapshot() == d.snapshot()
    unreachable = {"type": "kill_store", "kind": "unreachable"}
    assert demo().apply(unreachable)["scenario"].endswith(".d")


def test_a_bad_kind_or_persistence_is_refused_naming_the_choices():
    with pytest.raises(Exception, match="not unreachable or crash"):
        demo().apply({"type": "kill_store", "kind": "vanish"})
    with pytest.raises(Exception, match="none, rdb, aof-everysec, aof-always"):
        demo(store_persistence="aof")


def test_store_restart_time_is_a_setting():
    d = demo(store_restart_ms=250)
    snap = d.apply(CRASH)
    assert snap["store"]["restarting"]["until_ns"] - snap["time_ns"] == 250 * MS


def test_the_in_memory_modes_go_on_when_the_store_crashes():
    d = Demo()
    d.apply({"type": "reset", "config": {"mode": "stateful", "store_persistence": "none"}})
    d.apply({"type": "request"})
    snap = d.apply(CRASH)
    assert "This mode keeps carts in server memory" in snap["log"][-1]["text"]
    snap = d.apply({"type": "request"})
    assert snap["traces"][-1]["status"] == 200 and snap["user"]["lost_items"] == 0


def test_what_the_crash_lost_stays_in_the_console_under_a_flood_of_failures():
    """Its lines are key lines (sim/story/log.py): a thousand failed requests after it do not
    push them out of the 200 the console keeps."""
    d = demo(store_persistence="none", store_restart_ms=600_000)
    for _ in range(3):
        d.apply({"type": "request"})
    d.apply(CRASH)
    d.apply({"type": "traffic", "rate_per_s": 100})
    snap = d.apply({"type": "advance", "ns": 10 * S})
    assert snap["metrics"]["failed"] > 900
    said = " ".join(line["text"] for line in snap["log"])  # the last 50, and key lines
    assert "3 acknowledged items are not on its disk" in said
