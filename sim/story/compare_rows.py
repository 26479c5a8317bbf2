"""Compare's rows: which of each mode's figures the table shows, named in words, each with
the unit the page formats it in ("count", "ms", "s", "ratio", "percent": the page's
format.js) and what it shows for a figure that is null.

The scaling rows come only once the run has added or removed a server, since before that
they say nothing: how soon the last server added had its share (the same rule as the lesson
and `python -m sim compare --lesson scale-out`), how uneven the live servers' rates are now,
and what share of users the last change moved under a source hash (only when a column hashes
the source).
"""

from __future__ import annotations

NONE = "–"  # the page's mark for a figure that does not exist (format.js)

ALWAYS = (
    ("lost_items", "Items lost", "count", NONE),
    ("lost_sessions", "Sessions lost", "count", NONE),
    ("failed", "Failed requests", "count", NONE),
    ("retried", "Retried", "count", NONE),
    ("p50_ms", "Latency p50", "ms", NONE),
    ("p99_ms", "Latency p99", "ms", NONE),
)
ADDED = ("rebalance_s", "New server took its share in", "s", "not yet")
SCALED = ("load_spread", "Busiest server vs mean, now", "ratio", "idle")
REMAPPED = ("remap_share", "Users moved by the hash", "percent", "no hash")


def compare_rows(added: bool, removed: bool, remapped: bool) -> list[dict]:
    """The rows of a comparison: the counts and latencies, then the scaling figures that
    apply to a run that `added` or `removed` a server, and whose last change a source hash
    `remapped` in some column."""
    rows = list(ALWAYS)
    if added:
        rows.append(ADDED)
    if added or removed:
        rows.append(SCALED)
        if remapped:
            rows.append(REMAPPED)
    return [
        {"key": key, "name": name, "unit": unit, "none": none} for key, name, unit, none in rows
    ]
