"""The decision wizard in a browser: every path, Back, shared links, the tree without JS."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from site_build.wizard import load_wizard
from tests.test_wizard import WIZARD_FILE, wizard_paths

pytestmark = pytest.mark.browser

WIZARD = load_wizard(WIZARD_FILE)
PATHS = wizard_paths(WIZARD)


def label_of(question: str, answer_id: str) -> str:
    """The button text of one answer."""
    answers = WIZARD["questions"][question]["answers"]
    return next(a["label"] for a in answers if a["id"] == answer_id)


def steps_of(answers: list[str]) -> list[tuple[str, str]]:
    """(question id, answer id) for each step of a path, in order."""
    steps, node = [], WIZARD["start"]
    for answer_id in answers:
        steps.append((node, answer_id))
        node = next(a for a in WIZARD["questions"][node]["answers"] if a["id"] == answer_id)["next"]
    return steps


def open_home(page, site_url: str, fragment: str = "") -> None:
    """Open the home page, skipping the demo's Python runtime (the wizard does not need it)."""
    page.route(re.compile(r".*/pyodide/.*"), lambda route: route.abort())
    page.goto(site_url + fragment)
    expect(page.locator("#wizard[data-enhanced='true']")).to_be_attached()


def wizard_errors(page) -> list[str]:
    """Console errors that come from the wizard (the demo's aborted download is not ours)."""
    return [e for e in page.console_errors if "wizard" in e.lower()]


def test_every_path_gives_its_recommendation_with_one_reason_per_answer(page, site_url, subtests):
    # One page walks every path, as a reader trying the answers would, with Start over between
    # them: a page load per path cost a minute of the suite. Each path is its own subtest, so a
    # failing one is named and the others still run.
    open_home(page, site_url)
    wizard = page.locator("#wizard")
    for answers, outcome in PATHS:
        with subtests.test(path=".".join(answers)):
            wizard.get_by_role("button", name="Start over").click()
            walk_path(page, answers, outcome)


def walk_path(page, answers: list[str], outcome: str) -> None:
    """Answer each question of a path from the first one, and check the recommendation."""
    wizard = page.locator("#wizard")
    for number, (question, answer_id) in enumerate(steps_of(answers), 1):
        heading = wizard.get_by_role("heading", level=3)
        expect(heading).to_have_text(WIZARD["questions"][question]["text"])
        expect(wizard.locator("#wizard-progress-label")).to_contain_text(
            f"Question {number} of up to"
        )
        wizard.get_by_role("button", name=label_of(question, answer_id), exact=True).click()
    expected = WIZARD["outcomes"][outcome]
    expect(wizard.get_by_role("heading", level=3)).to_have_text(expected["title"])
    expect(wizard.get_by_role("heading", level=3)).to_be_focused()
    reasons = wizard.locator(".wizard-result h4:text('Why, from your answers') + ul > li")
    expect(reasons).to_have_count(len(answers))
    assert page.url.endswith("#wizard=" + ".".join(answers))
    assert wizard_errors(page) == []


def test_back_returns_to_the_previous_question_and_moves_focus_to_it(page, site_url):
    open_home(page, site_url)
    wizard = page.locator("#wizard")
    back = wizard.get_by_role("button", name="Back")
    expect(back).to_be_disabled()
    first = WIZARD["questions"][WIZARD["start"]]
    wizard.get_by_role("button", name=first["answers"][1]["label"], exact=True).click()
    second = WIZARD["questions"][first["answers"][1]["next"]]
    expect(wizard.get_by_role("heading", level=3)).to_have_text(second["text"])
    expect(wizard.get_by_role("heading", level=3)).to_be_focused()
    back.click()
    expect(wizard.get_by_role("heading", level=3)).to_have_text(first["text"])
    expect(wizard.get_by_role("heading", level=3)).to_be_focused()
    expect(back).to_be_disabled()


def test_the_wizard_can_be_driven_from_the_keyboard_alone(page, site_url):
    open_home(page, site_url)
    wizard = page.locator("#wizard")
    answers, outcome = PATHS[0]
    wizard.get_by_role("button", name=label_of(WIZARD["start"], answers[0]), exact=True).focus()
    for question, answer_id in steps_of(answers):
        target = label_of(question, answer_id)
        for _ in range(12):  # from the focused heading, Tab reaches the answers first
            if page.evaluate("() => document.activeElement.textContent") == target:
                break
            page.keyboard.press("Tab")
        page.keyboard.press("Enter")
    expect(wizard.get_by_role("heading", level=3)).to_have_text(
        WIZARD["outcomes"][outcome]["title"]
    )


def test_each_step_is_announced_in_a_polite_live_region(page, site_url):
    open_home(page, site_url)
    live = page.locator("#wizard [aria-live='polite']")
    first = WIZARD["questions"][WIZARD["start"]]
    page.locator("#wizard").get_by_role(
        "button", name=first["answers"][0]["label"], exact=True
    ).click()
    expect(live).to_have_text(re.compile(r"^Question 2 of up to \d+$"))


@pytest.mark.parametrize(("answers", "outcome"), [PATHS[0], PATHS[-1]])
def test_a_shared_link_opens_the_same_result(page, site_url, answers, outcome):
    open_home(page, site_url, "#wizard=" + ".".join(answers))
    wizard = page.locator("#wizard")
    expect(wizard.get_by_role("heading", level=3)).to_have_text(
        WIZARD["outcomes"][outcome]["title"]
    )
    link = wizard.get_by_role("link", name="Link to this result")
    expect(link).to_have_attribute("href", site_url + "#wizard=" + ".".join(answers))
    expect(wizard.get_by_role("alert")).to_be_hidden()


def test_a_link_to_a_question_part_way_resumes_there_and_back_still_works(page, site_url):
    answers, _ = PATHS[0]
    open_home(page, site_url, "#wizard=" + answers[0])
    asked = [question for question, _ in steps_of(answers)]
    wizard = page.locator("#wizard")
    expect(wizard.get_by_role("heading", level=3)).to_have_text(
        WIZARD["questions"][asked[1]]["text"]
    )
    wizard.get_by_role("button", name="Back").click()
    expect(wizard.get_by_role("heading", level=3)).to_have_text(
        WIZARD["questions"][asked[0]]["text"]
    )


@pytest.mark.parametrize(
    "fragment",
    [
        "#wizard=maybe",
        "#wizard=yes.yes.yes.yes.yes.yes.yes.yes",
        "#wizard=<img src=x onerror=alert(1)>",
        "#wizard=%3Cscript%3Ealert(1)%3C/script%3E",
        "#wizard=constructor.__proto__",
        "#wizard=" + "no." * 200,
    ],
)
def test_a_broken_or_hostile_link_shows_a_notice_and_starts_over(page, site_url, fragment):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_home(page, site_url, fragment)
    wizard = page.locator("#wizard")
    expect(wizard.get_by_role("alert")).to_have_text(re.compile("broken or out of date"))
    expect(wizard.get_by_role("heading", level=3)).to_have_text(
        WIZARD["questions"][WIZARD["start"]]["text"]
    )
    assert wizard.locator("img, script:not([type])").count() == 0
    assert dialogs == []
    assert page.url.endswith("#wizard")
    first = WIZARD["questions"][WIZARD["start"]]["answers"][0]["label"]
    wizard.get_by_role("button", name=first, exact=True).click()
    expect(wizard.get_by_role("alert")).to_be_hidden()


def test_start_over_returns_to_the_first_question(page, site_url):
    answers, _ = PATHS[3]
    open_home(page, site_url, "#wizard=" + ".".join(answers))
    wizard = page.locator("#wizard")
    wizard.get_by_role("button", name="Start over").click()
    expect(wizard.get_by_role("heading", level=3)).to_have_text(
        WIZARD["questions"][WIZARD["start"]]["text"]
    )
    assert page.url.endswith("#wizard")


def test_without_javascript_the_whole_tree_is_usable_as_disclosure_widgets(browser, site_url):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800})
    page = context.new_page()
    try:
        page.goto(site_url)
        tree = page.locator("#wizard-tree")
        expect(tree).to_be_visible()
        expect(page.locator("#wizard-app")).to_be_hidden()
        assert tree.locator(".wz-outcome").count() == len(PATHS)
        answers, outcome = PATHS[-1]
        scope = tree
        for question, answer_id in steps_of(answers):
            expect(scope.locator(":scope > .wz-question > .wz-question-text")).to_contain_text(
                WIZARD["questions"][question]["text"]
            )
            answer = scope.locator(":scope > .wz-question > details").filter(
                has=page.locator(":scope > summary", has_text=label_of(question, answer_id))
            )
            answer.locator(":scope > summary").click()
            expect(answer).to_have_attribute("open", "")
            scope = answer
        result = scope.locator(":scope > .wz-outcome")
        expect(result).to_be_visible()
        expect(result).to_contain_text(WIZARD["outcomes"][outcome]["title"])
        for question, answer_id in steps_of(answers):
            reason = next(
                a for a in WIZARD["questions"][question]["answers"] if a["id"] == answer_id
            )["reason"]
            expect(result).to_contain_text(reason)
    finally:
        context.close()


# ---------------------------------------------------------------- what a new user hit (issue 14)


def answer(page, *answer_ids: str) -> None:
    """Click through answers from wherever the wizard is, waiting for each next step."""
    wizard = page.locator("#wizard")
    for answer_id in answer_ids:
        answered = page.evaluate("() => location.hash.replace(/^#wizard=?/, '')")
        path = [a for a in answered.split(".") if a]
        question = steps_of([*path, answer_id])[-1][0]
        wizard.get_by_role("button", name=label_of(question, answer_id), exact=True).click()
        expect(page).to_have_url(re.compile(re.escape("#wizard=" + ".".join([*path, answer_id]))))


def heading_of(answers: list[str]) -> str:
    """The level-3 heading the wizard shows after these answers: a question or a title."""
    node = WIZARD["start"]
    for _, answer_id in steps_of(answers):
        node = next(a for a in WIZARD["questions"][node]["answers"] if a["id"] == answer_id)
        node = node["next"]
    if node in WIZARD["outcomes"]:
        return WIZARD["outcomes"][node]["title"]
    return WIZARD["questions"][node]["text"]


FIRST_TWO = PATHS[-1][0][:2]


def test_the_table_of_contents_link_to_the_wizard_keeps_its_answers(page, site_url):
    open_home(page, site_url)
    answer(page, *FIRST_TWO)
    wizard = page.locator("#wizard")
    page.get_by_role("navigation", name="On this page").get_by_role(
        "link", name="Which should you choose?"
    ).click()
    expect(wizard.get_by_role("heading", level=3)).to_have_text(heading_of(FIRST_TWO))
    expect(page).to_have_url(re.compile(re.escape("#wizard=" + ".".join(FIRST_TWO)) + "$"))
    expect(wizard.get_by_role("button", name="Back")).to_be_enabled()


def test_a_link_to_the_wizard_from_another_page_keeps_its_answers(page, site_url):
    open_home(page, site_url)
    answer(page, *FIRST_TWO)
    page.goto(site_url + "replication/")
    page.get_by_role("link", name="decision wizard").first.click()
    wizard = page.locator("#wizard")
    expect(wizard.get_by_role("heading", level=3)).to_have_text(heading_of(FIRST_TWO))
    expect(page).to_have_url(re.compile(re.escape("#wizard=" + ".".join(FIRST_TWO)) + "$"))


def test_the_browsers_back_and_forward_step_through_the_answers_without_leaving_the_site(
    page, site_url
):
    open_home(page, site_url)
    answer(page, *FIRST_TWO)
    wizard = page.locator("#wizard")
    heading = wizard.get_by_role("heading", level=3)
    page.go_back()
    expect(heading).to_have_text(heading_of(FIRST_TWO[:1]))
    expect(heading).to_be_focused()
    assert page.url.startswith(site_url)
    page.go_back()
    expect(heading).to_have_text(heading_of([]))
    assert page.url.startswith(site_url)
    page.go_forward()
    expect(heading).to_have_text(heading_of(FIRST_TWO[:1]))
    expect(wizard.get_by_role("button", name="Back")).to_be_enabled()


def test_the_wizards_back_button_and_the_browsers_back_stay_in_step(page, site_url):
    open_home(page, site_url)
    answer(page, *FIRST_TWO)
    wizard = page.locator("#wizard")
    heading = wizard.get_by_role("heading", level=3)
    wizard.get_by_role("button", name="Back").click()
    expect(heading).to_have_text(heading_of(FIRST_TWO[:1]))
    page.go_back()
    expect(heading).to_have_text(heading_of([]))
    assert page.url.startswith(site_url)


def test_a_wizard_link_made_on_a_page_opened_from_a_demo_link_carries_no_scenario(page, site_url):
    answers, outcome = PATHS[0]
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_home(page, site_url, "?scenario=v1.from-a-demo-link#wizard=" + ".".join(answers))
    wizard = page.locator("#wizard")
    expect(wizard.get_by_role("heading", level=3)).to_have_text(
        WIZARD["outcomes"][outcome]["title"]
    )
    link = wizard.get_by_role("link", name="Link to this result")
    shared = link.evaluate("a => a.href")
    assert "scenario" not in shared
    assert shared == site_url + "#wizard=" + ".".join(answers)
    wizard.get_by_role("button", name="Copy link").click()
    expect(wizard.get_by_role("status")).to_have_text("Link copied.")
    assert page.evaluate("() => navigator.clipboard.readText()") == shared


CONTRADICTED = [
    # (answers, a word the title must carry, a word neither title nor reasons may carry)
    ("no.no.no.yes.no.yes", "sticky sessions", "state does not have to live in the server"),
    ("yes.whole.yes", "snapshots", "sticky sessions and replication"),
    ("no.yes.yes.whole.yes", "snapshots", "sticky sessions and replication"),
]


@pytest.mark.parametrize(("link", "named", "contradiction"), CONTRADICTED)
def test_a_recommendation_and_its_reasons_name_the_same_architecture(
    page, site_url, link, named, contradiction
):
    open_home(page, site_url, "#wizard=" + link)
    result = page.locator("#wizard .wizard-result")
    title = result.get_by_role("heading", level=3)
    expect(title).to_contain_text(named)
    reasons = result.locator("h4:text('Why, from your answers') + ul")
    expect(reasons.get_by_role("listitem")).to_have_count(len(link.split(".")))
    assert contradiction not in title.inner_text()
    assert contradiction not in reasons.inner_text()
    if "replication" not in title.inner_text():
        assert "with replication" not in reasons.inner_text()
