"""Redaction is bounded by what the suite keeps of a secret, and linear in the text's length whatever the secrets
look like: a target that hands out secrets of a million characters costs the run no more than one of 40."""

from __future__ import annotations

import random
import string
import time

from hypothesis import given
from hypothesis import strategies as st

from conformance.safety.bounds import MAX_SECRET_CHARS, MAX_VALUE_CHARS, PREFIX_CHARS, bounded, digest
from conformance.safety.redaction import MASK, PIECE, Redactor

ALPHABET = string.ascii_letters + string.digits + "/+"


def naive(text: str, secrets: list[str]) -> str:
    """Every PIECE-long window of `text` that is a run of a secret, masked: the definition, checked at every start."""
    pieces = {s[i : i + PIECE] for s in secrets for i in range(len(s) - PIECE + 1)}
    spans: list[list[int]] = []
    for start in range(len(text) - PIECE + 1):
        if text[start : start + PIECE] in pieces:
            if spans and start <= spans[-1][1]:
                spans[-1][1] = start + PIECE
            else:
                spans.append([start, start + PIECE])
    for start, end in reversed(spans):
        text = text[:start] + MASK + text[end:]
    return text


@given(
    secrets=st.lists(st.text(st.sampled_from("ab/+'\""), min_size=PIECE, max_size=60), min_size=1, max_size=3),
    parts=st.lists(st.integers(0, 2) | st.text(st.sampled_from("ab'x"), max_size=20), max_size=8),
    data=st.data(),
)
def test_looking_up_blocks_first_masks_exactly_what_every_window_would(secrets, parts, data):
    text = ""
    for part in parts:  # pieces of the secrets, cut anywhere, between other text
        if isinstance(part, int):
            secret = secrets[part % len(secrets)]
            start = data.draw(st.integers(0, len(secret) - 1))
            text += secret[start : data.draw(st.integers(start, len(secret)))]
        else:
            text += part
    assert Redactor(secrets)._mask_pieces(text) == naive(text, secrets)


def test_a_secret_longer_than_its_bound_is_kept_and_masked_by_its_prefix():
    huge = "".join(random.Random(0).choices(ALPHABET, k=1_000_000))
    redactor = Redactor()
    assert redactor.add(huge) == [huge[:MAX_SECRET_CHARS]] and redactor.secrets == {huge[:MAX_SECRET_CHARS]}
    shown = redactor.redact(f"echo {huge[1000:1100]} and {huge[:MAX_SECRET_CHARS]}")
    assert shown == f"echo {MASK} and {MASK}"


def test_redacting_a_mebibyte_is_linear_whatever_the_secrets():
    """Sixteen secrets at their bound, and a mebibyte of text in their alphabet with pieces of them here and there:
    the regex of every block of every secret this replaced took 35 s on it. The bound is generous: a busy machine
    takes well under a second."""
    rng = random.Random(1)
    secrets = ["".join(rng.choices(ALPHABET, k=MAX_SECRET_CHARS)) for _ in range(16)]
    redactor = Redactor(secrets)
    chunks = ["".join(rng.choices(ALPHABET, k=1000)) + secrets[n % 16][n : n + 40] for n in range(1050)]
    text = "".join(chunks)[: 1 << 20]
    started = time.process_time()
    shown = redactor.redact(text)
    assert time.process_time() - started < 10
    assert shown.count(MASK) >= 1000 and not any(secrets[n % 16][n : n + PIECE] in shown for n in range(1000))


def test_a_long_value_is_kept_as_a_prefix_its_length_and_a_hash():
    value = "M" * 900_000
    kept = bounded(value)
    assert kept.startswith("M" * PREFIX_CHARS + "…") and f"900000 characters in all, sha256 {digest(value)}" in kept
    assert len(kept) < MAX_VALUE_CHARS and bounded(kept) == kept and bounded("short") == "short"
