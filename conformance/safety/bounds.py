"""How much of one value a target sent the suite keeps: a value longer than its bound is kept as a prefix, its length
and a hash, so that what a target hands out (a secret, a Marker, a message) costs the run and its reports a bounded
amount of memory and bytes whatever its size.
"""

from __future__ import annotations

import hashlib
from typing import Any

MAX_VALUE_CHARS = 4096  # a Marker of IAM is at most 320 characters, a message a few hundred
PREFIX_CHARS = 256  # of a value longer than its bound: what is kept of it, before its length and hash
MAX_SECRET_CHARS = 8192  # a secret key is 40 characters, a session token a few thousand at most


def digest(text: str) -> str:
    """A short hash of `text`, to tell two long values apart without keeping them."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def bounded(text: str, limit: int = MAX_VALUE_CHARS) -> str:
    """`text` when it is at most `limit` characters; else its first PREFIX_CHARS, its length and a hash of it.
    Call it on text already redacted: what it keeps is shown."""
    if len(text) <= limit:
        return text
    return f"{text[: min(PREFIX_CHARS, limit)]}… ({len(text)} characters in all, sha256 {digest(text)})"


def bounded_data(value: object) -> Any:
    """`value` (dicts, lists, tuples, strings, numbers) with every string in it, keys included, bounded."""
    if isinstance(value, str):
        return bounded(value)
    if isinstance(value, dict):
        return {bounded(str(k)): bounded_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [bounded_data(v) for v in value]
    return value
