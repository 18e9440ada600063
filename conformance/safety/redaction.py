"""Taking secrets out of everything the suite writes: one Redactor per run, fed by every process of it.

Secrets are known by value (the caller's secret key and session token, the secret key of every access key the run
created) and by shape (a <SecretAccessKey> element, a SigV4 signature, an Authorization header, a session token
parameter). A known secret is masked whole and in part: any run of PIECE or more of its characters, so that text cut
to an excerpt before or after redaction never shows a usable piece of it. Structured data is redacted before it is
serialised (`redact_data`), never by editing serialised text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, overload

from conformance.safety.bounds import MAX_SECRET_CHARS

MASK = "(redacted)"
MIN_SECRET = 8  # shorter values are too likely to be ordinary words to mask wherever they appear
PIECE = 16  # a run of this many characters of a secret counts as the secret
BLOCK = PIECE // 2  # every PIECE-long run holds a BLOCK-long run at a multiple of BLOCK: what is looked up first
_SHAPES = (
    re.compile(r"(<(?:\w+:)?SecretAccessKey>)[^<]*(</)"),
    re.compile(r"((?:X-Amz-Signature|Signature)=)[0-9a-fA-F]{16,}()"),
    # (a reference to the shell variable, as in the curl lines, names no secret)
    re.compile(r"((?:X-Amz-Security-Token|SessionToken)[=>:]\s*)(?!\$AWS_SESSION_TOKEN\b)[^&<\s\"']+()", re.IGNORECASE),
    re.compile(r"((?i:authorization)[\"']?\s*[:=]\s*)[^\n]+()"),  # an Authorization header: its whole value
    re.compile(r"()(?<![0-9a-fA-F])[0-9a-f]{64}(?![0-9a-fA-F])()"),  # a bare SigV4 signature (HMAC-SHA256, hex)
)
# What every shape's match holds (case aside): text without any of these is passed over in one search.
_ANY_SHAPE = re.compile(r"secretaccesskey|signature|token|authorization|[0-9a-f]{64}", re.IGNORECASE)
# Shorter text holds no secret (MIN_SECRET), no piece (PIECE) and no shape: the shortest is "SessionToken=x".
SHORTEST_REDACTED = min(MIN_SECRET, PIECE, len("SessionToken=x"))


class Redactor:
    """The secrets one run knows, and the one way text and data leave the run."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets: set[str] = set()
        self._short: list[str] = []  # secrets shorter than PIECE, longest first: masked whole only
        self._pieces: set[str] = set()  # every PIECE-long run of every secret
        self._blocks: set[str] = set()  # every BLOCK-long run of every secret
        self.add(*secrets)

    @property
    def secrets(self) -> frozenset[str]:
        return frozenset(self._secrets)

    def add(self, *secrets: str | None) -> list[str]:
        """Remember secrets; returns the ones that were new (for shipping them to the process that reports). A secret
        longer than MAX_SECRET_CHARS is remembered by its first MAX_SECRET_CHARS characters: what the run keeps and
        masks of it is bounded, whatever a target hands out."""
        new = []
        for secret in dict.fromkeys(s[:MAX_SECRET_CHARS] for s in secrets if s and len(s) >= MIN_SECRET):
            if secret not in self._secrets:
                new.append(secret)
                self._secrets.add(secret)
                self._pieces.update(secret[i : i + PIECE] for i in range(len(secret) - PIECE + 1))
                self._blocks.update(secret[i : i + BLOCK] for i in range(len(secret) - BLOCK + 1))
        if new:
            self._short = sorted((s for s in self._secrets if len(s) < PIECE), key=len, reverse=True)
        return new

    def redact(self, text: str) -> str:
        """`text` with every secret masked, whole and in part, and every shape of one; linear in the text's length
        whatever the secrets are."""
        if len(text) < SHORTEST_REDACTED:
            return text
        for secret in self._short:
            text = text.replace(secret, MASK)
        if self._pieces and len(text) >= PIECE:
            text = self._mask_pieces(text)
        if _ANY_SHAPE.search(text):
            for shape in _SHAPES:
                text = shape.sub(rf"\1{MASK}\2", text)
        return text

    def _mask_pieces(self, text: str) -> str:
        """Mask every stretch of `text` covered by a PIECE-long run of some secret's characters.

        Such a run starting at s holds, at the multiple of BLOCK between s and s + BLOCK, a BLOCK-long run of the same
        secret: only the text's blocks at multiples of BLOCK are looked up, and only the starts up to BLOCK before a
        block found there are tried. Each character is looked at a bounded number of times."""
        blocks, pieces = self._blocks, self._pieces
        last_start = len(text) - PIECE
        spans: list[tuple[int, int]] = []
        tried = -1  # the last start tried: starts are tried once each, in order
        for at in range(0, len(text) - BLOCK + 1, BLOCK):
            if text[at : at + BLOCK] not in blocks:
                continue
            for start in range(max(at - BLOCK, tried + 1, 0), min(at, last_start) + 1):
                tried = start
                if text[start : start + PIECE] in pieces:
                    end = start + PIECE
                    if spans and start <= spans[-1][1]:
                        spans[-1] = (spans[-1][0], end)
                    else:
                        spans.append((start, end))
        if not spans:
            return text
        kept, previous = [], 0
        for start, end in spans:
            kept += [text[previous:start], MASK]
            previous = end
        kept.append(text[previous:])
        return "".join(kept)

    @overload
    def redact_data(self, value: str) -> str: ...
    @overload
    def redact_data(self, value: dict[str, Any]) -> dict[str, Any]: ...
    @overload
    def redact_data(self, value: object) -> Any: ...
    def redact_data(self, value: object) -> Any:
        """`value` (dicts, lists, tuples, strings, numbers) with every string, keys included, redacted."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {self.redact_data(k): self.redact_data(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.redact_data(v) for v in value]
        return value
