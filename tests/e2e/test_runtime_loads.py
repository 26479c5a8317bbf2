"""The home page loads Pyodide in a worker and the simulator answers, at / and under a sub-path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

import sim
from tests.conftest import READY_TIMEOUT_MS, SUB_PATH, serve_directory, sim_ready_outcome


@pytest.fixture
def page(fresh_page):
    """These tests are about the start: each needs a first visit, with nothing saved."""
    return fresh_page


pytestmark = pytest.mark.browser


def wait_for_sim(page) -> str:
    """Await window.simReady the way an embedder would."""
    return page.evaluate("() => window.simReady", None)


def test_the_simulator_answers_with_its_version_at_the_root(page, site_url):
    page.set_default_timeout(READY_TIMEOUT_MS)
    page.goto(site_url)
    assert wait_for_sim(page) == sim.__version__
    expect(page.locator("#demo-status")).to_contain_text("ready", timeout=READY_TIMEOUT_MS)
    assert page.console_errors == []


def test_the_same_build_works_under_a_project_sub_path(page, sub_path_build: Path):
    with serve_directory(sub_path_build, SUB_PATH) as url:
        page.set_default_timeout(READY_TIMEOUT_MS)
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(url)
        assert wait_for_sim(page) == sim.__version__
        outside = [u for u in requests if SUB_PATH not in u]
        assert outside == [], f"requests escaped the sub-path: {outside}"
        assert page.console_errors == []


def test_the_text_is_there_before_and_without_python(page, site_url):
    page.route(re.compile(r".*/pyodide/.*"), lambda route: route.abort())
    page.goto(site_url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="The “Chaos Monkey” Test")).to_be_visible()


def test_a_failed_download_rejects_sim_ready_with_the_message_the_reader_sees(page, site_url):
    page.route(re.compile(r".*pyodide\.asm\.wasm$"), lambda route: route.fulfill(status=404))
    page.goto(site_url)
    message = sim_ready_outcome(page)
    assert "Could not download pyodide.asm.wasm: the server answered 404." in message
    expect(page.locator("#demo-status")).to_have_text(message)
    expect(page.get_by_role("button", name="Retry")).to_be_visible()


def test_retry_after_a_failed_download_starts_the_simulator(page, site_url):
    failures = {"left": 1}

    def fail_once(route):
        if failures["left"]:
            failures["left"] -= 1
            route.fulfill(status=503)
        else:
            route.continue_()

    page.set_default_timeout(READY_TIMEOUT_MS)
    page.route(re.compile(r".*python_stdlib\.[0-9a-f]+\.zip$"), fail_once)
    page.goto(site_url)
    expect(page.get_by_role("button", name="Retry")).to_be_visible()
    page.get_by_role("button", name="Retry").click()
    expect(page.locator("#demo-status")).to_contain_text("ready", timeout=READY_TIMEOUT_MS)


def test_a_browser_without_webassembly_gets_a_clear_message(page, site_url):
    page.add_init_script("delete window.WebAssembly")
    page.goto(site_url)
    message = sim_ready_outcome(page)
    assert "no WebAssembly" in message
    expect(page.locator("#demo-status")).to_have_text(message)
    expect(page.get_by_role("button", name="Retry")).to_be_hidden()


def test_a_crashed_worker_gets_a_clear_message_and_a_retry(page, site_url):
    page.route(
        re.compile(r".*/assets/js/bridge/worker\.[0-9a-f]+\.js$"),
        lambda route: route.fulfill(
            status=200,
            content_type="text/javascript",
            body="throw new Error('the worker fell over');",
        ),
    )
    page.goto(site_url)
    message = sim_ready_outcome(page)
    assert message.startswith("The simulator could not start. The simulator stopped unexpectedly")
    expect(page.locator("#demo-status")).to_have_text(message)
    expect(page.get_by_role("button", name="Retry")).to_be_visible()
    expect(page.get_by_role("button", name="Send request", exact=True)).to_be_disabled()
