"""The scale-out lesson (issue 20) in the page, by role and accessible name: the set-up, each
server's load, Add server in stateless mode and under a source hash, and Compare after it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sim.browser.facade import load
from tests.e2e.test_accessibility import violations
from tests.e2e.test_demo import open_demo
from tests.e2e.test_demo_lessons import LONG, outcome, pause, predict, run_at_10x, step

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


def table_rows(table) -> dict[str, list[str]]:
    """Each row's header and its cells, one a mode, as the page shows them."""
    return {
        row.get_by_role("rowheader").inner_text(): row.get_by_role("cell").all_inner_texts()
        for row in table.get_by_role("row").all()[1:]
    }


def test_compare_after_the_lessons_add_shows_each_modes_rebalance_and_spread_at_375px(
    page: Page, site_url: str, artifacts: Path
):
    page.set_viewport_size({"width": 375, "height": 900})
    open_demo(page, site_url + "#lesson-scale-out")
    page.get_by_role("button", name="Set up the load", exact=True).click()
    expect(step(page, "Press Set up the load")).to_contain_text("Done:")
    run_at_10x(page)
    expect(load_of(page, "A")).to_contain_text("1/1 busy")
    page.get_by_role("button", name="Add server", exact=True).click()
    expect(step(page, "In Stateless mode, press Add server")).to_contain_text("Done:", timeout=LONG)
    pause(page)
    page.get_by_role("button", name="Compare modes", exact=True).click()
    table = page.get_by_role("table")
    expect(table).to_be_visible(timeout=LONG)
    rows = table_rows(table)
    modes = table.get_by_role("columnheader").all_inner_texts()
    assert modes == ["Stateless", "Stateful", "Stateful + replication"]
    # The same run in CPython: its comparison names the rows and gives the figures.
    scenario = page.evaluate("() => window.simSnapshot().scenario")
    expected = load(scenario).comparison()
    assert list(rows) == [row["name"] for row in expected["rows"]]
    figures = [expected["modes"][mode] for mode in ("stateless", "stateful", "replicated")]
    took = rows["New server took its share in"]
    assert re.fullmatch(r"\d+(\.\d)? s", took[0])  # stateless: within seconds
    assert abs(float(took[0][:-2]) - figures[0]["rebalance_s"]) <= 0.05
    assert took[1:] == ["not yet", "not yet"]  # the sticky tiers wait for visits to end
    assert figures[1]["rebalance_s"] is None and figures[2]["rebalance_s"] is None
    spread = rows["Busiest server vs mean, now"]
    for shown, f in zip(spread, figures, strict=True):
        assert shown.endswith("\u00d7") and abs(float(shown[:-1]) - f["load_spread"]) <= 0.0051
    assert float(spread[0][:-1]) < float(spread[1][:-1])  # stateless more even than sticky
    assert "Users moved by the hash" not in rows  # no column hashes the source
    # Readable at 375 px: every header and cell inside the scrolling box, nothing to scroll.
    right = page.locator("#demo-compare").bounding_box()
    for cell in [*table.get_by_role("rowheader").all(), *table.get_by_role("cell").all()]:
        box = cell.bounding_box()
        assert box["x"] + box["width"] <= right["x"] + right["width"] + 0.5, cell.inner_text()
    expect(page.get_by_text("scroll it sideways")).to_be_hidden()
    page.locator("#demo-compare").screenshot(path=str(artifacts / "compare-scale-out-375.png"))
    (artifacts / "compare-scale-out.json").write_text(json.dumps({"page": rows}, indent=1))
    assert page.console_errors == []
