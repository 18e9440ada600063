"""Legal XML never changes a verdict: every check, given a response rewritten into another legal form of the same
document (conformance.selftest.xml_forms: declarations with any encoding label, a BOM, comments and processing
instructions, prefixes and redeclarations, CDATA, CRLF and indentation), concludes exactly what it concluded on the
response as it came, and never raises anything but a verdict.

Every registered check is driven, its arguments made from its annotations (`ARGUMENTS`): a new check is covered
the day it is registered, or this test says which annotation it does not know yet.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from conformance.checks import load_all
from conformance.checks.failures import Deviation, NothingToJudge
from conformance.checks.observations import UploadedCertificate, Walk
from conformance.contract.spec import Parameter, data_dir, operation
from conformance.protocol.caller import Caller, CallerKind
from conformance.protocol.wire import Exchange, SentRequest, read_error, read_listing
from conformance.reference import Flavour, IamError, Renderer
from conformance.reference.store import Certificate, User
from conformance.selftest.xml_forms import rewrite

NS = operation().namespace
Transform = Callable[[bytes], bytes]


def _certificate(number: int, body: str, status: str = "Active") -> Certificate:
    return Certificate(
        certificate_id=f"CERT{number:028d}",
        owner_id="AIDAEXAMPLE",
        user_name="bob",
        body=body,
        der=b"",
        status=status,
        uploaded=datetime(2026, 12, 7, 15, 0, number, 250000, tzinfo=UTC),
        seq=number,
    )


def _rendered() -> list[bytes]:
    """The reference's own answers in each legal flavour: listings (paged, empty, with Latin-1 markers and a body
    holding CR LF and Latin-1 letters), and errors."""
    bob = User("bob", "/", "AIDAEXAMPLE", datetime(2026, 1, 1, tzinfo=UTC))
    pem = "-----BEGIN CERTIFICATE-----\r\nMIIB\u00e9]]>x\r\n-----END CERTIFICATE-----\r\n"
    one, two = _certificate(1, pem), _certificate(2, "-----BEGIN CERTIFICATE-----\nQQ==\n", "Inactive")
    bodies = []
    for flavour in (
        Flavour(),
        Flavour(element_order="reversed", namespace_prefix="iam", xml_declaration=True, result_username=False),
        Flavour(marker_style="exotic", upload_date_precision="millis", extra_elements=True),
    ):
        renderer = Renderer(flavour)
        for page in ([one], [one, two], []):
            truncated = len(page) == 1
            marker = "é ü+/= Zm9v Ä ÿ" if truncated else None
            nodes = renderer.certificate_page(bob, page, truncated, marker)
            bodies.append(renderer.success("ListSigningCertificates", nodes, "r-1"))
        for error in (IamError(404, "NoSuchEntity", "The user with name bob cannot be found."),):
            bodies.append(renderer.error(error, "r-2"))
    bodies.append(
        Renderer(Flavour()).error(IamError(400, "ValidationError", "1 validation error detected: maxItems"), "r-3")
    )
    return bodies


def _deviating() -> list[bytes]:
    """Answers that break a requirement: the verdict to keep is a deviation."""
    sample = (data_dir("fixtures") / "page-sample-response.xml").read_bytes()
    return [
        sample.replace(b"<Status>Active", b"<Status>active"),
        sample.replace(NS.encode(), b"urn:other"),
        sample.replace(b"<member>", b"<item>").replace(b"</member>", b"</item>"),
        sample.replace(b"7a62c49f-347e-4fc4-9331-6e8eEXAMPLE", b""),
        sample.replace(b"<IsTruncated>false</IsTruncated>", b"<IsTruncated>False</IsTruncated><Marker>m</Marker>"),
        sample.replace(b' xmlns="' + NS.encode() + b'"', b""),
        b'<ErrorResponse xmlns="'
        + NS.encode()
        + b'"><Error><Type>Receiver</Type><Code>validationError</Code></Error></ErrorResponse>',
    ]


@functools.cache
def corpus() -> tuple[bytes, ...]:
    recorded = sorted((data_dir("fixtures") / "recorded").glob("*.xml"))
    bodies = [(data_dir("fixtures") / "page-sample-response.xml").read_bytes()]
    bodies += [path.read_bytes() for path in recorded]
    return tuple(bodies + _rendered() + _deviating())


def exchange(body: bytes, status: int | None = None, method: str = "POST") -> Exchange:
    sent = SentRequest("ListSigningCertificates", {"UserName": "bob"}, method, "http://127.0.0.1:1/", "caller")
    draft = Exchange(sent, 200, {"content-type": "text/xml"}, body)
    if status is None:
        status = 200 if read_error(draft) is None else 400
        error = read_error(draft)
        if error is not None and error.code == "NoSuchEntity":
            status = 404
    return Exchange(sent, status, {"content-type": "text/xml"}, body)


class Case:
    """One check's inputs, made from original bodies: `build(transform)` gives them with every body transformed."""

    def __init__(self, bodies: tuple[bytes, ...]) -> None:
        self.bodies = bodies
        self.statuses = [exchange(b).status for b in bodies]

    def exchanges(self, transform: Transform) -> list[Exchange]:
        return [exchange(transform(b), s) for b, s in zip(self.bodies, self.statuses, strict=True)]

    @functools.cached_property
    def members(self) -> list:
        return [c for e in self.exchanges(lambda b: b) if (found := read_listing(e)) for c in found.certificates]

    def ids(self) -> set[str]:
        return {c.certificate_id or "" for c in self.members}


def _uploaded(case: Case) -> dict[str, UploadedCertificate]:
    return {
        c.certificate_id or "": UploadedCertificate(
            c.certificate_id or "", c.body or "", c.status or "Active", c.upload_date, 1.0e9, 2.0e9
        )
        for c in case.members
    }


def _first_id(case: Case) -> str:
    return next(iter(sorted(case.ids())), "NONE")


# What each annotation of a check's parameter is made of, from the case and the transformed exchanges; a name wins
# over an annotation where one type means several things.
ByName = Callable[[Case, list[Exchange]], object]
BY_NAME: dict[str, ByName] = {
    "status": lambda case, ex: ex[0].status,
    "code": lambda case, ex: (read_error(ex[0]).code if read_error(ex[0]) else None) or "ValidationError",
    "user_name": lambda case, ex: "Bob",
    "certificate_id": lambda case, ex: _first_id(case),
    "deleted_id": lambda case, ex: _first_id(case),
    "credentials": lambda case, ex: "long-term",
    "caller": lambda case, ex: Caller(CallerKind.USER, None, "a user's long-term key"),
    "total": lambda case, ex: len(case.members),
    "held": lambda case, ex: 1,
    "strict": lambda case, ex: False,
    "parameter": lambda case, ex: operation().parameters["MaxItems"],
}
BY_TYPE: dict[object, ByName] = {
    Exchange: lambda case, ex: ex[0],
    Walk: lambda case, ex: Walk("bob", 1, list(ex)),
    Iterable[Exchange]: lambda case, ex: list(ex),
    list[Exchange]: lambda case, ex: list(ex),
    set[str]: lambda case, ex: case.ids(),
    dict[str, UploadedCertificate]: lambda case, ex: _uploaded(case),
    list[UploadedCertificate]: lambda case, ex: list(_uploaded(case).values()),
    dict[str, str]: lambda case, ex: {c.certificate_id: c.status for c in case.members},
    Parameter: lambda case, ex: operation().parameters["MaxItems"],
    int: lambda case, ex: 1,
    str: lambda case, ex: "Active",
    bool: lambda case, ex: False,
}


def arguments(check: Callable[..., object], case: Case, transform: Transform) -> list[object]:
    hints = typing.get_type_hints(inspect.unwrap(check))
    exchanges = case.exchanges(transform)
    made = []
    for name in inspect.signature(inspect.unwrap(check)).parameters:
        if name in BY_NAME:
            made.append(BY_NAME[name](case, exchanges))
            continue
        hint = hints[name]
        if hint not in BY_TYPE:
            raise AssertionError(f"teach tests/unit/test_xml_forms.py the argument {name}: {hint} of {check.__name__}")
        made.append(BY_TYPE[hint](case, exchanges))
    return made


def verdict(check: Callable[..., object], args: list[object]) -> tuple:
    """What a check concluded, as far as its conclusion depends on the document (not on how it was written)."""
    try:
        notes = check(*args)
    except NothingToJudge:
        return ("nothing to judge",)
    except Deviation as deviation:
        return ("deviation", deviation.kind, deviation.check, deviation.expected)
    return ("holds", tuple(notes or ()))


def _walks_and_pairs() -> list[tuple[bytes, ...]]:
    bodies = corpus()
    singles = [(b,) for b in bodies]
    pairs = [(a, b) for a, b in zip(bodies, bodies[1:], strict=False)]
    return singles + pairs


CHECKS = sorted(load_all())


@pytest.mark.parametrize("name", CHECKS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_check_concludes_the_same_on_every_legal_form(name: str, data: st.DataObject) -> None:
    check = load_all()[name]
    case = Case(data.draw(st.sampled_from(_walks_and_pairs()), label="original bodies"))
    as_sent = verdict(check, arguments(check, case, lambda body: body))
    # Hypothesis' own generator makes every choice of the form (a draw per choice would cost a hundred draws a body).
    chooser = data.draw(st.randoms(use_true_random=False), label="choices")

    def another_form(body: bytes) -> bytes:
        try:
            etree.fromstring(body)
        except etree.XMLSyntaxError:
            return body  # not XML: no other form of it
        return rewrite(body, lambda options: chooser.choice(list(options)))

    assert verdict(check, arguments(check, case, another_form)) == as_sent


@given(data=st.data())
@settings(max_examples=200, deadline=None)
def test_a_rewritten_document_is_the_same_document(data: st.DataObject) -> None:
    body = data.draw(st.sampled_from(corpus()))
    chooser = data.draw(st.randoms(use_true_random=False))
    again = rewrite(body, lambda options: chooser.choice(list(options)))

    def canonical(element: etree._Element) -> tuple:
        """The document as a reader of it sees it: names (namespace and local), attributes, text; whitespace
        between elements, comments, instructions, prefixes and how it was encoded left out."""
        kids = [c for c in element if isinstance(c.tag, str)]
        texts = [element.text or ""] + [c.tail or "" for c in element]
        if kids and not any(t.strip() for t in texts):
            texts = []
        return (element.tag, sorted(element.attrib.items()), texts, [canonical(c) for c in kids])

    parser = etree.XMLParser(remove_comments=True, remove_pis=True)
    assert canonical(etree.fromstring(again, parser)) == canonical(etree.fromstring(body, parser))


def test_the_forms_include_every_kind_the_issue_names() -> None:
    """Over a few hundred rewrites, every form shows up at least once."""
    import random

    chooser = random.Random(7)
    seen = set()
    body = corpus()[0]
    for _ in range(300):
        out = rewrite(body, lambda options: chooser.choice(list(options)))
        seen |= {
            name
            for name, present in (
                ("bom", out[:3] == b"\xef\xbb\xbf" or out[:2] in (b"\xff\xfe", b"\xfe\xff")),
                ("utf-16", out[:2] in (b"\xff\xfe", b"\xfe\xff")),
                ("latin-1 label", b'encoding="ISO-8859-1"' in out or b"encoding='ISO-8859-1'" in out),
                ("comment", b"<!--" in out),
                ("instruction", b"<?iam-conformance" in out),
                ("cdata", b"<![CDATA[" in out),
                ("crlf", b"\r\n" in out),
                ("prefix", b"xmlns:" in out),
                ("redeclaration", out.count(b'xmlns="') > 1),
            )
            if present
        }
    assert seen == {
        "bom",
        "utf-16",
        "latin-1 label",
        "comment",
        "instruction",
        "cdata",
        "crlf",
        "prefix",
        "redeclaration",
    }


def test_the_corpus_holds_successes_errors_and_deviations() -> None:
    kinds = {exchange(body).status for body in corpus()}
    assert len(corpus()) > 20 and {200, 400, 404} <= kinds
