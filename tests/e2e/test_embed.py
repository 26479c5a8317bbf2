"""The demo embedded in another site: the snippet, the frame's height, lazy start, options.

Host pages are served from a second loopback origin (another port) and paste the snippet
exactly as the "Embed this demo" dialog builds it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Frame, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.conftest import ROOT, SUB_PATH, serve_directory, sim_ready_outcome
from tests.e2e.test_accessibility import violations

pytestmark = pytest.mark.browser

FRAME = "iframe[src*='/embed/']"
HEIGHT_TOLERANCE_PX = 3
HOST_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<link rel="icon" href="data:,">
<title>A documentation page</title>
<style>
  body {{ margin: 0 auto; max-width: 60rem; padding: 0.5rem; font-family: sans-serif; }}
  @media (prefers-color-scheme: dark) {{ html {{ background: #0d1117; color: #e6edf3; }} }}
</style>
</head>
<body>
<main>
<h1>A documentation page</h1>
<p>Some text before the demo.</p>
{body}
<p>Some text after the demo.</p>
</main>
</body>
</html>
"""


@dataclass
class Host:
    """A second origin where tests write the pages that embed the demo."""

    folder: Path
    url: str

    def page(self, name: str, body: str) -> str:
        """Write a host page around `body` and return its URL."""
        (self.folder / f"{name}.html").write_text(HOST_PAGE.format(body=body), encoding="utf-8")
        return f"{self.url}{name}.html"


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    folder = tmp_path_factory.mktemp("host")
    with serve_directory(folder) as url:
        yield Host(folder, url)


# ---------------------------------------------------------------- helpers


def open_dialog(page: Page) -> None:
    page.get_by_role("button", name="Embed this demo", exact=True).click()
    expect(page.get_by_role("dialog", name="Embed this demo")).to_be_visible()


def snippet_from_dialog(browser, site_url: str, choose=lambda dialog: None) -> str:
    """The code the home page's dialog builds, after `choose(dialog)` picks options."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.route("**/pyodide/**", lambda route: route.abort())  # the dialog needs no Python
        page.goto(site_url)
        open_dialog(page)
        dialog = page.get_by_role("dialog", name="Embed this demo")
        choose(dialog)
        return dialog.get_by_role("textbox", name="Embed code").input_value()
    finally:
        context.close()


def wait_for_a_click(dialog) -> None:
    """Choose a demo that starts when the reader presses Start, not when it comes into view."""
    dialog.get_by_role("checkbox", name="Start when it comes into view").uncheck()


@pytest.fixture(scope="module")
def snippet(browser, site_url: str) -> str:
    """The dialog's code with its default options, read once for the tests that paste it."""
    return snippet_from_dialog(browser, site_url)


@pytest.fixture(scope="module")
def snippet_on_request(browser, site_url: str) -> str:
    """The dialog's code for a demo that waits for a click (wait_for_a_click), read once."""
    return snippet_from_dialog(browser, site_url, wait_for_a_click)


class SnippetParser(HTMLParser):
    """The elements of a snippet and their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.elements.append((tag, dict(attrs)))


def parse_snippet(snippet: str) -> dict[str, dict]:
    parser = SnippetParser()
    parser.feed(snippet)
    return dict(parser.elements)


def demo_frame(page: Page, index: int = 0) -> Frame:
    """The embed's frame once its document has loaded."""
    handle = page.locator(FRAME).nth(index).element_handle()
    frame = handle.content_frame()
    frame.wait_for_load_state()
    # Polled on a timer: an offscreen frame may get no animation frames at all.
    frame.wait_for_function("() => window.simReady !== undefined", polling=100)
    return frame


def frame_content_height(frame: Frame) -> float:
    return frame.evaluate("() => document.documentElement.getBoundingClientRect().height")


def wait_until_the_frame_fits(page: Page, frame: Frame, index: int = 0) -> float:
    """Wait until the host sized the iframe to the demo's own height; return that height."""
    deadline = time.monotonic() + 15
    while True:
        content = frame_content_height(frame)
        try:
            page.wait_for_function(
                """([selector, index, content, tolerance]) => Math.abs(
                    document.querySelectorAll(selector)[index].getBoundingClientRect().height
                    - content) <= tolerance""",
                arg=[FRAME, index, content, HEIGHT_TOLERANCE_PX],
                timeout=2_000,
            )
        except PlaywrightTimeoutError:
            if time.monotonic() > deadline:
                raise
            continue  # the content moved on while the host caught up: measure again
        if abs(frame_content_height(frame) - content) <= HEIGHT_TOLERANCE_PX:
            return content


def frame_height(page: Page, index: int = 0) -> float:
    return page.locator(FRAME).nth(index).evaluate("(f) => f.getBoundingClientRect().height")


def wait_ready(frame: Frame) -> None:
    assert sim_ready_outcome(frame) == "ready"


def pause(frame) -> None:
    frame.get_by_role("button", name="Pause", exact=True).click()
    expect(frame.get_by_role("button", name="Resume", exact=True)).to_be_visible()


def run_the_stateless_experiment(frame) -> None:
    """Stateless: three items, two servers killed, one more item; the cart keeps all four."""
    frame.get_by_role("radiogroup", name="Mode").get_by_role(
        "radio", name="Stateless", exact=True
    ).check()
    for _ in range(3):
        frame.get_by_role("button", name="Send request", exact=True).click()
    store = frame.get_by_role("group", name="Shared DB / Redis", exact=True)
    expect(store.get_by_text("Cart:")).to_have_text("Cart: 3 items")
    frame.get_by_role("button", name="Kill Server A", exact=True).click()
    frame.get_by_role("button", name="Kill Server B", exact=True).click()
    expect(frame.get_by_role("button", name="Restart Server B", exact=True)).to_be_visible()
    frame.get_by_role("button", name="Send request", exact=True).click()
    user = frame.get_by_role("group", name="User", exact=True)
    expect(user.get_by_text("Cart:")).to_have_text("Cart: 4 items")
    expect(store.get_by_text("Cart:")).to_have_text("Cart: 4 items")


def worker_count(page: Page) -> int:
    """Dedicated workers in the page and all its frames (Playwright attaches to each)."""
    return len(page.workers)


# ---------------------------------------------------------------- the dialog


def test_the_dialog_builds_the_snippet_from_the_mode_and_the_options(page: Page, site_url: str):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(site_url)
    assert sim_ready_outcome(page) == "ready"
    page.get_by_role("radio", name="Stateful", exact=True).check()
    expect(page.get_by_role("radio", name="Stateful", exact=True)).to_be_checked()
    opener = page.get_by_role("button", name="Embed this demo", exact=True)
    open_dialog(page)
    dialog = page.get_by_role("dialog", name="Embed this demo")
    code = dialog.get_by_role("textbox", name="Embed code")
    expect(code).not_to_be_editable()
    expect(dialog).to_contain_text("a fresh demo in Stateful mode")

    parts = parse_snippet(code.input_value())
    assert set(parts) == {"iframe", "script"}
    iframe = parts["iframe"]
    assert iframe["src"] == f"{site_url}embed/?mode=stateful"
    assert iframe["title"]
    assert (iframe["loading"], iframe["width"], iframe["height"]) == ("lazy", "100%", "720")
    assert parts["script"]["src"] == f"{site_url}embed.js"
    assert code.input_value().count("\n") == 1  # the iframe, then the one-line script

    dialog.get_by_role("checkbox", name="Show the guided steps").uncheck()
    dialog.get_by_role("checkbox", name="Compact controls").check()
    dialog.get_by_role("checkbox", name="Start when it comes into view").uncheck()
    dialog.get_by_role("combobox", name="Theme").select_option("dark")
    src = parse_snippet(code.input_value())["iframe"]["src"]
    assert parse_qs(urlparse(src).query) == {
        "mode": ["stateful"],
        "steps": ["0"],
        "controls": ["compact"],
        "theme": ["dark"],
        "autostart": ["0"],
    }
    assert "&amp;" in code.input_value()  # the query's & is escaped inside the attribute

    dialog.get_by_role("button", name="Copy", exact=True).click()
    expect(dialog.get_by_text("Copied.")).to_be_visible()
    assert page.evaluate("() => navigator.clipboard.readText()") == code.input_value()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()


def test_this_run_from_the_dialog_replays_the_same_state_in_the_embed(
    page: Page, site_url: str, host: Host, another_readers_page: Page
):
    page.goto(site_url)
    assert sim_ready_outcome(page) == "ready"
    pause(page)
    page.get_by_role("radio", name="Stateful", exact=True).check()
    for _ in range(3):
        page.get_by_role("button", name="Send request", exact=True).click()
    expect(page.get_by_text("Session: 3 items")).to_be_visible()
    page.get_by_role("button", name="Kill Server A", exact=True).click()
    expect(page.get_by_role("button", name="Restart Server A", exact=True)).to_be_visible()
    page.wait_for_function("() => window.simSnapshot().servers[0].alive === false")
    shared = page.evaluate("() => window.simSnapshot()")
    open_dialog(page)
    dialog = page.get_by_role("dialog", name="Embed this demo")
    dialog.get_by_role("radio", name="this run, paused where it is now").check()
    snippet = dialog.get_by_role("textbox", name="Embed code").input_value()
    query = parse_qs(urlparse(parse_snippet(snippet)["iframe"]["src"]).query)
    assert query == {"scenario": [shared["scenario"]]}

    other = another_readers_page
    other.goto(host.page("replay", snippet))
    frame = demo_frame(other)
    wait_ready(frame)
    expect(frame.get_by_text("Replayed a shared scenario")).to_be_visible()
    assert frame.evaluate("() => window.simSnapshot()") == shared


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_open_dialog_passes_axe_and_fits_a_phone(browser, site_url: str, scheme: str):
    context = browser.new_context(
        bypass_csp=True, color_scheme=scheme, viewport={"width": 320, "height": 700}
    )
    page = context.new_page()
    try:
        page.route("**/pyodide/**", lambda route: route.abort())
        page.goto(site_url)
        open_dialog(page)
        dialog = page.get_by_role("dialog", name="Embed this demo")
        sideways = dialog.evaluate("(d) => d.scrollWidth - d.clientWidth")
        assert sideways <= 0, f"the dialog scrolls sideways by {sideways}px"
        assert violations(page) == []
    finally:
        context.close()


# ---------------------------------------------------------------- in a host page


def test_the_stateless_experiment_runs_in_an_embed_on_another_origin_and_the_frame_fits(
    page: Page, site_url: str, host: Host, snippet: str
):
    page.goto(host.page("experiment", snippet))
    frame = demo_frame(page)
    wait_ready(frame)
    pause(frame)
    loaded = wait_until_the_frame_fits(page, frame)
    assert loaded > 720  # grown from the snippet's height to the whole demo
    assert frame.evaluate("() => document.documentElement.scrollHeight <= innerHeight")

    frame.get_by_text("Failure settings", exact=True).click()
    expect(frame.get_by_role("radio", name=re.compile("^vanishes"))).to_be_visible()
    opened = wait_until_the_frame_fits(page, frame)
    assert opened > loaded + 50

    run_the_stateless_experiment(frame)
    # Copy link, inside the frame, gives a link to the full guide that replays this run.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    frame.get_by_role("button", name="Copy a link to this run in the guide", exact=True).click()
    expect(frame.get_by_text("Link copied")).to_be_visible()
    copied = urlparse(page.evaluate("() => navigator.clipboard.readText()"))
    scenario = frame.evaluate("() => window.simSnapshot().scenario")
    assert copied._replace(query="", fragment="").geturl() == site_url
    assert (parse_qs(copied.query), copied.fragment) == ({"scenario": [scenario]}, "demo")
    # An embed never registers the service worker: a docs page did not ask to work offline.
    assert (
        frame.evaluate("async () => (await navigator.serviceWorker.getRegistrations()).length") == 0
    )
    assert page.console_errors == []


def test_height_messages_from_anyone_but_the_demo_are_ignored(
    page: Page, site_url: str, host: Host, snippet: str
):
    other = '<iframe src="other.html" title="Another frame on the host" height="100"></iframe>'
    site_frame = (
        f'<iframe src="{site_url}licenses/" title="Another page of the same site"></iframe>'
    )
    (host.folder / "other.html").write_text("<!doctype html><title>Other</title><p>Other</p>")
    page.goto(host.page("forged", snippet + other + site_frame))
    frame = demo_frame(page)
    wait_ready(frame)
    pause(frame)
    wait_until_the_frame_fits(page, frame)  # embed.js is listening from here on
    # Record every height the host gives the frame, and count the forged messages as they
    # arrive (this listener runs after embed.js's, which was added first).
    page.evaluate(
        """(selector) => {
            window.applied = [];
            const iframe = document.querySelector(selector);
            new MutationObserver(() => window.applied.push(iframe.style.height))
                .observe(iframe, { attributes: true, attributeFilter: ["style"] });
            window.forgedSeen = 0;
            window.addEventListener("message", (event) => {
                const forged = [300, 300.5, "300", 99, 20001].includes(event.data?.height);
                if (forged) window.forgedSeen += 1;
            });
        }""",
        FRAME,
    )
    forged = {"type": "stateless-guide:height", "height": 300}
    page.evaluate("(message) => window.postMessage(message, '*')", forged)
    page.frame(url=re.compile(r"/other\.html$")).evaluate(
        "(message) => parent.postMessage(message, '*')", forged
    )
    page.frame(url=re.compile(r"/licenses/$")).evaluate(
        "(message) => parent.postMessage(message, '*')", forged
    )
    malformed = [
        {"type": "stateless-guide:height", "height": 300.5},
        {"type": "stateless-guide:height", "height": "300"},
        {"type": "stateless-guide:height", "height": 99},
        {"type": "stateless-guide:height", "height": 20_001},
        {"type": "stateless-guide:height", "height": 300, "extra": True},
        {"type": "something-else", "height": 300},
    ]
    for message in malformed:  # from the demo's own frame, but not of the agreed form
        frame.evaluate("(message) => parent.postMessage(message, '*')", message)
    page.wait_for_function("(count) => window.forgedSeen === count", arg=3 + len(malformed))
    applied = page.evaluate("() => window.applied")
    assert not {"300px", "300.5px", "99px", "20001px"} & set(applied)

    # The same channel does work for the demo's frame and a well-formed message.
    frame.evaluate("() => parent.postMessage({type: 'stateless-guide:height', height: 333}, '*')")
    page.wait_for_function("() => window.applied.includes('333px')")


def test_without_embed_js_the_frame_keeps_its_height_and_scrolls(
    page: Page, site_url: str, host: Host, snippet: str
):
    iframe_only = snippet.split("\n")[0]
    page.goto(host.page("no-script", iframe_only))
    frame = demo_frame(page)
    wait_ready(frame)
    # 720 inside, and the browser's default border around it: only embed.js removes it.
    assert page.locator(FRAME).evaluate("(f) => f.clientHeight") == 720
    assert frame.evaluate("() => document.documentElement.scrollHeight > innerHeight")
    pause(frame)
    frame.get_by_role("button", name="Send request", exact=True).click()
    user = frame.get_by_role("group", name="User", exact=True)
    expect(user.get_by_text("Cart:")).to_have_text("Cart: 1 item")


def test_a_snippet_from_before_with_its_inline_style_still_fits_without_a_border(
    page: Page, site_url: str, host: Host, snippet_on_request: str
):
    older = snippet_on_request.replace(
        ' allow="clipboard-write"', ' style="border: 0" allow="clipboard-write"'
    )
    assert older != snippet_on_request
    page.goto(host.page("older", older))
    frame = demo_frame(page)
    assert wait_until_the_frame_fits(page, frame) > 720
    assert page.locator(FRAME).evaluate("(f) => getComputedStyle(f).borderTopWidth") == "0px"
    assert page.console_errors == []


# ---------------------------------------------------------------- lazy start


def test_three_embeds_far_apart_start_a_worker_each_only_once_scrolled_into_view(
    page: Page, site_url: str, host: Host, snippet: str
):
    eager = snippet.replace(' loading="lazy"', "")
    assert "loading=" not in eager
    spacer = '<div style="height: 3000px" aria-hidden="true"></div>'
    page.goto(host.page("three", spacer.join([eager] * 3)))
    frames = [demo_frame(page, index) for index in range(3)]
    wait_ready(frames[0])
    for frame in frames[1:]:  # loaded, and waiting
        expect(frame.locator("#demo-status")).to_have_text(
            "The demo starts when it comes into view."
        )
        assert frame.evaluate("() => document.getElementById('demo').dataset.state") is None
    assert worker_count(page) == 1

    page.locator(FRAME).nth(1).scroll_into_view_if_needed()
    wait_ready(frames[1])
    assert worker_count(page) == 2
    assert frames[2].evaluate("() => document.getElementById('demo').dataset.state") is None

    page.locator(FRAME).nth(2).scroll_into_view_if_needed()
    wait_ready(frames[2])
    assert worker_count(page) == 3


def test_with_autostart_0_nothing_starts_until_the_reader_presses_start(
    page: Page, site_url: str, host: Host, snippet_on_request: str
):
    page.goto(host.page("on-request", snippet_on_request))
    frame = demo_frame(page)
    start = frame.get_by_role("button", name="Start the demo", exact=True)
    expect(start).to_be_visible()
    expect(frame.get_by_role("button", name="Send request", exact=True)).to_be_disabled()
    assert frame.evaluate("() => document.getElementById('demo').dataset.state") is None
    assert worker_count(page) == 0
    start.click()
    wait_ready(frame)
    assert worker_count(page) == 1
    expect(start).to_be_hidden()


# ---------------------------------------------------------------- options from the URL


def test_bad_parameters_give_a_notice_each_and_the_defaults(page: Page, site_url: str):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    query = (
        "mode=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&steps=2&controls=tiny&theme=neon"
        "&autostart=maybe&autostart=1&colour=red"
    )
    page.goto(f"{site_url}embed/?{query}")
    wait_ready(page)
    notice = page.locator("#demo-notice")
    expect(notice).to_contain_text("mode “<img src=x onerror=alert(1)>” is not one of")
    expect(notice).to_contain_text("so the demo starts in the default mode")
    expect(notice).to_contain_text("steps “2” is not one of 1, 0, so it uses 1.")
    expect(notice).to_contain_text("controls “tiny” is not one of full, compact, so it uses full.")
    expect(notice).to_contain_text("theme “neon” is not one of auto, light, dark, so it uses auto.")
    expect(notice).to_contain_text("autostart parameter is given 2 times, so it uses 1.")
    expect(notice).to_contain_text("The embed ignores “colour”")
    # The defaults: the simulator's mode, steps shown, every control, the system's theme.
    expect(page.get_by_role("radio", name="Stateless", exact=True)).to_be_checked()
    expect(page.get_by_role("heading", name="Try this")).to_be_visible()
    expect(page.get_by_text("Failure settings", exact=True)).to_be_visible()
    assert page.evaluate("() => document.documentElement.dataset.theme") == "auto"
    assert page.locator("img").count() == 0
    assert dialogs == []
    # The notice stays when the reader's own actions bring notices of their own.
    pause(page)
    page.get_by_role("button", name="Resume", exact=True).click()
    expect(notice).to_contain_text("The embed ignores “colour”")


def test_a_broken_scenario_keeps_the_parameter_notices_and_starts_from_the_defaults(
    page: Page, site_url: str
):
    page.goto(f"{site_url}embed/?scenario=v1.nonsense&theme=neon")
    wait_ready(page)
    notice = page.locator("#demo-notice")
    expect(notice).to_contain_text("could not be used")
    expect(notice).to_contain_text("theme “neon”")
    assert page.evaluate("() => window.simSnapshot().metrics.requests") == 0


def test_good_parameters_choose_the_mode_and_hide_what_they_say(page: Page, site_url: str):
    page.emulate_media(color_scheme="light")
    page.goto(f"{site_url}embed/?mode=replicated&steps=0&controls=compact&theme=dark")
    wait_ready(page)
    expect(page.get_by_role("radio", name="Stateful + replication", exact=True)).to_be_checked()
    assert page.evaluate("() => window.simSnapshot().mode") == "replicated"
    expect(page.locator("#demo-notice")).to_be_hidden()
    expect(page.get_by_role("heading", name="Try this")).to_be_hidden()
    copy_link = "Copy a link to this run in the guide"
    hidden_buttons = ("Add server", "Remove server", "Compare modes", copy_link)
    lesson_buttons = ("Rolling deploy", "Fail over the store", "Two tabs at once")
    for hidden in (*hidden_buttons, *lesson_buttons):
        expect(page.get_by_role("button", name=hidden, exact=True)).to_be_hidden()
    expect(page.get_by_text("Failure settings", exact=True)).to_be_hidden()
    expect(page.get_by_role("switch", name="Auto traffic")).to_be_hidden()
    expect(page.get_by_role("combobox", name="Speed")).to_be_hidden()
    for kept in ("Send request", "Pause", "Reset", "Kill Server A", "Kill database"):
        expect(page.get_by_role("button", name=kept, exact=True)).to_be_visible()
    expect(page.get_by_role("switch", name="Chaos Monkey")).to_be_visible()
    background = page.evaluate("() => getComputedStyle(document.documentElement).background")
    assert "rgb(18, 21, 27)" in background  # dark, though the system is light


def palette_names() -> list[str]:
    """The custom properties of site.css's one palette, each a light-dark() pair."""
    site_css = (ROOT / "site_src/static/css/site.css").read_text()
    return re.findall(r"(--[\w-]+): light-dark\(", site_css)


def resolved_palette(page: Page, names: list[str]) -> dict[str, str]:
    """Each palette colour as the page's root resolves it (a probe element uses each)."""
    return page.evaluate(
        """(names) => {
            const probe = document.createElement("div");
            document.documentElement.append(probe);
            const colour = (name) => {
                probe.style.color = `var(${name})`;
                return getComputedStyle(probe).color;
            };
            const palette = Object.fromEntries(names.map((name) => [name, colour(name)]));
            probe.remove();
            return palette;
        }""",
        names,
    )


def test_the_palette_is_written_once():
    assert len(palette_names()) >= 11
    embed_css = (ROOT / "site_src/static/css/embed.css").read_text()
    assert not re.search(r"#[0-9a-fA-F]{3,8}\b|rgb\(", embed_css), "embed.css repeats a colour"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_forced_theme_has_exactly_the_colours_of_the_system_theme(
    browser, site_url: str, theme: str
):
    names = palette_names()

    def palette(color_scheme: str, query: str) -> dict[str, str]:
        context = browser.new_context(color_scheme=color_scheme)
        page = context.new_page()
        try:
            page.goto(f"{site_url}embed/?autostart=0{query}")
            return resolved_palette(page, names)
        finally:
            context.close()

    other = "dark" if theme == "light" else "light"
    forced = palette(other, f"&theme={theme}")
    assert forced == palette(theme, "")
    assert forced != palette(other, "")  # the two themes differ, so the check above can fail


# ---------------------------------------------------------------- accessibility and looks


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_embed_page_passes_axe(axe_page, site_url: str, scheme: str):
    page = axe_page
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{site_url}embed/")
    wait_ready(page)
    assert violations(page) == []
    # Waiting for a click, with the other theme forced and a notice showing.
    other = "dark" if scheme == "light" else "light"
    page.goto(f"{site_url}embed/?autostart=0&theme={other}&steps=maybe")
    expect(page.get_by_role("button", name="Start the demo", exact=True)).to_be_visible()
    expect(page.locator("#demo-notice")).to_be_visible()
    assert violations(page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [320, 1280])
def test_an_embed_in_a_host_page_works_and_fits_at_each_width(
    page: Page, site_url: str, host: Host, snippet: str, artifacts: Path, width: int, scheme: str
):
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=scheme)
    page.goto(host.page(f"width-{width}-{scheme}", snippet))
    frame = demo_frame(page)
    wait_ready(frame)
    pause(frame)
    run_the_stateless_experiment(frame)
    wait_until_the_frame_fits(page, frame)
    sideways = frame.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert sideways <= 0, f"the embed scrolls sideways by {sideways}px at {width}px"
    page.screenshot(path=artifacts / f"embed-{width}-{scheme}.png", full_page=True)


# ---------------------------------------------------------------- under a sub-path


@pytest.fixture(scope="module")
def sub_path_site(sub_path_build: Path) -> Iterator[str]:
    with serve_directory(sub_path_build, SUB_PATH) as url:
        yield url


def test_an_embed_of_a_site_under_a_sub_path_works_and_fits(
    page: Page, sub_path_site: str, host: Host, browser
):
    snippet = snippet_from_dialog(browser, sub_path_site)
    parts = parse_snippet(snippet)
    assert parts["iframe"]["src"] == f"{sub_path_site}embed/?mode=stateless"
    assert parts["script"]["src"] == f"{sub_path_site}embed.js"
    assert urlparse(sub_path_site).path == SUB_PATH
    page.goto(host.page("sub-path", snippet))
    frame = demo_frame(page)
    wait_ready(frame)
    pause(frame)
    wait_until_the_frame_fits(page, frame)
    frame.get_by_role("button", name="Send request", exact=True).click()
    user = frame.get_by_role("group", name="User", exact=True)
    expect(user.get_by_text("Cart:")).to_have_text("Cart: 1 item")
    assert page.console_errors == []


# ---------------------------------------------------------------- the host's theme

THEMED_HOST = """<!doctype html>
<html lang="en"{html_theme}>
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>A themed documentation page</title>
<style>
  [data-theme="dark"] {{ background: #1b1b1d; color: #e3e3e3; }}
  [data-theme="light"] {{ background: #ffffff; color: #1c1e21; }}
  body {{ margin: 0 auto; max-width: 60rem; padding: 0.5rem; font-family: sans-serif; }}
</style>
</head>
<body{body_theme}>
<h1>A themed documentation page</h1>
<p>Its own switch sets <code>data-theme</code>, as Docusaurus (on html) and Furo (on body) do.</p>
{body}
</body>
</html>
"""


def themed_host(host: Host, name: str, on: str, body: str) -> str:
    """A host page whose theme is `data-theme="dark"` on `on` ("html" or "body")."""
    attribute = ' data-theme="dark"'
    text = THEMED_HOST.format(
        html_theme=attribute if on == "html" else "",
        body_theme=attribute if on == "body" else "",
        body=body,
    )
    (host.folder / f"{name}.html").write_text(text, encoding="utf-8")
    return f"{host.url}{name}.html"


def frame_theme(frame: Frame, theme: str) -> None:
    """Wait until the frame shows `theme`: its attribute, and its page's background."""
    background = {"dark": "rgb(18, 21, 27)", "light": "rgb(255, 255, 255)"}[theme]
    frame.wait_for_function(
        """([theme, background]) => document.documentElement.dataset.theme === theme
            && getComputedStyle(document.documentElement).backgroundColor === background""",
        arg=[theme, background],
        polling=100,
    )


def record_theme_messages(frame: Frame) -> None:
    """Record in window.seen each theme message but "light" (which the host itself sends
    here), with the demo's theme once it has taken it: this listener runs after the demo's."""
    frame.evaluate(
        """() => {
            window.seen = [];
            window.addEventListener("message", (event) => {
                if (event.data?.type !== "stateless-guide:theme") return;
                if (event.data.theme === "light") return;
                window.seen.push({
                    fromParent: event.source === parent,
                    sent: event.data.theme,
                    shown: document.documentElement.dataset.theme,
                });
            });
        }"""
    )


@pytest.mark.parametrize("on", ["html", "body"])
def test_a_dark_host_switched_to_light_gets_a_dark_then_a_light_demo_without_a_reload(
    browser, site_url: str, host: Host, snippet_on_request: str, artifacts: Path, on: str
):
    assert "theme=" not in snippet_on_request  # auto, the default; and no Python needed
    context = browser.new_context(color_scheme="light")  # the system says light
    page = context.new_page()
    try:
        page.goto(themed_host(host, f"themed-{on}", on, snippet_on_request))
        frame = demo_frame(page)
        frame_theme(frame, "dark")
        wait_until_the_frame_fits(page, frame)
        frame.evaluate("() => { window.sameDocument = true; }")
        page.screenshot(path=artifacts / f"embed-host-{on}-dark.png", full_page=True)

        page.evaluate("(on) => document.querySelector(on).dataset.theme = 'light'", on)
        frame_theme(frame, "light")
        assert frame.evaluate("() => window.sameDocument") is True  # switched, not reloaded
        page.screenshot(path=artifacts / f"embed-host-{on}-light.png", full_page=True)

        page.evaluate("(on) => document.querySelector(on).dataset.theme = 'dark'", on)
        frame_theme(frame, "dark")
    finally:
        context.close()


def test_a_host_without_a_theme_of_its_own_gives_the_system_s(
    browser, site_url: str, host: Host, snippet: str
):
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    try:
        page.route("**/pyodide/**", lambda route: route.abort())
        # HOST_PAGE: a dark background only under prefers-color-scheme: dark.
        page.goto(host.page("system-dark", snippet))
        frame_theme(demo_frame(page), "dark")
        page.emulate_media(color_scheme="light")
        frame_theme(demo_frame(page), "light")
    finally:
        context.close()


def test_a_forced_theme_ignores_the_host_and_only_the_parent_may_send_one(
    browser, site_url: str, host: Host
):
    def light(dialog) -> None:
        dialog.get_by_role("checkbox", name="Start when it comes into view").uncheck()
        dialog.get_by_role("combobox", name="Theme").select_option("light")

    forced = snippet_from_dialog(browser, site_url, light)
    auto = forced.replace("&amp;theme=light", "")
    assert "theme=" not in auto
    sibling = '<iframe src="sibling.html" title="Another frame on the host"></iframe>'
    (host.folder / "sibling.html").write_text("<!doctype html><title>Sibling</title><p>Other")
    context = browser.new_context(color_scheme="light")
    page = context.new_page()
    try:
        page.goto(themed_host(host, "forced", "html", forced + auto + sibling))
        forced_frame, auto_frame = demo_frame(page, 0), demo_frame(page, 1)
        frame_theme(auto_frame, "dark")
        frame_theme(forced_frame, "light")  # theme=light keeps light on a dark host
        page.evaluate("() => document.documentElement.dataset.theme = 'light'")
        frame_theme(auto_frame, "light")
        for frame in (forced_frame, auto_frame):
            record_theme_messages(frame)
        # Another frame of the host reaches the demo's window, but is not its parent.
        page.frame(url=re.compile(r"/sibling\.html$")).evaluate(
            """() => { for (let i = 0; i < parent.frames.length; i += 1) {
                parent.frames[i].postMessage({type: "stateless-guide:theme", theme: "dark"}, "*");
            } }"""
        )
        # The parent itself, with messages not of the agreed form.
        page.evaluate(
            """(selector) => {
                const frame = document.querySelectorAll(selector)[1].contentWindow;
                frame.postMessage({type: "stateless-guide:theme", theme: "neon"}, "*");
                frame.postMessage({type: "stateless-guide:theme", theme: "dark", x: 1}, "*");
            }""",
            FRAME,
        )
        auto_frame.wait_for_function("() => window.seen.length === 3", polling=100)
        seen = auto_frame.evaluate("() => window.seen")
        assert sorted((m["fromParent"], m["sent"]) for m in seen) == [
            (False, "dark"),
            (True, "dark"),
            (True, "neon"),
        ]
        assert {m["shown"] for m in seen} == {"light"}
        # A well-formed message from the parent does switch it; not the forced one.
        page.evaluate(
            """(selector) => {
                for (const iframe of document.querySelectorAll(selector)) {
                    iframe.contentWindow.postMessage(
                        {type: "stateless-guide:theme", theme: "dark"}, "*");
                }
            }""",
            FRAME,
        )
        frame_theme(auto_frame, "dark")
        forced_frame.wait_for_function("() => window.seen.length === 2", polling=100)
        assert forced_frame.evaluate("() => window.seen.map((m) => m.shown)") == ["light", "light"]
    finally:
        context.close()


# ---------------------------------------------------------------- sandboxed frames


def test_a_frame_sandboxed_without_allow_same_origin_says_what_it_needs(
    page: Page, site_url: str, host: Host
):
    frame_html = (
        f'<iframe sandbox="allow-scripts" src="{site_url}embed/" '
        'title="The demo, sandboxed" width="100%" height="720"></iframe>'
    )
    page.goto(host.page("sandboxed", frame_html))
    frame = demo_frame(page)
    message = "The demo cannot run in this sandboxed frame."
    assert sim_ready_outcome(frame, 30_000) == message
    expect(frame.locator("#demo-status")).to_have_text(message)
    notice = frame.locator("#demo-notice")
    expect(notice).to_contain_text("sandboxed without allow-same-origin")
    expect(notice).to_contain_text("module scripts, its Python worker")
    expect(notice).to_contain_text("Cache Storage")
    expect(frame.get_by_role("progressbar")).to_be_hidden()


def test_a_frame_sandboxed_with_the_readme_s_tokens_runs(
    page: Page, site_url: str, host: Host, snippet: str
):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tokens = re.search(r'<iframe sandbox="([^"]+)"', readme).group(1)
    assert {"allow-scripts", "allow-same-origin"} <= set(tokens.split())
    sandboxed = snippet.replace("<iframe ", f'<iframe sandbox="{tokens}" ')
    page.goto(host.page("sandboxed-readme", sandboxed))
    frame = demo_frame(page)
    wait_ready(frame)
    pause(frame)
    frame.get_by_role("button", name="Send request", exact=True).click()
    user = frame.get_by_role("group", name="User", exact=True)
    expect(user.get_by_text("Cart:")).to_have_text("Cart: 1 item")


# ---------------------------------------------------------------- before Python


def test_the_embed_shows_what_its_options_ask_for_while_python_loads(browser, site_url: str):
    context = browser.new_context(color_scheme="light")
    page = context.new_page()
    try:
        # Hold the runtime and its archives back, never answered: Python stays loading.
        page.route(re.compile(r".*/(pyodide/.*|assets/.*\.zip)$"), lambda route: None)
        page.goto(f"{site_url}embed/?mode=stateful&controls=compact&theme=dark&steps=0")
        expect(page.get_by_role("progressbar", name="Loading the simulator…")).to_be_visible()
        modes = page.get_by_role("radiogroup", name="Mode")
        expect(modes.get_by_role("radio", name="Stateful", exact=True)).to_be_checked()
        expect(modes.get_by_role("radio", name="Stateless", exact=True)).not_to_be_checked()
        balancer = page.get_by_role("group", name="Load Balancer", exact=True)
        expect(balancer.get_by_text("Sticky cookie")).to_be_visible()
        expect(page.get_by_text("A sticky cookie keeps you on that server.")).to_be_visible()
        expect(page.get_by_text("Any server can answer any request")).to_be_hidden()
        expect(page.get_by_role("button", name="Add server", exact=True)).to_be_hidden()
        expect(page.get_by_role("heading", name="Try this")).to_be_hidden()
        frame_theme(page.main_frame, "dark")
        assert page.evaluate("() => window.simSnapshot()") is None  # still before Python
    finally:
        context.close()


def test_a_mode_beside_a_scenario_is_ignored_with_a_notice(page: Page, site_url: str):
    page.goto(f"{site_url}embed/?scenario=v2.1..r&mode=stateful")
    wait_ready(page)
    notice = page.locator("#demo-notice")
    expect(notice).to_contain_text("The embed ignores mode “stateful”: the scenario")
    expect(notice).to_contain_text("Replayed a shared scenario")
    assert page.evaluate("() => window.simSnapshot().mode") == "stateless"
