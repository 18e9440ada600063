"""A deviation's signature: what a baseline records of it, so that a known deviation that changes shape is noticed.

The check that failed, the HTTP status and error code seen, and a short fingerprint of the message: the target's
error message (or why its body could not be read), with what varies from run to run taken out first (the values the
request sent, which messages echo; the run's own names; ids; numbers). Two runs with different seeds that meet the
same deviation give the same signature.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

FINGERPRINT_CHARS = 8
_RUN_NAMES = re.compile(r"ic-[0-9a-f]{8}-[\w+=,.@-]*")  # the suite's users: ic-<run id>-<label>
_IDS = re.compile(r"[0-9A-Za-z_-]*[0-9][0-9A-Za-z_-]{15,}")  # request ids, certificate ids, key ids, uuids
_NUMBERS = re.compile(r"[0-9]+")
ECHO_MIN = 3  # shorter sent values (a MaxItems of 1, say) are too likely to be part of any message to take out


def fingerprint(message: str, sent: Iterable[str] = ()) -> str:
    """A short digest of `message`, the same whatever values of `sent` it echoes and whatever the run's names."""
    text = message
    for value in sorted({v for v in sent if len(v) >= ECHO_MIN}, key=len, reverse=True):
        text = text.replace(value, "<value>")
    text = _NUMBERS.sub("#", _IDS.sub("<id>", _RUN_NAMES.sub("<value>", text)))
    digest = hashlib.sha256(" ".join(text.lower().split()).encode("utf-8", "replace")).hexdigest()
    return digest[:FINGERPRINT_CHARS]


@dataclass(frozen=True, order=True)
class Signature:
    check: str
    status: int | None  # None: the deviation is about a whole walk, or no answer
    code: str | None  # the ErrorResponse's Code, None when the answer was no error
    message: str  # fingerprint()

    def to_dict(self) -> dict[str, str | int | None]:
        return {"check": self.check, "status": self.status, "code": self.code, "message": self.message}

    @classmethod
    def from_dict(cls, raw: object) -> Signature | None:
        """A signature read from a file, or None when `raw` is not one (a baseline or summary is the user's file)."""
        if not isinstance(raw, dict):
            return None
        check, status, code, message = (raw.get(k) for k in ("check", "status", "code", "message"))
        if not isinstance(check, str) or not isinstance(message, str) or len(message) > 64 or len(check) > 200:
            return None
        if not (status is None or (isinstance(status, int) and not isinstance(status, bool) and 0 <= status < 1000)):
            return None
        if not (code is None or (isinstance(code, str) and len(code) <= 200)):
            return None
        return cls(check, status, code, message)

    def __str__(self) -> str:
        status = f"HTTP {self.status}" if self.status is not None else "no single answer"
        return f"{self.check}: {status}{f' {self.code}' if self.code else ''} (message #{self.message})"
