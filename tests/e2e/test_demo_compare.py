"""Compare modes on long runs, long shared links, and runs too long for a link: the demo
keeps answering, says what it is doing, and offers what can be kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_demo import cart_of, choose_mode, open_demo, send_requests

pytestmark = pytest.mark.browser

# 60 minutes of simulated time at 50 requests/s with the Chaos Monkey on (the run).
HOUR_AT_50 = "v2.1..c1-t50-" + "-".join(["a600000000000"] * 6)


def compare_button(page: Page):
    return page.get_by_role("button", name="Compare modes", exact=True)


def test_compare_on_a_long_run_shows_progress_and_the_demo_keeps_answering(
    page: Page, site_url: str
):
    open_demo(page, f"{site_url}?scenario={HOUR_AT_50}#demo", pause=False)
    compare_button(page).click()
    busy = page.get_by_role("status").filter(has_text="Comparing modes")
    expect(busy).to_be_visible()
    expect(page.get_by_role("progressbar", name=re.compile("Comparing modes"))).to_be_visible()
    expect(compare_button(page)).to_have_attribute("aria-busy", "true")
    compare_button(page).click(force=True)  # a second click while it runs starts nothing
    send_requests(page, 1)
    expect(cart_of(page, "User")).to_have_text("Cart: 1 item")
    # The click was answered while the comparison was still running.
    expect(busy).to_be_visible()
    expect(page.get_by_role("table")).to_be_visible(timeout=60_000)
    expect(busy).to_be_hidden()
    expect(compare_button(page)).not_to_have_attribute("aria-busy", "true")
    assert page.evaluate("() => performance.getEntriesByName('compare-asked').length") == 1
    assert page.console_errors == []


def test_a_comparison_says_when_it_was_taken_and_goes_with_a_reset_or_a_mode_switch(
    page: Page, site_url: str
):
    open_demo(page, site_url)
    send_requests(page, 2)
    expect(cart_of(page, "User")).to_have_text("Cart: 2 items")
    now = page.locator("[data-field=time]").inner_text()
    compare_button(page).click()
    table = page.get_by_role("table")
    expect(table).to_be_visible()
    expect(table.locator("caption")).to_contain_text(f"the run at {now} of simulated time")
    page.get_by_role("button", name="Reset", exact=True).click()
    expect(table).to_be_hidden()
    send_requests(page, 1)
    compare_button(page).click()
    expect(table).to_be_visible()
    choose_mode(page, "Stateful")
    expect(table).to_be_hidden()


def test_the_compare_table_fits_a_phone_with_every_column_and_its_whole_caption(
    page: Page, site_url: str, artifacts: Path
):
    page.set_viewport_size({"width": 375, "height": 900})
    open_demo(page, f"{site_url}?scenario={HOUR_AT_50}#demo", pause=False)
    compare_button(page).click()
    expect(page.get_by_role("table")).to_be_visible(timeout=60_000)
    table_fits(page, artifacts, 375)
    # The same comparison on a wide screen: replaying an hour again would take half a minute.
    page.set_viewport_size({"width": 1280, "height": 900})
    table_fits(page, artifacts, 1280)


def table_fits(page: Page, artifacts: Path, width: int) -> None:
    """Every column of the compare table and its whole caption fit the page at `width`."""
    table = page.get_by_role("table")
    scroller = page.locator("#demo-compare").bounding_box()
    right = scroller["x"] + scroller["width"] + 0.5
    headers = table.get_by_role("columnheader")
    expect(headers).to_have_count(3)
    for cell in [*headers.all(), *table.get_by_role("cell").all()]:
        box = cell.bounding_box()
        assert box["x"] + box["width"] <= right, f"{cell.inner_text()!r} is cut at {width}px"
    caption = table.locator("caption")
    assert caption.evaluate("(c) => c.scrollWidth <= c.clientWidth")
    box = caption.bounding_box()
    assert box["x"] + box["width"] <= right
    expect(page.get_by_text("scroll it sideways")).to_be_hidden()
    page.locator("#demo-compare").screenshot(path=str(artifacts / f"compare-{width}.png"))
    page.locator("#demo").screenshot(path=str(artifacts / f"demo-long-run-{width}.png"))


def test_a_long_shared_link_says_it_is_being_replayed_with_progress(page: Page, site_url: str):
    page.goto(f"{site_url}?scenario={HOUR_AT_50}#demo")
    replaying = page.get_by_role("progressbar", name=re.compile("Replaying the shared run"))
    expect(replaying).to_be_visible()
    expect(
        page.get_by_role("status").filter(has_text="of 60.0 min of simulated time")
    ).to_be_visible()
    expect(page.get_by_text("Replayed a shared scenario")).to_be_visible(timeout=60_000)
    expect(replaying).to_be_hidden()
    assert page.evaluate("() => window.simSnapshot().time_ns") >= 3600 * 10**9


def test_a_run_too_long_for_a_link_can_be_downloaded_and_opened_again(
    page: Page, site_url: str, tmp_path: Path
):
    # Just short enough for a link: a learner's requests with time between them.
    tokens = ["r", "a123456789"] * 153  # 1,994 characters
    open_demo(page, f"{site_url}?scenario=v2.1..{'-'.join(tokens)}#demo", pause=False)
    for _ in range(20):
        if not page.evaluate("() => window.simSnapshot().scenario_shareable"):
            break
        send_requests(page, 1)
        page.get_by_role("button", name="Resume", exact=True).click()
        page.wait_for_function("() => window.simSnapshot().scenario.endsWith('r') === false")
        page.get_by_role("button", name="Pause", exact=True).click()
    long_run = page.evaluate("() => window.simSnapshot()")
    assert not long_run["scenario_shareable"]
    page.get_by_role("button", name="Copy link", exact=True).click()
    expect(page.get_by_text("This run is too long for a link")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this run as a file").click()
    saved = tmp_path / "run.txt"
    download.value.save_as(saved)
    assert saved.read_text() == long_run["run_file_head"] + long_run["scenario"] + "\n"
    page.get_by_role("button", name="Reset", exact=True).click()
    expect(cart_of(page, "User")).to_have_text("Cart: 0 items")
    page.get_by_label("Open a run file").set_input_files(saved)
    expect(page.get_by_text("Replayed the run from the file")).to_be_visible()
    expect(page.get_by_role("button", name="Resume", exact=True)).to_be_visible()
    assert page.evaluate("() => window.simSnapshot().scenario") == long_run["scenario"]
    assert page.console_errors == []


@pytest.mark.parametrize("text", ["my shopping list", "v2.1..r-a1000-kZ"], ids=["text", "run"])
def test_a_file_that_is_not_a_run_says_so_and_changes_nothing(
    page: Page, site_url: str, tmp_path: Path, text: str
):
    open_demo(page, site_url)
    send_requests(page, 2)
    expect(cart_of(page, "User")).to_have_text("Cart: 2 items")
    before = page.evaluate("() => window.simSnapshot()")
    junk = tmp_path / "notes.txt"
    junk.write_text(text + "\n")  # not a run, or a run that stops at a server that is not there
    page.get_by_label("Open a run file").set_input_files(junk)
    expect(page.get_by_text("The file could not be used")).to_be_visible()
    expect(cart_of(page, "User")).to_have_text("Cart: 2 items")
    assert page.evaluate("() => window.simSnapshot()") == before
    send_requests(page, 1)
    expect(cart_of(page, "User")).to_have_text("Cart: 3 items")


def test_in_a_300_px_embed_the_compare_tables_caption_is_whole_on_screen(
    page: Page, site_url: str, artifacts: Path
):
    page.set_viewport_size({"width": 300, "height": 900})
    open_demo(page, f"{site_url}embed/")
    send_requests(page, 1)
    compare_button(page).click()
    table = page.get_by_role("table")
    expect(table).to_be_visible()
    caption = table.locator("caption")
    expect(caption).to_contain_text("replayed in each mode")
    caption.scroll_into_view_if_needed()
    caption_within_the_scroller(page, "at the start")
    scroller = page.locator("#demo-compare")
    scroller.evaluate("(s) => { s.scrollLeft = s.scrollWidth; }")
    assert scroller.evaluate("(s) => s.scrollLeft") > 0, "the table did not scroll sideways"
    caption_within_the_scroller(page, "scrolled to the end")
    scroller.screenshot(path=str(artifacts / "compare-embed-300px.png"))
    # The table itself may scroll sideways, and the hint, which stays in place too, says so.
    hint = page.get_by_text("scroll it sideways")
    expect(hint).to_be_visible()
    assert hint.bounding_box()["x"] >= scroller.bounding_box()["x"] - 1


def caption_within_the_scroller(page: Page, scrolled: str) -> None:
    """The caption's words lie within the part of the table's scroller on screen."""
    seen = page.evaluate(
        """() => {
          const caption = document.querySelector("#demo-compare caption");
          const scroller = document.querySelector("#demo-compare").getBoundingClientRect();
          const text = document.createRange();
          text.selectNodeContents(caption);
          const words = text.getBoundingClientRect();
          return {
            left: words.left, right: words.right,
            visibleLeft: Math.max(0, scroller.left),
            visibleRight: Math.min(window.innerWidth, scroller.right),
            overflow: caption.scrollWidth - caption.clientWidth,
          };
        }"""
    )
    assert seen["overflow"] <= 0, (scrolled, seen)
    # within a pixel: a sideways scroll can stop between two pixels
    assert seen["left"] >= seen["visibleLeft"] - 1, (scrolled, seen)
    assert seen["right"] <= seen["visibleRight"] + 1, (scrolled, seen)
