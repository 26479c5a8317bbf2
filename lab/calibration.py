"""The calibration file: the measured figures of a lab session, with the machine and date.

The guide's section "Measured on a real cluster" is built from it (build.py reads it).
"""

import datetime
import json
import os
import platform
import re
import subprocess
from dataclasses import asdict
from pathlib import Path

from lab import tomcat
from lab.analysis import Measured
from lab.prerequisites import MissingPrerequisite, find_program
from sim.vocabulary import KILL_KINDS

CALIBRATION_VERSION = 1


def _version_of(program: str, args: list[str], pattern: str) -> str:
    """The version a program prints (the first group of `pattern` in its first line)."""
    done = subprocess.run([find_program(program), *args], capture_output=True, text=True)
    first = (done.stdout or done.stderr).splitlines()[0].strip()
    match = re.search(pattern, first)
    return match.group(1) if match else first


def machine() -> dict:
    """What the figures were measured on, and when (no host name, no paths)."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.date.today().isoformat(),
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "haproxy": _version_of("haproxy", ["-v"], r"version (\S+)"),
        "redis": _version_of("redis-server", ["--version"], r"v=(\S+)"),
        "tomcat": _tomcat_version(),
    }


def _tomcat_version() -> str | None:
    """Tomcat's version, as its ServerInfo says (None when it is not installed)."""
    jar = tomcat.CATALINA_HOME / "lib" / "catalina.jar"
    try:
        java = find_program("java")
    except MissingPrerequisite:  # no Java: no Tomcat run either
        return None
    if not jar.is_file():
        return None
    argv = [java, "-cp", str(jar), "org.apache.catalina.util.ServerInfo"]
    done = subprocess.run(argv, capture_output=True, text=True)
    match = re.search(r"Server number:\s*(\S+)", done.stdout)
    return match.group(1) if match else None


def run_entry(plan: dict, measured: Measured, predicted: dict, verdicts: list[bool]) -> dict:
    """One run's figures for the file."""
    figures = asdict(measured)
    replicated = plan["mode"] == "replicated"
    return {
        "mode": plan["mode"],
        "kill_kind": plan["kill_kind"],
        "victim": plan["victim"],
        "users": plan["users"],
        "measured": figures,
        "predicted": {
            "lost_items": predicted["lost_items"],
            "lost_sessions": predicted.get("lost_sessions"),
            "detection_s": predicted["detection_s"],
            "after_kill": predicted["after_kill"],
            "p50_ms": predicted["p50_ms"],
        },
        "lost_items_agree": verdicts[0],
        "detection_agree": verdicts[1],
        **(_cluster_entry(measured, predicted, verdicts[2:]) if replicated else {}),
    }


def _cluster_entry(measured: Measured, predicted: dict, verdicts: list[bool]) -> dict:
    """Replicated mode's times after the kill, measured and predicted, and their verdicts."""
    keys = ("member_removed_s", "copy_stall_s", "recovery_s")
    return {
        "cluster": {
            key: {
                "measured": getattr(measured, key),
                "predicted": predicted.get(key),
                "agree": agree,
            }
            for key, agree in zip(keys, verdicts, strict=True)
        }
    }


def summary(runs: list[dict]) -> dict:
    """Detection windows by kill kind (measured and predicted), and the verdict counts."""
    out: dict = {"detection_s": {}, "runs": len(runs)}
    for kind in KILL_KINDS:
        of_kind = [r for r in runs if r["kill_kind"] == kind]
        measured = [r["measured"]["detection_s"] for r in of_kind]
        predicted = [r["predicted"]["detection_s"] for r in of_kind]
        measured = [value for value in measured if value is not None]
        predicted = [value for value in predicted if value is not None]
        if measured:
            out["detection_s"][kind] = {
                "runs": len(of_kind),
                "measured_min": min(measured),
                "measured_max": max(measured),
                "predicted_min": min(predicted) if predicted else None,
                "predicted_max": max(predicted) if predicted else None,
            }
    out["lost_items_agree"] = sum(r["lost_items_agree"] for r in runs)
    out["detection_agree"] = sum(r["detection_agree"] for r in runs)
    return out


def keep_alive_entry(plan: dict, measured: Measured, per_request: list[Measured]) -> dict:
    """The keep-alive run's figures, and those of the same runs with a connection per request."""
    return {
        "mode": plan["mode"],
        "kill_kind": plan["kill_kind"],
        "victim": plan["victim"],
        "users": plan["users"],
        "measured": asdict(measured),
        "per_request": [
            {"detection_s": m.detection_s, "after_kill": m.after_kill} for m in per_request
        ],
    }


def write(
    path: Path,
    machine: dict,
    settings: dict,
    runs: list[dict],
    store_over_memory: float | None,
    keep_alive: dict | None = None,
    tomcat: list[dict] | None = None,
    store_crash: list[dict] | None = None,
    remap: list[dict] | None = None,
    redis_capacity: dict | None = None,
) -> None:
    """Write the calibration file (`keep_alive`: the keep-alive run, when there was one;
    `tomcat`: the replicated runs on Tomcat; `store_crash`: the Redis crashes; `remap`: the
    share of source addresses moved per hash type; `redis_capacity`: redis-benchmark's)."""
    data = {
        "version": CALIBRATION_VERSION,
        "date": machine["date"],
        "machine": {k: v for k, v in machine.items() if k != "date"},
        "haproxy_settings": settings,
        "store_over_memory": store_over_memory,
        "summary": summary(runs),
        "runs": runs,
    }
    if keep_alive is not None:
        data["keep_alive"] = keep_alive
    if tomcat:
        data["machine"]["tomcat"] = machine.get("tomcat")
        data["tomcat"] = tomcat
    if store_crash:
        data["store_crash"] = store_crash
    if remap:
        data["remap"] = remap
    if redis_capacity:
        data["redis_capacity"] = redis_capacity
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
