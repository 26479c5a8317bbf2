"""Once the guide has been visited, it works with no network: pages, runtime and simulator."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import serve_directory, sim_ready_outcome

pytestmark = pytest.mark.browser


def test_the_site_and_the_demo_work_after_the_server_is_gone(browser, built_site: Path):
    context = browser.new_context()
    page = context.new_page()
    try:
        with serve_directory(built_site, "/") as url:
            page.goto(url)
            assert sim_ready_outcome(page) == "ready"
            # The worker is active once it has saved every file of the site.
            assert page.evaluate("async () => !!(await navigator.serviceWorker.ready).active")
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


def test_the_service_worker_keeps_its_caches_apart_from_other_sites_on_the_origin(
    browser, tmp_path: Path
):
    import build

    site = build.build(tmp_path / "dist", "/stateless-guide/")
    source = (site / "sw.js").read_text()
    assert source.startswith('const BASE = "/stateless-guide/";')
    assert '"/stateless-guide/pyodide/314.0.7/pyodide.asm.wasm"' in source
    assert '"/stateless-guide/sticky-sessions/"' in source
    context = browser.new_context()
    page = context.new_page()
    try:
        with serve_directory(site, "/stateless-guide/") as url:
            page.goto(url)
            assert sim_ready_outcome(page) == "ready"
            scope = page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
            names = page.evaluate("() => caches.keys()")
        assert scope == url
        assert names and all(n.startswith("stateless-guide:/stateless-guide/:") for n in names)
    finally:
        context.close()
