"""Shared fixtures: a built site served over HTTP on 127.0.0.1, and one Chromium per session."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import build  # noqa: E402

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_executable() -> str | None:
    """CHROMIUM_PATH, then Debian's /usr/bin/chromium, then None (Playwright's own browser)."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        if not Path(configured).is_file():
            raise RuntimeError(f"CHROMIUM_PATH={configured} does not exist")
        return configured
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return None


@contextmanager
def serve_directory(directory: Path, base_url: str = "/") -> Iterator[str]:
    """Serve a built site on 127.0.0.1 (a free port) with the project's own handler."""
    import http.server

    handler = build.make_handler(directory, base_url)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{base_url}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built once per test session at the root path."""
    return build.build(tmp_path_factory.mktemp("site") / "dist", "/")


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    """URL of the real site served at /."""
    with serve_directory(built_site, "/") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session; contexts and pages are per test."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)  # the machine is small and shared; 5 s flakes
    from playwright.sync_api import sync_playwright

    executable = chromium_executable()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_FLAGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh context and page; console errors are collected for tests to assert on."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.console_errors = []
    page.on(
        "console",
        lambda message: message.type == "error" and page.console_errors.append(message.text),
    )
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    yield page
    context.close()


READY_TIMEOUT_MS = 120_000


def sim_ready_outcome(page, timeout_ms: int = READY_TIMEOUT_MS) -> str:
    """'ready', the rejection's message, or 'timeout' (so a hang fails instead of waiting)."""
    return page.evaluate(
        """(ms) => Promise.race([
            window.simReady.then(() => 'ready', (error) => error.message),
            new Promise((resolve) => setTimeout(() => resolve('timeout'), ms)),
        ])""",
        timeout_ms,
    )


ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture
def artifacts() -> Path:
    """Folder for screenshots a person looks at (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the nightly tests unless the marker expression asks for them (make nightly)."""
    if "nightly" in (config.option.markexpr or ""):
        return
    nightly = [item for item in items if item.get_closest_marker("nightly")]
    if nightly:
        config.hook.pytest_deselected(items=nightly)
        items[:] = [item for item in items if not item.get_closest_marker("nightly")]
