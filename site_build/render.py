"""Rendering: the Jinja2 environment, the context templates print, and every page of the site."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import jinja2
from markupsafe import Markup

from sim.core.config import MODE_LABELS, Config
from sim.story import exercises
from sim.story.lessons import catalogue
from site_build import code_panel
from site_build.assets import module_names
from site_build.content import Page, make_markdown, render_markdown
from site_build.paths import BuildError
from site_build.python_runtime import DOWNLOAD_STALL_MS, python_snapshot

SITE_TITLE = "Stateless or Stateful? An Interactive Guide"

PARTIAL_MARKER = re.compile(r"^<!--\s*partial:\s*([a-z0-9_-]+)\s*-->$", re.MULTILINE)


# The embed page's options (README: Embedding): each query parameter's allowed values, the
# default first. The embed page checks its URL against this table and the "Embed this demo"
# dialog builds its links from it; the build writes it into both pages.
EMBED_OPTIONS = {
    "steps": ("1", "0"),
    "controls": ("full", "compact"),
    "theme": ("auto", "light", "dark"),
    "autostart": ("1", "0"),
}


def make_environment(templates: Path) -> jinja2.Environment:
    """Jinja2 with autoescape on and undefined variables failing the build."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def script_json(data: object) -> Markup:
    """JSON safe to place inside a <script> element ("</script>" cannot close it)."""
    return Markup(json.dumps(data, sort_keys=True).replace("<", "\\u003c"))


def inline_script(path: Path) -> Markup:
    """A script to place in the page itself (allowed by its hash in the CSP)."""
    text = path.read_text(encoding="utf-8")
    if "</script" in text.lower():
        raise BuildError(f"{path}: an inline script cannot contain '</script'")
    return Markup(text)


def script_hash(source: str) -> str:
    """CSP hash source for an inline script."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def render_site(env: jinja2.Environment, pages: list[Page], site: dict, out: Path) -> None:
    """Render every page, the 404 page, the licences and the demo alone (`embed/`)."""
    md = make_markdown()
    nav = [
        {
            "title": p.title,
            "nav_title": p.extra.get("nav_title", p.title),  # a shorter label for the menu
            "url": site["base_url"] + p.path,
            "slug": p.slug,
        }
        for p in pages
    ]
    page_urls = {f"{p.slug}.md": site["base_url"] + p.path for p in pages}
    for index, page in enumerate(pages):
        body_html, toc = render_markdown(md, page.body_markdown, page_urls, page.source)
        partials = sorted(set(PARTIAL_MARKER.findall(body_html)))
        body_html = include_partials(env, page, body_html, site)
        context = {
            "site": site,
            "nav": nav,
            "page": {
                "slug": page.slug,
                "title": page.title,
                "description": page.description,
                "url": site["base_url"] + page.path,
                "toc": toc,
                "partials": partials,  # the head loads the demo's scripts only where it is
                "extra": page.extra,
            },
            "content": Markup(body_html),
            "previous": nav[index - 1] if index > 0 else None,
            "next": nav[index + 1] if index + 1 < len(nav) else None,
        }
        html = render_template(env, page.template, context, page.source)
        target = out / page.output_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
    context = {"site": site, "nav": nav}
    (out / "404.html").write_text(render_template(env, "404.html", context, None), "utf-8")
    (out / "licenses" / "index.html").write_text(
        render_template(env, "licenses.html", context, None), "utf-8"
    )
    (out / "embed").mkdir()
    (out / "embed" / "index.html").write_text(
        render_template(env, "embed.html", context, None), "utf-8"
    )


def include_partials(env: jinja2.Environment, page: Page, html: str, site: dict) -> str:
    """Replace `<!-- partial: NAME -->` lines with the rendered template `_NAME.html`."""

    def render_partial(match: re.Match) -> str:
        name = f"_{match.group(1)}.html"
        return render_template(env, name, {"site": site, "page_slug": page.slug}, page.source)

    return PARTIAL_MARKER.sub(render_partial, html)


def render_template(env: jinja2.Environment, name: str, context: dict, source: Path | None) -> str:
    """Render one template; turn Jinja errors into BuildErrors that name both files."""
    where = f"{source}: " if source else ""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateNotFound as error:
        raise BuildError(f"{where}template {error.name!r} does not exist") from None
    except jinja2.TemplateSyntaxError as error:
        raise BuildError(f"{error.filename}:{error.lineno}: {error.message}") from None
    except jinja2.UndefinedError as error:
        raise BuildError(f"{where}template {name}: {error.message}") from None


def make_site_context(
    base_url: str, assets: dict[str, str], runtime: dict, downloads: dict[str, dict]
) -> dict:
    """Everything templates need, computed here so templates only print."""
    asset_urls = {name: base_url + target for name, target in assets.items()}
    pyodide_version = runtime["version"]
    boot_config = {
        "pyodideIndexURL": f"{base_url}pyodide/{pyodide_version}/",
        "pyodideLock": runtime["lock"],
        "downloads": {base_url + path: facts for path, facts in downloads.items()},
        "downloadStallMs": DOWNLOAD_STALL_MS,
        "stdLibURL": asset_urls["python_stdlib.zip"],
        "baseURL": base_url,
        "serviceWorkerURL": f"{base_url}sw.js",
        "simArchiveURL": asset_urls["sim.zip"],
        "workerURL": asset_urls["js/bridge/worker.js"],
        "messages": runtime["messages"],  # for boot.js, which cannot import bridge/messages.js
        "pythonSnapshot": python_snapshot(base_url, asset_urls, pyodide_version),
    }
    # Modules import each other by bare names ("guide/bridge/runtime.js") that the import map
    # resolves to hashed files, so a file's hash depends on its own bytes only.
    importmap_data = {
        "imports": {name: base_url + target for name, target in module_names(assets).items()}
    }
    importmap = script_json(importmap_data)
    inline_hashes = " ".join(
        script_hash(text) for text in (importmap, runtime["boot_script"]) if text
    )
    csp = "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'wasm-unsafe-eval' {inline_hashes}",
            "worker-src 'self'",
            "connect-src 'self'",
            "img-src 'self' data:",
            "style-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        ]
    )
    embed_config = {
        "options": EMBED_OPTIONS,
        "modes": list(MODE_LABELS),
        # What the embed page shows for its `mode` before Python is ready: each mode's policy.
        "modePolicies": {mode: Config(mode=mode).policy for mode in MODE_LABELS},
        "pageURL": f"{base_url}embed/",
        "scriptURL": f"{base_url}embed.js",
        "guideURL": base_url,
    }
    return {
        "title": SITE_TITLE,
        "base_url": base_url,
        "embed_config": script_json(embed_config),
        "assets": asset_urls,
        "boot_config": script_json(boot_config),
        "importmap": script_json(importmap_data),
        "boot_script": runtime["boot_script"],
        "csp": csp,
        "pyodide_version": pyodide_version,
        "demo": demo_context(),
    }


DEMO_MAX_SERVERS = 8  # what the diagram lays out; the simulator itself allows more

# Where the guide explains each lesson (a page and its section), for the link under its steps.
LESSON_READING = {
    "deploy": ("sticky-sessions/#a-rolling-deploy-step-by-step", "a rolling deploy, step by step"),
    "store-failover": (
        "where-state-goes/#a-store-failover-step-by-step",
        "a store failover, step by step",
    ),
    "two-tabs": (
        "where-state-goes/#two-tabs-at-once-in-memory-and-in-a-store",
        "two tabs at once, in memory and in a store",
    ),
    "scale-out": ("scaling-out/", "scaling out, step by step"),
}


def demo_lessons() -> list[dict]:
    """The lessons ("Try this") as the simulator's story writes them, ready to print.

    The first lesson's steps and prediction keep the ids the page has always had (#demo-steps).
    """
    lessons = []
    for index, lesson in enumerate(catalogue()):
        first = index == 0
        reading = LESSON_READING.get(lesson["id"])
        lessons.append(
            {
                **lesson,
                "steps": [{**step, "html": Markup(step["html"])} for step in lesson["steps"]],
                "list_id": "demo-steps" if first else None,
                "question_id": "demo-predict-question" if first else f"demo-predict-{lesson['id']}",
                "prediction_name": "demo-prediction"
                if first
                else f"demo-prediction-{lesson['id']}",
                "reading": {"href": reading[0], "text": reading[1]} if reading else None,
            }
        )
    return lessons


def demo_context() -> dict:
    """What the demo's diagram shows before Python arrives, taken from the simulator's defaults."""
    defaults = Config()
    return {
        "modes": [{"id": mode, "label": label} for mode, label in MODE_LABELS.items()],
        "default_mode": defaults.mode,
        "servers": [chr(ord("A") + i) for i in range(defaults.servers)],
        "max_servers": DEMO_MAX_SERVERS,
        "lessons": demo_lessons(),
        # The exercises (write your own balancer): their starters, hints and the function's
        # documentation, as the simulator's story has them.
        "exercises": exercises.catalogue(),
        "exercise_doc": exercises.DOC,
        "exercise_signature": exercises.SIGNATURE,
        "code_ran": code_panel.functions(Path(__file__).resolve().parents[1]),
    }
