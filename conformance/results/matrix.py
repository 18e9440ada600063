"""`iam-conformance matrix DIR...`: requirement x implementation, from several finished runs, as HTML and JSON.

Each column is one run (labelled by its target, or --label); each cell its status, known deviations marked,
with the evidence (expected/got, response status and excerpt, the curl line) one click away.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict
from typing import Any

from conformance.errors import ExitCode
from conformance.results import summary_file as summaries
from conformance.results.summary_file import Row, RunSummary, SummaryError
from conformance.safety.terminal import neutralise

EXIT_WRITTEN, EXIT_CANNOT_BUILD = ExitCode.OK, ExitCode.INCOMPLETE
FORMAT = 1  # of matrix.json; fields are added, never renamed


def labels_for(runs: list[RunSummary], given: list[str] | None) -> list[str]:
    """Column labels: --label values in order, else each run's target; repeated labels get ' (2)', ' (3)'."""
    if given and len(given) != len(runs):
        raise SummaryError(f"{len(given)} --label values for {len(runs)} runs: give one per run, in order, or none")
    labels: list[str] = []
    seen: dict[str, int] = {}
    for label in [neutralise(label) for label in given or [run.target or run.file.parent.name for run in runs]]:
        seen[label] = seen.get(label, 0) + 1
        labels.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return labels


def build(runs: list[RunSummary], labels: list[str]) -> dict[str, Any]:
    """The matrix as data (matrix.json): the columns, then one row per requirement any run has."""
    ids = list(dict.fromkeys(i for run in runs for i in run.rows))  # catalogue order, first run first
    columns = [
        {
            "label": label,
            "target": run.target,
            "summary": str(run.file),
            "verdict": run.verdict,
            "incomplete": run.incomplete,
            "incomplete_reasons": list(run.incomplete_reasons),
            "gate": run.gate,
            "baseline": run.baseline,
            "started": run.started,
            "suite_version": run.suite_version,
            "counts": _counts(run),
        }
        for run, label in zip(runs, labels, strict=False)
    ]
    rows = []
    for requirement_id in ids:
        known = next(run.rows[requirement_id] for run in runs if requirement_id in run.rows)
        rows.append(
            {
                "id": requirement_id,
                "category": known.category,
                "title": known.title,
                "source": known.source,
                "cells": [_cell(run.rows.get(requirement_id)) for run in runs],
            }
        )
    return {
        "format": FORMAT,
        "generated": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "columns": columns,
        "requirements": rows,
    }


def _cell(row: Row | None) -> dict[str, Any]:
    if row is None:  # this run's catalogue had no such requirement (an older or newer suite)
        return {"status": "absent", "known_deviation": "", "reason": "not in this run's catalogue", "failures": []}
    return {
        "status": row.status,
        "known_deviation": row.known_deviation,
        "reason": row.reason,
        "failures": [asdict(f) | {"line": f.line} for f in row.failures],
    }


def _counts(run: RunSummary) -> dict[str, int]:
    counts = {status: 0 for status in summaries.STATUSES}
    for row in run.rows.values():
        counts[row.status] += 1
    counts["known deviations"] = sum(1 for row in run.rows.values() if row.known_deviation and row.status == "failed")
    return counts
