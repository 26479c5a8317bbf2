"""Run files: they say how long the run is, so one cut short or changed is refused."""

import base64

import pytest

from sim.browser.facade import Demo, start_load
from sim.browser.run_file import UNCHECKED_NOTICE, read
from sim.browser.scenario import parse
from sim.core.errors import ScenarioError


def saved_run() -> tuple[Demo, str]:
    """A run and its file, as the page saves it."""
    demo = Demo()
    for _ in range(5):
        demo.act({"type": "request"})
        demo.act({"type": "advance", "ns": 2_000_000_000})
    demo.act({"type": "kill", "server": "A"})
    snap = demo.snapshot()
    return demo, snap["run_file_head"] + snap["scenario"] + "\n"


def replayed(text: str) -> Demo:
    demo = start_load(text, from_file=True)
    while demo.load_step():
        pass
    return demo


def test_a_saved_file_opens_exactly_as_saved_and_says_its_length():
    demo, text = saved_run()
    assert text.splitlines()[0] == "chaos-monkey-run actions=11 advanced-ns=10000000000"
    again = replayed(text)
    assert again.snapshot_json() == demo.snapshot_json()
    assert again.snapshot()["scenario_notice"] is None


@pytest.mark.parametrize("text", ["", "\n  \n"], ids=["empty", "blank"])
def test_an_empty_file_is_refused(text: str):
    with pytest.raises(ScenarioError, match="the file is empty"):
        start_load(text, from_file=True)


def test_a_file_cut_short_is_refused():
    _, text = saved_run()
    half = text[: len(text) * 3 // 4]  # the header and part of the run
    with pytest.raises(ScenarioError, match="cut short or changed"):
        start_load(half, from_file=True)
    with pytest.raises(ScenarioError, match="cut short"):
        start_load(text.splitlines()[0], from_file=True)


def test_a_changed_file_is_refused():
    _, text = saved_run()
    with pytest.raises(ScenarioError, match="cut short or changed"):
        start_load(text.replace("a2000000000", "a3000000000", 1), from_file=True)
    with pytest.raises(ScenarioError, match="first line"):
        start_load(text.replace("actions=11", "actions=eleven"), from_file=True)


def test_a_file_saved_before_run_files_said_their_length_opens_with_a_notice():
    demo, text = saved_run()
    old = text.splitlines()[1] + "\n"
    _, notice = read(old)
    assert notice == UNCHECKED_NOTICE
    again = replayed(old)
    assert again.snapshot()["scenario_notice"] == UNCHECKED_NOTICE
    assert again.snapshot()["scenario"] == demo.snapshot()["scenario"]


def test_deeply_nested_settings_are_refused_without_parsing_them():
    nested = ('{"a":' * 20_000 + "1" + "}" * 20_000).encode()
    settings = base64.urlsafe_b64encode(nested).decode().rstrip("=")
    with pytest.raises(ScenarioError, match="settings part cannot be read"):
        parse(f"v2.1.{settings}.r", max_chars=200_000)
    with pytest.raises(ScenarioError, match="not a run"):
        read('{"a":' * 5000 + "\n" + "}" * 5000)
