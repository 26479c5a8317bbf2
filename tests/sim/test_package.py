"""The package stays fit for the browser: pure, light to import, no I/O outside the CLI."""

import ast
import subprocess
import sys
from pathlib import Path

SIM_DIR = Path(__file__).resolve().parents[2] / "sim"
BROWSER_MODULES = sorted(p for p in SIM_DIR.rglob("*.py") if p.name != "__main__.py")
FORBIDDEN_IMPORTS = {
    "time",
    "datetime",
    "os",
    "sys",
    "io",
    "pathlib",
    "socket",
    "js",
    "pyodide",
    "subprocess",
    "threading",
    "asyncio",
    "sim.__main__",
}
FORBIDDEN_CALLS = {"print", "open", "input", "sum", "hash", "id"}


def test_browser_modules_do_no_io_read_no_clock_and_never_import_the_cli():
    for path in BROWSER_MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                names = {node.module or ""}
            else:
                names = set()
            assert not names & FORBIDDEN_IMPORTS, f"{path.name} imports {names}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in FORBIDDEN_CALLS, f"{path.name} calls {node.func.id}"
            # no log/exp on the way to a decision
            is_math = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            if is_math and node.value.id == "math":
                assert node.attr == "isfinite", f"{path.name} uses math.{node.attr}"


def test_importing_sim_is_light():
    code = (
        "import sys, sim; "
        "print(sim.__version__, sorted(m for m in sys.modules if m.startswith('sim')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=SIM_DIR.parent,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert out.strip() == "0.1.0 ['sim']"
