"""The verdict and the exit code of a result, from what a run recorded: a deviation observed is the news, whatever
else happened; incomplete only when nothing deviated."""

from __future__ import annotations

import pytest

from conformance.errors import ExitCode
from conformance.results import record as records
from conformance.results.outcomes import Verdict
from conformance.results.record import RunRecord
from conformance.results.result import RunFacts, build

DEVIATION = {
    "expected": "HTTP 400 ValidationError",
    "actual": "HTTP 200",
    "check": "rejected_as_validation_error",
    "kind": "status",
    "signature": {"check": "rejected_as_validation_error", "status": 200, "code": None, "message": "e3b0c442"},
}


def record(*, failed: bool, crashed: bool, interrupted: bool = False) -> RunRecord:
    run = RunRecord()
    passing = records.TestRecord("conformance/suite/test_shape.py::test_x", "SHAPE-01")
    passing.add_phase("call", {"outcome": "passed", "judged": 1})
    passing.add_phase("teardown", {})
    run.tests[passing.nodeid] = passing
    if failed:
        failing = records.TestRecord("conformance/suite/test_parameters.py::test_y", "PARAM-02")
        failing.add_phase("call", {"outcome": "failed", "deviations": [DEVIATION]})
        failing.add_phase("teardown", {})
        run.tests[failing.nodeid] = failing
    if crashed:
        run.add_crash("conformance/suite/test_errors.py::test_z", "the worker died")
    run.interrupted = "SIGINT (Ctrl-C)" if interrupted else None
    return run


@pytest.mark.parametrize(
    ("failed", "crashed", "interrupted", "verdict", "code"),
    [
        (True, True, False, Verdict.NONCONFORMANT, ExitCode.NONCONFORMANT),
        (True, False, True, Verdict.NONCONFORMANT, ExitCode.NONCONFORMANT),
        (False, True, False, Verdict.INCOMPLETE, ExitCode.INCOMPLETE),
        (False, False, True, Verdict.INCOMPLETE, ExitCode.INCOMPLETE),
    ],
)
def test_a_deviation_makes_the_run_nonconformant_even_when_it_is_also_incomplete(
    failed, crashed, interrupted, verdict, code
):
    result = build(record(failed=failed, crashed=crashed, interrupted=interrupted), RunFacts(), 0.0)
    assert (result.verdict, result.exit_code) == (verdict, code)
    assert result.incomplete_reasons  # the incompleteness is listed beside the verdict either way
    summary = result.to_summary()
    assert summary["verdict"] == str(verdict) and summary["gate"] == "fail"


def test_known_deviations_of_a_run_that_could_not_finish_do_not_pass_the_gate(tmp_path):
    baseline = tmp_path / "b.json"
    baseline.write_text('{"target": "t", "expected_failures": {"PARAM-02": "known"}}')
    complete = build(record(failed=True, crashed=False), RunFacts(baseline=str(baseline)), 0.0)
    cut_short = build(record(failed=True, crashed=True), RunFacts(baseline=str(baseline)), 0.0)
    assert complete.exit_code == ExitCode.OK and complete.gate_passed
    assert cut_short.exit_code == ExitCode.NONCONFORMANT and not cut_short.gate_passed
    assert cut_short.baseline_written is None
