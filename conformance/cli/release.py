"""`iam-conformance compare`, `matrix` and `baselines`: finished runs read back and set side by side, and the bundled
baselines listed. Every file they read goes through the bounded reader, everything they print through the terminal's
neutralisation, and every file they write is written without following a link."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TextIO, TypeVar

from conformance.config import options
from conformance.errors import ExitCode
from conformance.safety.terminal import neutralise

_T = TypeVar("_T")


def add_to(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """compare, matrix, baselines: read finished runs and bundled baselines (conformance.compare/.matrix/.baseline)."""
    compare = commands.add_parser(
        "compare",
        help="what changed between two runs: regressed, fixed, new, lost coverage",
        description="Compare two runs (summary.json files or report folders). Exit 0: no regression; 1: a "
        "requirement that passed in OLD fails or errs in NEW; 2: an input unreadable, or NEW incomplete.",
        epilog="example:\n  iam-conformance compare reports-main/ reports-branch/ --html compare.html",
        formatter_class=options.HelpFormatter,
    )
    compare.add_argument("old", metavar="OLD", help="the earlier run: summary.json or its report folder")
    compare.add_argument("new", metavar="NEW", help="the run to gate on: summary.json or its report folder")
    compare.add_argument("--html", metavar="FILE", help="also write the comparison as a self-contained HTML page")
    matrix = commands.add_parser(
        "matrix",
        help="one table, requirement x implementation, from several runs (HTML and JSON)",
        description="Tabulate several runs (report folders or summary.json files) side by side into "
        "OUT/matrix.html and OUT/matrix.json. Exit 0: written; 2: an input unreadable or OUT unwritable.",
        epilog="example:\n  iam-conformance matrix reports/reference reports/moto --label reference --label moto",
        formatter_class=options.HelpFormatter,
    )
    matrix.add_argument("runs", metavar="DIR", nargs="+", help="a run's report folder (or its summary.json)")
    matrix.add_argument(
        "--out", default="reports/matrix", metavar="DIR", help="output folder (default: reports/matrix/)"
    )
    matrix.add_argument(
        "--label",
        action="append",
        metavar="LABEL",
        help="column label, once per DIR in order (default: each run's target)",
    )
    commands.add_parser(
        "baselines",
        help="list the bundled baselines, usable by name: --baseline NAME",
        description="List the baselines bundled with the suite (known deviations per target version), each usable by "
        "name with `run --baseline NAME`.",
        epilog="example:\n  iam-conformance baselines",
        formatter_class=options.HelpFormatter,
    )


def compare(old: str, new: str, html_file: str | None = None) -> int:
    """Print the changes, write the HTML when asked, return the exit code."""
    from conformance.reports.html import compare_page
    from conformance.results.compare import EXIT_CANNOT_TELL, console_lines
    from conformance.results.compare import compare as compared
    from conformance.results.summary_file import SummaryError, load
    from conformance.safety.files import ReportDirError, write_file

    try:
        comparison = compared(_load("OLD", old, load, SummaryError), _load("NEW", new, load, SummaryError))
    except SummaryError as exc:
        say(f"iam-conformance compare: {exc}", sys.stderr)
        return EXIT_CANNOT_TELL
    for line in console_lines(comparison):
        say(line)
    if html_file:
        try:
            write_file(html_file, compare_page(comparison))
        except ReportDirError as exc:
            say(f"iam-conformance compare: {exc}", sys.stderr)
            return EXIT_CANNOT_TELL
        say(f"iam-conformance compare: HTML in {html_file}")
    return comparison.exit_code


def say(line: str, to: TextIO | None = None) -> None:
    """One line on the console: whatever a summary, a label or a path holds, neutralised as run's console is."""
    print(neutralise(line), file=to or sys.stdout)


def _load(which: str, path: str, load: Callable[[str], _T], error: type[Exception]) -> _T:
    try:
        return load(path)
    except error as exc:
        raise error(f"{which}: {exc}") from None


def matrix(dirs: list[str], out: str, labels: list[str] | None = None) -> int:
    """Read every run, write OUT/matrix.html and OUT/matrix.json, return the exit code."""
    from conformance.reports.html import matrix_page
    from conformance.results.matrix import EXIT_CANNOT_BUILD, EXIT_WRITTEN, build, labels_for
    from conformance.results.summary_file import SummaryError, load
    from conformance.safety.files import ReportDir, ReportDirError

    try:
        runs = [load(d) for d in dirs]
        table = build(runs, labels_for(runs, labels))
    except SummaryError as exc:
        say(f"iam-conformance matrix: {exc}", sys.stderr)
        return EXIT_CANNOT_BUILD
    try:
        with ReportDir.open(out) as folder:
            json_file = folder.write_text("matrix.json", json.dumps(table, indent=2, ensure_ascii=False) + "\n")
            html_file = folder.write_text("matrix.html", matrix_page(table))
    except ReportDirError as exc:
        say(f"iam-conformance matrix: cannot write into {out}: {exc}", sys.stderr)
        return EXIT_CANNOT_BUILD
    for column in table["columns"]:
        counts = column["counts"]
        state = "; ".join(["incomplete", *column["incomplete_reasons"]]) if column["incomplete"] else column["verdict"]
        say(
            f"{column['label']}: {counts['passed']} passed, {counts['failed']} failed "
            f"({counts['known deviations']} known), {counts['error']} error, "
            f"{counts['skipped'] + counts['untested']} not judged — {state}"
        )
    say(
        f"iam-conformance matrix: {len(table['requirements'])} requirements x {len(runs)} runs in "
        f"{html_file} and {json_file}"
    )
    return EXIT_WRITTEN


def baselines() -> int:
    from conformance.results.baselines import listing

    for line in listing():
        say(line)
    return ExitCode.OK
