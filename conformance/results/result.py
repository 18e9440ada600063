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
from conformance.results.outcomes import Status, Verdict
from conformance.results.record import RunRecord
from conformance.results.rows import Failure as Failure  # (re-exported: the name reports and tools import)
from conformance.results.rows import RequirementResult as RequirementResult
from conformance.results.rows import TestOutcome as TestOutcome
from conformance.results.rows import counts_by_category, requirement_rows
from conformance.results.rows import signatures_seen as signatures_seen
from conformance.safety.redaction import Redactor

SUMMARY_FORMAT = 2
PARTIAL_RUN = "partial run ("  # how the incomplete reason of a partial run begins
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
    selection: tuple[str, ...] = ()  # a partial run's requirements (--requirement, --category); () for a whole run
    selection_asked: str = ""  # how it was asked for: "--requirement PAG-02 --category auth"


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
    def partial(self) -> bool:
        """Only some requirements were asked for (--requirement, --category): it never passes the gate."""
        return bool(self.facts.selection)

    @property
    def besides_partial(self) -> tuple[str, ...]:
        """Why the run is incomplete, other than being partial."""
        return tuple(r for r in self.incomplete_reasons if not r.startswith(PARTIAL_RUN))

    @property
    def gate_word(self) -> str:
        """pass (exit 0), fail, or partial: a partial run in which nothing failed (exit 2), which vouches only for
        the requirements it was asked for and so never passes the gate of the whole contract."""
        if self.gate_passed:
            return "pass"
        return "partial" if self.partial and self.exit_code == ExitCode.INCOMPLETE else "fail"

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
            "gate": self.gate_word,
            "partial": self.partial,
            "selected_requirements": list(facts.selection) if self.partial else None,
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


def incomplete_reasons(record: RunRecord, rows: Sequence[RequirementResult], facts: RunFacts) -> list[str]:
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
    if facts.selection:
        left_out = len(rows) - len(facts.selection)
        reasons.append(
            f"{PARTIAL_RUN}{facts.selection_asked}): {len(facts.selection)} of {len(rows)} requirements asked for, "
            f"the other {left_out} not run"
        )
    return reasons


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
    expected = baseline.expected_failures if baseline else {}
    rows = requirement_rows(list(record.tests.values()), expected, not_run, facts.selection)
    reasons = incomplete_reasons(record, rows, facts)
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
