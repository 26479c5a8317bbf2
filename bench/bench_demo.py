"""Benchmark the demo in real Chromium: start-up, and click-to-diagram latency through the worker.

    .venv/bin/python bench/bench_demo.py [--clicks 60]

Measures, on the built site served from 127.0.0.1:
- time from navigation to `window.simReady` on a cold visit (empty profile) and on a second
  visit in the same persistent profile (HTTP cache warm);
- for each click on "Send request" (time paused, so each click is one action): the time from
  the click to the User box showing the new cart count, and to the next frame after that;
- the reference, measured in the same run: the browser's own frame interval, so the click
  latency is also reported in frames (under 1 means the diagram updates within one frame).
No assertion: this prints figures and writes bench/results/demo.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import build  # noqa: E402
from tests.conftest import CHROMIUM_FLAGS, chromium_executable, serve_directory  # noqa: E402

INSTRUMENT = """
(() => {
  window.__clicks = [];
  const cart = () => document.querySelector('.node-user [data-field=cart]');
  document.addEventListener('click', (event) => {
    if (!event.target.closest('[data-action=request]')) return;
    const start = performance.now();
    const before = cart().textContent;
    const observer = new MutationObserver(() => {
      if (cart().textContent === before) return;
      observer.disconnect();
      const updated = performance.now();
      requestAnimationFrame(() => {
        window.__clicks.push({ updated: updated - start, painted: performance.now() - start });
      });
    });
    observer.observe(cart(), { childList: true, characterData: true, subtree: true });
  }, true);
})();
"""

FRAME_INTERVAL = """
() => new Promise((resolve) => {
  const times = [];
  const step = (t) => { times.push(t); if (times.length < 61) requestAnimationFrame(step); else {
    const gaps = times.slice(1).map((t, i) => t - times[i]); gaps.sort((a, b) => a - b);
    resolve(gaps[Math.floor(gaps.length / 2)]); } };
  requestAnimationFrame(step);
})
"""


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))]


def time_to_ready(context, url: str) -> float:
    """Seconds from navigation to window.simReady resolving."""
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url)
    page.evaluate("() => window.simReady")
    elapsed = time.perf_counter() - started
    page.close()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clicks", type=int, default=60)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as scratch:
        site = build.build(Path(scratch) / "dist", "/")
        with serve_directory(site, "/") as url, sync_playwright() as playwright:
            profile = Path(scratch) / "profile"
            context = playwright.chromium.launch_persistent_context(
                str(profile),
                executable_path=chromium_executable(),
                args=CHROMIUM_FLAGS,
                headless=True,
            )
            cold = time_to_ready(context, url)
            warm = time_to_ready(context, url)
            page = context.new_page()
            page.add_init_script(INSTRUMENT)
            page.goto(url)
            page.evaluate("() => window.simReady")
            page.get_by_role("button", name="Pause", exact=True).click()
            frame_ms = page.evaluate(FRAME_INTERVAL)
            send = page.get_by_role("button", name="Send request", exact=True)
            for index in range(args.clicks):
                send.click()
                page.wait_for_function("(n) => window.__clicks.length > n", arg=index)
            clicks = page.evaluate("() => window.__clicks")
            context.close()

    updated = [c["updated"] for c in clicks]
    painted = [c["painted"] for c in clicks]
    results = {
        "cold_ready_s": round(cold, 2),
        "warm_ready_s": round(warm, 2),
        "frame_interval_ms": round(frame_ms, 2),
        "click_to_dom_ms": {
            "p50": round(statistics.median(updated), 2),
            "p95": round(percentile(updated, 0.95), 2),
        },
        "click_to_frame_ms": {
            "p50": round(statistics.median(painted), 2),
            "p95": round(percentile(painted, 0.95), 2),
        },
        "click_to_dom_in_frames_p50": round(statistics.median(updated) / frame_ms, 2),
        "clicks": len(clicks),
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "demo.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
