"""The immutable result of a run, built once from what the run recorded; every report renders it, none changes it.

Three verdicts. conformant: every requirement judged passed (or was left out on purpose) and nothing failed.
nonconformant: a requirement failed. incomplete: the run cannot vouch for what it did not see (interrupted, the
deadline, a target gone, a worker lost, a set-up or suite error, tests that never ran, cleanup unfinished, or nothing
to judge where nothing failed). Incomplete never exits 0 and never passes a gate, whatever the baseline says.
"""

from __future__ import annotations

import datetime
import platform
import time
from dataclasses import dataclass
from importlib.metadata import version

from conformance.config.settings import RunSettings
from conformance.contract.spec import CATEGORIES, coverage, operation, requirements
from conformance.errors import ExitCode
from conformance.results import baselines
from conformance.results.outcomes import STATUSES
from conformance.results.record import STRENGTH, RunRecord, TestRecord
from conformance.results.signatures import Signature


@dataclass(frozen=True)
class RunResult:
    verdict: str
    incomplete_reasons: tuple[str, ...]
    gate: baselines.Gate
    exit_code: int
    summary: dict  # the structured form every report renders (redacted by the owner before anything is written)


def requirement_rows(tests: list[TestRecord], expected_failures: dict[str, str], not_run_reason: str) -> list[dict]:
    rows = []
    for requirement in requirements().values():
        mine = sorted((t for t in tests if t.requirement == requirement.id), key=lambda t: t.nodeid)
        status = max((t.status for t in mine), key=STRENGTH.__getitem__, default="untested")
        reasons = list(dict.fromkeys(t.reason for t in mine if t.status == status and t.reason))
        if not mine:
            reasons = [not_run_reason]
        rows.append(
            {
                "id": requirement.id,
                "category": requirement.category,
                "status": status,
                "reason": "; ".join(reasons) if status != "passed" and reasons else None,
                "title": requirement.title,
                "source": requirement.source,
                "evidence": getattr(requirement, "evidence", None),
                "evidence_source": getattr(requirement, "evidence_source", None),
                "tests": len(mine),
                "test_results": [
                    {
                        "name": t.nodeid.rsplit("::", 1)[-1],
                        "status": t.status,
                        "reason": t.reason,
                        "judged": t.judged,
                        "requests": t.requests,
                    }
                    for t in mine
                ],
                "known_deviation": expected_failures.get(requirement.id) if status == "failed" else None,
                "failures": [
                    {"message": f"expected {d['expected']}; got {d['actual']}", "evidence": d}
                    for t in mine
                    for d in t.deviations
                ],
                "errors": [e for t in mine for e in t.errors],
                "notes": list(dict.fromkeys(n for t in mine for n in t.notes)),
                "checks": sorted({c for t in mine for c in t.checks}),
                "evidence_pointers": {"html": f"report.html#{requirement.id}", "junit": f"junit.xml#{requirement.id}"},
            }
        )
    return rows


def incomplete_reasons(record: RunRecord, rows: list[dict]) -> list[str]:
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
    errors = [row for row in rows if row["status"] == "error"]
    if errors:
        reasons.append(
            f"suite error (not the target's deviation) in {', '.join(r['id'] for r in errors)}: {errors[0]['reason']}"
        )
    unfinished = record.not_finished()
    if unfinished and not (record.interrupted or record.could_not_run):
        reasons.append(f"{len(unfinished)} test(s) did not run to their end, e.g. {unfinished[0]}")
    if record.cleanup_problems:
        reasons.append(
            f"cleanup unfinished: {len(record.cleanup_problems)} thing(s) left on the target "
            "(run `iam-conformance cleanup`)"
        )
    if not reasons and not any(row["status"] == "failed" for row in rows):
        unjudged = [row["id"] for row in rows if row["status"] == "untested"]
        if unjudged:
            reasons.append(f"nothing to judge for {', '.join(unjudged)}: the run cannot vouch for them")
    return reasons


def signatures_seen(rows: list[dict]) -> dict[str, set[Signature]]:
    """Each failed requirement's deviation signatures (conformance.results.signatures), as its evidence recorded
    them."""
    seen: dict[str, set[Signature]] = {}
    for row in rows:
        for failure in row["failures"]:
            signature = Signature.from_dict((failure.get("evidence") or {}).get("signature"))
            if signature is not None:
                seen.setdefault(row["id"], set()).add(signature)
    return seen


def counts_by_category(rows: list[dict]) -> dict[str, dict[str, int]]:
    counts = {c: {status: 0 for status in STATUSES} for c in CATEGORIES}
    for row in rows:
        counts[row["category"]][row["status"]] += 1
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


def build(record: RunRecord, settings: RunSettings | None, started: float, caller: str | None = None) -> RunResult:
    baseline = baselines.load(settings.baseline) if settings and settings.baseline else None
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
        {r["id"]: r["status"] for r in rows},
        baseline,
        strict=bool(settings and settings.strict_baseline),
        seen=signatures_seen(rows),
    )
    if reasons:
        verdict, exit_code = "incomplete", ExitCode.INCOMPLETE
    else:
        verdict = "nonconformant" if any(r["status"] == "failed" for r in rows) else "conformant"
        exit_code = ExitCode(gate.exit_code)
    seed = str(settings.seed) if settings and settings.seed is not None else "unknown"
    summary = {
        "format": 2,
        "verdict": verdict,
        "incomplete_reasons": reasons,
        "gate": "pass" if exit_code == ExitCode.OK else "fail",
        "operation": operation().operation,
        "target": settings.target_label if settings else "",
        "caller": caller,
        "versions": {
            "suite": version("iam-conformance"),
            "api": operation().api_version,
            "python": platform.python_version(),
            "hypothesis": version("hypothesis"),
        },
        "profile": settings.profile if settings else None,
        "hypothesis_seed": seed,
        "started": datetime.datetime.fromtimestamp(started, datetime.UTC).isoformat(timespec="seconds"),
        "duration_s": round(time.time() - started, 2),
        "request_count": record.requests,
        "retries": len(record.retries),
        "calls_in_flight": settings.max_concurrency if settings else 1,
        "pace_note": settings.pace_note if settings else "",
        "retry_log": record.retries[:200],
        "consistency_waits": record.waits[:200],
        "aborted": record.gave_up,
        "baseline": settings.baseline if settings else None,
        "strict_baseline": bool(settings and settings.strict_baseline),
        "read_only": bool(settings and settings.read_only),
        "unexpected_failures": gate.unexpected,
        "known_deviations": gate.known,
        "baseline_entries_now_passing": gate.now_passing,
        "baseline_drift": [drift.to_dict() for drift in gate.drift],
        "cleanup_problems": record.cleanup_problems,
        "kept_resources": record.kept,
        "baseline_written": (settings.write_baseline if settings and settings.write_baseline and not reasons else None),
        "counts": counts_by_category(rows),
        "requests_by_category": requests_by_category(record),
        "requirements": rows,
        "coverage": coverage(),
    }
    return RunResult(verdict, tuple(reasons), gate, int(exit_code), summary)
