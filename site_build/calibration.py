"""The lab's measured figures (`lab/calibration.json`), summed up for the guide's section."""

from __future__ import annotations

import json
from pathlib import Path

from sim.vocabulary import DETECTION_TOLERANCE_S
from site_build.paths import BuildError

KILL_LABELS = {"crash": "Crash (SIGKILL)", "vanish": "Vanish (packets dropped)"}


def _seconds_range(values: list[float]) -> str:
    """'4.62-5.96 s' (or one value) for a list of seconds; a dash when empty."""
    if not values:
        return "-"
    low, high = f"{min(values):.2f}", f"{max(values):.2f}"
    return f"{low}\u00a0s" if low == high else f"{low}\u2013{high}\u00a0s"


def _detection_rows(runs: list[dict]) -> list[dict]:
    """Per kill kind: runs, measured and simulated detection windows, runs that agree."""
    rows = []
    for kind, label in KILL_LABELS.items():
        of_kind = [r for r in runs if r["kill_kind"] == kind]
        if not of_kind:
            continue
        measured = [r["measured"]["detection_s"] for r in of_kind]
        predicted = [r["predicted"]["detection_s"] for r in of_kind]
        rows.append(
            {
                "label": label,
                "runs": len(of_kind),
                "measured": _seconds_range([v for v in measured if v is not None]),
                "predicted": _seconds_range([v for v in predicted if v is not None]),
                "agree": sum(bool(r["detection_agree"]) for r in of_kind),
            }
        )
    return rows


def _lost_rows(runs: list[dict]) -> list[dict]:
    """Per mode: runs, items acknowledged, lost (measured and simulated), runs that agree."""
    rows = []
    for mode in ("stateless", "stateful"):
        of_mode = [r for r in runs if r["mode"] == mode]
        if not of_mode:
            continue
        acknowledged = sum(r["measured"]["acknowledged_items"] for r in of_mode)
        rows.append(
            {
                "mode": mode.capitalize(),
                "runs": len(of_mode),
                "acknowledged": f"{acknowledged:,}",
                "measured": f"{sum(r['measured']['lost_items'] for r in of_mode):,}",
                "predicted": f"{sum(r['predicted']['lost_items'] for r in of_mode):,}",
                "agree": sum(bool(r["lost_items_agree"]) for r in of_mode),
            }
        )
    return rows


# Replicated mode's times after the kill, on Tomcat (lab/analysis.py defines them).
CLUSTER_TIMES = {
    "member_removed_s": "the cluster removed the member",
    "copy_stall_s": "longest wait of a request whose session copy went to it",
    "recovery_s": "its users answered again",
}


def _tomcat_rows(runs: list[dict]) -> list[dict]:
    """Per kill kind and time: runs, measured and simulated ranges, runs that agree."""
    rows = []
    for kind, label in KILL_LABELS.items():
        of_kind = [r for r in runs if r["kill_kind"] == kind]
        for key, words in CLUSTER_TIMES.items() if of_kind else ():
            times = [r["cluster"][key] for r in of_kind]
            rows.append(
                {
                    "kill": label,
                    "what": words,
                    "runs": len(of_kind),
                    "measured": _seconds_range([t["measured"] for t in times if t["measured"]]),
                    "predicted": _seconds_range(
                        [t["predicted"] for t in times if t["predicted"] is not None]
                    ),
                    "agree": sum(bool(t["agree"]) for t in times),
                }
            )
    return rows


def _tomcat(runs: list[dict] | None) -> dict | None:
    """Replicated mode on Tomcat: lost items and the cluster's times, or None."""
    if not runs:
        return None
    return {
        "runs": len(runs),
        "acknowledged": f"{sum(r['measured']['acknowledged_items'] for r in runs):,}",
        "lost": sum(r["measured"]["lost_items"] for r in runs),
        "lost_predicted": sum(r["predicted"]["lost_items"] for r in runs),
        "times": _tomcat_rows(runs),
    }


def _store_rows(entries: list[dict] | None) -> list[dict]:
    """Per Redis persistence setting: items acknowledged before the crash, lost, predicted."""
    rows = []
    for entry in entries or ():
        measured = entry["measured"]
        rows.append(
            {
                "persistence": entry["persistence"],
                "acknowledged": measured["acknowledged_before"],
                "lost": measured["lost_items"],
                "predicted": entry["predicted"]["lost_items"],
                "carts": f"{measured['carts_kept']} of {measured['carts']}",
                "agree": bool(entry["agree"]),
            }
        )
    return rows


def _keep_alive(entry: dict | None) -> dict | None:
    """The keep-alive run (HAProxy reusing server connections) beside the same runs without."""
    if entry is None:
        return None
    measured, per_request = entry["measured"], entry["per_request"]
    windows = [r["detection_s"] for r in per_request if r["detection_s"] is not None]
    detected = [] if measured["detection_s"] is None else [measured["detection_s"]]
    return {
        "mode": entry["mode"],
        "kill": entry["kill_kind"],
        "victim": entry["victim"],
        "detection": _seconds_range(detected),
        "failed": measured["after_kill"]["failed"],
        "requests": measured["after_kill"]["requests"],
        "per_request_runs": len(per_request),
        "per_request_detection": _seconds_range(windows),
        "per_request_failed": sum(r["after_kill"]["failed"] for r in per_request),
        "per_request_requests": sum(r["after_kill"]["requests"] for r in per_request),
    }


def _share(value: float) -> str:
    """A share of addresses as a percentage: '74.8%'."""
    return f"{100 * value:.1f}%"


def _remap(entries: list[dict] | None) -> dict | None:
    """The remap experiment: per hash type, the share of addresses moved, measured and
    simulated (`balance source`, a fourth server added at run time)."""
    if not entries:
        return None
    return {
        "addresses": entries[0]["addresses"],
        "rows": [
            {
                "hash_type": entry["hash_type"],
                "measured": _share(entry["measured_moved"]),
                "predicted": _share(entry["predicted_moved"]),
                "agree": bool(entry["agree"]),
            }
            for entry in entries
        ],
    }


def _redis_capacity(entry: dict | None) -> dict | None:
    """redis-benchmark's figures: its parameters, then per pipelining GET and SET ops/s."""
    if entry is None:
        return None
    runs = entry["runs"]
    return {
        "rounds": entry.get("rounds", 1),
        "requests": f"{entry['requests']:,}",
        "clients": entry["clients"],
        "value_bytes": entry["value_bytes"],
        "cpus": entry["cpus"],
        "load": f"{min(r['load_average'] for r in runs):.1f}\u2013"
        f"{max(r['load_average'] for r in runs):.1f}",
        "rows": [
            {
                "pipeline": run["pipeline"],
                "get_ops": f"{run['GET']['ops_per_s']:,}",
                "set_ops": f"{run['SET']['ops_per_s']:,}",
                "get_p50_ms": run["GET"]["p50_ms"],
                "set_p50_ms": run["SET"]["p50_ms"],
            }
            for run in runs
        ],
    }


def load_calibration(path: Path) -> dict | None:
    """The lab's measured figures, summed up for the guide; None when the lab never ran."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        machine, runs = data["machine"], data["runs"]
        ratio = data["store_over_memory"]
        return {
            "date": data["date"],
            "machine": f"{machine['system']} ({machine['cpus']} CPUs) with HAProxy "
            f"{machine['haproxy']} and Redis {machine['redis']}",
            "runs": len(runs),
            "tolerance_s": DETECTION_TOLERANCE_S,
            "detection": _detection_rows(runs),
            "lost": _lost_rows(runs),
            "store_over_memory": None if ratio is None else round(ratio),
            "keep_alive": _keep_alive(data.get("keep_alive")),
            "tomcat": _tomcat(data.get("tomcat")),
            "tomcat_version": machine.get("tomcat"),
            "store_crash": _store_rows(data.get("store_crash")),
            "remap": _remap(data.get("remap")),
            "redis_capacity": _redis_capacity(data.get("redis_capacity")),
        }
    except (ValueError, KeyError, TypeError) as error:
        raise BuildError(f"{path}: not a calibration file the guide can read ({error!r})") from None
