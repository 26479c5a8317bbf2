"""A link can be wrong in two ways at once, and the demo says both."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import sim_ready_outcome

pytestmark = pytest.mark.browser


def test_a_bad_scenario_and_an_unknown_lesson_in_one_link_get_both_notices(page, site_url):
    page.goto(site_url + "?scenario=not-a-run#lesson-nope")
    assert sim_ready_outcome(page) == "ready"
    notice = page.locator("#demo-notice")
    expect(notice).to_contain_text("scenario could not be used")
    expect(notice).to_contain_text(
        "The link asks for a lesson “nope”, which the demo does not have"
    )
    # Choosing a lesson answers the lesson's notice; the scenario's stays.
    page.get_by_role("radiogroup", name="Lesson").get_by_role(
        "radio", name="A rolling deploy"
    ).check()
    expect(notice).not_to_contain_text("which the demo does not have")
    expect(notice).to_contain_text("scenario could not be used")
