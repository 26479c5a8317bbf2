"""The rule of the scale-out lesson: when each step is done, and what is said.

Every figure it quotes is the model's: when the new server had its share (the rule of
sim/core/rebalance.py, which Compare and the command line read too), the p99 over the last
five seconds, the remap of a source hash (see sim/story/rules_servers.py).
"""

from __future__ import annotations

from sim.core.rebalance import SHARE
from sim.core.units import MS
from sim.story.facts import RECENT_BUCKETS, Facts
from sim.story.lessons import SCALE_SETUP
from sim.story.progress import Progress
from sim.story.seen import Seen
from sim.story.words import plural

SOURCE_STEPS = {"map-based": "scale-source-map", "consistent": "scale-source-consistent"}


def under_load(facts: Facts) -> bool:
    """Whether the run has the lesson's settings and traffic ("Set up the load")."""
    config = facts.config
    settings = SCALE_SETUP["config"]
    return facts.traffic_milli == SCALE_SETUP["rate_per_s"] * 1_000 and all(
        getattr(config, name) == value for name, value in settings.items()
    )


def _ms(value: float | None) -> str:
    """A p99 in words."""
    return "none yet" if value is None else f"{value:.0f} ms"


def scale_out(p: Progress, seen: Seen) -> None:
    """Add a server under load in each mode and policy; remove one."""
    after, before = seen.after, seen.before
    if under_load(after):
        p.mark("scale-setup")
    if seen.kind == "reset":
        p.memo.pop("added", None)
        return
    changed = seen.kind in ("add_server", "remove_server")
    if changed and before is not None and under_load(before):
        if after.config.policy == "source":
            _remapped(p, seen)
        elif seen.kind == "remove_server":
            _removed(p, seen)
        else:
            new = [name for name in after.rates if name not in before.rates]
            if new:
                p.memo["added"] = (new[0], after.time_ns, before.recent_p99_ms, None)
    if "added" in p.memo:
        _watch(p, seen)


def _watch(p: Progress, seen: Seen) -> None:
    """After an add: when the new server reaches its share of the load, and, a p99 window
    later, what that did to the latency."""
    after = seen.after
    name, added_ns, p99_before, took = p.memo["added"]
    if name not in after.rates:  # killed or removed meanwhile
        p.memo.pop("added")
        return
    if took is None:
        watched = after.added
        if watched is not None and watched[0] == name and watched[2] is not None:
            p.memo["added"] = (name, added_ns, p99_before, watched[2] - watched[1])
        return
    if after.time_ns < added_ns + took + RECENT_BUCKETS * after.config.series_bucket_ms * MS:
        return
    p.memo.pop("added")
    config = after.config
    p99 = (
        f"p99 over 5 s went from {_ms(p99_before)} before the add to "
        f"{_ms(after.recent_p99_ms)} 5 s after it"
    )
    if config.policy == "sticky":
        p.mark("scale-sticky")
        p.say(
            f"{p.predicted('You added the server before predicting.')} Server {name} reached "
            f"{SHARE:g} of the mean rate only {took / 1e9:.0f} s after it was added: each "
            "cookie kept its visitor on an old server, so the new one got only new visitors, "
            "and the old ones stayed hot until their visitors left (a visit lasts "
            f"{config.visit_s} s on average); {p99}."
        )
        return
    if config.mode == "stateless":
        p.mark("scale-stateless")
    p.say(
        f"Server {name} reached {SHARE:g} of the mean rate {took / 1e9:.1f} s after it was "
        f"added: any server can answer any request, since no server holds a cart; {p99}."
    )


def _remapped(p: Progress, seen: Seen) -> None:
    """A source hash spans other servers now: a share of the users moves at once."""
    after = seen.after
    remap = after.remap
    if remap is None or not remap["users"]:
        return
    config = after.config
    p.mark(SOURCE_STEPS[config.hash_type] if seen.kind == "add_server" else "scale-in")
    share = remap["moved"] * 100 // remap["users"]
    said = (
        f"Source hash, {config.hash_type}: {remap['moved']} of "
        f"{plural(remap['users'], 'user')} ({share}%) now hash to another server, at once. "
    )
    if config.mode == "stateless":
        said += "Their carts are in the store, so they lose nothing."
    elif config.mode == "stateful":
        said += (
            "Their sessions stay on the old servers: each is lost at the user's next request "
            "(watch lost sessions)."
        )
    else:
        said += "Each fetches its session from the server that holds it, one more round trip."
    p.say(said)


def _removed(p: Progress, seen: Seen) -> None:
    """A server left under load: the others take its share, if they can."""
    after = seen.after
    config = after.config
    p.mark("scale-in")
    each = SCALE_SETUP["rate_per_s"] / max(1, len(after.rates))
    can = 1e6 * config.server_threads / config.server_work_us
    said = (
        f"{len(after.rates)} servers now share {SCALE_SETUP['rate_per_s']} requests a second, "
        f"{each:.0f} each, against about {can:.0f} one thread can finish: "
        f"{'the queues grow again' if each > can else 'they keep up'}."
    )
    if config.mode == "stateful":
        said += " The sessions in the removed server's memory go with it when it stops."
    p.say(said)
