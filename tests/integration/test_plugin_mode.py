"""The suite as a pytest plugin (`pytest --pyargs conformance.suite --iam-conformance ...`), run as a user runs it:
pytest's own counts, its own junit.xml (--junitxml) and the run's gate agree, and the verdict is the last line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from xml.etree import ElementTree as ET

import pytest

from conformance.contract.spec import data_dir
from conformance.reference import Flavour, IamError, ReferenceApp, ReferenceServer

COUNTS = re.compile(r"(\d+) (passed|failed|skipped|xfailed|xpassed|errors?)\b")


def plugin_run(tmp_path, *options: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTEST_"))}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "--pyargs",
            "conformance.suite",
            "--iam-conformance",
            "--iam-profile",
            "quick",
            "--iam-report-dir",
            str(tmp_path / "reports"),
            "--junitxml",
            str(tmp_path / "pytest-junit.xml"),
            "-rxs",
            *options,
        ],
        capture_output=True,
        text=True,
        env=base | (env or {}),
        cwd=tmp_path,
        timeout=600,
    )


def pytest_counts(done: subprocess.CompletedProcess) -> dict[str, int]:
    line = next(line for line in reversed(done.stdout.splitlines()) if COUNTS.search(line) and " in " in line)
    counts = {kind.rstrip("s") if kind.startswith("error") else kind: int(n) for n, kind in COUNTS.findall(line)}
    return {kind: counts.get(kind, 0) for kind in ("passed", "failed", "skipped", "xfailed", "xpassed", "error")}


def junit_counts(tmp_path) -> dict[str, int]:
    root = ET.parse(tmp_path / "pytest-junit.xml").getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    return {kind: int(suite.get(kind)) for kind in ("tests", "failures", "errors", "skipped")}


def run_summary(tmp_path) -> dict:
    return json.loads((tmp_path / "reports" / "summary.json").read_text(encoding="utf-8"))


def count_tests(summary: dict, status: str, known: bool | None = None) -> int:
    return sum(
        1
        for row in summary["requirements"]
        for test in row["test_results"]
        if test["status"] == status and (known is None or bool(row["known_deviation"]) == known)
    )


def last_line(done: subprocess.CompletedProcess) -> str:
    return done.stdout.rstrip("\n").splitlines()[-1]


@pytest.fixture(scope="module")
def moto_baseline() -> dict:
    from importlib.metadata import version

    return json.loads((data_dir("baselines") / f"moto-{version('moto')}.json").read_text(encoding="utf-8"))


def test_known_deviations_are_xfailed_and_the_gate_passes(tmp_path):
    done = plugin_run(tmp_path, "--iam-baseline", "moto")
    summary = run_summary(tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert summary["gate"] == "pass" and summary["known_deviations"]
    counts, junit = pytest_counts(done), junit_counts(tmp_path)
    assert counts["failed"] == counts["error"] == 0 and junit["failures"] == junit["errors"] == 0
    assert counts["xfailed"] == count_tests(summary, "failed", known=True) > 0
    assert counts["passed"] == count_tests(summary, "passed")
    assert junit["skipped"] == counts["xfailed"] + counts["skipped"]
    assert re.search(r"XFAIL .*PAG-02|XFAIL .*test_pagination.* - known deviation \(moto-", done.stdout)
    assert last_line(done).startswith("verdict: nonconformant — gate: pass (") and "0 unexpected" in last_line(done)


def test_a_deviation_outside_the_baseline_fails_in_pytest_junit_and_the_gate(tmp_path, moto_baseline):
    """moto's baseline with one entry left out: that requirement's failures are unexpected."""
    dropped = "PAG-02"
    partial = dict(moto_baseline, expected_failures=dict(moto_baseline["expected_failures"]))
    del partial["expected_failures"][dropped]
    baseline = tmp_path / "moto-but-one.json"
    baseline.write_text(json.dumps(partial), encoding="utf-8")
    done = plugin_run(tmp_path, "--iam-baseline", str(baseline))
    summary = run_summary(tmp_path)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    assert summary["unexpected_failures"] == [dropped] and summary["gate"] == "fail"
    counts, junit = pytest_counts(done), junit_counts(tmp_path)
    unexpected = count_tests(summary, "failed", known=False)
    assert counts["failed"] == junit["failures"] == unexpected > 0
    assert counts["xfailed"] == count_tests(summary, "failed", known=True)
    assert last_line(done).startswith("verdict: nonconformant — gate: fail (")
    assert "1 unexpected" in last_line(done)


class UploadsFail(ReferenceApp):
    def action_UploadSigningCertificate(self, caller, p):
        raise IamError(500, "InternalFailure", "The request processing has failed.")


def test_suite_errors_are_errors_and_the_run_is_incomplete(tmp_path, root_credentials_env):
    """Every upload refused (500): most tests cannot be set up (suite errors, not the target's deviations)."""
    with ReferenceServer(app=UploadsFail(Flavour())) as server:
        done = plugin_run(tmp_path, "--iam-endpoint-url", server.url, env=root_credentials_env)
    summary = run_summary(tmp_path)
    deviated = count_tests(summary, "failed") > 0  # (the refused uploads themselves may be judged)
    assert done.returncode == (1 if deviated else 2), done.stdout[-3000:] + done.stderr[-2000:]
    assert summary["gate"] == "fail" and any("suite error" in r for r in summary["incomplete_reasons"])
    counts, junit = pytest_counts(done), junit_counts(tmp_path)
    assert counts["error"] == count_tests(summary, "error") > 0 and counts["failed"] == count_tests(summary, "failed")
    assert counts["passed"] == count_tests(summary, "passed")
    # pytest's own junit.xml knows set-up and teardown errors only: one in a test's body is a failure there, whose
    # message says it is the suite's error
    assert junit["errors"] + junit["failures"] == counts["error"] + counts["failed"] and junit["errors"] > 0
    body_errors = ET.parse(tmp_path / "pytest-junit.xml").getroot().iter("failure")
    assert all("suite error" in f.get("message") or "expected" in f.get("message") for f in body_errors)
    verdict = "nonconformant — gate: fail (" if deviated else "incomplete — gate: fail ("
    assert last_line(done).startswith(f"verdict: {verdict}")


def test_a_target_that_is_not_iam_is_one_line_then_the_verdict_in_plugin_mode_too(tmp_path, root_credentials_env):
    from test_not_a_run import Answers

    app = Answers(404, "text/html", b"<html><body>Not Found</body></html>")
    with ReferenceServer(app=app) as server:
        url = server.url
        done = plugin_run(tmp_path, "--iam-endpoint-url", url, env=root_credentials_env)
    assert done.returncode == 2, done.stdout[-3000:] + done.stderr[-2000:]
    lines = done.stdout.rstrip("\n").splitlines()
    assert lines[-2].startswith(f"iam-conformance: could not run: {url} does not answer as IAM: HTTP 404, text/html")
    assert lines[-1].startswith("verdict: incomplete — gate: fail")
    # the preflight, and the caller's own listing asking whether the target speaks IAM at all: no test
    assert "!!!" not in done.stdout + done.stderr and app.actions == ["ListSigningCertificates"] * 2
    assert run_summary(tmp_path)["verdict"] == "incomplete"
