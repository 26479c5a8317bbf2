"""Rewrite the golden logs after an intended change in the model:

    .venv/bin/python tests/sim/regen_golden.py

Then read `git diff tests/sim/golden/` before committing: every changed line is a changed
behaviour. The tests never call this.
"""

import contextlib
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE))

from scenarios import GOLDEN  # noqa: E402

from sim.cli.main import main  # noqa: E402


def render(scenario: str) -> str:
    """Return what `python -m sim run SCENARIO` prints."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["run", scenario])
    assert status == 0
    return out.getvalue()


if __name__ == "__main__":
    for name, scenario in GOLDEN.items():
        path = HERE / "golden" / f"{name}.log"
        path.write_text(f"# python -m sim run {scenario}\n" + render(scenario), encoding="utf-8")
        print(f"wrote {path.relative_to(HERE.parent.parent)}")
