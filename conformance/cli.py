"""`iam-conformance run`: the suite as a command, with exit codes a CI gate can rely on.

Exit 0: conformant, or only the baseline's known deviations. 1: not conformant. 2: could not run (bad usage,
unreachable target, refused credentials, unreadable baseline), always with a one-line reason.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
from pathlib import Path

EXIT_OK, EXIT_NONCONFORMANT, EXIT_COULD_NOT_RUN = 0, 1, 2
SEED_ENV = "IAM_CONFORMANCE_SEED"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own exit code is 2 as well; keep the one-line form
        self.exit(EXIT_COULD_NOT_RUN, f"iam-conformance: error: {message}\n")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    from conformance.profiles import DEFAULT_PROFILE, PROFILES

    parser = _Parser(prog="iam-conformance", description="Conformance suite for IAM ListSigningCertificates.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser("run", help="run the suite against a target (default: an embedded moto server)")
    run.add_argument("--endpoint-url", help="IAM endpoint; else AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL, embedded moto")
    run.add_argument("--region", help="signing region (default: AWS settings, else us-east-1)")
    run.add_argument("--report-dir", default="reports", help="output folder (default: reports/)")
    run.add_argument("--profile", choices=sorted(PROFILES), default=DEFAULT_PROFILE, help="Hypothesis profile")
    run.add_argument("--baseline", help="JSON file of requirement ids expected to fail on this target")
    run.add_argument("--strict-baseline", action="store_true", help="fail also when baseline entries now pass")
    run.add_argument("--write-baseline", metavar="FILE", help="record this run's failures as a baseline")
    run.add_argument("--seed", type=int, help="Hypothesis seed, to replay a run (ignored when CI derandomizes)")
    run.add_argument("-n", "--workers", type=positive_int, help="parallel workers (pytest-xdist)")
    run.add_argument("--stateful-sequences", type=positive_int, metavar="N",
                     help="sequences the state machine (PAG-10) tries; default: the profile's")
    run.add_argument("--read-only", action="store_true", help="only the checks that create nothing on the target")
    run.add_argument("--allow-writes", action="store_true",
                     help="agree to create (and delete) users under /iam-conformance/ on *.amazonaws.com")
    run.add_argument("--deadline", type=positive_int, default=900, metavar="SECONDS",
                     help="stop sending requests after this long (default 900); cleanup still runs")
    cleanup = commands.add_parser("cleanup", help="delete what earlier runs left under /iam-conformance/")
    cleanup.add_argument("--endpoint-url", help="IAM endpoint; else AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL")
    cleanup.add_argument("--region", help="signing region (default: AWS settings, else us-east-1)")
    report = commands.add_parser("report", help="render reports of a finished run")
    report.add_argument("--allure", action="store_true", required=True,
                        help="render DIR/allure-results with the Allure 3 CLI into DIR/allure-report")
    report.add_argument("--report-dir", default="reports", help="the run's output folder (default: reports/)")
    commands.add_parser("selftest", add_help=False,
                        help="prove the suite: run it against conformant and faulty reference variants")
    return parser


def _check_inputs(args: argparse.Namespace) -> str | None:
    from conformance.baseline import BaselineError, load
    from conformance.target import TargetError, resolve_endpoint

    try:
        load(args.baseline)
        resolve_endpoint(args.endpoint_url)
    except (BaselineError, TargetError) as exc:
        return str(exc)
    report_dir = Path(args.report_dir)
    if report_dir.exists() and not report_dir.is_dir():
        return f"--report-dir {report_dir} exists and is not a folder"
    return None


PLUGINS = ("-p", "conformance.plugin", "-p", "_hypothesis_pytestplugin", "-p", "allure_pytest.plugin")


def pytest_arguments(args: argparse.Namespace, seed: int | None) -> list[str]:
    suite = Path(__file__).resolve().parent / "suite"
    arguments = [
        "--pyargs", "conformance.suite",
        "-c", str(suite / "pytest.ini"),  # the suite's own settings, never the caller's pytest.ini/conftest
        f"--rootdir={suite}",
        f"--report-dir={Path(args.report_dir).resolve()}",
        f"--alluredir={Path(args.report_dir).resolve() / 'allure-results'}", "--clean-alluredir",
        f"--conformance-profile={args.profile}",
        "-q", "--tb=no", "--no-header", "-rN",  # failures are told by our own table
        # The CLI itself lives in the package pytest would rewrite; the suite does not rely on assert rewriting.
        "-W", "ignore::pytest.PytestAssertRewriteWarning", "--assert=plain",
        # Those plugins run gc.collect() several times per session to find unraisable exceptions: not ours.
        "-p", "no:unraisableexception", "-p", "no:threadexception",
        # Exactly the plugins the suite uses (run() turns pytest's entry-point autoload off): none of whatever
        # else the environment has installed, and no xdist (execnet) in a run without workers.
        *PLUGINS, *(("-p", "xdist.plugin") if args.workers else ()),
    ]
    for option, value in (("--endpoint-url", args.endpoint_url), ("--region", args.region),
                          ("--baseline", args.baseline and str(Path(args.baseline).resolve())),
                          ("--write-baseline", args.write_baseline and str(Path(args.write_baseline).resolve()))):
        if value:
            arguments.append(f"{option}={value}")
    for flag, wanted in (("--strict-baseline", args.strict_baseline), ("--read-only", args.read_only),
                         ("--allow-writes", args.allow_writes)):
        if wanted:
            arguments.append(flag)
    arguments.append(f"--deadline={args.deadline}")
    if args.stateful_sequences:
        arguments.append(f"--stateful-sequences={args.stateful_sequences}")
    if seed is not None:
        arguments.append(f"--hypothesis-seed={seed}")
    if args.workers:
        arguments += ["-n", str(args.workers)]
        if args.workers > 1:  # an idle worker takes queued tests from a busy one: test lengths vary tenfold
            arguments += ["--dist", "worksteal"]
    return arguments


def run(args: argparse.Namespace) -> int:
    reason = _check_inputs(args)
    if reason:
        print(f"iam-conformance: could not run: {reason}", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    if os.environ.get("CI"):
        seed = None
        print("iam-conformance: Hypothesis derandomized (CI is set)")
    else:
        seed = args.seed if args.seed is not None else random.getrandbits(32)
        print(f"iam-conformance: Hypothesis seed {seed} (replay with --seed {seed})")
    os.environ[SEED_ENV] = "derandomized" if seed is None else str(seed)

    import pytest

    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # the plugins are named in pytest_arguments; xdist workers inherit this
    code = pytest.main(pytest_arguments(args, seed))
    if code in (EXIT_OK, EXIT_NONCONFORMANT):
        return int(code)
    print(f"iam-conformance: could not run (pytest exit {int(code)}; the reason is above)", file=sys.stderr)
    return EXIT_COULD_NOT_RUN


def sweep(args: argparse.Namespace) -> int:
    """Delete suite users (ic-* under /iam-conformance/<run>/) that interrupted runs left behind."""
    import time

    from conformance.client import IamClient
    from conformance.redaction import redact
    from conformance.seeding import SWEEP_DEADLINE_S, sweep_leftovers
    from conformance.target import TargetError, caller_identity, resolve_endpoint, resolve_region
    from conformance.terminal import neutralise

    try:
        endpoint, _ = resolve_endpoint(args.endpoint_url)
        if endpoint is None:
            print("iam-conformance: cleanup needs a target (--endpoint-url); the embedded moto keeps nothing",
                  file=sys.stderr)
            return EXIT_COULD_NOT_RUN
        client = IamClient(endpoint, resolve_region(args.region), caller_identity(),
                           deadline=time.monotonic() + SWEEP_DEADLINE_S)
    except TargetError as exc:
        print(f"iam-conformance: could not run: {exc}", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    try:
        deleted, problems = sweep_leftovers(client)  # bounded in time, pages and requests; never raises
    finally:
        client.close()
    for name in deleted:
        print(f"deleted {neutralise(name)}")
    for problem in problems:  # they quote ids the target listed: anything, a secret it echoes included
        print(f"could not delete: {neutralise(redact(problem))}", file=sys.stderr)
    print(f"iam-conformance cleanup: {len(deleted)} users under /iam-conformance/ swept, {len(problems)} problems")
    return EXIT_NONCONFORMANT if problems else EXIT_OK


def render_allure(report_dir: Path) -> int:
    """Allure 3's CLI (npm package `allure`) renders the results the run left; say how to get it when absent."""
    import shutil
    import subprocess

    results = report_dir / "allure-results"
    if not results.is_dir():
        print(f"iam-conformance: no {results}: run `iam-conformance run --report-dir {report_dir}` first",
              file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    allure = shutil.which("allure")
    if allure is None:
        print("iam-conformance: the Allure 3 CLI is not installed: `npm install -g allure` (Node.js 20+), "
              f"or run `npx allure generate {results} --output {report_dir / 'allure-report'}`", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    done = subprocess.run([allure, "generate", str(results), "--output", str(report_dir / "allure-report")])
    if done.returncode != 0:
        print(f"iam-conformance: allure generate failed (exit {done.returncode})", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    print(f"iam-conformance: Allure report in {report_dir / 'allure-report'}/")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["selftest"]:  # its options are its own (conformance.selftest)
        from conformance.selftest import main as selftest

        return selftest(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        if args.command == "run":
            return run(args)
        if args.command == "report":
            return render_allure(Path(args.report_dir))
        if args.command == "cleanup":
            return sweep(args)
    except KeyboardInterrupt:
        print("iam-conformance: interrupted", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    return EXIT_COULD_NOT_RUN


def entry() -> None:
    """The `iam-conformance` command: main(), then exit without tearing the interpreter down."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Every report is written and closed by now; the teardown would only free the module state of Hypothesis,
    # botocore and lxml, about 0.25 s of every run on the benchmark machine.
    os._exit(code)


if __name__ == "__main__":
    entry()
