"""The panel "The code that ran": the simulator's own functions that decide a request, read
from the package the build ships (never a copy kept by hand), one element per line so the
page can mark the lines the worker traced (site_src/static/js/demo/code-ran.js).
Highlighted here with Pygments when it is installed; plain text otherwise."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

from markupsafe import Markup, escape

# module:qualname of each function shown, in the order a request meets them. The worker's
# tracer takes the same keys from the page.
SHOWN = (
    ("sim.core.balancer:Balancer.choose", "The policy of the balancer"),
    ("sim.core.balancer:Balancer._rotate", "Round robin and least connections"),
    ("sim.core.balancer:Balancer._follow_cookie", "The sticky cookie"),
    ("sim.core.balancer:Balancer._hash_source", "Source hashing"),
    ("sim.core.requests:plan_accepted", "Memory or the store: the request inside the server"),
    ("sim.core.sessions:session_for", "The session lookup in memory (or a copy elsewhere)"),
    ("sim.core.checks:_judge", "The verdict of a health check"),
)


def resolve(key: str) -> object:
    """The function a key names."""
    module_name, qualname = key.split(":")
    target: object = importlib.import_module(module_name)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


def _lines_plain(source: str) -> list[Markup]:
    return [escape(line) for line in source.split("\n")]


def _lines_highlighted(source: str) -> list[Markup]:
    """Pygments' tokens as spans with its short class names, cut at each line's end so that
    every line is an element of its own."""
    from pygments.lexers import PythonLexer
    from pygments.token import STANDARD_TYPES

    lines: list[list[str]] = [[]]
    for kind, value in PythonLexer().get_tokens(source):
        short = STANDARD_TYPES.get(kind) or STANDARD_TYPES.get(kind.parent, "")
        for index, piece in enumerate(value.split("\n")):
            if index:
                lines.append([])
            if piece:
                text = escape(piece)
                lines[-1].append(f'<span class="{short}">{text}</span>' if short else str(text))
    return [Markup("".join(parts)) for parts in lines]


def functions(root: Path) -> list[dict]:
    """Each function shown: key, title, file (relative to the repository), first line, and
    its lines as HTML."""
    try:
        import pygments  # noqa: F401  (optional: only if the environment has it)

        lines_of = _lines_highlighted
    except ImportError:
        lines_of = _lines_plain
    shown = []
    for key, title in SHOWN:
        function = resolve(key)
        source_lines, first = inspect.getsourcelines(function)
        source = "".join(source_lines).rstrip("\n")
        path = Path(inspect.getsourcefile(function)).resolve().relative_to(root)
        numbered = [
            {"number": first + index, "html": html} for index, html in enumerate(lines_of(source))
        ]
        shown.append(
            {"key": key, "title": title, "file": path.as_posix(), "first": first, "lines": numbered}
        )
    return shown
