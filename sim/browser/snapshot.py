"""The snapshot: everything the browser draws, as plain JSON-safe data.

CONTRACT with the page (issue 18). This module is `sim/browser/snapshot.py`, the facade
`sim/browser/facade.py` (the worker imports `sim.browser.facade`); every key below is
added to the keys the page reads today, which stay until the page has switched.

Actions (besides the model's, in `sim/browser/actions.py`):
    {"type": "lesson", "id": "crash" | "deploy" | "store-failover" | "two-tabs" | "scale-out"}
        make that lesson the current one; its progress so far is kept
    {"type": "predict", "answer": ANSWER}
        ANSWER one of the current lesson's `choices` (anything else: ScenarioError, nothing
        changes); marks its "predict" step done
Both are recorded in the scenario (tokens `g<lesson>` and `w<answer>`, `-` in an id written
`_`), so a shared link replays the lesson's progress; a reset keeps the lesson and its
progress, and writes the current lesson and prediction at the head of the new run's
actions. Old links parse and replay as before (no `g`/`w` token: the crash lesson).

New snapshot keys:
- `lesson`: {"id", "title", "steps": [{"id", "text", "done"}], "choices": [{"answer",
  "text"}], "prediction": ANSWER | null, "question", "said": [sentences, oldest first; the
  page shows the last], "next": the id of the first step not done, or null}
- `happened`: the last 50 records of the last action, oldest first, as dicts with a "kind"
  and the record's fields, e.g. {"kind": "killed", "at_ns": 5000, "server": "A",
  "how": "crash", "cause": ""}; `happened_counts`: {kind: number} over the whole action
  (an advance of ten minutes at 100/s makes tens of thousands of records)
- `servers[].status`: {"icon", "short", "text"}: the server in words (icon one of up,
  detecting, down, draining, replacing, readmitting), deploy phases included
- `store.status`: {"icon", "text"} (text includes the added latency), `store.node_lines`:
  [one line per Redis node], `store.killed` (no node answers, or the primary's process is
  restarting: "Restore database"),
  `store.restorable` (the old primary can be brought back: after a promotion, or while
  Sentinel is still detecting), `store.disk` (what the primary's disk holds, in words:
  what a killed Redis process restarts with, per `config.store_persistence`),
  `store.restarting` (null, or {"until_ns"}: the primary's Redis process was killed and
  restarts then; "Restore database" restarts it at once)
- the action {"type": "kill_store", "kind": "unreachable" | "crash"} (default unreachable,
  token `d`; crash, token `dc`): the store's host unreachable, or its primary's process
  killed
- `deploy_status`: a sentence while a rolling deploy runs, else null
- `can_add_server`, `can_remove_server`: whether Add / Remove server would be accepted (the
  last server cannot be removed; at most 26), decided where the model decides them
- `detection_window`: "" or " · detection window open for Server A, Server B"
- `user.cart_text`: the User box's cart line, "Cart: 2 items", or after two tabs at once each
  tab's answer, "Tab 1: 2 items, Tab 2: 3 items" ("failed" for an error answer);
  `user.tabs`: [] or, after two tabs at once, [{"tab", "cart_items" (null: failed),
  "answered_ns"}] in the order sent; `user.cart_note`: after two tabs, where the one cart
  they share is and why the answers differ, e.g. "Both tabs share one session, on Server A:
  3 items now. ..."
- `log`: the console lines to append, oldest first: the last 50, after the key lines kept
  before them; each {"seq", "time_ns", "level", "text", "key"}, `key` for a line that
  explains an outcome (sim/story/console.py's KEY_KINDS: a kill, what it took with it, the
  items a failover lost), which the console keeps while ordinary lines come and go;
  `log_kept`: {"from_seq", "key_from_seq"}: the page drops the ordinary lines it holds
  before `from_seq` and the key lines before `key_from_seq` (at most `log_limit` in all)
- `config.redispatch`: "every" | "last" | "off" (HAProxy `option redispatch 1`, plain
  `option redispatch`, none; was true or false, which a reset's config still accepts)
- `config.termination_grace_ms` (new; `drain_ms` is now a deploy's preStop wait);
  `happened` kinds `proxy_failed` (a new session's MSG_PROXY met a dead member) and
  `deploy_killed` (SIGKILL at the end of the grace period)
- `comparison`: null until "Compare modes" has answered, then {"time_ns", "stale"}: stale
  once a reset has started another run (the page hides a stale comparison)
- Compare's answer (`Demo.comparison()`, sim/browser/compared.py) is {"time_ns", "modes":
  {mode: `metrics` as below}, "labels", "rows": [{"key", "name", "unit", "none"}]}: the
  table's rows in order, `key` a key of each mode's metrics, `name` the row's header, `unit`
  how the page formats it ("count", "ms", "s", "ratio", "percent"), `none` the text for a
  null figure; the scaling rows (`rebalance_s`, `load_spread`, `remap_share`) come only once
  the run has added or removed a server (sim/story/compare_rows.py)
- `own_policy` (added by the facade): {"on", "error", "codes"}: whether a policy the learner
  wrote runs the balancer, the learner's traceback or message when it last failed (null once
  a new one is given), and how many codes this run holds (the page keeps its list in step)

Scaling (issue 20; config `server_threads`, `server_max_connections`, `accept_queue`,
`visit_s`, `hash_type`, policy "source"; `traffic` up to 200/s):
- `servers[].load`: {"busy": requests running on its threads, "queued": requests waiting for
  a thread or in the backlog, "rps": requests it finished per second over the last full
  bucket of the series}; capacity is `config.server_threads` and
  `config.server_max_connections` + `config.accept_queue`
- `metrics.load_spread`: the busiest live server's rps over the mean of the live ones (1.0
  is even), null with no traffic
- `metrics.rebalance_s`: seconds from the last "Add server" to the end of the first bucket
  of the series in which the new server finished at least 0.8 of the live servers' mean
  (sim/core/rebalance.py, the figure `python -m sim compare --lesson scale-out` prints);
  null with no server added, before it has its share, or if it left first
- `metrics.remap_share`: `remap.moved` over `remap.users` (three places), null when `remap`
  is null or no user was visiting
- `remap`: {"users", "moved"} for the last change of the servers policy "source" hashes
  over: of the users still visiting, how many now hash to another server; null before any
  such change, and with other policies
- `series[].p99_ms`: each bucket's p99 (null when none succeeded)
- `store.ops_per_s`: the commands the store answered per second over the last full bucket
  (a stateless request's GET and SET, and its WAIT when writes wait), null when the mode does
  not use the store
- `lesson.setup` (and the catalogue's): null, or for scale-out {"config": overrides,
  "rate_per_s": number}: what its "Set up the load" button sends, a reset with that config
  then a traffic action at that rate

Without a model: `sim.story.lessons.catalogue()` returns [{"id", "title", "question",
"steps": [{"id", "text", "html"}], "choices": [{"answer", "text"}]}] in the page's order,
for the build to render the lessons before Python starts (`html` keeps the <strong> marks of
the step; `text` is the same without tags; the "predict" step's text is the question).
"""

from sim import __version__
from sim.core import capacity, deploy, failover, faults, rebalance, source_hash
from sim.core.cluster import DEMO_USER, Server, User, items_of
from sim.core.config import MODE_LABELS, MODES
from sim.core.model import Model
from sim.core.units import US, from_thousandths
from sim.story.cart import cart_note, cart_text
from sim.story.log import LOG_LIMIT
from sim.story.narrator import Narrator
from sim.story.status import deploy_status, detection_window, server_status, store_words

# What one snapshot carries of the recent past. The page keeps its own 200-line log and
# animates only new traces, and a smaller snapshot is what keeps a click within a frame:
# in Pyodide, encoding 45 KB of JSON took most of the worker's round trip.
SNAPSHOT_LOG_LINES = 50
SNAPSHOT_TRACES = 10


def _server(model: Model, server: Server, you: User) -> dict:
    """Return one server's state, as it is and as the balancer believes it."""
    return {
        "name": server.name,
        "alive": server.alive,
        "lb_status": ("drain" if server.drain else "up") if server.lb_up else "down",
        "detecting": (not server.alive) and server.lb_up,
        "status": server_status(model, server),
        "killed_at_ns": server.killed_at_ns,
        "kill_kind": server.kill_kind,
        "requests": server.requests,
        "sessions": len(server.sessions),
        "backups": len(server.backups),
        "in_flight": server.in_flight,
        "load": capacity.load(model, server),
        "session_items": items_of(server.sessions.get(you.id), you.sid),
        "backup_items": items_of(server.backups.get(you.id), you.sid),
    }


def _user(model: Model) -> dict:
    """The demo user: the cart its last answer showed, and what it has lost."""
    you = model.users[DEMO_USER]
    return {
        "id": DEMO_USER,
        "cart_items": you.cart_items,
        "cart_text": cart_text(you),
        "tabs": [
            {"tab": tab, "cart_items": shown, "answered_ns": done_ns}
            for tab, (shown, done_ns) in enumerate(you.tab_answers, start=1)
        ],
        "acknowledged_items": you.acked,
        "lost_items": model.lost_items(you),
        "bound_server": you.affinity if model.config.policy == "sticky" else None,
        "cart_note": cart_note(model, DEMO_USER),
    }


def _store(model: Model) -> dict:
    """The shared store, and the demo user's cart in it when the mode uses it."""
    used = model.rules.uses_store
    cart = model.store.carts.get(DEMO_USER)
    nodes = failover.state(model.store)
    down_until = model.store.disk.down_until
    return {
        "restarting": None if down_until is None else {"until_ns": down_until},
        "up": model.store.reachable(),
        "used": used,
        "cart_items": (cart.items if cart is not None else 0) if used else None,
        "added_latency_ms": from_thousandths(model.store.added_latency_ns // US),
        "ops_per_s": round(capacity.per_s(model, model.store.ops), 3) if used else None,
        **nodes,
        **store_words(model, nodes["nodes"]),
    }


def metrics_of(model: Model) -> dict:
    """Counts and latencies over the whole run."""
    metrics = model.metrics
    return {
        "requests": metrics.requests,
        "ok": metrics.ok,
        "failed": metrics.failed,
        "retried": metrics.retried,
        **model.item_counts(),
        "lost_sessions": metrics.lost_sessions,
        **metrics.percentiles(),
        "load_spread": capacity.load_spread(model),
        "rebalance_s": rebalance.rebalance_s(model),
        "remap_share": source_hash.moved_share(model),
        "per_server": {
            s.name: {"requests": s.requests, "sessions": len(s.sessions)} for s in model.servers
        },
    }


def build_snapshot(
    model: Model,
    narrator: Narrator,
    scenario_text: str,
    shareable: bool,
    notice: str | None = None,
) -> dict:
    """Return the whole state of `model` as plain data."""
    config = model.config
    you = model.users[DEMO_USER]
    return {
        "version": __version__,
        "time_ns": model.now,
        "mode": config.mode,
        "mode_label": MODE_LABELS[config.mode],
        "modes": [{"id": mode, "label": MODE_LABELS[mode]} for mode in MODES],
        "policy": config.policy,
        "seed": model.seed,
        "config": config.to_dict(),
        "scenario": scenario_text,
        "scenario_shareable": shareable,
        "scenario_notice": notice,
        "user": _user(model),
        "servers": [_server(model, s, you) for s in model.servers],
        "store": _store(model),
        "deploy": deploy.state(model),
        "deploy_status": deploy_status(model),
        "can_add_server": faults.can_add_server(model),
        "can_remove_server": faults.can_remove_server(model),
        "detection_window": detection_window(model),
        "chaos": {"on": model.chaos_on, "next_kill_ns": model.next_kill_ns},
        "traffic": {
            "rate_per_s": from_thousandths(model.traffic_milli),
            "users": config.traffic_users,
            "in_flight": model.active,
        },
        "traces": narrator.traces(SNAPSHOT_TRACES),
        "log": narrator.log.recent(SNAPSHOT_LOG_LINES),
        "log_kept": narrator.log.kept(),
        "happened": narrator.happened_dicts(),
        "happened_counts": dict(narrator.counts),
        "log_limit": LOG_LIMIT,
        "metrics": metrics_of(model),
        "remap": model.remap,
        "series": model.series.points(model.now),
        "series_bucket_ms": config.series_bucket_ms,
    }
