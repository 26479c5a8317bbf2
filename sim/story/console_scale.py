"""The console's lines about scaling: a source hash spread over other servers."""

from sim.core.config import MODE_RULES, Config
from sim.core.source_hash import Remapped
from sim.story.words import plural


def remapped(rec: Remapped, config: Config) -> tuple[str, str]:
    """A source hash now spans other servers: how many users it sends elsewhere."""
    servers = ", ".join(rec.servers) or "none"
    share = f" ({rec.moved * 100 // rec.users}%)" if rec.users else ""
    text = (
        f"Source hash ({config.hash_type}) now spans Servers {servers}: "
        f"{rec.moved} of {plural(rec.users, 'user')}{share} hash to another server."
    )
    if rec.moved and MODE_RULES[config.mode].memory_only:
        text += " Their sessions stay behind on the old one: lost at their next request."
    return ("warn" if rec.moved else "info"), text


SCALE_LINES = {Remapped: remapped}
