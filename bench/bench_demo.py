"""Benchmark the demo in real Chromium against a plain Pyodide page measured in the same run.

    .venv/bin/python bench/bench_demo.py [--runs 7] [--clicks 60]

Three sites are built in a scratch folder and served from 127.0.0.1 by one kind of server,
which gzips a response when the browser accepts it and the type is one static hosts compress
(a `.zip` is served as it is), and counts every request and the bytes it sent:
- ours: the site, as `build.py` builds it;
- reference: Pyodide as its documentation loads it, built here from the pinned npm package:
  `pyodide.js`, `loadPyodide()` with the stock `python_stdlib.zip`, then an import of the
  modules the simulator uses;
- no-demo: our home page built without the demo, for First Contentful Paint.

Each run visits every site in a fresh browser profile (a cold visit), then once more in the
same profile (a warm visit: HTTP cache, service worker and local storage as a reader's second
visit finds them). The order of the sites alternates from run to run, and each figure is the
median over runs of the ratio of two visits in the same run, so the machine's drift cancels.

Then, in one page of our site, each click on "Send request" (time paused, so one click is one
action) is timed to the User box showing the new cart, and to the next frame after that.

Then, in a fresh page, the frames the page paints while Auto traffic runs at 200 requests a
second at 1x for `--traffic-minutes` (10 by default, so 10 simulated minutes), against the same
page running at 1x with no traffic for `--idle-seconds` first (the reference, same run): the
gaps between animation frames (p50, p95, p99, max), the share longer than 1.5 frames (a frame
dropped), frames per second, the main thread's long tasks (over 50 ms), and Chromium's own
counters per second (main-thread and renderer CPU time, layouts, style recalculations).

    .venv/bin/python bench/bench_demo.py --only-traffic [--traffic-minutes 10]
                                         [--against main] [--traffic-runs 1]

With `--against`, the site of that git revision (built by its own `build.py`) is measured
too, in turn with ours, in the same session.

No assertion: this prints figures and writes bench/results/demo.json (demo-traffic.json with
--only-traffic).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import gzip
import http.server
import itertools
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import build  # noqa: E402
from site_build.python_runtime import pinned_pyodide_version  # noqa: E402
from tests.conftest import CHROMIUM_FLAGS, chromium_executable  # noqa: E402

# What static hosts compress (nginx's gzip_types as hosts configure it, GitHub Pages, Netlify):
# text, scripts, JSON, SVG and WebAssembly; a zip is already compressed and is sent as it is.
COMPRESSED_SUFFIXES = {".html", ".css", ".js", ".mjs", ".json", ".svg", ".txt", ".wasm"}
GZIP_LEVEL = 6  # zlib's default, what most hosts use

# The modules the simulator imports from the standard library.
REFERENCE_IMPORTS = "json, random, heapq, dataclasses, enum, typing, collections"
REFERENCE_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Plain Pyodide</title>
<script src="pyodide/pyodide.js"></script>
<script>
window.simReady = (async () => {
  const pyodide = await loadPyodide();
  pyodide.runPython("import IMPORTS");
  return pyodide.version;
})();
</script>
</head>
<body><h1>Plain Pyodide</h1><p>Loads Pyodide as its documentation does.</p></body>
</html>
""".replace("IMPORTS", REFERENCE_IMPORTS)
REFERENCE_FILES = (
    "pyodide.js",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "pyodide-lock.json",
    "python_stdlib.zip",
)

# Added to every page before its own scripts: note when simReady settles, in page time.
READY_PROBE = """
addEventListener("DOMContentLoaded", () => {
  window.simReady.then(
    () => { window.__benchReadyAt = performance.now(); },
    (error) => { window.__benchError = String(error); },
  );
});
"""
READY_AT = """async () => {
  const waited = await new Promise((resolve) => {
    const poll = () => window.__benchReadyAt !== undefined || window.__benchError !== undefined
      ? resolve() : setTimeout(poll, 5);
    poll();
  });
  if (window.__benchError) throw new Error(window.__benchError);
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  return { ready: window.__benchReadyAt, fcp: paint ? paint.startTime : null };
}"""
# Marks runtime.js makes: how Python started ("fresh" or "restored" from a snapshot), and
# that the snapshot a fresh start makes for the next visit has been saved.
HOW_PYTHON_STARTED = "performance.getEntriesByName('simulator-ready')[0]?.detail?.start ?? null"
SNAPSHOT_SAVED = "performance.getEntriesByName('simulator-snapshot-saved').length > 0"
FCP = """() => new Promise((resolve) => {
  const seen = () => performance.getEntriesByName("first-contentful-paint")[0];
  const poll = () => seen() ? resolve(seen().startTime) : setTimeout(poll, 5);
  poll();
})"""

CLICK_PROBE = """
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

# Every animation frame's time and every long task, from now until __frames.stop() is called.
FRAME_RECORDER = """
() => {
  const times = [];
  const longTasks = [];
  let running = true;
  const step = (t) => { times.push(t); if (running) requestAnimationFrame(step); };
  requestAnimationFrame(step);
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longTasks.push(entry.duration);
  });
  observer.observe({ type: "longtask" });
  window.__frames = { stop: () => { running = false; observer.disconnect();
    return { times, longTasks }; } };
}
"""


# ---------------------------------------------------------------- the sites


def build_reference(out: Path) -> Path:
    """The plain Pyodide page, from the npm package package.json pins."""
    version = pinned_pyodide_version(ROOT / "package.json")
    package = ROOT / "node_modules" / "pyodide"
    installed = json.loads((package / "package.json").read_text())["version"]
    if installed != version:
        raise SystemExit(f"node_modules has Pyodide {installed}, package.json pins {version}")
    (out / "pyodide").mkdir(parents=True)
    for name in REFERENCE_FILES:
        shutil.copyfile(package / name, out / "pyodide" / name)
    (out / "index.html").write_text(REFERENCE_PAGE)
    return out


def build_without_demo(scratch: Path) -> Path:
    """Our site with the demo taken off the home page: the FCP it must match."""
    source = scratch / "no-demo-src"
    shutil.copytree(ROOT / "site_src", source / "site_src")
    index = source / "site_src" / "content" / "index.md"
    text, count = re.subn(r"^<!--\s*partial:\s*demo\s*-->$\n?", "", index.read_text(), flags=re.M)
    if count != 1:
        raise SystemExit(f"{index}: expected one demo partial, found {count}")
    index.write_text(text)
    paths = build.Paths(site_src=source / "site_src")
    return build.build(scratch / "no-demo", "/", paths)


# ---------------------------------------------------------------- the server


class Traffic:
    """Every response the server sent: path, status, body bytes on the wire, body bytes raw."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.responses: list[tuple[str, int, int, int]] = []

    def add(self, path: str, status: int, wire: int, raw: int) -> None:
        with self.lock:
            self.responses.append((path, status, wire, raw))

    def mark(self) -> int:
        with self.lock:
            return len(self.responses)

    def since(self, mark: int) -> list[tuple[str, int, int, int]]:
        with self.lock:
            return self.responses[mark:]


def gzip_handler(directory: Path, traffic: Traffic) -> type:
    """The project's static handler, plus gzip where accepted, counting what it sends."""
    base = build.make_handler(directory, "/")
    compressed: dict[Path, tuple[float, bytes]] = {}

    class Handler(base):
        protocol_version = "HTTP/1.1"  # keep-alive, as every host does

        def do_GET(self) -> None:
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                path = path / "index.html"
            accepts = "gzip" in self.headers.get("Accept-Encoding", "")
            if path.suffix not in COMPRESSED_SUFFIXES or not accepts or not path.is_file():
                self._counted = False
                super().do_GET()
                if not self._counted:  # a 304 or a redirect: headers only
                    traffic.add(self.path, self._status, 0, 0)
                return
            stat = path.stat()
            since = self.headers.get("If-Modified-Since")
            modified = self.date_time_string(int(stat.st_mtime))
            if since == modified:
                self.send_response(304)
                self.send_header("Last-Modified", modified)
                self.end_headers()
                traffic.add(self.path, 304, 0, 0)
                return
            cached = compressed.get(path)
            if cached is None or cached[0] != stat.st_mtime:
                body = gzip.compress(path.read_bytes(), GZIP_LEVEL, mtime=0)
                compressed[path] = cached = (stat.st_mtime, body)
            body = cached[1]
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Last-Modified", modified)
            self.end_headers()
            self.wfile.write(body)
            traffic.add(self.path, 200, len(body), stat.st_size)

        def send_response(self, code: int, message: str | None = None) -> None:
            self._status = code
            super().send_response(code, message)

        def copyfile(self, source, outputfile) -> None:  # the uncompressed path
            data = source.read()
            outputfile.write(data)
            traffic.add(self.path, self._status, len(data), len(data))
            self._counted = True

    return Handler


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[tuple[str, Traffic]]:
    traffic = Traffic()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), gzip_handler(directory, traffic))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", traffic
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------- visits


@contextlib.contextmanager
def new_profile(playwright, scratch: Path) -> Iterator:
    """A browser with a profile of its own on disk, as a reader's is; removed afterwards."""
    profile = Path(tempfile.mkdtemp(prefix="profile-", dir=scratch))
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=chromium_executable(),
        args=CHROMIUM_FLAGS,
        headless=True,
        viewport={"width": 1280, "height": 900},
    )
    try:
        yield context
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)


def visit(context, url: str, traffic: Traffic, settle: bool) -> dict:
    """One navigation to simReady: ms to ready, FCP, requests per URL and bytes fetched.

    `settle` waits for what a reader's first visit leaves behind (window.offlineReady, and the
    snapshot of the started simulator), and counts the requests made until then as well.
    """
    page = context.new_page()
    page.add_init_script(READY_PROBE)
    mark = traffic.mark()
    page.goto(url)
    timing = page.evaluate(READY_AT)
    to_ready = traffic.since(mark)
    if settle:
        page.evaluate("() => window.offlineReady || null")
        page.wait_for_function(f"() => {SNAPSHOT_SAVED} || !window.offlineReady", timeout=120_000)
    whole = traffic.since(mark)
    start = page.evaluate(f"() => {HOW_PYTHON_STARTED}")
    page.close()
    return {
        "ready_ms": timing["ready"],
        "python_start": start,
        "fcp_ms": timing["fcp"],
        "wire_bytes": sum(r[2] for r in to_ready),
        "raw_bytes": sum(r[3] for r in to_ready),
        "requests": len(to_ready),
        "wire_bytes_whole_visit": sum(r[2] for r in whole),
        "requests_per_url": collections.Counter(r[0] for r in whole),
        "statuses": collections.Counter(r[1] for r in whole),
    }


def cold_and_warm(playwright, url: str, traffic: Traffic, scratch: Path, settle: bool) -> dict:
    with new_profile(playwright, scratch) as context:
        cold = visit(context, url, traffic, settle)
        warm = visit(context, url, traffic, settle=False)
    return {"cold": cold, "warm": warm}


def first_paint(playwright, url: str, scratch: Path) -> float:
    with new_profile(playwright, scratch) as context:
        page = context.new_page()
        page.goto(url)
        return page.evaluate(FCP)


def time_clicks(playwright, url: str, scratch: Path, clicks: int) -> dict:
    with new_profile(playwright, scratch) as context:
        page = context.new_page()
        page.add_init_script(CLICK_PROBE)
        page.goto(url)
        page.evaluate("() => window.simReady")
        # Once the first visit's background work (saving the site and the snapshot) is done.
        page.evaluate("() => window.offlineReady")
        page.wait_for_function(f"() => {SNAPSHOT_SAVED}", timeout=120_000)
        page.get_by_role("button", name="Pause", exact=True).click()
        frame_ms = page.evaluate(FRAME_INTERVAL)
        send = page.get_by_role("button", name="Send request", exact=True)
        for index in range(clicks):
            send.click()
            page.wait_for_function("(n) => window.__clicks.length > n", arg=index)
        timed = page.evaluate("() => window.__clicks")
    updated = [c["updated"] for c in timed]
    painted = [c["painted"] for c in timed]
    return {
        "frame_interval_ms": round(frame_ms, 2),
        "click_to_dom_ms": {"p50": median(updated), "p95": percentile(updated, 0.95)},
        "click_to_frame_ms": {"p50": median(painted), "p95": percentile(painted, 0.95)},
        "clicks": len(timed),
    }


# Chromium's own counters (DevTools Protocol, Performance.getMetrics), per second of the span:
# CPU time is what the page costs, which a shared machine's load changes much less than frames.
RENDERER_METRICS = {
    "ThreadTime": "main_thread_cpu_s_per_s",
    "ProcessTime": "renderer_cpu_s_per_s",
    "LayoutCount": "layouts_per_s",
    "RecalcStyleCount": "style_recalcs_per_s",
}


def renderer_metrics(cdp) -> dict:
    found = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {name: found[name] for name in RENDERER_METRICS}


def record_frames(page, cdp, seconds: float) -> dict:
    """The page's frames, long tasks and Chromium's counters over `seconds` of wall time."""
    before = renderer_metrics(cdp)
    page.evaluate(FRAME_RECORDER)
    page.wait_for_timeout(seconds * 1000)  # a bench measures over a fixed span; no test waits
    recorded = page.evaluate("() => window.__frames.stop()")
    after = renderer_metrics(cdp)
    figures = frame_figures(recorded["times"], recorded["longTasks"], seconds)
    for name, label in RENDERER_METRICS.items():
        figures[label] = round((after[name] - before[name]) / seconds, 4)
    return figures


def frame_figures(times: list[float], long_tasks: list[float], seconds: float) -> dict:
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    frame = statistics.median(gaps)
    return {
        "seconds": seconds,
        "frames_per_s": round(len(gaps) / ((times[-1] - times[0]) / 1000), 2),
        "gap_ms": {
            "p50": round(frame, 2),
            "p95": percentile(gaps, 0.95),
            "p99": percentile(gaps, 0.99),
            "max": round(max(gaps), 2),
        },
        "share_of_gaps_over_1.5_frames": round(sum(g > 1.5 * frame for g in gaps) / len(gaps), 4),
        "long_tasks": {"count": len(long_tasks), "total_ms": round(sum(long_tasks), 1)},
    }


def time_traffic(
    playwright, url: str, scratch: Path, rate: int, minutes: float, idle_s: float
) -> dict:
    """Frames at 1x with no traffic (the reference), then with Auto traffic at `rate`."""
    with new_profile(playwright, scratch) as context:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.goto(url)
        page.evaluate("() => window.simReady")
        page.evaluate("() => window.offlineReady")
        page.wait_for_function(f"() => {SNAPSHOT_SAVED}", timeout=120_000)
        page.locator("select[data-setting=speed]").select_option("1")
        idle = record_frames(page, cdp, idle_s)
        page.get_by_label("Traffic rate, requests per second").select_option(str(rate))
        page.get_by_role("switch", name="Auto traffic").click()
        busy = record_frames(page, cdp, minutes * 60)
        simulated = page.locator("[data-field=time]").text_content()
    return {
        "rate_per_s": rate,
        "simulated_time_shown": simulated,
        "idle_reference": idle,
        "auto_traffic": busy,
        "frames_per_s_against_idle": round(busy["frames_per_s"] / idle["frames_per_s"], 3),
    }


# ---------------------------------------------------------------- figures


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return round(
        ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))], 2
    )


def spread(values: list[float]) -> str:
    return f"{min(values):.2f}-{max(values):.2f}"


def summarise(runs: list[dict], clicks: dict) -> dict:
    def ratios(kind: str, key: str) -> list[float]:
        return [r["ours"][kind][key] / r["reference"][kind][key] for r in runs]

    def seconds(site: str, kind: str) -> list[float]:
        return [r[site][kind]["ready_ms"] / 1000 for r in runs]

    fcp = [r["ours"]["cold"]["fcp_ms"] / r["no_demo_fcp_ms"] for r in runs]
    twice = collections.Counter()
    for r in runs:
        for url, count in r["ours"]["cold"]["requests_per_url"].items():
            if count > 1:
                twice[url] = max(twice[url], count)
    ours = runs[-1]["ours"]["cold"]
    reference = runs[-1]["reference"]["cold"]
    return {
        "runs": len(runs),
        "ratios (median over runs, ours / reference)": {
            "cold_to_ready": median(ratios("cold", "ready_ms")),
            "warm_to_ready": median(ratios("warm", "ready_ms")),
            "cold_bytes_compressed": median(ratios("cold", "wire_bytes")),
            "cold_bytes_raw": median(ratios("cold", "raw_bytes")),
            "fcp_against_no_demo": median(fcp),
        },
        "ratio spread (min-max over runs)": {
            "cold_to_ready": spread(ratios("cold", "ready_ms")),
            "warm_to_ready": spread(ratios("warm", "ready_ms")),
            "fcp_against_no_demo": spread(fcp),
        },
        "seconds to ready (median)": {
            "ours_cold": median(seconds("ours", "cold")),
            "reference_cold": median(seconds("reference", "cold")),
            "ours_warm": median(seconds("ours", "warm")),
            "reference_warm": median(seconds("reference", "warm")),
        },
        "cold visit bytes (last run)": {
            "ours_compressed": ours["wire_bytes"],
            "ours_raw": ours["raw_bytes"],
            "reference_compressed": reference["wire_bytes"],
            "reference_raw": reference["raw_bytes"],
            "ours_requests": ours["requests"],
            "reference_requests": reference["requests"],
            "ours_whole_first_visit_compressed": ours["wire_bytes_whole_visit"],
        },
        "warm visits that restored the snapshot": sum(
            r["ours"]["warm"]["python_start"] == "restored" for r in runs
        ),
        "urls fetched more than once on a first visit": dict(twice),
        "clicks": clicks,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--clicks", type=int, default=60)
    parser.add_argument("--traffic-rate", type=int, default=200)
    parser.add_argument("--traffic-minutes", type=float, default=10)
    parser.add_argument("--idle-seconds", type=float, default=60)
    parser.add_argument("--only-traffic", action="store_true", help="only the frames under traffic")
    parser.add_argument("--traffic-runs", type=int, default=1, help="with --only-traffic")
    parser.add_argument(
        "--against", help="with --only-traffic: also measure this git revision, in turn"
    )
    args = parser.parse_args()
    if args.only_traffic:
        return main_traffic(args)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        ours_dir = build.build(scratch / "ours", "/")
        reference_dir = build_reference(scratch / "reference")
        no_demo_dir = build_without_demo(scratch)
        runs = []
        with (
            serve(ours_dir) as (ours_url, ours_traffic),
            serve(reference_dir) as (reference_url, reference_traffic),
            serve(no_demo_dir) as (no_demo_url, _),
            sync_playwright() as playwright,
        ):
            for run in range(args.runs):
                order = ["ours", "reference", "no_demo"]
                if run % 2:
                    order.reverse()
                result: dict = {}
                for site in order:
                    if site == "ours":
                        result[site] = cold_and_warm(
                            playwright, ours_url, ours_traffic, scratch, settle=True
                        )
                    elif site == "reference":
                        result[site] = cold_and_warm(
                            playwright, reference_url, reference_traffic, scratch, settle=False
                        )
                    else:
                        result["no_demo_fcp_ms"] = first_paint(playwright, no_demo_url, scratch)
                runs.append(result)
                print(
                    f"run {run + 1}/{args.runs}: cold "
                    f"{result['ours']['cold']['ready_ms']:.0f} / "
                    f"{result['reference']['cold']['ready_ms']:.0f} ms, warm "
                    f"{result['ours']['warm']['ready_ms']:.0f} / "
                    f"{result['reference']['warm']['ready_ms']:.0f} ms, FCP "
                    f"{result['ours']['cold']['fcp_ms']:.0f} / "
                    f"{result['no_demo_fcp_ms']:.0f} ms",
                    file=sys.stderr,
                    flush=True,
                )
            clicks = time_clicks(playwright, ours_url, scratch, args.clicks)
            frames = time_traffic(
                playwright,
                ours_url,
                scratch,
                args.traffic_rate,
                args.traffic_minutes,
                args.idle_seconds,
            )
    results = summarise(runs, clicks)
    results["frames under traffic"] = frames
    save_results("demo.json", results)
    runs_file = ROOT / "bench" / "results" / "demo-runs.json"
    runs_file.write_text(json.dumps(runs, indent=2, default=dict) + "\n")
    return 0


def main_traffic(args: argparse.Namespace) -> int:
    """Only the frames under Auto traffic, in our site as `build.py` builds it; with
    `--against`, also in that revision's site, in turn (`--traffic-runs` each), one session."""
    from playwright.sync_api import sync_playwright

    from bench.bench_compare import build_today

    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        sites = {"ours": build.build(scratch / "ours", "/")}
        if args.against:
            sites[args.against] = build_today(args.against, scratch)
        runs: dict[str, list[dict]] = {name: [] for name in sites}
        with contextlib.ExitStack() as stack:
            urls = {name: stack.enter_context(serve(path))[0] for name, path in sites.items()}
            playwright = stack.enter_context(sync_playwright())
            for run in range(args.traffic_runs):
                order = list(sites) if run % 2 == 0 else list(sites)[::-1]
                for name in order:
                    result = time_traffic(
                        playwright,
                        urls[name],
                        scratch,
                        args.traffic_rate,
                        args.traffic_minutes,
                        args.idle_seconds,
                    )
                    result["load_average_after"] = os.getloadavg()
                    runs[name].append(result)
                    print(f"{name}: {json.dumps(result)}", file=sys.stderr, flush=True)
    results = runs["ours"][0] if len(runs) == 1 and args.traffic_runs == 1 else runs
    save_results("demo-traffic.json", results)
    return 0


def save_results(name: str, results: dict) -> None:
    """Note the machine, keep the figures in bench/results/`name` and print them."""
    results["machine"] = f"{os.cpu_count()} cores; {sys.platform}"
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / name).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    sys.exit(main())
