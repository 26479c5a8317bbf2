"""`python -m sim compare --lesson scale-out`: a server added under the lesson's load, in every
mode (issue 20).

The schedule, the same in every mode: the lesson's settings (one thread a server, 16 ms of
work a request, visits of 60 s on average) and the model's own traffic at 200 requests a
second from 100 users; three servers, which cannot keep up; a fourth added at 60 s; the run
ends 180 s after that. Per mode, with its default policy:
- `rebalance_s`: the seconds from the add until the new server finished at least 0.8 of the
  mean rate of the live servers in a one-second bucket (null if it never did), by the rule
  the page's lesson and Compare read too (sim/core/rebalance.py);
- `p99_before_ms`: p99 over the 30 s before the add; `p99_after_ms`: over the run's last 30 s;
- `lost_sessions` over the run;
- `moved`: {"map-based": share, "consistent": share}, the share of users still visiting that
  hash to another server when the same run, with policy "source" and that hash type, adds
  its fourth server; and `moved_lost_sessions`, the sessions those runs lost in the 60 s
  after the add (stateless: none; stateful: the moved users who came back).
"""

from sim.core import rebalance, source_hash
from sim.core.config import HASH_TYPES, MODES, build_config
from sim.core.metrics import Histogram
from sim.core.model import Model
from sim.core.units import S, to_ms
from sim.story.lessons import SCALE_SETUP

ADD_AT_S = 60
AFTER_S = 180
WINDOW_S = 30
SOURCE_AFTER_S = 60


def run_scale_out(seed: int) -> dict:
    """Run the schedule in every mode; return {mode: figures}."""
    out = {}
    for mode in MODES:
        figures = _default_policy(mode, seed)
        moved, lost = {}, {}
        for hash_type in HASH_TYPES:
            moved[hash_type], lost[hash_type] = _source(mode, hash_type, seed)
        out[mode] = {**figures, "moved": moved, "moved_lost_sessions": lost}
    return out


def _model(mode: str, seed: int, **overrides: object) -> Model:
    """A model with the lesson's settings and traffic, not recording."""
    config = build_config({"mode": mode, **SCALE_SETUP["config"], **overrides})
    model = Model(config, seed, record=False)
    model.set_traffic(SCALE_SETUP["rate_per_s"] * 1_000)
    return model


def _p99_over(model: Model, until_s: int) -> float | None:
    """Run to `until_s` counting latencies afresh from now; p99 of that window, in ms."""
    model.metrics.latency = Histogram()
    model.advance(until_s * S - model.now)
    return to_ms(model.metrics.latency.percentile_ns(99))


def _default_policy(mode: str, seed: int) -> dict:
    """The mode's default policy: how soon the new server takes its share, and the p99s."""
    model = _model(mode, seed)
    model.advance((ADD_AT_S - WINDOW_S) * S)
    p99_before = _p99_over(model, ADD_AT_S)
    model.add_server()
    model.advance((AFTER_S - WINDOW_S) * S)
    p99_after = _p99_over(model, ADD_AT_S + AFTER_S)
    return {
        "rebalance_s": rebalance.rebalance_s(model),
        "p99_before_ms": p99_before,
        "p99_after_ms": p99_after,
        "lost_sessions": model.metrics.lost_sessions,
    }


def _source(mode: str, hash_type: str, seed: int) -> tuple[float, int]:
    """Policy source: the share of users moved by the add, and the sessions lost after it."""
    model = _model(mode, seed, policy="source", hash_type=hash_type)
    model.advance(ADD_AT_S * S)
    lost_before = model.metrics.lost_sessions
    model.add_server()
    share = source_hash.moved_share(model)
    model.advance(SOURCE_AFTER_S * S)
    return share or 0.0, model.metrics.lost_sessions - lost_before
