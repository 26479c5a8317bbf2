"""The rebalance rule (sim/core/rebalance.py): the seconds from the last add until the new
server finished at least 0.8 of the live servers' mean in a bucket of the series, decided in
the model as buckets close, so the command line, the lesson and Compare read one figure."""

from sim.core import capacity, rebalance
from sim.core.config import build_config
from sim.core.model import Model
from sim.core.units import MS, S
from sim.story.lessons import SCALE_SETUP


def loaded(mode: str = "stateless", seed: int = 1, **overrides: object) -> Model:
    """A model with the scale-out lesson's settings and traffic."""
    config = build_config({"mode": mode, **SCALE_SETUP["config"], **overrides})
    model = Model(config, seed)
    model.set_traffic(SCALE_SETUP["rate_per_s"] * 1_000)
    return model


def polled(model: Model, new: object, seconds: int) -> int | None:
    """The rule read from outside, as the command line did before the model kept it: at each
    whole second, the last full bucket's rates."""
    found = None
    for second in range(1, seconds + 1):
        model.advance(S)
        rates = [capacity.finished_per_s(model, s) for s in model.servers if s.alive]
        mean = sum(rates) / len(rates)
        if found is None and mean and capacity.finished_per_s(model, new) >= 0.8 * mean:
            found = second
    return found


def test_with_no_server_added_there_is_no_figure():
    model = loaded()
    model.advance(10 * S)
    assert rebalance.rebalance_s(model) is None
    assert model.servers_added == model.servers_removed == 0


def test_the_model_gives_what_polling_each_second_gives_in_each_mode():
    for mode in ("stateless", "stateful"):
        model = loaded(mode, seed=2)
        model.advance(30 * S)
        new = model.add_server()
        assert rebalance.rebalance_s(model) is None  # not judged before a bucket closes
        assert polled(model, new, 90) == rebalance.rebalance_s(model)


def test_stateless_takes_its_share_within_seconds_a_sticky_tier_about_a_visit():
    figures = {}
    for mode in ("stateless", "stateful", "replicated"):
        model = loaded(mode)
        model.advance(30 * S)
        model.add_server()
        model.advance(150 * S)
        figures[mode] = rebalance.rebalance_s(model)
    assert figures["stateless"] <= 3
    assert figures["stateful"] >= 20 and figures["replicated"] >= 20  # visits of 60 s end


def test_an_add_between_bucket_ends_counts_to_the_end_of_the_bucket_that_had_the_share():
    model = loaded()
    model.advance(20 * S + 300 * MS)
    model.add_server()
    model.advance(10 * S)
    took = rebalance.rebalance_s(model)
    watched = model.added
    assert watched.done_ns % S == 0  # a bucket's end
    assert took == (watched.done_ns - watched.at_ns) / S
    assert isinstance(took, float) and round(took * 1000) % 1000 == 700  # 0.7 s after a bucket end


def test_a_server_removed_before_it_had_its_share_leaves_no_figure():
    model = loaded("stateful")
    model.advance(20 * S)
    model.add_server()
    model.advance(2 * S)
    model.remove_server()
    model.advance(60 * S)
    assert rebalance.rebalance_s(model) is None
    assert model.servers_added == model.servers_removed == 1


def test_without_traffic_a_new_server_never_has_a_share():
    model = Model(build_config({}), 1)
    model.add_server()
    model.advance(10 * S)
    assert rebalance.rebalance_s(model) is None
    assert (model.servers_added, model.servers_removed) == (1, 0)
