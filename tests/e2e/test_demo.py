"""The Chaos Monkey demo, driven by role and accessible name as a person would drive it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from urllib.parse import parse_qs, quote, urlparse

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import ROOT, sim_ready_outcome

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(page: Page, site_url: str) -> Page:
    """The home page with the simulator ready and simulated time paused."""
    open_demo(page, site_url)
    return page


def open_demo(page: Page, url: str, pause: bool = True) -> None:
    page.goto(url)
    outcome = sim_ready_outcome(page)
    assert outcome == "ready"
    if pause:
        page.get_by_role("button", name="Pause", exact=True).click()
        expect(page.get_by_role("button", name="Resume", exact=True)).to_be_visible()


def choose_mode(page: Page, label: str) -> None:
    page.get_by_role("radiogroup", name="Mode").get_by_role("radio", name=label, exact=True).check()
    expect(page.get_by_role("radio", name=label, exact=True)).to_be_checked()


def send_requests(page: Page, count: int) -> None:
    for _ in range(count):
        page.get_by_role("button", name="Send request", exact=True).click()


def settled(page: Page) -> dict:
    """The snapshot once every click so far has been answered by the simulator."""
    return page.evaluate("() => window.simSettled()")


# Resolves once the page has drawn animation frames for `ms` of its own clock: frames in which
# running time would have been sent to the simulator (demo/time.js).
FRAMES_FOR = """ms => new Promise((resolve) => {
  let first = null;
  const frame = (now) => {
    first ??= now;
    if (now - first >= ms) resolve();
    else requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})"""


def cpython_snapshot(scenario: str) -> dict:
    """The snapshot CPython's command line gives for an encoded scenario."""
    cli = subprocess.run(
        [sys.executable, "-m", "sim", "run", scenario, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(cli.stdout)


def server_holding_the_session(page: Page) -> str:
    """The name of the server whose box says it holds a session, read from the page."""
    # Wait for the page to show it: the last click's snapshot may still be on its way.
    expect(page.locator("#demo-servers").get_by_text("Session:")).to_be_visible()
    for name in "ABCDEFGH":
        box = page.get_by_role("group", name=f"Server {name}", exact=True)
        if box.count() and "Session:" in box.inner_text():
            return name
    raise AssertionError("no server box shows a session")


def cart_of(page: Page, group: str):
    return page.get_by_role("group", name=group, exact=True).get_by_text("Cart:")


def test_stateless_the_cart_survives_losing_two_servers(demo: Page):
    choose_mode(demo, "Stateless")
    send_requests(demo, 3)
    expect(cart_of(demo, "Shared DB / Redis")).to_have_text("Cart: 3 items")
    demo.get_by_role("button", name="Kill Server A", exact=True).click()
    demo.get_by_role("button", name="Kill Server B", exact=True).click()
    expect(demo.get_by_role("button", name="Restart Server B", exact=True)).to_be_visible()
    send_requests(demo, 1)
    expect(cart_of(demo, "User")).to_have_text("Cart: 4 items")
    expect(cart_of(demo, "Shared DB / Redis")).to_have_text("Cart: 4 items")
    assert demo.console_errors == []


def test_stateful_killing_the_session_server_loses_the_cart(demo: Page):
    choose_mode(demo, "Stateful")
    send_requests(demo, 3)
    expect(demo.get_by_text("Session: 3 items")).to_be_visible()
    holder = server_holding_the_session(demo)
    demo.get_by_role("button", name=f"Kill Server {holder}", exact=True).click()
    group = demo.get_by_role("group", name=f"Server {holder}", exact=True)
    expect(group).to_contain_text("Down")
    send_requests(demo, 1)
    expect(cart_of(demo, "User")).to_have_text("Cart: 1 item")
    expect(demo.get_by_role("log")).to_contain_text("Session lost")
    assert settled(demo)["metrics"]["lost_items"] == 3


def test_replication_survives_the_same_single_kill(demo: Page):
    choose_mode(demo, "Stateful + replication")
    send_requests(demo, 3)
    expect(demo.get_by_text("Backup: 3 items")).to_be_visible()
    holder = server_holding_the_session(demo)
    demo.get_by_role("button", name=f"Kill Server {holder}", exact=True).click()
    send_requests(demo, 1)
    expect(cart_of(demo, "User")).to_have_text("Cart: 4 items")
    assert settled(demo)["metrics"]["lost_items"] == 0


def test_a_killed_server_shows_the_detection_window_until_health_checks_notice(demo: Page):
    demo.get_by_role("button", name="Kill Server C", exact=True).click()
    box = demo.get_by_role("group", name="Server C", exact=True)
    expect(box).to_contain_text("not yet detected")
    demo.get_by_role("button", name="Resume", exact=True).click()
    # HAProxy's defaults: three failed checks two seconds apart; simulated time runs at 1x.
    expect(box).not_to_contain_text("not yet detected", timeout=30_000)
    expect(box).to_contain_text("Down (crashed)")


def test_the_browser_matches_cpython_for_the_same_scenario(demo: Page):
    choose_mode(demo, "Stateful")
    send_requests(demo, 2)
    demo.get_by_role("button", name="Add server", exact=True).click()
    demo.get_by_role("button", name="Kill Server A", exact=True).click()
    send_requests(demo, 2)
    demo.get_by_role("button", name="Kill database", exact=True).click()
    send_requests(demo, 1)
    browser_snapshot = settled(demo)
    assert cpython_snapshot(browser_snapshot["scenario"]) == browser_snapshot


def test_a_shared_link_replays_to_the_same_state(
    page: Page, site_url: str, another_readers_page: Page
):
    open_demo(page, site_url)
    choose_mode(page, "Stateful")
    send_requests(page, 3)
    holder = server_holding_the_session(page)
    page.get_by_role("button", name=f"Kill Server {holder}", exact=True).click()
    send_requests(page, 1)
    shared = settled(page)
    link = f"{site_url}?scenario={quote(shared['scenario'])}#demo"
    other = another_readers_page
    open_demo(other, link, pause=False)
    expect(other.get_by_role("button", name="Resume", exact=True)).to_be_visible()
    expect(other.get_by_text("Replayed a shared scenario")).to_be_visible()
    assert other.evaluate("() => window.simSnapshot()") == shared
    expect(cart_of(other, "User")).to_have_text("Cart: 1 item")
    expect(other.get_by_role("radio", name="Stateful", exact=True)).to_be_checked()


def test_copy_link_gives_a_link_that_carries_the_scenario(demo: Page):
    demo.context.grant_permissions(["clipboard-read", "clipboard-write"])
    send_requests(demo, 2)
    demo.get_by_role("button", name="Copy link", exact=True).click()
    expect(demo.get_by_text("Link copied")).to_be_visible()
    copied = urlparse(demo.evaluate("() => navigator.clipboard.readText()"))
    assert parse_qs(copied.query)["scenario"] == [settled(demo)["scenario"]]
    assert copied.fragment == "demo"


HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "v1.__import__('os').system('id')",
    "v9.unknown-version",
    "v1." + "r" * 5000,
    "%00%ff",
]


@pytest.mark.parametrize("scenario", HOSTILE, ids=["html", "python", "version", "huge", "bytes"])
def test_a_hostile_link_changes_nothing_and_shows_a_notice(
    page: Page, site_url: str, scenario: str
):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_demo(page, f"{site_url}?scenario={quote(scenario)}", pause=False)
    expect(page.get_by_text("could not be used")).to_be_visible()
    snapshot = page.evaluate("() => window.simSnapshot()")
    assert snapshot["mode"] == "stateless"
    assert snapshot["metrics"]["requests"] == 0
    assert [s["name"] for s in snapshot["servers"]] == ["A", "B", "C"]
    assert page.locator("#demo img").count() == 0
    assert dialogs == []


def press_until_focused(page: Page, name: str, role: str = "button", limit: int = 80) -> None:
    """Tab forward until the control with this role and exact name has the focus."""
    target = page.get_by_role(role, name=name, exact=True)
    for _ in range(limit):
        if target.evaluate("(element) => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {role} {name!r}")


def test_the_stateful_experiment_works_with_the_keyboard_alone(demo: Page):
    demo.locator("body").focus()
    press_until_focused(demo, "Stateless", role="radio")
    demo.keyboard.press("ArrowRight")  # radios in a group move with the arrow keys
    expect(demo.get_by_role("radio", name="Stateful", exact=True)).to_be_checked()
    press_until_focused(demo, "Send request")
    for _ in range(3):
        demo.keyboard.press("Enter")
    expect(demo.get_by_text("Session: 3 items")).to_be_visible()
    holder = server_holding_the_session(demo)
    press_until_focused(demo, f"Kill Server {holder}")
    demo.keyboard.press("Space")
    expect(demo.get_by_role("button", name=f"Restart Server {holder}", exact=True)).to_be_visible()
    demo.keyboard.press("Shift+Tab")
    press_until_focused(demo, "Send request", limit=200)
    demo.keyboard.press("Enter")
    expect(cart_of(demo, "User")).to_have_text("Cart: 1 item")
    expect(demo.get_by_role("log")).to_contain_text("Session lost")


def test_compare_modes_replays_the_run_in_every_mode(demo: Page):
    choose_mode(demo, "Stateful")
    send_requests(demo, 3)
    holder = server_holding_the_session(demo)
    demo.get_by_role("button", name=f"Kill Server {holder}", exact=True).click()
    send_requests(demo, 1)
    demo.get_by_role("button", name="Compare modes", exact=True).click()
    table = demo.get_by_role("table")
    expect(table).to_be_visible()
    modes = table.get_by_role("columnheader").all_inner_texts()
    lost = table.get_by_role("row").filter(has=demo.get_by_role("rowheader", name="Items lost"))
    assert dict(zip(modes, lost.get_by_role("cell").all_inner_texts(), strict=True)) == {
        "Stateless": "0",
        "Stateful": "3",
        "Stateful + replication": "0",
    }


def test_switches_and_controls_have_the_names_people_and_tests_rely_on(demo: Page):
    chaos = demo.get_by_role("switch", name="Chaos Monkey")
    traffic = demo.get_by_role("switch", name="Auto traffic")
    expect(chaos).to_have_attribute("aria-checked", "false")
    chaos.click()
    expect(chaos).to_have_attribute("aria-checked", "true")
    traffic.click()
    expect(traffic).to_have_attribute("aria-checked", "true")
    speed = demo.get_by_role("combobox", name="Speed")
    assert speed.locator("option").all_inner_texts() == ["10x", "1x", "1/2x", "1/10x"]
    demo.get_by_role("button", name="Add server", exact=True).click()
    expect(demo.get_by_role("group", name="Server D", exact=True)).to_be_visible()
    demo.get_by_role("button", name="Remove server", exact=True).click()
    expect(demo.get_by_role("group", name="Server D", exact=True)).to_have_count(0)
    demo.get_by_role("button", name="Kill database", exact=True).click()
    expect(demo.get_by_role("button", name="Restore database", exact=True)).to_be_visible()
    demo.get_by_role("button", name="Reset", exact=True).click()
    expect(demo.get_by_role("button", name="Kill database", exact=True)).to_be_visible()


def test_controls_are_disabled_until_the_simulator_is_ready(page: Page, site_url: str):
    # Hold the runtime and its archives back: never answered.
    page.route(re.compile(r".*/(pyodide/.*|assets/.*\.zip)$"), lambda route: None)
    page.goto(site_url)
    expect(page.get_by_role("button", name="Send request", exact=True)).to_be_disabled()
    expect(page.get_by_role("group", name="Server A", exact=True)).to_be_visible()
    expect(page.get_by_role("progressbar", name="Loading the simulator…")).to_be_visible()


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("mode", ["Stateless", "Stateful", "Stateful + replication"])
def test_screenshots_after_a_kill_for_a_person_to_check(
    page: Page, site_url: str, artifacts, mode: str, width: int
):
    page.set_viewport_size({"width": width, "height": 900})
    open_demo(page, site_url)
    choose_mode(page, mode)
    send_requests(page, 3)
    holder = server_holding_the_session(page) if mode != "Stateless" else "A"
    page.get_by_role("button", name=f"Kill Server {holder}", exact=True).click()
    send_requests(page, 1)
    expect(page.get_by_role("button", name=f"Restart Server {holder}", exact=True)).to_be_visible()
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {width}px"
    slug = mode.lower().replace(" + ", "-")
    page.locator("#demo").screenshot(path=str(artifacts / f"demo-{slug}-{width}.png"))


def test_time_runs_on_its_own_and_pause_holds_it_still(page: Page, site_url: str):
    open_demo(page, site_url, pause=False)
    page.wait_for_function("() => window.simSnapshot().time_ns > 300000000")
    page.get_by_role("button", name="Pause", exact=True).click()
    held = settled(page)["time_ns"]  # an advance already on its way has arrived
    page.evaluate(FRAMES_FOR, 700)  # seven advances' worth of frames
    assert settled(page)["time_ns"] == held


def test_no_dots_travel_when_the_reader_prefers_reduced_motion(page: Page, site_url: str):
    page.emulate_media(reduced_motion="reduce")
    open_demo(page, site_url)
    send_requests(page, 2)
    expect(cart_of(page, "User")).to_have_text("Cart: 2 items")
    assert page.locator(".packet").count() == 0


def test_dots_travel_the_path_the_simulator_reports(demo: Page):
    send_requests(demo, 1)
    expect(demo.locator(".packet")).to_have_count(1)
