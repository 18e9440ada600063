"""schemas/*.xsd and their readings: the page's sample and every legal variant validate; malformed variants don't.

The open reading (default) sets aside elements the schema declares nowhere and notes them; strict=True is the
closed reading. Everything the schema names is still judged in the open reading.
"""

import re

import pytest
import xmlschema

from conformance.contract.schemas import (
    ERROR_SCHEMA,
    SUCCESS_SCHEMA,
    read_against,
    schema_errors,
    vocabulary,
    without_unknown_elements,
)
from conformance.contract.spec import data_dir
from conformance.protocol.wire import parse_xml

SAMPLE = (data_dir("fixtures") / "page-sample-response.xml").read_bytes()
NS = b'xmlns="https://iam.amazonaws.com/doc/2010-05-08/"'
ERROR = (
    b"<ErrorResponse " + NS + b"><Error><Type>Sender</Type><Code>NoSuchEntity</Code>"
    b"<Message>The user with name x cannot be found.</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"
)


def errors(body: bytes, schema: str = SUCCESS_SCHEMA, strict: bool = False) -> list[str]:
    return schema_errors(parse_xml(body), schema, strict=strict)


def after(anchor: bytes, insert: bytes):
    return lambda b: b.replace(anchor, anchor + insert, 1)


def test_the_pages_sample_response_validates_open_and_strict():
    assert errors(SAMPLE) == [] and errors(SAMPLE, strict=True) == []
    assert read_against(parse_xml(SAMPLE), SUCCESS_SCHEMA).notes == []


LEGAL = {
    "without the top-level UserName": lambda b: b.replace(
        b"<UserName>Bob</UserName>\n<Certificates>", b"<Certificates>"
    ),
    "IsTruncated before Certificates": lambda b: re.sub(
        rb"(<Certificates>.*</Certificates>)\n(<IsTruncated>false</IsTruncated>)", rb"\2\1", b, flags=re.S
    ),
    "member children reversed": lambda b: b.replace(
        b"<UserName>Bob</UserName>\n<CertificateId>", b"<CertificateId>"
    ).replace(b"<Status>Active</Status>", b"<Status>Active</Status><UserName>Bob</UserName>"),
    "a namespace prefix": lambda b: re.sub(rb"<(/?)([A-Za-z]+)([ >])", rb"<\1iam:\2\3", b).replace(
        b"iam:ListSigningCertificatesResponse xmlns=", b"iam:ListSigningCertificatesResponse xmlns:iam="
    ),
    "an UploadDate with milliseconds": after(
        b"<Status>Active</Status>", b"<UploadDate>2010-09-08T09:24:47.123Z</UploadDate>"
    ),
    "a truncated page with an exotic Marker": lambda b: b.replace(
        b"<IsTruncated>false</IsTruncated>", "<IsTruncated>true</IsTruncated><Marker>é ü+/= x</Marker>".encode()
    ),
    "an empty list": lambda b: re.sub(rb"<Certificates>.*</Certificates>", b"<Certificates/>", b, flags=re.S),
}


@pytest.mark.parametrize("variant", LEGAL)
def test_legal_variants_validate_open_and_strict(variant):
    body = LEGAL[variant](SAMPLE)
    assert body != SAMPLE
    assert errors(body) == [] and errors(body, strict=True) == []


MALFORMED = {
    "no Certificates": lambda b: re.sub(rb"<Certificates>.*</Certificates>", b"", b, flags=re.S),
    "unknown Status": lambda b: b.replace(b"<Status>Active", b"<Status>active"),
    "IsTruncated as 1": lambda b: b.replace(b"<IsTruncated>false", b"<IsTruncated>1"),
    "a short CertificateId": lambda b: b.replace(b"TA7SMEXAMPLEZ26OBPJE7EXAMPLE", b"SHORT"),
    "a Marker over 320 characters": lambda b: b.replace(
        b"<IsTruncated>false</IsTruncated>", b"<IsTruncated>true</IsTruncated><Marker>" + b"m" * 321 + b"</Marker>"
    ),
    "a Marker outside Latin-1": lambda b: b.replace(
        b"<IsTruncated>false</IsTruncated>", "<IsTruncated>true</IsTruncated><Marker>\u2192</Marker>".encode()
    ),
    "no RequestId": lambda b: re.sub(rb"<ResponseMetadata>.*</ResponseMetadata>", b"", b, flags=re.S),
    "the wrong namespace": lambda b: b.replace(b"2010-05-08/", b"2010-05-09/"),
    "UploadDate not a date": after(b"<Status>Active</Status>", b"<UploadDate>yesterday</UploadDate>"),
    "two Marker elements": lambda b: b.replace(
        b"<IsTruncated>false</IsTruncated>", b"<IsTruncated>true</IsTruncated><Marker>a</Marker><Marker>b</Marker>"
    ),
    # What the open reading must not forgive, each beside an unknown element it does forgive:
    "Certificates misspelt": lambda b: b.replace(b"<Certificates>", b"<Certficates>").replace(
        b"</Certificates>", b"</Certficates>"
    ),
    "CertificateId misspelt": lambda b: b.replace(b"CertificateId>", b"CertificateID>"),
    "Marker misplaced into a member": after(b"<Status>Active</Status>", b"<Tags/><Marker>m</Marker>"),
    "RequestId misplaced into the Result": lambda b: re.sub(
        rb"<ResponseMetadata>.*</ResponseMetadata>", b"", b, flags=re.S
    ).replace(b"<Certificates>", b"<RequestId>r</RequestId><Certificates>"),
    "Status wrongly typed beside an extra": lambda b: b.replace(
        b"<Status>Active</Status>", b"<Status>ACTIVE</Status><Tags/>"
    ),
    "IsTruncated wrongly typed beside an extra": lambda b: b.replace(
        b"<IsTruncated>false</IsTruncated>", b"<IsTruncated>yes</IsTruncated><NextToken>n</NextToken>"
    ),
    "a known element in a foreign namespace": lambda b: b.replace(
        b"<Status>Active</Status>", b'<Status xmlns="urn:other">Active</Status>'
    ),
    "a known element twice beside an extra": after(b"<Status>Active</Status>", b"<Status>Active</Status><Tags/>"),
}


@pytest.mark.parametrize("variant", MALFORMED)
def test_malformed_variants_fail_open_and_strict(variant):
    body = MALFORMED[variant](SAMPLE)
    assert body != SAMPLE
    assert errors(body) != [] and errors(body, strict=True) != []


# Plausible future fields, at every depth of the success body.
EXTRA = {
    "Tags in a member": (
        after(b"<Status>Active</Status>", b"<Tags><member><Key>team</Key><Value>x</Value></member></Tags>"),
        "unknown element <Tags> in <member>",
    ),
    "a PermissionsBoundary in a member, holding known names": (
        after(
            b"<Status>Active</Status>",
            b"<PermissionsBoundary><Status>Active</Status><UserName>Bob</UserName></PermissionsBoundary>",
        ),
        "unknown element <PermissionsBoundary> in <member>",
    ),
    "an empty element in the Result": (
        after(b"<IsTruncated>false</IsTruncated>", b"<Truncation/>"),
        "unknown element <Truncation> in <ListSigningCertificatesResult>",
    ),
    "a sibling of Result": (
        after(b"</ListSigningCertificatesResult>", b"<ResponseInfo>x</ResponseInfo>"),
        "unknown element <ResponseInfo> in <ListSigningCertificatesResponse>",
    ),
    "an extra in ResponseMetadata": (
        after(b"</RequestId>", b"<HostId>h/1+=</HostId>"),
        "unknown element <HostId> in <ResponseMetadata>",
    ),
    "an extra in another namespace": (
        after(b"<Status>Active</Status>", b'<x:Flag xmlns:x="urn:x">1</x:Flag>'),
        "unknown element <Flag> (namespace urn:x) in <member>",
    ),
}


@pytest.mark.parametrize("variant", EXTRA)
def test_unknown_success_elements_are_notes_open_and_errors_strict(variant):
    change, note = EXTRA[variant]
    body = change(SAMPLE)
    assert body != SAMPLE
    reading = read_against(parse_xml(body), SUCCESS_SCHEMA)
    assert reading.errors == [] and reading.notes == [note]
    assert errors(body, strict=True) != []


def test_one_note_per_unknown_element_and_parent_however_often_it_occurs():
    two_members = SAMPLE.replace(b"<Certificates>\n<member>", b"<Certificates>\n<member><Tags/></member>\n<member>")
    body = two_members.replace(b"<Status>Active</Status>", b"<Status>Active</Status><Tags/>")
    reading = read_against(parse_xml(body), SUCCESS_SCHEMA)
    assert reading.notes == ["unknown element <Tags> in <member>"]
    assert any("UserName" in e for e in reading.errors)  # the first member lacks everything but Tags


def test_the_open_reading_leaves_the_body_itself_untouched():
    root = parse_xml(EXTRA["Tags in a member"][0](SAMPLE))
    before = len(list(root.iter()))
    read_against(root, SUCCESS_SCHEMA)
    assert len(list(root.iter())) == before


ERROR_EXTRA = {
    "moto's lower-case message beside Message": (
        b"</Message>",
        b"<message>x</message>",
        "unknown element <message> in <Error>",
    ),
    "a future field in Error": (b"</Code>", b"<Reason>quota</Reason>", "unknown element <Reason> in <Error>"),
    "a HostId beside RequestId": (
        b"</RequestId>",
        b"<HostId>h</HostId>",
        "unknown element <HostId> in <ErrorResponse>",
    ),
}


@pytest.mark.parametrize("variant", ERROR_EXTRA)
def test_unknown_error_elements_are_notes_open_and_errors_strict(variant):
    anchor, extra, note = ERROR_EXTRA[variant]
    body = ERROR.replace(anchor, anchor + extra)
    reading = read_against(parse_xml(body), ERROR_SCHEMA)
    assert reading.errors == [] and reading.notes == [note]
    assert errors(body, ERROR_SCHEMA, strict=True) != []


def test_error_response_validates_in_any_order_and_with_a_detail():
    assert errors(ERROR, ERROR_SCHEMA) == []
    reordered = ERROR.replace(b"<Type>Sender</Type>", b"").replace(b"</Message>", b"</Message><Type>Sender</Type>")
    assert errors(reordered, ERROR_SCHEMA) == []
    detailed = ERROR.replace(b"</Message>", b"</Message><Detail><Anything>x</Anything></Detail>")
    assert errors(detailed, ERROR_SCHEMA, strict=True) == []


MALFORMED_ERRORS = {
    "Type Client": ERROR.replace(b"<Type>Sender", b"<Type>Client"),
    "no RequestId": ERROR.replace(b"<RequestId>r-1</RequestId>", b""),
    "RequestId inside Error": ERROR.replace(
        b"</Message></Error><RequestId>r-1</RequestId>", b"</Message><RequestId>r-1</RequestId></Error>"
    ),
    "no Code": ERROR.replace(b"<Code>NoSuchEntity</Code>", b""),
    "Code misspelt as code": ERROR.replace(b"<Code>NoSuchEntity</Code>", b"<code>NoSuchEntity</code>"),
    "Type misspelt beside an extra": ERROR.replace(b"<Type>Sender</Type>", b"<Kind>Sender</Kind><Reason>r</Reason>"),
}


@pytest.mark.parametrize("variant", MALFORMED_ERRORS)
def test_malformed_errors_fail_open_and_strict(variant):
    body = MALFORMED_ERRORS[variant]
    assert errors(body, ERROR_SCHEMA) != [] and errors(body, ERROR_SCHEMA, strict=True) != []


# -- an independent validator -----------------------------------------------------------------------------------
def _xmlschema(name: str) -> xmlschema.XMLSchema10:
    return xmlschema.XMLSchema10(str(data_dir("schemas") / name), allow="local")


SUCCESS_BODIES = {
    **{k: f(SAMPLE) for k, f in {**LEGAL, **MALFORMED}.items()},
    **{k: f(SAMPLE) for k, (f, _) in EXTRA.items()},
}
ERROR_BODIES = {**MALFORMED_ERRORS, **{k: ERROR.replace(a, a + x) for k, (a, x, _) in ERROR_EXTRA.items()}}


@pytest.mark.parametrize(
    "schema, body",
    [*((SUCCESS_SCHEMA, b) for b in SUCCESS_BODIES.values()), *((ERROR_SCHEMA, b) for b in ERROR_BODIES.values())],
    ids=[*SUCCESS_BODIES, *ERROR_BODIES],
)
def test_xmlschema_agrees_with_libxml2_open_and_strict(schema, body):
    """xmlschema (pure Python, XSD 1.0) reaches libxml2's verdict on each body as it came (strict) and on the
    copy the open reading validates."""
    independent = _xmlschema(schema)
    root = parse_xml(body)
    assert independent.is_valid(root) == (schema_errors(root, schema, strict=True) == [])
    pruned, _ = without_unknown_elements(root, schema)
    assert independent.is_valid(pruned) == (schema_errors(root, schema) == [])


@pytest.mark.parametrize("schema", [SUCCESS_SCHEMA, ERROR_SCHEMA])
def test_the_vocabulary_is_the_one_xmlschema_reads_from_the_xsd(schema):
    """Which children each element may have comes from the XSD, as an independent reader sees it."""

    def theirs(element) -> dict:
        if not element.type.is_complex() or element.type.has_simple_content() or element.type.local_name == "anyType":
            return {}
        return {c.local_name: theirs(c) for c in element.type.content.iter_elements()}

    def ours(declared) -> dict:
        return {name: ours(c) for name, c in (declared.children or {}).items()}

    independent = _xmlschema(schema)
    assert {n: ours(d) for n, d in vocabulary(schema).roots.items()} == {
        e.local_name: theirs(e) for e in independent.elements.values()
    }
