"""The three lessons beyond the crash (issue 10), driven by role and accessible name.

Each test asserts what the learner sees in every mode the lesson teaches. Simulated time runs
at the page's own 10x speed where a lesson needs minutes of it; the tests wait on what the
page shows, never on the clock.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_accessibility import violations
from tests.e2e.test_demo import (
    cart_of,
    choose_mode,
    cpython_snapshot,
    open_demo,
    send_requests,
    settled,
)

pytestmark = pytest.mark.browser

LONG = 90_000  # ms: a whole deploy or failover at 10x on a small shared machine


def metric(page: Page, name: str):
    """The value shown under a metric's name."""
    return page.get_by_role("definition").filter(
        has=page.locator(f"xpath=preceding-sibling::dt[normalize-space()='{name}']")
    )


def user_cart(page: Page):
    """The User box's cart line: one count, or each tab's after two tabs at once."""
    return page.get_by_role("group", name="User", exact=True).locator("[data-field=cart]")


def open_lesson(page: Page, label: str) -> None:
    page.get_by_role("radiogroup", name="Lesson").get_by_role("radio", name=label).check()


def step(page: Page, text: str):
    """The guided step whose text contains `text`."""
    return page.locator("#demo .lesson:not([hidden]) .steps > li").filter(has_text=text)


def predict(page: Page, question: str, answer: str) -> None:
    page.get_by_role("radiogroup", name=question).get_by_role("radio", name=answer).check()


def outcome(page: Page):
    return page.locator("#demo-steps-outcome")


def run_at_10x(page: Page) -> None:
    page.get_by_role("combobox", name="Speed").select_option("10x")
    page.get_by_role("button", name="Resume", exact=True).click()


def pause(page: Page) -> None:
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.get_by_role("button", name="Resume", exact=True)).to_be_visible()


# ---------------------------------------------------------------- two tabs


def test_two_tabs_lose_an_item_in_a_store_unless_the_update_is_atomic_or_in_memory(page, site_url):
    open_demo(page, site_url)
    open_lesson(page, "Two tabs, one cart")
    choose_mode(page, "Stateless")
    send_requests(page, 1)
    expect(step(page, "send one ordinary request")).to_contain_text("Done:")
    predict(page, re.compile("how many items will the cart gain"), "Two")
    page.get_by_role("button", name="Two tabs at once", exact=True).click()
    expect(user_cart(page)).to_have_text("Tab 1: 2 items, Tab 2: 2 items")
    expect(metric(page, "Items lost")).to_have_text("1")
    expect(outcome(page)).to_contain_text("the last write won")
    expect(outcome(page)).to_contain_text("You expected the cart to gain two items.")

    atomic = page.get_by_role("checkbox", name="Atomic cart update")
    atomic.check()
    expect(atomic).to_be_checked()
    expect(metric(page, "Items lost")).to_have_text("0")  # the setting starts the run over
    send_requests(page, 1)
    page.get_by_role("button", name="Two tabs at once", exact=True).click()
    expect(user_cart(page)).to_have_text("Tab 1: 3 items, Tab 2: 2 items")
    expect(metric(page, "Items lost")).to_have_text("0")
    expect(step(page, "Atomic cart update")).to_contain_text("Done:")

    choose_mode(page, "Stateful")
    send_requests(page, 1)
    page.get_by_role("button", name="Two tabs at once", exact=True).click()
    expect(page.locator("#demo-servers").get_by_text("Session: 3 items")).to_be_visible()
    expect(metric(page, "Items lost")).to_have_text("0")
    expect(step(page, "Switch to Stateful")).to_contain_text("Done:")
    expect(outcome(page)).to_contain_text("lock on the session")
    assert page.console_errors == []


# ---------------------------------------------------------------- a rolling deploy


def deploy_and_wait(page: Page, done_text: str) -> None:
    """Press Rolling deploy with time running, and wait for the lesson to report its end."""
    page.get_by_role("button", name="Rolling deploy", exact=True).click()
    expect(page.locator("#demo-servers")).to_contain_text("Draining for the deploy")
    expect(outcome(page)).to_contain_text(done_text, timeout=LONG)
    pause(page)


def test_a_rolling_deploy_loses_only_the_stateful_sessions(page, site_url):
    open_demo(page, site_url + "#lesson-deploy")
    expect(page.get_by_role("radio", name="A rolling deploy")).to_be_checked()
    choose_mode(page, "Stateful")
    send_requests(page, 2)
    expect(step(page, "until “Session” appears")).to_contain_text("Done:")
    predict(page, re.compile("Before you deploy"), "It is lost")
    run_at_10x(page)
    deploy_and_wait(page, "started empty")
    expect(outcome(page)).to_contain_text("You expected the cart to be lost.")
    expect(metric(page, "Items lost")).to_have_text("2")
    expect(metric(page, "Sessions lost")).not_to_have_text("0")

    choose_mode(page, "Stateless")
    send_requests(page, 2)
    page.get_by_role("button", name="Resume", exact=True).click()
    deploy_and_wait(page, "cost capacity, not data")
    expect(metric(page, "Items lost")).to_have_text("0")
    expect(metric(page, "Failed")).to_have_text("0")
    expect(step(page, "Switch to Stateless")).to_contain_text("Done:")

    choose_mode(page, "Stateful + replication")
    send_requests(page, 2)
    page.get_by_role("button", name="Resume", exact=True).click()
    deploy_and_wait(page, "promoted them at once")
    expect(metric(page, "Items lost")).to_have_text("0")
    expect(metric(page, "Sessions lost")).to_have_text("0")
    send_requests(page, 1)
    expect(cart_of(page, "User")).to_have_text("Cart: 3 items")
    expect(step(page, "Now Stateful + replication")).to_contain_text("Done:")
    # The same run in every mode: only the in-memory sessions without a backup are lost.
    page.get_by_role("button", name="Compare modes", exact=True).click()
    table = page.get_by_role("table")
    expect(table).to_be_visible()
    modes = table.get_by_role("columnheader").all_inner_texts()
    rows = {
        row.get_by_role("rowheader").inner_text(): row.get_by_role("cell").all_inner_texts()
        for row in table.get_by_role("row").all()[1:]
    }
    assert modes == ["Stateless", "Stateful", "Stateful + replication"]
    assert rows["Items lost"] == ["0", "2", "0"]
    assert rows["Sessions lost"] == ["0", "1", "0"]
    assert page.console_errors == []


# ---------------------------------------------------------------- choosing a lesson


def test_a_lesson_is_chosen_with_the_keyboard_and_the_address_follows_it(demo_page):
    page = demo_page
    page.get_by_role("radio", name="A server crashes").focus()
    page.keyboard.press("ArrowRight")  # radios in a group move with the arrow keys
    expect(page.get_by_role("radio", name="A rolling deploy")).to_be_checked()
    expect(step(page, "Press Rolling deploy")).to_be_visible()
    expect(page.locator("#demo-steps")).to_be_hidden()  # the crash lesson's steps
    assert urlparse(page.url).fragment == "lesson-deploy"
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("radio", name="The store fails over")).to_be_checked()
    # The lesson's settings are where its steps say they are.
    expect(page.get_by_role("combobox", name="Replication lag")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Wait for the replica (WAIT)")).to_be_visible()


@pytest.fixture
def demo_page(page: Page, site_url: str) -> Page:
    open_demo(page, site_url)
    return page


@pytest.mark.parametrize(
    "fragment", ["#lesson-nope", "#lesson-%3Cimg%20src=x%20onerror=alert(1)%3E"]
)
def test_a_link_to_a_lesson_that_does_not_exist_says_so_and_opens_the_first(
    page, site_url, fragment
):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_demo(page, site_url + fragment, pause=False)
    expect(page.get_by_text("which the demo does not have")).to_be_visible()
    expect(page.get_by_role("radio", name="A server crashes")).to_be_checked()
    assert page.locator("#demo img").count() == 0
    assert dialogs == []


def test_a_compact_embed_keeps_the_crash_lesson_and_hides_the_others(page, site_url):
    page.goto(f"{site_url}embed/?controls=compact")
    expect(page.get_by_role("heading", name="Try this")).to_be_visible()
    expect(page.get_by_role("radiogroup", name="Lesson")).to_be_hidden()
    expect(page.get_by_role("button", name="Rolling deploy", exact=True)).to_be_hidden()
    expect(page.locator("#demo-steps")).to_be_visible()


def test_the_guide_links_open_each_lesson(page, site_url):
    for chapter, lesson in [
        ("sticky-sessions/", "A rolling deploy"),
        ("where-state-goes/", "The store fails over"),
        ("where-state-goes/", "Two tabs, one cart"),
    ]:
        page.goto(site_url + chapter)
        links = page.get_by_role("link", name="Try it in the demo")
        target = [links.nth(i) for i in range(links.count())]
        hrefs = [link.get_attribute("href") for link in target]
        slug = {"A rolling deploy": "deploy", "The store fails over": "store-failover"}.get(
            lesson, "two-tabs"
        )
        link = target[hrefs.index(f"/#lesson-{slug}")]
        link.click()
        expect(page.get_by_role("radio", name=lesson)).to_be_checked()
        expect(page.locator(f"#lesson-{slug}")).to_be_visible()


# ---------------------------------------------------------------- sharing, screen readers, screens


def test_copy_link_carries_the_new_actions_replays_as_in_cpython_and_opens_the_lesson(
    page, site_url, another_readers_page
):
    open_demo(page, site_url + "#lesson-two-tabs")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    send_requests(page, 1)
    page.get_by_role("button", name="Two tabs at once", exact=True).click()
    page.get_by_role("button", name="Rolling deploy", exact=True).click()
    expect(page.locator("#demo-servers")).to_contain_text("Draining for the deploy")
    page.get_by_role("button", name="Fail over the store", exact=True).click()
    expect(page.locator(".node-store")).to_contain_text("Sentinel calls it down")
    page.get_by_role("button", name="Copy link", exact=True).click()
    expect(page.get_by_text("Link copied")).to_be_visible()
    link = page.evaluate("() => navigator.clipboard.readText()")
    assert len(link) < 2000
    copied = urlparse(link)
    shared = settled(page)
    assert parse_qs(copied.query)["scenario"] == [shared["scenario"]]
    assert copied.fragment == "lesson-two-tabs"
    assert cpython_snapshot(shared["scenario"]) == shared, (
        "the browser's run differs from CPython's"
    )
    other = another_readers_page
    open_demo(other, link, pause=False)
    expect(other.get_by_text("Replayed a shared scenario")).to_be_visible()
    assert other.evaluate("() => window.simSnapshot()") == shared
    expect(other.get_by_role("radio", name="Two tabs, one cart")).to_be_checked()
    expect(other.locator("#demo-servers")).to_contain_text("Draining for the deploy")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_lesson_in_progress_passes_axe(axe_page, site_url: str, scheme: str):
    page = axe_page
    page.emulate_media(color_scheme=scheme)
    open_demo(page, site_url + "#lesson-store-failover")
    choose_mode(page, "Stateful")
    send_requests(page, 2)
    page.get_by_role("button", name="Rolling deploy", exact=True).click()
    expect(page.locator("#demo-servers")).to_contain_text("Draining for the deploy")
    page.get_by_role("button", name="Fail over the store", exact=True).click()
    expect(page.locator(".node-store")).to_contain_text("Sentinel calls it down")
    assert violations(page) == []


@pytest.mark.parametrize("width", [375, 1280])
def test_screenshots_of_a_deploy_and_a_failover_for_a_person_to_check(
    page: Page, site_url: str, artifacts, width: int
):
    page.set_viewport_size({"width": width, "height": 900})
    open_demo(page, site_url + "#lesson-deploy")
    choose_mode(page, "Stateful + replication")
    send_requests(page, 2)
    page.get_by_role("button", name="Rolling deploy", exact=True).click()
    expect(page.locator("#demo-servers")).to_contain_text("Draining for the deploy")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {width}px"
    page.locator("#demo").screenshot(path=str(artifacts / f"lesson-deploy-{width}.png"))


# ---------------------------------------------------------------- a store failover


def fail_over_and_wait(page: Page, done_text: str) -> None:
    """Press Fail over the store, let time run, and wait for the lesson to report the end."""
    page.get_by_role("button", name="Fail over the store", exact=True).click()
    store = page.get_by_role("group", name="Shared DB / Redis", exact=True)
    expect(store).to_contain_text("Sentinel calls it down")
    # The replica still answers: the store is failing over, not killed.
    expect(page.get_by_role("button", name="Kill database", exact=True)).to_be_visible()
    run_at_10x(page)
    expect(outcome(page)).to_contain_text(done_text, timeout=LONG)
    pause(page)
    expect(store).to_contain_text("R2: primary, up")
    expect(store).to_contain_text("R1: old primary, down")


def test_a_store_failover_is_the_stateless_outage_and_loses_the_lag_unless_writes_wait(
    page, site_url
):
    open_demo(page, site_url + "#lesson-store-failover")
    lag = page.get_by_role("combobox", name="Replication lag")
    lag.select_option("1 s")
    expect(page.get_by_role("group", name="Shared DB / Redis")).to_contain_text("1000 ms behind")
    send_requests(page, 2)
    expect(step(page, "set the Replication lag")).to_contain_text("Done:")
    predict(page, re.compile("Before the store fails over"), "It survives")
    send_requests(page, 1)
    fail_over_and_wait(page, "within the lag")
    expect(outcome(page)).to_contain_text("You expected the cart to survive.")
    expect(outcome(page)).to_contain_text("served nobody for 35 s")
    expect(metric(page, "Items lost")).not_to_have_text("0")
    p50_without_wait = float(metric(page, "Latency p50").inner_text().split()[0])

    wait = page.get_by_role("checkbox", name="Wait for the replica (WAIT)")
    wait.check()
    expect(wait).to_be_checked()
    expect(metric(page, "Items lost")).to_have_text("0")
    send_requests(page, 3)
    expect(cart_of(page, "User")).to_have_text("Cart: 3 items")
    p50_with_wait = float(metric(page, "Latency p50").inner_text().split()[0])
    assert p50_with_wait > p50_without_wait, "WAIT costs a round trip on every write"
    fail_over_and_wait(page, "Nothing acknowledged was lost")
    expect(metric(page, "Items lost")).to_have_text("0")
    expect(step(page, "Wait for the replica (WAIT)")).to_contain_text("Done:")
    # No replica now: WAIT times out, the request fails, and its item stays on the primary.
    send_requests(page, 1)
    expect(outcome(page)).to_contain_text("WAIT returned 0 at its 1 s time-out")
    expect(outcome(page)).to_contain_text("holds 4 items, 1 of them never confirmed to you")
    expect(step(page, "WAIT times out")).to_contain_text("Done:")
    expect(cart_of(page, "User")).to_have_text("Cart: 3 items")
    page.get_by_role("button", name="Restore the old primary", exact=True).click()
    store = page.get_by_role("group", name="Shared DB / Redis", exact=True)
    expect(store).to_contain_text("R1: replica, up")
    send_requests(page, 1)
    expect(cart_of(page, "User")).to_have_text("Cart: 5 items")
    expect(step(page, "Restore the old primary")).to_contain_text("Done:")
    expect(outcome(page)).to_contain_text("WAIT is answered again")
    assert page.console_errors == []
