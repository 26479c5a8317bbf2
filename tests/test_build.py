"""The build: golden output for an example tree, base URLs, hashing, and clear errors."""

from __future__ import annotations

import difflib
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import build
from site_build.python_runtime import PYODIDE_FILES
from site_build.render import EMBED_OPTIONS
from tests.conftest import serve_directory

EXAMPLE = Path(__file__).parent / "build_example"
GOLDEN = Path(__file__).parent / "build_golden"
GOLDEN_FILES = (
    "index.html",
    "about/index.html",
    "404.html",
    "licenses/index.html",
    "embed/index.html",
)


def example_paths(root: Path = EXAMPLE) -> build.Paths:
    """Paths of an example tree laid out like the project."""
    return build.Paths(
        site_src=root / "site_src",
        sim=root / "sim",
        node_modules=root / "fake_node_modules",
        package_json=root / "package.json",
        license=root / "LICENSE",
    )


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A private copy of the example tree that a test may break."""
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root)
    return root


def build_example(root: Path, out: Path, base_url: str = "/") -> Path:
    # The fake runtime cannot run, so its standard library is served as it comes.
    return build.build(out, base_url, example_paths(root), precompile=False)


def test_the_example_builds_to_the_golden_pages(tmp_path: Path):
    out = build_example(EXAMPLE, tmp_path / "dist")
    if os.environ.get("UPDATE_GOLDEN") == "1":  # regenerate: UPDATE_GOLDEN=1 pytest -k golden
        for name in GOLDEN_FILES:
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(out / name, GOLDEN / name)
    for name in GOLDEN_FILES:
        expected = (GOLDEN / name).read_text()
        actual = (out / name).read_text()
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(True), actual.splitlines(True), f"golden/{name}", name
            )
        )
        assert not diff, f"{name} differs from the golden file:\n{diff}"


def test_the_output_holds_exactly_the_files_the_site_needs(tmp_path: Path):
    out = build_example(EXAMPLE, tmp_path / "dist")
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    hashed = re.compile(
        r"^assets/(style|js/app|js/bridge/worker|sim|python_stdlib)\.[0-9a-f]{10}\.(css|js|zip)$"
    )
    assert [f for f in files if f.startswith("assets/")] == sorted(
        f for f in files if hashed.match(f)
    )
    assert len([f for f in files if f.startswith("assets/")]) == 5
    assert sorted(f for f in files if f.startswith("pyodide/")) == sorted(
        f"pyodide/314.0.7/{name}" for name in PYODIDE_FILES
    )
    assert "pyodide/314.0.7/console.html" not in files
    assert "pyodide/314.0.7/python_stdlib.zip" not in files  # served precompiled, hashed
    for name in ("LICENSE.txt", "example-NOTICE.txt", "material-symbols-LICENSE.txt"):
        assert f"licenses/{name}" in files
    assert "embed/index.html" in files
    assert "embed.js" in files  # unhashed: host pages link it by a name that never changes


def test_embed_js_is_copied_as_it_is_and_its_absence_fails_the_build(example: Path, tmp_path: Path):
    out = build_example(example, tmp_path / "dist")
    source = example / "site_src/embed.js"
    assert (out / "embed.js").read_bytes() == source.read_bytes()
    source.unlink()
    with pytest.raises(build.BuildError, match=r"embed\.js: missing"):
        build_example(example, tmp_path / "again")


@pytest.mark.parametrize("base_url", ["/", "/stateless-guide/"])
def test_the_embed_config_derives_its_urls_from_the_base_url(tmp_path: Path, base_url: str):
    out = build_example(EXAMPLE, tmp_path / "dist", base_url)
    text = (out / "embed/index.html").read_text()
    config = json.loads(re.search(r'id="embed-config">(.*?)</script>', text).group(1))
    assert config["pageURL"] == f"{base_url}embed/"
    assert config["scriptURL"] == f"{base_url}embed.js"
    assert config["guideURL"] == base_url
    assert config["options"] == {name: list(v) for name, v in EMBED_OPTIONS.items()}
    for allowed in config["options"].values():
        assert len(allowed) == len(set(allowed)) >= 2  # the first is the default


def test_asset_names_change_with_their_content_and_only_then(example: Path, tmp_path: Path):
    first = build_example(example, tmp_path / "one")
    second = build_example(example, tmp_path / "two")
    names = lambda out: sorted(p.name for p in (out / "assets").rglob("*.*"))  # noqa: E731
    assert names(first) == names(second)
    (example / "site_src/static/style.css").write_text("body { color: red; }\n")
    third = build_example(example, tmp_path / "three")
    changed = set(names(third)) - set(names(first))
    assert len(changed) == 1 and changed.pop().startswith("style.")


def test_the_simulator_archive_leaves_out_the_command_line(tmp_path: Path):
    out = build_example(EXAMPLE, tmp_path / "dist")
    (archive,) = (out / "assets").glob("sim.*.zip")
    with zipfile.ZipFile(archive) as zipped:
        assert sorted(zipped.namelist()) == ["sim/__init__.py", "sim/model.py"]


def build_in_a_process(out: Path, hash_seed: str) -> dict[str, bytes]:
    """Build the example in a fresh interpreter; every output file's bytes by its path."""
    code = (
        "import sys; from pathlib import Path; "
        "from tests.test_build import EXAMPLE, build_example; "
        "build_example(EXAMPLE, Path(sys.argv[1]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-c", code, str(out)], cwd=root, env=env, check=True)
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_two_builds_in_separate_processes_give_the_same_bytes(tmp_path: Path):
    """Nothing in the output depends on the process: hash seeds, set order, time."""
    first = build_in_a_process(tmp_path / "one", "1")
    second = build_in_a_process(tmp_path / "two", "2")
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


@pytest.mark.parametrize("base_url", ["/", "/stateless-guide/"])
def test_every_internal_url_is_derived_from_the_base_url(tmp_path: Path, base_url: str):
    out = build_example(EXAMPLE, tmp_path / "dist", base_url)
    for page in out.rglob("*.html"):
        for url in re.findall(r'(?:href|src)="([^"]+)"', page.read_text()):
            if url.startswith(("#", "http://", "https://", "mailto:")):
                continue
            assert url.startswith(base_url), f"{page.name}: {url} is outside {base_url}"


@pytest.mark.parametrize(
    ("given", "normalised"),
    [("", "/"), ("/", "/"), ("repo", "/repo/"), ("/repo", "/repo/"), ("/a/b/", "/a/b/")],
)
def test_base_urls_are_normalised(given: str, normalised: str):
    assert build.normalise_base_url(given) == normalised


@pytest.mark.parametrize("bad", ["https://example.org/", "/a b/", '/"x/', "/a//b/", "/../x/"])
def test_a_base_url_that_is_not_a_path_is_refused(bad: str):
    with pytest.raises(build.BuildError, match="--base-url"):
        build.normalise_base_url(bad)


BROKEN_PAGES = [
    ("no front matter", "# Just a heading\n", r"about\.md: line 1: expected front matter"),
    ("unclosed", "+++\ntitle = 'x'\n", r"about\.md: front matter opened on line 1 is never closed"),
    (
        "bad toml",
        "+++\ntitle = 'x'\ndescription = oops\norder = 1\n+++\n",
        r"about\.md: line 3: invalid front matter",
    ),
    (
        "no title",
        "+++\ndescription = 'd'\norder = 1\n+++\n",
        r"about\.md: front matter lacks 'title'",
    ),
    (
        "wrong type",
        "+++\ntitle = 'x'\ndescription = 'd'\norder = '1'\n+++\n",
        r"about\.md: front matter 'order' must be a int",
    ),
    (
        "duplicate order",
        "+++\ntitle = 'x'\ndescription = 'd'\norder = 0\n+++\n",
        r"index\.md: order 0 is already used by about\.md",
    ),
    (
        "unknown template",
        "+++\ntitle = 'x'\ndescription = 'd'\norder = 1\ntemplate = 'nope.html'\n+++\n",
        r"about\.md: template 'nope\.html' does not exist",
    ),
    (
        "link to a missing page",
        "+++\ntitle = 'x'\ndescription = 'd'\norder = 1\n+++\nSee [this](gone.md).\n",
        r"about\.md: link to gone\.md, which is not a page",
    ),
    (
        "unknown partial",
        "+++\ntitle = 'x'\ndescription = 'd'\norder = 1\n+++\n<!-- partial: missing -->\n",
        r"about\.md: template '_missing\.html' does not exist",
    ),
]


@pytest.mark.parametrize(
    ("case", "text", "message"), BROKEN_PAGES, ids=[c[0] for c in BROKEN_PAGES]
)
def test_a_malformed_content_file_fails_with_its_name_and_leaves_dist_untouched(
    example: Path, tmp_path: Path, case: str, text: str, message: str
):
    out = build_example(example, tmp_path / "dist")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (example / "site_src/content/about.md").write_text(text)
    with pytest.raises(build.BuildError, match=message):
        build_example(example, out)
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".dist")]
    assert leftovers == []


def test_an_undefined_template_variable_fails_the_build(example: Path, tmp_path: Path):
    page = example / "site_src/templates/page.html"
    page.write_text(page.read_text().replace("{{ content }}", "{{ contnet }}"))
    with pytest.raises(
        build.BuildError, match=r"index\.md: template page\.html: 'contnet' is undefined"
    ):
        build_example(example, tmp_path / "dist")


def test_a_template_syntax_error_names_the_template_and_line(example: Path, tmp_path: Path):
    (example / "site_src/templates/_note.html").write_text("ok\n{% if %}\n")
    with pytest.raises(build.BuildError, match=r"_note\.html:2: "):
        build_example(example, tmp_path / "dist")


def test_an_unknown_icon_fails_the_build_with_its_name(example: Path, tmp_path: Path):
    (example / "site_src/templates/_note.html").write_text("{{ icon('no_such_icon') }}")
    with pytest.raises(build.BuildError, match=r"icon 'no_such_icon'"):
        build_example(example, tmp_path / "dist")


def test_a_pyodide_install_that_differs_from_the_pin_fails_the_build(example: Path, tmp_path: Path):
    (example / "fake_node_modules/pyodide/package.json").write_text('{"version": "0.27.0"}')
    with pytest.raises(build.BuildError, match=r"installed Pyodide is 0\.27\.0.*pins 314\.0\.7"):
        build_example(example, tmp_path / "dist")


def test_a_pyodide_range_instead_of_a_pin_is_refused(example: Path, tmp_path: Path):
    (example / "package.json").write_text('{"dependencies": {"pyodide": "^314.0.7"}}')
    with pytest.raises(build.BuildError, match="pinned to an exact version"):
        build_example(example, tmp_path / "dist")


def test_the_command_line_reports_a_build_error_in_one_line(example: Path, tmp_path: Path, capsys):
    (example / "site_src/content/about.md").write_text("nothing\n")
    paths = example_paths(example)
    original = build.Paths
    build.Paths = lambda: paths  # the command line builds the project's own tree otherwise
    try:
        status = build.main(["--out", str(tmp_path / "dist")])
    finally:
        build.Paths = original
    assert status == 1
    assert "about.md: line 1: expected front matter" in capsys.readouterr().err


def test_running_build_py_as_a_script_builds_the_site(tmp_path: Path):
    """`python build.py`, as the README and the Makefile call it, writes the site."""
    out = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, str(build.ROOT / "build.py"), "--out", str(out), "--base-url", "/x/"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert f"built {out}" in result.stderr
    assert 'href="/x/' in (out / "index.html").read_text()


def fetch_head(url: str) -> tuple[int, str]:
    match = re.match(r"http://([^/]+)(/.*)", url)
    connection = http.client.HTTPConnection(match.group(1), timeout=10)
    connection.request("GET", match.group(2))
    response = connection.getresponse()
    response.read()
    return response.status, response.getheader("Content-Type")


def test_the_server_sends_the_mime_types_pyodide_needs_under_the_base_url(tmp_path: Path):
    out = build_example(EXAMPLE, tmp_path / "dist", "/sub/")
    with serve_directory(out, "/sub/") as url:
        assert fetch_head(url + "pyodide/314.0.7/pyodide.asm.wasm") == (200, "application/wasm")
        assert fetch_head(url + "pyodide/314.0.7/pyodide.mjs") == (200, "text/javascript")
        status, kind = fetch_head(url + "no-such-page/")
        assert (status, kind) == (404, "text/html; charset=utf-8")
        assert fetch_head(url.replace("/sub/", "/") + "index.html")[0] == 404
