"""The immutable result of a run, built once from what the run recorded; every report renders it, none changes it.

Three verdicts. conformant: every requirement judged passed (or was left out on purpose) and nothing failed.
nonconformant: a deviation was observed, whatever else happened (the reasons the run is also incomplete are listed
beside it; exit 1). incomplete: nothing deviated, but the run cannot vouch for what it did not see (interrupted, the
deadline, a target gone, a worker lost, a set-up or suite error, tests that never ran, cleanup unfinished, or nothing
to judge); exit 2. A run that could not finish never exits 0 and never passes a gate, whatever the baseline says.

summary.json is the result's JSON form (`RunResult.to_summary`), published as schemas/summary.schema.json.
"""

from __future__ import annotations

import dataclasses
import datetime
import platform
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from importlib.metadata import version
from typing import Any, TypeVar

from conformance.contract.spec import CATEGORIES, coverage, operation, requirements
from conformance.errors import ExitCode
from conformance.results import baselines, evidence
from conformance.results.outcomes import STATUSES, Status, Verdict
from conformance.results.record import STRENGTH, RunRecord, TestRecord
from conformance.results.signatures import Signature
from conformance.safety.redaction import Redactor

SUMMARY_FORMAT = 2
LOG_LIMIT = 200  # retries and waits kept in the result, each
T = TypeVar("T")


@dataclass(frozen=True)
class RunFacts:
    """What the run hands its result: against what, as whom, how, and what it was asked to compare with."""

    target: str = ""
    caller: str | None = None  # the caller's kind of credentials, in words (a target the suite did not start)
    profile: str | None = None
    seed: int | None = None
    baseline: str | None = None
    strict_baseline: bool = False
    read_only: bool = False
    calls_in_flight: int = 1
    pace_note: str = ""
    write_baseline: str | None = None
    target_name: str | None = None  # when the suite can tell (the embedded moto)
    target_version: str | None = None


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


@dataclass(frozen=True)
class RunResult:
    verdict: Verdict
    incomplete_reasons: tuple[str, ...]
    gate: baselines.Gate
    exit_code: ExitCode
    facts: RunFacts
    requirements: tuple[RequirementResult, ...]
    versions: Mapping[str, str]
    started: str  # ISO 8601, UTC
    duration_s: float
    request_count: int
    retries: int
    retry_log: tuple[Mapping[str, Any], ...]
    consistency_waits: tuple[Mapping[str, Any], ...]
    aborted: str | None  # why the run stopped talking to the target
    cleanup_problems: tuple[str, ...]
    kept_resources: tuple[str, ...]
    requests_by_category: Mapping[str, int]
    counts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    shortened: tuple[str, ...] = ()  # what the reports left out to stay within the report folder's bound

    @property
    def gate_passed(self) -> bool:
        return self.exit_code == ExitCode.OK

    @property
    def baseline_written(self) -> str | None:
        """Where this run's failures were recorded as a baseline (never for a run that could not finish)."""
        return self.facts.write_baseline if not self.incomplete_reasons else None

    def of_status(self, status: Status) -> list[RequirementResult]:
        return [row for row in self.requirements if row.status == status]

    def redacted(self, redactor: Redactor) -> RunResult:
        """This result with every string in it redacted (values are redacted, then rendered: never the reverse)."""
        return _redacted(self, redactor)

    def to_summary(self) -> dict[str, Any]:
        """summary.json (schemas/summary.schema.json)."""
        facts = self.facts
        return {
            "format": SUMMARY_FORMAT,
            "verdict": str(self.verdict),
            "incomplete_reasons": list(self.incomplete_reasons),
            "gate": "pass" if self.gate_passed else "fail",
            "operation": operation().operation,
            "target": facts.target,
            "caller": facts.caller,
            "versions": dict(self.versions),
            "profile": facts.profile,
            "hypothesis_seed": str(facts.seed) if facts.seed is not None else "unknown",
            "started": self.started,
            "duration_s": self.duration_s,
            "request_count": self.request_count,
            "retries": self.retries,
            "calls_in_flight": facts.calls_in_flight,
            "pace_note": facts.pace_note,
            "retry_log": [dict(entry) for entry in self.retry_log],
            "consistency_waits": [dict(entry) for entry in self.consistency_waits],
            "aborted": self.aborted,
            "baseline": facts.baseline,
            "strict_baseline": facts.strict_baseline,
            "read_only": facts.read_only,
            "unexpected_failures": list(self.gate.unexpected),
            "known_deviations": list(self.gate.known),
            "baseline_entries_now_passing": list(self.gate.now_passing),
            "baseline_drift": [drift.to_dict() for drift in self.gate.drift],
            "cleanup_problems": list(self.cleanup_problems),
            "kept_resources": list(self.kept_resources),
            "baseline_written": self.baseline_written,
            "counts": {category: dict(count) for category, count in self.counts.items()},
            "requests_by_category": dict(self.requests_by_category),
            "requirements": [row.to_summary() for row in self.requirements],
            "coverage": coverage(),
            "report_shortened": list(self.shortened),
        }


def _redacted(value: T, redactor: Redactor) -> T:
    """`value` with every string inside it redacted, its types kept (enums are vocabulary, never redacted)."""
    if isinstance(value, Enum):
        return value
    if isinstance(value, Failure):  # its replay line is built again from the redacted request, never redacted
        return Failure(redactor.redact(value.message), evidence.redacted(value.evidence, redactor))  # type: ignore[return-value]
    if isinstance(value, str):
        return redactor.redact(value)  # type: ignore[return-value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _redacted(getattr(value, f.name), redactor) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    if isinstance(value, Mapping):
        return {_redacted(k, redactor): _redacted(v, redactor) for k, v in value.items()}  # type: ignore[return-value]
    if isinstance(value, tuple):
        return tuple(_redacted(v, redactor) for v in value)  # type: ignore[return-value]
    if isinstance(value, list):
        return [_redacted(v, redactor) for v in value]  # type: ignore[return-value]
    return value


def requirement_rows(
    tests: Sequence[TestRecord], expected_failures: Mapping[str, str], not_run_reason: str
) -> tuple[RequirementResult, ...]:
    rows = []
    for requirement in requirements().values():
        mine = sorted((t for t in tests if t.requirement == requirement.id), key=lambda t: t.nodeid)
        status = max((t.status for t in mine), key=STRENGTH.__getitem__, default=Status.UNTESTED)
        reasons = list(dict.fromkeys(t.reason for t in mine if t.status == status and t.reason))
        if not mine:
            reasons = [not_run_reason]
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


def incomplete_reasons(record: RunRecord, rows: Sequence[RequirementResult]) -> list[str]:
    reasons = []
    if record.could_not_run:
        reasons.append(f"could not run: {record.could_not_run}")
    if record.interrupted:
        reasons.append(f"interrupted ({record.interrupted}) before every test had run")
    if record.gave_up:
        reasons.append(record.gave_up)
    reasons += [f"a worker was lost: {crash}" for crash in record.crashes]
    reasons += [
        f"suite error (pytest INTERNALERROR, not the target's deviation): {error}" for error in record.internal_errors
    ]
    errors = [row for row in rows if row.status == Status.ERROR]
    if errors:
        reasons.append(
            f"suite error (not the target's deviation) in {', '.join(r.id for r in errors)}: {errors[0].reason}"
        )
    unfinished = record.not_finished()
    if unfinished and not (record.interrupted or record.could_not_run):
        reasons.append(f"{len(unfinished)} test(s) did not run to their end, e.g. {unfinished[0]}")
    if record.cleanup_problems:
        reasons.append(
            f"cleanup unfinished: {len(record.cleanup_problems)} thing(s) left on the target "
            "(run `iam-conformance cleanup`)"
        )
    if not reasons and not any(row.status == Status.FAILED for row in rows):
        unjudged = [row.id for row in rows if row.status == Status.UNTESTED]
        if unjudged:
            reasons.append(f"nothing to judge for {', '.join(unjudged)}: the run cannot vouch for them")
    return reasons


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


def requests_by_category(record: RunRecord) -> dict[str, int]:
    """Requests per category; what no test sent (preflight, cleanup, the final sweep) is 'outside tests'."""
    catalogue = requirements()
    counts = {c: 0 for c in CATEGORIES}
    for test in record.tests.values():
        if test.requirement in catalogue:
            counts[catalogue[test.requirement].category] += test.requests
    counts["outside tests"] = max(0, record.requests - sum(counts.values()))
    return counts


def build(record: RunRecord, facts: RunFacts, started: float) -> RunResult:
    baseline = baselines.load(facts.baseline) if facts.baseline else None
    not_run = (
        "not run: the run was interrupted"
        if record.interrupted
        else f"not run: {record.could_not_run}"
        if record.could_not_run
        else "not run"
    )
    rows = requirement_rows(list(record.tests.values()), baseline.expected_failures if baseline else {}, not_run)
    reasons = incomplete_reasons(record, rows)
    gate = baselines.gate(
        {r.id: str(r.status) for r in rows}, baseline, strict=facts.strict_baseline, seen=signatures_seen(rows)
    )
    if any(r.status == Status.FAILED for r in rows):
        # A deviation observed is the news, whatever else happened: nonconformant, and the gate passes only when every
        # failure is a known one and the run vouches for the rest (an incomplete run never passes a gate).
        verdict = Verdict.NONCONFORMANT
        exit_code = ExitCode(gate.exit_code) if not reasons else ExitCode.NONCONFORMANT
    elif reasons:
        verdict, exit_code = Verdict.INCOMPLETE, ExitCode.INCOMPLETE
    else:
        verdict, exit_code = Verdict.CONFORMANT, ExitCode(gate.exit_code)
    return RunResult(
        verdict=verdict,
        incomplete_reasons=tuple(reasons),
        gate=gate,
        exit_code=exit_code,
        facts=facts,
        requirements=rows,
        versions={
            "suite": version("iam-conformance"),
            "api": operation().api_version,
            "python": platform.python_version(),
            "hypothesis": version("hypothesis"),
        },
        started=datetime.datetime.fromtimestamp(started, datetime.UTC).isoformat(timespec="seconds"),
        duration_s=round(time.time() - started, 2),
        request_count=record.requests,
        retries=len(record.retries),
        retry_log=tuple(record.retries[:LOG_LIMIT]),
        consistency_waits=tuple(record.waits[:LOG_LIMIT]),
        aborted=record.gave_up,
        cleanup_problems=tuple(record.cleanup_problems),
        kept_resources=tuple(record.kept),
        requests_by_category=requests_by_category(record),
        counts=counts_by_category(rows),
    )
