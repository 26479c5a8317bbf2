"""The package stays fit for the browser: pure, light to import, no I/O outside the CLI."""

import ast
import subprocess
import sys
from pathlib import Path

SIM_DIR = Path(__file__).resolve().parents[2] / "sim"
ALL_MODULES = sorted(p for p in SIM_DIR.rglob("*.py") if "__pycache__" not in p.parts)
# The command line (sim/cli/, python -m sim) may print and read files; the browser never loads it.
BROWSER_MODULES = [
    p for p in ALL_MODULES if p.name != "__main__.py" and p.relative_to(SIM_DIR).parts[0] != "cli"
]
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
    "sim.cli.main",
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


def test_every_module_imports_on_its_own():
    """No import cycle: each module can be the first one imported."""
    names = sorted(
        ".".join(("sim", *p.relative_to(SIM_DIR).with_suffix("").parts))
        for p in ALL_MODULES
        if p.name not in ("__init__.py", "__main__.py")
    )
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n" + (
        "    for loaded in [m for m in sys.modules if m.startswith('sim')]:\n"
        "        del sys.modules[loaded]\n"
        "    importlib.import_module(name)\n"
    )
    subprocess.run([sys.executable, "-c", code, *names], cwd=SIM_DIR.parent, check=True, timeout=60)


def test_modules_and_functions_stay_small_enough_to_read():
    """A module of at most 400 lines, a function of at most 60."""
    for path in ALL_MODULES:
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 400, path.name
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef):
                length = node.end_lineno - node.lineno + 1
                assert length <= 60, f"{path.name}: {node.name} is {length} lines"
