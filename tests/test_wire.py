"""Untrusted bodies: no DTDs, no entities, bounded size, a clear reason for anything that is not XML."""
import pytest

from conformance.wire import MAX_BODY_BYTES, UnreadableBody, parse_xml

BILLION_LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>
<ErrorResponse>&lol2;</ErrorResponse>"""
EXTERNAL = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"""


@pytest.mark.parametrize("body,reason", [
    (b"", "empty"),
    (b"   \n", "empty"),
    (b"<!doctype html><html><body>500</body></html>", "HTML"),
    (b'{"__type": "ValidationError"}', "JSON"),
    (BILLION_LAUGHS, "DTD"),
    (EXTERNAL, "DTD"),
    (b"<a><b></a>", "well-formed"),
    (b"<a>" + b"x" * MAX_BODY_BYTES + b"</a>", "bound"),
])
def test_unreadable_bodies_are_refused_with_a_reason(body, reason):
    with pytest.raises(UnreadableBody, match=reason):
        parse_xml(body)


def test_a_plain_body_parses():
    assert parse_xml(b'<?xml version="1.0" encoding="UTF-8"?><a xmlns="urn:x"><b>\xc3\xa9</b></a>')[0].text == "\u00e9"
