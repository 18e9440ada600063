"""schemas/*.xsd: the page's sample and every legal variant validate; malformed variants don't."""
import re

import pytest

from conformance.schemas import ERROR_SCHEMA, SUCCESS_SCHEMA, schema_errors
from conformance.spec import data_dir
from conformance.wire import parse_xml

SAMPLE = (data_dir("fixtures") / "page-sample-response.xml").read_bytes()
NS = b'xmlns="https://iam.amazonaws.com/doc/2010-05-08/"'
ERROR = (b'<ErrorResponse ' + NS + b'><Error><Type>Sender</Type><Code>NoSuchEntity</Code>'
         b'<Message>The user with name x cannot be found.</Message></Error><RequestId>r-1</RequestId></ErrorResponse>')


def errors(body: bytes, schema: str = SUCCESS_SCHEMA) -> list[str]:
    return schema_errors(parse_xml(body), schema)


def test_the_pages_sample_response_validates():
    assert errors(SAMPLE) == []


LEGAL = {
    "without the top-level UserName": lambda b: b.replace(b"<UserName>Bob</UserName>\n<Certificates>", b"<Certificates>"),
    "IsTruncated before Certificates": lambda b: re.sub(rb"(<Certificates>.*</Certificates>)\n(<IsTruncated>false</IsTruncated>)",
                                                        rb"\2\1", b, flags=re.S),
    "member children reversed": lambda b: b.replace(b"<UserName>Bob</UserName>\n<CertificateId>", b"<CertificateId>")
                                            .replace(b"<Status>Active</Status>", b"<Status>Active</Status><UserName>Bob</UserName>"),
    "a namespace prefix": lambda b: re.sub(rb"<(/?)([A-Za-z]+)([ >])", rb"<\1iam:\2\3", b).replace(
        b'iam:ListSigningCertificatesResponse xmlns=', b'iam:ListSigningCertificatesResponse xmlns:iam='),
    "an UploadDate with milliseconds": lambda b: b.replace(b"<Status>Active</Status>",
                                                           b"<Status>Active</Status><UploadDate>2010-09-08T09:24:47.123Z</UploadDate>"),
    "a truncated page with an exotic Marker": lambda b: b.replace(b"<IsTruncated>false</IsTruncated>",
                                                                  "<IsTruncated>true</IsTruncated><Marker>é ü+/= x</Marker>".encode()),
    "an empty list": lambda b: re.sub(rb"<Certificates>.*</Certificates>", b"<Certificates/>", b, flags=re.S),
}


@pytest.mark.parametrize("variant", LEGAL)
def test_legal_variants_validate(variant):
    body = LEGAL[variant](SAMPLE)
    assert body != SAMPLE
    assert errors(body) == []


MALFORMED = {
    "no Certificates": lambda b: re.sub(rb"<Certificates>.*</Certificates>", b"", b, flags=re.S),
    "unknown Status": lambda b: b.replace(b"<Status>Active", b"<Status>active"),
    "IsTruncated as 1": lambda b: b.replace(b"<IsTruncated>false", b"<IsTruncated>1"),
    "an extra element": lambda b: b.replace(b"<Status>Active</Status>", b"<Status>Active</Status><Color>red</Color>"),
    "a short CertificateId": lambda b: b.replace(b"TA7SMEXAMPLEZ26OBPJE7EXAMPLE", b"SHORT"),
    "a Marker over 320 characters": lambda b: b.replace(b"<IsTruncated>false</IsTruncated>",
                                                        b"<IsTruncated>true</IsTruncated><Marker>" + b"m" * 321 + b"</Marker>"),
    "a Marker outside Latin-1": lambda b: b.replace(b"<IsTruncated>false</IsTruncated>",
                                                    "<IsTruncated>true</IsTruncated><Marker>\u2192</Marker>".encode()),
    "no RequestId": lambda b: re.sub(rb"<ResponseMetadata>.*</ResponseMetadata>", b"", b, flags=re.S),
    "the wrong namespace": lambda b: b.replace(b"2010-05-08/", b"2010-05-09/"),
    "UploadDate not a date": lambda b: b.replace(b"<Status>Active</Status>", b"<Status>Active</Status><UploadDate>yesterday</UploadDate>"),
    "two Marker elements": lambda b: b.replace(b"<IsTruncated>false</IsTruncated>",
                                               b"<IsTruncated>true</IsTruncated><Marker>a</Marker><Marker>b</Marker>"),
}


@pytest.mark.parametrize("variant", MALFORMED)
def test_malformed_variants_do_not_validate(variant):
    body = MALFORMED[variant](SAMPLE)
    assert body != SAMPLE
    assert errors(body) != []


@pytest.mark.parametrize("variant", [*LEGAL, *MALFORMED])
def test_an_independent_validator_agrees_on_every_variant(variant):
    """xmlschema (pure Python, XSD 1.0) reaches libxml2's verdict on each legal and malformed body."""
    import xmlschema

    from conformance.spec import data_dir

    body = {**LEGAL, **MALFORMED}[variant](SAMPLE)
    independent = xmlschema.XMLSchema10(str(data_dir("schemas") / SUCCESS_SCHEMA), allow="local")
    assert independent.is_valid(parse_xml(body)) == (errors(body) == [])


def test_error_response_validates_in_any_order():
    assert errors(ERROR, ERROR_SCHEMA) == []
    reordered = ERROR.replace(b"<Type>Sender</Type>", b"").replace(b"</Message>", b"</Message><Type>Sender</Type>")
    assert errors(reordered, ERROR_SCHEMA) == []


@pytest.mark.parametrize("broken", [
    ERROR.replace(b"<Type>Sender", b"<Type>Client"),
    ERROR.replace(b"</Message>", b"</Message><message>x</message>"),  # moto's extra element
    ERROR.replace(b"<RequestId>r-1</RequestId>", b""),
    ERROR.replace(b"</Message></Error><RequestId>r-1</RequestId>", b"</Message><RequestId>r-1</RequestId></Error>"),
    ERROR.replace(b"<Code>NoSuchEntity</Code>", b""),
])
def test_malformed_errors_do_not_validate(broken):
    assert errors(broken, ERROR_SCHEMA) != []
