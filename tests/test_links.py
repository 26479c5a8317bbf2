"""Every internal link, asset and anchor of a built site resolves, at / and under a sub-path."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from tests.conftest import SUB_PATH

URL_ATTRIBUTES = ("href", "src")
ID_REFERENCES = ("aria-labelledby", "aria-describedby", "aria-controls", "for")
EXTERNAL = ("https://", "mailto:", "data:")


class PageScan(HTMLParser):
    """The URLs, ids and id references of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.ids: list[str] = []
        self.id_references: list[str] = []
        self.json_blocks: list[tuple[str, str]] = []
        self._script_type: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.urls += [values[name] for name in URL_ATTRIBUTES if name in values]
        if "id" in values:
            self.ids.append(values["id"])
        if tag == "a" and "name" in values:
            self.ids.append(values["name"])
        for name in ID_REFERENCES:
            self.id_references += values.get(name, "").split()
        for value in values.values():
            self.id_references += re.findall(r"url\(#([^)]+)\)", value)
        if tag == "script" and values.get("type") in ("importmap", "application/json"):
            self._script_type = values.get("id") or values["type"]

    def handle_data(self, data: str) -> None:
        if self._script_type:
            self.json_blocks.append((self._script_type, data))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script_type = None


def scan(page: Path) -> PageScan:
    parser = PageScan()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def urls_in_json(block: tuple[str, str]) -> list[str]:
    """URLs the scripts will fetch: the import map's modules and the wizard's read-next pages."""
    kind, text = block
    data = json.loads(text)
    if kind == "importmap":
        return list(data["imports"].values())
    if kind == "wizard-data":
        return [link["url"] for o in data["outcomes"].values() for link in o["read_next"]]
    return []


def broken_links(dist: Path, base_url: str) -> list[str]:
    """Every problem with the internal links of a built site, as 'page: what is wrong'."""
    pages = {p: scan(p) for p in dist.rglob("*.html")}
    problems = []
    for page, found in pages.items():
        name = page.relative_to(dist).as_posix()
        duplicates = sorted({i for i in found.ids if found.ids.count(i) > 1})
        problems += [f"{name}: id {i!r} is used more than once" for i in duplicates]
        problems += [
            f"{name}: reference to missing id {i!r}"
            for i in found.id_references
            if i not in found.ids
        ]
        urls = found.urls + [u for block in found.json_blocks for u in urls_in_json(block)]
        for url in urls:
            if url.startswith(EXTERNAL):
                continue
            if url.startswith("#"):
                if url[1:] and url[1:] not in found.ids:
                    problems.append(f"{name}: anchor {url} is not on this page")
                continue
            if not url.startswith(base_url):
                problems.append(f"{name}: {url} is not below the base URL {base_url}")
                continue
            path, _, anchor = url[len(base_url) :].partition("#")
            path = path.split("?")[0]
            target = dist / (path + "index.html" if path == "" or path.endswith("/") else path)
            if not target.is_file():
                problems.append(f"{name}: {url} does not resolve to a file")
            elif anchor and anchor not in pages[target].ids:
                problems.append(f"{name}: {url}: no id {anchor!r} on {path or 'the home page'}")
    return problems


def test_the_checker_reports_a_missing_page_a_missing_anchor_and_a_dangling_reference(
    tmp_path: Path,
):
    (tmp_path / "about").mkdir()
    (tmp_path / "about" / "index.html").write_text('<h2 id="here">Here</h2>')
    (tmp_path / "index.html").write_text(
        '<a href="/about/#here">ok</a> <a href="/about/#gone">no anchor</a>'
        ' <a href="/missing/">no page</a> <a href="#top">no local anchor</a>'
        ' <a href="relative/">outside</a> <svg aria-labelledby="t"></svg>'
        ' <a href="https://example.org/">external</a>'
    )
    assert sorted(broken_links(tmp_path, "/")) == sorted(
        [
            "index.html: /about/#gone: no id 'gone' on about/",
            "index.html: /missing/ does not resolve to a file",
            "index.html: anchor #top is not on this page",
            "index.html: relative/ is not below the base URL /",
            "index.html: reference to missing id 't'",
        ]
    )


def test_every_internal_link_and_anchor_of_the_site_resolves(built_site: Path):
    assert broken_links(built_site, "/") == []


def test_every_internal_link_resolves_when_the_site_lives_under_a_sub_path(sub_path_build: Path):
    assert broken_links(sub_path_build, SUB_PATH) == []
    assert f"{SUB_PATH}assets/" in (sub_path_build / "404.html").read_text()
