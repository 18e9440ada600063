"""Exit codes and the one root of the suite's own errors.

Every error the suite raises for a reason it can state (bad usage, a target it cannot use, a file it cannot read or
write) is a ConformanceError carrying the exit code it means; the CLI turns one into a single line and that code,
never a traceback. A target's deviation is no error: it is a verdict (conformance.checks.failures)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # conformant, or only the baseline's known deviations
    NONCONFORMANT = 1  # a deviation outside the baseline (or a stale or drifted entry under --strict-baseline)
    INCOMPLETE = 2  # could not run, or the run cannot vouch for what it did not see (the reason is printed)


class ConformanceError(Exception):
    """An error with a one-line reason and the exit code it means (2 unless a subclass says otherwise)."""

    exit_code: ExitCode = ExitCode.INCOMPLETE
