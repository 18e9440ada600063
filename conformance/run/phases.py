"""What one phase of a conformance test (setup, call, teardown) says about the target, from what it raised and what
its judge recorded:

- passed: at least one check judged a response of its kind, and none found a deviation;
- failed: a check found a deviation of the target (each distinct one keeps its evidence);
- untested: nothing of the kind the requirement judges came back, or the suite's credentials were refused by policy;
- skipped: left out on purpose (--read-only);
- error: the suite itself could not do its part (a failed set-up, an unreachable target, a bug): never a deviation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from conformance.checks import MAX_KEPT, Ledger
from conformance.checks.failures import Deviation, NothingToJudge, leaves
from conformance.protocol.wire import read_error
from conformance.results.evidence import one_line
from conformance.safety.redaction import Redactor
from conformance.world.seeding import SeedingError

if TYPE_CHECKING:
    import pytest


@dataclass
class Phase:
    when: str
    outcome: str | None  # None: a setup or teardown that did its part (no verdict of its own)
    reason: str | None = None
    judged: int = 0
    nothing_to_judge: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    deviations: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    longrepr: str | None = None  # what pytest shows for a deviation: the broken expectations, not a traceback

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "longrepr"}


def refused_by_policy(error: BaseException) -> str | None:
    """Why a set-up call was refused by the suite's own credentials' policy (AccessDenied), if it was."""
    if isinstance(error, SeedingError):
        found = read_error(error.exchange)
        if found is not None and found.code == "AccessDenied":
            return f"the suite's credentials may not set this test up ({error}): nothing about the target to judge"
    return None


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    reason = str(longrepr[-1]) if isinstance(longrepr, tuple) else str(longrepr or "skipped")
    return reason.removeprefix("Skipped: ")


def classify_phase(
    when: str,
    excinfo: pytest.ExceptionInfo[BaseException] | None,
    ledger: Ledger | None,
    report: pytest.TestReport,
    redactor: Redactor,
    describe: Callable[[Deviation], dict[str, Any]],
) -> Phase:
    """`describe` turns a Deviation into its evidence (conformance.results.evidence.from_deviation with the run's
    context)."""
    phase = Phase(when, None)
    if ledger is not None:
        phase.judged, phase.nothing_to_judge = ledger.judged, list(ledger.nothing_to_judge)
        phase.notes, phase.checks = list(ledger.notes), list(ledger.checks)
        if ledger.left_out:
            phase.notes.append(f"{ledger.left_out} more notes or reasons left out (the first {MAX_KEPT} of each kept)")
    if report.skipped:
        phase.outcome, phase.reason = "skipped", one_line(_skip_reason(report), redactor)
        return phase
    if excinfo is None:
        if when == "call":
            if phase.judged:
                phase.outcome = "passed"
            else:
                phase.outcome = "untested"
                phase.reason = "; ".join(phase.nothing_to_judge) or "no check judged a response"
        return phase
    found = leaves(excinfo.value)
    deviations = [e for e in found if isinstance(e, Deviation)]
    unjudgeable = [e.reason if isinstance(e, NothingToJudge) else refused_by_policy(e) for e in found]
    errors = [e for e, why in zip(found, unjudgeable, strict=False) if not isinstance(e, Deviation) and why is None]
    phase.deviations = [describe(d) for d in deviations]
    phase.checks += [d.check for d in deviations if d.check and d.check not in phase.checks]
    phase.errors = [one_line(f"{type(e).__name__}: {e}", redactor) for e in errors]
    if deviations:
        phase.outcome = "failed"
        phase.longrepr = "\n".join(one_line(str(d), redactor, 2000) for d in deviations)
    elif errors:
        phase.outcome = "error"
        phase.reason = f"{when}: {phase.errors[0]}"
    else:
        phase.outcome = "untested"
        phase.reason = one_line("; ".join(why for why in unjudgeable if why), redactor)
    return phase
