"""The simulator's prediction for a recorded run, asked through its command line.

The lab runs `python -m sim predict --bindings FILE --json` in a separate process, so it
depends on the simulator's published entry point, not on its internals.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class PredictionFailed(RuntimeError):
    """The simulator could not predict; the message has its error output."""


def predict(bindings: dict) -> dict:
    """Return the simulator's prediction for `bindings` (see sim/cli/predict.py)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="bindings-") as file:
        json.dump(bindings, file)
        file.flush()
        done = subprocess.run(
            [sys.executable, "-m", "sim", "predict", "--bindings", file.name, "--json"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
        )
    if done.returncode != 0:
        raise PredictionFailed(f"python -m sim predict failed:\n{done.stderr.strip()}")
    return json.loads(done.stdout)
