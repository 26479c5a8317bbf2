"""The diagram's wires: they run between the boxes, never across one (issue 23, item 7)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_demo import open_demo

pytestmark = pytest.mark.browser

# Every wire's segments in the page's coordinates, checked against every box the wire does not
# start or end in (a box holding one of its ends): a segment that enters such a box's interior
# (shrunk by half a pixel, so touching an edge is no crossing) is reported.
CROSSINGS = """() => {
  const diagram = document.querySelector("#demo-diagram");
  const svg = diagram.querySelector(".wires");
  const matrix = svg.getScreenCTM();
  const toPage = (x, y) => new DOMPoint(x, y).matrixTransform(matrix);
  const boxes = [...diagram.querySelectorAll(".node")]
    .filter((node) => node.offsetParent !== null)
    .map((node) => ({ name: node.getAttribute("aria-label"), r: node.getBoundingClientRect() }));
  const inside = (p, r) =>
    p.x >= r.left - 1 && p.x <= r.right + 1 && p.y >= r.top - 1 && p.y <= r.bottom + 1;
  // Liang-Barsky: does the segment a-b enter the open rectangle r?
  const enters = (a, b, r) => {
    const [x0, x1, y0, y1] = [r.left + 0.5, r.right - 0.5, r.top + 0.5, r.bottom - 0.5];
    let t0 = 0, t1 = 1;
    const dx = b.x - a.x, dy = b.y - a.y;
    for (const [p, q] of [[-dx, a.x - x0], [dx, x1 - a.x], [-dy, a.y - y0], [dy, y1 - a.y]]) {
      if (p === 0) { if (q <= 0) return false; continue; }
      const t = q / p;
      if (p < 0) t0 = Math.max(t0, t); else t1 = Math.min(t1, t);
      if (t0 >= t1) return false;
    }
    return true;
  };
  const wires = [...svg.querySelectorAll("line, polyline")].map((wire) => {
    if (wire.tagName === "line") {
      const at = (n) => Number(wire.getAttribute(n));
      return [toPage(at("x1"), at("y1")), toPage(at("x2"), at("y2"))];
    }
    return [...wire.points].map((p) => toPage(p.x, p.y));
  });
  const found = [];
  for (const points of wires) {
    const ends = boxes.filter((b) => inside(points[0], b.r) || inside(points.at(-1), b.r));
    for (let i = 0; i + 1 < points.length; i++) {
      for (const box of boxes) {
        if (ends.includes(box) || !enters(points[i], points[i + 1], box.r)) continue;
        const from = points[0], to = points.at(-1);
        found.push(`wire (${from.x|0},${from.y|0})->(${to.x|0},${to.y|0}) crosses ${box.name}`);
      }
    }
  }
  return { wires: wires.length, crossings: found };
}"""

SETTLED = """(count) => new Promise((resolve) => {
  const servers = document.querySelectorAll("#demo-servers [data-server]").length;
  const wires = document.querySelectorAll("#demo-wires line, #demo-wires polyline").length;
  if (servers !== count || wires !== 1 + 2 * count) return resolve(false);
  // Two frames: the ResizeObservers that redraw the wires have run.
  requestAnimationFrame(() => requestAnimationFrame(() => resolve(true)));
})"""


@pytest.mark.parametrize("width", [1280, 375])
def test_no_wire_crosses_a_server_box_from_three_servers_to_the_most(
    page: Page, site_url: str, artifacts: Path, width: int
):
    page.set_viewport_size({"width": width, "height": 900})
    open_demo(page, f"{site_url}#demo")  # stateless: wires to the balancer and to the store
    most = int(page.locator("#demo").get_attribute("data-max-servers"))
    add = page.get_by_role("button", name="Add server", exact=True)
    for count in range(3, most + 1):
        if count > 3:
            add.click()
        expect(page.locator("#demo-servers [data-server]")).to_have_count(count)
        page.wait_for_function(SETTLED, arg=count)
        found = page.evaluate(CROSSINGS)
        page.locator("#demo-diagram").screenshot(
            path=str(artifacts / f"diagram-{width}px-{count}-servers.png")
        )
        assert found["wires"] == 1 + 2 * count
        assert found["crossings"] == [], f"{count} servers at {width} px"
    assert page.console_errors == []


# Where the newest dot starts and where it passes the balancer, and the centres of the user's and
# the balancer's boxes, all relative to the diagram (the dots' container).
DOT_AND_BOXES = """() => {
  const diagram = document.querySelector("#demo-diagram").getBoundingClientRect();
  const centre = (selector) => {
    const r = document.querySelector(selector).getBoundingClientRect();
    return [r.left - diagram.left + r.width / 2, r.top - diagram.top + r.height / 2];
  };
  const newest = [...document.querySelectorAll(".packet")].at(-1);
  const frames = newest.getAnimations()[0].effect.getKeyframes();
  const at = (frame) => frame.transform.match(/-?[0-9.]+/g).map((v) => Number(v) + 6);
  return { dot: [at(frames[0]), at(frames[1])], boxes: [centre(".node-user"), centre(".node-lb")] };
}"""


def test_dots_follow_the_boxes_after_the_diagram_is_laid_out_again(page: Page, site_url: str):
    # The dots reuse the routes measured when the wires were drawn, so a new layout must
    # measure them again: a dot after the phone's layout starts from the phone's boxes.
    open_demo(page, f"{site_url}#demo")
    send = page.get_by_role("button", name="Send request", exact=True)
    send.click()
    expect(page.locator(".packet")).to_have_count(1)
    wide = page.evaluate(DOT_AND_BOXES)
    page.set_viewport_size({"width": 375, "height": 900})
    page.wait_for_function(SETTLED, arg=3)
    send.click()
    page.wait_for_function("() => window.simSnapshot().user.cart_text === 'Cart: 2 items'")
    narrow = page.evaluate(DOT_AND_BOXES)
    assert narrow["boxes"] != wide["boxes"]
    for found in (wide, narrow):
        for dot, box in zip(found["dot"], found["boxes"], strict=True):
            assert dot == pytest.approx(box, abs=1)
    assert page.console_errors == []


# Counts the background dots (not the reader's) in the diagram after every change to it, and
# remembers the most seen at once and how many were ever added.
WATCH_DOTS = """() => {
  const diagram = document.querySelector("#demo-diagram");
  window.dots = { most: 0, added: 0 };
  new MutationObserver((changes) => {
    for (const change of changes) {
      for (const node of change.addedNodes) {
        if (node.classList?.contains("packet") && !node.classList.contains("packet-yours")) {
          window.dots.added += 1;
        }
      }
    }
    const now = diagram.querySelectorAll(".packet:not(.packet-yours)").length;
    window.dots.most = Math.max(window.dots.most, now);
  }).observe(diagram, { childList: true });
}"""


@pytest.mark.parametrize("width", [1280, 375])
def test_at_200_a_second_the_dots_are_a_sample_and_yours_always_shows(
    page: Page, site_url: str, artifacts: Path, width: int
):
    # Every dot in flight costs a style recalculation a frame (bench/README.md), so background
    # dots are capped; the reader's own request is never the one left out.
    page.set_viewport_size({"width": width, "height": 900})
    open_demo(page, f"{site_url}#demo", pause=False)
    cap = int(page.locator("#demo-diagram").get_attribute("data-background-dots"))
    page.evaluate(WATCH_DOTS)
    page.get_by_role("combobox", name="Traffic rate, requests per second").select_option("200")
    page.get_by_role("switch", name="Auto traffic").click()
    page.locator("#demo-caption").scroll_into_view_if_needed()  # off screen, no dots are drawn
    hint = page.locator("#demo-dots-sampled")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("a sample of the other users")
    # Enough dots have come and gone for the cap to have been reached several times over.
    page.wait_for_function("(cap) => window.dots.added >= 3 * cap", arg=cap)
    page.wait_for_function(
        "(cap) => document.querySelectorAll('.packet:not(.packet-yours)').length >= cap", arg=cap
    )
    page.get_by_role("button", name="Send request", exact=True).click()
    expect(page.locator(".packet-yours")).to_have_count(1)
    page.locator("#demo-diagram").screenshot(path=str(artifacts / f"dots-200-{width}px.png"))
    page.locator("#demo-caption").locator("..").screenshot(
        path=str(artifacts / f"dots-200-caption-{width}px.png")
    )
    assert 0 < page.evaluate("() => window.dots.most") <= cap
    assert page.console_errors == []
