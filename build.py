"""Build the static site: Markdown content + Jinja2 templates + static assets -> dist/.

    python build.py [--base-url /repo-name/] [--out dist]
    python build.py serve [--port 8000] [--base-url /]

The build reads `site_src/`, packages `sim/` into one zip the browser unpacks, copies the
Pyodide runtime from `node_modules/pyodide` under a versioned path, and writes everything
into a fresh temporary folder that replaces the output folder only when the whole build has
succeeded, so a broken content file never leaves a half-written site behind.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import dataclasses
import hashlib
import http.server
import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar, NoReturn

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup

from sim.config import MODE_LABELS, Config

log = logging.getLogger("build")

ROOT = Path(__file__).resolve().parent
SITE_TITLE = "Stateless or Stateful? An Interactive Guide"
# The runtime files served as they come. The standard library is served trimmed and
# precompiled instead, and the lock file's `info` is passed inline (see prepare_python).
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm")
# Fetched by the worker at start-up: the page shows bytes-of-bytes progress for these.
PYODIDE_DOWNLOADS = ("pyodide.asm.wasm",)
PREPARE_TOOLS = ROOT / "tools" / "pyodide"
# Material Symbols renamed some icons the original page uses; keep the original names.
ICON_ALIASES = {"remove_circle": "do_not_disturb_on"}
FRONT_MATTER_FENCE = "+++"
PARTIAL_MARKER = re.compile(r"^<!--\s*partial:\s*([a-z0-9_-]+)\s*-->$", re.MULTILINE)
# The embed page's options (README: Embedding): each query parameter's allowed values, the
# default first. The embed page checks its URL against this table and the "Embed this demo"
# dialog builds its links from it; the build writes it into both pages.
EMBED_OPTIONS = {
    "steps": ("1", "0"),
    "controls": ("full", "compact"),
    "theme": ("auto", "light", "dark"),
    "autostart": ("1", "0"),
}
MIME_TYPES = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".json": "application/json",
    ".zip": "application/zip",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
}


class BuildError(ValueError):
    """A problem in the sources, with a message that names the file at fault."""


@dataclasses.dataclass(frozen=True)
class Paths:
    """Where the build reads from; tests point these at small example trees."""

    site_src: Path = ROOT / "site_src"
    sim: Path = ROOT / "sim"
    node_modules: Path = ROOT / "node_modules"
    package_json: Path = ROOT / "package.json"
    license: Path = ROOT / "LICENSE"
    calibration: Path = ROOT / "lab" / "calibration.json"


@dataclasses.dataclass(frozen=True)
class Page:
    """One content page, parsed from Markdown with TOML front matter."""

    slug: str
    source: Path
    title: str
    description: str
    order: int
    template: str
    body_markdown: str
    extra: dict

    @property
    def output_path(self) -> str:
        """Path of the page's HTML file inside the output folder."""
        return "index.html" if self.slug == "index" else f"{self.slug}/index.html"

    @property
    def path(self) -> str:
        """Path of the page's URL below the base URL."""
        return "" if self.slug == "index" else f"{self.slug}/"


# ---------------------------------------------------------------- content


def read_page(source: Path) -> Page:
    """Parse one Markdown file: `+++` TOML front matter (title, description, order), then body."""
    text = source.read_text(encoding="utf-8")
    lines = text.split("\n")
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        raise BuildError(f"{source}: line 1: expected front matter opening with '+++'")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FRONT_MATTER_FENCE)
    except StopIteration:
        raise BuildError(
            f"{source}: front matter opened on line 1 is never closed with '+++'"
        ) from None
    try:
        meta = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as error:
        # tomllib counts lines from the start of the front matter; report file lines.
        match = re.search(r"line (\d+)", str(error))
        where = f"line {int(match.group(1)) + 1}: " if match else ""
        raise BuildError(f"{source}: {where}invalid front matter: {error}") from None
    for key, kind in (("title", str), ("description", str), ("order", int)):
        if key not in meta:
            raise BuildError(f"{source}: front matter lacks '{key}'")
        if not isinstance(meta[key], kind) or isinstance(meta[key], bool):
            raise BuildError(f"{source}: front matter '{key}' must be a {kind.__name__}")
    template = meta.get("template", "page.html")
    known = {"title", "description", "order", "template"}
    return Page(
        slug=source.stem,
        source=source,
        title=meta["title"],
        description=meta["description"],
        order=meta["order"],
        template=template,
        body_markdown="\n".join(lines[end + 1 :]),
        extra={k: v for k, v in meta.items() if k not in known},
    )


def read_content(content_dir: Path) -> list[Page]:
    """Read every page, ordered by front-matter `order`; duplicate orders are an error."""
    pages = [read_page(p) for p in sorted(content_dir.glob("*.md"))]
    if not any(p.slug == "index" for p in pages):
        raise BuildError(f"{content_dir}: no index.md (the home page)")
    seen: dict[int, Path] = {}
    for page in pages:
        if page.order in seen:
            raise BuildError(
                f"{page.source}: order {page.order} is already used by {seen[page.order].name}"
            )
        seen[page.order] = page.source
    return sorted(pages, key=lambda p: p.order)


def slugify(text: str) -> str:
    """Turn heading text into an id: lower case, words joined by hyphens."""
    slug = re.sub(r"[^\w\s-]", "", text.lower()).strip()
    return re.sub(r"[\s_]+", "-", slug) or "section"


def make_markdown() -> MarkdownIt:
    """CommonMark plus tables; raw HTML is allowed because content is ours, not visitors'."""
    return MarkdownIt("commonmark", {"html": True}).enable("table")


def render_markdown(
    md: MarkdownIt, text: str, page_urls: dict[str, str] | None = None, source: Path | None = None
) -> tuple[str, list[dict]]:
    """Render Markdown; give headings stable ids and return the h2/h3 table of contents.

    Links to other pages are written as their files (`sticky-sessions.md#anchor`) and become
    URLs below the base URL here, so they work at any depth and under any sub-path.
    """
    tokens = md.parse(text)
    if page_urls is not None:
        rewrite_page_links(tokens, page_urls, source)
    toc: list[dict] = []
    used: set[str] = set()
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        title = tokens[index + 1].content
        slug = token.attrs.get("id") or slugify(re.sub(r"[`*_]", "", title))
        base, n = slug, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        token.attrSet("id", str(slug))
        if token.tag in ("h2", "h3"):
            plain = "".join(
                child.content for child in tokens[index + 1].children or [] if child.content
            )
            toc.append({"id": slug, "title": plain or title, "level": int(token.tag[1])})
    return md.renderer.render(tokens, md.options, {}), toc


def rewrite_page_links(tokens: list, page_urls: dict[str, str], source: Path | None) -> None:
    """Point `page.md` links at the page's URL; a link to a page that does not exist fails."""
    for token in tokens:
        for child in token.children or []:
            href = child.attrs.get("href") if child.type == "link_open" else None
            if not isinstance(href, str) or "://" in href:
                continue
            target, _, anchor = href.partition("#")
            if not target.endswith(".md"):
                continue
            if target not in page_urls:
                raise BuildError(f"{source}: link to {target}, which is not a page in content/")
            child.attrSet("href", page_urls[target] + (f"#{anchor}" if anchor else ""))


# ---------------------------------------------------------------- the decision wizard


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
            if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", answer["id"]):
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


def read_parts(parts: object, fail: Callable) -> dict[str, re.Pattern]:
    """Each part id with a pattern that finds the words naming it, at the start of a word."""
    if not isinstance(parts, dict) or not parts:
        fail("no parts: add [parts.ID] tables, each with the words that name it")
    patterns = {}
    for pid, part in parts.items():
        words = part.get("words") if isinstance(part, dict) else None
        if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
            fail(f"part {pid!r} needs words = [...], the words that name it in a text")
        patterns[pid] = re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + ")", re.I)
    return patterns


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
    """The questions without the build-time `for`/`against`/`mentions`, which no script reads."""
    checked_only = ("for", "against", "mentions")
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


# ---------------------------------------------------------------- assets


def content_hash(data: bytes) -> str:
    """Short content hash for cache-busting file names."""
    return hashlib.sha256(data).hexdigest()[:10]


def hashed_name(name: str, data: bytes) -> str:
    """`main.js` -> `main.0123456789.js`."""
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{content_hash(data)}.{ext}" if dot else f"{name}.{content_hash(data)}"


def copy_static(static_dir: Path, out: Path) -> dict[str, str]:
    """Copy static files to `assets/` under hashed names; return name -> output path."""
    manifest: dict[str, str] = {}
    for source in sorted(p for p in static_dir.rglob("*") if p.is_file()):
        relative = source.relative_to(static_dir).as_posix()
        data = source.read_bytes()
        target = f"assets/{hashed_name(relative, data)}"
        (out / target).parent.mkdir(parents=True, exist_ok=True)
        (out / target).write_bytes(data)
        manifest[relative] = target
    return manifest


def write_asset(out: Path, assets: dict[str, str], name: str, data: bytes) -> None:
    """Write generated bytes under `assets/` with a hashed name and add them to the manifest."""
    assets[name] = f"assets/{hashed_name(name, data)}"
    (out / assets[name]).write_bytes(data)


def sim_sources(sim_dir: Path) -> list[Path]:
    """The simulator's modules the browser needs: every .py but the command line."""
    return [
        source
        for source in sorted(sim_dir.rglob("*.py"))
        if source.name != "__main__.py" and "__pycache__" not in source.parts
    ]


def package_sim(sim_dir: Path) -> bytes:
    """Zip the simulator's sources, without the command line; the same input, same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for source in sim_sources(sim_dir):
            info = zipfile.ZipInfo(
                source.relative_to(sim_dir.parent).as_posix(), date_time=(2020, 1, 1, 0, 0, 0)
            )
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, source.read_bytes())
    return buffer.getvalue()


def pinned_pyodide_version(package_json: Path) -> str:
    """The Pyodide version package.json pins; a range is refused, since paths carry it."""
    pin = json.loads(package_json.read_text())["dependencies"]["pyodide"]
    if not re.fullmatch(r"\d+\.\d+\.\d+", pin):
        raise BuildError(f"{package_json}: pyodide must be pinned to an exact version, got {pin!r}")
    return pin


def copy_pyodide(node_modules: Path, version: str, out: Path) -> dict[str, int]:
    """Copy the runtime files the site needs under `pyodide/<version>/`; return download sizes."""
    source = node_modules / "pyodide"
    installed = json.loads((source / "package.json").read_text())["version"]
    if installed != version:
        raise BuildError(
            f"{source}: installed Pyodide is {installed}, package.json pins {version}; run npm ci"
        )
    target = out / "pyodide" / version
    target.mkdir(parents=True)
    for name in PYODIDE_FILES:
        shutil.copyfile(source / name, target / name)
    return {
        f"pyodide/{version}/{name}": (target / name).stat().st_size for name in PYODIDE_DOWNLOADS
    }


def pyodide_lock(node_modules: Path) -> dict:
    """The lock file Pyodide is given inline: its `info` (checked at start-up), no packages.

    The site loads no package, so the 119 KB list is neither fetched nor shipped.
    """
    path = node_modules / "pyodide" / "pyodide-lock.json"
    try:
        info = json.loads(path.read_text())["info"]
    except (ValueError, KeyError, TypeError):
        raise BuildError(f"{path}: not a Pyodide lock file with an 'info' table") from None
    return {"info": info, "packages": {}}


@dataclasses.dataclass(frozen=True)
class PreparedPython:
    """The two archives the browser's Python imports from."""

    stdlib: bytes  # the standard library, as `stdLibURL`
    sim: bytes  # the simulator, put on sys.path by the worker
    modules: tuple[str, ...]  # what the standard library keeps; empty when served whole


def prepare_python(paths: Paths, precompile: bool = True) -> PreparedPython:
    """Trace, trim and precompile with Pyodide under Node (tools/pyodide/); cached by input.

    `precompile=False` serves both as sources, the standard library whole (for test trees
    whose fake runtime cannot run).
    """
    stock = (paths.node_modules / "pyodide" / "python_stdlib.zip").read_bytes()
    if not precompile:
        return PreparedPython(stock, package_sim(paths.sim), ())
    digest = hashlib.sha256(stock)
    for source in [*sorted(PREPARE_TOOLS.glob("*.*")), *sim_sources(paths.sim)]:
        name = source.relative_to(source.parent.parent).as_posix()
        digest.update(name.encode() + b"\0" + source.read_bytes() + b"\0")
    cached = paths.node_modules / ".cache" / "stateless-guide" / f"python-{digest.hexdigest()[:16]}"
    if not (cached / "modules.json").is_file():
        run_prepare(paths, cached)
    return PreparedPython(
        (cached / "python_stdlib.zip").read_bytes(),
        (cached / "sim.zip").read_bytes(),
        tuple(json.loads((cached / "modules.json").read_text())),
    )


def run_prepare(paths: Paths, target: Path) -> None:
    """Run tools/pyodide/prepare.mjs into `target`, which appears only once complete."""
    node = shutil.which("node")
    if node is None:
        raise BuildError("node is needed to prepare the standard library (install Node.js)")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    log.info("tracing and precompiling the Python the site needs, with Pyodide in Node")
    result = subprocess.run(
        [
            node,
            str(PREPARE_TOOLS / "prepare.mjs"),
            str(paths.node_modules / "pyodide"),
            str(paths.sim),
            str(partial),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        raise BuildError(f"preparing the standard library failed:\n{result.stderr[-3000:]}")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)


class Icons:
    """Inline Material Symbols SVGs, read once from the npm package."""

    def __init__(self, node_modules: Path) -> None:
        self.folder = node_modules / "@material-symbols" / "svg-400" / "outlined"
        self.cache: dict[str, str] = {}

    def __call__(self, name: str, label: str = "") -> Markup:
        """`<svg>` for the icon; decorative unless a label is given."""
        if name not in self.cache:
            path = self.folder / f"{ICON_ALIASES.get(name, name)}.svg"
            if not path.is_file():
                raise BuildError(f"icon {name!r}: no {path.name} in {self.folder}")
            svg = path.read_text()
            self.cache[name] = re.sub(r'\s(width|height)="\d+"', "", svg, count=2)
        a11y = (
            f'role="img" aria-label="{Markup.escape(label)}"'
            if label
            else 'aria-hidden="true" focusable="false"'
        )
        return Markup(self.cache[name].replace("<svg ", f'<svg class="icon" {a11y} ', 1))


# ---------------------------------------------------------------- rendering


def make_environment(templates: Path) -> jinja2.Environment:
    """Jinja2 with autoescape on and undefined variables failing the build."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def script_json(data: object) -> Markup:
    """JSON safe to place inside a <script> element ("</script>" cannot close it)."""
    return Markup(json.dumps(data, sort_keys=True).replace("<", "\\u003c"))


def inline_script(path: Path) -> Markup:
    """A script to place in the page itself (allowed by its hash in the CSP)."""
    text = path.read_text(encoding="utf-8")
    if "</script" in text.lower():
        raise BuildError(f"{path}: an inline script cannot contain '</script'")
    return Markup(text)


def script_hash(source: str) -> str:
    """CSP hash source for an inline script."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def render_site(env: jinja2.Environment, pages: list[Page], site: dict, out: Path) -> None:
    """Render every page, the 404 page, the licences and the demo alone (`embed/`)."""
    md = make_markdown()
    nav = [
        {
            "title": p.title,
            "nav_title": p.extra.get("nav_title", p.title),  # a shorter label for the menu
            "url": site["base_url"] + p.path,
            "slug": p.slug,
        }
        for p in pages
    ]
    page_urls = {f"{p.slug}.md": site["base_url"] + p.path for p in pages}
    for index, page in enumerate(pages):
        body_html, toc = render_markdown(md, page.body_markdown, page_urls, page.source)
        partials = sorted(set(PARTIAL_MARKER.findall(body_html)))
        body_html = include_partials(env, page, body_html, site)
        context = {
            "site": site,
            "nav": nav,
            "page": {
                "slug": page.slug,
                "title": page.title,
                "description": page.description,
                "url": site["base_url"] + page.path,
                "toc": toc,
                "partials": partials,  # the head loads the demo's scripts only where it is
                "extra": page.extra,
            },
            "content": Markup(body_html),
            "previous": nav[index - 1] if index > 0 else None,
            "next": nav[index + 1] if index + 1 < len(nav) else None,
        }
        html = render_template(env, page.template, context, page.source)
        target = out / page.output_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
    context = {"site": site, "nav": nav}
    (out / "404.html").write_text(render_template(env, "404.html", context, None), "utf-8")
    (out / "licenses" / "index.html").write_text(
        render_template(env, "licenses.html", context, None), "utf-8"
    )
    (out / "embed").mkdir()
    (out / "embed" / "index.html").write_text(
        render_template(env, "embed.html", context, None), "utf-8"
    )


def include_partials(env: jinja2.Environment, page: Page, html: str, site: dict) -> str:
    """Replace `<!-- partial: NAME -->` lines with the rendered template `_NAME.html`."""

    def render_partial(match: re.Match) -> str:
        name = f"_{match.group(1)}.html"
        return render_template(env, name, {"site": site, "page_slug": page.slug}, page.source)

    return PARTIAL_MARKER.sub(render_partial, html)


def render_template(env: jinja2.Environment, name: str, context: dict, source: Path | None) -> str:
    """Render one template; turn Jinja errors into BuildErrors that name both files."""
    where = f"{source}: " if source else ""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateNotFound as error:
        raise BuildError(f"{where}template {error.name!r} does not exist") from None
    except jinja2.TemplateSyntaxError as error:
        raise BuildError(f"{error.filename}:{error.lineno}: {error.message}") from None
    except jinja2.UndefinedError as error:
        raise BuildError(f"{where}template {name}: {error.message}") from None


# ---------------------------------------------------------------- the lab's calibration

KILL_LABELS = {"crash": "Crash (SIGKILL)", "vanish": "Vanish (packets dropped)"}


def _seconds_range(values: list[float]) -> str:
    """'4.62-5.96 s' (or one value) for a list of seconds; a dash when empty."""
    if not values:
        return "-"
    low, high = min(values), max(values)
    return f"{low:.2f}\u00a0s" if low == high else f"{low:.2f}\u2013{high:.2f}\u00a0s"


def _detection_rows(runs: list[dict]) -> list[dict]:
    """Per kill kind: runs, measured and simulated detection windows, runs that agree."""
    rows = []
    for kind, label in KILL_LABELS.items():
        of_kind = [r for r in runs if r["kill_kind"] == kind]
        if not of_kind:
            continue
        measured = [r["measured"]["detection_s"] for r in of_kind]
        predicted = [r["predicted"]["detection_s"] for r in of_kind]
        rows.append(
            {
                "label": label,
                "runs": len(of_kind),
                "measured": _seconds_range([v for v in measured if v is not None]),
                "predicted": _seconds_range([v for v in predicted if v is not None]),
                "agree": sum(bool(r["detection_agree"]) for r in of_kind),
            }
        )
    return rows


def _lost_rows(runs: list[dict]) -> list[dict]:
    """Per mode: runs, items acknowledged, lost (measured and simulated), runs that agree."""
    rows = []
    for mode in ("stateless", "stateful"):
        of_mode = [r for r in runs if r["mode"] == mode]
        if not of_mode:
            continue
        acknowledged = sum(r["measured"]["acknowledged_items"] for r in of_mode)
        rows.append(
            {
                "mode": mode.capitalize(),
                "runs": len(of_mode),
                "acknowledged": f"{acknowledged:,}",
                "measured": f"{sum(r['measured']['lost_items'] for r in of_mode):,}",
                "predicted": f"{sum(r['predicted']['lost_items'] for r in of_mode):,}",
                "agree": sum(bool(r["lost_items_agree"]) for r in of_mode),
            }
        )
    return rows


def load_calibration(path: Path) -> dict | None:
    """The lab's measured figures, summed up for the guide; None when the lab never ran."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        machine, runs = data["machine"], data["runs"]
        ratio = data["store_over_memory"]
        return {
            "date": data["date"],
            "machine": f"{machine['system']} ({machine['cpus']} CPUs) with HAProxy "
            f"{machine['haproxy']} and Redis {machine['redis']}",
            "runs": len(runs),
            "detection": _detection_rows(runs),
            "lost": _lost_rows(runs),
            "store_over_memory": None if ratio is None else round(ratio),
        }
    except (ValueError, KeyError, TypeError) as error:
        raise BuildError(f"{path}: not a calibration file the guide can read ({error!r})") from None


# ---------------------------------------------------------------- the build


def normalise_base_url(base_url: str) -> str:
    """'/repo' or 'repo/' -> '/repo/'; the site's URLs are all derived from it."""
    parts = base_url.strip("/").split("/")
    if not re.fullmatch(r"[A-Za-z0-9._~/-]*", base_url) or (
        base_url.strip("/") and any(part in ("", ".", "..") for part in parts)
    ):
        raise BuildError(f"--base-url {base_url!r}: use a path like / or /repo-name/")
    stripped = base_url.strip("/")
    return f"/{stripped}/" if stripped else "/"


def build(
    out: Path, base_url: str = "/", paths: Paths | None = None, precompile: bool = True
) -> Path:
    """Build the whole site into `out`, replacing it only once everything has succeeded.

    `precompile=False` serves the standard library as Pyodide ships it (for small test trees).
    """
    paths = paths or Paths()
    base_url = normalise_base_url(base_url)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-building-", dir=out.parent))
    try:
        # 1. Content first: a malformed page or wizard should fail before any slow copying.
        pages = read_content(paths.site_src / "content")
        wizard_file = paths.site_src / "data" / "wizard.toml"
        wizard = load_wizard(wizard_file) if wizard_file.is_file() else None
        # 2. Static assets, under content-hashed names.
        assets = copy_static(paths.site_src / "static", staging)
        # 3. The Python runtime, under a versioned path (its files never change in place), and
        # the two archives its Python imports from, under content-hashed names.
        version = pinned_pyodide_version(paths.package_json)
        downloads = copy_pyodide(paths.node_modules, version, staging)
        python = prepare_python(paths, precompile)
        for name, data in (("python_stdlib.zip", python.stdlib), ("sim.zip", python.sim)):
            write_asset(staging, assets, name, data)
            downloads[assets[name]] = len(data)
        runtime = {"version": version, "lock": pyodide_lock(paths.node_modules)}
        # 4. Notices of what we redistribute, beside the project's own licence.
        copy_licenses(paths, staging)
        # 5. Pages, and the wizard's questions for the page that embeds it.
        boot = paths.site_src / "static" / "js" / "boot.js"
        runtime["boot_script"] = inline_script(boot) if boot.is_file() else ""
        site = make_site_context(base_url, assets, runtime, downloads)
        site["wizard"] = (
            wizard_for_templates(wizard, pages, base_url, wizard_file) if wizard else None
        )
        site["calibration"] = load_calibration(paths.calibration)
        env = make_environment(paths.site_src / "templates")
        env.globals["icon"] = Icons(paths.node_modules)
        render_site(env, pages, site, staging)
        copy_embed_script(paths.site_src / "embed.js", staging)
        (staging / ".nojekyll").write_text("")
        # 6. Last, the service worker: it lists every file the build wrote.
        write_service_worker(staging, base_url, paths.site_src / "service-worker.js")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_into_place(staging, out)
    return out


def make_site_context(
    base_url: str, assets: dict[str, str], runtime: dict, downloads: dict[str, int]
) -> dict:
    """Everything templates need, computed here so templates only print."""
    asset_urls = {name: base_url + target for name, target in assets.items()}
    pyodide_version = runtime["version"]
    boot_config = {
        "pyodideIndexURL": f"{base_url}pyodide/{pyodide_version}/",
        "pyodideLock": runtime["lock"],
        "downloads": {base_url + path: size for path, size in downloads.items()},
        "stdLibURL": asset_urls["python_stdlib.zip"],
        "baseURL": base_url,
        "serviceWorkerURL": f"{base_url}sw.js",
        "simArchiveURL": asset_urls["sim.zip"],
        "workerURL": asset_urls["js/worker.js"],
        "pythonSnapshot": python_snapshot(base_url, asset_urls, pyodide_version),
    }
    # Modules import each other by bare names ("guide/runtime.js") that the import map
    # resolves to hashed files, so a file's hash depends on its own bytes only.
    importmap_data = {
        "imports": {
            f"guide/{name[3:]}": url
            for name, url in asset_urls.items()
            if name.startswith("js/") and name.endswith(".js")
        }
    }
    importmap = script_json(importmap_data)
    inline_hashes = " ".join(
        script_hash(text) for text in (importmap, runtime["boot_script"]) if text
    )
    csp = "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'wasm-unsafe-eval' {inline_hashes}",
            "worker-src 'self'",
            "connect-src 'self'",
            "img-src 'self' data:",
            "style-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        ]
    )
    embed_config = {
        "options": EMBED_OPTIONS,
        "modes": list(MODE_LABELS),
        "pageURL": f"{base_url}embed/",
        "scriptURL": f"{base_url}embed.js",
        "guideURL": base_url,
    }
    return {
        "title": SITE_TITLE,
        "base_url": base_url,
        "embed_config": script_json(embed_config),
        "assets": asset_urls,
        "boot_config": script_json(boot_config),
        "importmap": script_json(importmap_data),
        "boot_script": runtime["boot_script"],
        "csp": csp,
        "pyodide_version": pyodide_version,
        "demo": demo_context(),
    }


def python_snapshot(base_url: str, asset_urls: dict[str, str], pyodide_version: str) -> dict:
    """Where the worker keeps the memory snapshot of its started interpreter (worker.js).

    A snapshot holds this runtime, these archives and what this worker did with them, so its
    URL names all of them, and a new build never restores an old snapshot. It has a cache of
    its own, which the service worker's clean-up of old versions leaves alone.
    """
    key = content_hash(
        "\n".join(
            [pyodide_version]
            + [asset_urls[name] for name in ("python_stdlib.zip", "sim.zip", "js/worker.js")]
        ).encode()
    )
    return {"cache": f"stateless-guide-python:{base_url}", "url": f"{base_url}python/{key}"}


DEMO_MAX_SERVERS = 8  # what the diagram lays out; the simulator itself allows more


def demo_context() -> dict:
    """What the demo's diagram shows before Python arrives, taken from the simulator's defaults."""
    defaults = Config()
    return {
        "modes": [{"id": mode, "label": label} for mode, label in MODE_LABELS.items()],
        "default_mode": defaults.mode,
        "servers": [chr(ord("A") + i) for i in range(defaults.servers)],
        "max_servers": DEMO_MAX_SERVERS,
    }


def copy_embed_script(source: Path, out: Path) -> None:
    """Copy `embed.js` under its own name: host pages load it by a URL that never changes."""
    if not source.is_file():
        raise BuildError(f"{source}: missing; pages that embed the demo load it to size the frame")
    shutil.copyfile(source, out / "embed.js")


def write_service_worker(out: Path, base_url: str, source: Path) -> None:
    """Write `sw.js`: the worker's code after the list of every URL the site serves."""
    if not source.is_file():
        return
    urls = []
    digest = hashlib.sha256()
    for path in sorted(p for p in out.rglob("*") if p.is_file() and p.name != ".nojekyll"):
        relative = path.relative_to(out).as_posix()
        digest.update(relative.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
        if relative == "index.html" or relative.endswith("/index.html"):
            relative = relative[: -len("index.html")]
        urls.append(base_url + relative)
    header = (
        f"const BASE = {json.dumps(base_url)};\n"
        f"const VERSION = {json.dumps(digest.hexdigest()[:16])};\n"
        f"const PRECACHE = {json.dumps(urls, indent=0)};\n\n"
    )
    (out / "sw.js").write_text(header + source.read_text(encoding="utf-8"), encoding="utf-8")


def copy_licenses(paths: Paths, out: Path) -> None:
    """Ship the project's licence and the notices of Pyodide, CPython and Material Symbols."""
    target = out / "licenses"
    target.mkdir()
    shutil.copyfile(paths.license, target / "LICENSE.txt")
    for source in sorted((paths.site_src / "licenses").glob("*")):
        shutil.copyfile(source, target / source.name)
    icons_license = paths.node_modules / "@material-symbols" / "svg-400" / "LICENSE"
    shutil.copyfile(icons_license, target / "material-symbols-LICENSE.txt")


def swap_into_place(staging: Path, out: Path) -> None:
    """Replace `out` with the finished build in two renames, never leaving a half-built site."""
    old = out.with_name(f".{out.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    staging.chmod(0o755)  # mkdtemp made it private; a served site must be readable
    if out.exists():
        out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)


# ---------------------------------------------------------------- serving


def watched_files(paths: Paths) -> Iterator[Path]:
    """Every file whose change should trigger a rebuild."""
    for folder in (paths.site_src, paths.sim):
        yield from (p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def snapshot_mtimes(paths: Paths) -> dict[Path, float]:
    """Modification times of the watched files, to notice edits, additions and removals."""
    return {p: p.stat().st_mtime for p in watched_files(paths)}


def watch_and_rebuild(rebuild: Callable[[], None], paths: Paths, interval_s: float = 0.5) -> None:
    """Poll the sources and rebuild when anything changed (no dependency, works everywhere)."""
    before = snapshot_mtimes(paths)
    while True:
        time.sleep(interval_s)
        now = snapshot_mtimes(paths)
        if now != before:
            before = now
            rebuild()


def make_handler(directory: Path, base_url: str) -> type[http.server.SimpleHTTPRequestHandler]:
    """A static handler with the MIME types Pyodide needs, serving the site under its base URL."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        extensions_map: ClassVar[dict[str, str]] = {
            **http.server.SimpleHTTPRequestHandler.extensions_map,
            **MIME_TYPES,
        }

        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(directory), **kwargs)

        def translate_path(self, path: str) -> str:
            if base_url != "/" and path.startswith(base_url):
                path = "/" + path[len(base_url) :]
            elif base_url != "/":
                return str(directory / "__outside_base__")
            return super().translate_path(path)

        def send_error(self, code: int, message: str | None = None, explain: str | None = None):
            page = directory / "404.html"
            if code == 404 and page.is_file():
                body = page.read_bytes()
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)
                return
            super().send_error(code, message, explain)

        def log_message(self, format: str, *args) -> None:
            log.debug("%s - %s", self.address_string(), format % args)

    return Handler


def serve(out: Path, base_url: str, port: int, paths: Paths) -> None:
    """Build, serve on 127.0.0.1, and rebuild when a source file changes."""
    base_url = normalise_base_url(base_url)

    def rebuild() -> None:
        try:
            build(out, base_url, paths)
            log.info("rebuilt %s", out)
        except BuildError as error:
            log.error("build failed, still serving the previous site: %s", error)

    build(out, base_url, paths)
    threading.Thread(target=watch_and_rebuild, args=(rebuild, paths), daemon=True).start()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), make_handler(out, base_url))
    log.info("serving %s at http://127.0.0.1:%d%s (Ctrl+C stops)", out, port, base_url)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


# ---------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    """Build (default) or serve; a build error prints one clear line and exits 1."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", nargs="?", choices=["build", "serve"], default="build")
    parser.add_argument("--base-url", default=os.environ.get("BASE_URL", "/"))
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(name)s: %(message)s"
    )
    try:
        if args.command == "serve":
            serve(args.out, args.base_url, args.port, Paths())
        else:
            started = time.perf_counter()
            out = build(args.out, args.base_url)
            log.info("built %s in %.2f s", out, time.perf_counter() - started)
    except BuildError as error:
        print(f"build: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
