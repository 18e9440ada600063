"""`iam-conformance`: the suite as a command, with exit codes a CI gate can rely on."""
from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import sys
from importlib.metadata import version
from pathlib import Path

from conformance import options
from conformance.outcomes import ExitCode

RUN_DESCRIPTION = """\
Run the ListSigningCertificates conformance suite against a target and give a verdict.

verdicts and exit codes:
  0  conformant, or nonconformant only in the baseline's known deviations (gate: pass)
  1  nonconformant: a requirement failed outside the baseline (or, with --strict-baseline, a baseline
     entry now passes) (gate: fail)
  2  incomplete or could not run: bad usage, unreachable target, refused credentials, unreadable
     baseline, or a run that cannot vouch for what it did not see (interrupted, deadline, a lost
     worker, a set-up or suite error, cleanup unfinished); the reason is printed. Never absorbed by
     a baseline.

baseline format (JSON), or the name of a bundled one (iam-conformance baselines):
  {"target": "moto 5.2", "expected_failures": {"PAG-02": "MaxItems is ignored", ...}}
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own exit code is 2 as well; keep the one-line form
        self.exit(ExitCode.INCOMPLETE, f"iam-conformance: error: {message}\n")


class _Version(argparse.Action):
    """--version: the installed version, looked up when asked (reading the package metadata costs every run)."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        print(f"iam-conformance {version('iam-conformance')}")  # on stdout, as argparse's own version action
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="iam-conformance", description="Conformance suite for IAM ListSigningCertificates. "
                     "Run `iam-conformance run --help` for the verdicts and exit codes.")
    parser.add_argument("--version", action=_Version, nargs=0, help="show the installed version and exit")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    run = commands.add_parser("run", help="run the suite against a target (default: an embedded moto server)",
                              description=RUN_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    options.add_to_argparse(run)
    run.add_argument("-n", "--workers", type=options.positive_int, metavar="N",
                     help="run the tests in N processes (pytest-xdist); pays off against a remote target")
    cleanup = commands.add_parser("cleanup", help="delete what earlier runs left under /iam-conformance/")
    cleanup.add_argument("--endpoint-url", help="IAM endpoint; else AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL")
    cleanup.add_argument("--region", help="signing region (default: AWS settings, else us-east-1)")
    report = commands.add_parser("report", help="render reports of a finished run")
    report.add_argument("--allure", action="store_true", required=True,
                        help="render DIR/allure-results with the Allure 3 CLI into DIR/allure-report")
    report.add_argument("--report-dir", default="reports", help="the run's output folder (default: reports/)")
    commands.add_parser("selftest", add_help=False,
                        help="prove the suite: run it against conformant and faulty reference variants")
    add_release_commands(commands)
    return parser


def add_release_commands(commands) -> None:
    """compare, matrix, baselines: read finished runs and bundled baselines (conformance.compare/.matrix/.baseline)."""
    compare = commands.add_parser(
        "compare", help="what changed between two runs: regressed, fixed, new, lost coverage",
        description="Compare two runs (summary.json files or report folders). Exit 0: no regression; 1: a "
                    "requirement that passed in OLD fails or errs in NEW; 2: an input unreadable, or NEW incomplete.")
    compare.add_argument("old", metavar="OLD", help="the earlier run: summary.json or its report folder")
    compare.add_argument("new", metavar="NEW", help="the run to gate on: summary.json or its report folder")
    compare.add_argument("--html", metavar="FILE", help="also write the comparison as a self-contained HTML page")
    matrix = commands.add_parser(
        "matrix", help="one table, requirement x implementation, from several runs (HTML and JSON)",
        description="Tabulate several runs (report folders or summary.json files) side by side into "
                    "OUT/matrix.html and OUT/matrix.json. Exit 0: written; 2: an input unreadable or OUT unwritable.")
    matrix.add_argument("runs", metavar="DIR", nargs="+", help="a run's report folder (or its summary.json)")
    matrix.add_argument("--out", default="reports/matrix", metavar="DIR", help="output folder (default: reports/matrix/)")
    matrix.add_argument("--label", action="append", metavar="LABEL",
                        help="column label, once per DIR in order (default: each run's target)")
    commands.add_parser("baselines", help="list the bundled baselines, usable by name: --baseline NAME")


PLUGINS = ("-p", "conformance.plugin", "-p", "_hypothesis_pytestplugin")
ALLURE_PLUGIN = ("-p", "allure_pytest.plugin")  # only with --allure: a tenth of a run's CPU, imports included
# pytest's own plugins the suite never uses (its reports are its own, it has no doctests, unittest classes, temporary
# folders or logs): not imported at all, a few tens of milliseconds of every run.
UNUSED_BUILTIN_PLUGINS = tuple(argument for name in (
    "doctest", "legacypath", "pastebin", "junitxml", "subtests", "setuponly", "setupplan", "stepwise", "tmpdir",
    "monkeypatch", "recwarn", "unittest", "logging") for argument in ("-p", f"no:{name}"))


def pytest_arguments(values: dict, workers: int | None) -> list[str]:
    suite = Path(__file__).resolve().parent / "suite"
    arguments = [
        "--pyargs", "conformance.suite",
        "-c", str(suite / "pytest.ini"),  # the suite's own settings, never the caller's pytest.ini/conftest
        f"--rootdir={suite}",
        "-qq", "--tb=no", "--no-header", "-rN",  # the run's own table tells failures, and its verdict line ends it
        # The CLI itself lives in the package pytest would rewrite; the suite does not rely on assert rewriting.
        "-W", "ignore::pytest.PytestAssertRewriteWarning", "--assert=plain",
        # Those plugins run gc.collect() several times per session to find unraisable exceptions: not ours.
        "-p", "no:unraisableexception", "-p", "no:threadexception",
        *UNUSED_BUILTIN_PLUGINS,
        # Exactly the plugins the suite uses: none of whatever else the environment has installed, and no xdist
        # (execnet) in a run without workers. xdist's workers parse the same arguments.
        "--disable-plugin-autoload", *PLUGINS, *(ALLURE_PLUGIN if values.get("allure") else ()),
        *(("-p", "xdist.plugin") if workers else ()),
        "--iam-conformance", *options.as_arguments(values),
    ]
    if workers:
        arguments += ["-n", str(workers)]
        if workers > 1:  # an idle worker takes queued tests from a busy one: test lengths vary tenfold
            arguments += ["--dist", "worksteal"]
    return arguments


def _prepare(values: dict, record):
    """Settings resolved, credentials found and the target preflighted before pytest starts: a run that cannot
    start says why in one line, fast. Returns (settings, None) or (None, reason)."""
    from conformance.client import TargetUnreachable
    from conformance.preflight import paced, preflight
    from conformance.settings import SettingsError, resolve
    from conformance.target import TargetError, caller_credentials

    try:
        settings = resolve(values, seed=values.get("seed"), in_ci=bool(os.environ.get("CI")))
        if settings.endpoint is not None:
            credentials = caller_credentials()
            settings = dataclasses.replace(settings, access_key=credentials.access_key,
                                           secret_key=credentials.secret_key, session_token=credentials.token)
            reason = preflight(settings, record)
            if reason:
                return None, reason
            settings = paced(settings, record.preflight_ms)
    except (SettingsError, TargetError, TargetUnreachable) as exc:
        return None, str(exc)
    except KeyboardInterrupt as interrupted:
        return None, f"interrupted ({interrupted or 'SIGINT'}) before the run started"
    return settings, None


def _could_not_run(values: dict, record, reason: str) -> int:
    """Say why in one line, and leave reports that say so (never an earlier run's verdict) when the report folder
    can be written."""
    import time

    from conformance import report, result
    from conformance.redaction import Redactor
    from conformance.settings import unstarted

    from conformance.console import verdict_line

    print(f"iam-conformance: could not run: {reason}", file=sys.stderr)
    settings = unstarted(values, values.get("endpoint_url"))
    record.could_not_run = reason
    unrun = result.build(record, settings, time.time())
    problem = report.write_all(unrun, settings, Redactor())
    print(verdict_line(unrun.summary) + ("" if problem else f"; reports in {settings.report_dir}/"))
    return ExitCode.INCOMPLETE


def _terminate_like_ctrl_c() -> None:
    """Until pytest's session takes over: SIGTERM (a CI job cancelled) stops the run as Ctrl-C does."""
    import signal

    def interrupt(signum, frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, interrupt)


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
    from conformance.settings import SettingsError, check_options

    values = {option.dest: getattr(args, option.dest) for option in options.OPTIONS}
    try:
        check_options(values)
    except SettingsError as exc:  # bad usage: nothing is started, nothing written
        print(f"iam-conformance: could not run: {exc}", file=sys.stderr)
        return ExitCode.INCOMPLETE
    from conformance.record import RunRecord

    _terminate_like_ctrl_c()
    record = RunRecord()  # what the CLI itself spends before pytest starts (the preflight)
    settings, reason = _prepare(values, record)
    if reason:
        return _could_not_run(values, record, reason)
    from conformance.settings import seed_line

    print(f"iam-conformance: {seed_line(settings, '--seed')}", flush=True)
    import pytest

    from conformance.owner import RunHandle

    handle = RunHandle(settings, requests_before=record.requests)
    try:
        code = pytest.main(pytest_arguments(values, args.workers), plugins=[handle])
    except Exception as crash:  # pytest itself failed (its own hooks, the interpreter): a suite error, never a pass
        # The type only: the message may quote what the target sent, or a secret, and nothing redacts it here.
        print(f"iam-conformance: the run crashed inside pytest ({type(crash).__name__}); it vouches for nothing "
              "(exit 2)", file=sys.stderr)
        return ExitCode.INCOMPLETE
    if handle.result is None:
        print(f"iam-conformance: could not run (pytest exit {int(code)})", file=sys.stderr)
        return ExitCode.INCOMPLETE
    return handle.result.exit_code


def sweep(args: argparse.Namespace) -> int:
    """Delete suite users (ic-* under /iam-conformance/<run>/) that interrupted runs left behind."""
    import time

    from conformance.client import IamClient, Identity
    from conformance.redaction import Redactor
    from conformance.cleanup import SWEEP_DEADLINE_S, sweep_leftovers
    from conformance.target import TargetError, caller_credentials, resolve_endpoint, resolve_region
    from conformance.terminal import neutralise

    try:
        endpoint, _ = resolve_endpoint(args.endpoint_url)
        if endpoint is None:
            print("iam-conformance: cleanup needs a target (--endpoint-url); the embedded moto keeps nothing",
                  file=sys.stderr)
            return ExitCode.INCOMPLETE
        credentials = caller_credentials()
        client = IamClient(endpoint, resolve_region(args.region), Identity("caller", credentials),
                           deadline=time.monotonic() + SWEEP_DEADLINE_S)
    except TargetError as exc:
        print(f"iam-conformance: could not run: {exc}", file=sys.stderr)
        return ExitCode.INCOMPLETE
    redactor = Redactor([credentials.secret_key, credentials.token])
    try:
        deleted, problems = sweep_leftovers(client)  # bounded in time, pages and requests; never raises
    finally:
        client.close()
    for name in deleted:
        print(f"deleted {neutralise(name)}")
    for problem in problems:  # they quote ids the target listed: anything, a secret it echoes included
        print(f"could not delete: {neutralise(redactor.redact(problem))}", file=sys.stderr)
    print(f"iam-conformance cleanup: {len(deleted)} users under /iam-conformance/ swept, {len(problems)} problems")
    return ExitCode.NONCONFORMANT if problems else ExitCode.OK


def render_allure(report_dir: Path) -> int:
    """Allure 3's CLI (npm package `allure`) renders the run's results as one self-contained file, which opens from
    disk (its default output loads its data with fetch(), so opened from disk it spins forever). Say how to get the
    CLI when it is absent."""
    import shutil
    import subprocess
    import tempfile

    from conformance.terminal import neutralise

    results, target = report_dir / "allure-results", report_dir / "allure-report"
    if not results.is_dir():
        print(f"iam-conformance: no {results}: run `iam-conformance run --allure --report-dir {report_dir}` first",
              file=sys.stderr)
        return ExitCode.INCOMPLETE
    allure = shutil.which("allure")
    if allure is None:
        print("iam-conformance: the Allure 3 CLI is not installed: `npm install -g allure` (Node.js 20+), or run "
              f"`npx allure awesome --single-file {results} --output {target}`", file=sys.stderr)
        return ExitCode.INCOMPLETE
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        print(f"iam-conformance: {target} is not a directory the suite made; refused", file=sys.stderr)
        return ExitCode.INCOMPLETE
    # A fresh folder: Allure 3 flattens its output to index.html only into an empty one. The subprocess runs in it,
    # so an allurerc of the caller's working directory does not reshape the report and nothing is written there.
    staging = None
    try:
        staging = Path(tempfile.mkdtemp(prefix=".allure-report-", dir=report_dir))
        done = subprocess.run([allure, "awesome", "--single-file", str(results.resolve()), "--output", str(staging)],
                              cwd=staging, capture_output=True, text=True, timeout=600)
        if done.returncode != 0 or not (staging / "index.html").is_file():
            said = neutralise((done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1])
            print(f"iam-conformance: `allure awesome --single-file` failed (exit {done.returncode}: {said}); "
                  "it needs Allure 3's CLI (npm package allure)", file=sys.stderr)
            return ExitCode.INCOMPLETE
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)  # an earlier rendering (rmtree removes a link inside it, never follows one)
        staging.chmod(0o755)  # mkdtemp made it private; the report is as readable as the others
        staging.rename(target)
    except subprocess.TimeoutExpired:
        print("iam-conformance: allure awesome did not finish within 600 s", file=sys.stderr)
        return ExitCode.INCOMPLETE
    except OSError as exc:
        print(f"iam-conformance: cannot write {target}: {exc.strerror or exc}", file=sys.stderr)
        return ExitCode.INCOMPLETE
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    print(f"iam-conformance: Allure report, one file that opens from disk: {target / 'index.html'}")
    return ExitCode.OK


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["selftest"]:  # its options are its own (conformance.selftest)
        from conformance.selftest import main as selftest

        return selftest(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return run(args)
        if args.command == "report":
            return render_allure(Path(args.report_dir))
        if args.command == "cleanup":
            return sweep(args)
        if args.command == "compare":
            from conformance import compare

            return compare.main(args.old, args.new, args.html)
        if args.command == "matrix":
            from conformance import matrix

            return matrix.main(args.runs, args.out, args.label)
        if args.command == "baselines":
            from conformance.baseline import listing

            print("\n".join(listing()))
            return ExitCode.OK
    except KeyboardInterrupt:
        print("iam-conformance: interrupted", file=sys.stderr)
        return ExitCode.INCOMPLETE
    parser.print_help(sys.stderr)
    return ExitCode.INCOMPLETE


def entry() -> None:
    """The `iam-conformance` command: main(), then exit without tearing the interpreter down."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Every report is written and closed by now; the teardown would only free the module state of Hypothesis,
    # botocore and lxml, about 0.25 s of every run on the benchmark machine.
    os._exit(int(code))


if __name__ == "__main__":
    entry()
