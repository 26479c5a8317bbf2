"""axe-core finds no WCAG 2.2 A/AA violation on any page, light or dark, demo included."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT, sim_ready_outcome

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGES = [p.stem for p in sorted((ROOT / "site_src" / "content").glob("*.md"))]
RUN_AXE = """async () => {
    const result = await axe.run(document, {
        runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} nodes, `
        + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | "));
}"""


def violations(page) -> list[str]:
    """Run axe-core in the page (the context bypasses the CSP to inject it, tests only)."""
    page.add_script_tag(content=AXE.read_text())
    return page.evaluate(RUN_AXE)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("slug", PAGES)
def test_every_page_passes_axe(browser, site_url: str, slug: str, scheme: str):
    assert AXE.is_file(), "axe-core is missing: run npm ci"
    context = browser.new_context(bypass_csp=True, color_scheme=scheme)
    page = context.new_page()
    try:
        page.route("**/pyodide/**", lambda route: route.abort())  # the text, without Python
        page.goto(site_url + ("" if slug == "index" else f"{slug}/"))
        assert violations(page) == []
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_live_demo_after_a_kill_passes_axe(axe_page, site_url: str, scheme: str):
    page = axe_page
    page.emulate_media(color_scheme=scheme)
    page.goto(site_url)
    assert sim_ready_outcome(page) == "ready"
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("radio", name="Stateful + replication", exact=True).check()
    for _ in range(2):
        page.get_by_role("button", name="Send request", exact=True).click()
    page.get_by_role("button", name="Kill Server A", exact=True).click()
    page.get_by_role("button", name="Compare modes", exact=True).click()
    page.get_by_role("table").wait_for()
    assert violations(page) == []


def test_the_checker_itself_finds_a_violation(browser, site_url: str):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    try:
        page.route("**/pyodide/**", lambda route: route.abort())
        page.goto(site_url)
        page.evaluate("() => document.querySelector('#demo-title').style.color = '#b8b8b8'")
        assert any(v.startswith("color-contrast") for v in violations(page))
    finally:
        context.close()
