"""`make drift`: what today's newest releases would change, noticed on the day instead of on a stranger's machine.

Builds .venv-drift from the newest versions of everything (the package's ranges, then moto beyond the [moto] extra's
cap), and prints, against the locked .venv:
  1. the packages whose version differs;
  2. the same run (embedded moto, seed 0, no baseline) in both: requirements whose status or deviation signatures moved,
     and what `--baseline moto` says in the newest venv;
  3. the project's own tests in the newest venv: those that fail.
Not a gate: exit 0 whatever changed; 2 when the newest venv cannot be built. Reports in reports/drift/.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKED = ROOT / ".venv"
NEWEST = ROOT / ".venv-drift"
REPORTS = ROOT / "reports" / "drift"


def freeze(venv: Path) -> dict[str, str]:
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    )
    return {entry["name"].lower(): entry["version"] for entry in json.loads(done.stdout)}


def package_changes(locked: dict[str, str], newest: dict[str, str]) -> list[str]:
    lines = []
    for name in sorted(set(locked) | set(newest)):
        before, after = locked.get(name), newest.get(name)
        if before != after and name != "iam-conformance":
            lines.append(f"{name}: {before or 'absent'} -> {after or 'absent'}")
    return lines


def signatures(row: dict) -> set[str]:
    found = set()
    for failure in row.get("failures", []):
        signature = (failure.get("evidence") or {}).get("signature")
        if signature:
            found.add(
                f"{signature['check']}: HTTP {signature['status']} {signature['code'] or ''} "
                f"#{signature['message']}".replace("  ", " ")
            )
    return found


def outcome_changes(locked: dict, newest: dict) -> list[str]:
    """Requirements whose status or deviation signatures differ between two summaries of the same seed."""
    before = {row["id"]: row for row in locked["requirements"]}
    lines = []
    for row in newest["requirements"]:
        old = before.get(row["id"])
        if old is None:
            lines.append(f"{row['id']}: new requirement, {row['status']}")
            continue
        if old["status"] != row["status"]:
            lines.append(
                f"{row['id']}: {old['status']} -> {row['status']}"
                + (f" ({', '.join(sorted(signatures(row)))})" if row["status"] == "failed" else "")
            )
        elif row["status"] == "failed" and signatures(old) != signatures(row):
            lines.append(
                f"{row['id']}: failed otherwise: {', '.join(sorted(signatures(old)))} -> "
                f"{', '.join(sorted(signatures(row)))}"
            )
    return lines


def run_suite(venv: Path, name: str, *extra: str) -> tuple[int, str, Path]:
    report_dir = REPORTS / name
    done = subprocess.run(
        [str(venv / "bin" / "iam-conformance"), "run", "--seed", "0", "--report-dir", str(report_dir), *extra],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=1800,
    )
    last = (done.stdout.strip().splitlines() or done.stderr.strip().splitlines() or [""])[-1]
    return done.returncode, last, report_dir


def build_newest() -> bool:
    steps = [
        [sys.executable, "-m", "venv", "--clear", str(NEWEST)],
        [str(NEWEST / "bin" / "pip"), "install", "--quiet", "--upgrade", "-e", ".[dev]"],
        # beyond the [moto] extra's cap (the versions with a bundled baseline): what moto released since
        [str(NEWEST / "bin" / "pip"), "install", "--quiet", "--upgrade", "moto[server]"],
    ]
    for step in steps:
        done = subprocess.run(step, cwd=ROOT, capture_output=True, text=True, timeout=1800)
        if done.returncode != 0:
            print(
                f"drift: could not build {NEWEST.name}: {' '.join(step[-3:])}: "
                f"{(done.stderr.strip().splitlines() or ['?'])[-1]}",
                file=sys.stderr,
            )
            return False
    return True


def main() -> int:
    if not build_newest():
        return 2
    changed = package_changes(freeze(LOCKED), freeze(NEWEST))
    print(f"packages whose newest release differs from the lock ({len(changed)}):")
    print("\n".join(f"  {line}" for line in changed) or "  none")
    (_, locked_line, locked_dir), (_, newest_line, newest_dir) = (
        run_suite(LOCKED, "locked"),
        run_suite(NEWEST, "newest"),
    )
    print(f"run against the embedded moto, seed 0, no baseline:\n  locked: {locked_line}\n  newest: {newest_line}")
    try:
        moved = outcome_changes(
            *(json.loads((d / "summary.json").read_text(encoding="utf-8")) for d in (locked_dir, newest_dir))
        )
        print("requirements whose outcome or deviation signature moved:")
        print("\n".join(f"  {line}" for line in moved) or "  none")
    except (OSError, ValueError, KeyError) as exc:
        print(f"  cannot compare the two runs: {exc}")
    code, gated, _ = run_suite(NEWEST, "newest-baseline", "--baseline", "moto")
    print(f"the newest venv with --baseline moto (exit {code}):\n  {gated}")
    junit = REPORTS / "tests.xml"
    tests = subprocess.run(
        [
            str(NEWEST / "bin" / "python"),
            "-m",
            "pytest",
            "tests",
            "-q",
            "-n",
            "2",
            "-p",
            "no:cacheprovider",
            f"--junitxml={junit}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    broken = [line for line in tests.stdout.splitlines() if line.startswith(("FAILED ", "ERROR "))]
    last = (tests.stdout.strip().splitlines() or [""])[-1]
    print(f"the project's tests in the newest venv: {last}")
    print("\n".join(f"  {line}" for line in broken) or "  none broke")
    return 0


if __name__ == "__main__":
    sys.exit(main())
