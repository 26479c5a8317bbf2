"""The panel "The code that ran" (issue 21): the simulator's own functions, as shipped, with
the lines that ran marked while the panel is open."""

from __future__ import annotations

import inspect

import pytest
from playwright.sync_api import Page, expect

from sim.core import checks
from sim.core.balancer import Balancer
from tests.e2e.test_demo import open_demo, send_requests, settled

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(page: Page, site_url: str) -> Page:
    open_demo(page, site_url)
    return page


def block(page: Page, key: str):
    return page.get_by_role("region", name="The code that ran").locator(f'pre[data-code="{key}"]')


def open_panel(page: Page) -> None:
    page.get_by_role("region", name="The code that ran").get_by_text(
        "The code that ran"
    ).first.click()


@pytest.mark.parametrize(
    ("key", "function"),
    [
        ("sim.core.balancer:Balancer._rotate", Balancer._rotate),
        ("sim.core.balancer:Balancer.choose", Balancer.choose),
        ("sim.core.checks:_judge", checks._judge),
    ],
)
def test_the_source_shown_is_the_simulators_own(demo: Page, key: str, function):
    open_panel(demo)
    shown = block(demo, key).text_content()
    assert shown.rstrip("\n") == inspect.getsource(function).rstrip("\n")


def test_the_lines_that_ran_are_marked_only_while_the_panel_is_open(demo: Page):
    send_requests(demo, 1)
    settled(demo)
    rotate = block(demo, "sim.core.balancer:Balancer._rotate")
    assert rotate.locator("mark").count() == 0
    open_panel(demo)
    expect(demo.get_by_text("Tracing: send a request")).to_be_visible()
    send_requests(demo, 1)
    marked = rotate.locator("mark")
    expect(marked.filter(has_text="self.cursor = (best_index + 1) % count")).to_have_count(1)
    # Round robin finds its server at once: the line after the loop's break never ran
    expect(marked.filter(has_text="best, best_index = avoid, servers.index(avoid)")).to_have_count(
        0
    )
    choose = block(demo, "sim.core.balancer:Balancer.choose").locator("mark")
    expect(choose.filter(has_text='reason = ("round_robin",)')).to_have_count(1)
    # Stateless: the server loads the cart from the store, and no session is looked up.
    accepted = block(demo, "sim.core.requests:plan_accepted").locator("mark")
    expect(accepted.filter(has_text="plan_stateless(model, req)")).to_have_count(1)
    expect(accepted.filter(has_text="req.draws = _session_draws(model, req)")).to_have_count(0)
    open_panel(demo)  # closed again: the marks go
    expect(rotate.locator("mark")).to_have_count(0)
