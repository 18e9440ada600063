"""`iam-conformance run`: the suite against a target, through pytest, with the run's owner (conformance.run.owner)
deciding the verdict and the exit code."""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, cast

from conformance.config import options
from conformance.errors import ExitCode

if TYPE_CHECKING:
    from types import FrameType

    from conformance.config.settings import RunSettings
    from conformance.results.record import RunRecord

RUN_DESCRIPTION = """\
Run the ListSigningCertificates conformance suite against a target and give a verdict.

verdicts and exit codes:
  0  conformant, or nonconformant only in the baseline's known deviations (gate: pass)
  1  nonconformant: a requirement failed outside the baseline (or, with --strict-baseline, a baseline
     entry now passes) (gate: fail)
  2  incomplete or could not run: bad usage, a target unreachable or not answering as IAM, refused
     credentials, an unreadable baseline, or a run that cannot vouch for what it did not see
     (interrupted, Ctrl-C included; deadline; a lost worker; a set-up or suite error; cleanup
     unfinished); the reason is printed. Never absorbed by a baseline. A partial run
     (--requirement, --category) in which nothing failed ends here too (gate: partial).

baseline format (JSON), or the name of a bundled one (iam-conformance baselines):
  {"target": "moto 5.2", "expected_failures": {"PAG-02": "MaxItems is ignored", ...}}
"""


def add_to(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = commands.add_parser(
        "run",
        help="run the suite against a target (default: an embedded moto server)",
        description=RUN_DESCRIPTION,
        epilog="examples:\n  iam-conformance run --baseline moto\n"
        "  iam-conformance run --endpoint-url http://127.0.0.1:4566/ --baseline mine.json\n"
        "  iam-conformance run --endpoint-url http://127.0.0.1:4566/ --requirement PAG-02",
        formatter_class=options.HelpFormatter,
    )
    options.add_to_argparse(run)
    run.add_argument(
        "-n",
        "--workers",
        type=options.positive_int,
        metavar="N",
        help="run the tests in N processes (pytest-xdist); pays off against a remote target",
    )


# The suite's plugins. Named with -p only for xdist, whose workers parse the same arguments; in one process they are
# handed to pytest as modules: pytest looks every -p name up among the entry points of every installed distribution
# first, a scan of all their metadata per name.
PLUGINS = ("-p", "conformance.run.plugin", "-p", "_hypothesis_pytestplugin")
ALLURE_PLUGIN = ("-p", "allure_pytest.plugin")  # only with --allure: a tenth of a run's CPU, imports included
# pytest's own plugins the suite never uses (its reports are its own, it has no doctests, unittest classes, temporary
# folders or logs): not imported at all, a few tens of milliseconds of every run.
UNUSED_BUILTIN_PLUGINS = tuple(
    argument
    for name in (
        "doctest",
        "legacypath",
        "pastebin",
        "junitxml",
        "subtests",
        "setuponly",
        "setupplan",
        "stepwise",
        "tmpdir",
        "monkeypatch",
        "recwarn",
        "unittest",
        "logging",
    )
    for argument in ("-p", f"no:{name}")
)


def pytest_arguments(values: dict[str, Any], workers: int | None) -> list[str]:
    suite = Path(__file__).resolve().parent.parent / "suite"
    arguments = [
        "--pyargs",
        "conformance.suite",
        "-c",
        str(suite / "pytest.ini"),  # the suite's own settings, never the caller's pytest.ini/conftest
        f"--rootdir={suite}",
        "-qq",
        "--tb=no",
        "--no-header",
        "-rN",  # the run's own table tells failures, and its verdict line ends it
        # The CLI itself lives in the package pytest would rewrite; the suite does not rely on assert rewriting.
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
        "--assert=plain",
        # The suite's tests print nothing: sys-level capture keeps a stray line off the console without pytest's fd
        # capture, which swaps file descriptors (dup2) around every phase of every test: a tenth of a run's CPU.
        "--capture=sys",
        # Those plugins run gc.collect() several times per session to find unraisable exceptions: not ours.
        "-p",
        "no:unraisableexception",
        "-p",
        "no:threadexception",
        *UNUSED_BUILTIN_PLUGINS,
        # Exactly the plugins the suite uses: none of whatever else the environment has installed, and no xdist
        # (execnet) in a run without workers. xdist's workers parse the same arguments.
        "--disable-plugin-autoload",
        *(PLUGINS if workers else ()),
        *(ALLURE_PLUGIN if values.get("allure") else ()),
        *(("-p", "xdist.plugin") if workers else ()),
        "--iam-conformance",
        *options.as_arguments(values),
    ]
    if workers:
        arguments += ["-n", str(workers)]
        if workers > 1:  # an idle worker takes queued tests from a busy one: test lengths vary tenfold
            arguments += ["--dist", "worksteal"]
    return arguments


def plugin_modules(workers: int | None) -> list[object]:
    """The suite's plugins as modules, in PLUGINS' order, for a run in one process (with workers: none, PLUGINS names
    them)."""
    if workers:
        return []
    return [importlib.import_module(name) for name in PLUGINS[1::2]]


def _prepare(values: dict[str, Any], record: RunRecord) -> tuple[RunSettings, None] | tuple[None, str]:
    """Settings resolved, credentials found and the target preflighted before pytest starts (conformance.run.start,
    the owner's own way of starting): a run that cannot start says why in one line, fast. Returns (settings, None)
    or (None, reason)."""
    from conformance.run.start import StartError, prepare

    try:
        return prepare(values, record, seed=values.get("seed"), in_ci=bool(os.environ.get("CI")), say=_say), None
    except StartError as exc:
        return None, str(exc)
    except KeyboardInterrupt as interrupted:
        return None, f"interrupted ({interrupted or 'SIGINT'}) before the run started"


def _say(line: str) -> None:
    print(f"iam-conformance: {line}", file=sys.stderr, flush=True)


def _could_not_run(values: dict[str, Any], record: RunRecord, reason: str) -> int:
    """Say why in one line, and leave reports that say so (never an earlier run's verdict) when the report folder
    can be written."""
    import time

    from conformance.config.settings import unstarted
    from conformance.reports import writer as report
    from conformance.reports.console import verdict_line
    from conformance.results import result
    from conformance.run.start import facts_of
    from conformance.safety.redaction import Redactor

    print(f"iam-conformance: could not run: {reason}", file=sys.stderr)
    settings = unstarted(values, values.get("endpoint_url"))
    record.could_not_run = reason
    unrun = result.build(record, facts_of(settings), time.time())
    problem = report.write_all(unrun, Redactor(), settings.report_dir)
    print(verdict_line(unrun) + ("" if problem else f"; reports in {settings.report_dir}/"))
    return ExitCode.INCOMPLETE


def _terminate_like_ctrl_c(received: list[str]) -> None:
    """Until pytest's session takes over: SIGTERM (a CI job cancelled) stops the run as Ctrl-C does; each signal's
    name is appended to `received` (pytest, while it starts, may swallow the KeyboardInterrupt)."""
    import signal

    def interrupt(signum: int, frame: FrameType | None) -> NoReturn:
        received.append(signal.Signals(signum).name)
        raise KeyboardInterrupt(signal.Signals(signum).name)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, interrupt)


def run(args: argparse.Namespace) -> int:
    # No cyclic garbage collection while the run starts: the imports and the collected tests make objects that live
    # as long as the run, and collecting among them cost a twentieth of a standard run's CPU. It resumes once the
    # tests run (RunHandle), after the run has frozen that heap out of every later collection.
    thresholds = gc.get_threshold()
    gc.disable()
    try:
        return _run(args)
    finally:
        gc.set_threshold(*thresholds)
        gc.enable()


def _run(args: argparse.Namespace) -> int:
    from conformance.run.start import StartError, check

    values = {option.dest: getattr(args, option.dest) for option in options.OPTIONS}
    try:
        check(values)
    except StartError as exc:  # bad usage: nothing is started, nothing written
        print(f"iam-conformance: could not run: {exc}", file=sys.stderr)
        return ExitCode.INCOMPLETE
    from conformance.results.record import RunRecord

    received: list[str] = []
    _terminate_like_ctrl_c(received)
    record = RunRecord()  # what the CLI itself spends before pytest starts (the preflight)
    settings, reason = _prepare(values, record)
    if reason:
        return _could_not_run(values, record, reason)
    from conformance.config.settings import scope_line, seed_line

    prepared = cast("RunSettings", settings)  # no reason: _prepare returned settings
    handle = None
    try:
        print(f"iam-conformance: {seed_line(prepared, '--seed')}; {scope_line(prepared)}", flush=True)
        import pytest

        from conformance.run.owner import RunHandle

        handle = RunHandle(settings, requests_before=record.requests)
        code = pytest.main(pytest_arguments(values, args.workers), plugins=[handle, *plugin_modules(args.workers)])
    except KeyboardInterrupt as interrupted:  # before the run's session took over: nothing started, nothing to clean
        if handle is not None and handle.result is not None:
            return handle.result.exit_code
        return _could_not_run(values, record, f"interrupted ({interrupted or 'SIGINT'}) before the run started")
    except Exception as crash:  # pytest itself failed (its own hooks, the interpreter): a suite error, never a pass
        # The type only: the message may quote what the target sent, or a secret, and nothing redacts it here.
        print(
            f"iam-conformance: the run crashed inside pytest ({type(crash).__name__}); it vouches for nothing (exit 2)",
            file=sys.stderr,
        )
        return ExitCode.INCOMPLETE
    if handle.result is None and received:  # pytest, starting, took the interrupt before the run's session did
        return _could_not_run(values, record, f"interrupted ({received[0]}) before the run started")
    if handle.result is None:
        print(f"iam-conformance: could not run (pytest exit {int(code)})", file=sys.stderr)
        return ExitCode.INCOMPLETE
    return handle.result.exit_code
