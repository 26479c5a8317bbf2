"""The rules of the store failover and two-tabs lessons: when each step is done, and what is
said (see sim/story/rules_servers.py)."""

from __future__ import annotations

from sim.story.progress import Progress
from sim.story.seen import Seen
from sim.story.words import plural

IN_MEMORY = ("stateful", "replicated")


def _outage(p: Progress, seen: Seen, failed: int) -> str:
    """How long the store served nobody, and what failed meanwhile."""
    config = seen.after.config
    outage = (config.store_down_after_ms + config.store_failover_ms) / 1000
    failures = (
        f"{plural(failed, 'request')} failed meanwhile"
        if failed
        else "any request in that time would have failed (Auto traffic shows it)"
    )
    return (
        f"The store served nobody for {outage:g} s: Sentinel waited "
        f"{config.store_down_after_ms / 1000:g} s to call the primary down, then promoted the "
        f"replica; {failures}."
    )


def store_failover(p: Progress, seen: Seen) -> None:
    """A store failover: what asynchronous replication loses, and what WAIT costs."""
    after, before = seen.after, seen.before
    lag = after.config.store_replication_lag_ms
    if after.mode == "stateless" and lag > 0 and after.acknowledged >= 2:
        p.mark("failover-requests")
    if seen.kind == "reset":
        p.memo.pop("failover", None)
    _without_a_replica(p, seen)
    if seen.kind == "failover_store" and before is not None:
        p.memo["failover"] = (after.mode, before.lost_items, before.failed)
    # The failover is over when the store serves again (a reset is not an ending).
    if "failover" not in p.memo or not after.store_serves or seen.kind == "reset":
        return
    mode, lost_before, failed_before = p.memo.pop("failover")
    lost = after.lost_items - lost_before
    if mode != "stateless":
        p.say(
            "The store failed over, and the cart did not notice: this mode keeps it in a "
            "server’s memory."
        )
        return
    down = _outage(p, seen, after.failed - failed_before)
    if not after.config.store_wait and lost > 0:
        p.mark("failover-lost")
        p.say(
            f"{p.predicted('You failed the store over before predicting.')} {down} "
            f"{plural(lost, 'acknowledged item')} did not reach the replica within the lag and "
            f"{'is' if lost == 1 else 'are'} gone."
        )
    elif not after.config.store_wait:
        p.say(
            f"{down} Nothing was lost this time: your last write was older than the lag. "
            "Send a request and press Fail over the store straight after it."
        )
    elif lost == 0:
        p.mark("failover-wait")
        p50 = "" if after.p50_ms is None else f" (median latency now {after.p50_ms:.2f} ms)"
        p.say(
            f"{down} Nothing acknowledged was lost: each write waited for the replica before "
            f"its answer{p50}. Now the new primary has no replica: send a request and see "
            "what WAIT does."
        )


def _without_a_replica(p: Progress, seen: Seen) -> None:
    """WAIT with no replica: a write that fails though the primary has it, then a replica
    back and a write that succeeds."""
    after = seen.after
    if seen.kind != "request" or not after.config.store_wait or after.mode != "stateless":
        return
    unconfirmed = after.store_unconfirmed
    held = (
        f"The store’s cart holds {plural(after.store_cart or 0, 'item')}, "
        f"{unconfirmed} of them never confirmed to you"
    )
    if after.answer_why in ("wait_timeout", "wait_replica"):
        p.mark("failover-unconfirmed")
        timeout = after.config.store_wait_timeout_ms
        ended = (
            f"WAIT returned 0 at its {timeout / 1000:g} s time-out, and the application "
            "answered 503 (too few replicas)"
            if after.answer_why == "wait_timeout"
            else "WAIT 1 0 blocked until the balancer's time-out answered 504"
        )
        p.say(
            f"Your request failed: there is no replica to confirm the write. {ended}. Yet "
            f"the primary applied it, and WAIT rolls nothing back. {held}: a user who "
            "retries adds the item twice. Every write fails this way until a replica "
            "returns: press Restore the old primary."
        )
    elif "failover-unconfirmed" in p.done and after.answer is not None and after.answer[0] == 200:
        if not after.store_replica:
            return
        p.mark("failover-restore")
        p.say(
            "The old primary is back as the new one’s replica, so WAIT is answered again and "
            f"your request succeeded. {held}: the items written while no replica answered "
            "stayed, though their requests failed."
        )


def two_tabs(p: Progress, seen: Seen) -> None:
    """Two tabs at once: a lost update in the store, none with an atomic update or a lock."""
    after, before = seen.after, seen.before
    both_tabs = seen.kind == "request" and seen.action.get("tabs", 1) == 2
    # One session for both tabs needs an ordinary request first: two tabs that start with no
    # session each start their own (the last cookie wins), which is no step of this lesson.
    if after.mode == "stateless" and not both_tabs and after.acknowledged >= 1:
        p.mark("tabs-session")
    if not both_tabs or before is None:
        return
    if before.acknowledged == 0:
        p.say(
            "Each tab started a session of its own, and the browser kept the last one: send "
            "one request first."
        )
        return
    gained = after.cart_items - before.cart_items
    lost = after.lost_items - before.lost_items
    acknowledged = after.acknowledged - before.acknowledged
    went = f"The cart went from {before.cart_items} to {after.cart_items}"
    atomic = after.config.store_update == "atomic"
    if after.mode == "stateless" and not atomic and lost > 0:
        p.mark("tabs-race")
        p.say(
            f"{p.predicted('You sent both tabs before predicting.')} {went}: both tabs were "
            f"answered, and {plural(lost, 'item')} {'was' if lost == 1 else 'were'} lost. Each "
            "request read the same cart, added its item and wrote the whole cart back; the "
            "last write won."
        )
    elif after.mode == "stateless" and atomic and gained == 2:
        p.mark("tabs-atomic")
        p.say(
            f"{went}: nothing lost. Each request added its item with one atomic command in "
            "the store."
        )
    elif after.mode in IN_MEMORY and acknowledged == 2 and lost == 0:
        holder = next((n for n, v in after.session_items.items() if v is not None), None)
        session = (
            f" The session on Server {holder} has {plural(after.session_items[holder], 'item')}."
            if holder
            else ""
        )
        p.mark("tabs-memory")
        p.say(
            f"Both tabs were answered and nothing was lost.{session} Both requests reached the "
            "server holding the session, and the application’s lock on the session made them "
            "take turns. Without that lock, the same read-modify-write would lose an item in "
            "memory too."
        )
