"""Build the static site: Markdown content + Jinja2 templates + static assets -> dist/.

    python build.py [--base-url /repo-name/] [--out dist]
    python build.py serve [--port 8000] [--base-url /]

The build reads `site_src/`, packages `sim/` into one zip the browser unpacks, copies the
Pyodide runtime from `node_modules/pyodide` under a versioned path, and writes everything
into a fresh temporary folder that replaces the output folder only when the whole build has
succeeded, so a broken content file never leaves a half-written site behind.

This file tells the story of a build (`build()`); each step's work is in `site_build/`, one
job per module: content, wizard, assets, python_runtime, render, calibration, publish, serve.
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from site_build.assets import (
    Icons,
    copy_embed_script,
    copy_licenses,
    copy_static,
    link_worker_imports,
    write_asset,
    write_messages_module,
)
from site_build.calibration import load_calibration
from site_build.content import read_content
from site_build.paths import ROOT, BuildError, Paths
from site_build.publish import swap_into_place, write_service_worker
from site_build.python_runtime import (
    copy_pyodide,
    download_facts,
    pinned_pyodide_version,
    prepare_python,
    pyodide_lock,
)
from site_build.render import inline_script, make_environment, make_site_context, render_site
from site_build.serve import make_handler, watch_and_rebuild
from site_build.wizard import load_wizard, wizard_for_templates

__all__ = ["BuildError", "Paths", "build", "main", "make_handler", "normalise_base_url", "serve"]

log = logging.getLogger("build")

WORKER = "js/bridge/worker.js"  # the simulator's module worker


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
        # The names of the worker's messages, from the simulator's browser layer, as a module;
        # then the worker's own imports, which no import map resolves inside a worker.
        messages_file = paths.sim / "browser" / "messages.json"
        messages = {}
        if messages_file.is_file():
            messages = write_messages_module(staging, assets, messages_file)
        if WORKER in assets:
            link_worker_imports(staging, assets, WORKER)
        # 3. The Python runtime, under a versioned path (its files never change in place), and
        # the two archives its Python imports from, under content-hashed names.
        version = pinned_pyodide_version(paths.package_json)
        downloads = copy_pyodide(paths.node_modules, version, staging)
        python = prepare_python(paths, precompile)
        for name, data in (("python_stdlib.zip", python.stdlib), ("sim.zip", python.sim)):
            write_asset(staging, assets, name, data)
            downloads[assets[name]] = download_facts(data)
        runtime = {
            "version": version,
            "lock": pyodide_lock(paths.node_modules),
            "messages": messages,
        }
        # 4. Notices of what we redistribute, beside the project's own licence.
        copy_licenses(paths, staging)
        # 5. Pages, and the wizard's questions for the page that embeds it.
        boot = paths.site_src / "static" / "js" / "bridge" / "boot.js"
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
