"""Baselines: the requirements a given target is known to fail, each with a one-line reason and the signatures of
its deviations (conformance.results.signatures), for the target (name and version) it describes.

File format 2 (JSON):
    {"format": 2, "target": {"name": "moto", "version": "5.2.6", "description": "..."}, "written": "2026-12-07",
     "expected_failures": {"PAG-02": {"reason": "why", "signatures": [{"check": ..., "status": ..., "code": ...,
                                                                        "message": ...}]}, ...}}
Format 1 (`{"target": "...", "expected_failures": {"PAG-02": "why"}}`) still loads: its entries have no signatures,
so a change in how they fail cannot be told.

The package bundles baselines per target version (`moto-5.2.6`); `--baseline moto` picks the one for the version
the embedded target runs. `iam-conformance baselines` lists them; any other value is a path.
"""

from __future__ import annotations

import datetime
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.contract.spec import data_dir, requirements
from conformance.errors import ConformanceError
from conformance.results.signatures import Signature

FORMAT = 2
MAX_FILE_BYTES = 4 << 20  # a baseline holds a line or two per requirement: anything near this is not one
_VERSIONED = re.compile(r"(?P<family>[a-z][a-z0-9_]*(?:-[a-z][a-z0-9_]*)*)-(?P<version>[0-9][0-9A-Za-z.+_-]*)")


class BaselineError(ConformanceError, ValueError):
    """The baseline cannot be used; the run exits 2 with this reason."""


@dataclass(frozen=True)
class Baseline:
    path: str
    target: str  # what it describes, in words
    expected_failures: dict[str, str] = field(default_factory=dict)  # requirement id -> reason
    name: str | None = None  # the bundled name it was loaded by (`moto-5.2.6`), else None
    target_name: str | None = None
    target_version: str | None = None
    # requirement id -> the signatures its deviations had; absent: recorded without them (format 1)
    signatures: dict[str, frozenset[Signature]] = field(default_factory=dict)

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


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"[.+_-]", version))


def family_versions(family: str) -> dict[str, str]:
    """version -> bundled name, for the bundled baselines of one target family (`moto`)."""
    found = {}
    for name in bundled():
        match = _VERSIONED.fullmatch(name)
        if match and match["family"] == family:
            found[match["version"]] = name
    return dict(sorted(found.items(), key=lambda item: _version_key(item[0])))


def nearest(versions: list[str], wanted: str) -> str:
    """The newest of `versions` not after `wanted`, else the oldest after it."""
    ordered = sorted(versions, key=_version_key)
    before = [v for v in ordered if _version_key(v) <= _version_key(wanted)]
    return before[-1] if before else ordered[0]


def locate(path_or_name: str, target: tuple[str, str] | None = None) -> tuple[Path, str | None]:
    """The file a --baseline value means, and the bundled name when it was one. An existing file wins over a
    bundled name, so a user's own `moto` file is never shadowed. A family name (`moto`) means the bundled baseline
    of the version `target` (name, version) runs; without a known version it cannot be chosen."""
    given = Path(path_or_name)
    if given.is_file():
        return given, None
    shipped = bundled()
    if path_or_name in shipped:
        return shipped[path_or_name], path_or_name
    versions = family_versions(path_or_name)
    if versions:
        names = ", ".join(versions.values())
        if target is None or target[0] != path_or_name:
            raise BaselineError(
                f"--baseline {path_or_name}: the suite cannot tell which {path_or_name} version a "
                f"target it did not start runs; name the baseline with its version: {names}"
            )
        if target[1] in versions:
            name = versions[target[1]]
            return shipped[name], name
        closest = versions[nearest(list(versions), target[1])]
        raise BaselineError(
            f"no bundled baseline for {path_or_name} {target[1]}; the nearest is {closest} "
            f"(--baseline {closest} uses it, though it may no longer describe {target[1]})"
        )
    if given.suffix == ".json" or "/" in path_or_name or os.sep in path_or_name:  # a path: say it is missing
        raise BaselineError(
            f"cannot read baseline {path_or_name}: no such file "
            f"(bundled baselines, by name: {', '.join(shipped) or 'none'})"
        )
    raise BaselineError(
        f"unknown baseline {path_or_name!r}: neither a file nor a bundled name ({', '.join(shipped) or 'none bundled'})"
    )


def argument(path_or_name: str, target: tuple[str, str] | None = None) -> str:
    """A --baseline value as it can be handed on to another working directory: a bundled name (a family's resolved
    to its version), or a path made absolute."""
    file, name = locate(path_or_name, target)
    return name or str(file.resolve())


def load(path_or_name: str | None, target: tuple[str, str] | None = None) -> Baseline | None:
    if path_or_name is None:
        return None
    file, name = locate(path_or_name, target)
    return _read(file, path_or_name if name is None else str(file), name)


def _read(file: Path, path: str, name: str | None) -> Baseline:
    from conformance.safety.files import ReportFileError, read_json

    try:
        raw = read_json(file, limit=MAX_FILE_BYTES)
    except ReportFileError as exc:
        raise BaselineError(f"baseline {path}: {exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("expected_failures"), dict):
        raise BaselineError(f"baseline {path} needs an object with an 'expected_failures' object")
    unknown = sorted(str(k) for k in set(raw["expected_failures"]) - set(requirements()))
    if unknown:
        raise BaselineError(f"baseline {path} names unknown requirement ids: {', '.join(unknown)[:300]}")
    reasons, signatures = {}, {}
    for requirement_id, entry in raw["expected_failures"].items():
        if isinstance(entry, dict):  # format 2
            reasons[requirement_id] = str(entry.get("reason", ""))[:2000]
            found = entry.get("signatures")
            if isinstance(found, list):
                signatures[requirement_id] = frozenset(s for s in map(Signature.from_dict, found) if s is not None)
        else:
            reasons[requirement_id] = str(entry)[:2000]
    target = raw.get("target")
    target_name = target_version = None
    if isinstance(target, dict):
        target_name, target_version = _short(target.get("name")), _short(target.get("version"))
        described = str(target.get("description") or f"{target_name or ''} {target_version or ''}".strip())
    else:
        described = str(target or "")
    return Baseline(path, described[:500], reasons, name, target_name, target_version, signatures)


def _short(value: object) -> str | None:
    return str(value)[:100] if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None


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
class Drift:
    """A known deviation that failed otherwise than the baseline recorded: the same requirement, another signature."""

    id: str
    seen: tuple[Signature, ...]  # this run's signatures the baseline does not hold
    recorded: tuple[Signature, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "seen": [s.to_dict() | {"text": str(s)} for s in self.seen],
            "recorded": [s.to_dict() | {"text": str(s)} for s in self.recorded],
        }


@dataclass(frozen=True)
class Gate:
    """How the run's failures compare with the baseline; exit 0 only when nothing unexpected failed (and, strict,
    nothing in the baseline passed or drifted)."""

    unexpected: list[str]  # failed, not in the baseline
    known: list[str]  # failed, in the baseline
    now_passing: list[str]  # in the baseline, passed this time
    strict: bool = False  # --strict-baseline: a stale or drifted baseline entry fails the gate too
    drift: list[Drift] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.unexpected or (self.strict and (self.now_passing or self.drift)) else 0


def gate(
    statuses: dict[str, str],
    baseline: Baseline | None,
    strict: bool = False,
    seen: dict[str, set[Signature]] | None = None,
) -> Gate:
    """`seen`: the signatures of each failed requirement's deviations this run."""
    expected = baseline.expected_failures if baseline else {}
    failed = sorted(r for r, s in statuses.items() if s == "failed")
    drift = []
    for requirement_id in failed:
        recorded = baseline.signatures.get(requirement_id) if baseline else None
        if requirement_id in expected and recorded:  # entries recorded without signatures cannot drift
            new = sorted((seen or {}).get(requirement_id, set()) - recorded)
            if new:
                drift.append(Drift(requirement_id, tuple(new), tuple(sorted(recorded))))
    return Gate(
        unexpected=[r for r in failed if r not in expected],
        known=[r for r in failed if r in expected],
        now_passing=sorted(r for r in expected if statuses.get(r) == "passed"),
        strict=strict,
        drift=drift,
    )


def document(
    target: tuple[str | None, str | None, str], failures: dict[str, tuple[str, list[Signature]]]
) -> dict[str, Any]:
    """A baseline (format 2) of `target` (name, version, description): requirement id -> (reason, signatures)."""
    name, version, description = target
    return {
        "format": FORMAT,
        "target": {"name": name, "version": version, "description": description},
        "written": datetime.date.today().isoformat(),
        "expected_failures": {
            rid: {"reason": reason, "signatures": [s.to_dict() for s in sorted(set(sigs))]}
            for rid, (reason, sigs) in failures.items()
        },
    }


def write(
    path: str, target: tuple[str | None, str | None, str], failures: dict[str, tuple[str, list[Signature]]]
) -> None:
    """Record `failures` as the baseline of `target`, dated today; never through a link (conformance.safety.files)."""
    from conformance.safety.files import write_file

    write_file(path, json.dumps(document(target, failures), indent=2, ensure_ascii=False) + "\n")
