"""allure-results/: what allure-pytest wrote into the run's private staging folder, redacted as data and bounded, for
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
from conformance.safety.bounds import bounded, bounded_data
from conformance.safety.redaction import Redactor

TEXT_SUFFIXES = (".txt", ".xml", ".html", ".csv", ".log")
MAX_TEXT_CHARS = 256 << 10  # of a text attachment (captured output, say); longer ones keep a prefix, length and hash


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


def prepare_results(staging: Path, result: RunResult, redactor: Redactor) -> list[tuple[str, str]]:
    """This run's results (name, text), if it has any, redacted, bounded and relabelled, for the report folder's
    allure-results/. Each evidence attachment is redacted as evidence is (conformance.results.evidence.redacted) and
    gets its replay line as a text attachment beside it, built from the redacted request. The results come first,
    then their attachments (when not all fit in the report folder, attachments are what is left out)."""
    if not staging.is_dir():
        return []
    readings = _readings(result)
    files = [p for p in sorted(staging.iterdir()) if p.is_file() and not p.is_symlink()]
    results = {p.name: _read_json(p) for p in files if p.name.endswith("-result.json")}
    evidence_sources = {s for data in results.values() if isinstance(data, dict) for s in _evidence_sources(data)}
    curls: dict[str, str] = {}  # evidence attachment -> its replay line's attachment
    attachments: list[tuple[str, str]] = []
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
                attachments.append((curls[path.name], shown.pop("curl")))
            text = json.dumps(shown, indent=2, ensure_ascii=False)
        elif path.suffix == ".json":
            data = _read_json(path)
            if data is None:
                continue
            text = json.dumps(bounded_data(redactor.redact_data(data)), ensure_ascii=False)
        elif path.suffix in TEXT_SUFFIXES:
            text = bounded(redactor.redact(path.read_text(encoding="utf-8", errors="replace")), MAX_TEXT_CHARS)
        else:
            continue  # the suite attaches only JSON and text: anything else is not copied
        attachments.append((path.name, text))
    prepared = []
    for name, data in results.items():
        if not isinstance(data, dict):
            continue
        for found in _attachment_lists(data):
            found[:] = [
                entry
                for attached in found
                for entry in (
                    [attached, {"name": CURL, "source": curls[attached["source"]], "type": "text/plain"}]
                    if isinstance(attached, dict) and attached.get("source") in curls
                    else [attached]
                )
            ]
        shown = bounded_data(redactor.redact_data(_relabel(data, readings)))
        prepared.append((name, json.dumps(shown, ensure_ascii=False)))
    return prepared + attachments
