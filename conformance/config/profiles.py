"""Hypothesis profiles of a conformance run, registered in one place and loaded only by a conformance run.

Profile names are prefixed (`iam-conformance-standard`) so that nothing of a user's own profiles is replaced.
"""

from __future__ import annotations

PROFILES = {"quick": 3, "standard": 10, "thorough": 50}  # examples per property
# The state machine (suite/test_stateful.py): (sequences, steps per sequence); each step costs a few requests.
# Several short sequences beat one long one: the first sequence Hypothesis tries is always the simplest.
STATEFUL = {"quick": (3, 6), "standard": (4, 6), "thorough": (40, 20)}
DEFAULT_PROFILE = "standard"


def hypothesis_name(profile: str) -> str:
    return f"iam-conformance-{profile}"


def load(profile: str) -> None:
    """Register every profile and load `profile`: the run's examples per property, never a database in the
    user's working tree, no deadline (the target's latency is not the property under test)."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    from hypothesis import HealthCheck, settings  # lazily: the CLI lists profile names before pytest starts

    for name, examples in PROFILES.items():
        settings.register_profile(
            hypothesis_name(name),
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=False,  # the run's seed decides (Hypothesis' own CI profile would derandomize and ignore it)
            print_blob=True,
            suppress_health_check=[
                HealthCheck.too_slow,
                HealthCheck.function_scoped_fixture,
                HealthCheck.filter_too_much,
            ],
        )
    settings.load_profile(hypothesis_name(profile))
