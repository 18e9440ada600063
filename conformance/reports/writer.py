"""Writing a run's reports: summary.json, report.html, junit.xml and (--allure) allure-results/, from one RunResult.

Every report is rendered from the result after the run's Redactor has redacted its values; Allure's files (written
by allure-pytest into a private staging folder) are redacted the same way as they are moved into the report folder.
"""

from __future__ import annotations

import json
from pathlib import Path

from conformance.reports import html, junit
from conformance.results import baselines
from conformance.results.outcomes import Status
from conformance.results.result import RunResult, signatures_seen
from conformance.safety.files import ReportDir, ReportDirError
from conformance.safety.redaction import Redactor


def write_all(result: RunResult, redactor: Redactor, report_dir: str, allure_staging: str | None = None) -> str | None:
    """Write every report of `result` (not yet redacted) into `report_dir`; returns why they could not all be
    written (None when they were)."""
    from conformance.reports.allure_results import move_results

    shown = result.redacted(redactor)
    try:
        with ReportDir.open(report_dir) as folder:
            folder.write_text("summary.json", json.dumps(shown.to_summary(), indent=2, ensure_ascii=False) + "\n")
            folder.write_text("report.html", html.report_page(shown))
            folder.write_text("junit.xml", junit.render(shown))
            if allure_staging:
                with folder.subdir("allure-results") as allure:
                    allure.clear()  # never mixed with an earlier run's
                    move_results(Path(allure_staging), allure, shown, redactor)
            else:  # an earlier run's results would be rendered as this run's
                folder.remove_subdir("allure-results")
        if shown.baseline_written:
            seen = signatures_seen(shown.requirements)
            failures = {
                row.id: (row.failure_line[:300], sorted(seen.get(row.id, ()))) for row in shown.of_status(Status.FAILED)
            }
            facts = shown.facts
            baselines.write(shown.baseline_written, (facts.target_name, facts.target_version, facts.target), failures)
    except (OSError, ReportDirError) as exc:
        return f"cannot write the reports into {report_dir}: {exc}"
    return None
