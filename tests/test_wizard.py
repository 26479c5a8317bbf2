"""The decision wizard's data: the real file, the checks that refuse a broken one, the tree."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

import build
from tests.test_build import EXAMPLE, example_paths

WIZARD_FILE = build.ROOT / "site_src" / "data" / "wizard.toml"

SMALL = """
start = "first"

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
reason = "Busy it is."
[[questions.second.answers]]
id = "no"
label = "No"
next = "calm"
reason = "Calm after all."

[outcomes.calm]
kind = "stateless"
title = "Calm"
summary = "Stay calm."
tradeoffs = ["None to speak of."]
read_next = []

[outcomes.busy]
kind = "hybrid"
title = "Busy"
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
    wizard = build.load_wizard(WIZARD_FILE)
    assert len(wizard["questions"]) >= 6
    assert wizard["questions"][wizard["start"]]["text"].startswith(
        "Does your application logic require extremely low latency (sub-millisecond)"
    )
    kinds = {wizard["outcomes"][outcome]["kind"] for _, outcome in wizard_paths(wizard)}
    assert kinds == {"stateless", "stateful", "hybrid"}


def test_every_path_of_the_real_wizard_ends_in_a_recommendation_within_its_counted_length():
    wizard = build.load_wizard(WIZARD_FILE)
    paths = wizard_paths(wizard)
    assert len(paths) >= 10
    longest = max(len(answers) for answers, _ in paths)
    assert wizard["remaining"][wizard["start"]] == longest
    for answers, outcome in paths:
        assert outcome in wizard["outcomes"]
        assert len(answers) <= longest


def test_the_remaining_count_is_the_longest_way_to_an_outcome(tmp_path: Path):
    wizard = build.load_wizard(write(tmp_path, SMALL))
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
    ("bad TOML", ('title = "Calm"', "title = Calm"), r"invalid TOML"),
    (
        "a start that is not a question",
        ('start = "first"', 'start = "zeroth"'),
        r"start = 'zeroth'",
    ),
    ("a missing reason", ('reason = "Busy it is."', ""), r"question 'second' lacks 'reason'"),
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


@pytest.mark.parametrize(("case", "edit", "message"), BROKEN, ids=[c[0] for c in BROKEN])
def test_a_broken_wizard_file_is_refused_with_the_file_and_question_named(
    tmp_path: Path, case: str, edit: tuple[str, str], message: str
):
    old, new = edit
    assert old in SMALL, f"the {case!r} case no longer edits anything"
    path = write(tmp_path, SMALL.replace(old, new, 1))
    with pytest.raises(build.BuildError, match=re.escape(str(path)) + ": .*" + message):
        build.load_wizard(path)


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
    wizard = build.load_wizard(path)
    with pytest.raises(
        build.BuildError, match=r"outcome 'busy': read_next 'gone\.md' is not a page"
    ):
        build.wizard_for_templates(wizard, [], "/", path)


def test_the_tree_for_the_page_carries_each_paths_reasons_and_trade_offs(tmp_path: Path):
    pages = build.read_content(EXAMPLE / "site_src" / "content")
    path = write(tmp_path, SMALL)
    site = build.wizard_for_templates(build.load_wizard(path), pages, "/sub/", path)
    first = site["tree"]
    assert first["number"] == 1 and [a["label"] for a in first["answers"]] == ["Yes", "No"]
    calm_directly = first["answers"][1]["child"]
    assert calm_directly["reasons"] == ["Because no."]
    assert calm_directly["accepted"] == ["Calm costs.", "None to speak of."]
    busy = first["answers"][0]["child"]["answers"][0]["child"]
    assert busy["reasons"] == ["Because yes.", "Busy it is."]
    assert busy["read_next"] == [{"title": "About <us>", "url": "/sub/about/"}]
    data = json.loads(str(site["json"]))
    assert data["outcomes"]["busy"]["read_next"][0]["url"] == "/sub/about/"


def test_the_script_data_cannot_close_its_script_element(tmp_path: Path):
    pages = build.read_content(EXAMPLE / "site_src" / "content")
    path = write(tmp_path, SMALL.replace('summary = "Get busy."', 'summary = "</script><b>"'))
    site = build.wizard_for_templates(build.load_wizard(path), pages, "/", path)
    assert "</" not in str(site["json"])
    assert json.loads(str(site["json"]))["outcomes"]["busy"]["summary"] == "</script><b>"
