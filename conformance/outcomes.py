"""The vocabulary of a run's outcome, in one place: exit codes and statuses."""
from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # conformant, or only the baseline's known deviations
    NONCONFORMANT = 1  # a requirement failed outside the baseline (or a stale entry under --strict-baseline)
    INCOMPLETE = 2  # could not run, or the run cannot vouch for what it did not see (the reason is printed)


# A requirement's status, strongest first (a requirement with one failed test is failed, ...).
STATUSES = ("failed", "error", "passed", "skipped", "untested")
