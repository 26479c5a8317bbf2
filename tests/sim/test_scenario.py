"""Scenario encoding: compact, versioned, URL-safe, round-trips; hostile text is refused."""

import contextlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.browser.scenario import MAX_CHARS, Scenario, encode, parse
from sim.core.config import build_config
from sim.core.errors import ScenarioError

SIM = settings.get_profile("sim")

numbers = st.one_of(st.integers(0, 100), st.integers(0, 100_000).map(lambda m: m / 1000))
actions = st.one_of(
    st.just({"type": "request"}),
    st.just({"type": "request", "tabs": 2}),
    st.integers(0, 600 * 10**9).map(lambda ns: {"type": "advance", "ns": ns}),
    st.builds(lambda s: {"type": "kill", "server": s}, st.sampled_from("ABCDEFGH")),
    st.builds(
        lambda s, k: {"type": "kill", "server": s, "kind": k},
        st.sampled_from("ABC"),
        st.sampled_from(["crash", "vanish"]),
    ),
    st.builds(lambda s: {"type": "restart", "server": s}, st.sampled_from("ABCDEFGH")),
    st.sampled_from(
        [
            {"type": t}
            for t in [
                "add_server",
                "remove_server",
                "kill_store",
                "restore_store",
                "deploy",
                "failover_store",
            ]
        ]
    ),
    st.booleans().map(lambda on: {"type": "chaos", "on": on}),
    numbers.map(lambda r: {"type": "traffic", "rate_per_s": r}),
    st.integers(0, 10_000_000).map(lambda m: {"type": "store_latency", "ms": m / 1000}),
)
configs = st.fixed_dictionaries(
    {},
    optional={
        "mode": st.sampled_from(["stateless", "stateful", "replicated"]),
        "policy": st.sampled_from(["round_robin", "least_connections", "sticky"]),
        "kill_kind": st.sampled_from(["crash", "vanish"]),
        "redispatch": st.sampled_from([True, False, "every", "last", "off"]),
        "servers": st.integers(1, 26),
        "fall": st.integers(1, 100),
        "connect_timeout_ms": st.integers(1, 600_000),
        "store_update": st.sampled_from(["read_modify_write", "atomic"]),
        "drain_ms": st.integers(0, 600_000),
        "store_wait": st.booleans(),
        "store_replication_lag_ms": st.integers(0, 600_000),
    },
)


def canonical(action: dict) -> dict:
    """Canonical numbers, as validate_action makes them."""
    from sim.browser.actions import validate_action

    return validate_action(action)


@SIM
@given(st.integers(0, 2**32 - 1), configs, st.lists(actions, max_size=60))
def test_parse_of_encode_is_the_same_scenario(seed, overrides, action_list):
    scenario = Scenario(seed, build_config(overrides), tuple(canonical(a) for a in action_list))
    text = encode(scenario)
    assert len(text) <= MAX_CHARS
    assert re.fullmatch(r"[A-Za-z0-9._~-]+", text)
    assert text.startswith("v4.")
    assert parse(text) == scenario


@SIM
@given(st.text(max_size=300))
def test_parsing_arbitrary_text_raises_only_scenario_error(text):
    with contextlib.suppress(ScenarioError):
        parse(text)


@SIM
@given(
    st.text(
        alphabet="v2.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_~=",
        max_size=120,
    )
)
def test_parsing_scenario_like_text_raises_only_scenario_error(text):
    with contextlib.suppress(ScenarioError):
        parse("v2." + text)


def test_a_whole_link_is_accepted():
    text = encode(Scenario(7, build_config({"mode": "stateful"}), ({"type": "request"},)))
    for link in [
        f"https://example.org/guide/?scenario={text}",
        f"http://127.0.0.1:8000/?a=b&scenario={text}#demo",
        f"https://example.org/#scenario={text}",
    ]:
        assert parse(link) == parse(text)


def test_runs_of_requests_are_compressed():
    scenario = Scenario(1, build_config({}), ({"type": "request"},) * 5)
    assert encode(scenario) == "v4.1..r5"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "not a scenario"),
        ("v9.1..r", "not a scenario"),
        ("v2.99999999999..r", "seed"),
        ("v2.-1..r", "seed"),
        ("v2.1.!!!.r", "settings part has characters"),
        ("v2.1.YWJj.r", "settings part cannot be read"),  # abc
        ("v2.1.W10.r", "holds no list of settings"),  # []
        ("v2.1.eyJzZXJ2ZXJzIjo5OTk5OTk5OTk5OTl9.r", "servers"),  # {"servers":999999999999}
        ("v2.1.eyJ4Ijp7fX0.r", "plain value"),  # {"x":{}}
        ("v2.1..a9999999999999", "cap"),
        ("v2.1..a600000000000-" * 1 + "a600000000000-" * 12 + "r", "2 hours"),
        ("v2.1..q", "not an action the demo knows"),
        ("v2.1..r0", "requests"),
        ("v2.1..t1000", "outside"),
        ("v2.1..l99999.5", "outside"),
        ("v2.1.." + "r1000-" * 6 + "r", "more than"),
        ("v2.1.." + "r" * 2001, "too long"),
        ("https://example.org/?scenario=", "no scenario"),
        ("x" * 30_000, "too long"),
    ],
)
def test_hostile_or_broken_text_is_refused_saying_what_is_wrong(text, words):
    with pytest.raises(ScenarioError, match=words):
        parse(text)


def test_deep_nesting_in_the_config_is_refused_cleanly():
    import base64

    deep = base64.urlsafe_b64encode(b"[" * 1400).decode().rstrip("=")
    with pytest.raises(ScenarioError):
        parse(f"v2.1.{deep}.r")


@SIM
@given(configs, st.lists(actions, max_size=80))
def test_a_demo_keeps_its_encoding_equal_to_encoding_its_scenario_anew(overrides, action_list):
    """The demo's incremental encoding (advances merge, requests run) never drifts."""
    from sim.browser.facade import Demo

    demo = Demo(Scenario(3, build_config(overrides)))
    for action in action_list:
        # An action the cluster refuses (no such server) is not recorded.
        with contextlib.suppress(ScenarioError):
            demo.act(action)
    assert demo.snapshot()["scenario"] == encode(demo.scenario())


def test_a_thousand_and_one_requests_take_two_tokens():
    scenario = Scenario(1, build_config({}), ({"type": "request"},) * 1001)
    assert encode(scenario) == "v4.1..r1000-r"


def test_the_lessons_tokens_parse_beside_the_old_ones():
    scenario = parse("v4.1..r2-rr-p-f-a5-u")
    assert scenario.actions[:5] == (
        {"type": "request"},
        {"type": "request"},
        {"type": "request", "tabs": 2},
        {"type": "deploy"},
        {"type": "failover_store"},
    )
    assert scenario.actions[5:] == ({"type": "advance", "ns": 5}, {"type": "restore_store"})
    assert encode(scenario) == "v4.1..r2-rr-p-f-a5-u"
    with pytest.raises(
        ScenarioError, match="step 2 of the run, 'rr2', is not an action the demo knows"
    ):
        parse("v2.1..r-rr2")


def test_an_old_link_parses_to_the_same_actions_and_config_as_before_the_lessons():
    """A v1 and a v2 link made before the lessons: no new field in the config, no new action."""
    for text in ("v1.1.eyJtb2RlIjoic3RhdGVmdWwifQ.r3-kA-r", "v2.7..r2-kBv-a6000000000-d-u-l2.5"):
        scenario = parse(text)
        assert set(scenario.config.differences()) <= {"mode"}
        assert all(a["type"] != "deploy" and "tabs" not in a for a in scenario.actions)
        assert encode(scenario).split(".", 1)[1] == text.split(".", 1)[1]


def test_a_minus_sign_in_a_step_is_shown_as_written():
    with pytest.raises(ScenarioError, match="step 1 of the run, 'a-5', is not an action"):
        parse("v2.1..a-5")
    with pytest.raises(ScenarioError, match=r"step 2 of the run, 'l-3\.5', is not an action"):
        parse("v2.1..r-l-3.5-r")


def test_a_v2_link_with_redispatch_false_replays_as_plain_option_redispatch_with_a_notice():
    from sim.browser.facade import load

    old = load("v2.1.eyJtb2RlIjoic3RhdGVmdWwiLCJyZWRpc3BhdGNoIjpmYWxzZX0.r")
    snap = old.snapshot()
    assert snap["config"]["redispatch"] == "last"
    assert "earlier version" in snap["scenario_notice"]
    assert snap["scenario"] == "v4.1.eyJtb2RlIjoic3RhdGVmdWwiLCJyZWRpc3BhdGNoIjoibGFzdCJ9.r"
