"""The pages: front matter, tables of contents, sources, diagrams, nothing from elsewhere."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from site_build.content import Page, read_content
from site_build.paths import ROOT

CONTENT = ROOT / "site_src" / "content"
PAGES = read_content(CONTENT)
DEEP_DIVES = [p for p in PAGES if p.template == "page.html"]


def html_of(built_site: Path, page: Page) -> str:
    return (built_site / page.output_path).read_text(encoding="utf-8")


def test_the_guide_has_a_home_page_and_the_seven_deep_dive_pages():
    assert PAGES[0].slug == "index" and PAGES[0].template == "home.html"
    assert [p.slug for p in DEEP_DIVES] == [
        "sticky-sessions",
        "where-state-goes",
        "scaling-out",
        "replication",
        "when-stateful-wins",
        "chaos-experiments",
        "glossary",
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.slug)
def test_every_page_has_a_title_a_description_and_a_short_menu_label(page: Page):
    assert 10 <= len(page.description) <= 200, "a description fits a search result"
    assert isinstance(page.extra.get("nav_title"), str)
    assert len(page.extra["nav_title"]) <= 20, "menu labels stay short for 375 px screens"


@pytest.mark.parametrize("page", DEEP_DIVES, ids=lambda p: p.slug)
def test_every_deep_dive_page_renders_a_table_of_contents_that_points_at_its_headings(
    built_site: Path, page: Page
):
    html = html_of(built_site, page)
    toc = re.search(r'<nav class="toc"[^>]*>(.*?)</nav>', html, re.S)
    assert toc, f"{page.slug} has no table of contents"
    targets = re.findall(r'href="#([^"]+)"', toc.group(1))
    assert len(targets) >= 3
    for target in targets:
        assert re.search(rf'<h[23] id="{re.escape(target)}"', html)
    assert re.search(rf"<h1[^>]*>{re.escape(page.title)}</h1>", html)


def test_the_home_page_has_the_short_answer_then_the_demo_then_the_comparison_and_the_wizard(
    built_site: Path,
):
    html = html_of(built_site, PAGES[0])
    order = [
        html.index("General rule:"),
        html.index('id="demo"'),
        html.index('class="compare"'),
        html.index('id="wizard"'),
    ]
    assert order == sorted(order)
    assert "Offload state" in html or "offload state" in html
    for text in ("Best for:", "REST APIs", "Collaborative Editors".lower()):
        assert text.lower() in html.lower()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.slug)
def test_every_external_link_in_the_content_is_https(page: Page):
    assert re.findall(r"\]\(http://|href=\"http://", page.source.read_text()) == []


@pytest.mark.parametrize("page", DEEP_DIVES[:-1], ids=lambda p: p.slug)
def test_every_deep_dive_page_cites_primary_sources(page: Page):
    links = re.findall(r"\]\((https://[^)]+)\)", page.source.read_text())
    assert len(links) >= 3, f"{page.slug} names mechanisms without linking their documentation"


def test_nothing_is_loaded_from_another_host(built_site: Path):
    for page in built_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        loaded = re.findall(r'<(?:script|img|iframe|source)[^>]*\ssrc="([^"]+)"', html)
        loaded += re.findall(r'<link[^>]*\shref="([^"]+)"', html)
        assert [u for u in loaded if "//" in u] == [], page


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.slug)
def test_every_diagram_is_an_image_with_a_title_and_a_description(built_site: Path, page: Page):
    html = html_of(built_site, page)
    for svg in re.findall(r'<figure class="diagram">\s*(<svg.*?</svg>)', html, re.S):
        opening = svg[: svg.index(">")]
        assert 'role="img"' in opening
        title_id, desc_id = re.search(r'aria-labelledby="([^" ]+) ([^" ]+)"', opening).groups()
        assert f'<title id="{title_id}">' in svg and f'<desc id="{desc_id}">' in svg


def test_no_page_names_a_machine_path(built_site: Path):
    for page in built_site.rglob("*.html"):
        assert not re.search(r"/(home|work|tmp|Users)/", page.read_text(encoding="utf-8")), page


# The five chapters an expert missed (issue 9): each a section with its own anchor, reachable
# from a wizard recommendation where it changes what the reader should do.
CHAPTERS = [
    "where-state-goes/#concurrent-writes-to-one-session",
    "where-state-goes/#client-side-sessions-signed-cookies-and-jwt",
    "sticky-sessions/#deploys-draining-and-autoscaling-a-sticky-tier",
    "when-stateful-wins/#long-lived-connections-time-outs-health-checks-and-reconnect-storms",
    "where-state-goes/#when-the-store-fails",
]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_missing_chapter_has_its_section_and_a_wizard_recommendation_links_to_it(
    built_site: Path, chapter: str
):
    path, anchor = chapter.split("#")
    html = (built_site / path / "index.html").read_text(encoding="utf-8")
    assert re.search(rf'<h2 id="{anchor}">', html), f"no section {anchor} on {path}"
    home = (built_site / "index.html").read_text(encoding="utf-8")
    data = re.search(r'<script type="application/json" id="wizard-data">(.*?)</script>', home, re.S)
    links = {
        link["url"]
        for outcome in json.loads(data.group(1))["outcomes"].values()
        for link in outcome["read_next"]
    }
    assert "/" + chapter in links
