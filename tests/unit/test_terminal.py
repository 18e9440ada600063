"""Text from a target reaches a terminal as visible escapes, and an XML report as characters XML can carry."""

from __future__ import annotations

import unicodedata
from xml.sax.saxutils import escape

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from conformance.safety.terminal import neutralise, xml_safe

BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Every code point, lone surrogates included (what undecodable bytes become).
ANY_TEXT = st.text(st.characters(codec=None, categories=None), max_size=200)


def acted_on_by_a_terminal(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") or char in BIDI


def test_escape_sequences_print_as_text():
    assert neutralise("\x1b]0;owned\x07") == "\\x1b]0;owned\\x07"
    assert neutralise("a\x1b[2Jb\rc\x9b31m") == "a\\x1b[2Jb\\rc\\x9b31m"
    assert neutralise("evil\u202etxt.exe\u2066") == "evil\\u202etxt.exe\\u2066"
    assert neutralise("\x7f\x00\t\udcff") == "\\x7f\\x00\\t\\udcff"


def test_a_console_line_stays_one_line_unless_newlines_are_wanted():
    assert neutralise("one\ntwo\u2028three") == "one\\ntwo\\u2028three"
    assert neutralise("one\ntwo\r\n", keep_newlines=True) == "one\ntwo\\r\n"


@given(ANY_TEXT)
def test_nothing_a_terminal_acts_on_survives(text):
    shown = neutralise(text)
    assert not any(acted_on_by_a_terminal(char) for char in shown)
    shown.encode("utf-8")  # printable in any UTF-8 console: no lone surrogate left


@given(st.text(st.characters(codec=None, categories=None).filter(lambda c: not acted_on_by_a_terminal(c))))
def test_ordinary_text_is_left_as_it_is(text):
    assert neutralise(text) == text


@given(ANY_TEXT)
def test_xml_safe_text_makes_a_well_formed_document(text):
    document = f"<a>{escape(xml_safe(text))}</a>".encode()
    etree.fromstring(document)


@given(
    st.text(
        st.characters(codec="utf-8", exclude_characters="\ufffe\uffff", exclude_categories=("Cc",))
        | st.sampled_from("\t\n")
    )
)
def test_xml_safe_keeps_every_character_xml_can_carry(text):
    assert xml_safe(text) == text


def test_xml_safe_shows_what_it_replaced():
    assert xml_safe("a\x00b\x1bc\ufffed\ud800") == "a\\x00b\\x1bc\\ufffed\\ud800"


def test_xml_safe_escapes_exactly_what_xml_10_cannot_carry_at_every_boundary():
    allowed = ((0x9, 0x9), (0xA, 0xA), (0xD, 0xD), (0x20, 0xD7FF), (0xE000, 0xFFFD), (0x10000, 0x10FFFF))
    edges = {edge + step for low, high in allowed for edge in (low, high) for step in (-1, 0, 1)}
    for code in sorted(c for c in edges if 0 <= c <= 0x10FFFF):
        carried = any(low <= code <= high for low, high in allowed)
        assert (xml_safe(chr(code)) == chr(code)) == carried, hex(code)
