"""compare: the same traffic and faults through every mode, with consistent counts."""

import pytest

from sim.cli.compare import compare
from sim.cli.lesson_runs import run_lesson
from sim.core.config import build_config
from sim.core.errors import ScenarioError
from sim.core.model import Model


def test_every_mode_meets_the_same_faults_and_counts_consistently():
    result = compare(2_000, seed=9, users=30, chaos_per_1000=3)
    for figures in result.values():
        assert figures["requests"] == figures["ok"] + figures["failed"] == 2_000
        assert figures["acknowledged_items"] == figures["ok"]
        assert figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"]
    assert result["stateless"]["lost_items"] == 0
    assert result["stateful"]["lost_items"] > result["replicated"]["lost_items"]
    assert result["stateless"]["p50_ms"] > result["stateful"]["p50_ms"]  # store round trips


def test_without_chaos_nothing_is_lost_or_retried():
    result = compare(1_000, seed=2)
    for figures in result.values():
        assert (figures["failed"], figures["retried"], figures["lost_items"]) == (0, 0, 0)


def test_no_successful_request_means_null_percentiles():
    model = Model(build_config({}), 1, record=False)
    assert model.metrics.percentiles() == {"p50_ms": None, "p95_ms": None, "p99_ms": None}


def test_the_deploy_lesson_loses_only_stateful_sessions():
    """A rolling deploy (HAProxy drain, clean stops): Tomcat's StandardManager drops the
    stateful sessions; BackupManager's MSG_STOP keeps the replicated ones."""
    result = run_lesson("deploy")
    for figures in result.values():
        assert figures["requests"] == figures["ok"] == 12_000
    assert result["stateless"]["lost_items"] == result["replicated"]["lost_items"] == 0
    assert result["stateful"]["lost_sessions"] > 100
    assert result["replicated"]["lost_sessions"] == 0


def test_the_store_failover_lesson_is_an_outage_for_stateless_only():
    """Sentinel's down-after (30 s) plus the promotion (5 s) at 100 requests/s: about 3,500
    stateless requests fail, and the writes within the replication lag are lost."""
    result = run_lesson("store-failover")
    stateless = result["stateless"]
    assert 3_300 < stateless["failed"] < 3_700
    assert 0 < stateless["lost_items"] < 40
    for mode in ("stateful", "replicated"):
        assert result[mode]["failed"] == result[mode]["lost_items"] == 0


def test_the_two_tabs_lesson_loses_one_item_per_user_in_stateless_mode():
    """Read-modify-write of the whole cart (the default store_update): the last write wins;
    the in-memory session, guarded by the application, loses none."""
    result = run_lesson("two-tabs", seed=4)
    assert result["stateless"]["lost_items"] == 100
    assert result["stateful"]["lost_items"] == result["replicated"]["lost_items"] == 0
    assert {figures["requests"] for figures in result.values()} == {300}


def test_a_lesson_is_the_same_run_each_time_and_refuses_bad_names():
    assert run_lesson("two-tabs", seed=2) == run_lesson("two-tabs", seed=2)
    with pytest.raises(ScenarioError, match="lesson: 'crash' is not one of"):
        run_lesson("crash")
