"""The lab's report: what each run measured beside what the simulator predicted, with verdicts.

The words AGREE and DISAGREE appear only in verdict lines, and each verdict line names its
experiment first (`stateful crash: lost 12 items, predicted 12: AGREE`; replicated mode's
runs are `tomcat crash` and `tomcat vanish`). Lost items must match exactly; a time (a
detection window, and in replicated mode the cluster's removal of the member, the longest
copy stall, the recovery) within DETECTION_TOLERANCE_S. The simulator is given the same
check schedule (the kill's time after HAProxy's first check), and both ends of the measured
window are precise (the lab's own time of the kill; HAProxy's log, in microseconds), so what remains
between the two is the drift of HAProxy's schedule (each check starts `inter` after the
previous one ended), its millisecond timer and a loaded machine's scheduling: milliseconds
to tens of them. Half a second is well above that and well below the up to two seconds
(one `inter`) that a model ignoring the schedule would miss by. Tomcat's times carry a JVM's
pauses on a loaded machine too (tenths of a second seen), still under half a second.
Loopback round trips are not datacenter figures, so latencies and request counts are shown
side by side, not judged.
"""

from lab.analysis import Measured
from sim.vocabulary import DETECTION_TOLERANCE_S


def verdict(agree: bool) -> str:
    """The verdict word."""
    return "AGREE" if agree else "DISAGREE"


def experiment_name(plan: dict) -> str:
    """What each verdict line of a run starts with: 'stateful crash', 'tomcat vanish'."""
    label = "tomcat" if plan["mode"] == "replicated" else plan["mode"]
    return f"{label} {plan['kill_kind']}"


def lost_items_verdict(name: str, predicted: int, measured: int) -> tuple[bool, str]:
    """Lost items must be equal."""
    agree = predicted == measured
    return agree, f"{name}: lost {measured} items, predicted {predicted}: {verdict(agree)}"


def time_verdict(
    name: str, what: str, predicted: float | None, measured: float | None
) -> tuple[bool, str]:
    """A time after the kill must be within the tolerance (or happen in neither)."""
    if predicted is None or measured is None:
        agree = predicted is None and measured is None
    else:
        agree = abs(predicted - measured) <= DETECTION_TOLERANCE_S
    shown = [("never" if v is None else f"{v:.2f} s") for v in (measured, predicted)]
    return agree, f"{name}: {what} {shown[0]}, predicted {shown[1]}: {verdict(agree)}"


# Replicated mode's times: (the field, the words on the verdict line).
CLUSTER_TIMES = (
    ("member_removed_s", "cluster detection"),
    ("copy_stall_s", "copy stall"),
    ("recovery_s", "recovery"),
)
# What the model assumes of a copy to a vanished member (Tomcat 10.1's source, sim/core/copies.py),
# printed under a copy stall that disagrees, so the reader knows what the measurement missed.
COPY_STALL_FINDING = (
    "  the model: Tribes' ParallelNioSender.sendMessage waits on its selector in rounds of a"
    " fixed 5 s (selectTimeout) and only then compares the time spent with the Transport's 3 s"
    " `timeout`, so an unanswered copy fails after 5 s; TcpFailureDetector then checks the"
    " member (1 s connectTimeout) unless the membership removed it already ('already"
    " disappeared'). For a different stall, see the membership events `--record` keeps."
)
# What the lab found beyond the model (Tomcat 10.1, TcpFailureDetector.heartbeat): printed with
# the measured wait when a failed send's check waited for the detector's lock.
DETECTOR_WAIT_FINDING = (
    "  found: a failed copy's detector check waited {wait:.2f} s to learn the member was already"
    " gone: TcpFailureDetector's heartbeat (GroupChannel, every 5 s) re-checks a removed static"
    " member (addSuspects) with a connect of up to `connectTimeout`, 1 s, holding the"
    " `membership` lock that memberDisappeared needs; the model leaves that heartbeat out."
)
DETECTOR_WAIT_SHOWN_S = 0.05  # a lock taken at once costs microseconds; the log has ms


def _count(value: int | None) -> str:
    """A count, or a dash when the model does not give it."""
    return "-" if value is None else str(value)


def _ms(value: float | None) -> str:
    """A latency in ms, or a dash."""
    return "-" if value is None else f"{value:.2f}"


def run_section(
    plan: dict, measured: Measured, predicted: dict, exit_ns: int | None = None
) -> tuple[list[str], list[bool]]:
    """The report of one run: a table, then its verdict lines; and the verdicts. `exit_ns`: a
    crash's time from SIGKILL until the process was gone."""
    title = (
        f"{plan['mode']}: {plan['kill_kind']} of server {plan['victim']} "
        f"{plan['kill_after_s']:g} s into traffic from {plan['users']} users"
    )
    after_m, after_p = measured.after_kill, predicted["after_kill"]
    rows = [
        ("requests (whole run)", f"{measured.requests}", ""),
        (
            "ok / failed / retried",
            f"{measured.ok} / {measured.failed} / {measured.retried}",
            "",
        ),
        (
            "  from the kill on",
            f"{after_m['ok']} / {after_m['failed']} / {after_m['retried']}",
            f"{after_p['ok']} / {after_p['failed']} / {after_p['retried']}",
        ),
        (
            "items acknowledged / lost",
            f"{measured.acknowledged_items} / {measured.lost_items}",
            f"{predicted['acknowledged_items']} / {predicted['lost_items']}",
        ),
        ("sessions lost", f"{measured.lost_sessions}", _count(predicted.get("lost_sessions"))),
        (
            "latency p50 / p95 / p99 ms",
            " / ".join(_ms(v) for v in (measured.p50_ms, measured.p95_ms, measured.p99_ms)),
            " / ".join(_ms(predicted[k]) for k in ("p50_ms", "p95_ms", "p99_ms")),
        ),
    ]
    lines = [title, f"  {'':28}{'measured':>26}{'predicted':>26}"]
    lines += [f"  {name:28}{m:>26}{p:>26}" for name, m, p in rows]
    if measured.failed_without_answer:
        lines.append(
            f"  {measured.failed_without_answer} failed request(s) got no answer: HAProxy closes"
            " a keep-alive connection silently when its server dies mid-request"
        )
    if measured.indeterminate_items:
        lines.append(f"  {measured.indeterminate_items} item(s) present but never acknowledged")
    if exit_ns:
        lines.append(
            f"  server {plan['victim']}'s process was gone {exit_ns / 1e9:.3f} s after SIGKILL"
            " (its sockets close only then; requests it accepted meanwhile get no answer)"
        )
    checks = ", ".join(f"+{s:.2f} s" for s in measured.failed_checks_s) or "none seen"
    lines.append(f"  HAProxy's failed checks of {plan['victim']} after the kill: {checks}")
    name = experiment_name(plan)
    verdicts = [
        lost_items_verdict(name, predicted["lost_items"], measured.lost_items),
        time_verdict(name, "HAProxy detection", predicted["detection_s"], measured.detection_s),
    ]
    if plan["mode"] == "replicated":
        verdicts += [
            time_verdict(name, words, predicted.get(key), getattr(measured, key))
            for key, words in CLUSTER_TIMES
        ]
    for agree, line in verdicts:
        lines.append(line)
        stall = line.startswith(f"{name}: copy stall")
        if stall and not agree and plan["kill_kind"] == "vanish":
            lines.append(COPY_STALL_FINDING)
            wait = measured.detector_wait_s
            if wait is not None and wait >= DETECTOR_WAIT_SHOWN_S:
                lines.append(DETECTOR_WAIT_FINDING.format(wait=wait))
    return lines, [agree for agree, _ in verdicts]


def _median(values: list[float]) -> float:
    """The upper median."""
    values = sorted(values)
    return values[len(values) // 2]


def store_ratio(by_mode: dict[str, list[tuple[Measured, dict]]]) -> float | None:
    """The handler's cart time in Redis over in memory (medians), None without both modes."""
    if not {"stateless", "stateful"} <= set(by_mode):
        return None
    store = _median([m.store_us_median for m, _ in by_mode["stateless"]])
    memory = _median([m.store_us_median for m, _ in by_mode["stateful"]])
    return round(store / memory, 1)


def ratio_lines(by_mode: dict[str, list[tuple[Measured, dict]]]) -> list[str]:
    """Store round trip over in-memory: the handler's cart time, and p50 of whole requests."""
    ratio = store_ratio(by_mode)
    if ratio is None:
        return []
    p50 = {mode: _median([m.p50_ms for m, _ in runs]) for mode, runs in by_mode.items()}
    model = {mode: _median([p["p50_ms"] for _, p in runs]) for mode, runs in by_mode.items()}
    return [
        "Store round trip over in-memory (ratios; loopback times are not datacenter times)",
        f"  cart access in the handler, Redis over memory: {ratio:g}x",
        f"  request p50, stateless over stateful: measured"
        f" {p50['stateless'] / p50['stateful']:.2f}x,"
        f" simulator {model['stateless'] / model['stateful']:.2f}x",
    ]


def _range_s(values: list[float]) -> str:
    """'10.36-11.89 s', one value, or 'never'."""
    if not values:
        return "never"
    low, high = min(values), max(values)
    return f"{low:.2f} s" if low == high else f"{low:.2f}-{high:.2f} s"


def keep_alive_line(plan: dict, keep_alive: Measured, per_request: list[Measured]) -> str:
    """The keep-alive run beside the runs of the same plan with one connection per request.

    Failed requests count from the kill on: the window the two ways of connecting differ in.
    """
    detected = [] if keep_alive.detection_s is None else [keep_alive.detection_s]
    after = keep_alive.after_kill
    line = (
        f"keep-alive: detection {_range_s(detected)}, {after['failed']} failed requests"
        f" of {after['requests']} from the kill on ({plan['mode']} {plan['kill_kind']}"
        f" of server {plan['victim']})"
    )
    if per_request:
        windows = [m.detection_s for m in per_request if m.detection_s is not None]
        failed = sum(m.after_kill["failed"] for m in per_request)
        requests = sum(m.after_kill["requests"] for m in per_request)
        line += (
            f"; one connection per request: detection {_range_s(windows)}, {failed} failed"
            f" requests of {requests} in {len(per_request)} run(s)"
        )
    return line
