"""Run files, replays and shared links as a new user meets them: a bad file changes nothing,
a saved one opens exactly as saved, a replay can be waited for or cancelled, and the address
stops naming a shared link once the reader acts on it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sim.browser.facade import Demo
from sim.browser.versions import VERSION
from tests.e2e.test_demo import cart_of, open_demo, send_requests

pytestmark = pytest.mark.browser


def saved_file(tmp_path: Path, text: str, name: str = "run.txt") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def run_file_text(minutes: int = 1) -> str:
    """A run file as the page saves it: requests with time between them."""
    demo = Demo()
    for _ in range(minutes):
        demo.act({"type": "request"})
        demo.act({"type": "advance", "ns": 60 * 10**9})
    snap = demo.snapshot()
    return snap["run_file_head"] + snap["scenario"] + "\n"


def open_file(page: Page, path: Path) -> None:
    page.get_by_label("Open a run file").set_input_files(path)


def test_an_empty_file_is_refused_and_a_running_demo_keeps_running(
    page: Page, site_url: str, tmp_path: Path
):
    open_demo(page, site_url, pause=False)
    send_requests(page, 2)
    expect(cart_of(page, "User")).to_have_text("Cart: 2 items")
    open_file(page, saved_file(tmp_path, ""))
    expect(page.get_by_text("The file could not be used (the file is empty)")).to_be_visible()
    expect(page.get_by_role("button", name="Pause", exact=True)).to_be_visible()
    expect(cart_of(page, "User")).to_have_text("Cart: 2 items")
    before = page.evaluate("() => window.simSnapshot().time_ns")
    page.wait_for_function(f"() => window.simSnapshot().time_ns > {before}")  # time runs on


def test_a_file_cut_short_or_changed_is_refused_and_the_run_is_as_it_was(
    page: Page, site_url: str, tmp_path: Path
):
    open_demo(page, site_url)
    send_requests(page, 2)
    expect(cart_of(page, "User")).to_have_text("Cart: 2 items")
    before = page.evaluate("() => window.simSettled()")
    whole = run_file_text(minutes=6)
    open_file(page, saved_file(tmp_path, whole[: len(whole) * 2 // 3], "half.txt"))
    expect(page.get_by_text("it was cut short or changed")).to_be_visible()
    assert page.evaluate("() => window.simSnapshot()") == before
    changed = whole.replace("a60000000000", "a50000000000", 1)
    open_file(page, saved_file(tmp_path, changed, "changed.txt"))
    expect(page.get_by_text("The file could not be used")).to_be_visible()
    assert page.evaluate("() => window.simSnapshot()") == before
    expect(page.get_by_role("button", name="Resume", exact=True)).to_be_visible()


def test_a_deeply_nested_file_then_a_bad_file_each_get_a_clear_notice(
    page: Page, site_url: str, tmp_path: Path
):
    open_demo(page, site_url)
    send_requests(page, 1)
    open_file(page, saved_file(tmp_path, '{"a":' * 5000, "nested.txt"))
    expect(page.get_by_text("The file could not be used")).to_be_visible()
    open_file(page, saved_file(tmp_path, "my shopping list\n", "notes.txt"))
    expect(page.get_by_text("The file could not be used (it is not a scenario")).to_be_visible()
    page.get_by_role("button", name="Send request", exact=True).click()
    expect(cart_of(page, "User")).to_have_text("Cart: 2 items")
    assert page.console_errors == []


def test_a_file_saved_before_files_said_their_length_opens_with_a_notice(
    page: Page, site_url: str, tmp_path: Path
):
    open_demo(page, site_url)
    old = run_file_text(minutes=2).splitlines()[1] + "\n"
    open_file(page, saved_file(tmp_path, old, "old.txt"))
    expect(page.get_by_text("Replayed the run from the file")).to_be_visible()
    expect(page.get_by_text("could not be checked for being cut short")).to_be_visible()
    expect(cart_of(page, "User")).to_have_text("Cart: 2 items")


def test_a_saved_file_opens_exactly_as_saved_without_a_notice(
    page: Page, site_url: str, tmp_path: Path
):
    open_demo(page, site_url)
    text = run_file_text(minutes=3)
    open_file(page, saved_file(tmp_path, text))
    expect(page.get_by_text("Replayed the run from the file")).to_be_visible()
    expect(page.get_by_text("could not be checked")).to_be_hidden()
    snapshot = page.evaluate("() => window.simSettled()")
    assert snapshot["run_file_head"] + snapshot["scenario"] + "\n" == text


def busy_run_file(minutes: int) -> str:
    """A run file whose replay takes seconds: traffic at 50 requests a second."""
    demo = Demo()
    demo.act({"type": "traffic", "rate_per_s": 50})
    demo.act({"type": "request"})
    for _ in range(minutes):
        demo.act({"type": "advance", "ns": 60 * 10**9})
    snap = demo.snapshot()
    return snap["run_file_head"] + snap["scenario"] + "\n"


def test_during_a_files_replay_the_controls_wait_and_the_run_opens_exactly_as_saved(
    page: Page, site_url: str, tmp_path: Path
):
    open_demo(page, site_url)
    text = busy_run_file(minutes=20)
    open_file(page, saved_file(tmp_path, text))
    status = page.locator("#demo-status")
    expect(status).to_contain_text("The controls wait until it is done")
    expect(status).to_contain_text(re.compile(r"about \d+ s left|about a second left"))
    send = page.get_by_role("button", name="Send request", exact=True)
    expect(send).to_have_attribute("aria-disabled", "true")
    send.focus()  # still focusable: the keyboard keeps its place
    expect(send).to_be_focused()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Kill Server A", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Replayed the run from the file")).to_be_visible(timeout=120_000)
    snapshot = page.evaluate("() => window.simSettled()")
    assert snapshot["run_file_head"] + snapshot["scenario"] + "\n" == text
    expect(send).not_to_have_attribute("aria-disabled", "true")
    send.click()
    expect(cart_of(page, "User")).to_have_text("Cart: 2 items")


HOUR_AT_50 = "v2.1..c1-t50-" + "-".join(["a600000000000"] * 6)


def test_a_long_links_replay_says_how_long_and_cancel_gives_an_empty_run(page: Page, site_url: str):
    page.goto(f"{site_url}?scenario={HOUR_AT_50}#demo")
    status = page.locator("#demo-status")
    expect(status).to_contain_text(re.compile(r"about \d+ s left"), timeout=60_000)
    expect(page.get_by_role("button", name="Reset", exact=True)).to_have_attribute(
        "aria-disabled", "true"
    )
    page.get_by_role("button", name="Cancel", exact=True).click()
    expect(page.get_by_text("replay was cancelled. This is an empty run")).to_be_visible()
    snapshot = page.evaluate("() => window.simSettled()")
    # An empty run, running: at most the time that has passed since, none of the link's actions.
    assert re.fullmatch(rf"{VERSION}\.1\.\.(a[0-9]+)?", snapshot["scenario"])
    assert snapshot["traffic"]["rate_per_s"] == 0 and not snapshot["chaos"]["on"]
    expect(page.get_by_role("button", name="Cancel", exact=True)).to_be_hidden()
    page.get_by_role("button", name="Send request", exact=True).click()
    expect(cart_of(page, "User")).to_have_text("Cart: 1 item")


def address_has_scenario(page: Page) -> bool:
    return page.evaluate("() => new URLSearchParams(location.search).has('scenario')")


@pytest.mark.parametrize("act", ["Send request", "Resume"])
def test_once_the_reader_acts_on_a_shared_run_the_address_no_longer_names_the_link(
    page: Page, site_url: str, act: str
):
    page.goto(f"{site_url}?scenario=v2.1..r-r#demo")
    expect(page.get_by_text("Replayed a shared scenario")).to_be_visible(timeout=60_000)
    assert address_has_scenario(page)  # the shared moment on show is the link's
    page.get_by_role("button", name=act, exact=True).click()
    page.wait_for_function("() => !new URLSearchParams(location.search).has('scenario')")
    assert page.evaluate("() => location.hash") == "#demo"
    page.reload()
    expect(page.get_by_role("button", name="Send request", exact=True)).to_be_enabled(
        timeout=60_000
    )
    expect(page.get_by_text("Replayed a shared scenario")).to_be_hidden()


def test_a_refused_shared_link_leaves_the_address(page: Page, site_url: str):
    page.goto(f"{site_url}?scenario=v2.1..zzz#demo")
    expect(page.get_by_text("scenario could not be used")).to_be_visible(timeout=60_000)
    page.wait_for_function("() => !new URLSearchParams(location.search).has('scenario')")
    page.reload()
    assert not address_has_scenario(page)
    expect(page.get_by_text("scenario could not be used")).to_be_hidden()
