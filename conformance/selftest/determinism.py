"""`make determinism`: the same conformant reference, many runs with fresh Hypothesis seeds, one verdict.

A suite whose verdict depends on the seed, on timing or on what an earlier run left behind cannot gate a
release. Each run here starts a fresh reference and a fresh suite process with a new random seed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from conformance.reference import Flavour, ReferenceApp
from conformance.selftest.runner import run_suite


def main(argv: list[str] | None = None) -> int:
    from conformance.config.options import positive_int

    parser = argparse.ArgumentParser(prog="python -m conformance.selftest.determinism")
    parser.add_argument("--runs", type=positive_int, default=20)
    parser.add_argument("--profile", default="quick", choices=("quick", "standard", "thorough"))
    parser.add_argument("-n", "--workers", type=positive_int, default=2)
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="iam-conformance-determinism-") as workdir,
        ThreadPoolExecutor(args.workers) as pool,
    ):
        futures = [
            pool.submit(
                run_suite,
                f"run {i + 1}",
                lambda: ReferenceApp(Flavour()),
                Path(workdir) / f"run-{i + 1}",
                args.profile,
                ci_seed=False,
            )
            for i in range(args.runs)
        ]
        results = [future.result() for future in futures]
    for result in results:
        verdict = {0: "conformant", 1: "nonconformant"}.get(result.exit_code, f"could not run ({result.reason})")
        failed = f" failed: {', '.join(result.failed)}" if result.failed else ""
        print(f"{result.name:>7}: exit {result.exit_code} {verdict}{failed} ({result.seconds:.1f} s)")
    verdicts = {(r.exit_code, tuple(r.failed)) for r in results}
    same = len(verdicts) == 1
    print(
        f"determinism: {len(results)} runs, {'identical' if same else 'DIFFERENT'} verdicts: "
        f"{sum(r.exit_code == 0 for r in results)} conformant"
    )
    return 0 if same and results[0].exit_code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
