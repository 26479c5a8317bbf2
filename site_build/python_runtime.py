"""The Python the browser runs: the Pyodide runtime, the trimmed standard library, the simulator."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import logging
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

from site_build.assets import content_hash
from site_build.paths import ROOT, BuildError, Paths

log = logging.getLogger("build")


# The runtime files served as they come. The standard library is served trimmed and
# precompiled instead, and the lock file's `info` is passed inline (see prepare_python).
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm")

# Fetched by the worker at start-up: the page shows bytes-of-bytes progress for these.
PYODIDE_DOWNLOADS = ("pyodide.asm.wasm",)

# A start-up download that receives nothing for this long ends in a message and a Retry
# (worker.js). A live but poor connection pauses for seconds, not this long: TCP's first
# retransmission waits 1 s and each next one twice as long (RFC 6298, 5.5), so 20 s outlasts four
# retransmissions (1 + 2 + 4 + 8 s), and a reader is not left watching a frozen bar for long.
DOWNLOAD_STALL_MS = 20_000

PREPARE_TOOLS = ROOT / "tools" / "pyodide"


def sim_sources(sim_dir: Path) -> list[Path]:
    """The simulator's modules the browser needs: every .py but the command line (`cli/`)."""
    return [
        source
        for source in sorted(sim_dir.rglob("*.py"))
        if source.name != "__main__.py"
        and "__pycache__" not in source.parts
        and source.relative_to(sim_dir).parts[0] != "cli"
    ]


def package_sim(sim_dir: Path) -> bytes:
    """Zip the simulator's sources, without the command line; the same input, same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for source in sim_sources(sim_dir):
            info = zipfile.ZipInfo(
                source.relative_to(sim_dir.parent).as_posix(), date_time=(2020, 1, 1, 0, 0, 0)
            )
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, source.read_bytes())
    return buffer.getvalue()


def download_facts(data: bytes) -> dict:
    """What the worker checks a start-up download against: its size and SHA-256 (hex)."""
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def pinned_pyodide_version(package_json: Path) -> str:
    """The Pyodide version package.json pins; a range is refused, since paths carry it."""
    pin = json.loads(package_json.read_text())["dependencies"]["pyodide"]
    if not re.fullmatch(r"\d+\.\d+\.\d+", pin):
        raise BuildError(f"{package_json}: pyodide must be pinned to an exact version, got {pin!r}")
    return pin


def copy_pyodide(node_modules: Path, version: str, out: Path) -> dict[str, dict]:
    """Copy the runtime files the site needs under `pyodide/<version>/`; return download facts."""
    source = node_modules / "pyodide"
    installed = json.loads((source / "package.json").read_text())["version"]
    if installed != version:
        raise BuildError(
            f"{source}: installed Pyodide is {installed}, package.json pins {version}; run npm ci"
        )
    target = out / "pyodide" / version
    target.mkdir(parents=True)
    for name in PYODIDE_FILES:
        shutil.copyfile(source / name, target / name)
    return {
        f"pyodide/{version}/{name}": download_facts((target / name).read_bytes())
        for name in PYODIDE_DOWNLOADS
    }


def pyodide_lock(node_modules: Path) -> dict:
    """The lock file Pyodide is given inline: its `info` (checked at start-up), no packages.

    The site loads no package, so the 119 KB list is neither fetched nor shipped.
    """
    path = node_modules / "pyodide" / "pyodide-lock.json"
    try:
        info = json.loads(path.read_text())["info"]
    except (ValueError, KeyError, TypeError):
        raise BuildError(f"{path}: not a Pyodide lock file with an 'info' table") from None
    return {"info": info, "packages": {}}


@dataclasses.dataclass(frozen=True)
class PreparedPython:
    """The two archives the browser's Python imports from."""

    stdlib: bytes  # the standard library, as `stdLibURL`
    sim: bytes  # the simulator, put on sys.path by the worker
    modules: tuple[str, ...]  # what the standard library keeps; empty when served whole


def prepare_python(paths: Paths, precompile: bool = True) -> PreparedPython:
    """Trace, trim and precompile with Pyodide under Node (tools/pyodide/); cached by input.

    `precompile=False` serves both as sources, the standard library whole (for test trees
    whose fake runtime cannot run).
    """
    stock = (paths.node_modules / "pyodide" / "python_stdlib.zip").read_bytes()
    if not precompile:
        return PreparedPython(stock, package_sim(paths.sim), ())
    digest = hashlib.sha256(stock)
    for source in [*sorted(PREPARE_TOOLS.glob("*.*")), *sim_sources(paths.sim)]:
        name = source.relative_to(source.parent.parent).as_posix()
        digest.update(name.encode() + b"\0" + source.read_bytes() + b"\0")
    cached = paths.node_modules / ".cache" / "stateless-guide" / f"python-{digest.hexdigest()[:16]}"
    if not (cached / "modules.json").is_file():
        run_prepare(paths, cached)
    return PreparedPython(
        (cached / "python_stdlib.zip").read_bytes(),
        (cached / "sim.zip").read_bytes(),
        tuple(json.loads((cached / "modules.json").read_text())),
    )


def run_prepare(paths: Paths, target: Path) -> None:
    """Run tools/pyodide/prepare.mjs into `target`, which appears only once complete."""
    node = shutil.which("node")
    if node is None:
        raise BuildError("node is needed to prepare the standard library (install Node.js)")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    log.info("tracing and precompiling the Python the site needs, with Pyodide in Node")
    result = subprocess.run(
        [
            node,
            str(PREPARE_TOOLS / "prepare.mjs"),
            str(paths.node_modules / "pyodide"),
            str(paths.sim),
            str(partial),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        raise BuildError(f"preparing the standard library failed:\n{result.stderr[-3000:]}")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)


def python_snapshot(base_url: str, asset_urls: dict[str, str], pyodide_version: str) -> dict:
    """Where the worker keeps the memory snapshot of its started interpreter (worker.js).

    A snapshot holds this runtime, these archives and what this worker did with them, so its
    URL names all of them, and a new build never restores an old snapshot. It has a cache of
    its own, which the service worker's clean-up of old versions leaves alone.
    """
    key = content_hash(
        "\n".join(
            [pyodide_version]
            + [asset_urls[name] for name in ("python_stdlib.zip", "sim.zip", "js/bridge/worker.js")]
        ).encode()
    )
    return {"cache": f"stateless-guide-python:{base_url}", "url": f"{base_url}python/{key}"}
