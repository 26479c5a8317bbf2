"""What the console says of requests: the line of a finished request (the demo user's, or a
background user's that failed or lost its session), two tabs, lost updates, failed copies."""

from sim.core import records as r
from sim.core.cluster import DEMO_USER
from sim.core.config import MODE_RULES, Config
from sim.core.units import S
from sim.story.words import plural

Line = tuple[str, str] | None
NOTICEABLE_NS = S  # an answer slower than this moved the clock visibly
LEVELS = {"ok": "info", "retried": "info", "session_lost": "warn"}  # anything else: error


def tabs_sent(rec: r.TabsSent, config: Config) -> Line:
    return "info", (
        f"You add an item in {rec.tabs} tabs at once: {rec.tabs} requests leave together, "
        "with the same cookies."
    )


def lost_update(rec: r.LostUpdate, config: Config) -> Line:
    if rec.user != DEMO_USER:
        return None
    return "warn", (
        "Lost update: this request read the cart before the other tab's save landed, and "
        "wrote back what it read plus one item (read-modify-write: the last write wins). "
        "An atomic update (Redis HINCRBY) would have kept both."
    )


def copy_failed(rec: r.CopyFailed, config: Config) -> Line:
    if rec.user != DEMO_USER:
        return None
    how = "no answer before the time-out" if rec.vanished else "connection refused"
    where = f"on Server {rec.backup}" if rec.backup is not None else "nowhere: no live member"
    return "warn", (
        f"Replication to Server {rec.member} failed ({how}); the failure detector confirmed it "
        f"gone, and Server {rec.server} re-published {plural(rec.sends, 'session')} before "
        f"answering (your backup is now {where})."
    )


def proxy_failed(rec: r.ProxyFailed, config: Config) -> Line:
    if rec.user != DEMO_USER:
        return None
    servers = "Server" if len(rec.members) == 1 else "Servers"
    how = "no answer before the send time-out" if rec.vanished else "connection refused"
    return "warn", (
        f"Server {rec.server} told the other members where your new session is (MSG_PROXY); "
        f"the send to {servers} {', '.join(rec.members)} failed ({how}). The failure "
        f"detector confirmed it gone, and Server {rec.server} re-published "
        f"{plural(rec.sends, 'session')} before answering."
    )


def failure_note(why: tuple) -> str:
    """Why a request failed, in words."""
    code = why[0]
    if code == "no_server":
        return "no server available"
    if code == "attempts":
        return f"{plural(why[1], 'attempt')} failed"
    if code == "wait_replica":
        return "the server waited for a replica that is not there (WAIT without a time-out)"
    if code == "wait_timeout":
        return (
            f"no replica confirmed the write within WAIT's {why[1] / 1000:g} s time-out; the "
            "item is on the primary all the same (WAIT rolls nothing back)"
        )
    if code == "store_down":
        return "the Shared DB is unavailable"
    return (
        f"Server {why[1]} died while handling it; outcome unknown, "
        "not retried (adding an item is not idempotent)"
    )


def request_line(rec: r.RequestFinished, config: Config) -> Line:
    """The console's line for a finished request, if the console logs it."""
    if rec.user != DEMO_USER and rec.outcome not in ("failed", "session_lost"):
        return None
    text = request_text(rec, config)
    if rec.user == DEMO_USER and rec.latency_ns >= NOTICEABLE_NS:
        # A request runs the clock until its answer, even in a paused demo: say so.
        text += f" The clock ran {rec.latency_ns / S:.1f} s until the answer came."
    return LEVELS.get(rec.outcome, "error"), text


def _detour(rec: r.RequestFinished) -> str:
    """The failed connections before the server that answered, in words."""
    failures = rec.request.failures
    if not failures:
        return ""
    name = rec.server
    failed = list(dict.fromkeys(failure[0] for failure in failures))
    vanished = any(failure[4] for failure in failures)
    how = "did not answer in time" if vanished else "refused the connection"
    servers = "Server" if len(failed) == 1 else "Servers"
    if name in failed:
        then = f"the balancer retried it, and Server {name} answered"
    else:
        then = f"the balancer redispatched the request to Server {name}"
    return f"{servers} {', '.join(failed)} {how}; {then}. "


def request_text(rec: r.RequestFinished, config: Config) -> str:
    """A finished request in words, in the original page's voice."""
    mine = rec.user == DEMO_USER
    who = "you" if mine else rec.user
    prefix = "" if mine else f"[{who}] "
    if rec.status != 200:
        note = failure_note(rec.failure)
        tried = set(rec.request.tried)
        if rec.failure[0] == "attempts" and config.redispatch == "off" and len(tried) == 1:
            note += (
                f", all on Server {rec.request.tried[0]}: without option redispatch the "
                "balancer retries only the server it chose"
            )
        return f"{prefix}Request failed ({rec.status}): {note}."
    name = rec.server
    detour = _detour(rec)
    items = plural(rec.cart_items, "item")
    rules = MODE_RULES[config.mode]
    if rec.outcome == "session_lost":
        return (
            f"{prefix}{detour}Session lost: Server {name} has no session for {who}. "
            f"New cart: {items}."
        )
    if rules.uses_store:
        return (
            f"{prefix}{detour}Server {name} handled the request. Cart saved to Shared DB: {items}."
        )
    where = f"Session on Server {name}: {items}"
    if rules.replicates:
        if rec.backup is not None:
            where += f", backup on Server {rec.backup}"
        elif rec.members:
            where += ", no backup (no live member)"
        else:
            where += ", no backup (no other member)"
    return f"{prefix}{detour}Server {name} handled the request. {where}."
