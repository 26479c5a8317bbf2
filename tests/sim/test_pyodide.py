"""The package runs unchanged under real Pyodide (Python 3.14 in WebAssembly) and agrees with
CPython byte for byte on seeded scenarios with traffic, chaos, kills and lessons."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from sim.browser.facade import load
from tests.sim.scenarios import PARITY, PARITY_LESSONS

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("pyodide_run.mjs")
SCENARIOS = [PARITY, *PARITY_LESSONS]


@pytest.fixture(scope="module")
def pyodide_snapshots() -> dict[str, str]:
    """Every scenario's snapshot from one Pyodide start (starting it is most of the cost)."""
    node = shutil.which("node")
    if node is None:
        pytest.fail(
            "node is not on PATH: install Node 20 and run `npm install` (the parity "
            "test must run, not skip)"
        )
    if not (ROOT / "node_modules" / "pyodide" / "pyodide.mjs").exists():
        pytest.fail("node_modules/pyodide is missing: run `npm install` in the repository")
    result = subprocess.run(
        [node, str(RUNNER), str(ROOT / "sim"), *SCENARIOS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    assert "Pyodide Python 3." in result.stderr
    snapshots = json.loads(result.stdout)
    assert len(snapshots) == len(SCENARIOS)
    return dict(zip(SCENARIOS, snapshots, strict=True))


@pytest.mark.node
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_pyodide_under_node_gives_the_same_snapshot_as_cpython(scenario, pyodide_snapshots):
    assert pyodide_snapshots[scenario] == load(scenario).snapshot_json()
