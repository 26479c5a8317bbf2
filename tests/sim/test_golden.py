"""Golden logs: seeded scenarios print exactly what they printed when last reviewed.

After an intended change, regenerate with `.venv/bin/python tests/sim/regen_golden.py` and
review the diff.
"""

import contextlib
import difflib
import io
from pathlib import Path

import pytest

from sim.cli.main import main
from tests.sim.scenarios import GOLDEN

GOLDEN_DIR = Path(__file__).parent / "golden"


def render(scenario: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["run", scenario]) == 0
    return f"# python -m sim run {scenario}\n" + out.getvalue()


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_the_log_matches_its_golden_file(name):
    expected = (GOLDEN_DIR / f"{name}.log").read_text(encoding="utf-8")
    actual = render(GOLDEN[name])
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(True), actual.splitlines(True), f"golden/{name}.log", "actual"
            )
        )
        pytest.fail(f"log differs from golden (regenerate if intended):\n{diff}")
