"""Hypothesis profiles, registered in one place. `standard` is the default; under CI runs are derandomized."""
from __future__ import annotations

import os

PROFILES = {"quick": 3, "standard": 10, "thorough": 50}  # examples per property
# The state machine (suite/test_stateful.py): (sequences, steps per sequence); each step costs a few requests.
# Several short sequences beat one long one: the first sequence Hypothesis tries is always the simplest.
STATEFUL = {"quick": (3, 6), "standard": (4, 6), "thorough": (40, 20)}
DEFAULT_PROFILE = "standard"


def register() -> None:
    from hypothesis import HealthCheck, settings  # lazily: the CLI lists profile names before pytest starts

    for name, examples in PROFILES.items():
        settings.register_profile(
            name,
            max_examples=examples,
            deadline=None,  # the target's latency is not the property under test
            database=None,  # nothing written into the user's working tree
            derandomize=bool(os.environ.get("CI")),
            print_blob=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                   HealthCheck.filter_too_much],
        )


def load(name: str) -> None:
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r}; choose one of {', '.join(PROFILES)}")
    register()
    from hypothesis import settings

    settings.load_profile(name)
