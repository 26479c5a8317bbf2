"""The last steps: the service worker's list of every file, and the swap into the output folder."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path


def write_service_worker(out: Path, base_url: str, source: Path) -> None:
    """Write `sw.js`: the worker's code after every URL the site serves, each with its SHA-256.

    The worker saves a file for offline use only if its bytes have this digest, so a version's
    offline copy never holds another version's page (an HTTP cache may still have one).
    """
    if not source.is_file():
        return
    precache = {}
    digest = hashlib.sha256()
    for path in sorted(p for p in out.rglob("*") if p.is_file() and p.name != ".nojekyll"):
        relative = path.relative_to(out).as_posix()
        content = hashlib.sha256(path.read_bytes())
        digest.update(relative.encode() + b"\0" + content.digest())
        if relative == "index.html" or relative.endswith("/index.html"):
            relative = relative[: -len("index.html")]
        precache[base_url + relative] = content.hexdigest()
    header = (
        f"const BASE = {json.dumps(base_url)};\n"
        f"const VERSION = {json.dumps(digest.hexdigest()[:16])};\n"
        f"const PRECACHE = {json.dumps(precache, indent=0)};\n\n"
    )
    (out / "sw.js").write_text(header + source.read_text(encoding="utf-8"), encoding="utf-8")


def swap_into_place(staging: Path, out: Path) -> None:
    """Replace `out` with the finished build in two renames, never leaving a half-built site."""
    old = out.with_name(f".{out.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    staging.chmod(0o755)  # mkdtemp made it private; a served site must be readable
    if out.exists():
        out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)
