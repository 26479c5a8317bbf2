"""The scale-out lesson (issue 20) in the page, by role and accessible name: the set-up, each
server's load, Add server in stateless mode and under a source hash."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_accessibility import violations
from tests.e2e.test_demo import open_demo
from tests.e2e.test_demo_lessons import LONG, outcome, predict, run_at_10x, step

pytestmark = pytest.mark.browser


def load_of(page: Page, name: str):
    return page.locator(f'#demo-servers [data-server="{name}"] [data-field=load]')


def test_scale_out_spreads_a_stateless_tier_and_a_source_hash_moves_users(page, site_url):
    open_demo(page, site_url + "#lesson-scale-out")
    expect(page.get_by_role("radio", name="Scale out")).to_be_checked()
    page.get_by_role("button", name="Set up the load", exact=True).click()
    expect(step(page, "Press Set up the load")).to_contain_text("Done:")
    rate = page.get_by_role("combobox", name="Traffic rate, requests per second")
    expect(rate).to_have_value("200")
    predict(page, re.compile("Before you add a fourth server"), "As visitors leave")
    run_at_10x(page)
    expect(load_of(page, "A")).to_contain_text("1/1 busy")
    expect(load_of(page, "A")).to_contain_text("1 of 1 thread busy")  # for a screen reader
    page.get_by_role("button", name="Add server", exact=True).click()
    expect(step(page, "In Stateless mode, press Add server")).to_contain_text("Done:", timeout=LONG)
    expect(outcome(page)).to_contain_text("any server can answer any request")
    expect(load_of(page, "D")).to_contain_text("/s")
    expect(page.locator(".node-store [data-field=store-ops]")).to_contain_text("commands/s")

    page.get_by_text("Failure settings", exact=True).click()
    page.get_by_role("combobox", name="Balancing").select_option("Source hash (map-based)")
    expect(page.locator("[data-field=policy]")).to_have_text("Source hash (map-based)")
    page.get_by_role("button", name="Add server", exact=True).click()
    expect(outcome(page)).to_contain_text("Source hash, map-based:", timeout=LONG)
    expect(outcome(page)).to_contain_text("Their carts are in the store")
    expect(step(page, "Source hash (map-based)")).to_contain_text("Done:")
    assert page.console_errors == []


@pytest.mark.parametrize("width", [375, 1280])
def test_the_loaded_servers_pass_axe_at_each_width(axe_page, site_url: str, width: int):
    page = axe_page
    page.set_viewport_size({"width": width, "height": 900})
    open_demo(page, site_url + "#lesson-scale-out")
    page.get_by_role("button", name="Set up the load", exact=True).click()
    page.get_by_role("button", name="Resume", exact=True).click()
    expect(load_of(page, "B")).to_contain_text("busy")
    expect(load_of(page, "B")).to_be_visible()
    box = load_of(page, "B").bounding_box()
    server = page.locator('#demo-servers [data-server="B"]').bounding_box()
    assert box["x"] + box["width"] <= server["x"] + server["width"] + 1  # wraps, not spills
    assert violations(page) == []
