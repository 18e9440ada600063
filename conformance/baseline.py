"""Baselines: the requirement ids a given target is known to fail, each with a one-line reason.

File format (JSON): {"target": "...", "written": "2026-11-28", "expected_failures": {"PAG-02": "why", ...}}.
The package bundles baselines for known implementations; `--baseline moto` names one (`iam-conformance
baselines` lists them), any other value is a path.
"""
from __future__ import annotations

import datetime
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from conformance.spec import data_dir, requirements


class BaselineError(ValueError):
    """The baseline file cannot be used; the run exits 2 with this reason."""


@dataclass(frozen=True)
class Baseline:
    path: str
    target: str
    expected_failures: dict[str, str] = field(default_factory=dict)
    name: str | None = None  # the bundled name it was loaded by (`--baseline moto`), else None

    @property
    def label(self) -> str:
        """How reports name it: the bundled name, else the path given."""
        return self.name or self.path


def bundled() -> dict[str, Path]:
    """Name -> file of each baseline the package ships (the checkout's baselines/, or the wheel's copy)."""
    try:
        folder = data_dir("baselines")
    except FileNotFoundError:
        return {}
    return {file.stem: file for file in sorted(folder.glob("*.json"))}


def locate(path_or_name: str) -> tuple[Path, str | None]:
    """The file a --baseline value means, and the bundled name when it was one. An existing file wins over a
    bundled name, so a user's own `moto` file is never shadowed."""
    given = Path(path_or_name)
    if given.is_file():
        return given, None
    shipped = bundled()
    if path_or_name in shipped:
        return shipped[path_or_name], path_or_name
    if given.suffix == ".json" or "/" in path_or_name or os.sep in path_or_name:  # a path: say it is missing
        raise BaselineError(f"cannot read baseline {path_or_name}: no such file "
                            f"(bundled baselines, by name: {', '.join(shipped) or 'none'})")
    raise BaselineError(f"unknown baseline {path_or_name!r}: neither a file nor a bundled name "
                        f"({', '.join(shipped) or 'none bundled'})")


def argument(path_or_name: str) -> str:
    """A --baseline value as it can be handed on to another working directory: a name as is, a path absolute."""
    file, name = locate(path_or_name)
    return name or str(file.resolve())


def load(path_or_name: str | None) -> Baseline | None:
    if path_or_name is None:
        return None
    file, name = locate(path_or_name)
    return _read(file, path_or_name if name is None else str(file), name)


def _read(file: Path, path: str, name: str | None) -> Baseline:
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BaselineError(f"baseline {path} is not JSON: {exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("expected_failures"), dict):
        raise BaselineError(f"baseline {path} needs an object with an 'expected_failures' object")
    unknown = sorted(set(raw["expected_failures"]) - set(requirements()))
    if unknown:
        raise BaselineError(f"baseline {path} names unknown requirement ids: {', '.join(unknown)}")
    return Baseline(path, str(raw.get("target", "")), {k: str(v) for k, v in raw["expected_failures"].items()}, name)


def listing() -> list[str]:
    """`iam-conformance baselines`: one line per bundled baseline (name, entries, target)."""
    shipped = bundled()
    if not shipped:
        return ["no bundled baselines in this installation"]
    width = max(map(len, shipped))
    lines = []
    for name, file in shipped.items():
        try:
            baseline = _read(file, str(file), name)
            lines.append(f"{name:<{width}}  {len(baseline.expected_failures):>3} entries  {baseline.target}")
        except BaselineError as exc:
            lines.append(f"{name:<{width}}  unusable: {exc}")
    return lines


@dataclass(frozen=True)
class Gate:
    """How the run's failures compare with the baseline; exit 0 only when nothing unexpected failed."""

    unexpected: list[str]  # failed, not in the baseline
    known: list[str]  # failed, in the baseline
    now_passing: list[str]  # in the baseline, passed this time
    strict: bool = False  # --strict-baseline: a stale baseline entry fails the gate too

    @property
    def exit_code(self) -> int:
        return 1 if self.unexpected or (self.strict and self.now_passing) else 0


def gate(statuses: dict[str, str], baseline: Baseline | None, strict: bool = False) -> Gate:
    expected = baseline.expected_failures if baseline else {}
    failed = sorted(r for r, s in statuses.items() if s == "failed")
    return Gate(
        unexpected=[r for r in failed if r not in expected],
        known=[r for r in failed if r in expected],
        now_passing=sorted(r for r in expected if statuses.get(r) == "passed"),
        strict=strict,
    )


def write(path: str, target: str, failures: dict[str, str]) -> None:
    """Record `failures` (id -> one-line reason) as the baseline of `target`, dated today."""
    document = {"target": target, "written": datetime.date.today().isoformat(), "expected_failures": failures}
    with open(path, "w", encoding="utf-8") as out:
        json.dump(document, out, indent=2, ensure_ascii=False)
        out.write("\n")
