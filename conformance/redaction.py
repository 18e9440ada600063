"""The one place secrets are taken out of anything the suite writes (console, reports, Allure results).

Secrets are known by value (the caller's secret key and session token, every secret key of an access key the
run created) and by shape (any <SecretAccessKey> element, any SigV4 signature or Authorization header).
"""
from __future__ import annotations

import re

_known: set[str] = set()
_SHAPES = (
    re.compile(r"(<(?:\w+:)?SecretAccessKey>)[^<]*(</)"),
    re.compile(r"((?:X-Amz-Signature|Signature)=)[0-9a-fA-F]{16,}()"),
    re.compile(r"((?:X-Amz-Security-Token|SessionToken)[=>])[^&<\s\"]+()"),
    re.compile(r"((?i:authorization)[\"']?\s*[:=]\s*[\"']?)[^\"'\n]+()"),
)
MASK = "(redacted)"


def register(*secrets: str | None) -> None:
    """Remember secrets (8 characters or more, so common words are never masked) to mask wherever they appear."""
    _known.update(s for s in secrets if s and len(s) >= 8)


def redact(text: str) -> str:
    for secret in sorted(_known, key=len, reverse=True):
        text = text.replace(secret, MASK)
    for shape in _SHAPES:
        text = shape.sub(rf"\1{MASK}\2", text)
    return text
