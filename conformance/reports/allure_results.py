"""allure-results/: what allure-pytest wrote into the run's private staging folder, redacted as data and moved into
the report folder, with the run's own reading of each test: a known deviation is marked as such (skipped, like
pytest's xfail), a test that judged nothing is skipped with why.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeAlias

from conformance.results.result import RunResult
from conformance.safety.files import ReportDir
from conformance.safety.redaction import Redactor

TEXT_SUFFIXES = (".txt", ".xml", ".html", ".csv", ".log")


# (requirement id, test function) -> (status, reason, known deviation); looked up by a result's story label, if any
_Readings: TypeAlias = dict[tuple[str | None, str], tuple[str, str | None, str | None]]


def _readings(result: RunResult) -> _Readings:
    """(requirement id, test function) -> (status, reason, known deviation)."""
    found: _Readings = {}
    for row in result.requirements:
        for test in row.test_results:
            function = test.name.split("[", 1)[0]
            found[(row.id, function)] = (str(test.status), test.reason, row.known_deviation)
    return found


def _relabel(result: dict[str, Any], readings: _Readings) -> dict[str, Any]:
    labels = {label.get("name"): label.get("value") for label in result.get("labels", [])}
    function = str(result.get("fullName", "")).rsplit("#", 1)[-1].split("[", 1)[0]
    status, reason, known = readings.get((labels.get("story"), function), (None, None, None))
    if status == "failed" and known:  # Allure 3 shows a failed result marked known as accepted, outside the rate
        result["statusDetails"] = {
            **result.get("statusDetails", {}),
            "known": True,
            "message": f"known deviation (baseline): {known}",
        }
    elif status == "untested" and result.get("status") == "passed":
        result["status"] = "skipped"
        result["statusDetails"] = {**result.get("statusDetails", {}), "message": f"untested: {reason}"}
    elif status == "error":
        result["status"] = "broken"  # Allure's word for a test that could not do its part
    return result


def move_results(staging: Path | None, destination: ReportDir, result: RunResult, redactor: Redactor) -> None:
    """This run's results, if it has any, redacted and relabelled, into `destination` (already emptied)."""
    if staging is None or not staging.is_dir():
        return
    readings = _readings(result)
    for path in sorted(staging.iterdir()):
        if not path.is_file() or path.is_symlink():
            continue
        if path.suffix == ".json":
            try:
                data = json.loads(path.read_text(encoding="utf-8", errors="replace"))
            except ValueError:
                continue
            if path.name.endswith("-result.json") and isinstance(data, dict):
                data = _relabel(data, readings)
            text = json.dumps(redactor.redact_data(data), ensure_ascii=False)
        elif path.suffix in TEXT_SUFFIXES:
            text = redactor.redact(path.read_text(encoding="utf-8", errors="replace"))
        else:
            continue  # the suite attaches only JSON and text: anything else is not copied
        destination.write_text(path.name, text)
