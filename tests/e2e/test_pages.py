"""Every page in a browser: no sideways scrolling at 375 px, a reachable menu, skip link, 404."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from site_build.content import read_content
from site_build.paths import ROOT
from tests.conftest import FULL_PAGE_SCREENSHOTS, SUB_PATH, serve_directory

pytestmark = pytest.mark.browser

PAGES = read_content(ROOT / "site_src" / "content")
WIDTHS = (375, 1280)
SCHEMES = ("light", "dark")


def without_runtime(page) -> None:
    """Skip the demo's Python download: these tests look at the page, not the simulator."""
    page.route(re.compile(r".*/pyodide/.*"), lambda route: route.abort())


def overflow_px(page) -> int:
    """How far the page scrolls sideways (0 when everything fits the viewport)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("guide_page", PAGES, ids=lambda p: p.slug)
def test_every_page_fits_its_width_in_light_and_dark(
    browser, site_url, artifacts: Path, guide_page, width, scheme
):
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    try:
        without_runtime(page)
        page.goto(site_url + guide_page.path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        if guide_page.slug == "index":
            expect(page.locator("#wizard[data-enhanced='true']")).to_be_attached()
        if FULL_PAGE_SCREENSHOTS:
            page.screenshot(  # the longest pages take more than 30 s on a busy machine
                path=artifacts / f"page-{guide_page.slug}-{width}-{scheme}.png",
                full_page=True,
                timeout=120_000,
            )
        assert overflow_px(page) == 0
        background = page.evaluate("() => getComputedStyle(document.documentElement).background")
        assert ("rgb(18, 21, 27)" in background) == (scheme == "dark")
    finally:
        context.close()


def test_every_menu_link_is_visible_and_works_at_375_px(browser, site_url):
    context = browser.new_context(viewport={"width": 375, "height": 700})
    page = context.new_page()
    try:
        without_runtime(page)
        page.goto(site_url + "glossary/")
        menu = page.get_by_role("navigation", name="Guide")
        links = menu.get_by_role("link")
        expect(links).to_have_count(len(PAGES))
        for index, guide_page in enumerate(PAGES):
            link = links.nth(index)
            expect(link).to_have_text(guide_page.extra["nav_title"])
            box = link.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375, guide_page.slug
            assert box["height"] >= 24, "touch targets are at least 24 px tall"
        for guide_page in PAGES:
            menu.get_by_role("link", name=guide_page.extra["nav_title"], exact=True).click()
            expect(page).to_have_url(site_url + guide_page.path)
            expect(menu.locator("[aria-current='page']")).to_have_text(
                guide_page.extra["nav_title"]
            )
            # Measured once the stylesheet applies: a layout forced before it loads is wider.
            page.wait_for_load_state("load")
            assert overflow_px(page) == 0, guide_page.slug
    finally:
        context.close()


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page, site_url):
    page.goto(site_url + "sticky-sessions/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_focus_is_visible_on_links(page, site_url):
    page.goto(site_url + "glossary/")
    link = page.get_by_role("navigation", name="Guide").get_by_role("link").first
    link.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_previous_and_next_walk_through_every_page_in_order(page, site_url):
    without_runtime(page)
    page.goto(site_url)
    pager = page.get_by_role("navigation", name="Previous and next page")
    for guide_page in PAGES[1:]:
        pager.get_by_role("link", name=re.compile(f"^Next {re.escape(guide_page.title)}")).click()
        expect(page).to_have_url(site_url + guide_page.path)
    expect(pager.locator("[rel='next']")).to_have_count(0)
    pager.locator("[rel='prev']").click()
    expect(page).to_have_url(site_url + PAGES[-2].path)


def test_the_404_page_works_under_a_sub_path(browser, sub_path_build: Path, artifacts: Path):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    try:
        with serve_directory(sub_path_build, SUB_PATH) as url:
            response = page.goto(url + "no/such/page/")
            assert response.status == 404
            expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
            color = page.evaluate(
                "() => getComputedStyle(document.querySelector('.site-header')).borderBottomStyle"
            )
            assert color == "solid", "the stylesheet loaded from the sub-path"
            page.screenshot(path=artifacts / "page-404-375-light.png", full_page=True)
            page.get_by_role("link", name="Go to the start of the guide").click()
            expect(page).to_have_url(url)
    finally:
        context.close()


def test_printing_hides_the_menu_and_shows_where_links_go(page, site_url):
    page.goto(site_url + "sticky-sessions/")
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Guide")).to_be_hidden()
    after = page.evaluate(
        "() => getComputedStyle(document.querySelector('.prose a[href^=\"https\"]'), '::after')"
        ".content"
    )
    assert "https://" in after or "attr(href)" in after or after.startswith('" (')
