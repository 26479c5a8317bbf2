"""Shared settings for the simulator tests: a repeatable Hypothesis profile."""

from hypothesis import HealthCheck, settings

# Derandomized, no deadline, no example database: the same examples on every machine and run.
# Applied per test (not loaded globally) so other test folders keep their own settings.
settings.register_profile(
    "sim",
    derandomize=True,
    deadline=None,
    database=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
SIM = settings.get_profile("sim")  # registered in conftest.py
