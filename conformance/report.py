"""Writing a run's reports: summary.json, report.html, junit.xml and allure-results/, all from one RunResult.

Every report is rendered from the summary after the run's Redactor has redacted it as data; Allure's files (written
by allure-pytest into a private staging folder) are redacted the same way as they are moved into the report folder.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import jinja2

from conformance import baseline as baselines
from conformance import junit
from conformance.redaction import Redactor
from conformance.result import RunResult
from conformance.settings import RunSettings
from conformance.spec import CATEGORIES

_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("conformance", "templates"), autoescape=True, trim_blocks=True, lstrip_blocks=True
)


class ReportError(OSError):
    """The reports cannot be written where asked (the run is then incomplete, exit 2)."""


def write_text(folder: Path, name: str, text: str) -> None:
    """Write `folder/name` through a fresh temporary file renamed into place: a link planted at `name` is replaced,
    never followed."""
    target = folder / name
    if target.is_dir() and not target.is_symlink():
        raise ReportError(f"{target} is a folder")
    fd, temporary = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def report_folder(settings: RunSettings) -> Path:
    folder = Path(settings.report_dir)
    if folder.is_symlink():
        raise ReportError(f"--report-dir {folder} is a symbolic link: give the real folder")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def failure_line(row: dict) -> str:
    """A failed requirement in one line: its first failure's broken expectation."""
    evidence = (row["failures"][0]["evidence"] or {}) if row["failures"] else {}
    return f"expected {evidence.get('expected')}; got {evidence.get('actual')}" if evidence else row["title"]


def write_all(result: RunResult, settings: RunSettings, redactor: Redactor) -> str | None:
    """Write every report; returns why they could not all be written (None when they were)."""
    from conformance.allure_results import move_results

    summary = redactor.redact_data(result.summary)
    try:
        folder = report_folder(settings)
        write_text(folder, "summary.json", json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        html = _TEMPLATES.get_template("report.html.j2").render(summary=summary, categories=CATEGORIES)
        write_text(folder, "report.html", html)
        write_text(folder, "junit.xml", junit.render(summary))
        move_results(settings.allure_staging and Path(settings.allure_staging), folder / "allure-results", summary,
                     redactor)
        if settings.write_baseline and summary["verdict"] != "incomplete":
            failures = {row["id"]: failure_line(row)[:300] for row in summary["requirements"]
                        if row["status"] == "failed"}
            baselines.write(settings.write_baseline, summary["target"], failures)
    except OSError as exc:
        return f"cannot write the reports into {settings.report_dir}: {exc}"
    return None
