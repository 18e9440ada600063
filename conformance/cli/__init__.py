"""`iam-conformance`: the suite as a command, with exit codes a CI gate can rely on.

One module per group of commands: run (run), compare, matrix and baselines (release), cleanup and report
(maintenance), diff (differential); selftest has its own options (conformance.selftest).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any, NoReturn

from conformance.cli import differential, maintenance, release
from conformance.cli import run as run_command
from conformance.config import options
from conformance.errors import ConformanceError, ExitCode
from conformance.safety.terminal import neutralise


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse's own exit code is 2 as well; keep the one-line form
        self.exit(ExitCode.INCOMPLETE, f"iam-conformance: error: {message}\n")


class _Version(argparse.Action):
    """--version: the installed version, looked up when asked (reading the package metadata costs every run)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        print(f"iam-conformance {version('iam-conformance')}")  # on stdout, as argparse's own version action
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="iam-conformance",
        description="Conformance suite for IAM ListSigningCertificates. "
        "Run `iam-conformance run --help` for the verdicts and exit codes.",
        epilog="examples:\n  iam-conformance run --baseline moto\n  iam-conformance COMMAND --help",
        formatter_class=options.HelpFormatter,
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the installed version and exit")
    commands: argparse._SubParsersAction[argparse.ArgumentParser] = parser.add_subparsers(
        dest="command", parser_class=_Parser, metavar="COMMAND"
    )
    run_command.add_to(commands)
    maintenance.add_to(commands)
    commands.add_parser(
        "selftest", add_help=False, help="prove the suite: run it against conformant and faulty reference variants"
    )
    release.add_to(commands)
    differential.add_to(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["selftest"]:  # its options are its own (conformance.selftest)
        from conformance.selftest import main as selftest

        return selftest(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return run_command.run(args)
        if args.command == "report":
            if args.allure:
                return maintenance.render_allure(Path(args.report_dir))
            return maintenance.render_html(Path(args.report_dir))
        if args.command == "cleanup":
            return maintenance.sweep(args)
        if args.command == "compare":
            return release.compare(args.old, args.new, args.html)
        if args.command == "matrix":
            return release.matrix(args.runs, args.out, args.label)
        if args.command == "baselines":
            return release.baselines()
        if args.command == "diff":
            return differential.diff(args)
    except ConformanceError as exc:  # a reason the suite can state: one line and the exit code it means
        print(f"iam-conformance: {neutralise(str(exc))}", file=sys.stderr)
        return exc.exit_code
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
