"""`iam-conformance diff`: a recording (`run --record DIR`) replayed against another target, every answer compared
with the recorded one (conformance.differential)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, NoReturn

from conformance.config import options
from conformance.errors import ExitCode

if TYPE_CHECKING:
    from types import FrameType

DIFF_DESCRIPTION = """\
Replay a recording (made with `iam-conformance run --record DIR`, against real IAM say) against another target, in
the recording's order, and report per request what differs: status, error code, message, the set and order of
elements, IsTruncated and Marker. Each difference is contract (the new answer breaks a requirement: a check the
recorded run made fails on it), behaviour (both answers are legal; the recorded target did the recorded one) or
noise (values that differ on every run: RequestIds, dates, Markers, ids). Reports: DIR/diff.json, DIR/diff.html.

exit codes:
  0  no contract difference outside the baseline (behaviour differences are listed; --strict fails on them)
  1  a contract difference the baseline does not list, or with --strict a behaviour difference the allow-list does
     not name
  2  could not run or could not finish: a missing, corrupt or incomplete recording, a recording format this suite
     does not read, an unreachable target, refused credentials, the deadline, Ctrl-C; the reason is printed

baselines: --baseline takes a run's baseline (requirement ids: `iam-conformance baselines`) for contract
differences; behaviour differences break no requirement, so they have an allow-list of their own (--allowlist), in
this format (JSON; keys as diff.json's `key`, fnmatch patterns allowed):
  {"format": "iam-conformance-diff-allowlist", "version": 1, "allowed": {"KEY": "why it is legal", ...}}
"""


def add_to(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    diff = commands.add_parser(
        "diff",
        help="replay a recording against another target and report what differs",
        description=DIFF_DESCRIPTION,
        epilog="examples:\n"
        "  iam-conformance diff --recording reference-standard --endpoint-url http://127.0.0.1:4566/\n"
        "  iam-conformance diff --recording recordings/aws --endpoint-url http://localhost:5000/ --strict",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    diff.add_argument(
        "--recording",
        required=True,
        metavar="DIR|NAME",
        help="the folder `run --record DIR` wrote, or a recording shipped with the suite: reference-standard (the "
        "reference IAM, standard profile)",
    )
    diff.add_argument("--endpoint-url", metavar="URL", help=options.BY_DEST["endpoint_url"].help)
    diff.add_argument("--region", help=options.BY_DEST["region"].help)
    diff.add_argument(
        "--report-dir", default="reports", metavar="DIR", help="folder for diff.json and diff.html (default: reports)"
    )
    diff.add_argument(
        "--baseline",
        metavar="NAME|FILE",
        help="known deviations of this target, as for `run`: a contract difference of a requirement it lists does "
        "not fail the diff",
    )
    diff.add_argument("--strict", action="store_true", help="also exit 1 on a behaviour difference not allowed")
    diff.add_argument("--allowlist", metavar="FILE", help="behaviour differences known and accepted (format above)")
    diff.add_argument(
        "--write-allowlist", metavar="FILE", help="write this diff's behaviour differences as an allow-list"
    )
    diff.add_argument("--allow-writes", action="store_true", help=options.BY_DEST["allow_writes"].help)
    diff.add_argument(
        "--deadline",
        type=options.positive_seconds,
        default=900.0,
        metavar="SECONDS",
        help="seconds after which no more requests are sent; the cleanup still runs, within its own bound "
        "(default: 900)",
    )
    diff.add_argument("--max-rps", type=options.positive_rate, metavar="R", help=options.BY_DEST["max_rps"].help)


def diff(args: argparse.Namespace) -> int:
    """SIGTERM (a CI job cancelled) stops a diff as Ctrl-C does: the replay ends, what it created is swept."""
    import signal

    def interrupt(signum: int, frame: FrameType | None) -> NoReturn:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        return _diff(args)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _diff(args: argparse.Namespace) -> int:
    from conformance.differential import allowlist
    from conformance.differential.session import DiffOptions, prepare, run
    from conformance.reports import differential as report
    from conformance.safety.redaction import Redactor
    from conformance.safety.terminal import neutralise

    chosen = DiffOptions(
        recording=args.recording,
        endpoint_url=args.endpoint_url,
        region=args.region,
        report_dir=args.report_dir,
        strict=args.strict,
        allow_writes=args.allow_writes,
        deadline=args.deadline,
        max_rps=args.max_rps,
        allowlist=args.allowlist,
        write_allowlist=args.write_allowlist,
        baseline=args.baseline,
    )
    prepared = prepare(chosen)  # a DiffError: one line, exit 2 (conformance.cli.main)
    redactor = Redactor()  # learns every secret the diff meets: the reports and the console redact with it
    result = run(chosen, prepared, redactor, lambda line: print(f"iam-conformance: {neutralise(line)}", flush=True))
    problem = report.write(result, redactor, chosen.report_dir)
    print("\n".join(report.console_lines(result, redactor, None if problem else chosen.report_dir)))
    if problem is not None:
        print(f"iam-conformance diff: {neutralise(problem)}", file=sys.stderr)
        return ExitCode.INCOMPLETE
    if chosen.write_allowlist is not None:
        written = allowlist.write(chosen.write_allowlist, list(result.requests), result.target)
        print(f"iam-conformance diff: {written} behaviour difference(s) written to {chosen.write_allowlist}")
    return result.exit_code
