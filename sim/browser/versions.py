"""The link format's versions: the current one, the earlier ones that still parse, and what
an earlier link meant where the model's defaults have changed since.

The version changes whenever the same actions would replay to a different run.
- v1: links made before the model followed HAProxy's checks and retries and Tomcat's
  failure detector (December 2026); they replay with the current model, with a notice.
- v2: links made before WAIT had a time-out. Their `store_wait` meant `WAIT 1 0` (block
  for ever), so they are read with `store_wait_timeout_ms` 0.
- v2 and v3: links made before a new replicated session was announced to the other members
  (MSG_PROXY), a cluster send nothing answers failed after 5 s instead of 3 s, a same-server
  retry kept its server through the turn-around, and a deploy step became drain, a preStop
  wait (`drain_ms` 20 s, was a 30 s drain) and SIGTERM; they replay with the current model,
  with a notice. Their `redispatch` true and false read as "every" and "last" (config.py).
"""

VERSION = "v4"
EARLIER_VERSIONS = ("v1", "v2", "v3")
_CHANGED = ("v1", "v2", "v3")  # earlier versions that replay differently now


def as_meant(made_with: str, overrides: dict) -> dict:
    """The config overrides of a link made with `made_with`, as its author meant them."""
    if made_with in ("v1", "v2") and overrides.get("store_wait") is True:
        return {"store_wait_timeout_ms": 0, **overrides}
    return overrides


def earlier_version_notice(made_with: str) -> str | None:
    """What the page says about a link made with an earlier version that replays
    differently now, or None."""
    if made_with not in _CHANGED:
        return None
    return (
        "This link was made with an earlier version of the simulator. It replays with the "
        "current model, so what happens may differ from what its author saw."
    )
