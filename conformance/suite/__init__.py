"""The conformance tests: one module per category, each test marked with the requirement it enforces.

Run them with `iam-conformance run` or `pytest --pyargs conformance.suite`.

Beside the tests: their pytest fixtures (fixtures) and the running of tests beside each other (side_by_side). It may
import conformance.world and below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar, cast

import pytest

if TYPE_CHECKING:
    from hypothesis import strategies as st

T = TypeVar("T")


def requirement(requirement_id: str) -> pytest.MarkDecorator:
    """Mark a test as enforcing one requirement of schemas/requirements.json (id, category, page sentence)."""
    return pytest.mark.requirement(requirement_id)


# The longest test (the state machine: its own users, keys and sequences; 40 sequences of 20 steps in the thorough
# profile): the plugin schedules it first, so that under xdist one worker starts it while the other works through
# the short ones, instead of a lone worker finishing it after everything else is done.
runs_long = pytest.mark.runs_long
# A test whose work can run beside the others: from the session's start it runs in a thread of its own (its requests
# overlapping everyone's, within the client's pace), and its test item waits for it and reports it (see
# conformance.suite.side_by_side). Only tests that take session fixtures (and their judge) can: their arguments exist
# then.
beside = pytest.mark.beside
# A test that waits for a moment after the seeding (a second past an upload): in one process it runs last, by when
# that moment has mostly passed, instead of sleeping while the tests after it could have run.
waits_on_the_clock = pytest.mark.waits_on_the_clock


# Values per example of a batched property: sent at once (their requests overlap), judged one by one. Hypothesis
# draws lists of 1..BATCH values; their mean size sets how many examples make a profile's count of values.
BATCH = 8
MEAN_BATCH = 4.5


def batched(values: st.SearchStrategy[T], *explicit: T) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """@given for a property over batches of `values`: each example is a list sent at once, so a target far away
    costs a round trip per batch, not per value; about as many values in all as the profile draws one by one. The
    page's boundaries (`explicit`) make one example of their own, on every seed. A failing batch shrinks to the one
    failing value (then each step of shrinking sends one request)."""
    from hypothesis import example, given, settings
    from hypothesis import strategies as st

    def decorate(test: Callable[..., None]) -> Callable[..., None]:
        drawn = given(values=st.lists(values, min_size=1, max_size=BATCH))
        # At least two: Hypothesis' first generated example is its simplest; the others are drawn at random.
        profile = cast(settings, settings.default)  # a profile is always loaded
        examples = max(2, round(profile.max_examples / MEAN_BATCH))
        test = settings(max_examples=examples)(drawn(test))
        return example(values=list(explicit))(test) if explicit else test

    return decorate
