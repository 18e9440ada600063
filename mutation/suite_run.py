"""One conformance-suite run, in this process, against an app: the CLI's exit code and its failed requirements.

Only the CLI's public interface is used (`conformance.cli.main` with `run` options, exit codes 0/1/2 and
summary.json's `requirements[].id/status`), so the suite's internals may change underneath.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mutation.transport import routed

SEED = 1414  # fixed: every mutant meets the same Hypothesis examples (issue 14)
PROFILE = "standard"
RUN_DEADLINE_S = 120  # the suite stops sending requests after this; the per-mutant timeout is the hard bound
# Settings that would point the suite elsewhere, sign with other credentials, or derandomize away the seed.
_SCRUBBED_ENV = (
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_IAM",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "CI",
)


@contextlib.contextmanager
def instant_waits() -> Iterator[None]:
    """`time.sleep` returns at once and moves `time.monotonic` on by what it would have slept.

    The suite waits out real IAM's eventual consistency (a user just created, a key just made) with
    monotonic-bounded sleeps. The mutated reference answers in-process, synchronously: nothing changes while the
    suite sleeps, so a mutant that hides a new key made every run of it sleep ~60 s for the same verdict.
    Wall-clock time (`time.time`, datetime) is left alone: dates in answers stay comparable with it."""
    real_sleep, real_monotonic = time.sleep, time.monotonic
    slept = 0.0

    def sleep(seconds: float) -> None:
        nonlocal slept
        slept += max(0.0, seconds)

    time.sleep, time.monotonic = sleep, lambda: real_monotonic() + slept
    try:
        yield
    finally:
        time.sleep, time.monotonic = real_sleep, real_monotonic


@dataclass
class SuiteOutcome:
    exit_code: int  # the CLI's: 0 conformant, 1 a requirement failed, 2 could not run
    failed: list[str] = field(default_factory=list)  # failed requirement ids, as summary.json lists them
    reason: str | None = None  # why there is no verdict (exit 2, no summary)
    seconds: float = 0.0
    # Per failed requirement, the request that showed the deviation and what came back (its first failure's evidence)
    killed_by: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _request_line(request: dict) -> str:
    params = ", ".join(f"{k}={v}" for k, v in (request.get("params") or {}).items() if k not in ("Version",))
    return f"{request.get('method', '?')} {params} (signed by {request.get('signed_by', '?')})"[:300]


def _killing_requests(row: dict) -> dict:
    """What killed the mutant for one failed requirement: its first failure's check, request and answer."""
    evidence = next((f.get("evidence") for f in row.get("failures") or [] if f.get("evidence")), None) or {}
    request, signature = evidence.get("request") or {}, evidence.get("signature") or {}
    answer = f"HTTP {signature.get('status')}" + (f" {signature['code']}" if signature.get("code") else "")
    return {
        "requirement": row["id"],
        "check": evidence.get("check"),
        "request": _request_line(request) if request else None,
        "answer": answer if signature else None,
        "expected": (evidence.get("expected") or "")[:200] or None,
    }


def _failed_requirements(report_dir: Path) -> tuple[list[str], list[dict]] | None:
    try:
        summary = json.loads((report_dir / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    rows = [row for row in summary.get("requirements", []) if row.get("status") == "failed"]
    return [row["id"] for row in rows], [_killing_requests(row) for row in rows]


def run_suite(app: Callable, seed: int = SEED, profile: str = PROFILE) -> SuiteOutcome:
    """`iam-conformance run` against `app`, served through the in-process transport."""
    from conformance import cli
    from conformance.reference import ROOT_ACCESS_KEY, ROOT_SECRET_KEY

    for name in _SCRUBBED_ENV:
        os.environ.pop(name, None)
    os.environ.update(AWS_ACCESS_KEY_ID=ROOT_ACCESS_KEY, AWS_SECRET_ACCESS_KEY=ROOT_SECRET_KEY)
    started = time.monotonic()
    said = io.StringIO()  # the CLI's console output: only its "could not run: <why>" line is kept
    with (
        tempfile.TemporaryDirectory(prefix="iam-mutation-") as tmp,
        routed(app) as endpoint,
        instant_waits(),
        contextlib.redirect_stdout(said),
        contextlib.redirect_stderr(said),
    ):
        report_dir = Path(tmp)
        code = cli.main(
            [
                "run",
                "--endpoint-url",
                endpoint,
                "--region",
                "us-east-1",
                "--profile",
                profile,
                "--seed",
                str(seed),
                "--report-dir",
                str(report_dir),
                "--deadline",
                str(RUN_DEADLINE_S),
                # The reference's root key is valid by construction: a mutant refusing it is judged, not excused
                "--known-good-credentials",
            ]
        )
        read = _failed_requirements(report_dir)
    failed, killed_by = read if read is not None else (None, [])
    outcome = SuiteOutcome(int(code), failed or [], seconds=round(time.monotonic() - started, 3), killed_by=killed_by)
    if code not in (0, 1):
        reasons = [
            line.split("could not run", 1)[1].strip(" :")
            for line in said.getvalue().splitlines()
            if "could not run" in line
        ]
        outcome.exit_code, outcome.reason = 2, (reasons or [f"exit {code}"])[0][:300]
    elif failed is None:
        outcome.exit_code, outcome.reason = 2, f"exit {code} but no readable summary.json"
    return outcome
