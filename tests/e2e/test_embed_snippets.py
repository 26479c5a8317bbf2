"""The "Embed this demo" dialog's code for each documentation tool, built by that tool.

The snippets are read from the dialog as a docs author copies them. MkDocs and Sphinx build a
real site from them (pinned in requirements.txt), which a browser then opens on another origin
to see the frame sized by embed.js; Docusaurus's MDX goes through @mdx-js/mdx's compiler, the
one Docusaurus 3 uses (tests/e2e/mdx_snippet.mjs).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import ROOT, serve_directory
from tests.e2e.test_embed import (
    FRAME,
    SnippetParser,
    demo_frame,
    open_dialog,
    wait_until_the_frame_fits,
)

pytestmark = pytest.mark.browser

TOOLS = ("HTML", "MkDocs", "Sphinx", "Docusaurus")
TITLE = "Stateless or stateful? The Chaos Monkey demo"


@pytest.fixture(scope="module")
def snippets(browser, site_url: str) -> dict[str, dict[str, str | None]]:
    """Each tool's code, hint and configuration, with options that put a & in the URL."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.route("**/pyodide/**", lambda route: route.abort())  # the dialog needs no Python
        page.goto(site_url)
        open_dialog(page)
        dialog = page.get_by_role("dialog", name="Embed this demo")
        dialog.get_by_role("checkbox", name="Compact controls").check()
        # The built sites' frames then wait for a click: these tests need no Python.
        dialog.get_by_role("checkbox", name="Start when it comes into view").uncheck()
        found = {}
        for tool in TOOLS:
            dialog.get_by_role("radio", name=tool, exact=True).check()
            config = dialog.get_by_role("textbox", name="Site configuration")
            found[tool] = {
                "page": dialog.get_by_role("textbox", name="Embed code").input_value(),
                "hint": dialog.locator("#embed-code-hint").text_content(),
                "config": config.input_value() if config.is_visible() else None,
            }
        return found
    finally:
        context.close()


@pytest.fixture
def expected(site_url: str) -> dict[str, str]:
    return {
        "src": f"{site_url}embed/?mode=stateless&controls=compact&autostart=0",
        "script": f"{site_url}embed.js",
    }


def elements(html: str) -> list[tuple[str, dict]]:
    parser = SnippetParser()
    parser.feed(html)
    return parser.elements


def assert_has_the_demo(html: str, expected: dict[str, str], script: bool = True) -> None:
    """The built page has the snippet's iframe, without a style, and the async script."""
    iframes = [attrs for tag, attrs in elements(html) if tag == "iframe"]
    assert len(iframes) == 1, html
    assert iframes[0] == {
        "src": expected["src"],
        "title": TITLE,
        "loading": "lazy",
        "width": "100%",
        "height": "720",
        "allow": "clipboard-write",
    }
    scripts = [attrs for tag, attrs in elements(html) if tag == "script" and "src" in attrs]
    ours = [attrs for attrs in scripts if attrs["src"] == expected["script"]]
    assert len(ours) == (1 if script else 0)
    if script:
        assert "async" in ours[0]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder for a built docs site, served on another origin."""
    out = tmp_path / "site"
    out.mkdir()
    with serve_directory(out) as url:
        yield out, url


def open_built_page(page: Page, url: str) -> None:
    """The built page in the browser, as a reader meets it: embed.js sizes the frame."""
    site = url.split("/", 3)[2]
    # The docs themes may name other hosts (fonts); only loopback answers here.
    page.route(
        lambda address: site not in address and "127.0.0.1" not in address,
        lambda route: route.abort(),
    )
    page.goto(url)
    frame = demo_frame(page)
    expect(frame.get_by_role("button", name="Start the demo", exact=True)).to_be_visible()
    height = wait_until_the_frame_fits(page, frame)
    assert height > 720  # embed.js grew the frame to the demo
    border = page.locator(FRAME).evaluate("(f) => getComputedStyle(f).borderTopWidth")
    assert border == "0px"  # embed.js removed the border; the snippet has no style


def test_the_html_snippet_is_the_frame_and_the_script(snippets, expected):
    html = snippets["HTML"]
    assert html["config"] is None
    assert html["page"].count("\n") == 1
    assert_has_the_demo(html["page"], expected)
    assert "style" not in html["page"]


def test_the_mkdocs_snippet_builds_with_mkdocs_and_the_frame_fits(
    snippets, expected, tmp_path: Path, served, page: Page
):
    mkdocs = snippets["MkDocs"]
    assert "mkdocs.yml" in mkdocs["hint"]
    docs = tmp_path / "docs"
    docs.mkdir()
    page_text = f"# The demo\n\nText before the demo.\n\n{mkdocs['page']}\n\nText after.\n"
    (docs / "index.md").write_text(page_text, encoding="utf-8")
    config = f"site_name: Embed test\n{mkdocs['config']}\n"
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    out, url = served
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(out)],
        cwd=tmp_path,
        check=True,
    )
    assert_has_the_demo((out / "index.html").read_text(encoding="utf-8"), expected)
    open_built_page(page, url)


def test_the_sphinx_snippet_builds_with_sphinx_and_the_frame_fits(
    snippets, expected, tmp_path: Path, served, page: Page
):
    sphinx = snippets["Sphinx"]
    assert sphinx["config"] is None
    source = tmp_path / "source"
    source.mkdir()
    (source / "conf.py").write_text('project = "Embed test"\n', encoding="utf-8")
    page_text = f"The demo\n========\n\nText before.\n\n{sphinx['page']}\n\nText after.\n"
    (source / "index.rst").write_text(page_text, encoding="utf-8")
    out, url = served
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "--builder",
            "html",
            "--fail-on-warning",
            "--quiet",
            str(source),
            str(out),
        ],
        check=True,
    )
    assert_has_the_demo((out / "index.html").read_text(encoding="utf-8"), expected)
    open_built_page(page, url)


def test_the_docusaurus_snippet_compiles_as_mdx_with_the_script_in_the_config(snippets, expected):
    node = shutil.which("node")
    assert node, "Node is needed to compile MDX"
    docusaurus = snippets["Docusaurus"]
    assert "docusaurus.config.js" in docusaurus["hint"]
    mdx = f"# The demo\n\nSome text before the demo.\n\n{docusaurus['page']}\n\nSome text after.\n"
    compiled = subprocess.run(
        [node, str(ROOT / "tests/e2e/mdx_snippet.mjs")],
        input=json.dumps({"mdx": mdx, "config": docusaurus["config"]}),
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert compiled.returncode == 0, compiled.stderr
    result = json.loads(compiled.stdout)
    assert result["iframe"] == {
        "src": expected["src"],  # the & written &amp; reaches React as &
        "title": TITLE,
        "loading": "lazy",
        "width": "100%",
        "height": "720",
        "allow": "clipboard-write",
    }
    assert result["scripts"] == [{"src": expected["script"], "async": True}]
