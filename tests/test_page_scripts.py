"""The page's scripts: small files, and every import and export accounted for.

Modules import each other as `guide/PATH` (the import map the build writes, site_build/assets.py),
so these checks read the sources as text: no JavaScript runtime is needed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "site_src" / "static" / "js"
MESSAGES = ROOT / "sim" / "browser" / "messages.json"  # written as guide/bridge/messages.js
MAX_LINES = 300

IMPORT = re.compile(r'import\s*\{([^}]*)\}\s*from\s*"guide/([^"]+)"')
EXPORT = re.compile(r"^export\s+(?:async\s+)?(?:function\*?|const|let|class)\s+(\w+)", re.MULTILINE)


def scripts() -> dict[str, str]:
    """Each script's module name (`demo/view.js`) -> its text."""
    return {
        path.relative_to(SCRIPTS).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(SCRIPTS.rglob("*.js"))
    }


def exports() -> dict[str, set[str]]:
    """What each module exports; the messages module's names come from its JSON source."""
    found = {name: set(EXPORT.findall(text)) for name, text in scripts().items()}
    found["bridge/messages.js"] = set(json.loads(MESSAGES.read_text()))
    return found


def imports() -> list[tuple[str, str, str]]:
    """(importing script, imported module, name) for every named import."""
    return [
        (script, module, name.split(" as ")[0].strip())
        for script, text in scripts().items()
        for names, module in IMPORT.findall(text)
        for name in names.split(",")
        if name.strip()
    ]


@pytest.mark.parametrize("name", sorted(scripts()))
def test_no_page_script_is_over_300_lines(name: str):
    lines = scripts()[name].count("\n")
    assert lines <= MAX_LINES, f"{name} has {lines} lines; split it by job"


def test_every_import_names_a_module_and_a_name_it_exports():
    known = exports()
    wrong = [
        f"{script} imports {name} from guide/{module}"
        for script, module, name in imports()
        if name not in known.get(module, set())
    ]
    assert wrong == []


def test_every_export_is_imported_somewhere():
    used = {(module, name) for _, module, name in imports()}
    unused = [
        f"{module}: {name}"
        for module, names in exports().items()
        for name in sorted(names)
        if (module, name) not in used
    ]
    assert unused == []
