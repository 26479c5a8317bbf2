"""The lab's report: what each run measured beside what the simulator predicted, with verdicts.

The words AGREE and DISAGREE appear only in verdict lines. Lost items must match exactly; a
detection window within DETECTION_TOLERANCE_S. The simulator is given the same check schedule
(the kill's time after HAProxy's first check), and both ends of the measured window are
precise (the lab's own time of the kill; HAProxy's log, in microseconds), so what remains
between the two is the drift of HAProxy's schedule (each check starts `inter` after the
previous one ended), its millisecond timer and a loaded machine's scheduling: milliseconds
to tens of them. Half a second is well above that and well below the up to two seconds
(one `inter`) that a model ignoring the schedule would miss by.
Loopback round trips are not datacenter figures, so latencies and request counts are shown
side by side, not judged.
"""

from lab.analysis import Measured
from sim.vocabulary import DETECTION_TOLERANCE_S


def verdict(agree: bool) -> str:
    """The verdict word."""
    return "AGREE" if agree else "DISAGREE"


def lost_items_verdict(predicted: int, measured: int) -> tuple[bool, str]:
    """Lost items must be equal."""
    agree = predicted == measured
    return agree, f"lost items: predicted {predicted}, measured {measured}, {verdict(agree)}"


def detection_verdict(kind: str, predicted: float | None, measured: float | None) -> tuple:
    """A detection window must be within the tolerance."""
    agree = predicted is not None and measured is not None
    agree = agree and abs(predicted - measured) <= DETECTION_TOLERANCE_S
    shown = [("never" if v is None else f"{v:.2f} s") for v in (predicted, measured)]
    line = (
        f"detection ({kind}): predicted {shown[0]}, measured {shown[1]}, "
        f"{verdict(agree)} (±{DETECTION_TOLERANCE_S} s)"
    )
    return agree, line


def _count(value: int | None) -> str:
    """A count, or a dash when the model does not give it."""
    return "-" if value is None else str(value)


def _ms(value: float | None) -> str:
    """A latency in ms, or a dash."""
    return "-" if value is None else f"{value:.2f}"


def run_section(plan: dict, measured: Measured, predicted: dict) -> tuple[list[str], list[bool]]:
    """The report of one run: a table, then its verdict lines; and the verdicts."""
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
    checks = ", ".join(f"+{s:.2f} s" for s in measured.failed_checks_s) or "none seen"
    lines.append(f"  HAProxy's failed checks of {plan['victim']} after the kill: {checks}")
    agree_lost, lost_line = lost_items_verdict(predicted["lost_items"], measured.lost_items)
    agree_detect, detect_line = detection_verdict(
        plan["kill_kind"], predicted["detection_s"], measured.detection_s
    )
    lines += [lost_line, detect_line]
    return lines, [agree_lost, agree_detect]


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
