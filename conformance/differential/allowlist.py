"""Known behaviour differences: an allow-list file names them, each with its reason, and `diff --strict` then fails
only on the others. (A run's baseline lists requirements a target fails; a behaviour difference breaks no
requirement, so it has a list of its own.)

    {"format": "iam-conformance-diff-allowlist", "version": 1,
     "allowed": {"ListSigningCertificates element order */Certificates/member": "newest first, legal"}}

A key is a difference's `key` as diff.json shows it (action, aspect, element path; members not told apart), or a
pattern of them (`*`, `?`, `[...]`, as fnmatch reads them). Contract differences are never allowed.
"""

from __future__ import annotations

import datetime
import fnmatch
import json
from dataclasses import replace
from pathlib import Path

from conformance.errors import ConformanceError
from conformance.recording.differences import RequestDiff
from conformance.safety.files import ReportFileError, read_json, write_file

FORMAT, VERSION = "iam-conformance-diff-allowlist", 1
MAX_ALLOWLIST_BYTES = 1 << 20


class AllowlistError(ConformanceError):
    """An allow-list that cannot be read or written: one line, exit 2."""


def load(path: str | None) -> dict[str, str]:
    """Pattern -> reason; {} without a file."""
    if path is None:
        return {}
    try:
        found = read_json(path, limit=MAX_ALLOWLIST_BYTES, depth=4)
    except ReportFileError as exc:
        raise AllowlistError(f"--allowlist: {exc}") from None
    allowed = found.get("allowed") if isinstance(found, dict) else None
    if not isinstance(allowed, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in allowed.items()):
        raise AllowlistError(f'--allowlist {path}: expected {{"allowed": {{"KEY": "why", ...}}}}')
    if found.get("format", FORMAT) != FORMAT or found.get("version", VERSION) != VERSION:
        raise AllowlistError(f"--allowlist {path}: not an allow-list of version {VERSION} ({FORMAT})")
    return dict(allowed)


def apply(requests: list[RequestDiff], allowed: dict[str, str]) -> list[RequestDiff]:
    """Each behaviour difference an allow-list pattern names, marked allowed with its reason."""
    if not allowed:
        return requests
    marked = []
    for request in requests:
        differences = tuple(
            replace(d, allowed=_reason(d.key(request.action), allowed)) if not request.findings else d
            for d in request.differences
        )
        marked.append(replace(request, differences=differences))
    return marked


def _reason(key: str, allowed: dict[str, str]) -> str | None:
    return next((why for pattern, why in allowed.items() if fnmatch.fnmatchcase(key, pattern)), None)


def write(path: str | Path, requests: list[RequestDiff], target: str) -> int:
    """Every behaviour difference's key, as an allow-list (each with a reason to edit); how many."""
    today = datetime.date.today().isoformat()
    keys = sorted({d.key(r.action) for r in requests if not r.findings for d in r.differences})
    document = {
        "format": FORMAT,
        "version": VERSION,
        "target": target,
        "allowed": {key: f"recorded by diff --write-allowlist on {today}: say why it is legal" for key in keys},
    }
    try:
        write_file(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    except ConformanceError as exc:
        raise AllowlistError(f"--write-allowlist: {exc}") from None
    return len(keys)
