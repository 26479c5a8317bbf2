"""The lessons of `python -m sim compare --lesson`: one seeded schedule, run in every mode.

Each lesson's workload (documented in sim/README.md):
- deploy: 100 users send 12,000 requests at 100 per second (compare's traffic, about 120 s);
  a rolling deploy begins at 5 s. The run ends when every request is answered and the
  deploy is over.
- store-failover: the same traffic, 6,000 requests (about 60 s); the store's primary dies
  at 10 s. The run ends when every request is answered and the failover is over.
- scale-out: a fourth server added under the lesson's load (sim/cli/scale_runs.py).
- two-tabs: 100 users each send one ordinary request, one every 10 ms on average (gaps
  uniform in [0, 20 ms)), so each has a session; then, from 2 s and in a seeded order, each
  sends two requests at once from two tabs, at the same gaps.
The configuration is each mode's defaults. Time-based events (the deploy, the failover) are
fixed times, and the traffic comes from compare's seeded streams, so every mode meets the
same schedule.
"""

from sim.cli.compare import Workload, figures
from sim.cli.scale_runs import run_scale_out
from sim.core import requests
from sim.core.config import MODES, build_config
from sim.core.errors import ScenarioError
from sim.core.latency import trunc
from sim.core.model import Model, stream
from sim.core.units import MS, S
from sim.core.workload import arrival_gap

LESSONS = ("deploy", "store-failover", "two-tabs", "scale-out")
USERS = 100
STREAM_TABS = 5
TABS_GAP_NS = 10 * MS
TABS_SECOND_ROUND_NS = 2 * S


def run_lesson(lesson: str, seed: int = 1) -> dict:
    """Run `lesson` in every mode on the same seeded schedule; return {mode: figures}."""
    if lesson not in LESSONS:
        raise ScenarioError(f"lesson: {lesson!r} is not one of {', '.join(LESSONS)}")
    if type(seed) is not int or not 0 <= seed <= 2**32 - 1:
        raise ScenarioError(f"seed: {seed!r} is not an integer in 0..{2**32 - 1}")
    if lesson == "scale-out":
        return run_scale_out(seed)  # its own figures (sim/cli/scale_runs.py)
    out = {}
    for mode in MODES:
        model = Model(build_config({"mode": mode, "traffic_users": USERS}), seed, record=False)
        if lesson == "two-tabs":
            _two_tabs(model, seed)
        else:
            _traffic_and_fault(model, lesson, seed)
        out[mode] = figures(model)
    return out


def _traffic_and_fault(model: Model, lesson: str, seed: int) -> None:
    """compare's traffic, with a deploy at 5 s or a store failover at 10 s."""
    if lesson == "deploy":
        load = Workload(model, 12_000, seed, 0.0)
        model.queue.push(5 * S, _deploy, None)
    else:
        load = Workload(model, 6_000, seed, 0.0)
        model.queue.push(10 * S, _fail_over, None)
    load.start()
    queue = model.queue
    # The fault comes while requests remain to be sent, so the loop meets it.
    while load.remaining or model.active or model.waiting or _busy(model):
        queue.step()


def _busy(model: Model) -> bool:
    """Whether the lesson's fault is still running its course."""
    return model.deploy is not None or model.store.failover is not None


def _deploy(model: Model, _arg: object, _gen: int) -> None:
    """The deploy of the lesson."""
    model.deploy_all()


def _fail_over(model: Model, _arg: object, _gen: int) -> None:
    """The store failover of the lesson."""
    model.fail_over_store()


def _two_tabs(model: Model, seed: int) -> None:
    """Every user: one request, then later two at once from two tabs."""
    rng = stream(seed, STREAM_TABS)
    users = [model.user(f"u{1 + i}") for i in range(USERS)]
    when = 0
    for user in users:
        when += arrival_gap(rng, TABS_GAP_NS)
        model.queue.push(when, _send, (user, 1))
    order = users[:]
    for i in range(len(order) - 1, 0, -1):  # Fisher-Yates, with random() as everywhere
        j = trunc(rng.random() * (i + 1))
        order[i], order[j] = order[j], order[i]
    when = TABS_SECOND_ROUND_NS
    for user in order:
        when += arrival_gap(rng, TABS_GAP_NS)
        model.queue.push(when, _send, (user, 2))
    queue = model.queue
    while queue.next_time() is not None and (queue.now <= when or model.active):
        queue.step()


def _send(model: Model, arg: tuple, _gen: int) -> None:
    """A user sends `tabs` requests at once."""
    user, tabs = arg
    for _ in range(tabs):
        requests.start(model, user)
