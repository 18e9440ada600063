"""What pytest is told of each test, so that its counts, its own junit.xml (--junitxml) and the gate agree:

- a deviation the baseline knows is an expected failure (xfail, with the baseline's reason; JUnit: skipped), unless
  --strict-baseline and it failed otherwise than the baseline recorded (drift fails the gate: it fails here too);
- a deviation outside the baseline fails;
- a suite error is an error (set-up and teardown errors are errors to pytest already; one in a test's body is counted
  as an error in pytest's terminal, though pytest's own junit.xml, which knows set-up and teardown errors only, lists
  it as a failure whose message starts "suite error");
- a test with nothing to judge (untested) is skipped, with why.

The run's own verdict comes from the outcomes its owner collects (conformance.run.phases), never from these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from conformance.results.baselines import Baseline
from conformance.results.signatures import Signature

SUITE_ERROR = "suite error (not the target's deviation)"


@dataclass(frozen=True)
class Expected:
    """The baseline a run gates on, as each process reads it."""

    baseline: Baseline | None
    strict: bool

    def xfail_reason(self, requirement: str | None, deviations: list[dict[str, Any]]) -> str | None:
        """The reason a failed test of `requirement` is an expected failure, or None when it fails the gate."""
        if self.baseline is None or requirement not in self.baseline.expected_failures:
            return None
        reason = f"known deviation ({self.baseline.label}): {self.baseline.expected_failures[requirement]}"
        recorded = self.baseline.signatures.get(requirement)
        seen = {Signature.from_dict(d.get("signature")) for d in deviations} - {None}
        if recorded and seen - recorded:
            if self.strict:
                return None  # drift fails a strict gate
            return f"{reason} (drifted: it fails otherwise than the baseline recorded)"
        return reason


def tell_pytest(report: pytest.TestReport, item: pytest.Item, phase: dict[str, Any], expected: Expected) -> None:
    """Turn `report` into what the phase's conformance outcome means to pytest (module docstring)."""
    outcome = phase.get("outcome")
    if outcome == "failed" and report.failed:
        reason = expected.xfail_reason(phase.get("requirement"), phase.get("deviations") or [])
        if reason is not None:
            report.outcome = "skipped"
            report.wasxfail = reason  # (what pytest's skipping plugin sets: shown XFAIL, junit skipped pytest.xfail)
    elif outcome == "untested" and (report.failed or report.passed):
        path, line, _ = item.location
        report.outcome = "skipped"
        report.longrepr = (path, (line or 0) + 1, f"untested: {phase.get('reason') or 'nothing to judge'}")
    elif outcome == "error" and report.failed and report.when == "call":
        report.longrepr = f"{SUITE_ERROR}: {phase.get('reason')}\n{report.longrepr}"


def teststatus(report: pytest.TestReport, phase: dict[str, Any] | None) -> tuple[str, str, str] | None:
    """A suite error in a test's body is an error to pytest's terminal too (a failed set-up is one already)."""
    if phase is not None and phase.get("outcome") == "error" and report.when == "call" and report.failed:
        return "error", "E", "ERROR"
    return None
