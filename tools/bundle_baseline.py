"""Make a bundled baseline (format 2) from several runs of one target version: the union of their deviations'
signatures (different seeds may meet a deviation in different ways), with the reasons of an earlier baseline where
it has one for the requirement, and the run's own failure line where it has not (edit those by hand).

    python tools/bundle_baseline.py --name moto --version 5.2.6 --description "..." \
        [--reasons baselines/moto-5.2.5.json] --out baselines/moto-5.2.6.json REPORT_DIR...
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from conformance.results import baselines
from conformance.results.signatures import Signature


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", help="report folders (or summary.json files) of runs without a baseline")
    parser.add_argument("--name", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--description", required=True)
    parser.add_argument("--reasons", help="an earlier baseline whose reasons are kept where they still apply")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    reasons = baselines.load(args.reasons).expected_failures if args.reasons else {}
    failures: dict[str, tuple[str, list]] = {}
    for run in args.runs:
        path = Path(run)
        summary = json.loads((path / "summary.json" if path.is_dir() else path).read_text(encoding="utf-8"))
        seen = signatures_seen(summary["requirements"])
        for row in summary["requirements"]:
            if row["status"] == "failed":
                reason, signatures = failures.get(row["id"], (reasons.get(row["id"]) or failure_line(row), []))
                failures[row["id"]] = (reason, sorted(set(signatures) | seen.get(row["id"], set())))
    ordered = {rid: failures[rid] for rid in sorted(failures, key=list(summary_ids(args.runs[0])).index)}
    baselines.write(args.out, (args.name, args.version, args.description), ordered)
    print(f"{args.out}: {len(ordered)} known deviations from {len(args.runs)} runs")
    return 0


def signatures_seen(rows: list[dict]) -> dict[str, set[Signature]]:
    """Each failed requirement's deviation signatures, as summary.json's evidence recorded them."""
    seen: dict[str, set[Signature]] = {}
    for row in rows:
        for failure in row.get("failures") or []:
            signature = Signature.from_dict((failure.get("evidence") or {}).get("signature"))
            if signature is not None:
                seen.setdefault(row["id"], set()).add(signature)
    return seen


def failure_line(row: dict) -> str:
    """A failed requirement's first broken expectation, from its summary.json row (its title when none is kept)."""
    evidence = next((f.get("evidence") for f in row.get("failures") or [] if f.get("evidence")), None)
    return f"expected {evidence['expected']}; got {evidence['actual']}" if evidence else row["title"]


def summary_ids(run: str) -> list[str]:
    path = Path(run)
    summary = json.loads((path / "summary.json" if path.is_dir() else path).read_text(encoding="utf-8"))
    return [row["id"] for row in summary["requirements"]]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
