"""Baselines: the requirement ids a given target is known to fail, each with a one-line reason.

File format (JSON): {"target": "...", "written": "2026-11-28", "expected_failures": {"PAG-02": "why", ...}}.
"""
from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

from conformance.spec import requirements


class BaselineError(ValueError):
    """The baseline file cannot be used; the run exits 2 with this reason."""


@dataclass(frozen=True)
class Baseline:
    path: str
    target: str
    expected_failures: dict[str, str] = field(default_factory=dict)


def load(path: str | None) -> Baseline | None:
    if path is None:
        return None
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"baseline {path} is not JSON: {exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("expected_failures"), dict):
        raise BaselineError(f"baseline {path} needs an object with an 'expected_failures' object")
    unknown = sorted(set(raw["expected_failures"]) - set(requirements()))
    if unknown:
        raise BaselineError(f"baseline {path} names unknown requirement ids: {', '.join(unknown)}")
    return Baseline(path, str(raw.get("target", "")), {k: str(v) for k, v in raw["expected_failures"].items()})


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
