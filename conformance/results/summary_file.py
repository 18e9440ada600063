"""Finished runs read back from their summary.json, for `compare`, `matrix` and `report` (and the templates they
share): through the one bounded reader of report files (conformance.safety.files.read_json), its fields checked, its
strings neutralised.

Reads format 2 (verdict incomplete, statuses error/untested, per-failure evidence) and format 1 (no "format" key,
statuses passed/failed/skipped, `aborted` instead of incomplete_reasons); a field a format lacks reads as empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from conformance.results.summary_details import (
    EvidenceShown,
    RowShown,
    RunDetails,
    read_details,
    read_evidence,
    read_row,
)
from conformance.results.summary_fields import Fields, SummaryError, kind_of
from conformance.safety.terminal import neutralise

__all__ = ["GATES", "STATUSES", "VERDICTS", "Failure", "Row", "RunSummary", "SummaryError", "load"]

STATUSES = ("passed", "failed", "error", "skipped", "untested")
VERDICTS = ("conformant", "nonconformant", "incomplete")
GATES = ("pass", "fail", "partial")  # partial: a partial run (--requirement, --category) in which nothing failed
ID = re.compile(r"[A-Z]{2,5}-[0-9]{2}")  # schemas/summary.schema.json's $defs/id, whatever the categories become
BODY_EXCERPT = 600  # characters of a response body shown beside a failure
MAX_SUMMARY_BYTES = 16 << 20  # a run's whole report folder is bounded to 8 MiB (conformance.reports.budget)


@dataclass(frozen=True)
class Failure:
    message: str
    check: str = ""
    expected: str = ""
    actual: str = ""
    curl: str = ""
    response_status: int | None = None
    response_excerpt: str = ""
    shown: EvidenceShown = EvidenceShown()  # the rest of its evidence, for report.html

    @property
    def line(self) -> str:
        """The broken expectation in one line."""
        if self.expected or self.actual:
            return f"expected {self.expected}; got {self.actual}"
        return self.message.splitlines()[0] if self.message else "failed"


@dataclass(frozen=True)
class Row:
    """One requirement as one run judged it."""

    id: str
    category: str
    title: str
    source: str
    status: str
    reason: str  # why skipped, untested or error; empty otherwise
    known_deviation: str  # the baseline's reason when the failure was a known one; empty otherwise
    failures: tuple[Failure, ...]
    shown: RowShown = RowShown()  # its evidence level, errors and notes, for report.html

    @property
    def detail(self) -> str:
        """What to say about this status in one line: the first failure, else the reason."""
        return self.failures[0].line if self.failures else self.reason


@dataclass(frozen=True)
class RunSummary:
    file: Path
    verdict: str
    gate: str
    baseline: str
    target: str
    started: str
    suite_version: str
    incomplete_reasons: tuple[str, ...]
    rows: dict[str, Row]
    details: RunDetails = RunDetails()  # the run's facts and the baseline's news, for report.html

    @property
    def incomplete(self) -> bool:
        return self.verdict == "incomplete" or bool(self.incomplete_reasons)

    @property
    def described(self) -> str:
        return f"{self.target or 'unknown target'}, started {self.started or '?'}, {self.verdict} ({self.file})"


def load(path: str | Path) -> RunSummary:
    """A summary.json, or a report folder holding one: read through the bounded reader (size, nesting, numbers), its
    fields checked against what schemas/summary.schema.json says of them, every string neutralised (a crafted file
    drives no terminal that shows it). Anything else is a SummaryError with a one-line reason."""
    from conformance.safety.files import ReportFileError, read_json

    file = Path(path)
    if not file.exists():
        raise SummaryError(f"{file} does not exist (give a summary.json or the report folder holding one)")
    if file.is_dir():
        file = file / "summary.json"
    try:
        raw = read_json(file, limit=MAX_SUMMARY_BYTES)
    except ReportFileError as exc:
        raise SummaryError(str(exc)) from None
    return read_document(raw, file)


def read_document(raw: object, file: Path) -> RunSummary:
    """A summary's document (as summary.json holds it, read from `file`), its fields checked and neutralised."""
    fields = Fields(file)
    if not isinstance(raw, dict) or not isinstance(raw.get("requirements"), list):
        raise SummaryError(f"{file} is not an iam-conformance summary (no 'requirements' list)")
    rows: dict[str, Row] = {}
    for entry in raw["requirements"]:
        row = _row(entry, fields)
        if row.id in rows:
            raise SummaryError(f"{file} lists requirement {row.id} twice")
        rows[row.id] = row
    reasons = list(fields.texts(raw, "incomplete_reasons"))
    if raw.get("aborted"):  # format 1: the run stopped talking to the target
        reasons.append(fields.text(raw, "aborted"))
    versions = fields.mapping(raw, "versions")
    return RunSummary(
        file,
        fields.text(raw, "verdict", VERDICTS) or "unknown",
        fields.text(raw, "gate", GATES),
        fields.text(raw, "baseline"),
        fields.text(raw, "target"),
        fields.text(raw, "started"),
        fields.text(versions, "suite"),
        tuple(reasons),
        rows,
        read_details(raw, fields),
    )


def _row(entry: object, fields: Fields) -> Row:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not ID.fullmatch(entry["id"]):
        raise SummaryError(f"{fields.file}: a requirement entry without an 'id' like SHAPE-01")
    status = entry.get("status")
    if status not in STATUSES:
        shown = neutralise(str(status))[:40] if isinstance(status, str) else kind_of(status)
        raise SummaryError(
            f"{fields.file}: requirement {entry['id']} has status {shown!r}, not one of {', '.join(STATUSES)}"
        )
    failures = [_failure(f, fields) for f in fields.items(entry, "failures")]
    return Row(
        entry["id"],
        fields.text(entry, "category"),
        fields.text(entry, "title"),
        fields.text(entry, "source"),
        status,
        fields.text(entry, "reason"),
        fields.text(entry, "known_deviation"),
        tuple(failures),
        read_row(entry, fields),
    )


def _failure(raw: object, fields: Fields) -> Failure:
    if not isinstance(raw, dict):
        raise SummaryError(f"{fields.file}: a failure is {kind_of(raw)}, not an object: not an iam-conformance summary")
    evidence = fields.mapping(raw, "evidence")
    response = fields.mapping(evidence, "response")
    return Failure(
        fields.text(raw, "message", newlines=True),
        fields.text(evidence, "check"),
        fields.text(evidence, "expected"),
        fields.text(evidence, "actual"),
        fields.text(evidence, "curl"),
        fields.integer(response, "status"),
        fields.text(response, "body_excerpt", newlines=True)[:BODY_EXCERPT],
        read_evidence(evidence, fields),
    )
