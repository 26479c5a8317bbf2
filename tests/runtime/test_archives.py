"""The trimmed, precompiled Python the site ships runs the whole simulator, as CPython does.

The build keeps only the standard-library modules a traced run loaded (tools/pyodide/). Here
the archives it wrote are loaded as the browser's worker loads them, in Pyodide under Node,
and drive every action type in every mode (the list comes from the simulator, so a new
action is covered the day it is added) and the simulator's test scenarios. A module the trim
left out fails this test rather than a reader.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import build
from site_build.python_runtime import PREPARE_TOOLS, PreparedPython, prepare_python, pyodide_lock
from tests.sim.scenarios import GOLDEN, PARITY

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("run_archives.mjs")
SCENARIOS = [*GOLDEN.values(), PARITY]

pytestmark = pytest.mark.node


@pytest.fixture(scope="module")
def prepared() -> PreparedPython:
    return prepare_python(build.Paths())


@pytest.fixture(scope="module")
def replayed(prepared: PreparedPython, tmp_path_factory: pytest.TempPathFactory) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: install Node 20 (this test must run, not skip)")
    folder = tmp_path_factory.mktemp("archives")
    (folder / "python_stdlib.zip").write_bytes(prepared.stdlib)
    (folder / "sim.zip").write_bytes(prepared.sim)
    (folder / "lock.json").write_text(json.dumps(pyodide_lock(ROOT / "node_modules")))
    result = subprocess.run(
        [
            node,
            str(RUNNER),
            *(str(folder / name) for name in ("python_stdlib.zip", "sim.zip")),
            str(folder / "lock.json"),
            str(PREPARE_TOOLS),
            *SCENARIOS,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def cpython_exercise() -> list[str]:
    sys.path.insert(0, str(PREPARE_TOOLS))
    try:
        import exercise

        return exercise.run()
    finally:
        sys.path.remove(str(PREPARE_TOOLS))


def test_every_action_type_in_every_mode_gives_what_cpython_gives(replayed: dict):
    expected = cpython_exercise()
    assert len(replayed["exercise"]) == len(expected)
    for index, (got, want) in enumerate(zip(replayed["exercise"], expected, strict=True)):
        assert got == want, f"call {index} differs"


def test_the_simulators_test_scenarios_give_what_cpython_gives(replayed: dict):
    from sim.browser.facade import load

    assert replayed["scenarios"] == [load(text).snapshot_json() for text in SCENARIOS]


def test_the_simulator_is_imported_from_its_precompiled_archive(replayed: dict):
    assert replayed["sim_file"] == "/home/pyodide/sim.zip/sim/browser/facade.pyc"


def test_the_standard_library_keeps_only_what_was_loaded(prepared: PreparedPython):
    with zipfile.ZipFile(io.BytesIO(prepared.stdlib)) as zipped:
        names = set(zipped.namelist())
        header = zipped.read("os.pyc")[:16]
    stock = zipfile.ZipFile(ROOT / "node_modules" / "pyodide" / "python_stdlib.zip")
    assert all(name.endswith(".pyc") for name in names)
    assert names == {f"{module}.pyc" for module in prepared.modules}
    assert len(names) < len(stock.namelist()) / 3
    for needed in ("json/__init__.pyc", "random.pyc", "heapq.pyc", "_pyodide/_base.pyc"):
        assert needed in names
    for unused in ("sqlite3/__init__.pyc", "email/__init__.pyc", "tkinter/__init__.pyc"):
        assert unused not in names
    # Python 3.14's magic number, and flags 0b01: hash-based, unchecked (no source needed).
    assert header[:4] == (3627).to_bytes(2, "little") + b"\r\n"
    assert int.from_bytes(header[4:8], "little") == 1


def test_the_run_loaded_every_module_kept(replayed: dict, prepared: PreparedPython):
    # A kept module this run did not load was either never needed, or failed to import
    # quietly (an optional import whose dependency the trim left out).
    kept = {name.removesuffix("/__init__").replace("/", ".") for name in prepared.modules}
    assert sorted(kept - set(replayed["modules"])) == []


def test_preparing_again_gives_the_same_bytes(prepared: PreparedPython):
    assert prepare_python(build.Paths()) == prepared
