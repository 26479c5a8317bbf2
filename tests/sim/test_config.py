"""Config: sourced defaults, validation that names the field, a default policy per mode."""

import pytest

from sim.core.config import Config, build_config
from sim.core.errors import ScenarioError


def test_defaults_follow_haproxy_and_a_typical_production_setup():
    config = Config()
    assert (config.health_check_interval_ms, config.rise, config.fall) == (2_000, 2, 3)
    assert config.retries == 3
    assert config.kill_kind == "crash" and config.redispatch == "every"
    assert config.servers == 3


@pytest.mark.parametrize(
    ("mode", "policy"),
    [
        ("stateless", "round_robin"),
        ("stateful", "sticky"),
        ("replicated", "sticky"),
    ],
)
def test_each_mode_brings_its_default_policy(mode, policy):
    assert Config(mode=mode).policy == policy


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("mode", "weird", "mode"),
        ("servers", 0, "servers"),
        ("servers", 27, "servers"),
        ("fall", 1.5, "fall"),
        ("rise", True, "rise"),
        ("redispatch", 1, "redispatch"),
        ("redispatch", "sometimes", "redispatch"),
        ("kill_kind", "explode", "kill_kind"),
    ],
)
def test_invalid_values_are_refused_naming_the_field(field, value, words):
    with pytest.raises(ScenarioError, match=words):
        Config(**{field: value})


def test_overrides_apply_to_the_base_and_a_new_mode_resets_the_policy():
    base = build_config({"policy": "least_connections", "kill_kind": "vanish"})
    same_mode = build_config({"mode": "stateless"}, base)
    assert same_mode.policy == "least_connections"
    other = build_config({"mode": "stateful"}, base)
    assert (other.policy, other.kill_kind) == ("sticky", "vanish")


def test_unknown_fields_are_refused():
    with pytest.raises(ScenarioError, match="unknown config field"):
        build_config({"colour": "red"})


def test_differences_lists_only_fields_off_the_mode_defaults():
    assert Config(mode="stateful").differences() == {"mode": "stateful"}
    assert Config(mode="stateful", policy="round_robin").differences() == {
        "mode": "stateful",
        "policy": "round_robin",
    }
