"""The content pages: Markdown with TOML front matter, rendered with stable heading ids."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

from markdown_it import MarkdownIt

from site_build.paths import BuildError

FRONT_MATTER_FENCE = "+++"


@dataclasses.dataclass(frozen=True)
class Page:
    """One content page, parsed from Markdown with TOML front matter."""

    slug: str
    source: Path
    title: str
    description: str
    order: int
    template: str
    body_markdown: str
    extra: dict

    @property
    def output_path(self) -> str:
        """Path of the page's HTML file inside the output folder."""
        return "index.html" if self.slug == "index" else f"{self.slug}/index.html"

    @property
    def path(self) -> str:
        """Path of the page's URL below the base URL."""
        return "" if self.slug == "index" else f"{self.slug}/"


def read_page(source: Path) -> Page:
    """Parse one Markdown file: `+++` TOML front matter (title, description, order), then body."""
    text = source.read_text(encoding="utf-8")
    lines = text.split("\n")
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        raise BuildError(f"{source}: line 1: expected front matter opening with '+++'")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FRONT_MATTER_FENCE)
    except StopIteration:
        raise BuildError(
            f"{source}: front matter opened on line 1 is never closed with '+++'"
        ) from None
    try:
        meta = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as error:
        # tomllib counts lines from the start of the front matter; report file lines.
        match = re.search(r"line (\d+)", str(error))
        where = f"line {int(match.group(1)) + 1}: " if match else ""
        raise BuildError(f"{source}: {where}invalid front matter: {error}") from None
    for key, kind in (("title", str), ("description", str), ("order", int)):
        if key not in meta:
            raise BuildError(f"{source}: front matter lacks '{key}'")
        if not isinstance(meta[key], kind) or isinstance(meta[key], bool):
            raise BuildError(f"{source}: front matter '{key}' must be a {kind.__name__}")
    template = meta.get("template", "page.html")
    known = {"title", "description", "order", "template"}
    return Page(
        slug=source.stem,
        source=source,
        title=meta["title"],
        description=meta["description"],
        order=meta["order"],
        template=template,
        body_markdown="\n".join(lines[end + 1 :]),
        extra={k: v for k, v in meta.items() if k not in known},
    )


def read_content(content_dir: Path) -> list[Page]:
    """Read every page, ordered by front-matter `order`; duplicate orders are an error."""
    pages = [read_page(p) for p in sorted(content_dir.glob("*.md"))]
    if not any(p.slug == "index" for p in pages):
        raise BuildError(f"{content_dir}: no index.md (the home page)")
    seen: dict[int, Path] = {}
    for page in pages:
        if page.order in seen:
            raise BuildError(
                f"{page.source}: order {page.order} is already used by {seen[page.order].name}"
            )
        seen[page.order] = page.source
    return sorted(pages, key=lambda p: p.order)


def slugify(text: str) -> str:
    """Turn heading text into an id: lower case, words joined by hyphens."""
    slug = re.sub(r"[^\w\s-]", "", text.lower()).strip()
    return re.sub(r"[\s_]+", "-", slug) or "section"


def make_markdown() -> MarkdownIt:
    """CommonMark plus tables; raw HTML is allowed because content is ours, not visitors'."""
    return MarkdownIt("commonmark", {"html": True}).enable("table")


def render_markdown(
    md: MarkdownIt, text: str, page_urls: dict[str, str] | None = None, source: Path | None = None
) -> tuple[str, list[dict]]:
    """Render Markdown; give headings stable ids and return the h2/h3 table of contents.

    Links to other pages are written as their files (`sticky-sessions.md#anchor`) and become
    URLs below the base URL here, so they work at any depth and under any sub-path.
    """
    tokens = md.parse(text)
    if page_urls is not None:
        rewrite_page_links(tokens, page_urls, source)
    toc: list[dict] = []
    used: set[str] = set()
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        title = tokens[index + 1].content
        slug = token.attrs.get("id") or slugify(re.sub(r"[`*_]", "", title))
        base, n = slug, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        token.attrSet("id", str(slug))
        if token.tag in ("h2", "h3"):
            plain = "".join(
                child.content for child in tokens[index + 1].children or [] if child.content
            )
            toc.append({"id": slug, "title": plain or title, "level": int(token.tag[1])})
    return md.renderer.render(tokens, md.options, {}), toc


def rewrite_page_links(tokens: list, page_urls: dict[str, str], source: Path | None) -> None:
    """Point `page.md` links at the page's URL; a link to a page that does not exist fails."""
    for token in tokens:
        for child in token.children or []:
            href = child.attrs.get("href") if child.type == "link_open" else None
            if not isinstance(href, str) or "://" in href:
                continue
            target, _, anchor = href.partition("#")
            if not target.endswith(".md"):
                continue
            if target not in page_urls:
                raise BuildError(f"{source}: link to {target}, which is not a page in content/")
            child.attrSet("href", page_urls[target] + (f"#{anchor}" if anchor else ""))
