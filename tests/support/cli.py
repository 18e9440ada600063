"""The CLI in a subprocess, measured: its wall time and its peak memory, for the bounds hostile targets must keep."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest

DEADLINE_S = 10
GRACE_S = 60  # loose: start-up, cleanup's own share, a busy machine; a dripping target alone would take 100000 s
PEAK_RSS_BOUND_MB = 500


@dataclass
class Finished:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def iam_conformance(
    *args: str, env: dict[str, str], timeout: float, interrupt_when: Callable[[], bool] | None = None
) -> Finished:
    """`python -m conformance.cli ARGS` with its wall time and its own peak RSS (wait4 on that one child);
    SIGTERM once `interrupt_when()` holds."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | env
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "conformance.cli", *args], stdout=out, stderr=err, env=full_env, text=True
        )
        interrupted = False
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            elapsed = time.monotonic() - started
            if interrupt_when is not None and not interrupted and interrupt_when():
                process.send_signal(signal.SIGTERM)
                interrupted = True
            if elapsed > timeout:
                process.kill()
                os.wait4(process.pid, 0)
                process.returncode = -9
                pytest.fail(f"still running after {timeout} s: {args}")
            time.sleep(0.1)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        return Finished(process.returncode, out.read(), err.read(), seconds, usage.ru_maxrss / 1024)


def assert_bounded_and_clean(done: Finished, within_s: float) -> None:
    assert done.code in (1, 2), done.output[-2000:]
    assert "Traceback" not in done.output, done.output[-3000:]
    assert done.seconds < within_s, (done.seconds, done.output[-2000:])
    assert done.peak_rss_mb < PEAK_RSS_BOUND_MB, done.peak_rss_mb


def run_against(
    url: str, env: dict[str, str], tmp_path, *extra: str, deadline_s: int = DEADLINE_S, **kwargs
) -> Finished:
    return iam_conformance(
        "run",
        "--endpoint-url",
        url,
        "--profile",
        "quick",
        "--deadline",
        str(deadline_s),
        "--report-dir",
        str(tmp_path / "reports"),
        *extra,
        env=env,
        **kwargs,
    )


def cleanup_against(url: str, env: dict[str, str], timeout: float = 120) -> Finished:
    return iam_conformance("cleanup", "--endpoint-url", url, env=env, timeout=timeout)
