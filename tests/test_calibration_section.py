"""The guide's "Measured on a real cluster" section, built from the lab's calibration file."""

import json
from pathlib import Path

import pytest

import build
from site_build.calibration import load_calibration


def _run(mode: str, kind: str, detection: float, predicted: float, lost: int) -> dict:
    return {
        "mode": mode,
        "kill_kind": kind,
        "measured": {"detection_s": detection, "acknowledged_items": 1000, "lost_items": lost},
        "predicted": {"detection_s": predicted, "lost_items": lost},
        "detection_agree": abs(detection - predicted) <= 0.5,
        "lost_items_agree": True,
    }


def _write(path: Path, runs: list[dict]) -> Path:
    machine = {"system": "Linux 6 x86_64", "cpus": 2, "haproxy": "2.6.12", "redis": "7.0.15"}
    data = {"date": "2026-12-01", "machine": machine, "runs": runs, "store_over_memory": 184.7}
    path.write_text(json.dumps(data))
    return path


def test_the_section_sums_up_detection_windows_and_lost_items(tmp_path: Path) -> None:
    runs = [
        _run("stateful", "crash", 4.31, 4.2, 99),
        _run("stateful", "crash", 5.84, 5.2, 101),
        _run("stateless", "vanish", 11.2, 11.1, 0),
    ]
    summary = load_calibration(_write(tmp_path / "calibration.json", runs))
    assert summary["runs"] == 3
    assert summary["machine"] == "Linux 6 x86_64 (2 CPUs) with HAProxy 2.6.12 and Redis 7.0.15"
    crash, vanish = summary["detection"]
    assert crash["measured"] == "4.31\u20135.84\u00a0s"
    assert (crash["runs"], crash["agree"]) == (2, 1)
    assert vanish["measured"] == "11.20\u00a0s"
    stateless, stateful = summary["lost"]
    assert (stateless["measured"], stateful["measured"], stateful["predicted"]) == (
        "0",
        "200",
        "200",
    )
    assert stateful["acknowledged"] == "2,000"
    assert summary["store_over_memory"] == 185


def test_no_calibration_file_means_no_figures(tmp_path: Path) -> None:
    assert load_calibration(tmp_path / "absent.json") is None


def test_a_malformed_calibration_file_fails_the_build_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "calibration.json"
    path.write_text('{"date": "2026-12-01"}')
    with pytest.raises(build.BuildError, match=r"calibration\.json: not a calibration file"):
        load_calibration(path)


def test_the_committed_calibration_file_is_readable() -> None:
    assert load_calibration(build.Paths().calibration)["runs"] >= 1


def test_the_keep_alive_run_is_summed_up_beside_the_runs_with_a_connection_per_request(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path / "calibration.json", [_run("stateless", "vanish", 11.2, 11.1, 0)])
    data = json.loads(path.read_text())
    per_request = [
        {"detection_s": 11.2, "after_kill": {"requests": 100, "failed": 0}},
        {"detection_s": 10.4, "after_kill": {"requests": 120, "failed": 1}},
    ]
    data["keep_alive"] = {
        "mode": "stateless",
        "kill_kind": "vanish",
        "victim": "B",
        "measured": {"detection_s": 11.6, "after_kill": {"requests": 104, "failed": 2}},
        "per_request": per_request,
    }
    path.write_text(json.dumps(data))
    keep_alive = load_calibration(path)["keep_alive"]
    assert keep_alive == {
        "mode": "stateless",
        "kill": "vanish",
        "victim": "B",
        "detection": "11.60\u00a0s",
        "failed": 2,
        "requests": 104,
        "per_request_runs": 2,
        "per_request_detection": "10.40\u201311.20\u00a0s",
        "per_request_failed": 1,
        "per_request_requests": 220,
    }
    assert load_calibration(_write(tmp_path / "without.json", []))["keep_alive"] is None


def _times(measured: float, predicted: float) -> dict:
    return {"measured": measured, "predicted": predicted, "agree": abs(measured - predicted) <= 0.5}


def test_tomcat_runs_and_store_crashes_are_summed_up(tmp_path: Path) -> None:
    path = _write(tmp_path / "calibration.json", [_run("stateful", "crash", 4.3, 4.2, 99)])
    data = json.loads(path.read_text())
    data["machine"]["tomcat"] = "10.1.60.0"
    tomcat = _run("replicated", "vanish", 11.2, 11.1, 0)
    tomcat["cluster"] = {
        "member_removed_s": _times(3.9, 4.0),
        "copy_stall_s": _times(5.03, 4.0),
        "recovery_s": _times(5.2, 5.1),
    }
    data["tomcat"] = [tomcat]
    data["store_crash"] = [
        {
            "persistence": "aof-everysec",
            "measured": {
                "acknowledged_before": 196,
                "lost_items": 0,
                "carts_kept": 8,
                "carts": 8,
            },
            "predicted": {"lost_items": 0},
            "agree": True,
        }
    ]
    path.write_text(json.dumps(data))
    summary = load_calibration(path)
    assert summary["runs"] == 1  # the Tomcat runs are counted apart
    assert summary["tomcat_version"] == "10.1.60.0"
    removed, stall, recovery = summary["tomcat"]["times"]
    assert recovery["what"] == "its users answered again"
    assert (removed["measured"], removed["predicted"]) == ("3.90\u00a0s", "4.00\u00a0s")
    assert (stall["measured"], stall["agree"]) == ("5.03\u00a0s", 0)
    assert summary["tomcat"]["acknowledged"] == "1,000"
    (store,) = summary["store_crash"]
    assert (store["persistence"], store["lost"], store["carts"]) == ("aof-everysec", 0, "8 of 8")


def test_the_remap_and_redis_capacity_are_summed_up(tmp_path: Path) -> None:
    path = _write(tmp_path / "calibration.json", [_run("stateful", "crash", 4.3, 4.2, 99)])
    data = json.loads(path.read_text())
    data["remap"] = [
        {"hash_type": "map-based", "addresses": 250, "measured_moved": 0.748,
         "predicted_moved": 0.748, "agree": True},
        {"hash_type": "consistent", "addresses": 250, "measured_moved": 0.31,
         "predicted_moved": 0.276, "agree": False},
    ]  # fmt: skip
    figures = {"ops_per_s": 41667, "p50_ms": 0.623, "p99_ms": 3.0}
    data["redis_capacity"] = {
        "rounds": 3,
        "requests": 100000,
        "clients": 50,
        "value_bytes": 3,
        "cpus": 2,
        "runs": [
            {"pipeline": 1, "load_average": 6.39, "GET": figures, "SET": figures},
            {"pipeline": 16, "load_average": 5.2, "GET": figures, "SET": figures},
        ],
    }
    path.write_text(json.dumps(data))
    summary = load_calibration(path)
    remap = summary["remap"]
    assert remap["addresses"] == 250
    assert [(r["hash_type"], r["measured"], r["agree"]) for r in remap["rows"]] == [
        ("map-based", "74.8%", True),
        ("consistent", "31.0%", False),
    ]
    capacity = summary["redis_capacity"]
    assert (capacity["requests"], capacity["cpus"], capacity["load"]) == (
        "100,000",
        2,
        "5.2\u20136.4",
    )
    assert [(r["pipeline"], r["get_ops"]) for r in capacity["rows"]] == [
        (1, "41,667"),
        (16, "41,667"),
    ]
    assert capacity["rounds"] == 3


def test_a_calibration_file_without_the_remap_has_no_remap_figures(tmp_path: Path) -> None:
    summary = load_calibration(_write(tmp_path / "calibration.json", []))
    assert summary["remap"] is None and summary["redis_capacity"] is None
