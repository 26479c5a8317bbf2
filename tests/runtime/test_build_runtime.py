"""What the build gives the browser to start the simulator: the head, the config, clear errors."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

import build
from site_build.python_runtime import pyodide_lock, python_snapshot
from site_build.render import inline_script, script_hash

ROOT = Path(__file__).resolve().parents[2]


def boot_config(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="boot-config">(.*?)</script>', html)
    return json.loads(match.group(1))


def test_the_home_page_starts_the_worker_from_its_head_before_any_module(built_site: Path):
    html = (built_site / "index.html").read_text()
    head = html[: html.index("</head>")]
    config = head.index('id="boot-config"')
    boot = head.index("<script data-start-worker>")
    modules = [m.start() for m in re.finditer(r'<script type="module"', head)]
    assert config < boot < min(modules)
    # The inline script is allowed by its hash, and nothing else inline is.
    script = re.search(r"<script data-start-worker>(.*?)</script>", head, re.S).group(1)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', head).group(1)
    assert script_hash(script).replace("'", "&#39;") in csp
    assert "unsafe-inline" not in csp


def test_pyodide_gets_the_lock_files_info_inline_and_no_lock_file_is_shipped(built_site: Path):
    config = boot_config((built_site / "index.html").read_text())
    stock = json.loads((ROOT / "node_modules/pyodide/pyodide-lock.json").read_text())
    assert config["pyodideLock"] == {"info": stock["info"], "packages": {}}
    assert not list(built_site.rglob("pyodide-lock.json"))
    assert sorted(Path(url).name.split(".")[0] for url in config["downloads"]) == [
        "pyodide",
        "python_stdlib",
        "sim",
    ]


def test_a_page_without_the_demo_loads_none_of_its_scripts(tmp_path: Path):
    source = tmp_path / "site_src"
    shutil.copytree(ROOT / "site_src", source)
    index = source / "content" / "index.md"
    index.write_text(re.sub(r"^<!--\s*partial:\s*demo\s*-->$", "", index.read_text(), flags=re.M))
    out = build.build(tmp_path / "dist", "/", build.Paths(site_src=source))
    head = (out / "index.html").read_text().split("</head>")[0]
    assert "boot-config" not in head and "<script" not in head


def test_the_snapshot_a_visit_keeps_is_named_for_the_archives_it_holds():
    assets = {
        "python_stdlib.zip": "/assets/python_stdlib.aaaa.zip",
        "sim.zip": "/assets/sim.bbbb.zip",
        "js/bridge/worker.js": "/assets/js/bridge/worker.cccc.js",
    }
    first = python_snapshot("/guide/", assets, "314.0.7")
    changed = python_snapshot("/guide/", {**assets, "sim.zip": "/assets/sim.dddd.zip"}, "314.0.7")
    assert first["cache"] == changed["cache"] == "stateless-guide-python:/guide/"
    assert first["url"].startswith("/guide/python/") and first["url"] != changed["url"]


def test_a_broken_lock_file_fails_the_build_naming_it(tmp_path: Path):
    (tmp_path / "pyodide").mkdir()
    (tmp_path / "pyodide" / "pyodide-lock.json").write_text("{not json")
    with pytest.raises(build.BuildError, match=r"pyodide-lock\.json: not a Pyodide lock file"):
        pyodide_lock(tmp_path)


def test_an_inline_script_that_could_close_its_element_is_refused(tmp_path: Path):
    script = tmp_path / "boot.js"
    script.write_text("document.write('</script>');\n")
    with pytest.raises(build.BuildError, match=r"boot\.js: an inline script cannot contain"):
        inline_script(script)
