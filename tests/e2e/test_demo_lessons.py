"""The three lessons beyond the crash (issue 10), driven by role and accessible name.

Each test asserts what the learner sees in every mode the lesson teaches. Simulated time runs
at the page's own 10x speed where a lesson needs minutes of it; the tests wait on what the
page shows, never on the clock.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_demo import cart_of, choose_mode, open_demo, send_requests

pytestmark = pytest.mark.browser

LONG = 90_000  # ms: a whole deploy or failover at 10x on a small shared machine


def metric(page: Page, name: str):
    """The value shown under a metric's name."""
    return page.get_by_role("definition").filter(
        has=page.locator(f"xpath=preceding-sibling::dt[normalize-space()='{name}']")
    )


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
    expect(cart_of(page, "User")).to_have_text("Cart: 2 items")
    expect(metric(page, "Items lost")).to_have_text("1")
    expect(outcome(page)).to_contain_text("the last write won")
    expect(outcome(page)).to_contain_text("You expected the cart to gain two items.")

    atomic = page.get_by_role("checkbox", name="Atomic cart update")
    atomic.check()
    expect(atomic).to_be_checked()
    expect(metric(page, "Items lost")).to_have_text("0")  # the setting starts the run over
    send_requests(page, 1)
    page.get_by_role("button", name="Two tabs at once", exact=True).click()
    expect(cart_of(page, "User")).to_have_text("Cart: 3 items")
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
    assert page.console_errors == []
