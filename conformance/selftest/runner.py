"""Run the suite against every conformant variant and every catalogued fault, and judge the suite by it.

Each run serves one app from a ReferenceServer thread of this process and runs `iam-conformance run` against
it in a subprocess (so each run has its own pytest session, Hypothesis state and report dir). Runs go through
a thread pool of `workers`; each subprocess is the heavy part, the servers are light threads.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from conformance.outcomes import ExitCode
from conformance.reference import ROOT_ACCESS_KEY, ROOT_SECRET_KEY, ReferenceApp, ReferenceServer
from conformance.selftest.faults import Fault, catalogue
from conformance.selftest.variants import Variant, variants

RUN_TIMEOUT_S = 600
# Inherited settings that would point the suite elsewhere or sign with other credentials than the reference's.
_SCRUBBED_ENV = ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
                 "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_IAM", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")


@dataclass
class RunResult:
    name: str
    exit_code: int
    failed: list[str] = field(default_factory=list)  # failed requirement ids, in catalogue order
    why: dict[str, str] = field(default_factory=dict)  # failed id -> its first failure's expected/got
    reason: str | None = None  # set when the suite could not run (exit 2, no summary, timeout)
    seconds: float = 0.0


def _environment(derandomize: bool = True) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV and k != "CI"}
    env.update(AWS_ACCESS_KEY_ID=ROOT_ACCESS_KEY, AWS_SECRET_ACCESS_KEY=ROOT_SECRET_KEY)
    if derandomize:  # CI=1 derandomizes Hypothesis: the same catalogue gives the same verdicts every time
        env["CI"] = "1"
    return env


def _could_not_run_reason(completed: subprocess.CompletedProcess) -> str:
    """The CLI's one-line reason ("could not run: <why>"), not its closing "the reason is above" line."""
    lines = [line.strip(" !") for line in (completed.stderr + "\n" + completed.stdout).splitlines() if line.strip()]
    reasons = [line.split("could not run:", 1)[1].strip() for line in lines if "could not run:" in line]
    fallback = [line for line in lines if "could not run" in line] or lines[-1:]
    return (reasons or fallback or [f"exit {completed.returncode} with no output"])[0][:300]


def _read_summary(report_dir: Path) -> dict | None:
    try:
        return json.loads((report_dir / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _first_failure(row: dict) -> str:
    for failure in row.get("failures") or []:
        evidence = failure.get("evidence") or {}
        if evidence:
            return f"expected {evidence.get('expected')}; got {evidence.get('actual')}"
        if failure.get("message"):
            return failure["message"].strip().splitlines()[-1]
    return "(no evidence recorded)"


def run_suite(name: str, build: Callable[[], ReferenceApp], report_dir: Path, profile: str = "quick",
              timeout_s: float = RUN_TIMEOUT_S, derandomize: bool = True,
              suite_args: tuple[str, ...] = ()) -> RunResult:
    """One `iam-conformance run` against a fresh app served on loopback; the failed requirements it reports."""
    started = time.monotonic()
    command = [sys.executable, "-m", "conformance.cli", "run", "--report-dir", str(report_dir),
               "--profile", profile, "--region", "us-east-1", *suite_args]
    with ReferenceServer(app=build()) as server:
        try:
            completed = subprocess.run([*command, "--endpoint-url", server.url], env=_environment(derandomize),
                                       capture_output=True, text=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            return RunResult(name, ExitCode.INCOMPLETE, reason=f"timed out after {timeout_s:.0f} s",
                             seconds=time.monotonic() - started)
    result = RunResult(name, completed.returncode, seconds=time.monotonic() - started)
    summary = _read_summary(report_dir) if completed.returncode in (ExitCode.OK, ExitCode.NONCONFORMANT) else None
    if summary is None:
        result.reason = (_could_not_run_reason(completed) if completed.returncode not in (ExitCode.OK, ExitCode.NONCONFORMANT)
                         else f"exit {completed.returncode} but no readable summary.json in {report_dir}")
        result.exit_code = ExitCode.INCOMPLETE
        return result
    for row in summary.get("requirements", []):
        if row.get("status") == "failed":
            result.failed.append(row["id"])
            result.why[row["id"]] = _first_failure(row)
    return result


# -- judging ---------------------------------------------------------------------------------------------------


def fault_verdict(fault: Fault, result: RunResult) -> tuple[bool, str]:
    """(caught, one-line account): caught means at least one EXPECTED requirement failed."""
    if result.reason is not None:
        return False, f"NOT CAUGHT: could not run: {result.reason}"
    if not result.failed:
        return False, "NOT CAUGHT: no requirement failed"
    hit = [r for r in result.failed if r in fault.expected]
    others = [r for r in result.failed if r not in fault.expected]
    if not hit:
        return False, f"caught by unrelated requirement: {', '.join(others)}"
    return True, "caught by " + ", ".join(hit) + (f" (also {', '.join(others)})" if others else "")


def false_positives(result: RunResult) -> int:
    """Failed requirements on a conformant variant; a run that could not run counts as one."""
    return 1 if result.reason is not None else len(result.failed)


# -- the whole selftest ----------------------------------------------------------------------------------------


def _submit(pool: ThreadPoolExecutor, workdir: Path, profile: str, kind: str, name: str, build,
            suite_args: tuple[str, ...] = ()):
    return pool.submit(run_suite, name, build, workdir / f"{kind}-{name}", profile, suite_args=suite_args)


def run_selftest(profile: str = "quick", workers: int = 2, out: TextIO = sys.stdout) -> int:
    started = time.monotonic()
    conformant: list[Variant] = variants()
    faults: list[Fault] = catalogue()
    print(f"selftest: the suite ({profile} profile) against {len(conformant)} conformant variants and "
          f"{len(faults)} faults, {workers} at a time", file=out, flush=True)
    with tempfile.TemporaryDirectory(prefix="iam-conformance-selftest-") as tmp, \
            ThreadPoolExecutor(max_workers=workers) as pool:
        workdir = Path(tmp)
        variant_runs = [_submit(pool, workdir, profile, "variant", v.name, v.build) for v in conformant]
        fault_runs = [_submit(pool, workdir, profile, "fault", f.name, f.build, f.suite_args) for f in faults]

        print(f"\n{'conformant variant':<32} false positives", file=out)
        positives = 0
        for variant, future in zip(conformant, variant_runs):
            result = future.result()
            positives += false_positives(result)
            if result.reason is not None:
                print(f"{variant.name:<32} could not run: {result.reason}", file=out, flush=True)
            elif not result.failed:
                print(f"{variant.name:<32} none", file=out, flush=True)
            for requirement_id in result.failed:
                print(f"{variant.name:<32} {requirement_id}: {result.why[requirement_id][:200]}", file=out, flush=True)

        print(f"\n{'fault':<38} {'expected':<20} result", file=out)
        caught = 0
        for item, future in zip(faults, fault_runs):
            ok, account = fault_verdict(item, future.result())
            caught += ok
            expected = ",".join(sorted(item.expected))
            print(f"{item.name:<38} {expected:<20} {account}", file=out, flush=True)
            if not ok:
                print(f"{'':<38} {'':<20} deviation: {item.description}", file=out, flush=True)

    print(f"\nselftest: {len(conformant) + len(faults)} runs in {time.monotonic() - started:.0f} s", file=out)
    print(f"selftest: caught {caught}/{len(faults)} faults, {positives} false positives on "
          f"{len(conformant)} conformant variants", file=out, flush=True)
    return 0 if caught == len(faults) and positives == 0 else 1
