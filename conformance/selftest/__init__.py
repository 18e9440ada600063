"""`iam-conformance selftest`: prove the suite by running it against known-good and known-bad targets.

Known-good: conformant Flavour variants of the reference (`variants`); known-bad: single-mistake subclasses of
the reference (`faults`). The suite must pass the former and catch every one of the latter (`runner`).
"""

from __future__ import annotations

import argparse
import sys

from conformance.config import options
from conformance.config.options import positive_int
from conformance.selftest.runner import run_selftest


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    """The selftest's options, on `parser` (a CLI subcommand) or on a parser of its own."""
    from conformance.config.profiles import PROFILES

    parser = parser or argparse.ArgumentParser(
        prog="iam-conformance selftest",
        description="Prove the suite: run it against conformant variants of the reference IAM (it must pass them "
        "all) and against single-fault variants (it must catch every one). Exit 0: proven; 1: not.",
        epilog="example:\n  iam-conformance selftest --seeds 1",
        formatter_class=options.HelpFormatter,
    )
    parser.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        default="quick",
        help="Hypothesis profile of each suite run (default: quick)",
    )
    parser.add_argument("-n", "--workers", type=positive_int, default=2, help="suite runs at a time (default: 2)")
    parser.add_argument(
        "--seeds",
        type=int,
        default=5,
        metavar="N",
        help="run every fault and variant under Hypothesis seeds 1..N (default: 5; 0: once, with CI's fixed seed)",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="only this fault or conformant variant (repeatable): a part of the catalogue, judged as the whole is",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Exit 0 when every fault is caught and no conformant variant fails any requirement, else 1."""
    args = build_parser().parse_args(argv)
    try:
        return run_selftest(
            profile=args.profile, workers=args.workers, out=sys.stdout, seeds=args.seeds, only=tuple(args.only)
        )
    except KeyboardInterrupt:
        print("iam-conformance selftest: interrupted", file=sys.stderr)
        return 2


__all__ = ["build_parser", "main", "run_selftest"]
