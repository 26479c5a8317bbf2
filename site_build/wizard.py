"""The decision wizard: read `wizard.toml`, check its tree and its claims, shape it for the page."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

from site_build.content import Page, make_markdown, render_markdown
from site_build.paths import BuildError
from site_build.render import script_json

# An answer id goes into links (#wizard=ID.ID), so only these characters. The page's script
# accepts only ids equal to the data's, so this is the one place the form is checked.
ANSWER_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def load_wizard(path: Path) -> dict:
    """Read and check the wizard; a broken tree fails naming the file and the question."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise BuildError(f"{path}: invalid TOML: {error}") from None

    def fail(message: str) -> NoReturn:
        raise BuildError(f"{path}: {message}")

    questions, outcomes = data.get("questions"), data.get("outcomes")
    if not isinstance(questions, dict) or not questions:
        fail("no questions: add [questions.ID] tables")
    if not isinstance(outcomes, dict) or not outcomes:
        fail("no outcomes: add [outcomes.ID] tables")
    if data.get("start") not in questions:
        fail(f"start = {data.get('start')!r} does not name a question")
    for name in set(questions) & set(outcomes):
        fail(f"{name!r} is both a question and an outcome")
    for qid, question in questions.items():
        where = f"question {qid!r}"
        require_fields(question, {"text": str}, where, fail)
        answers = question.get("answers")
        if not isinstance(answers, list) or len(answers) < 2:
            fail(f"{where} needs two or more [[answers]]: a path would end without an outcome")
        for answer in answers:
            fields = {"id": str, "label": str, "next": str, "reason": str}
            require_fields(answer, fields, where, fail)
            if not ANSWER_ID.fullmatch(answer["id"]):
                fail(f"{where}: answer id {answer['id']!r} must be lower-case words and hyphens")
            if answer["next"] not in questions and answer["next"] not in outcomes:
                fail(
                    f"{where}: answer {answer['id']!r} leads to {answer['next']!r}, "
                    "which is neither a question nor an outcome"
                )
        if len({a["id"] for a in answers}) != len(answers):
            fail(f"{where}: two answers share an id")
    for oid, outcome in outcomes.items():
        fields = {"kind": str, "title": str, "summary": str, "tradeoffs": list, "read_next": list}
        require_fields(outcome, fields, f"outcome {oid!r}", fail)
        if outcome["kind"] not in ("stateless", "stateful", "hybrid"):
            fail(f"outcome {oid!r}: kind must be stateless, stateful or hybrid")
    remaining = count_remaining_questions(data["start"], questions, fail)
    for qid in questions:
        if qid not in remaining:
            fail(f"question {qid!r} is unreachable: no path from {data['start']!r} leads to it")
    reached = {a["next"] for q in questions.values() for a in q["answers"]}
    for oid in outcomes:
        if oid not in reached:
            fail(f"outcome {oid!r} is unreachable: no answer leads to it")
    check_architectures(data, fail)
    check_established_facts(data, fail)
    return {
        "start": data["start"],
        "questions": questions,
        "outcomes": outcomes,
        "remaining": remaining,
    }


def check_architectures(data: dict, fail: Callable) -> None:
    """Check that every path's reasons argue for the architecture its outcome's title names.

    An architecture is a set of parts (`[parts.ID]`, each with the words that name it). An
    outcome lists its parts, and its title must name exactly those. An answer whose reason or
    trade-off names a part must say whether it argues `for` it, `against` it, or only
    `mentions` it; on every path, the parts argued for must be the outcome's, and none argued
    against may be.
    """
    parts = read_parts(data.get("parts"), fail)
    for oid, outcome in data["outcomes"].items():
        check_outcome_parts(f"outcome {oid!r}", outcome, parts, fail)
    sides = {
        (qid, answer["id"]): answer_sides(
            f"question {qid!r}: answer {answer['id']!r}", answer, parts, fail
        )
        for qid, question in data["questions"].items()
        for answer in question["answers"]
    }
    for path, oid in wizard_paths(data):
        outcome = data["outcomes"][oid]
        own = set(outcome["parts"])
        link = "#wizard=" + ".".join(aid for _, aid in path)
        for qid, aid in path:
            argued_for, argued_against = sides[qid, aid]["for"], sides[qid, aid]["against"]
            clashes = [("for", pid, "lacks") for pid in sorted(argued_for - own)]
            clashes += [("against", pid, "has") for pid in sorted(argued_against & own)]
            for side, pid, verb in clashes:
                fail(
                    f"{link}: question {qid!r}, answer {aid!r} argues {side} {pid!r}, "
                    f'but outcome {oid!r} ("{outcome["title"]}") {verb} it'
                )


def check_established_facts(data: dict, fail: Callable) -> None:
    """Check that nothing on a path contradicts what an earlier answer on it established.

    A fact (`[facts.ID]`) is something an answer can settle ("the session holds only who the
    user is"), with the words that would contradict it ("cart"). An answer that `establishes`
    it rules those words out of every later question (text and hint), every later answer
    (reason and trade-off) and the outcome (summary and trade-offs) on each path through it.
    """
    facts = read_word_patterns(data.get("facts", {}), "fact", fail, required=False)
    for qid, question in data["questions"].items():
        for answer in question["answers"]:
            where = f"question {qid!r}: answer {answer['id']!r}"
            value = answer.get("establishes", [])
            if not isinstance(value, list) or not all(isinstance(fid, str) for fid in value):
                fail(f"{where}: establishes must be a list of fact ids")
            for fid in value:
                if fid not in facts:
                    fail(f"{where} establishes unknown fact {fid!r} (known: {', '.join(facts)})")
    for path, oid in wizard_paths(data):
        link = "#wizard=" + ".".join(aid for _, aid in path)
        established: dict[str, str] = {}  # fact id -> the answer that established it
        for qid, aid in path:
            question = data["questions"][qid]
            answer = next(a for a in question["answers"] if a["id"] == aid)
            texts = [(f"question {qid!r}", question["text"] + " " + question.get("hint", ""))]
            texts.append(
                (
                    f"question {qid!r}, answer {aid!r}",
                    answer["reason"] + " " + answer.get("accept", ""),
                )
            )
            check_texts(link, texts, established, facts, fail)
            for fid in answer.get("establishes", []):
                established.setdefault(fid, f"question {qid!r}, answer {aid!r}")
        outcome = data["outcomes"][oid]
        text = " ".join([outcome["summary"], *map(str, outcome["tradeoffs"])])
        check_texts(link, [(f"outcome {oid!r}", text)], established, facts, fail)


def check_texts(
    link: str, texts: list[tuple[str, str]], established: dict, facts: dict, fail: Callable
) -> None:
    """Fail on the first text that names a word contradicting an established fact."""
    for where, text in texts:
        for fid, source in established.items():
            match = facts[fid].search(text)
            if match:
                fail(
                    f'{link}: {where} says "{match.group(0)}", which contradicts {fid!r}, '
                    f"established by {source}"
                )


def read_word_patterns(
    tables: object, kind: str, fail: Callable, required: bool = True
) -> dict[str, re.Pattern]:
    """Each `[KIND.ID]` table's id with a pattern finding its words at the start of a word."""
    if not isinstance(tables, dict) or (required and not tables):
        fail(f"no {kind}s: add [{kind}s.ID] tables, each with the words that name it")
    patterns = {}
    for tid, table in tables.items():
        words = table.get("words") if isinstance(table, dict) else None
        if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
            fail(f"{kind} {tid!r} needs words = [...], the words that name it in a text")
        patterns[tid] = re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + ")", re.I)
    return patterns


def read_parts(parts: object, fail: Callable) -> dict[str, re.Pattern]:
    """Each part id with a pattern that finds the words naming it, at the start of a word."""
    return read_word_patterns(parts, "part", fail)


def parts_named(text: str, parts: dict[str, re.Pattern]) -> dict[str, str]:
    """The parts a text names, each with the words that named it first."""
    found = {pid: pattern.search(text) for pid, pattern in parts.items()}
    return {pid: match.group(0) for pid, match in found.items() if match}


def part_ids(table: dict, key: str, where: str, parts: dict, fail: Callable) -> set[str]:
    """A table's list of part ids under `key` (empty if absent); unknown ids fail."""
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(pid, str) for pid in value):
        fail(f"{where}: {key} must be a list of part ids")
    for pid in value:
        if pid not in parts:
            fail(f"{where}: unknown part {pid!r} (known: {', '.join(parts)})")
    return set(value)


def check_outcome_parts(where: str, outcome: dict, parts: dict, fail: Callable) -> None:
    """The title names exactly the outcome's parts; the rest of its text names no others."""
    own = part_ids(outcome, "parts", where, parts, fail)
    if not own:
        fail(f"{where} lacks 'parts', the parts of the architecture it recommends")
    in_title = parts_named(outcome["title"], parts)
    for pid in sorted(own - set(in_title)):
        fail(f"{where}: the title does not name its part {pid!r}")
    for pid in sorted(set(in_title) - own):
        fail(f"{where}: the title names {pid!r}, which is not one of its parts")
    aside = part_ids(outcome, "mentions", where, parts, fail)
    text = " ".join([outcome["summary"], *map(str, outcome["tradeoffs"])])
    for pid, words in sorted(parts_named(text, parts).items()):
        if pid not in own | aside:
            fail(
                f'{where}: its summary or trade-offs name {pid!r} ("{words}"), which is '
                "not one of its parts; list it in mentions if that is intended"
            )


def answer_sides(where: str, answer: dict, parts: dict, fail: Callable) -> dict[str, set[str]]:
    """The parts an answer argues for, against, or mentions, each named by its text."""
    side = {
        key: part_ids(answer, key, where, parts, fail) for key in ("for", "against", "mentions")
    }
    declared = side["for"] | side["against"] | side["mentions"]
    if sum(map(len, side.values())) != len(declared):
        fail(f"{where} declares a part twice (for, against and mentions exclude each other)")
    in_text = parts_named(answer["reason"] + " " + answer.get("accept", ""), parts)
    for pid, words in sorted(in_text.items()):
        if pid not in declared:
            fail(
                f'{where} names {pid!r} ("{words}") but does not say whether it argues '
                "for it, against it, or only mentions it"
            )
    for pid in sorted(declared - set(in_text)):
        fail(f"{where} declares {pid!r}, but its text never names it")
    return side


def wizard_paths(data: dict) -> Iterator[tuple[list[tuple[str, str]], str]]:
    """Every path: (question id, answer id) in order, and the outcome it ends in."""

    def follow(node: str, path: list[tuple[str, str]]) -> Iterator:
        if node in data["outcomes"]:
            yield path, node
            return
        for answer in data["questions"][node]["answers"]:
            yield from follow(answer["next"], [*path, (node, answer["id"])])

    yield from follow(data["start"], [])


def require_fields(table: object, fields: dict[str, type], where: str, fail: Callable) -> None:
    """Check that a TOML table has each field, of the right type."""
    if not isinstance(table, dict):
        fail(f"{where} must be a table")
    for key, kind in fields.items():
        if not isinstance(table.get(key), kind):
            fail(f"{where} lacks {key!r} (a {kind.__name__})")


def count_remaining_questions(start: str, questions: dict, fail: Callable) -> dict[str, int]:
    """For each reachable question, the most questions left on any path from it (itself included).

    A loop would be a path that never reaches a recommendation, so it fails naming the question.
    """
    remaining: dict[str, int] = {}
    visiting: list[str] = []

    def visit(qid: str) -> int:
        if qid in visiting:
            fail(f"question {qid!r} leads back to itself, so a path never reaches a recommendation")
        if qid not in remaining:
            visiting.append(qid)
            after = [visit(a["next"]) for a in questions[qid]["answers"] if a["next"] in questions]
            visiting.pop()
            remaining[qid] = 1 + max(after, default=0)
        return remaining[qid]

    visit(start)
    return remaining


def wizard_for_templates(wizard: dict, pages: list[Page], base_url: str, source: Path) -> dict:
    """The wizard as the page needs it: JSON for the script, and the whole tree for <details>."""
    by_file = {f"{p.slug}.md": p for p in pages}
    outcomes = {}
    for oid, outcome in wizard["outcomes"].items():
        links = [
            read_next_link(name, by_file, base_url, f"{source}: outcome {oid!r}")
            for name in outcome["read_next"]
        ]
        outcomes[oid] = {
            key: value for key, value in outcome.items() if key not in ("parts", "mentions")
        } | {"read_next": links}
    data = {**wizard, "questions": questions_for_script(wizard["questions"]), "outcomes": outcomes}
    return {"json": script_json(data), "tree": expand_wizard(data, data["start"], [])}


def read_next_link(name: str, by_file: dict[str, Page], base_url: str, where: str) -> dict:
    """`page.md` or `page.md#anchor` as a title and a URL; a missing page or heading fails."""
    file, _, anchor = name.partition("#")
    page = by_file.get(file)
    if page is None:
        raise BuildError(f"{where}: read_next {name!r} is not a page")
    if not anchor:
        return {"title": page.title, "url": base_url + page.path}
    _, toc = render_markdown(make_markdown(), page.body_markdown)
    section = next((entry["title"] for entry in toc if entry["id"] == anchor), None)
    if section is None:
        raise BuildError(f"{where}: read_next {name!r}: {file} has no heading with that id")
    return {"title": f"{page.title} — {section}", "url": f"{base_url}{page.path}#{anchor}"}


def questions_for_script(questions: dict) -> dict:
    """The questions without the build-time `for`/`against`/`mentions`/`establishes`."""
    checked_only = ("for", "against", "mentions", "establishes")
    return {
        qid: question
        | {
            "answers": [
                {key: value for key, value in answer.items() if key not in checked_only}
                for answer in question["answers"]
            ]
        }
        for qid, question in questions.items()
    }


def expand_wizard(data: dict, node: str, path: list[dict]) -> dict:
    """The tree below one node; each outcome carries the reasons and trade-offs of its path."""
    if node in data["outcomes"]:
        outcome = data["outcomes"][node]
        return {
            "type": "outcome",
            **outcome,
            "reasons": [answer["reason"] for answer in path],
            "accepted": [a["accept"] for a in path if "accept" in a] + outcome["tradeoffs"],
        }
    question = data["questions"][node]
    return {
        "type": "question",
        "number": len(path) + 1,
        "text": question["text"],
        "hint": question.get("hint", ""),
        "answers": [
            {"label": a["label"], "child": expand_wizard(data, a["next"], [*path, a])}
            for a in question["answers"]
        ],
    }
