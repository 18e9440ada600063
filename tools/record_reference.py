"""Record the shipped recording again: the standard profile against the project's reference IAM, seed 0, into
fixtures/recordings/reference-standard/ (what `iam-conformance diff --recording reference-standard` replays and the
project's tests diff every conformant variant and several faults against). Run it when the suite's requests or
checks change; tests/integration/test_differential.py fails on a recording this suite cannot judge in full.

    python tools/record_reference.py [--out DIR] [--seed N] [--profile standard]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from conformance.reference import ROOT_ACCESS_KEY, ROOT_SECRET_KEY, ReferenceServer

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "fixtures" / "recordings" / "reference-standard"


def record(out: Path, seed: int, profile: str) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=ROOT_ACCESS_KEY, AWS_SECRET_ACCESS_KEY=ROOT_SECRET_KEY)
    with ReferenceServer() as server, tempfile.TemporaryDirectory() as reports:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "conformance.cli",
                "run",
                "--endpoint-url",
                server.url,
                "--profile",
                profile,
                "--seed",
                str(seed),
                "--report-dir",
                reports,
                "--record",
                str(out),
            ],
            env=env,
            cwd=ROOT,
            text=True,
            timeout=900,
        )
    return done.returncode


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(OUT))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", default="standard")
    args = parser.parse_args(argv)
    return record(Path(args.out), args.seed, args.profile)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
