"""Hypothesis strategies for the request parameters, derived from the spec's constraints (schemas/parameters.json).

`valid_values(p)` draws wire values satisfying every constraint of p; `invalid_values(p, kind)` draws values
that break constraint `kind` and no other (so the expected error names exactly one member). Values are built
by construction from the page's pattern (hypothesis `from_regex`) and checked by the spec's own validator.

Every alphabet is explicit (the page's patterns admit Latin-1 only: tests/unit/test_strategies.py checks it), so no
strategy needs Hypothesis' table of what UTF-8 encodes, which costs a second of CPU to build in every process whose
cache is empty (a CI runner's, every time). The one table left, Unicode's categories, ships with the package
(conformance.config.hypothesis_home copies it into an empty cache); `warm_up` loads it (or, for a Python whose
Unicode version has no bundled table, builds it) once before tests run side by side, not once per test.
"""

from __future__ import annotations

import functools
import re
import string

from hypothesis import strategies as st

from conformance.contract.spec import Parameter

# Kinds a request can break on the wire. min_length is left out on purpose: an empty query value ("UserName=")
# may be read as "parameter absent" by a legal implementation; real IAM's answer is unknown.
PROBED_KINDS = ("minimum", "maximum", "type", "max_length", "pattern")
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


@functools.cache
def allowed_special_characters(parameter: Parameter) -> tuple[str, ...]:
    """The printable ASCII characters the pattern admits besides letters and digits (for UserName: _+=,.@-)."""
    regex = parameter.regex
    return tuple(c for c in string.punctuation if regex is not None and regex.fullmatch(c))


# What the page's patterns can match, character by character: Latin-1.
PAGE_ALPHABET = "".join(map(chr, range(0x100)))
ALPHANUMERIC = string.ascii_letters + string.digits


def warm_up() -> None:
    """Load Hypothesis' table of Unicode categories now, in this thread (built, when no cache or bundled table has
    it): every from_regex needs it, and tests starting side by side would each load or build their own."""
    st.characters(max_codepoint=0x7F).validate()


def _pattern(parameter: Parameter) -> re.Pattern[str]:
    """The page's pattern of a string parameter (each has one)."""
    regex = parameter.regex
    if regex is None:
        raise ValueError(f"parameter {parameter.name} has no pattern")
    return regex


# Strategies are made once per parameter and kept (functools.cache): Hypothesis validates each strategy object, and
# builds a regex's character sets, once per object, not once per test that draws from it. Filters are named functions,
# never lambdas: a filter that rejects a draw has Hypothesis describe the strategy, reading a lambda's source to do so.


@functools.cache
def _pattern_strings(parameter: Parameter, min_size: int, max_size: int) -> st.SearchStrategy[str]:
    def within_the_lengths(s: str) -> bool:
        return min_size <= len(s) <= max_size

    return st.from_regex(_pattern(parameter), fullmatch=True, alphabet=PAGE_ALPHABET).filter(within_the_lengths)


@functools.cache
def valid_values(parameter: Parameter) -> st.SearchStrategy[str]:
    if parameter.type == "integer":
        return st.integers(parameter.bound("minimum"), parameter.bound("maximum")).map(str)
    low, high = parameter.limit("min_length"), parameter.limit("max_length")
    return _pattern_strings(parameter, low, high)


def _sendable(c: str) -> bool:
    # Surrogates cannot be sent as UTF-8. Filtered rather than excluded by category, which would have Hypothesis
    # union every other category's table (they are 2048 of 1.1 million codepoints: hardly ever drawn).
    return not "\ud800" <= c <= "\udfff"


def _outside_pattern_characters(parameter: Parameter) -> st.SearchStrategy[str]:
    # NUL is refused by HTTP stacks before IAM sees it. ASCII, the rest of Latin-1 and beyond, each as likely: where
    # the page's pattern ends (past \u00FF) is as worth probing as a space or a slash.
    codepoints = st.one_of(st.integers(1, 0x7F), st.integers(0x80, 0xFF), st.integers(0x100, 0x10FFFF))

    def sendable_outside_the_pattern(c: str) -> bool:
        return _sendable(c) and _pattern(parameter).fullmatch(c) is None

    return codepoints.map(chr).filter(sendable_outside_the_pattern)


def _has_a_point(s: str) -> bool:
    return "." in s


@functools.cache
def invalid_values(parameter: Parameter, kind: str) -> st.SearchStrategy[str]:
    """Wire values breaking exactly constraint `kind` of `parameter`."""
    # Bounded to 32 bits: Smithy's integer is 32-bit, and what IAM says to a value overflowing it is unknown.
    if kind == "minimum":
        return st.integers(INT32_MIN, parameter.limit("minimum") - 1).map(str)
    if kind == "maximum":
        return st.integers(parameter.limit("maximum") + 1, INT32_MAX).map(str)
    if kind == "type":
        # Decimals, letters, mixed tokens, and what a lax integer parser takes for a number: digit groups with '_'
        # (Python's int()), exponents, hex. Not what Java's parseInt (likely behind IAM) accepts as an integer, which
        # a conformant target may accept too: blanks trimmed, a sign, leading zeros, digits of other scripts.
        low, high = parameter.bound("minimum"), parameter.bound("maximum")
        in_range = st.integers(low, high)
        return st.one_of(
            st.from_regex(r"[A-Za-z]{1,8}", fullmatch=True, alphabet=ALPHANUMERIC),
            st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str).filter(_has_a_point),
            st.from_regex(r"[0-9]{1,3}[a-z]{1,3}", fullmatch=True, alphabet=ALPHANUMERIC),
            # two digits at least, for a '_' between them
            st.integers(10 if low is None else max(10, low), high).map(lambda n: f"{str(n)[:-1]}_{str(n)[-1]}"),
            in_range.map(lambda n: f"{n}e0"),
            in_range.map(lambda n: f"0x{n:x}"),
        )
    if kind == "max_length":
        high = parameter.limit("max_length")
        return st.tuples(_pattern_strings(parameter, 1, 40), st.integers(high + 1, high + 64)).map(
            lambda pair: (pair[0] * (pair[1] // len(pair[0]) + 1))[: pair[1]]
        )
    if kind == "pattern":
        high = parameter.limit("max_length")
        return st.tuples(
            _pattern_strings(parameter, 1, min(40, high - 1)),
            _outside_pattern_characters(parameter),
            st.integers(0, 40),
        ).map(lambda t: t[0][: t[2] % (len(t[0]) + 1)] + t[1] + t[0][t[2] % (len(t[0]) + 1) :])
    raise ValueError(f"no invalid-value strategy for constraint kind {kind!r}")


def probed_kinds(parameter: Parameter) -> list[str]:
    """The constraint kinds of `parameter` the suite sends violations of."""
    kinds = [c.kind for c in parameter.constraints if c.kind in PROBED_KINDS]
    return (["type"] if parameter.type == "integer" else []) + kinds


def beyond_32_bits(parameter: Parameter) -> st.SearchStrategy[str]:
    """Integers no 32-bit integer holds: a parser that wraps them around (4294967297 -> 1) reads another number."""
    return st.one_of(st.integers(INT32_MAX + 1, 2**80), st.integers(-(2**80), INT32_MIN - 1)).map(str)
