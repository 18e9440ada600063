"""The step of a run that sends a call, for a recording of the run (conformance.recording; a client's tap shows each
completed call with its step: conformance.protocol.client.Tapped).

The step is what sent the call: a test's phase (`stepping`, set by the process running the tests), or the test a
thread runs beside the others (the client's attribution); None outside any test (the run's owner).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    test: str | None  # a test's node id; None: the run's own set-up or cleanup, outside any test
    phase: str  # setup | call | teardown | session


OUTSIDE_TESTS = Step(None, "session")
_STEP: contextvars.ContextVar[Step | None] = contextvars.ContextVar("iam_conformance_step", default=None)


@contextlib.contextmanager
def stepping(test: str, phase: str) -> Iterator[None]:
    """The calls made meanwhile from this context (and the threads that copy it) belong to `test`'s `phase`."""
    token = _STEP.set(Step(test, phase))
    try:
        yield
    finally:
        _STEP.reset(token)


def current_step(attributed_to: str | None) -> Step:
    """The step of a call: the test it is attributed to (a test running beside the others), else the phase set by
    `stepping`, else OUTSIDE_TESTS."""
    if attributed_to is not None:
        return Step(attributed_to, "call")
    return _STEP.get() or OUTSIDE_TESTS
