"""The vocabulary of a run's outcome, in one place: a requirement's status and the run's verdict."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """A requirement's (or a test's) status, declared strongest first: a requirement with one failed test is failed."""

    FAILED = "failed"  # the target deviated
    ERROR = "error"  # the suite itself failed: never the target's deviation
    PASSED = "passed"  # a check judged a real response of its kind and found it right
    SKIPPED = "skipped"  # left out on purpose (--read-only)
    UNTESTED = "untested"  # ran, but the target offered nothing to judge


STATUSES: tuple[Status, ...] = tuple(Status)


class Verdict(StrEnum):
    CONFORMANT = "conformant"
    NONCONFORMANT = "nonconformant"  # a deviation was observed, whatever else happened
    INCOMPLETE = "incomplete"  # nothing deviated, but the run cannot vouch for what it did not see
