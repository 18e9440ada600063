"""allure-results/: what allure-pytest wrote into the run's private staging folder, redacted as data and moved into
the report folder, with the run's own reading of each test: a known deviation is marked as such (skipped, like
pytest's xfail), a test that judged nothing is skipped with why.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeAlias

from conformance.reports.allure_labels import EVIDENCE
from conformance.results import evidence
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


CURL = "reproduce with curl"


def _attachment_lists(node: object) -> Iterator[list[Any]]:
    """Every list of attachments in a result: its own and its steps', at any depth."""
    if isinstance(node, dict):
        if isinstance(node.get("attachments"), list):
            yield node["attachments"]
        for step in node.get("steps") or ():
            yield from _attachment_lists(step)


def _evidence_sources(result: dict[str, Any]) -> set[str]:
    return {
        str(found.get("source"))
        for attachments in _attachment_lists(result)
        for found in attachments
        if isinstance(found, dict) and str(found.get("name", "")).startswith(EVIDENCE)
    }


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8", errors="replace"))
    except ValueError:
        return None


def move_results(staging: Path | None, destination: ReportDir, result: RunResult, redactor: Redactor) -> None:
    """This run's results, if it has any, redacted and relabelled, into `destination` (already emptied). Each evidence
    attachment is redacted as evidence is (conformance.results.evidence.redacted) and gets its replay line as a text
    attachment beside it, built from the redacted request."""
    if staging is None or not staging.is_dir():
        return
    readings = _readings(result)
    files = [p for p in sorted(staging.iterdir()) if p.is_file() and not p.is_symlink()]
    results = {p.name: _read_json(p) for p in files if p.name.endswith("-result.json")}
    evidence_sources = {s for data in results.values() if isinstance(data, dict) for s in _evidence_sources(data)}
    curls: dict[str, str] = {}  # evidence attachment -> its replay line's attachment
    for path in files:
        if path.name in results:
            continue
        if path.suffix == ".json" and path.name in evidence_sources:
            data = _read_json(path)
            if not isinstance(data, dict):
                continue
            shown = evidence.redacted(data, redactor)
            if "curl" in shown:
                curls[path.name] = f"{path.stem}-curl.txt"
                destination.write_text(curls[path.name], shown.pop("curl"))
            text = json.dumps(shown, indent=2, ensure_ascii=False)
        elif path.suffix == ".json":
            data = _read_json(path)
            if data is None:
                continue
            text = json.dumps(redactor.redact_data(data), ensure_ascii=False)
        elif path.suffix in TEXT_SUFFIXES:
            text = redactor.redact(path.read_text(encoding="utf-8", errors="replace"))
        else:
            continue  # the suite attaches only JSON and text: anything else is not copied
        destination.write_text(path.name, text)
    for name, data in results.items():
        if not isinstance(data, dict):
            continue
        for attachments in _attachment_lists(data):
            attachments[:] = [
                entry
                for found in attachments
                for entry in (
                    [found, {"name": CURL, "source": curls[found["source"]], "type": "text/plain"}]
                    if isinstance(found, dict) and found.get("source") in curls
                    else [found]
                )
            ]
        destination.write_text(name, json.dumps(redactor.redact_data(_relabel(data, readings)), ensure_ascii=False))
