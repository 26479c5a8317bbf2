"""Serving the built site on 127.0.0.1 with the MIME types Pyodide needs, rebuilding on edits."""

from __future__ import annotations

import http.server
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

from site_build.paths import Paths

log = logging.getLogger("build")


MIME_TYPES = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".json": "application/json",
    ".zip": "application/zip",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
}


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
