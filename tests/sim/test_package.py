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
    """A module of at most 300 lines, a function of at most 60."""
    for path in ALL_MODULES:
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 300, path.name
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef):
                length = node.end_lineno - node.lineno + 1
                assert length <= 60, f"{path.name}: {node.name} is {length} lines"


def module_name(path: Path) -> str:
    """sim/core/model.py -> sim.core.model."""
    parts = path.relative_to(SIM_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def runtime_imports(path: Path, known: set[str]) -> set[str]:
    """The sim modules `path` imports when it runs (not under `if TYPE_CHECKING:`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hidden = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            hidden.update(id(inner) for inner in ast.walk(node))
    found = set()
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name in known} - {module_name(path)}


def import_graph() -> dict[str, set[str]]:
    """Each sim module and the sim modules it imports at run time."""
    modules = {module_name(p): p for p in ALL_MODULES}
    known = set(modules)
    return {name: runtime_imports(path, known) for name, path in modules.items()}


def a_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of `graph`, or None."""
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        path.append(name)
        for imported in sorted(graph[name]):
            if state.get(imported) == 1:
                return [*path[path.index(imported) :], imported]
            if imported not in state and (found := visit(imported)):
                return found
        state[name] = 2
        path.pop()
        return None

    for name in sorted(graph):
        if name not in state and (found := visit(name)):
            return found
    return None


def test_the_import_graph_finds_a_cycle_when_there_is_one():
    assert a_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert a_cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_of_sim_imports_itself_back_at_run_time():
    assert a_cycle(import_graph()) is None


LAYERS = ("sim.core", "sim.story", "sim.browser", "sim.cli")  # each may import only those before


def test_each_layer_imports_only_the_layers_below_it():
    for name, imported in import_graph().items():
        layer = next((i for i, prefix in enumerate(LAYERS) if name.startswith(prefix + ".")), None)
        if layer is None:
            continue
        for other in imported:
            above = [p for p in LAYERS[layer + 1 :] if other.startswith(p + ".") or other == p]
            assert not above, f"{name} imports {other}"
