"""A start that fails says what happened, in words, with a way to try again: it never hangs."""

from __future__ import annotations

import http.server
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect

import build
from tests.conftest import READY_TIMEOUT_MS, sim_ready_outcome


@pytest.fixture
def page(fresh_page):
    """These tests are about the start: each needs a first visit, with nothing saved."""
    return fresh_page


pytestmark = pytest.mark.browser

STALL_MS = 2_000  # the tests' own time-out for a download that stops; the site's is longer
WASM = r"/pyodide/[0-9.]+/pyodide\.asm\.wasm$"
STDLIB = r"/assets/python_stdlib\.[0-9a-f]+\.zip$"
SIM_ARCHIVE = r"/assets/sim\.[0-9a-f]+\.zip$"


class Faults:
    """What the server does wrong: send half of a file and hang up, or half and then nothing;
    and `hold`: answer a file only once a cut has been made (a slow runtime, say)."""

    def __init__(self) -> None:
        self.cut: str | None = None
        self.stall: str | None = None
        self.hold: str | None = None
        self.release = threading.Event()
        self.cut_made = threading.Event()


@contextmanager
def serve_with_faults(directory: Path) -> Iterator[tuple[str, Faults]]:
    faults = Faults()

    class Handler(build.make_handler(directory, "/")):
        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if faults.hold and re.search(faults.hold, path):
                faults.cut_made.wait(timeout=120)
            for pattern, then_stall in ((faults.cut, False), (faults.stall, True)):
                if pattern and re.search(pattern, path):
                    self.send_half(path)
                    if then_stall:
                        faults.release.wait(timeout=120)  # the connection stays open, silent
                    else:
                        faults.cut_made.set()
                    return  # the handler returns and the connection closes, short
            super().do_GET()

        def send_half(self, path: str) -> None:
            data = (directory / path.lstrip("/")).read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(path))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", faults
    finally:
        faults.release.set()
        server.shutdown()
        server.server_close()


def with_stall_time_out(page, url: str, stall_ms: int = STALL_MS) -> None:
    """Serve the page with a shorter stall time-out in its boot settings, so tests wait less."""

    def shorten(route) -> None:
        response = route.fetch()
        html = response.text()
        config = json.loads(
            re.search(r'<script type="application/json" id="boot-config">(.*?)</script>', html)[1]
        )
        assert 0 < config["downloadStallMs"] <= 30_000  # the site's own: at most 30 s
        html = html.replace(
            f'"downloadStallMs": {config["downloadStallMs"]}', f'"downloadStallMs": {stall_ms}'
        )
        route.fulfill(response=response, body=html)

    page.route(url, shorten)


def watch_uncaught(page) -> list[str]:
    """Errors nothing caught, in the page or its worker (a failed download's console line is
    expected; an uncaught error is not)."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.fixture
def faulty_site(built_site: Path) -> Iterator[tuple[str, Faults]]:
    with serve_with_faults(built_site) as served:
        yield served


def test_a_wasm_cut_half_way_says_so_and_retry_starts_the_simulator(page, faulty_site):
    url, faults = faulty_site
    faults.cut = WASM
    with_stall_time_out(page, url)
    uncaught = watch_uncaught(page)
    page.goto(url)
    message = sim_ready_outcome(page, timeout_ms=60_000)
    assert re.fullmatch(
        r"The simulator could not start\. Could not download pyodide\.asm\.wasm: "
        r"the connection broke off after [0-9.]+ MB of [0-9.]+ MB\.",
        message,
    ), message
    expect(page.locator("#demo-status")).to_have_text(message)
    faults.cut = None
    page.get_by_role("button", name="Retry").click()
    expect(page.locator("#demo-status")).to_contain_text("ready", timeout=READY_TIMEOUT_MS)
    assert uncaught == []


@pytest.mark.parametrize(
    ("pattern", "name"),
    [(STDLIB, r"python_stdlib\.[0-9a-f]+\.zip"), (SIM_ARCHIVE, r"sim\.[0-9a-f]+\.zip")],
)
def test_an_archive_cut_half_way_is_named_in_plain_words(page, faulty_site, pattern, name):
    # Before: "Program terminated with exit(1)", and "Failed to fetch" with an uncaught error.
    url, faults = faulty_site
    faults.cut = pattern
    # The runtime arrives after the cut, as on a slow or busy machine: Pyodide then meets a
    # failed standard library before it waits for it (an uncaught "Failed to fetch", seen in
    # a full run of the suite).
    faults.hold = WASM
    uncaught = watch_uncaught(page)
    page.goto(url)
    message = sim_ready_outcome(page, timeout_ms=60_000)
    assert re.fullmatch(
        rf"The simulator could not start\. Could not download {name}: "
        r"the connection broke off after [0-9.]+ MB of [0-9.]+ MB\.",
        message,
    ), message
    expect(page.get_by_role("button", name="Retry")).to_be_visible()
    assert uncaught == []


def test_a_simulator_archive_that_stops_arriving_ends_in_a_message_and_a_retry(page, faulty_site):
    url, faults = faulty_site
    faults.stall = SIM_ARCHIVE
    with_stall_time_out(page, url)
    uncaught = watch_uncaught(page)
    page.goto(url)
    message = sim_ready_outcome(page, timeout_ms=60_000)
    assert re.fullmatch(
        r"The simulator could not start\. Could not download sim\.[0-9a-f]+\.zip: "
        r"nothing arrived for 2 seconds \([0-9.]+ MB of [0-9.]+ MB had\)\.",
        message,
    ), message
    expect(page.locator("#demo-status")).to_have_text(message)
    expect(page.get_by_role("button", name="Retry")).to_be_visible()
    assert uncaught == []


def test_a_request_that_never_answers_ends_in_a_message_and_a_retry(page, site_url: str):
    page.route(re.compile(".*" + STDLIB), lambda route: None)  # never fulfilled
    with_stall_time_out(page, site_url)
    page.goto(site_url)
    message = sim_ready_outcome(page, timeout_ms=60_000)
    assert re.fullmatch(
        r"The simulator could not start\. Could not download python_stdlib\.[0-9a-f]+\.zip: "
        r"nothing arrived for 2 seconds \(0\.0 MB of [0-9.]+ MB had\)\.",
        message,
    ), message
    expect(page.get_by_role("button", name="Retry")).to_be_visible()


def serve_changed(pattern: str, change):
    """A route handler that serves the real file with its bytes changed by `change`."""

    def handle(route) -> None:
        response = route.fetch()
        route.fulfill(response=response, body=change(response.body()))

    return re.compile(".*" + pattern), handle


@pytest.mark.parametrize(
    ("pattern", "name"),
    [(STDLIB, r"python_stdlib\.[0-9a-f]+\.zip"), (SIM_ARCHIVE, r"sim\.[0-9a-f]+\.zip")],
)
def test_an_archive_served_short_is_named_in_plain_words(page, site_url: str, pattern, name):
    # A server that sends part of the file, and a length to match: nothing breaks off.
    page.route(*serve_changed(pattern, lambda body: body[: len(body) // 2]))
    uncaught = watch_uncaught(page)
    page.goto(site_url)
    message = sim_ready_outcome(page)
    assert re.fullmatch(
        rf"The simulator could not start\. Could not download {name}: "
        r"it arrived incomplete \([0-9.]+ MB of [0-9.]+ MB\)\.",
        message,
    ), message
    expect(page.locator("#demo-status")).to_have_text(message)
    expect(page.get_by_role("button", name="Retry")).to_be_visible()
    assert uncaught == []


def test_an_archive_that_arrives_damaged_is_refused(page, site_url: str):
    page.route(*serve_changed(SIM_ARCHIVE, lambda body: body[:-1] + bytes([body[-1] ^ 1])))
    page.goto(site_url)
    assert re.fullmatch(
        r"The simulator could not start\. Could not download sim\.[0-9a-f]+\.zip: "
        r"it arrived damaged \(its checksum is not the one this version lists\)\.",
        sim_ready_outcome(page),
    )


PAGE_SCRIPTS = [
    ("demo/main", 404),
    ("bridge/runtime", 500),
    ("demo/view", 404),
    ("demo/dots", 500),
    ("demo/chart", 404),
    ("demo/lesson-view", 500),
]


@pytest.mark.parametrize(("script", "status"), PAGE_SCRIPTS)
def test_a_page_script_that_fails_to_load_ends_in_a_message_and_a_reload(
    page, site_url: str, script: str, status: int
):
    failing = re.compile(rf".*/assets/js/{script}\.[0-9a-f]+\.js$")
    page.route(failing, lambda route: route.fulfill(status=status))
    page.goto(site_url)
    message = sim_ready_outcome(page, timeout_ms=30_000)
    assert message == (
        "The demo could not start: a script this page needs did not download. "
        "Reload the page to try again."
    )
    expect(page.locator("#demo-status")).to_have_text(message)
    reload = page.get_by_role("button", name="Reload the page")
    expect(reload).to_be_visible()
    if script == "demo/main":  # the button reloads, and a page whose scripts arrive starts
        page.unroute(failing)
        reload.click()
        expect(page.locator("#demo-status")).to_contain_text("ready", timeout=READY_TIMEOUT_MS)


def test_a_runtime_module_that_never_arrives_ends_in_a_message_and_a_retry(page, site_url: str):
    # Imported, not fetched, so its bytes are not counted: it is given the stall time-out once
    # every counted file is in.
    page.route(re.compile(r".*/pyodide/[0-9.]+/pyodide\.asm\.mjs$"), lambda route: None)
    with_stall_time_out(page, site_url)
    page.goto(site_url)
    message = sim_ready_outcome(page, timeout_ms=60_000)
    assert message == (
        "The simulator could not start. Could not download pyodide.asm.mjs: "
        "nothing arrived for 2 seconds after the other files."
    )
    expect(page.get_by_role("button", name="Retry")).to_be_visible()


def test_a_runtime_module_the_server_refuses_is_named(page, site_url: str):
    page.route(
        re.compile(r".*/pyodide/[0-9.]+/pyodide\.mjs$"), lambda route: route.fulfill(status=404)
    )
    page.goto(site_url)
    assert sim_ready_outcome(page) == (
        "The simulator could not start. Could not download pyodide.mjs: "
        "the server refused it or the network failed."
    )
