"""The demo's controls as a new user meets them: switches, toggles, shared links, focus."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from sim.browser.facade import Demo
from tests.e2e.test_accessibility import violations
from tests.e2e.test_demo import (
    choose_mode,
    open_demo,
    press_until_focused,
    send_requests,
    server_holding_the_session,
)

pytestmark = pytest.mark.browser

RATE = "Traffic rate, requests per second"


def switch_on(page: Page, name: str):
    """Expect the switch with this name to show on."""
    expect(page.get_by_role("switch", name=name)).to_have_attribute("aria-checked", "true")


def link_to(site_url: str, actions: list[dict]) -> str:
    """A shared link to the run these actions make, as Copy link would give it."""
    demo = Demo()
    for action in actions:
        demo.act(action)
    return f"{site_url}?scenario={quote(demo.snapshot()['scenario'])}#demo"


def step(page: Page, words: str):
    """The "Try this" step whose text contains these words."""
    return page.get_by_role("listitem").filter(has_text=words)


def test_switching_mode_keeps_auto_traffic_and_chaos_monkey_on(page: Page, site_url: str):
    open_demo(page, site_url)
    page.get_by_role("combobox", name=RATE).select_option("50")
    page.get_by_role("switch", name="Auto traffic").click()
    page.get_by_role("switch", name="Chaos Monkey").click()
    expect(page.get_by_role("switch", name="Chaos Monkey")).to_have_attribute(
        "aria-checked", "true"
    )
    choose_mode(page, "Stateful")
    expect(page.get_by_role("log")).to_contain_text("Mode: Stateful")
    expect(page.get_by_role("switch", name="Auto traffic")).to_have_attribute(
        "aria-checked", "true"
    )
    expect(page.get_by_role("switch", name="Chaos Monkey")).to_have_attribute(
        "aria-checked", "true"
    )
    expect(page.get_by_role("combobox", name=RATE)).to_have_value("50")
    page.wait_for_function(
        """() => {
          const s = window.simSnapshot();
          return s.mode === "stateful" && s.traffic.rate_per_s === 50 && s.chaos.on;
        }"""
    )
    expect(page.get_by_role("log")).to_contain_text("Background traffic: 50 requests/s")


def test_a_double_click_on_kill_does_not_restart_the_server(page: Page, site_url: str):
    open_demo(page, site_url)
    choose_mode(page, "Stateful")
    send_requests(page, 2)
    holder = server_holding_the_session(page)
    # Two clicks 100 ms apart, as a person's double click: the first kill has answered by then.
    page.get_by_role("button", name=f"Kill Server {holder}", exact=True).dblclick(delay=100)
    box = page.get_by_role("group", name=f"Server {holder}", exact=True)
    expect(box).to_contain_text("Down")
    expect(page.get_by_role("button", name=f"Restart Server {holder}", exact=True)).to_be_visible()
    # Actions are answered in order: once this request is, any restart sent before it was too.
    send_requests(page, 1)
    expect(page.get_by_role("group", name="User", exact=True)).to_contain_text("Cart: 1 item")
    snapshot = page.evaluate("() => window.simSnapshot()")
    assert [s["alive"] for s in snapshot["servers"] if s["name"] == holder] == [False]
    assert "s" + holder not in snapshot["scenario"].split(".")[-1].split("-")


def test_a_shared_link_shows_its_traffic_rate_and_choosing_another_rate_works(
    page: Page, site_url: str
):
    link = link_to(site_url, [{"type": "request"}, {"type": "traffic", "rate_per_s": 50}])
    open_demo(page, link, pause=False)
    expect(page.get_by_role("switch", name="Auto traffic")).to_have_attribute(
        "aria-checked", "true"
    )
    rate = page.get_by_role("combobox", name=RATE)
    expect(rate).to_have_value("50")
    rate.select_option("10")
    page.wait_for_function("() => window.simSnapshot().traffic.rate_per_s === 10")


@pytest.mark.parametrize("how", ["Reset", "Stateful"])
def test_after_a_shared_link_reset_or_a_mode_starts_the_readers_own_run(
    page: Page, site_url: str, how: str
):
    open_demo(page, link_to(site_url, [{"type": "request"}] * 2), pause=False)
    expect(page.get_by_text("Replayed a shared scenario")).to_be_visible()
    if how == "Reset":
        page.get_by_role("button", name="Reset", exact=True).click()
    else:
        choose_mode(page, how)
    expect(page.get_by_role("button", name="Pause", exact=True)).to_be_visible()
    expect(page.get_by_text("Replayed a shared scenario")).to_be_hidden()
    page.wait_for_function("() => window.simSnapshot().time_ns > 200000000")
    assert "scenario" not in page.url
    assert page.url.endswith("#demo")


def contrast(first: list[float], second: list[float]) -> float:
    """WCAG contrast ratio of two sRGB colours given as 0..255 channels."""

    def luminance(rgb: list[float]) -> float:
        def channel(value: float) -> float:
            c = value / 255
            return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (channel(v) for v in rgb[:3])
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


FOCUS_STYLE = """(element) => {
  const rgb = (text) => text.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const style = getComputedStyle(element);
  let around = element.parentElement;
  const clear = (node) => getComputedStyle(node).backgroundColor === "rgba(0, 0, 0, 0)";
  while (clear(around)) around = around.parentElement;
  return {
    style: style.outlineStyle,
    width: parseFloat(style.outlineWidth),
    colour: rgb(style.outlineColor),
    inside: rgb(style.backgroundColor),
    around: rgb(getComputedStyle(around).backgroundColor),
    offset: parseFloat(style.outlineOffset),
  };
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_log_shows_a_clear_focus_ring_when_reached_with_the_keyboard(
    page: Page, site_url: str, scheme: str
):
    page.emulate_media(color_scheme=scheme)
    open_demo(page, site_url)
    log = page.get_by_role("log", name="Log")
    assert log.evaluate(FOCUS_STYLE)["style"] == "none"
    page.get_by_role("button", name="Remove server", exact=True).focus()
    press_until_focused(page, "Log", role="log")
    ring = log.evaluate(FOCUS_STYLE)
    assert ring["style"] == "solid" and ring["width"] >= 2, ring
    # The ring sits outside the box, on the panel's background (WCAG 2.4.13, 1.4.11).
    assert ring["offset"] >= 1, ring
    assert contrast(ring["colour"], ring["around"]) >= 3, ring


def test_a_chaos_monkey_kill_counts_for_the_kill_any_server_step(page: Page, site_url: str):
    demo = Demo()
    for action in [{"type": "request"}] * 2 + [{"type": "chaos", "on": True}]:
        demo.act(action)
    soon = demo.snapshot()["chaos"]["next_kill_ns"] - demo.snapshot()["time_ns"] - 300_000_000
    link = link_to(
        site_url,
        [{"type": "request"}] * 2
        + [{"type": "chaos", "on": True}, {"type": "advance", "ns": soon}],
    )
    open_demo(page, link, pause=False)
    expect(
        page.get_by_role("group", name=re.compile("^Server ")).filter(has_text="Down")
    ).to_have_count(0)
    page.get_by_role("button", name="Resume", exact=True).click()
    down = page.get_by_role("group", name=re.compile("^Server ")).filter(has_text="Down")
    expect(down).to_have_count(1)
    page.get_by_role("button", name="Pause", exact=True).click()
    send_requests(page, 1)
    expect(step(page, "Kill any server")).to_contain_text("Done")


def test_focus_stays_on_add_and_remove_server_at_their_limits(page: Page, site_url: str):
    open_demo(page, site_url)
    page.locator("body").focus()
    press_until_focused(page, "Add server")
    for _ in range(5):
        page.keyboard.press("Enter")
    expect(page.get_by_role("group", name="Server H", exact=True)).to_be_visible()
    add = page.get_by_role("button", name="Add server", exact=True)
    expect(add).to_be_disabled()
    expect(add).to_be_focused()
    page.keyboard.press("Enter")  # at the limit: nothing happens, and nothing breaks
    page.keyboard.press("Tab")
    remove = page.get_by_role("button", name="Remove server", exact=True)
    expect(remove).to_be_focused()
    for _ in range(7):
        page.keyboard.press("Enter")
    expect(page.get_by_role("group", name="Server B", exact=True)).to_have_count(0)
    expect(remove).to_be_disabled()
    expect(remove).to_be_focused()
    expect(page.get_by_role("group", name=re.compile("^Server "))).to_have_count(1)


@pytest.mark.parametrize(
    "scenario",
    ["v2.1.YWJj.r", "v2.1.!!!.r", "nonsense", "v2.1..q"],
    ids=["not-json", "not-base64", "not-a-scenario", "bad-action"],
)
def test_a_broken_link_says_what_is_wrong_in_plain_words(page: Page, site_url: str, scenario: str):
    open_demo(page, f"{site_url}?scenario={quote(scenario)}", pause=False)
    notice = page.get_by_role("status").filter(has_text="could not be used")
    expect(notice).to_be_visible()
    text = notice.inner_text()
    assert not re.search(r"Error\b|sim\.|section|base64|token|JSON", text), text
    expect(page.get_by_role("button", name="Pause", exact=True)).to_be_visible()


@pytest.mark.parametrize("query", ["?scenario=", "?scenario=%20", "embed/?scenario="])
def test_an_empty_scenario_parameter_is_no_shared_scenario(page: Page, site_url: str, query: str):
    open_demo(page, f"{site_url}{query}#demo", pause=False)
    expect(page.get_by_role("button", name="Pause", exact=True)).to_be_visible()
    expect(page.locator("#demo-notice")).to_be_hidden()
    page.wait_for_function("() => window.simSnapshot().time_ns > 0")


def test_dots_pass_behind_the_boxes_and_never_cover_a_label(page: Page, site_url: str):
    open_demo(page, site_url)
    send_requests(page, 1)
    expect(page.locator(".packet")).to_have_count(1)
    # Hold the dot exactly on the balancer's centre, the second point of its path.
    page.evaluate(
        """() => {
          const animation = document.querySelector('.packet').getAnimations()[0];
          animation.pause();
          const offset = animation.effect.getKeyframes()[1].computedOffset;
          animation.currentTime = animation.effect.getTiming().duration * offset;
        }"""
    )
    balancer = page.get_by_role("group", name="Load Balancer", exact=True)
    label = balancer.get_by_text("Load Balancer", exact=True)
    with_dot = label.screenshot()
    page.evaluate("() => document.querySelector('.packet').remove()")
    assert label.screenshot() == with_dot, "the dot covers the label"


def test_after_restarting_the_same_server_the_outcome_says_it_came_back_empty(
    page: Page, site_url: str
):
    open_demo(page, site_url)
    choose_mode(page, "Stateful")
    send_requests(page, 3)
    holder = server_holding_the_session(page)
    page.get_by_role("radio", name="It is lost").check()
    page.get_by_role("button", name=f"Kill Server {holder}", exact=True).click()
    page.get_by_role("button", name=f"Restart Server {holder}", exact=True).click()
    box = page.get_by_role("group", name=f"Server {holder}", exact=True)
    page.get_by_role("button", name="Resume", exact=True).click()
    expect(box).to_contain_text("Up", timeout=30_000)
    expect(box).not_to_contain_text("not yet", timeout=30_000)
    page.get_by_role("button", name="Pause", exact=True).click()
    send_requests(page, 1)
    outcome = page.get_by_role("status").filter(has_text="You expected")
    expect(outcome).to_contain_text(f"Server {holder} came back empty")
    expect(outcome).not_to_contain_text("took over")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_button_at_its_limit_passes_axe(axe_page, site_url: str, scheme: str):
    page = axe_page
    page.emulate_media(color_scheme=scheme)
    open_demo(page, site_url)
    remove = page.get_by_role("button", name="Remove server", exact=True)
    remove.click()
    expect(page.get_by_role("group", name="Server C", exact=True)).to_have_count(0)
    remove.click()
    expect(remove).to_be_disabled()
    assert violations(page) == []


def test_failure_settings_offer_three_redispatch_choices_and_never_ends_in_a_503(
    page: Page, site_url: str
):
    # A link made when the setting was a checkbox (false: plain option redispatch).
    old = "v2.1.eyJtb2RlIjoic3RhdGVmdWwiLCJyZWRpc3BhdGNoIjpmYWxzZX0.r"
    open_demo(page, f"{site_url}?scenario={old}#demo", pause=False)  # a replay opens paused
    page.get_by_text("Failure settings", exact=True).click()
    retry = page.get_by_role("combobox", name="Retry on another server")
    expect(retry).to_have_value("last")
    assert [o.strip() for o in retry.locator("option").all_inner_texts()] == [
        "every retry (option redispatch 1)",
        "the last retry (option redispatch)",
        "never (no option redispatch)",
    ]
    retry.select_option("off")
    page.wait_for_function("() => window.simSnapshot().config.redispatch === 'off'")
    expect(retry).to_have_value("off")
    send_requests(page, 1)
    holder = server_holding_the_session(page)
    page.get_by_role("button", name=f"Kill Server {holder}", exact=True).click()
    send_requests(page, 1)
    expect(page.get_by_role("log")).to_contain_text(
        f"Request failed (503): 4 attempts failed, all on Server {holder}"
    )
