"""What the demo shows a new user: one number format, the log's word for time that ran."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_demo import open_demo

pytestmark = pytest.mark.browser


def test_metrics_count_with_thousands_separators_as_the_compare_table_does(
    page: Page, site_url: str
):
    page.goto(f"{site_url}?scenario=v2.1..t100-a20000000000#demo")
    expect(page.get_by_text("Replayed a shared scenario")).to_be_visible(timeout=60_000)
    ok = page.evaluate("() => window.simSnapshot().metrics.ok")
    assert ok >= 1000
    expect(page.locator("[data-metric=ok]")).to_have_text(f"{ok:,}")


def test_the_log_keeps_the_line_that_explains_a_failovers_loss_under_traffic(
    page: Page, site_url: str
):
    # Issue 19, bug 5: 40 s of 503s at 100 requests/s once pushed it out of the 200 lines.
    page.goto(f"{site_url}?scenario=v2.1..t100-a5000000000-f-a40000000000#demo")
    expect(page.get_by_text("Replayed a shared scenario")).to_be_visible(timeout=60_000)
    log = page.get_by_role("log", name="Log")
    expect(log).to_contain_text("11 acknowledged items written in the last")
    expect(log).to_contain_text("R2 is the primary now")
    assert log.locator(".log-line").count() <= 200


def test_the_log_keeps_the_key_line_while_hundreds_of_failures_follow_it_live(
    page: Page, site_url: str
):
    # After the failover the store is killed: every request of the 100/s fails and is
    # logged, and the page, not the replay, must keep the line that explained the loss.
    link = "v4.1..t100-a5000000000-f-a40000000000-d"
    page.goto(f"{site_url}?scenario={link}#demo")
    expect(page.get_by_text("Replayed a shared scenario")).to_be_visible(timeout=60_000)
    page.locator("[data-setting=speed]").select_option("10")
    start = page.evaluate("() => window.simSnapshot().time_ns")
    page.get_by_role("button", name="Resume", exact=True).click()
    # 4 s at 100/s: about 400 failure lines, twice the console's 200.
    page.wait_for_function(f"() => window.simSnapshot().time_ns > {start} + 4e9", timeout=60_000)
    page.get_by_role("button", name="Pause", exact=True).click()
    log = page.get_by_role("log", name="Log")
    expect(log).to_contain_text("11 acknowledged items written in the last")
    assert log.locator(".log-line").count() <= 200


def test_the_done_badge_of_the_prediction_step_sits_on_the_questions_line(
    page: Page, site_url: str, artifacts: Path
):
    open_demo(page, f"{site_url}#demo")
    step = page.locator('#lesson-crash li[data-step="predict"]')
    step.get_by_role("radio").first.check()
    badge = step.locator(".step-badge")
    expect(badge).to_have_text("Done:")
    question = step.locator("p").first
    assert abs(badge.bounding_box()["y"] - question.bounding_box()["y"]) < 6
    step.screenshot(path=str(artifacts / "prediction-step-done.png"))


def test_after_a_rolling_deploy_the_user_box_says_its_cart_is_the_last_answer(
    page: Page, site_url: str
):
    from tests.e2e.test_demo_controls import link_to

    actions = [{"type": "reset", "config": {"mode": "stateful"}}]
    actions += [{"type": "request"}] * 3 + [{"type": "deploy"}]
    actions += [{"type": "advance", "ns": 120 * 10**9}]
    open_demo(page, link_to(site_url, actions), pause=False)
    expect(page.get_by_text("Replayed a shared scenario")).to_be_visible()
    user = page.get_by_role("group", name="User", exact=True)
    expect(user.get_by_text("Cart:")).to_have_text("Cart: 3 items")
    note = user.get_by_text("That was the last answer; the servers hold no cart for you now.")
    expect(note).to_be_visible()
    page.get_by_role("button", name="Send request", exact=True).click()
    expect(user.get_by_text("Cart:")).to_have_text("Cart: 1 item")
    expect(note).to_be_hidden()


# What each mode's two tabs show with seed 1 after one ordinary request: the session holding
# the cart (as the server's box or the store's says it too), and each tab's answer.
TWO_TABS = [
    ("Stateless", "Tab 1: 2 items, Tab 2: 2 items", "in the store: 2 items now"),
    ("Stateful", "Tab 1: 2 items, Tab 2: 3 items", "on Server A: 3 items now"),
    ("Stateful + replication", "Tab 1: 3 items, Tab 2: 2 items", "on Server A: 3 items now"),
]


def test_after_two_tabs_the_user_box_shows_each_tabs_answer_and_the_session_in_every_mode(
    page: Page, site_url: str, artifacts: Path
):
    from tests.e2e.test_demo import choose_mode, send_requests

    open_demo(page, f"{site_url}#demo")
    user = page.get_by_role("group", name="User", exact=True)
    for mode, answers, session in TWO_TABS:
        choose_mode(page, mode)
        send_requests(page, 1)
        expect(user.locator("[data-field=cart]")).to_have_text("Cart: 1 item")
        page.get_by_role("button", name="Two tabs at once", exact=True).click()
        expect(user.locator("[data-field=cart]")).to_have_text(answers)
        expect(user.locator("[data-field=cart-note]")).to_contain_text(session)
        name = mode.replace(" + ", "-").lower()
        user.screenshot(path=str(artifacts / f"two-tabs-user-{name}.png"))
    assert page.console_errors == []


def test_the_chart_follows_each_request_and_is_left_alone_while_nothing_changes(
    page: Page, site_url: str
):
    # The chart is drawn again only when its data changed (ten snapshots a second while running,
    # most with the same series when there is no traffic).
    open_demo(page, f"{site_url}#demo")
    chart = page.locator("#demo-chart")
    send = page.get_by_role("button", name="Send request", exact=True)
    for count in range(1, 4):
        send.click()
        page.wait_for_function(f"() => window.simSnapshot().metrics.ok === {count}")
        latest = page.evaluate("() => window.simSnapshot().series.at(-1).p50_ms")
        expect(chart.locator("desc")).to_contain_text(f"latest median latency is {latest:.2f} ms")
        expect(chart.locator("circle")).to_have_count(1)
    # New snapshots with the same series (time held): the chart's shapes stay the same elements.
    page.evaluate("() => { window.__line = document.querySelector('#demo-chart path'); }")
    chaos = page.get_by_role("switch", name="Chaos Monkey")
    for on in ("true", "false"):
        chaos.click()
        expect(chaos).to_have_attribute("aria-checked", on)
    assert page.evaluate("() => document.querySelector('#demo-chart path') === window.__line")
    assert page.console_errors == []
