"""What the demo shows a new user: one number format, the log's word for time that ran."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_metrics_count_with_thousands_separators_as_the_compare_table_does(
    page: Page, site_url: str
):
    page.goto(f"{site_url}?scenario=v2.1..t100-a20000000000#demo")
    expect(page.get_by_text("Replayed a shared scenario")).to_be_visible(timeout=60_000)
    ok = page.evaluate("() => window.simSnapshot().metrics.ok")
    assert ok >= 1000
    expect(page.locator("[data-metric=ok]")).to_have_text(f"{ok:,}")
