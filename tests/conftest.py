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


SUB_PATH = "/stateless-guide/"


@pytest.fixture(scope="session")
def sub_path_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site built once per test session under a project's sub-path, as GitHub Pages
    hosts it (tests serve it, or read it, and change nothing in it)."""
    return build.build(tmp_path_factory.mktemp("sub") / "dist", SUB_PATH)


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


VIEWPORT = {"width": 1280, "height": 900}


def collect_console_errors(page) -> None:
    """Console errors and uncaught exceptions, in page.console_errors for tests to assert on."""
    page.set_default_timeout(30_000)
    page.console_errors = []
    page.on(
        "console",
        lambda message: message.type == "error" and page.console_errors.append(message.text),
    )
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))


@pytest.fixture(scope="session")
def returning_context(browser):
    """The context of the `page` fixture, kept for the session as a returning reader's browser
    is: after the first page, the demo restores the interpreter it saved in Cache Storage
    instead of starting Python again (seconds instead of a cold start, for every test).
    Service workers are blocked so that no test meets another test's offline copy."""
    context = browser.new_context(service_workers="block", viewport=VIEWPORT)
    yield context
    context.close()


# What one test leaves that another could meet: the saved interpreter (Cache Storage) stays.
FORGOTTEN_STORAGE = "cookies,local_storage,indexeddb,websql,file_systems"


def forget_what_the_page_kept(page, origins: set[str]) -> None:
    """Clear what the page's origins stored, except the saved interpreter, and the context's
    cookies and permissions, so the next test starts as a reader's first visit would."""
    session = page.context.new_cdp_session(page)
    for origin in origins:
        session.send(
            "Storage.clearDataForOrigin", {"origin": origin, "storageTypes": FORGOTTEN_STORAGE}
        )
    session.detach()
    page.context.clear_cookies()
    page.context.clear_permissions()


def returning_page(context) -> Iterator:
    """A new page in a returning context, with nothing a previous test stored but the saved
    interpreter (of every origin the page or its frames visited); console errors collected."""
    page = context.new_page()
    collect_console_errors(page)
    origins: set[str] = set()
    page.on("framenavigated", lambda frame: origins.add(origin_of(frame.url)))
    yield page
    origins.discard("")
    forget_what_the_page_kept(page, origins)
    page.close()


@pytest.fixture
def page(returning_context):
    """A new page in the session's returning context, with nothing a previous test stored
    but the saved interpreter; console errors are collected for tests to assert on. Tests of
    the start, the offline copy or storage itself use `fresh_page` instead."""
    yield from returning_page(returning_context)


@pytest.fixture(scope="session")
def another_readers_context(browser):
    """A second returning context, shared with `page`'s by nothing: the browser of a reader a
    link was sent to. Service workers blocked, as in `returning_context`."""
    context = browser.new_context(service_workers="block", viewport=VIEWPORT)
    yield context
    context.close()


@pytest.fixture
def another_readers_page(another_readers_context):
    """A page in `another_readers_context`, with nothing a previous test stored there but the
    saved interpreter; console errors collected."""
    yield from returning_page(another_readers_context)


@pytest.fixture(scope="session")
def axe_context(browser):
    """A returning context like `page`'s that bypasses the page's CSP so that tests can inject
    axe-core. Kept apart so that every other test still runs under the page's own CSP."""
    # Playwright's own viewport (1280 x 720), as the checks' contexts of their own had.
    context = browser.new_context(service_workers="block", bypass_csp=True)
    yield context
    context.close()


@pytest.fixture
def axe_page(axe_context):
    """A page for the axe-core checks, in the returning `axe_context`; tests set its colour
    scheme (page.emulate_media) and width (page.set_viewport_size) before they open the site."""
    yield from returning_page(axe_context)


def origin_of(url: str) -> str:
    """scheme://host:port of an http(s) URL, '' for anything else (about:blank, data:)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""


@pytest.fixture
def fresh_page(browser):
    """A page in a context of its own: a first visit, service workers allowed."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    collect_console_errors(page)
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
# Full-page screenshots of every guide page at each width and scheme: for a person to look at,
# asserting nothing, and a third of the page tests' time (a 22,000 px page takes 10-15 s), so
# taken on request: `make screenshots`.
FULL_PAGE_SCREENSHOTS = os.environ.get("GUIDE_SCREENSHOTS") == "1"


@pytest.fixture
def artifacts() -> Path:
    """Folder for screenshots a person looks at (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# Tests left out unless the marker expression names them: the long randomised property runs
# (`make nightly`) and the lab's experiments on a real cluster (`make lab-test`, which CI runs
# after `make test`; `make test` checks the lab's pieces).
OPT_IN_MARKERS = ("nightly", "lab")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the opt-in tests whose marker the marker expression does not name."""
    named = config.option.markexpr or ""
    left_out = [
        item
        for item in items
        if any(marker not in named and item.get_closest_marker(marker) for marker in OPT_IN_MARKERS)
    ]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if item not in left_out]
