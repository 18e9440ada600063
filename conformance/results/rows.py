"""One requirement as a run judged it (RequirementResult: its status, the page's sentence, its tests and failures
with their evidence), built from the tests the run recorded, and what reports count of them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.contract.spec import CATEGORIES, requirements
from conformance.results.outcomes import STATUSES, Status
from conformance.results.record import STRENGTH, TestRecord
from conformance.results.signatures import Signature


@dataclass(frozen=True)
class TestOutcome:
    name: str
    status: Status
    reason: str | None
    judged: int
    requests: int


@dataclass(frozen=True)
class Failure:
    """One deviation: the broken expectation, and its evidence (conformance.results.evidence: request, response, curl
    line, signature)."""

    message: str
    evidence: Mapping[str, Any]

    @property
    def signature(self) -> Signature | None:
        return Signature.from_dict(self.evidence.get("signature"))

    @property
    def line(self) -> str:
        """The broken expectation in one line."""
        return f"expected {self.evidence.get('expected')}; got {self.evidence.get('actual')}"


@dataclass(frozen=True)
class RequirementResult:
    id: str
    category: str
    status: Status
    reason: str | None  # why error, skipped or untested
    title: str
    source: str  # the page's sentence
    evidence: str | None  # recorded | documented | analogy
    evidence_source: str | None
    test_results: tuple[TestOutcome, ...]
    known_deviation: str | None  # the baseline's reason, when the failure is a known one
    failures: tuple[Failure, ...]
    errors: tuple[str, ...]
    notes: tuple[str, ...]
    checks: tuple[str, ...]

    @property
    def failure_line(self) -> str:
        """A failed requirement in one line: its first failure's broken expectation."""
        return self.failures[0].line if self.failures else self.title

    def to_summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "category": self.category,
            "status": str(self.status),
            "reason": self.reason,
            "title": self.title,
            "source": self.source,
            "evidence": self.evidence,
            "evidence_source": self.evidence_source,
            "tests": len(self.test_results),
            "test_results": [
                {
                    "name": t.name,
                    "status": str(t.status),
                    "reason": t.reason,
                    "judged": t.judged,
                    "requests": t.requests,
                }
                for t in self.test_results
            ],
            "known_deviation": self.known_deviation,
            "failures": [{"message": f.message, "evidence": dict(f.evidence)} for f in self.failures],
            "errors": list(self.errors),
            "notes": list(self.notes),
            "checks": list(self.checks),
            "evidence_pointers": {"html": f"report.html#{self.id}", "junit": f"junit.xml#{self.id}"},
        }


NOT_ASKED_FOR = "not asked for: a partial run (--requirement, --category)"


def requirement_rows(
    tests: Sequence[TestRecord],
    expected_failures: Mapping[str, str],
    not_run_reason: str,
    selection: Sequence[str] = (),
) -> tuple[RequirementResult, ...]:
    """`selection`: a partial run's requirements; the others are skipped (left out on purpose), not untested."""
    rows = []
    for requirement in requirements().values():
        mine = sorted((t for t in tests if t.requirement == requirement.id), key=lambda t: t.nodeid)
        left_out = bool(selection) and requirement.id not in selection and not mine
        default = Status.SKIPPED if left_out else Status.UNTESTED
        status = max((t.status for t in mine), key=STRENGTH.__getitem__, default=default)
        reasons = list(dict.fromkeys(t.reason for t in mine if t.status == status and t.reason))
        if not mine:
            reasons = [NOT_ASKED_FOR if left_out else not_run_reason]
        rows.append(
            RequirementResult(
                id=requirement.id,
                category=requirement.category,
                status=status,
                reason="; ".join(reasons) if status != Status.PASSED and reasons else None,
                title=requirement.title,
                source=requirement.source,
                evidence=requirement.evidence,
                evidence_source=requirement.evidence_source,
                test_results=tuple(
                    TestOutcome(t.nodeid.rsplit("::", 1)[-1], t.status, t.reason, t.judged, t.requests) for t in mine
                ),
                known_deviation=expected_failures.get(requirement.id) if status == Status.FAILED else None,
                failures=tuple(
                    Failure(f"expected {d['expected']}; got {d['actual']}", d) for t in mine for d in t.deviations
                ),
                errors=tuple(e for t in mine for e in t.errors),
                notes=tuple(dict.fromkeys(n for t in mine for n in t.notes)),
                checks=tuple(sorted({c for t in mine for c in t.checks})),
            )
        )
    return tuple(rows)


def signatures_seen(rows: Sequence[RequirementResult]) -> dict[str, set[Signature]]:
    """Each failed requirement's deviation signatures (conformance.results.signatures), as its evidence recorded
    them."""
    seen: dict[str, set[Signature]] = {}
    for row in rows:
        for failure in row.failures:
            signature = failure.signature
            if signature is not None:
                seen.setdefault(row.id, set()).add(signature)
    return seen


def counts_by_category(rows: Sequence[RequirementResult]) -> dict[str, dict[str, int]]:
    counts = {c: {str(status): 0 for status in STATUSES} for c in CATEGORIES}
    for row in rows:
        counts[row.category][str(row.status)] += 1
    return counts
