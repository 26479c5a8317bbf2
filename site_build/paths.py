"""Where the build reads from, and the error it raises for a problem in the sources."""

from __future__ import annotations

import dataclasses
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class BuildError(ValueError):
    """A problem in the sources, with a message that names the file at fault."""


@dataclasses.dataclass(frozen=True)
class Paths:
    """Where the build reads from; tests point these at small example trees."""

    site_src: Path = ROOT / "site_src"
    sim: Path = ROOT / "sim"
    node_modules: Path = ROOT / "node_modules"
    package_json: Path = ROOT / "package.json"
    license: Path = ROOT / "LICENSE"
    calibration: Path = ROOT / "lab" / "calibration.json"
