"""The conformance tests: one module per category, each test marked with the requirement it enforces.

Run them with `iam-conformance run` or `pytest --pyargs conformance.suite`.
"""
import pytest


def requirement(requirement_id: str):
    """Mark a test as enforcing one requirement of schemas/requirements.json (id, category, page sentence)."""
    return pytest.mark.requirement(requirement_id)


# The longest test (the state machine: its own users, keys and sequences; 40 sequences of 20 steps in the thorough
# profile): the plugin schedules it first, so that under xdist one worker starts it while the other works through
# the short ones, instead of a lone worker finishing it after everything else is done.
runs_long = pytest.mark.runs_long

