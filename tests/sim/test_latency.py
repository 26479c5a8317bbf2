"""Latency draws: integer nanoseconds within the documented ranges, repeatable by seed."""

from random import Random

from hypothesis import given
from hypothesis import strategies as st

from sim.core.config import Config
from sim.core.latency import Latency, trunc


def draws(seed: int) -> list[int]:
    latency = Latency(Config(), Random(seed))
    return [latency.hop() for _ in range(200)] + [
        latency.stateless_request(0)[0] for _ in range(200)
    ]


def test_draws_are_integers_in_range():
    values = draws(3)
    hops, store = values[:200], values[200:]
    assert all(type(v) is int for v in values)
    assert all(125_000 <= v < 375_000 for v in hops)
    assert all(200_000 <= v < 500_000 for v in store)  # 0.2-0.5 ms, redis.io


def test_same_seed_same_draws():
    assert draws(7) == draws(7)
    assert draws(7) != draws(8)


def test_added_store_latency_is_added_to_each_round_trip():
    latency = Latency(Config(store_jitter_us=0), Random(1))
    load, _work, save = latency.stateless_request(5_000_000)
    assert load == save == 5_200_000


@given(st.floats(min_value=0, max_value=2.0**62, allow_nan=False, allow_infinity=False))
def test_trunc_is_int_of_a_float(value: float):
    assert type(trunc(value)) is int
    assert trunc(value) == int(value)
