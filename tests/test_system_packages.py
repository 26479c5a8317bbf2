"""`make test` installs what the tests need from the system before running them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

import system_packages


class Machine:
    """A machine where Chromium is present or not, and the commands it runs succeed or not."""

    def __init__(
        self, present: bool = False, apt_works: bool = False, playwright_works: bool = False
    ):
        self.present = present
        self.apt_works = apt_works
        self.playwright_works = playwright_works
        self.ran: list[list[str]] = []

    def run(self, command) -> bool:
        self.ran.append(list(command))
        if command[0] == "apt-get":
            self.present |= self.apt_works and command[1] == "install"
            return self.apt_works
        self.present |= self.playwright_works
        return self.playwright_works

    def needs(self) -> tuple[system_packages.Need, ...]:
        (chromium,) = system_packages.NEEDS
        return (
            system_packages.Need(
                chromium.name, lambda: self.present, chromium.debian, chromium.other_way
            ),
        )


def test_a_machine_that_has_everything_installs_nothing():
    machine = Machine(present=True)
    assert system_packages.install(machine.needs(), machine.run, apt=lambda: True) == []
    assert machine.ran == []


def test_as_root_on_debian_chromium_comes_from_apt():
    machine = Machine(apt_works=True)
    assert system_packages.install(machine.needs(), machine.run, apt=lambda: True) == []
    assert machine.ran[0] == ["apt-get", "update", "-qq"]
    assert machine.ran[1][:2] == ["apt-get", "install"] and "chromium" in machine.ran[1]
    assert len(machine.ran) == 2  # Playwright's installer is not tried


def test_elsewhere_chromium_comes_from_playwright():
    machine = Machine(playwright_works=True)
    assert system_packages.install(machine.needs(), machine.run, apt=lambda: False) == []
    assert machine.ran == [[".venv/bin/playwright", "install", "chromium"]]


@pytest.mark.parametrize("root", [True, False])
def test_where_neither_works_one_line_names_both_ways_and_the_status_is_2(capsys, root: bool):
    machine = Machine()
    assert system_packages.main(machine.needs(), machine.run, lambda: root) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert '"apt-get install chromium' in lines[0]
    assert '".venv/bin/playwright install chromium"' in lines[0]
    assert any(command[0] == ".venv/bin/playwright" for command in machine.ran)


def test_this_machine_has_what_the_tests_need():
    nothing_runs = lambda command: False  # noqa: E731
    assert system_packages.install(system_packages.NEEDS, nothing_runs, lambda: False) == []
