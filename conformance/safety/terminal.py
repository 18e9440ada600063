"""Text a target sent, made safe to show: on a terminal (`neutralise`) and inside an XML report (`xml_safe`).

Both are pure and show what they replace as a visible escape (`\\x1b`, `\\u202e`), so a reader still sees that
the target sent it. Backslashes are left alone: the escapes are for reading, not for decoding back.
"""

from __future__ import annotations

import re

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

# What a terminal acts on or reorders rather than shows: C0 controls (ESC starts colour, title, clear-screen and
# cursor sequences; CR overwrites the line), DEL, C1 controls (U+009B is a one-character CSI on some terminals),
# the Unicode line and paragraph separators, the bidi marks, embeddings, overrides and isolates (reordered text,
# CVE-2021-42574), and lone surrogates (undecodable bytes, which print() cannot even encode).
_TERMINAL_UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_TERMINAL_UNSAFE_WITH_NEWLINE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)

# XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]; anything else makes the
# document not well-formed, whatever escaping the writer does. Written as that complement (the same characters),
# which compiles ten times faster than the negated class.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def neutralise(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with every character a terminal would act on shown escaped; a console line is one line, so newlines
    are escaped too unless `keep_newlines` (a block printed as several lines)."""
    pattern = _TERMINAL_UNSAFE if keep_newlines else _TERMINAL_UNSAFE_WITH_NEWLINE
    return pattern.sub(_escape, text)


def xml_safe(text: str) -> str:
    """`text` with every character XML 1.0 cannot carry shown escaped; tab, newline and CR stay as they are."""
    return _NOT_XML.sub(_escape, text)
