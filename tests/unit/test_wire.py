"""Untrusted bodies: no DTDs, no entities, bounded size, a clear reason for anything that is not XML."""

import pytest

from conformance.protocol import wire
from conformance.protocol.wire import MAX_BODY_BYTES, UnreadableBody, parse_xml

BILLION_LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>
<ErrorResponse>&lol2;</ErrorResponse>"""
EXTERNAL = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"""


@pytest.mark.parametrize(
    "body,reason",
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<!doctype html><html><body>500</body></html>", "HTML"),
        (b'{"__type": "ValidationError"}', "JSON"),
        (BILLION_LAUGHS, "DTD"),
        (EXTERNAL, "DTD"),
        (b"<a><b></a>", "well-formed"),
        (b"<a>" + b"x" * MAX_BODY_BYTES + b"</a>", "bound"),
    ],
)
def test_unreadable_bodies_are_refused_with_a_reason(body, reason):
    with pytest.raises(UnreadableBody, match=reason):
        parse_xml(body)


def test_a_plain_body_parses():
    assert parse_xml(b'<?xml version="1.0" encoding="UTF-8"?><a xmlns="urn:x"><b>\xc3\xa9</b></a>')[0].text == "\u00e9"


PAST_THE_FIRST_4_KIB = b"<!--" + b"x" * 5000 + b"-->"


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?>' + PAST_THE_FIRST_4_KIB + BILLION_LAUGHS.split(b"?>", 1)[1],
        b'<?xml version="1.0"?>\n<?pi ' + b"y" * 9000 + b"?>\n" + EXTERNAL.split(b"?>", 1)[1],
        b"\xef\xbb\xbf" + PAST_THE_FIRST_4_KIB + b"\n<!doctype r SYSTEM 'http://127.0.0.1:9/r.dtd'><r/>",
        b" \n\t" * 3000 + b"<!DOCTYPE r><r/>",
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>'.encode("utf-16"),
    ],
    ids=["comment-over-4KiB", "long-PI", "BOM-and-SYSTEM", "whitespace", "UTF-16"],
)
def test_a_dtd_is_refused_wherever_the_doctype_is(body):
    with pytest.raises(UnreadableBody, match="DTD"):
        parse_xml(body)


def test_the_parsed_documents_own_doctype_is_checked_too(monkeypatch):
    """Defence in depth: with the prolog scan out of the way, the parsed document still refuses its DTD."""
    monkeypatch.setattr(wire, "_prolog_doctype", lambda body: None)
    with pytest.raises(UnreadableBody, match="DTD"):
        parse_xml(b'<?xml version="1.0"?>' + PAST_THE_FIRST_4_KIB + b"<!DOCTYPE r><r/>")


def test_doctype_text_outside_the_prolog_is_no_dtd():
    root = parse_xml(b"<r><![CDATA[<!DOCTYPE r>]]><!-- <!DOCTYPE r> --><c>&lt;!DOCTYPE</c></r>")
    assert root.find("c").text == "<!DOCTYPE" and root.text == "<!DOCTYPE r>"


def test_an_html_page_behind_a_long_comment_is_still_called_html():
    with pytest.raises(UnreadableBody, match="HTML"):
        parse_xml(PAST_THE_FIRST_4_KIB + b"<!DOCTYPE html><html><body>500</body></html>")
