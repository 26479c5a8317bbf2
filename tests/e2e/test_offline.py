"""Once the guide has been visited, it works with no network: pages, runtime and simulator."""

from __future__ import annotations

import collections
import http.server
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect

import build
from tests.conftest import (
    CHROMIUM_FLAGS,
    SUB_PATH,
    chromium_executable,
    serve_directory,
    sim_ready_outcome,
)


@pytest.fixture
def page(fresh_page):
    """These tests are about the offline copy: each needs a first visit, service workers allowed."""
    return fresh_page


pytestmark = pytest.mark.browser

OFFLINE_READY = """() => window.offlineReady.then(() => 'saved', (error) => error.message)"""


class Recorder:
    """What a server was asked for; and, once told to, pages it never answers."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.hold_pages = False
        self.release = threading.Event()


@contextmanager
def serve_recording(directory: Path) -> Iterator[tuple[str, Recorder]]:
    recorder = Recorder()

    class Handler(build.make_handler(directory, "/")):
        def do_GET(self) -> None:
            recorder.paths.append(self.path.split("?")[0])
            if recorder.hold_pages and self.path.split("?")[0].endswith("/"):
                recorder.release.wait(timeout=60)  # a network that does not answer
            super().do_GET()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", recorder
    finally:
        recorder.release.set()
        server.shutdown()
        server.server_close()


def test_the_site_and_the_demo_work_after_the_server_is_gone(browser, built_site: Path):
    context = browser.new_context()
    page = context.new_page()
    try:
        with serve_directory(built_site, "/") as url:
            page.goto(url)
            assert sim_ready_outcome(page) == "ready"
            assert page.evaluate(OFFLINE_READY) == "saved"
        # The server is stopped: nothing answers on its port any more (FACTS.md: set_offline
        # does not cover a service worker's own fetches).
        page.reload()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert sim_ready_outcome(page) == "ready"
        page.get_by_role("button", name="Pause", exact=True).click()
        page.get_by_role("button", name="Send request", exact=True).click()
        expect(
            page.get_by_role("group", name="User", exact=True).get_by_text("Cart:")
        ).to_have_text("Cart: 1 item")
        page.get_by_role("navigation", name="Guide").get_by_role("link").nth(1).click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert page.url != url
    finally:
        context.close()


def test_the_first_visit_fetches_nothing_twice(browser, built_site: Path, tmp_path: Path):
    # A profile on disk, as a reader's is: a new_context() keeps its HTTP cache in memory,
    # where the 9.6 MB wasm does not fit, so there saving it for offline use fetches it again.
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=chromium_executable(),
        args=CHROMIUM_FLAGS,
        headless=True,
    )
    page = context.new_page()
    try:
        with serve_recording(built_site) as (url, recorder):
            page.goto(url)
            assert sim_ready_outcome(page) == "ready"
            assert page.evaluate(OFFLINE_READY) == "saved"
            asked = collections.Counter(recorder.paths)
        # Saving the site for offline use took what the visit had fetched from the HTTP cache.
        assert {path: n for path, n in asked.items() if n > 1} == {}
        assert asked["/pyodide/314.0.7/pyodide.asm.wasm"] == 1
        assert "/sticky-sessions/" in asked  # and the rest of the site from the network
    finally:
        context.close()


def test_a_page_the_network_does_not_answer_comes_from_the_cache_after_a_while(
    browser, built_site: Path
):
    context = browser.new_context()
    page = context.new_page()
    try:
        with serve_recording(built_site) as (url, recorder):
            page.goto(url)
            assert page.evaluate(OFFLINE_READY) == "saved"
            recorder.hold_pages = True
            # A query the HTTP cache has not seen, so the request does go to the network.
            page.goto(url + "sticky-sessions/?from=home")
            expect(page.get_by_role("heading", level=1)).to_contain_text("sticky sessions")
            assert recorder.paths.count("/sticky-sessions/") == 2  # asked, never answered
    finally:
        context.close()


def test_offline_ready_means_a_worker_is_active_to_answer_the_next_page(page, site_url: str):
    # Saved is not yet kept: a navigation before the worker is active still goes to the
    # network, and waited there (CI, a page the network did not answer).
    page.goto(site_url)
    state = page.evaluate(
        """() => window.offlineReady.then(async () =>
            (await navigator.serviceWorker.getRegistration()).active?.state ?? 'none')"""
    )
    assert state in ("activating", "activated")


def test_offline_ready_says_why_when_the_browser_cannot_keep_the_site(page, site_url: str):
    page.add_init_script("delete Navigator.prototype.serviceWorker")
    page.goto(site_url)
    assert sim_ready_outcome(page) == "ready"
    assert page.evaluate(OFFLINE_READY) == "This browser cannot keep the guide for offline use."


def test_the_service_worker_keeps_its_caches_apart_from_other_sites_on_the_origin(
    browser, sub_path_build: Path
):
    source = (sub_path_build / "sw.js").read_text()
    assert source.startswith('const BASE = "/stateless-guide/";')
    assert '"/stateless-guide/pyodide/314.0.7/pyodide.asm.wasm"' in source
    assert '"/stateless-guide/sticky-sessions/"' in source
    context = browser.new_context()
    page = context.new_page()
    try:
        with serve_directory(sub_path_build, SUB_PATH) as url:
            page.goto(url)
            assert sim_ready_outcome(page) == "ready"
            assert page.evaluate(OFFLINE_READY) == "saved"
            scope = page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
            page.wait_for_function(
                "() => performance.getEntriesByName('simulator-snapshot-saved').length > 0"
            )
            names = page.evaluate("() => caches.keys()")
        assert scope == url
        # The offline copy and the started simulator, each named for this site's path.
        assert len(names) == 2
        assert all(name.split(":")[1] == "/stateless-guide/" for name in names), names
    finally:
        context.close()


def offline_ready_outcome(page, timeout_ms: int = 60_000) -> str:
    """'saved', the rejection's message, or 'timeout' (so a hang fails instead of waiting)."""
    return page.evaluate(
        """(ms) => Promise.race([
            window.offlineReady.then(() => 'saved', (error) => error.message),
            new Promise((resolve) => setTimeout(() => resolve('timeout'), ms)),
        ])""",
        timeout_ms,
    )


def test_offline_ready_waits_until_a_cleared_cache_is_filled_again(browser, built_site: Path):
    context = browser.new_context()
    page = context.new_page()
    try:
        with serve_directory(built_site, "/") as url:
            page.goto(url)
            assert offline_ready_outcome(page) == "saved"
            # As "Clear site data" for the cache alone, or a browser short of space, would.
            page.evaluate(
                """async () => {
                    for (const name of await caches.keys()) {
                        if (name.startsWith("stateless-guide:/:")) await caches.delete(name);
                    }
                }"""
            )
            page.reload()
            assert offline_ready_outcome(page) == "saved"
        page.goto(url + "sticky-sessions/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("sticky sessions")
        page.goto(url)
        assert sim_ready_outcome(page) == "ready"
    finally:
        context.close()


def test_a_file_that_cannot_be_saved_is_named_once_and_tried_again_next_visit(
    browser, built_site: Path, tmp_path: Path
):
    site = tmp_path / "dist"
    shutil.copytree(built_site, site)
    glossary = site / "glossary"
    kept = glossary.rename(tmp_path / "glossary")  # one file of the list answers 404
    context = browser.new_context()
    page = context.new_page()
    try:
        with serve_directory(site, "/") as url:
            page.goto(url)
            reason = "/glossary/ could not be downloaded (the server answered 404)"
            assert offline_ready_outcome(page) == reason
            notice = page.get_by_role("status").filter(
                has_text="could not be saved for use offline"
            )
            expect(notice).to_have_text(
                f"This guide could not be saved for use offline: {reason}. "
                "It will try again on your next visit."
            )
            expect(notice).to_have_count(1)
            kept.rename(glossary)
            page.reload()
            assert offline_ready_outcome(page) == "saved"
            expect(notice).to_have_count(0)
    finally:
        context.close()


def test_offline_ready_is_rejected_when_its_script_does_not_download(page, site_url: str):
    page.route(
        re.compile(r".*/assets/js/offline\.[0-9a-f]+\.js$"),
        lambda route: route.fulfill(status=404),
    )
    page.goto(site_url)
    assert offline_ready_outcome(page) == (
        "The script that saves the guide for offline use did not download."
    )


def test_a_browser_without_room_for_the_guide_says_so(browser, site_url: str):
    context = browser.new_context()
    page = context.new_page()
    try:
        origin = site_url.rstrip("/")
        context.new_cdp_session(page).send(
            "Storage.overrideQuotaForOrigin", {"origin": origin, "quotaSize": 1_000_000}
        )
        page.goto(site_url)
        reason = offline_ready_outcome(page)
        assert re.fullmatch(r"the browser has no room left for /\S+", reason), reason
        notice = page.get_by_role("status").filter(has_text="could not be saved for use offline")
        expect(notice).to_have_text(
            f"This guide could not be saved for use offline: {reason}. "
            "It will try again on your next visit."
        )
    finally:
        context.close()
