"""Finished runs read back from their summary.json, for `compare` and `matrix` (and the templates they share).

Reads format 2 (verdict incomplete, statuses error/untested, per-failure evidence) and format 1 (no "format" key,
statuses passed/failed/skipped, `aborted` instead of incomplete_reasons); a field a format lacks reads as empty.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.errors import ConformanceError

STATUSES = ("passed", "failed", "error", "skipped", "untested")
BODY_EXCERPT = 600  # characters of a response body shown beside a failure


class SummaryError(ConformanceError, ValueError):
    """A summary that cannot be read or is not one; the command exits 2 with this one-line reason."""


@dataclass(frozen=True)
class Failure:
    message: str
    check: str = ""
    expected: str = ""
    actual: str = ""
    curl: str = ""
    response_status: int | None = None
    response_excerpt: str = ""

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

    @property
    def incomplete(self) -> bool:
        return self.verdict == "incomplete" or bool(self.incomplete_reasons)

    @property
    def described(self) -> str:
        return f"{self.target or 'unknown target'}, started {self.started or '?'}, {self.verdict} ({self.file})"


def load(path: str | Path) -> RunSummary:
    """A summary.json, or a report folder holding one."""
    file = Path(path)
    if not file.exists():
        raise SummaryError(f"{file} does not exist (give a summary.json or the report folder holding one)")
    if file.is_dir():
        file = file / "summary.json"
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SummaryError(f"cannot read {file}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SummaryError(f"{file} is not JSON: {exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("requirements"), list):
        raise SummaryError(f"{file} is not an iam-conformance summary (no 'requirements' list)")
    rows: dict[str, Row] = {}
    for entry in raw["requirements"]:
        row = _row(entry, file)
        if row.id in rows:
            raise SummaryError(f"{file} lists requirement {row.id} twice")
        rows[row.id] = row
    reasons = [str(r) for r in raw.get("incomplete_reasons") or ()]
    if raw.get("aborted"):  # format 1: the run stopped talking to the target
        reasons.append(str(raw["aborted"]))
    versions = _dict(raw.get("versions"))
    return RunSummary(
        file,
        _text(raw.get("verdict")) or "unknown",
        _text(raw.get("gate")),
        _text(raw.get("baseline")),
        _text(raw.get("target")),
        _text(raw.get("started")),
        _text(versions.get("suite")),
        tuple(reasons),
        rows,
    )


def _row(entry: object, file: Path) -> Row:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        raise SummaryError(f"{file}: a requirement entry without an 'id'")
    status = entry.get("status")
    if status not in STATUSES:
        raise SummaryError(f"{file}: requirement {entry['id']} has status {status!r}, not one of {', '.join(STATUSES)}")
    failures = _list(entry.get("failures"))
    return Row(
        entry["id"],
        _text(entry.get("category")),
        _text(entry.get("title")),
        _text(entry.get("source")),
        status,
        _text(entry.get("reason")),
        _text(entry.get("known_deviation")),
        tuple(_failure(f) for f in failures if isinstance(f, dict)),
    )


def _failure(raw: dict[str, Any]) -> Failure:
    evidence = _dict(raw.get("evidence"))
    response = _dict(evidence.get("response"))
    status = response.get("status")
    return Failure(
        _text(raw.get("message")),
        _text(evidence.get("check")),
        _text(evidence.get("expected")),
        _text(evidence.get("actual")),
        _text(evidence.get("curl")),
        status if isinstance(status, int) else None,
        _text(response.get("body_excerpt"))[:BODY_EXCERPT],
    )


def _dict(value: object) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    """`value` if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def _text(value: object) -> str:
    return "" if value is None else str(value)
