"""What report.html shows of a run beyond what compare and matrix read: the run's facts, the baseline's news (drift,
entries now passing), what the reports left out, the coverage of the page's clauses, and each failure's whole
evidence (request, response, Hypothesis' example). Read from a summary.json's document through the same checked,
neutralising fields (conformance.results.summary_fields); a field a summary lacks reads as empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance.results.summary_fields import Fields


@dataclass(frozen=True)
class RequestShown:
    method: str = ""
    endpoint: str = ""
    signed_by: str = ""
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class EvidenceShown:
    """A failure's evidence besides its broken expectation and replay line (conformance.results.evidence)."""

    kind: str = ""
    example: str = ""
    steps: tuple[str, ...] = ()
    request: RequestShown | None = None
    response_headers: tuple[tuple[str, str], ...] = ()
    response_body: str = ""
    elapsed_ms: float | None = None
    body_truncated: bool = False
    replay_note: str = ""


@dataclass(frozen=True)
class RowShown:
    """A requirement's own words and what the run noted about it."""

    evidence_level: str = ""  # recorded | documented | analogy
    evidence_source: str = ""
    errors: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()


@dataclass(frozen=True)
class DriftShown:
    id: str
    seen: tuple[str, ...]
    recorded: tuple[str, ...]


@dataclass(frozen=True)
class Clause:
    clause: str
    kind: str
    source: str
    cells: tuple[tuple[str, tuple[str, ...]], ...]  # condition -> the requirements judging the clause under it


@dataclass(frozen=True)
class Coverage:
    conditions: tuple[tuple[str, str], ...] = ()  # name -> meaning
    clauses: tuple[Clause, ...] = ()


@dataclass(frozen=True)
class RunDetails:
    caller: str = ""
    profile: str = ""
    seed: str = ""
    api_version: str = ""
    duration_s: float | None = None
    request_count: int | None = None
    retries: int | None = None
    read_only: bool = False
    pace_note: str = ""
    strict_baseline: bool = False
    partial: bool = False
    selected: tuple[str, ...] = ()
    now_passing: tuple[str, ...] = ()
    drift: tuple[DriftShown, ...] = ()
    cleanup_problems: tuple[str, ...] = ()
    kept_resources: tuple[str, ...] = ()
    shortened: tuple[str, ...] = ()
    retries_and_waits: tuple[str, ...] = ()  # one line each
    coverage: Coverage = Coverage()


def read_details(raw: dict[str, Any], fields: Fields) -> RunDetails:
    versions = fields.mapping(raw, "versions")
    return RunDetails(
        caller=fields.text(raw, "caller"),
        profile=fields.text(raw, "profile"),
        seed=fields.text(raw, "hypothesis_seed"),
        api_version=fields.text(versions, "api"),
        duration_s=fields.number(raw, "duration_s"),
        request_count=fields.integer(raw, "request_count"),
        retries=fields.integer(raw, "retries"),
        read_only=fields.flag(raw, "read_only"),
        pace_note=fields.text(raw, "pace_note"),
        strict_baseline=fields.flag(raw, "strict_baseline"),
        partial=fields.flag(raw, "partial"),
        selected=tuple(fields.texts(raw, "selected_requirements")),
        now_passing=tuple(fields.texts(raw, "baseline_entries_now_passing")),
        drift=tuple(_drift(entry, fields) for entry in fields.items(raw, "baseline_drift")),
        cleanup_problems=tuple(fields.texts(raw, "cleanup_problems")),
        kept_resources=tuple(fields.texts(raw, "kept_resources")),
        shortened=tuple(fields.texts(raw, "report_shortened")),
        retries_and_waits=tuple(_retries_and_waits(raw, fields)),
        coverage=_coverage(fields.mapping(raw, "coverage"), fields),
    )


def read_row(entry: dict[str, Any], fields: Fields) -> RowShown:
    return RowShown(
        evidence_level=fields.text(entry, "evidence"),
        evidence_source=fields.text(entry, "evidence_source"),
        errors=tuple(fields.text({"error": e}, "error", newlines=True) for e in fields.items(entry, "errors")),
        notes=tuple(fields.texts(entry, "notes")),
        checks=tuple(fields.texts(entry, "checks")),
    )


def read_evidence(evidence: dict[str, Any], fields: Fields) -> EvidenceShown:
    request = fields.mapping(evidence, "request")
    response = fields.mapping(evidence, "response")
    params = fields.mapping(request, "params")
    headers = fields.mapping(response, "headers")
    return EvidenceShown(
        kind=fields.text(evidence, "kind"),
        example=fields.text(evidence, "example", newlines=True),
        steps=tuple(fields.texts(evidence, "steps")),
        request=RequestShown(
            method=fields.text(request, "method"),
            endpoint=fields.text(request, "endpoint"),
            signed_by=fields.text(request, "signed_by"),
            params=tuple((_key(name), fields.text(params, name, newlines=True)) for name in params),
        )
        if request
        else None,
        response_headers=tuple((_key(name), fields.text(headers, name)) for name in headers),
        response_body=fields.text(response, "body_excerpt", newlines=True),
        elapsed_ms=fields.number(response, "elapsed_ms"),
        body_truncated=fields.flag(response, "body_truncated"),
        replay_note=fields.text(evidence, "replay"),
    )


def _key(name: object) -> str:
    from conformance.safety.terminal import neutralise

    return neutralise(str(name))[:200]


def _drift(entry: object, fields: Fields) -> DriftShown:
    holder = entry if isinstance(entry, dict) else {}
    texts = [
        tuple(fields.text(s, "text") for s in fields.items(holder, side) if isinstance(s, dict))
        for side in ("seen", "recorded")
    ]
    return DriftShown(fields.text(holder, "id"), texts[0], texts[1])


def _retries_and_waits(raw: dict[str, Any], fields: Fields) -> list[str]:
    lines = []
    for entry in fields.items(raw, "retry_log"):
        retry = entry if isinstance(entry, dict) else {}
        code = fields.text(retry, "code")
        lines.append(
            f"{fields.text(retry, 'action')} attempt {fields.integer(retry, 'attempt')}: HTTP "
            f"{fields.integer(retry, 'status')}{f' {code}' if code else ''}, retried after "
            f"{fields.number(retry, 'pause_s')} s"
        )
    for entry in fields.items(raw, "consistency_waits"):
        wait = entry if isinstance(entry, dict) else {}
        lines.append(f"waited {fields.number(wait, 'seconds')} s: {fields.text(wait, 'what')}")
    return lines


def _coverage(raw: dict[str, Any], fields: Fields) -> Coverage:
    conditions = fields.mapping(raw, "conditions")
    clauses = []
    for entry in fields.items(raw, "clauses"):
        clause = entry if isinstance(entry, dict) else {}
        cells = fields.mapping(clause, "cells")
        clauses.append(
            Clause(
                fields.text(clause, "clause"),
                fields.text(clause, "kind"),
                fields.text(clause, "source"),
                tuple((_key(name), tuple(fields.texts(cells, name))) for name in cells),
            )
        )
    return Coverage(tuple((_key(name), fields.text(conditions, name)) for name in conditions), tuple(clauses))
