"""A second visit restores the started simulator from a snapshot; a bad one means a normal start.

The first visit starts Python afresh and keeps a memory snapshot of it in Cache Storage
(worker.js). Both ways of starting must give a working demo, and a snapshot that cannot be
used (here, one overwritten with other bytes) must fall back to a fresh start that saves a
good one again.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import sim_ready_outcome

pytestmark = pytest.mark.browser

HOW_IT_STARTED = "() => performance.getEntriesByName('simulator-ready')[0].detail.start"
SAVED = "() => performance.getEntriesByName('simulator-snapshot-saved').length > 0"
SNAPSHOT_SIZE = """async () => {
  const { cache, url } = JSON.parse(document.getElementById('boot-config').textContent)
    .pythonSnapshot;
  const saved = await (await caches.open(cache)).match(url);
  return saved ? (await saved.arrayBuffer()).byteLength : 0;
}"""
SPOIL_SNAPSHOT = """async () => {
  const { cache, url } = JSON.parse(document.getElementById('boot-config').textContent)
    .pythonSnapshot;
  const spoiled = new Uint8Array(32 * 1024 * 1024).fill(7);
  await (await caches.open(cache)).put(url, new Response(spoiled));
}"""


@pytest.fixture
def visits(browser, site_url: str):
    """Open the home page again and again in one browser profile, as a returning reader."""
    context = browser.new_context()
    opened: list[Page] = []

    def visit() -> Page:
        if opened:
            opened[-1].close()
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.console_errors = []
        page.on(
            "console",
            lambda message: message.type == "error" and page.console_errors.append(message.text),
        )
        page.goto(site_url)
        assert sim_ready_outcome(page) == "ready"
        opened.append(page)
        return page

    yield visit
    context.close()


def a_request_fills_the_cart(page: Page) -> None:
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Send request", exact=True).click()
    expect(page.get_by_role("group", name="User", exact=True).get_by_text("Cart:")).to_have_text(
        "Cart: 1 item"
    )


def test_the_first_visit_starts_python_and_the_next_restores_it(visits):
    first = visits()
    assert first.evaluate(HOW_IT_STARTED) == "fresh"
    first.wait_for_function(SAVED)
    assert first.evaluate(SNAPSHOT_SIZE) > 10_000_000
    a_request_fills_the_cart(first)

    second = visits()
    assert second.evaluate(HOW_IT_STARTED) == "restored"
    a_request_fills_the_cart(second)
    expect(second.locator("#demo-status")).to_contain_text("ready")
    assert first.console_errors == second.console_errors == []


def test_a_snapshot_that_cannot_be_restored_means_a_normal_start(visits):
    first = visits()
    first.wait_for_function(SAVED)
    first.evaluate(SPOIL_SNAPSHOT)

    second = visits()
    assert second.evaluate(HOW_IT_STARTED) == "fresh"
    a_request_fills_the_cart(second)
    second.wait_for_function(SAVED)  # a good one replaces the spoiled one

    third = visits()
    assert third.evaluate(HOW_IT_STARTED) == "restored"
    a_request_fills_the_cart(third)
    assert second.console_errors == []  # the fallback warns, it does not fail
