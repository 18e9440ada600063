"""`iam-conformance cleanup` (what interrupted runs left on a target) and `iam-conformance report` (render a
finished run's report.html again, or its Allure results)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from conformance.config import options
from conformance.errors import ExitCode


def add_to(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cleanup = commands.add_parser(
        "cleanup",
        help="delete what earlier runs left under /iam-conformance/",
        description="Delete the users (with their certificates, keys and policies) that interrupted or "
        "--keep-resources runs left under the IAM path /iam-conformance/ of a target; nothing outside it is touched. "
        "Exit 0: all deleted; 1: something could not be deleted (listed); 2: could not run.",
        epilog="example:\n  iam-conformance cleanup --endpoint-url http://127.0.0.1:4566/",
        formatter_class=options.HelpFormatter,
    )
    cleanup.add_argument(
        "--endpoint-url", help="IAM endpoint; else AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL", metavar="URL"
    )
    cleanup.add_argument("--region", help="signing region (default: AWS settings, else us-east-1)")
    report = commands.add_parser(
        "report",
        help="render a finished run's report.html again (or its Allure results)",
        description="Render a finished run's report.html again from its summary.json, or with --allure its "
        "allure-results with the Allure 3 CLI. Exit 0: written; 2: no readable summary, or the folder unwritable.",
        epilog="examples:\n  iam-conformance report --report-dir reports/\n"
        "  iam-conformance report --allure --report-dir reports/",
        formatter_class=options.HelpFormatter,
    )
    report.add_argument(
        "--allure",
        action="store_true",
        help="render DIR/allure-results with the Allure 3 CLI into DIR/allure-report instead",
    )
    report.add_argument(
        "--report-dir", default="reports", metavar="DIR", help="the run's output folder (default: reports/)"
    )


def render_html(report_dir: Path) -> int:
    """report.html of a finished run, from its summary.json read through the one bounded reader of report files;
    written into the run's folder without following a link."""
    from conformance.reports.html import summary_page
    from conformance.results.summary_file import SummaryError, load
    from conformance.safety.files import ReportDir, ReportDirError
    from conformance.safety.terminal import neutralise

    try:
        run = load(report_dir)
    except SummaryError as exc:
        print(f"iam-conformance report: {neutralise(str(exc))} (not a finished run's folder)", file=sys.stderr)
        return ExitCode.INCOMPLETE
    page = summary_page(run)
    try:
        with ReportDir.open(str(report_dir)) as folder:
            folder.write_text("report.html", page)
    except (OSError, ReportDirError) as exc:
        print(
            f"iam-conformance report: cannot write {report_dir / 'report.html'}: {neutralise(str(exc))}",
            file=sys.stderr,
        )
        return ExitCode.INCOMPLETE
    print(neutralise(f"iam-conformance report: report.html of {run.described}: {report_dir / 'report.html'}"))
    return ExitCode.OK


def sweep(args: argparse.Namespace) -> int:
    """Delete suite users (ic-* under /iam-conformance/<run>/) that interrupted runs left behind."""
    import time

    from conformance.protocol.client import IamClient, Identity
    from conformance.protocol.target import TargetError, caller_credentials, resolve_endpoint, resolve_region
    from conformance.safety.redaction import Redactor
    from conformance.safety.terminal import neutralise
    from conformance.world.cleanup import SWEEP_DEADLINE_S, sweep_leftovers

    try:
        endpoint, _ = resolve_endpoint(args.endpoint_url)
        if endpoint is None:
            print(
                "iam-conformance: cleanup needs a target (--endpoint-url); the embedded moto keeps nothing",
                file=sys.stderr,
            )
            return ExitCode.INCOMPLETE
        credentials = caller_credentials()
        client = IamClient(
            endpoint,
            resolve_region(args.region, endpoint)[0],
            Identity("caller", credentials),
            deadline=time.monotonic() + SWEEP_DEADLINE_S,
        )
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
    """Allure 3's CLI (npm package `allure`) renders the run's results (a folder with the run's summary.json, read
    through the one reader of report files) as one self-contained file, which opens from disk (its default output
    loads its data with fetch(), so opened from disk it spins forever). Say how to get the CLI when it is absent."""
    import shutil
    import subprocess

    from conformance.results.summary_file import SummaryError, load
    from conformance.safety.files import ReportDir, ReportDirError
    from conformance.safety.terminal import neutralise

    results, target = report_dir / "allure-results", report_dir / "allure-report"
    try:  # a finished run's folder: its summary, read as compare and matrix read one
        run = load(report_dir)
    except SummaryError as exc:
        print(f"iam-conformance report: {neutralise(str(exc))} (not a finished run's folder)", file=sys.stderr)
        return ExitCode.INCOMPLETE
    if not results.is_dir():
        print(
            f"iam-conformance: no {results}: run `iam-conformance run --allure --report-dir {report_dir}` first",
            file=sys.stderr,
        )
        return ExitCode.INCOMPLETE
    allure = shutil.which("allure")
    if allure is None:
        print(
            "iam-conformance: the Allure 3 CLI is not installed: `npm install -g allure` (Node.js 20+), or run "
            f"`npx allure awesome --single-file {results} --output {target}`",
            file=sys.stderr,
        )
        return ExitCode.INCOMPLETE
    # A fresh folder: Allure 3 flattens its output to index.html only into an empty one. The subprocess runs in it,
    # so an allurerc of the caller's working directory does not reshape the report and nothing is written there.
    # The folder is then put in place of the earlier report, without following a link (conformance.safety.files).
    try:
        with ReportDir.open(report_dir) as folder:
            staging = folder.fresh_subdir(".allure-report-")
            output = (folder.path / staging).absolute()
            try:
                done = subprocess.run(
                    [allure, "awesome", "--single-file", str(results.resolve()), "--output", str(output)],
                    cwd=output,
                    capture_output=True,
                    text=True,
                    timeout=600,
                )
                if done.returncode != 0 or not (output / "index.html").is_file():
                    said = neutralise((done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1])
                    print(
                        f"iam-conformance: `allure awesome --single-file` failed (exit {done.returncode}: {said}); "
                        "it needs Allure 3's CLI (npm package allure)",
                        file=sys.stderr,
                    )
                    return ExitCode.INCOMPLETE
                folder.replace_subdir(staging, target.name)
            finally:
                folder.remove_tree(staging)  # (gone already once it is in place)
    except subprocess.TimeoutExpired:
        print("iam-conformance: allure awesome did not finish within 600 s", file=sys.stderr)
        return ExitCode.INCOMPLETE
    except ReportDirError as exc:
        print(f"iam-conformance: {neutralise(str(exc))}", file=sys.stderr)
        return ExitCode.INCOMPLETE
    print(
        neutralise(
            f"iam-conformance: Allure report of {run.described}, one file that opens from disk: {target / 'index.html'}"
        )
    )
    return ExitCode.OK
