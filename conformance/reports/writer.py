"""Writing a run's reports: summary.json, report.html, junit.xml and (--allure) allure-results/, from one RunResult.

Every report is rendered from the result after the run's Redactor has redacted its values; Allure's files (written
by allure-pytest into a private staging folder) are redacted the same way as they are moved into the report folder.
All of them together stay within the report folder's bound (conformance.reports.budget).
"""

from __future__ import annotations

import json
from pathlib import Path

from conformance.reports import budget, html, junit
from conformance.results import baselines
from conformance.results.outcomes import Status
from conformance.results.result import RunResult, signatures_seen
from conformance.safety.files import ReportDir, ReportDirError
from conformance.safety.redaction import Redactor


def write_all(result: RunResult, redactor: Redactor, report_dir: str, allure_staging: str | None = None) -> str | None:
    """Write every report of `result` (not yet redacted) into `report_dir`, within the report folder's bound
    (conformance.reports.budget); returns why they could not all be written (None when they were)."""
    full = result.redacted(redactor)
    room = budget.REPORT_FOLDER_BYTES - budget.NOTES_ROOM
    shown, documents = budget.fit(full, _documents, room)
    allure = []
    if allure_staging:
        from conformance.reports.allure_results import prepare_results  # only --allure loads them

        allure = prepare_results(Path(allure_staging), shown, redactor)
    kept, left_out = budget.within(allure, room - budget.size(documents))
    if left_out:
        shown = budget.noted(shown, budget.allure_note(left_out, len(allure)))
        documents = _documents(shown)
    try:
        with ReportDir.open(report_dir) as folder:
            for name, text in documents.items():
                folder.write_text(name, text)
            if allure_staging:
                with folder.subdir("allure-results") as allure_folder:
                    allure_folder.clear()  # never mixed with an earlier run's
                    for name, text in kept:
                        allure_folder.write_text(name, text)
            else:  # an earlier run's results would be rendered as this run's
                folder.remove_subdir("allure-results")
        if full.baseline_written:
            seen = signatures_seen(full.requirements)
            failures = {
                row.id: (row.failure_line[:300], sorted(seen.get(row.id, ()))) for row in full.of_status(Status.FAILED)
            }
            facts = full.facts
            baselines.write(full.baseline_written, (facts.target_name, facts.target_version, facts.target), failures)
    except (OSError, ReportDirError) as exc:
        return f"cannot write the reports into {report_dir}: {exc}"
    return None


def _documents(shown: RunResult) -> dict[str, str]:
    return {
        "summary.json": json.dumps(shown.to_summary(), indent=2, ensure_ascii=False) + "\n",
        "report.html": html.report_page(shown),
        "junit.xml": junit.render(shown),
    }
