"""Install what the tests need from outside Python and npm; `make test` runs this first.

    python tools/system_packages.py

A need that is met installs nothing. What is missing is installed with Debian's apt-get when
this runs as root on Debian (as CI does), and Chromium otherwise with Playwright's own
installer. Where neither works, one line says how to install it, and the exit status is 2.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def chromium_found() -> bool:
    """The places tests/conftest.py looks: CHROMIUM_PATH, Debian's, then Playwright's own."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return Path(configured).is_file()
    return Path("/usr/bin/chromium").is_file() or playwright_chromium_found()


def playwright_chromium_found() -> bool:
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            return Path(playwright.chromium.executable_path).is_file()
    except Exception:  # no driver, no browser: not found either way
        return False


@dataclasses.dataclass(frozen=True)
class Need:
    """Something the tests use: how to tell it is there, and the ways to install it."""

    name: str
    found: Callable[[], bool]
    debian: tuple[str, ...]  # the Debian packages that provide it
    other_way: tuple[str, ...] = ()  # a command, run in the repository, that installs it


# What the tests need, one line each.
NEEDS = (
    Need(
        "Chromium",
        chromium_found,
        ("chromium", "fonts-dejavu-core"),
        (".venv/bin/playwright", "install", "chromium"),
    ),
)


def run_command(command: Sequence[str]) -> bool:
    """Run a command, its output shown; True when it succeeded."""
    print("+", " ".join(command), flush=True)
    try:
        return subprocess.run(command, cwd=ROOT, check=False).returncode == 0
    except OSError:
        return False


def can_use_apt() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def install(
    needs: Sequence[Need], run: Callable[[Sequence[str]], bool], apt: Callable[[], bool]
) -> list[Need]:
    """Install what is missing; return what is still missing."""
    missing = [need for need in needs if not need.found()]
    if missing and apt():
        packages = [package for need in missing for package in need.debian]
        os.environ.setdefault("DEBIAN_FRONTEND", "noninteractive")
        if run(["apt-get", "update", "-qq"]):
            run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages])
        missing = [need for need in missing if not need.found()]
    for need in list(missing):
        if need.other_way and run(need.other_way) and need.found():
            missing.remove(need)
    return missing


def advice(need: Need) -> str:
    """One line: what is missing and every way to install it."""
    ways = f'as root on Debian with "apt-get install {" ".join(need.debian)}"'
    if need.other_way:
        ways += f', or with "{" ".join(need.other_way)}"'
    return f"make test: {need.name} is missing. Install it {ways}, then run make test again."


def main(
    needs: Sequence[Need] = NEEDS,
    run: Callable[[Sequence[str]], bool] = run_command,
    apt: Callable[[], bool] = can_use_apt,
) -> int:
    missing = install(needs, run, apt)
    for need in missing:
        print(advice(need), file=sys.stderr)
    return 2 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
