"""Run the suite against every conformant variant and every catalogued fault, under several seeds, and judge the
suite by it: every fault caught by the requirement it breaks on every seed, no failure on any conformant variant.

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
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from conformance.errors import ExitCode
from conformance.reference import ROOT_ACCESS_KEY, ROOT_SECRET_KEY, ReferenceApp, ReferenceServer
from conformance.selftest.faults import Fault, catalogue
from conformance.selftest.variants import Variant, variants

RUN_TIMEOUT_S = 600
# Inherited settings that would point the suite elsewhere or sign with other credentials than the reference's.
_SCRUBBED_ENV = (
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_IAM",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
)


@dataclass
class RunResult:
    name: str
    exit_code: int
    failed: list[str] = field(default_factory=list)  # failed requirement ids, in catalogue order
    why: dict[str, str] = field(default_factory=dict)  # failed id -> its first failure's expected/got
    reason: str | None = None  # set when the run could not run, or was incomplete (why)
    seconds: float = 0.0
    seed: int | None = None


def _environment(ci_seed: bool = True) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV and k != "CI"}
    env.update(AWS_ACCESS_KEY_ID=ROOT_ACCESS_KEY, AWS_SECRET_ACCESS_KEY=ROOT_SECRET_KEY)
    if ci_seed:  # CI=1 fixes Hypothesis' seed: the same catalogue gives the same verdicts every time
        env["CI"] = "1"
    return env


def _could_not_run_reason(completed: subprocess.CompletedProcess[str]) -> str:
    """The CLI's one-line reason ("could not run: <why>") when it wrote no summary."""
    lines = [line.strip(" !") for line in (completed.stderr + "\n" + completed.stdout).splitlines() if line.strip()]
    reasons = [line.split("could not run:", 1)[1].strip() for line in lines if "could not run:" in line]
    return (reasons or lines[-1:] or [f"exit {completed.returncode} with no output"])[0][:300]


def _read_summary(report_dir: Path) -> dict[str, Any] | None:
    try:
        summary: dict[str, Any] = json.loads((report_dir / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return summary


def _first_failure(row: dict[str, Any]) -> str:
    for failure in row.get("failures") or []:
        evidence = failure.get("evidence") or {}
        if evidence:
            return f"expected {evidence.get('expected')}; got {evidence.get('actual')}"
        if failure.get("message"):
            message: str = failure["message"]
            return message.strip().splitlines()[-1]
    return "(no evidence recorded)"


def run_suite(
    name: str,
    build: Callable[[], ReferenceApp],
    report_dir: Path,
    profile: str = "quick",
    timeout_s: float = RUN_TIMEOUT_S,
    ci_seed: bool = True,
    suite_args: tuple[str, ...] = (),
    seed: int | None = None,
) -> RunResult:
    """One `iam-conformance run` against a fresh app served on loopback: the requirements it reports failed, and
    why it was incomplete if it was. `seed`: replay that Hypothesis seed (else CI's fixed one, or a fresh one)."""
    started = time.monotonic()
    command = [
        sys.executable,
        "-m",
        "conformance.cli",
        "run",
        "--report-dir",
        str(report_dir),
        "--profile",
        profile,
        "--region",
        "us-east-1",
        *suite_args,
        *(("--seed", str(seed)) if seed is not None else ()),
    ]
    with ReferenceServer(app=build()) as server:
        try:
            completed = subprocess.run(
                [*command, "--endpoint-url", server.url],
                env=_environment(ci_seed and seed is None),
                capture_output=True,
                text=True,
                timeout=timeout_s,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return RunResult(
                name,
                ExitCode.INCOMPLETE,
                reason=f"timed out after {timeout_s:.0f} s",
                seconds=time.monotonic() - started,
                seed=seed,
            )
    result = RunResult(name, completed.returncode, seconds=time.monotonic() - started, seed=seed)
    summary = _read_summary(report_dir)
    if completed.returncode not in (ExitCode.OK, ExitCode.NONCONFORMANT, ExitCode.INCOMPLETE) or summary is None:
        result.exit_code, result.reason = ExitCode.INCOMPLETE, _could_not_run_reason(completed)
        return result
    if summary.get("verdict") == "incomplete" or summary.get("incomplete_reasons"):
        result.reason = "; ".join(summary.get("incomplete_reasons") or ["incomplete"])[:300]
    for row in summary.get("requirements", []):
        if row.get("status") == "failed":
            result.failed.append(row["id"])
            result.why[row["id"]] = _first_failure(row)
    return result


# -- judging ---------------------------------------------------------------------------------------------------


def fault_verdict(fault: Fault, result: RunResult) -> tuple[bool, str]:
    """(caught, one-line account): caught means at least one EXPECTED requirement failed (even in a run that was
    also incomplete: the deviation was seen and reported)."""
    hit = [r for r in result.failed if r in fault.expected]
    others = [r for r in result.failed if r not in fault.expected]
    if hit:
        return True, "caught by " + ", ".join(hit) + (f" (also {', '.join(others)})" if others else "")
    if result.reason is not None and not result.failed:
        return False, f"NOT CAUGHT: incomplete: {result.reason}"
    if not result.failed:
        return False, "NOT CAUGHT: no requirement failed"
    return False, f"caught by unrelated requirement: {', '.join(others)}"


def false_positives(result: RunResult) -> int:
    """Failed requirements on a conformant variant; a run that was incomplete counts as one."""
    return len(result.failed) + (1 if result.reason is not None else 0)


# -- the whole selftest ----------------------------------------------------------------------------------------


def seeds_for(count: int, first: int = 1) -> list[int | None]:
    """The Hypothesis seeds of each run: `count` fixed ones (every fault must be caught on each), or None once:
    CI's seed."""
    return list(range(first, first + count)) if count > 0 else [None]


def _submit(
    pool: ThreadPoolExecutor,
    workdir: Path,
    profile: str,
    kind: str,
    name: str,
    build: Callable[[], ReferenceApp],
    seed: int | None,
    suite_args: tuple[str, ...] = (),
) -> Future[RunResult]:
    return pool.submit(
        run_suite, name, build, workdir / f"{kind}-{name}-{seed}", profile, suite_args=suite_args, seed=seed
    )


def run_selftest(
    profile: str = "quick", workers: int = 2, out: TextIO = sys.stdout, seeds: int = 5, only: tuple[str, ...] = ()
) -> int:
    """`only`: names of faults and variants to run, instead of all (an unknown name is refused)."""
    started = time.monotonic()
    conformant: list[Variant] = variants()
    faults: list[Fault] = catalogue()
    if only:
        unknown = set(only) - {v.name for v in conformant} - {f.name for f in faults}
        if unknown:
            print(f"selftest: no fault or variant named {', '.join(sorted(unknown))}", file=out)
            return 2
        conformant = [v for v in conformant if v.name in only]
        faults = [f for f in faults if f.name in only]
    chosen = seeds_for(seeds)
    print(
        f"selftest: the suite ({profile} profile) against {len(conformant)} conformant variants and "
        f"{len(faults)} faults, each under {len(chosen)} seed(s) {chosen}, {workers} at a time",
        file=out,
        flush=True,
    )
    with (
        tempfile.TemporaryDirectory(prefix="iam-conformance-selftest-") as tmp,
        ThreadPoolExecutor(max_workers=workers) as pool,
    ):
        workdir = Path(tmp)
        variant_runs = [
            [_submit(pool, workdir, profile, "variant", v.name, v.build, seed) for seed in chosen] for v in conformant
        ]
        fault_runs = [
            [_submit(pool, workdir, profile, "fault", f.name, f.build, seed, f.suite_args) for seed in chosen]
            for f in faults
        ]

        print(f"\n{'conformant variant':<32} false positives", file=out)
        positives = 0
        for variant, futures in zip(conformant, variant_runs, strict=False):
            results = [future.result() for future in futures]
            positives += sum(false_positives(result) for result in results)
            if not any(false_positives(result) for result in results):
                print(f"{variant.name:<32} none on {len(results)} seed(s)", file=out, flush=True)
            for result in results:
                if result.reason is not None:
                    print(f"{variant.name:<32} seed {result.seed}: incomplete: {result.reason}", file=out, flush=True)
                for requirement_id in result.failed:
                    print(
                        f"{variant.name:<32} seed {result.seed}: {requirement_id}: {result.why[requirement_id][:200]}",
                        file=out,
                        flush=True,
                    )

        print(f"\n{'fault':<38} {'expected':<20} result", file=out)
        caught_everywhere = 0
        for item, futures in zip(faults, fault_runs, strict=False):
            verdicts = [fault_verdict(item, future.result()) for future in futures]
            caught = sum(ok for ok, _ in verdicts)
            caught_everywhere += caught == len(verdicts)
            expected = ",".join(sorted(item.expected))
            accounts = sorted({account for _, account in verdicts})
            print(
                f"{item.name:<38} {expected:<20} {caught}/{len(verdicts)} seeds: {' | '.join(accounts)}",
                file=out,
                flush=True,
            )
            if caught < len(verdicts):
                missed = [str(seed) for seed, (ok, _) in zip(chosen, verdicts, strict=False) if not ok]
                print(
                    f"{'':<38} {'':<20} missed on seed(s) {', '.join(missed)}; deviation: {item.description}",
                    file=out,
                    flush=True,
                )

    runs = (len(conformant) + len(faults)) * len(chosen)
    print(f"\nselftest: {runs} runs in {time.monotonic() - started:.0f} s", file=out)
    print(
        f"selftest: caught {caught_everywhere}/{len(faults)} faults on every one of {len(chosen)} seed(s), "
        f"{positives} false positives on {len(conformant)} conformant variants",
        file=out,
        flush=True,
    )
    return 0 if caught_everywhere == len(faults) and positives == 0 else 1
