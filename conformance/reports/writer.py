"""Writing a run's reports: summary.json, report.html, junit.xml and (--allure) allure-results/, from one RunResult.

Every report is rendered from the summary after the run's Redactor has redacted it as data; Allure's files (written
by allure-pytest into a private staging folder) are redacted the same way as they are moved into the report folder.
"""

from __future__ import annotations

import json
from pathlib import Path

from conformance.config.settings import RunSettings
from conformance.reports import html, junit
from conformance.results import baselines
from conformance.results.result import RunResult, signatures_seen
from conformance.safety.files import ReportDir, ReportDirError
from conformance.safety.redaction import Redactor


def failure_line(row: dict) -> str:
    """A failed requirement in one line: its first failure's broken expectation."""
    evidence = (row["failures"][0]["evidence"] or {}) if row["failures"] else {}
    return f"expected {evidence.get('expected')}; got {evidence.get('actual')}" if evidence else row["title"]


def write_all(result: RunResult, settings: RunSettings, redactor: Redactor) -> str | None:
    """Write every report; returns why they could not all be written (None when they were)."""
    from conformance.reports.allure_results import move_results

    summary = redactor.redact_data(result.summary)
    try:
        with ReportDir.open(settings.report_dir) as folder:
            folder.write_text("summary.json", json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
            folder.write_text("report.html", html.report_page(summary))
            folder.write_text("junit.xml", junit.render(summary))
            if settings.allure_staging:
                with folder.subdir("allure-results") as allure:
                    allure.clear()  # never mixed with an earlier run's
                    move_results(Path(settings.allure_staging), allure, summary, redactor)
            else:  # an earlier run's results would be rendered as this run's
                folder.remove_subdir("allure-results")
        if settings.write_baseline and summary["verdict"] != "incomplete":
            seen = signatures_seen(summary["requirements"])
            failures = {
                row["id"]: (failure_line(row)[:300], sorted(seen.get(row["id"], ())))
                for row in summary["requirements"]
                if row["status"] == "failed"
            }
            target = (settings.target_name, settings.target_version, summary["target"])
            baselines.write(settings.write_baseline, target, failures)
    except (OSError, ReportDirError) as exc:
        return f"cannot write the reports into {settings.report_dir}: {exc}"
    return None
