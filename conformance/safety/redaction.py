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

MASK = "(redacted)"
MIN_SECRET = 8  # shorter values are too likely to be ordinary words to mask wherever they appear
PIECE = 16  # a run of this many characters of a secret counts as the secret
BLOCK = PIECE // 2
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
        self._longest_first: list[str] = []
        self._pieces: set[str] = set()
        self._blocks: re.Pattern[str] | None = None
        self.add(*secrets)

    @property
    def secrets(self) -> frozenset[str]:
        return frozenset(self._secrets)

    def add(self, *secrets: str | None) -> list[str]:
        """Remember secrets; returns the ones that were new (for shipping them to the process that reports)."""
        new = [s for s in dict.fromkeys(secrets) if s and len(s) >= MIN_SECRET and s not in self._secrets]
        for secret in new:
            self._secrets.add(secret)
            self._pieces.update(secret[i : i + PIECE] for i in range(len(secret) - PIECE + 1))
        if new:
            self._longest_first = sorted(self._secrets, key=len, reverse=True)
            self._blocks = None  # built again when next needed: keys are learned one by one during a run
        return new

    def _block_search(self) -> re.Pattern[str]:
        if self._blocks is None:
            # Every PIECE-long run of a secret contains one of its blocks of BLOCK characters at a multiple of BLOCK
            # (a run starting at i holds the block starting at the next multiple, at most BLOCK - 1 further on): text
            # holding none of them holds no piece, and most text is passed over by one search of the regex engine.
            blocks = {s[i : i + BLOCK] for s in self._secrets for i in range(0, len(s) - BLOCK + 1, BLOCK)}
            self._blocks = re.compile("|".join(map(re.escape, sorted(blocks))))
        return self._blocks

    def redact(self, text: str) -> str:
        if len(text) < SHORTEST_REDACTED:
            return text
        if self._secrets and self._block_search().search(text):  # a whole secret holds a block too
            for secret in self._longest_first:
                text = text.replace(secret, MASK)
            if len(text) >= PIECE:
                text = self._mask_pieces(text)
        if _ANY_SHAPE.search(text):
            for shape in _SHAPES:
                text = shape.sub(rf"\1{MASK}\2", text)
        return text

    def _mask_pieces(self, text: str) -> str:
        """Mask every stretch of `text` covered by a PIECE-long run of some secret's characters."""
        covered_until = -1
        spans: list[tuple[int, int]] = []
        for start in range(len(text) - PIECE + 1):
            if text[start : start + PIECE] in self._pieces:
                end = start + PIECE
                if spans and start <= covered_until:
                    spans[-1] = (spans[-1][0], end)
                else:
                    spans.append((start, end))
                covered_until = end
        for start, end in reversed(spans):
            text = text[:start] + MASK + text[end:]
        return text

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
