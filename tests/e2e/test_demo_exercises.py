"""The Exercises panel (issue 21): the learner's own balancing policy, checked and then run
in the demo; what goes wrong in it is shown, and the demo works afterwards."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_accessibility import violations
from tests.e2e.test_demo import open_demo, send_requests, settled
from tests.sim.exercise_solutions import CORRECT, INCORRECT

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(page: Page, site_url: str) -> Page:
    open_demo(page, site_url)
    return page


def exercise(page: Page, title: str) -> None:
    page.get_by_role("radiogroup", name="Exercise").get_by_role("radio", name=title).check()


def run_policy(page: Page, code: str) -> None:
    page.get_by_label("Your policy").fill(code)
    page.get_by_role("button", name="Run my policy").click()


def verdict(page: Page):
    return page.get_by_role("region", name="Exercises").get_by_role("status").first


def error_block(page: Page):
    return page.get_by_label("What went wrong in your code")


def the_demo_answers_a_request(page: Page) -> dict:
    before = settled(page)["metrics"]["ok"]
    send_requests(page, 1)
    snapshot = settled(page)
    assert snapshot["metrics"]["ok"] == before + 1
    return snapshot


def test_a_correct_solution_passes_and_then_runs_the_demo(demo: Page):
    exercise(demo, "Least connections")
    run_policy(demo, CORRECT["least-connections"])
    expect(verdict(demo)).to_have_text(
        "Passed: each of 200 requests went to an up server with the least busy."
    )
    expect(demo.get_by_text("The demo runs your policy.")).to_be_visible()
    balancer = demo.get_by_role("group", name="Load Balancer")
    expect(balancer.locator("[data-field=policy]")).to_have_text("Your policy")
    snapshot = the_demo_answers_a_request(demo)
    assert snapshot["own_policy"]["on"] is True
    assert snapshot["traces"][-1]["reason"].startswith("your policy: Server")
    # Compare sets it beside the same run with the built-in policy.
    demo.get_by_role("button", name="Compare modes").click()
    table = demo.get_by_role("table")
    expect(table.get_by_role("columnheader", name="Stateless, your policy")).to_be_visible()
    built_in = "Stateless, built-in policy (round robin)"
    expect(table.get_by_role("columnheader", name=built_in)).to_be_visible()


def test_an_incorrect_solution_is_not_yet_and_the_code_is_kept(demo: Page, site_url: str):
    exercise(demo, "Skip the servers that are down")
    run_policy(demo, INCORRECT["skip-down"])
    expect(verdict(demo)).to_contain_text(
        re.compile(r"^Not yet: request \d+ went to Server C, which is down\.")
    )
    # Kept in this browser: a link to the exercise opens it with the learner's code.
    demo.goto(site_url + "#exercise-skip-down")
    expect(demo.get_by_label("Your policy")).to_have_value(INCORRECT["skip-down"])
    demo.get_by_role("button", name="Reset to starter").click()
    expect(demo.get_by_label("Your policy")).to_have_value(
        re.compile(r"^def choose\(user, servers, memory\):\n    # Round robin")
    )


def test_a_syntax_error_shows_its_message_and_the_demo_works_afterwards(demo: Page):
    run_policy(demo, "def choose(user, servers, memory)\n    return 'A'\n")
    expect(verdict(demo)).to_have_text("Not yet: your code failed.")
    expect(error_block(demo)).to_contain_text("SyntaxError")
    assert settled(demo)["own_policy"]["on"] is False
    the_demo_answers_a_request(demo)


def test_a_runtime_error_in_the_demo_shows_its_traceback_and_the_built_in_policy_comes_back(
    demo: Page,
):
    # Passes no check, but is used in the demo: its third request raises.
    code = CORRECT["least-connections"].replace(
        "def choose(user, servers, memory):\n",
        "def choose(user, servers, memory):\n"
        "    if user.id == 'you':\n"
        "        raise ValueError('not you')\n",
    )
    exercise(demo, "Least connections")
    run_policy(demo, code)
    expect(demo.get_by_text("The demo runs your policy.")).to_be_visible()
    before = settled(demo)
    send_requests(demo, 1)
    expect(verdict(demo)).to_have_text(
        "Not yet: your policy failed in the demo, which goes on with the built-in policy."
    )
    expect(error_block(demo)).to_contain_text("ValueError: not you")
    expect(error_block(demo)).to_contain_text('File "<your policy>", line 3, in choose')
    after = settled(demo)
    assert after["metrics"] == before["metrics"]  # the run as it was
    assert after["own_policy"]["on"] is False
    balancer = demo.get_by_role("group", name="Load Balancer")
    expect(balancer.locator("[data-field=policy]")).to_have_text("Round robin")
    assert the_demo_answers_a_request(demo)["traces"][-1]["reason"] == "round robin"


def test_an_endless_loop_is_stopped_and_the_demo_works_afterwards(demo: Page):
    send_requests(demo, 2)
    before = settled(demo)
    run_policy(demo, "def choose(user, servers, memory):\n    while True:\n        pass\n")
    expect(verdict(demo)).to_contain_text(
        "Not yet: your policy ran for more than 5 s", timeout=30_000
    )
    expect(verdict(demo)).to_contain_text("goes on with the built-in policy", timeout=60_000)
    after = settled(demo)
    assert after["scenario"].startswith(before["scenario"])
    assert after["metrics"] == before["metrics"]
    assert after["own_policy"]["on"] is False
    the_demo_answers_a_request(demo)


def test_every_exercise_passes_its_correct_solution_and_not_an_incorrect_one(demo: Page):
    for radio in demo.get_by_role("radiogroup", name="Exercise").get_by_role("radio").all():
        radio.check()
        key = radio.get_attribute("value")
        run_policy(demo, INCORRECT[key])
        expect(verdict(demo)).to_contain_text(re.compile("^Not yet"))
        run_policy(demo, CORRECT[key])
        expect(verdict(demo)).to_contain_text(re.compile("^Passed"))
    expect(verdict(demo)).to_contain_text("as the weights 1, 1, 2 ask")  # the last, weighted


def test_a_link_to_a_run_that_used_a_learners_policy_replays_with_the_built_in_one(
    demo: Page, site_url: str
):
    run_policy(demo, CORRECT["least-connections"])
    expect(demo.get_by_text("The demo runs your policy.")).to_be_visible()
    send_requests(demo, 2)
    scenario = settled(demo)["scenario"]
    assert "-o1-" in scenario  # the link says a policy was used, never its code
    demo.goto(f"{site_url}?scenario={scenario}")
    expect(demo.locator("#demo-notice")).to_contain_text(
        "This run used a balancing policy written in the page; a link or a file does not "
        "carry code, so it replays with the built-in policy (round robin)."
    )
    assert settled(demo)["own_policy"]["on"] is False


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_panels_with_an_error_and_marked_code_pass_axe(axe_page, site_url: str, scheme: str):
    page = axe_page
    page.emulate_media(color_scheme=scheme)
    open_demo(page, site_url)
    run_policy(page, "def choose(user, servers, memory)\n")
    expect(error_block(page)).to_contain_text("SyntaxError")
    page.get_by_role("region", name="The code that ran").get_by_text(
        "The code that ran"
    ).first.click()
    send_requests(page, 1)
    expect(page.locator("#demo-code mark").first).to_be_visible()
    assert violations(page) == []
