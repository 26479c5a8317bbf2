"""The rules of the crash and deploy lessons: when each step is done, and what is said.

A rule reads the facts before and after an action (`sim.story.facts`), the servers killed
during it (by the learner or the Chaos Monkey) and the status and server of the demo user's
last answer in it; it marks steps done and says a sentence. It decides nothing about the
model: every figure it quotes comes from the model's facts.
"""

from __future__ import annotations

from sim.story.progress import Progress
from sim.story.seen import Seen
from sim.story.words import plural


def _who_answered(killed: str, answered: str | None) -> str:
    """Who started the empty cart: the killed server after its restart, or another one."""
    if killed == answered:
        return f"Server {killed} came back empty after its restart and started a new, empty cart."
    return f"Server {answered}, which took over, started a new, empty cart."


def _remember_kills(p: Progress, seen: Seen) -> None:
    """A server holding your session (or any server, in stateless mode) was killed."""
    before, mode = seen.before, seen.after.mode
    if before is None or before.mode != mode:
        return
    for name in seen.killed:
        items = before.session_items.get(name)
        if items is not None and mode != "stateless":
            p.memo["session_killed"] = (mode, items, name)
        if mode == "stateless":
            p.memo["session_killed"] = (mode, before.cart_items, name)


def crash(p: Progress, seen: Seen) -> None:
    """The first lesson: kill the server that holds the session, in each mode."""
    after, mode = seen.after, seen.after.mode
    if seen.kind == "reset":
        p.memo.pop("session_killed", None)
    if mode == "stateless" and (after.store_cart or 0) >= 2:
        p.mark("stateless-requests")
    _remember_kills(p, seen)
    if seen.kind != "request" or seen.answer is None:
        return
    killed = p.memo.get("session_killed")
    status, server = seen.answer
    answered = status == 200
    same_mode = killed is not None and killed[0] == mode
    if mode == "stateless" and same_mode and answered and after.cart_items == after.acknowledged:
        p.mark("stateless-kill")
    if mode == "stateful" and any(v is not None for v in after.session_items.values()):
        p.mark("stateful-session")
    if mode == "stateful" and same_mode and answered:
        p.mark("stateful-kill")
        _, items, name = killed
        p.say(
            f"{p.predicted('You killed the server before predicting.')} The cart went from "
            f"{items} to {after.cart_items} after one more item: {after.lost_items} lost. The "
            f"session lived only in Server {name}’s memory, so {_who_answered(name, server)}"
        )
        p.memo.pop("session_killed")
    if mode == "replicated" and same_mode and answered:
        if after.cart_items == killed[1] + 1:
            p.mark("replicated-kill")
            # A silent (vanished) member is dropped after dropTime and the detector's check.
            config = after.config
            window = (config.membership_drop_ms + config.failure_check_timeout_ms) / 1000
            p.say(
                f"The cart survived with {after.cart_items} items: the backup copy on another "
                "server took over. Kill the backup and then the primary before any request "
                "reaches the primary and within the "
                f"{window:g} s the cluster takes to drop a silent member, and it is lost; "
                "replication costs a synchronous copy on every request (see the p50 latency)."
            )
        p.memo.pop("session_killed")


def deploy(p: Progress, seen: Seen) -> None:
    """A rolling deploy: sessions in memory go with each server; elsewhere nothing is lost."""
    after, before = seen.after, seen.before
    if after.mode == "stateful" and any(v is not None for v in after.session_items.values()):
        p.mark("deploy-session")
    if seen.kind == "reset":
        p.memo.pop("deploy", None)
    if after.deploying and "deploy" not in p.memo:
        p.memo["deploy"] = (after.mode, before.lost_items if before else 0)
    # The deploy is over when the model stops reporting one (a reset is not an ending).
    if "deploy" not in p.memo or after.deploying or seen.kind == "reset":
        return
    mode, lost_before = p.memo.pop("deploy")
    lost = after.lost_items - lost_before
    counts = (
        f"{plural(after.failed, 'request')} failed, {plural(after.lost_sessions, 'session')} lost"
    )
    items = plural(after.acknowledged, "item")
    if mode == "stateful" and lost > 0:
        p.mark("deploy-stateful")
        p.say(
            f"{p.predicted('You deployed before predicting.')} The deploy is over: {counts}, "
            f"and your cart lost {plural(lost, 'item')}. Draining let requests finish, but "
            "each server stopped with its sessions in memory and started empty."
        )
    elif mode == "stateless" and lost == 0:
        p.mark("deploy-stateless")
        p.say(
            f"The deploy is over: {counts}, and the cart has all {items}. No server held it, "
            "so replacing every server cost capacity, not data."
        )
    elif mode == "replicated" and lost == 0:
        p.mark("deploy-replicated")
        p.say(
            f"The deploy is over: {counts}, and the cart kept all {items}. Each server that "
            "stopped cleanly told the others, and the servers holding its backups promoted "
            "them at once; the deploy waited for each new server before stopping the next."
        )
