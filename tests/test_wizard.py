"""The decision wizard's data: the real file, the checks that refuse a broken one, the tree."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

import build
from site_build.content import read_content
from site_build.paths import ROOT
from site_build.wizard import load_wizard, wizard_for_templates
from tests.test_build import EXAMPLE, example_paths

WIZARD_FILE = ROOT / "site_src" / "data" / "wizard.toml"

SMALL = """
start = "first"

[parts.memory]
words = ["in memory"]

[parts.store]
words = ["shared store"]

[questions.first]
text = "First?"
[[questions.first.answers]]
id = "yes"
label = "Yes"
next = "second"
reason = "Because yes."
[[questions.first.answers]]
id = "no"
label = "No"
next = "calm"
reason = "Because no."
accept = "Calm costs."

[questions.second]
text = "Second?"
[[questions.second.answers]]
id = "yes"
label = "Yes"
next = "busy"
reason = "Busy it is: keep it in memory."
for = ["memory"]
[[questions.second.answers]]
id = "no"
label = "No"
next = "calm"
reason = "Calm after all."

[outcomes.calm]
kind = "stateless"
title = "Calm: state in a shared store"
parts = ["store"]
summary = "Stay calm."
tradeoffs = ["None to speak of."]
read_next = []

[outcomes.busy]
kind = "hybrid"
title = "Busy: state in memory"
parts = ["memory"]
summary = "Get busy."
tradeoffs = []
read_next = ["about.md"]
"""


def wizard_paths(wizard: dict) -> list[tuple[list[str], str]]:
    """Every path through the wizard: the answer ids in order, and the outcome it ends in."""
    paths = []

    def follow(node: str, answers: list[str]) -> None:
        if node in wizard["outcomes"]:
            paths.append((answers, node))
            return
        for answer in wizard["questions"][node]["answers"]:
            follow(answer["next"], [*answers, answer["id"]])

    follow(wizard["start"], [])
    return paths


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "wizard.toml"
    path.write_text(text)
    return path


def test_the_real_wizard_asks_at_least_six_questions_and_reaches_all_three_kinds():
    wizard = load_wizard(WIZARD_FILE)
    assert len(wizard["questions"]) >= 6
    assert wizard["questions"][wizard["start"]]["text"].startswith(
        "Does your application logic require extremely low latency (sub-millisecond)"
    )
    kinds = {wizard["outcomes"][outcome]["kind"] for _, outcome in wizard_paths(wizard)}
    assert kinds == {"stateless", "stateful", "hybrid"}


def test_every_path_of_the_real_wizard_ends_in_a_recommendation_within_its_counted_length():
    wizard = load_wizard(WIZARD_FILE)
    paths = wizard_paths(wizard)
    assert len(paths) >= 10
    longest = max(len(answers) for answers, _ in paths)
    assert wizard["remaining"][wizard["start"]] == longest
    for answers, outcome in paths:
        assert outcome in wizard["outcomes"]
        assert len(answers) <= longest


def test_the_real_wizard_recommends_client_side_sessions_only_when_they_can_run_to_expiry():
    wizard = load_wizard(WIZARD_FILE)
    token_outcomes = {oid for oid, o in wizard["outcomes"].items() if o["parts"] == ["token"]}
    assert len(token_outcomes) == 1
    reached = [answers for answers, outcome in wizard_paths(wizard) if outcome in token_outcomes]
    assert reached, "no path leads to client-side sessions"
    for answers in reached:
        node = wizard["start"]
        for answer_id in answers:
            answer = next(a for a in wizard["questions"][node]["answers"] if a["id"] == answer_id)
            if node == "revocation":
                assert answer_id == "no", "a session that must end at once needs a store"
            node = answer["next"]


def test_the_remaining_count_is_the_longest_way_to_an_outcome(tmp_path: Path):
    wizard = load_wizard(write(tmp_path, SMALL))
    assert wizard["remaining"] == {"first": 2, "second": 1}
    assert wizard_paths(wizard) == [
        (["yes", "yes"], "busy"),
        (["yes", "no"], "calm"),
        (["no"], "calm"),
    ]


BROKEN = [
    (
        "dangling reference",
        ('next = "busy"', 'next = "bussy"'),
        r"question 'second': answer 'yes' leads to 'bussy', which is neither",
    ),
    (
        "unreachable question",
        (
            "[questions.second]",
            '[questions.orphan]\ntext = "Alone?"\n[[questions.orphan.answers]]\n'
            'id = "a"\nlabel = "A"\nnext = "calm"\nreason = "r"\n[[questions.orphan.answers]]\n'
            'id = "b"\nlabel = "B"\nnext = "calm"\nreason = "r"\n\n[questions.second]',
        ),
        r"question 'orphan' is unreachable",
    ),
    (
        "a path with no recommendation",
        (
            '[[questions.second.answers]]\nid = "no"\nlabel = "No"\nnext = "calm"\n'
            'reason = "Calm after all."',
            "",
        ),
        r"question 'second' needs two or more \[\[answers\]\]",
    ),
    (
        "a loop",
        ('next = "calm"\nreason = "Calm after all."', 'next = "first"\nreason = "Round again."'),
        r"question '(first|second)' leads back to itself",
    ),
    ("bad TOML", ('title = "Calm: state', "title = Calm: state"), r"invalid TOML"),
    (
        "a start that is not a question",
        ('start = "first"', 'start = "zeroth"'),
        r"start = 'zeroth'",
    ),
    (
        "a missing reason",
        ('reason = "Busy it is: keep it in memory."', ""),
        r"question 'second' lacks 'reason'",
    ),
    (
        "an unknown kind",
        ('kind = "hybrid"', 'kind = "serverless"'),
        r"outcome 'busy': kind must be",
    ),
    (
        "an unreachable outcome",
        ('next = "busy"', 'next = "calm"'),
        r"outcome 'busy' is unreachable",
    ),
    (
        "an unsafe answer id",
        ('id = "yes"\nlabel = "Yes"\nnext = "busy"', 'id = "<b>"\nlabel = "Yes"\nnext = "busy"'),
        r"question 'second': answer id '<b>' must be",
    ),
]


def assert_refused(tmp_path: Path, case: str, edit: tuple[str, str], message: str) -> None:
    """The small wizard, edited, fails to load with the file named and the message given."""
    old, new = edit
    assert old in SMALL, f"the {case!r} case no longer edits anything"
    path = write(tmp_path, SMALL.replace(old, new, 1))
    with pytest.raises(build.BuildError, match=re.escape(str(path)) + ": .*" + message):
        load_wizard(path)


@pytest.mark.parametrize(("case", "edit", "message"), BROKEN, ids=[c[0] for c in BROKEN])
def test_a_broken_wizard_file_is_refused_with_the_file_and_question_named(
    tmp_path: Path, case: str, edit: tuple[str, str], message: str
):
    assert_refused(tmp_path, case, edit, message)


CONTRADICTIONS = [
    (
        "a reason that argues against the architecture its path ends in",
        (
            'reason = "Because yes."',
            'reason = "Because yes, nothing stays in memory."\nagainst = ["memory"]',
        ),
        r"#wizard=yes\.yes: question 'first', answer 'yes' argues against 'memory', "
        r"but outcome 'busy' \(\"Busy: state in memory\"\) has it",
    ),
    (
        "a reason that argues for an architecture its path does not end in",
        (
            'reason = "Because yes."',
            'reason = "Because yes, keep it in memory."\nfor = ["memory"]',
        ),
        r"#wizard=yes\.no: question 'first', answer 'yes' argues for 'memory', "
        r"but outcome 'calm' \(\"Calm: state in a shared store\"\) lacks it",
    ),
    (
        "a reason that names a part without taking a side",
        ('reason = "Because no."', 'reason = "Because no shared store."'),
        r"question 'first': answer 'no' names 'store' \(\"shared store\"\) but does not "
        r"say whether it argues for it, against it, or only mentions it",
    ),
    (
        "a declared part that the text never names",
        ('reason = "Busy it is: keep it in memory."', 'reason = "Busy it is."'),
        r"question 'second': answer 'yes' declares 'memory', but its text never names it",
    ),
    (
        "a title that misses one of its outcome's parts",
        ('title = "Busy: state in memory"', 'title = "Busy"'),
        r"outcome 'busy': the title does not name its part 'memory'",
    ),
    (
        "a title that names a part its outcome does not have",
        ('title = "Calm: state in a shared store"', 'title = "Calm: in memory, a shared store"'),
        r"outcome 'calm': the title names 'memory', which is not one of its parts",
    ),
    (
        "a summary that names a part its outcome does not have",
        ('summary = "Stay calm."', 'summary = "Stay calm, nothing in memory."'),
        r"outcome 'calm': its summary or trade-offs name 'memory' \(\"in memory\"\)",
    ),
    (
        "an unknown part",
        ('parts = ["store"]', 'parts = ["stor"]'),
        r"outcome 'calm': unknown part 'stor'",
    ),
    (
        "a wizard without parts",
        ('[parts.memory]\nwords = ["in memory"]\n\n[parts.store]\nwords = ["shared store"]', ""),
        r"no parts: add \[parts\.ID\] tables",
    ),
]


@pytest.mark.parametrize(
    ("case", "edit", "message"), CONTRADICTIONS, ids=[c[0] for c in CONTRADICTIONS]
)
def test_a_recommendation_whose_title_and_reasons_disagree_is_refused_naming_the_path(
    tmp_path: Path, case: str, edit: tuple[str, str], message: str
):
    assert_refused(tmp_path, case, edit, message)


def establishing(words: str) -> tuple[str, str]:
    """An edit of the small wizard: answering yes first establishes `quiet`, named by `words`."""
    fact = f'establishes = ["quiet"]\n\n[facts.quiet]\nwords = [{words}]\n'
    return ('reason = "Because yes."', f'reason = "Because yes."\n{fact}')


LATER_CONTRADICTIONS = [
    (
        "a later answer's reason",
        establishing('"busy"'),
        r"#wizard=yes\.yes: question 'second', answer 'yes' says \"Busy\", which contradicts "
        r"'quiet', established by question 'first', answer 'yes'",
    ),
    (
        "a later question",
        establishing('"second"'),
        r"#wizard=yes\.yes: question 'second' says \"Second\", which contradicts 'quiet'",
    ),
    (
        "the outcome's trade-offs",
        establishing('"to speak of"'),
        r"#wizard=yes\.no: outcome 'calm' says \"to speak of\", which contradicts 'quiet'",
    ),
    (
        "an unknown fact",
        ('reason = "Because yes."', 'reason = "Because yes."\nestablishes = ["quiet"]'),
        r"question 'first': answer 'yes' establishes unknown fact 'quiet'",
    ),
]


@pytest.mark.parametrize(
    ("case", "edit", "message"), LATER_CONTRADICTIONS, ids=[c[0] for c in LATER_CONTRADICTIONS]
)
def test_a_question_or_trade_off_that_contradicts_an_earlier_answer_is_refused(
    tmp_path: Path, case: str, edit: tuple[str, str], message: str
):
    assert_refused(tmp_path, case, edit, message)


def test_what_an_answer_establishes_binds_only_the_paths_through_it(tmp_path: Path):
    text = SMALL.replace(
        'reason = "Because no."', 'reason = "Because no."\nestablishes = ["quiet"]'
    )
    text = text.replace("[questions.first]", '[facts.quiet]\nwords = ["busy"]\n\n[questions.first]')
    wizard = load_wizard(write(tmp_path, text))
    assert wizard["questions"]["first"]["answers"][1]["establishes"] == ["quiet"]


def test_the_real_wizard_asks_nothing_about_changing_data_once_the_session_is_only_identity():
    wizard = load_wizard(WIZARD_FILE)
    for answers, outcome in wizard_paths(wizard):
        node = wizard["start"]
        identity_only = False
        for answer_id in answers:
            question = wizard["questions"][node]
            if identity_only:
                assert "cart" not in question["text"], answers
            answer = next(a for a in question["answers"] if a["id"] == answer_id)
            identity_only |= node == "session-kind" and answer_id == "identity"
            node = answer["next"]
        if identity_only:
            tradeoffs = " ".join(wizard["outcomes"][outcome]["tradeoffs"])
            assert "overwrite" not in tradeoffs and "writes it back" not in tradeoffs, answers


def test_a_part_only_mentioned_in_passing_is_allowed_on_any_path(tmp_path: Path):
    text = SMALL.replace(
        'reason = "Because yes."',
        'reason = "Because yes; whether it stays in memory is decided later."\n'
        'mentions = ["memory"]',
        1,
    )
    wizard = load_wizard(write(tmp_path, text))
    assert wizard["questions"]["first"]["answers"][0]["mentions"] == ["memory"]


def test_every_outcome_of_the_real_wizard_names_its_architecture_in_its_title():
    wizard = load_wizard(WIZARD_FILE)
    titles = [outcome["title"] for outcome in wizard["outcomes"].values()]
    assert len(set(titles)) == len(titles), "two outcomes recommend the same thing"
    for outcome in wizard["outcomes"].values():
        assert outcome["parts"], outcome["title"]


def test_a_broken_wizard_fails_the_whole_build_and_leaves_dist_untouched(tmp_path: Path):
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root)
    out = build.build(tmp_path / "dist", "/", example_paths(root), precompile=False)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (root / "site_src/data").mkdir()
    (root / "site_src/data/wizard.toml").write_text(SMALL.replace('next = "busy"', 'next = "x"'))
    with pytest.raises(build.BuildError, match=r"wizard\.toml: question 'second'"):
        build.build(out, "/", example_paths(root), precompile=False)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_read_next_must_name_a_page_that_exists(tmp_path: Path):
    path = write(tmp_path, SMALL.replace('read_next = ["about.md"]', 'read_next = ["gone.md"]'))
    wizard = load_wizard(path)
    with pytest.raises(
        build.BuildError, match=r"outcome 'busy': read_next 'gone\.md' is not a page"
    ):
        wizard_for_templates(wizard, [], "/", path)


def test_read_next_may_point_at_a_heading_that_exists(tmp_path: Path):
    pages = read_content(EXAMPLE / "site_src" / "content")
    path = write(
        tmp_path, SMALL.replace('read_next = ["about.md"]', 'read_next = ["about.md#why-2"]')
    )
    site = wizard_for_templates(load_wizard(path), pages, "/sub/", path)
    busy = json.loads(str(site["json"]))["outcomes"]["busy"]
    assert busy["read_next"] == [{"title": "About <us> — Why", "url": "/sub/about/#why-2"}]
    missing = write(
        tmp_path, SMALL.replace('read_next = ["about.md"]', 'read_next = ["about.md#how"]')
    )
    with pytest.raises(
        build.BuildError,
        match=r"outcome 'busy': read_next 'about\.md#how': about\.md has no heading",
    ):
        wizard_for_templates(load_wizard(missing), pages, "/", missing)


def test_the_script_gets_no_build_time_declarations(tmp_path: Path):
    pages = read_content(EXAMPLE / "site_src" / "content")
    path = write(tmp_path, SMALL)
    data = json.loads(str(wizard_for_templates(load_wizard(path), pages, "/", path)["json"]))
    assert "parts" not in data and "parts" not in data["outcomes"]["busy"]
    answers = [a for q in data["questions"].values() for a in q["answers"]]
    assert all("for" not in a and "establishes" not in a for a in answers)
    assert "facts" not in data


def test_the_tree_for_the_page_carries_each_paths_reasons_and_trade_offs(tmp_path: Path):
    pages = read_content(EXAMPLE / "site_src" / "content")
    path = write(tmp_path, SMALL)
    site = wizard_for_templates(load_wizard(path), pages, "/sub/", path)
    first = site["tree"]
    assert first["number"] == 1 and [a["label"] for a in first["answers"]] == ["Yes", "No"]
    calm_directly = first["answers"][1]["child"]
    assert calm_directly["reasons"] == ["Because no."]
    assert calm_directly["accepted"] == ["Calm costs.", "None to speak of."]
    busy = first["answers"][0]["child"]["answers"][0]["child"]
    assert busy["reasons"] == ["Because yes.", "Busy it is: keep it in memory."]
    assert busy["read_next"] == [{"title": "About <us>", "url": "/sub/about/"}]
    data = json.loads(str(site["json"]))
    assert data["outcomes"]["busy"]["read_next"][0]["url"] == "/sub/about/"


def test_the_script_data_cannot_close_its_script_element(tmp_path: Path):
    pages = read_content(EXAMPLE / "site_src" / "content")
    path = write(tmp_path, SMALL.replace('summary = "Get busy."', 'summary = "</script><b>"'))
    site = wizard_for_templates(load_wizard(path), pages, "/", path)
    assert "</" not in str(site["json"])
    assert json.loads(str(site["json"]))["outcomes"]["busy"]["summary"] == "</script><b>"
