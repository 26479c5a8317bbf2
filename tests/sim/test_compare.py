"""compare: the same traffic and faults through every mode, with consistent counts."""

from sim.compare import compare
from sim.config import build_config
from sim.model import Model


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
