"""The conformance tests: one module per category, each test marked with the requirement it enforces.

Run them with `iam-conformance run` or `pytest --pyargs conformance.suite`.
"""
import pytest


def requirement(requirement_id: str):
    """Mark a test as enforcing one requirement of schemas/requirements.json (id, category, page sentence)."""
    return pytest.mark.requirement(requirement_id)
