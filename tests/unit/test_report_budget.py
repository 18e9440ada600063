"""The report folder stays within its bound whatever the run saw: failures' evidence is cut, the later ones first, and
the reports say what was shortened."""

from __future__ import annotations

import json
import time

from conformance.contract.spec import requirements
from conformance.reports import budget, writer
from conformance.results import record as records
from conformance.results.outcomes import Status
from conformance.results.result import RunFacts, build
from conformance.safety.bounds import MAX_VALUE_CHARS
from conformance.safety.redaction import Redactor


def evidence(n: int) -> dict:
    big = f"{n}-" + "x" * (MAX_VALUE_CHARS - 10)  # every value at its bound
    return {
        "check": "accepted_with_listing",
        "kind": "status",
        "expected": "HTTP 200",
        "actual": f"HTTP 500 ({n})",
        "example": big,
        "steps": [big, big],
        "request": {"method": "POST", "endpoint": "http://127.0.0.1:9/", "params": {"Marker": big}, "signed_by": "x"},
        "response": {"status": 500, "headers": {}, "body_excerpt": big[:600]},
    }


def crowded_result(failures_per_test: int):
    record = records.RunRecord()
    for requirement_id in requirements():
        test = records.TestRecord(f"suite/test_x.py::test_{requirement_id}", requirement_id, Status.FAILED, None, 1)
        test.deviations = [evidence(n) for n in range(failures_per_test)]
        test.finished = True
        record.tests[test.nodeid] = test
    return build(record, RunFacts(target="http://127.0.0.1:9/"), time.time()).redacted(Redactor())


def folder_bytes(folder) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_a_result_within_the_bound_is_written_whole(tmp_path):
    result = crowded_result(1)
    assert writer.write_all(result, Redactor(), str(tmp_path / "reports")) is None
    summary = json.loads((tmp_path / "reports" / "summary.json").read_text())
    assert summary["report_shortened"] == [] and all(
        f["evidence"].get("steps") for f in summary["requirements"][0]["failures"]
    )


def test_too_much_evidence_is_cut_to_fit_and_the_reports_say_so(tmp_path):
    result = crowded_result(15)  # every requirement failed 15 ways, every value at its bound
    full = sum(len(t.encode()) for t in writer._documents(result).values())
    assert full > 2 * budget.REPORT_FOLDER_BYTES
    assert writer.write_all(result, Redactor(), str(tmp_path / "reports")) is None
    assert folder_bytes(tmp_path / "reports") <= budget.REPORT_FOLDER_BYTES
    summary = json.loads((tmp_path / "reports" / "summary.json").read_text())
    assert summary["report_shortened"] and "bounded to 8 MiB" in summary["report_shortened"][-1]
    first = summary["requirements"][0]["failures"][0]["evidence"]
    assert {"check", "kind", "expected", "actual"} <= set(first)  # every failure keeps its essentials at least
    assert "Shortened" in (tmp_path / "reports" / "report.html").read_text()


def test_what_fits_is_kept_in_order_and_the_rest_counted():
    files = [("a", "x" * 10), ("b", "y" * 30), ("c", "z" * 10)]
    assert budget.within(files, 25) == ([("a", "x" * 10), ("c", "z" * 10)], 1)
