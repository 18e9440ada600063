"""Small hand-made summary.json documents (format 2, or format 1 as older runs wrote them) for compare/matrix tests."""

from __future__ import annotations

import json
from pathlib import Path

CATEGORY = {
    "SHAPE": "shape",
    "PAG": "pagination",
    "PARAM": "parameters",
    "ERR": "errors",
    "ID": "identity",
    "PROTO": "protocol",
    "AUTH": "auth",
}


def failure(
    expected: str = "HTTP 400 ValidationError naming 'maxItems'",
    actual: str = "HTTP 200 with a listing",
    status: int = 200,
    body: str = "<ListSigningCertificatesResponse/>",
) -> dict:
    return {
        "message": f"[check] expected {expected}; got {actual}",
        "evidence": {
            "check": "validation_error_names_member",
            "expected": expected,
            "actual": actual,
            "curl": "curl -sS -i --aws-sigv4 aws:amz:us-east-1:iam --data-urlencode MaxItems=0 http://127.0.0.1:9/",
            "request": {
                "method": "POST",
                "endpoint": "http://127.0.0.1:9/",
                "params": {"MaxItems": "0"},
                "signed_by": "caller",
            },
            "response": {"status": status, "headers": {}, "body_excerpt": body},
        },
    }


def requirement(
    requirement_id: str,
    status: str,
    *,
    known: str | None = None,
    reason: str | None = None,
    failures: list[dict] | None = None,
    format: int = 2,
) -> dict:
    row = {
        "id": requirement_id,
        "category": CATEGORY[requirement_id.split("-")[0]],
        "title": f"title of {requirement_id}",
        "source": f"the page's sentence for {requirement_id}",
        "status": status,
        "known_deviation": known,
        "failures": failures if failures is not None else ([failure()] if status == "failed" else []),
    }
    if format >= 2:
        row |= {"evidence": "documented", "reason": reason}
    return row


def summary(
    statuses: dict[str, str],
    *,
    target: str = "http://127.0.0.1:9/",
    format: int = 2,
    incomplete_reasons: tuple[str, ...] = (),
    rows: list[dict] | None = None,
    **extra,
) -> dict:
    """A summary with one row per `statuses` entry (id -> status), then any `rows` given whole."""
    requirements = [requirement(i, s, format=format) for i, s in statuses.items()] + (rows or [])
    failed = any(r["status"] in ("failed", "error") for r in requirements)
    document = {
        "verdict": "incomplete" if incomplete_reasons else "nonconformant" if failed else "conformant",
        "gate": "fail" if failed or incomplete_reasons else "pass",
        "baseline": None,
        "operation": "ListSigningCertificates",
        "target": target,
        "versions": {"suite": "0.2.0", "api": "2010-05-08"},
        "started": "2026-11-30T10:00:00+00:00",
        "duration_s": 3.2,
        "request_count": 198,
        "requirements": requirements,
    }
    if format >= 2:
        document |= {"format": 2, "incomplete_reasons": list(incomplete_reasons)}
    else:
        document["aborted"] = None
    return document | extra


def write(folder: Path, document: dict) -> Path:
    """`document` as folder/summary.json; returns the folder (a report directory)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "summary.json").write_text(json.dumps(document), encoding="utf-8")
    return folder
