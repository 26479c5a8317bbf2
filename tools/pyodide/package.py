"""Run by prepare.mjs inside Pyodide, after the trace: write the two archives the site serves.

Globals set by prepare.mjs: TRACED (names of every module loaded), SOURCES (where the
simulator's sources are), STORED (store members uncompressed instead of deflating them).

Modules become unchecked hash-based .pyc files: zipimport loads them without compiling and
without looking for a source, which is most of a cold start. Docstrings are left out of the
bytecode (15% of the deflated standard library; nothing the site runs reads them); unlike
`python -OO`, asserts stay.
"""

import ast
import importlib.util
import json
import os
import sys
import zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

STDLIB = "/lib/python{}{}.zip".format(*sys.version_info[:2])
DATE = (2020, 1, 1, 0, 0, 0)  # fixed, so the same input gives the same bytes
COMPRESSION = zipfile.ZIP_STORED if STORED else zipfile.ZIP_DEFLATED  # noqa: F821


def without_docstrings(tree: ast.Module) -> ast.Module:
    """The module with the docstring of itself and of every class and function removed."""
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        first = node.body[0] if node.body else None
        docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
        if docstring and isinstance(first.value.value, str):
            node.body = node.body[1:] or [ast.copy_location(ast.Pass(), first)]
    return tree


def compiled(source: bytes, filename: str) -> bytes:
    tree = without_docstrings(ast.parse(source, filename))
    code = compile(tree, filename, "exec", dont_inherit=True)
    return _code_to_hash_pyc(code, importlib.util.source_hash(source), checked=False)


def add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    entry = zipfile.ZipInfo(name, date_time=DATE)
    entry.compress_type = COMPRESSION
    entry.external_attr = 0o644 << 16
    archive.writestr(entry, data, compresslevel=9)


def member(names: set[str], module: str) -> str | None:
    """The archive member a module was loaded from: a package's __init__ or a module file."""
    path = module.replace(".", "/")
    for candidate in (f"{path}/__init__.py", f"{path}.py"):
        if candidate in names:
            return candidate
    return None


os.makedirs("/tmp/out", exist_ok=True)
with zipfile.ZipFile(STDLIB) as stock:
    available = set(stock.namelist())
    kept = sorted({m for m in (member(available, name) for name in TRACED) if m})  # noqa: F821
    with zipfile.ZipFile("/tmp/out/python_stdlib.zip", "w") as out:
        for name in kept:
            add(out, name[:-3] + ".pyc", compiled(stock.read(name), f"{STDLIB}/{name}"))

APP = "/home/pyodide/sim.zip"  # where worker.js puts it, so tracebacks name the right place
with zipfile.ZipFile("/tmp/out/sim.zip", "w") as out:
    for folder, dirs, files in sorted(os.walk(f"{SOURCES}/sim")):  # noqa: F821
        dirs.sort()
        for file in sorted(f for f in files if f.endswith(".py")):
            name = os.path.relpath(os.path.join(folder, file), SOURCES)  # noqa: F821
            with open(os.path.join(folder, file), "rb") as source:
                add(out, name[:-3] + ".pyc", compiled(source.read(), f"{APP}/{name}"))

with open("/tmp/out/modules.json", "w") as listing:
    json.dump([name[:-3] for name in kept], listing, indent=0)
