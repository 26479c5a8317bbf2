"""Kill database with "crashes Redis": the cart comes back with what the store's persistence
kept (issue 19), driven by role and accessible name."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_demo import cart_of, cpython_snapshot, open_demo, send_requests, settled
from tests.e2e.test_demo_lessons import metric

pytestmark = pytest.mark.browser


def crash_after_three_items(page: Page, persistence: str) -> None:
    """Choose the persistence (the run starts over), add three items, crash the store."""
    page.get_by_role("combobox", name="Persistence").select_option(persistence)
    expect(metric(page, "Requests ok")).to_have_text("0")
    send_requests(page, 3)
    expect(cart_of(page, "User")).to_have_text("Cart: 3 items")
    page.get_by_role("button", name="Kill database", exact=True).click()


def test_a_crashed_store_restarts_with_what_its_persistence_kept(page: Page, site_url: str):
    open_demo(page, site_url)  # stateless, paused
    page.get_by_text("Failure settings", exact=True).click()
    page.get_by_role("radio", name="crashes Redis").check()
    store = page.get_by_role("group", name="Shared DB / Redis", exact=True)
    expect(store).to_contain_text("Disk: no RDB snapshot yet")

    crash_after_three_items(page, "none")
    expect(store).to_contain_text("process killed; it restarts in 1.0 s")
    expect(metric(page, "Items lost")).to_have_text("3")
    expect(page.get_by_role("button", name="Restore database", exact=True)).to_be_visible()
    page.get_by_role("button", name="Resume", exact=True).click()
    expect(store).to_contain_text("R1: primary, up")  # the restart, a simulated second on
    page.get_by_role("button", name="Pause", exact=True).click()
    send_requests(page, 1)
    expect(cart_of(page, "User")).to_have_text("Cart: 1 item")  # started again, empty
    expect(metric(page, "Items lost")).to_have_text("3")

    crash_after_three_items(page, "aof-everysec")
    expect(store).to_contain_text("Disk: append-only file, every write (fsync every second)")
    expect(metric(page, "Items lost")).to_have_text("0")
    page.get_by_role("button", name="Restore database", exact=True).click()  # restart now
    expect(page.get_by_role("button", name="Kill database", exact=True)).to_be_visible()
    send_requests(page, 1)
    expect(cart_of(page, "User")).to_have_text("Cart: 4 items")
    expect(metric(page, "Items lost")).to_have_text("0")
    browser_snapshot = settled(page)
    assert browser_snapshot["scenario"].endswith("r3-dc-u-r")
    assert cpython_snapshot(browser_snapshot["scenario"]) == browser_snapshot
    assert page.console_errors == []
