"""Benchmark Compare modes and a click during it, on a long run, in real Chromium, for this
tree and for the code it is measured against, in one session.

    .venv/bin/python bench/bench_compare.py [--runs 5] [--clicks 10] [--minutes 40]
                                            [--against main]

Two sites are built in a scratch folder: **ours**, from this tree, and **today**, the git
revision `--against` (default `main`) built by its own `build.py`. Both are served as
bench_demo.py serves a site, and each run visits both, in a new browser context each, the
order alternating between runs. Each visit
opens the issue's run as a shared link: `--minutes` of simulated time at 50 requests/s with
the Chaos Monkey on. It times, in page time:
- the link's replay (the loader's "Replaying the shared run" until the demo is ready): the
  reference, one replay of the run in the demo's own mode, measured in the same page;
- Compare modes clicked at once after the replay (the other modes still have the whole run
  to catch up), to the table showing;
- while that runs, clicks on "Send request", each to the User box showing the new cart and to
  the next frame after that, and the longest gap between two frames;
- then, with the same clicks timed while nothing else runs (the reference for them), and
  Compare modes again a few seconds later, when the other modes have kept in step.
It prints each site's figures and the ratio ours / today of Compare right after the replay
(median of the runs' ratios). No assertion: this prints figures and writes
bench/results/compare.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_demo import percentile, save_results, serve  # noqa: E402

import build  # noqa: E402
from tests.conftest import CHROMIUM_FLAGS, chromium_executable  # noqa: E402


def long_link(minutes: int) -> str:
    """The issue's run: traffic at 50/s with the Chaos Monkey on, then `minutes` of time."""
    tens, rest = divmod(minutes, 10)
    advances = ["a600000000000"] * tens + ([f"a{rest * 60 * 10**9}"] if rest else [])
    return "v2.1..c1-t50-" + "-".join(advances)


# Times the replay of the link, each Compare (click to table shown), each click on Send
# request (to the new cart, and to the next frame), and the frame gaps while comparing.
PROBE = """
(() => {
  const marks = window.__bench = {
    replay: null, ready: null, compares: [], clicks: [], gaps: [], idleGaps: [], idle: false,
  };
  const status = () => document.getElementById('demo-status');
  const busy = () => !document.getElementById('demo-comparing').hidden;
  addEventListener('DOMContentLoaded', () => {
    new MutationObserver(() => {
      const text = status().textContent;
      if (marks.replay === null && text.startsWith('Replaying')) marks.replay = performance.now();
    }).observe(status(), { childList: true, characterData: true, subtree: true });
    window.simReady.then(() => { marks.ready = performance.now(); });
    const table = document.getElementById('demo-compare');
    new MutationObserver(() => {
      const open = marks.compares.find((c) => c.shown === null);
      if (open && !table.hidden) open.shown = performance.now() - open.start;
    }).observe(table, { attributes: true, childList: true, subtree: true, characterData: true });
  });
  let last = null;
  const frame = (t) => {
    if (last !== null && busy()) marks.gaps.push(t - last);
    else if (last !== null && marks.idle) marks.idleGaps.push(t - last);
    last = t;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  document.addEventListener('click', (event) => {
    if (event.target.closest('[data-action=compare]')) {
      document.getElementById('demo-compare').hidden = true;
      marks.compares.push({ start: performance.now(), shown: null });
      return;
    }
    if (!event.target.closest('[data-action=request]')) return;
    const cart = document.querySelector('.node-user [data-field=cart]');
    const start = performance.now();
    const before = cart.textContent;
    const during = busy();
    const observer = new MutationObserver(() => {
      if (cart.textContent === before) return;
      observer.disconnect();
      const updated = performance.now() - start;
      requestAnimationFrame(() => {
        marks.clicks.push({ updated, painted: performance.now() - start, during });
      });
    });
    observer.observe(cart, { childList: true, characterData: true, subtree: true });
  }, true);
})();
"""


def one_run(browser, url: str, clicks: int, link: str) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.add_init_script(PROBE)
    page.goto(f"{url}?scenario={link}#demo")
    page.evaluate("() => window.simReady")
    page.wait_for_function("() => window.__bench.ready !== null")
    compare = page.get_by_role("button", name="Compare modes", exact=True)
    send = page.get_by_role("button", name="Send request", exact=True)
    compare.click()
    during = 0
    while during < clicks and page.locator("#demo-comparing").is_visible():
        send.click()
        page.wait_for_function("(n) => window.__bench.clicks.length > n", arg=during)
        during += 1
    page.wait_for_function("() => window.__bench.compares[0].shown !== null", timeout=120_000)
    page.evaluate("() => { window.__bench.idle = true; }")
    for index in range(clicks):  # the same clicks with nothing else running
        send.click()
        page.wait_for_function("(n) => window.__bench.clicks.length > n", arg=during + index)
    page.evaluate("() => { window.__bench.idle = false; }")
    page.get_by_role("button", name="Resume", exact=True).click()
    page.wait_for_timeout(3000)  # let time run: the other modes follow as it does
    compare.click()
    page.wait_for_function("() => window.__bench.compares[1].shown !== null", timeout=120_000)
    marks = page.evaluate("() => window.__bench")
    context.close()
    return {
        "replay_ms": marks["ready"] - marks["replay"],
        "compare_after_replay_ms": marks["compares"][0]["shown"],
        "compare_in_step_ms": marks["compares"][1]["shown"],
        "clicks_during": [c for c in marks["clicks"] if c["during"]],
        "clicks_idle": [c for c in marks["clicks"] if not c["during"]],
        "longest_frame_gap_during_ms": max(marks["gaps"], default=None),
        "longest_frame_gap_idle_ms": max(marks["idleGaps"], default=None),
    }


def summarise(runs: list[dict]) -> dict:
    def med(values: list[float]) -> float | None:
        return round(statistics.median(values), 1) if values else None

    def clicks(kind: str, key: str) -> dict:
        values = [c[key] for r in runs for c in r[kind]]
        if not values:
            return {"n": 0}
        return {
            "p50": med(values),
            "p95": percentile(values, 0.95),
            "max": round(max(values), 1),
            "n": len(values),
        }

    return {
        "runs": len(runs),
        "seconds (median over runs)": {
            "replay_of_the_link (reference)": med([r["replay_ms"] / 1000 for r in runs]),
            "compare_right_after_the_replay": med(
                [r["compare_after_replay_ms"] / 1000 for r in runs]
            ),
            "compare_once_in_step": med([r["compare_in_step_ms"] / 1000 for r in runs]),
        },
        "ratios to the replay (median over runs)": {
            "compare_right_after_the_replay": round(
                statistics.median(r["compare_after_replay_ms"] / r["replay_ms"] for r in runs), 2
            ),
            "compare_once_in_step": round(
                statistics.median(r["compare_in_step_ms"] / r["replay_ms"] for r in runs), 3
            ),
        },
        "click on Send request, ms": {
            "during_compare_to_dom": clicks("clicks_during", "updated"),
            "during_compare_to_frame": clicks("clicks_during", "painted"),
            "idle_to_dom (reference)": clicks("clicks_idle", "updated"),
            "idle_to_frame (reference)": clicks("clicks_idle", "painted"),
        },
        "longest frame gap, ms (median over runs)": {
            "while_comparing": med([r["longest_frame_gap_during_ms"] or 0 for r in runs]),
            "idle_clicks (reference)": med([r["longest_frame_gap_idle_ms"] or 0 for r in runs]),
        },
    }


def build_today(revision: str, scratch: Path) -> Path:
    """Build the site of `revision` with its own build (its simulator, pages and tools)."""
    tree = scratch / "today-src"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "archive", revision], cwd=ROOT, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    (tree / "node_modules").symlink_to(ROOT / "node_modules")
    out = scratch / "today"
    subprocess.run([sys.executable, "build.py", "--out", str(out)], cwd=tree, check=True)
    return out


def cpu_run(sim: Path, link: str) -> dict:
    """The CPU time of the link's replay and of Compare's catch-up under Pyodide in Node."""
    result = subprocess.run(
        ["node", str(ROOT / "bench" / "others_cpu.mjs"), str(sim), link],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return json.loads(result.stdout)


def ratio(ours: list[dict], today: list[dict], key: str) -> float:
    """The median over runs of ours / today for one figure."""
    return round(statistics.median(o[key] / t[key] for o, t in zip(ours, today, strict=True)), 3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--clicks", type=int, default=10)
    parser.add_argument("--minutes", type=int, default=40)
    parser.add_argument("--against", default="main", help="the git revision to measure against")
    parser.add_argument(
        "--cpu-rounds", type=int, default=3, help="rounds of the CPU-time measure in Node"
    )
    parser.add_argument("--no-browser", action="store_true", help="the CPU-time measure only")
    args = parser.parse_args()
    link = long_link(args.minutes)
    revision = subprocess.run(
        ["git", "rev-parse", "--short", args.against],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    runs: dict[str, list[dict]] = {"ours": [], "today": []}
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        sites = {"today": build_today(args.against, scratch)}
        sims = {"ours": ROOT / "sim", "today": scratch / "today-src" / "sim"}
        cpu: dict[str, list[dict]] = {"ours": [], "today": []}
        for round_ in range(args.cpu_rounds):
            for name in ["ours", "today"] if round_ % 2 == 0 else ["today", "ours"]:
                cpu[name].append(cpu_run(sims[name], link))
                print(f"cpu round {round_ + 1} {name}: {cpu[name][-1]}", file=sys.stderr)
        if not args.no_browser:
            sites["ours"] = build.build(scratch / "ours", "/")
            browse(sites, args, link, runs)
    results = {
        "link": link,
        "measured against": f"{args.against} ({revision})",
        "CPU seconds under Pyodide in Node (median of rounds)": {
            name: {
                "replay_of_the_link": round(statistics.median(c["replay_s"] for c in cpu[name]), 2),
                "compare_catch_up": round(statistics.median(c["others_s"] for c in cpu[name]), 2),
            }
            for name in cpu
        },
        "ours / today, CPU, median of the rounds' ratios": {
            "compare_catch_up": ratio(cpu["ours"], cpu["today"], "others_s"),
            "replay_of_the_link": ratio(cpu["ours"], cpu["today"], "replay_s"),
        },
    }
    if runs["ours"]:
        results["ours / today in Chromium, median of the runs' ratios"] = {
            "compare_right_after_the_replay": ratio(
                runs["ours"], runs["today"], "compare_after_replay_ms"
            ),
            "replay_of_the_link": ratio(runs["ours"], runs["today"], "replay_ms"),
        }
        results["ours"] = summarise(runs["ours"])
        results["today"] = summarise(runs["today"])
    save_results("compare.json", results)
    return 0


def browse(sites: dict[str, Path], args: argparse.Namespace, link: str, runs: dict) -> None:
    """Visit both sites in Chromium, in turn, `args.runs` times; append to `runs`."""
    from playwright.sync_api import sync_playwright

    with (
        serve(sites["ours"]) as (ours_url, _),
        serve(sites["today"]) as (today_url, _),
        sync_playwright() as playwright,
    ):
        urls = {"ours": ours_url, "today": today_url}
        browser = playwright.chromium.launch(
            executable_path=chromium_executable(), args=CHROMIUM_FLAGS, headless=True
        )
        for run in range(args.runs):
            for name in ["ours", "today"] if run % 2 == 0 else ["today", "ours"]:
                result = one_run(browser, urls[name], args.clicks, link)
                runs[name].append(result)
                print(
                    f"run {run + 1}/{args.runs} {name}: replay {result['replay_ms']:.0f} ms, "
                    f"compare {result['compare_after_replay_ms']:.0f} ms after it, "
                    f"{result['compare_in_step_ms']:.0f} ms in step; "
                    f"{len(result['clicks_during'])} clicks during",
                    file=sys.stderr,
                    flush=True,
                )
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
