"""What went over the wire, and a namespace-agnostic reading of it.

An Exchange is one request and its response. Bodies are untrusted: they are parsed with no DTD, no entities,
no network and a size bound. Readings (`read_listing`, `read_error`) are deliberately lenient about namespace
and element order so that each check judges only its own requirement; strictness lives in the shape checks.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Protocol, cast

from lxml import etree

from conformance.errors import ConformanceError

MAX_BODY_BYTES = 1 << 20  # a listing of 2 certificates is ~4 KiB; anything near 1 MiB is already wrong
CACHED_TREE_BYTES = 64 << 10  # the largest body whose parsed tree an exchange keeps
# A page of 1000 users (IAM's largest) has 8,000 elements; a tree costs about 150 bytes an element, 3 MB here.
MAX_ELEMENTS = 25_000

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
)


class UnreadableBody(ConformanceError, ValueError):
    """The body is not the XML document the protocol promises (empty, HTML, JSON, DTD, too large...)."""


class _DocInfo(Protocol):
    """What parse_xml reads of lxml's DocInfo (lxml-stubs leave out `doctype` and `system_url`)."""

    doctype: str
    internalDTD: etree.DTD | None
    externalDTD: etree.DTD | None
    system_url: str | None


DTD_REFUSED = "body declares a DTD; refused (no DTDs or entities from a target)"
_PROLOG_SPACE = re.compile(rb"[ \t\r\n]*")


def parse_xml(body: bytes) -> etree._Element:
    if len(body) > MAX_BODY_BYTES:
        raise UnreadableBody(f"body of {len(body)} bytes exceeds the {MAX_BODY_BYTES}-byte bound")
    if not body.strip():
        raise UnreadableBody("empty body")
    elements = body.count(b"<") - body.count(b"</")  # at least the number of elements (and tags of other kinds)
    if elements > MAX_ELEMENTS:
        raise UnreadableBody(f"about {elements} elements, more than the {MAX_ELEMENTS} of any IAM answer; not parsed")
    head = body[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise UnreadableBody("an HTML page, not XML")
    if head.startswith((b"{", b"[")):
        raise UnreadableBody("JSON, not XML")
    doctype = _prolog_doctype(body)
    if doctype is not None:
        raise UnreadableBody("an HTML page, not XML" if doctype.lower().startswith(b"<!doctype html") else DTD_REFUSED)
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnreadableBody(f"not well-formed XML: {exc}") from None
    # What the scan cannot see (a body in UTF-16, say), the parsed document still tells; its entities were never
    # expanded (resolve_entities=False), and it is refused all the same.
    info = cast(_DocInfo, root.getroottree().docinfo)
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None or info.system_url:
        raise UnreadableBody(DTD_REFUSED)
    return root


def _prolog_doctype(body: bytes) -> bytes | None:
    """The start of a <!DOCTYPE in the prolog, where a DTD can only be, skipping the XML declaration, comments
    and processing instructions however long they are; None when the root element comes first. Read as ASCII:
    the parsed document's docinfo catches a DOCTYPE in any other encoding."""
    at = 3 if body.startswith(b"\xef\xbb\xbf") else 0
    while True:
        at = cast("re.Match[bytes]", _PROLOG_SPACE.match(body, at)).end()  # `*`: it always matches
        for opening, closing in ((b"<?", b"?>"), (b"<!--", b"-->")):
            if body.startswith(opening, at):
                end = body.find(closing, at + len(opening))
                if end < 0:
                    return None  # unterminated: the parser refuses it as not well-formed
                at = end + len(closing)
                break
        else:
            candidate = body[at : at + 14]
            return candidate if candidate.upper().startswith(b"<!DOCTYPE") else None


def local(element: etree._Element) -> str:
    return element.tag.rpartition("}")[2]


def namespace(element: etree._Element) -> str | None:
    return etree.QName(element).namespace


def child(element: etree._Element | None, name: str) -> etree._Element | None:
    """First child element with local name `name`, whatever its namespace or position."""
    if element is None:
        return None
    # lxml: "{*}" matches any namespace, and none. iterchildren filters in C; find() compiles an ElementPath in Python.
    return next(element.iterchildren("{*}" + name), None)


def children(element: etree._Element | None, name: str) -> list[etree._Element]:
    if element is None:
        return []
    return list(element.iterchildren("{*}" + name))


def text(element: etree._Element | None) -> str | None:
    """An element's character data: its text and the text after each comment or processing instruction inside it
    (XML allows them anywhere in content, CDATA sections are text already); the text of child elements is not its."""
    if element is None:
        return None
    return (element.text or "") + "".join(c.tail or "" for c in element if not isinstance(c.tag, str))


@dataclass(frozen=True)
class SentRequest:
    action: str
    params: dict[str, str]
    method: str  # GET | POST
    url: str
    signer: str  # who signed: a credential label, or "unsigned"
    region: str = "us-east-1"  # the SigV4 scope's region


@dataclass(frozen=True)
class Exchange:
    request: SentRequest
    status: int
    headers: dict[str, str]
    body: bytes
    elapsed_ms: float = 0.0
    truncated: bool = False  # the body was cut at MAX_BODY_BYTES

    def _parse(self) -> tuple[etree._Element | None, str | None]:
        if self.truncated:
            return None, f"body larger than the {MAX_BODY_BYTES}-byte bound: cut there, not parsed"
        try:
            return parse_xml(self.body), None
        except UnreadableBody as exc:
            return None, str(exc)

    @functools.cached_property
    def _small_tree(self) -> tuple[etree._Element | None, str | None]:
        return self._parse()

    @property
    def keeps_tree(self) -> bool:
        """Whether `root` is the same tree each time (else each reader gets a tree of its own)."""
        return len(self.body) <= CACHED_TREE_BYTES

    @property
    def _parsed(self) -> tuple[etree._Element | None, str | None]:
        """The tree of a small body is kept with the exchange; a larger one is parsed each time it is read and let go
        by its reader, so that exchanges a run keeps (its session fixtures') cost their bodies, never trees many
        times their size (a MiB of small elements makes a tree of 20 MB)."""
        return self._small_tree if self.keeps_tree else self._parse()

    @property
    def root(self) -> etree._Element | None:
        return self._parsed[0]

    @functools.cached_property
    def _listing(self) -> Listing | None:  # read once: every check of a walk reads its pages again
        return _parse_listing(self)

    @functools.cached_property
    def _error(self) -> ErrorInfo | None:  # read once: every call, check and report asks for it
        return _parse_error(self)

    @functools.cached_property
    def unreadable_reason(self) -> str | None:
        return self._parsed[1]

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", self.headers.get("Content-Type", ""))

    def excerpt(self, limit: int = 600) -> str:
        shown = self.body[:limit].decode("utf-8", "replace")
        return shown + ("…" if len(self.body) > limit else "")


@dataclass(frozen=True)
class Certificate:
    user_name: str | None
    certificate_id: str | None
    body: str | None
    status: str | None
    upload_date: str | None


@dataclass(frozen=True)
class Listing:
    certificates: list[Certificate]
    is_truncated: str | None  # the raw text: "true" / "false", or None when the element is absent
    marker: str | None
    request_id: str | None

    @property
    def truncated(self) -> bool:
        return self.is_truncated == "true"

    @property
    def ids(self) -> list[str | None]:
        return [c.certificate_id for c in self.certificates]


@dataclass(frozen=True)
class ErrorInfo:
    type: str | None
    code: str | None
    message: str | None
    request_id: str | None


def read_listing(exchange: Exchange) -> Listing | None:
    """The ListSigningCertificates result in a success body, or None when there is none to read."""
    return exchange._listing


def _parse_listing(exchange: Exchange) -> Listing | None:
    root = exchange.root
    if root is None or local(root) != "ListSigningCertificatesResponse":
        return None
    result = child(root, "ListSigningCertificatesResult")
    members = children(child(result, "Certificates"), "member")
    certificates = [
        Certificate(
            user_name=text(child(m, "UserName")),
            certificate_id=text(child(m, "CertificateId")),
            body=text(child(m, "CertificateBody")),
            status=text(child(m, "Status")),
            upload_date=text(child(m, "UploadDate")),
        )
        for m in members
    ]
    return Listing(
        certificates=certificates,
        is_truncated=text(child(result, "IsTruncated")),
        marker=text(child(result, "Marker")),
        request_id=text(child(child(root, "ResponseMetadata"), "RequestId")),
    )


def read_error(exchange: Exchange) -> ErrorInfo | None:
    """The query protocol's ErrorResponse, or None when the body is not one."""
    return exchange._error


def _parse_error(exchange: Exchange) -> ErrorInfo | None:
    root = exchange.root
    if root is None or local(root) != "ErrorResponse":
        return None
    error = child(root, "Error")
    return ErrorInfo(
        type=text(child(error, "Type")),
        code=text(child(error, "Code")),
        message=text(child(error, "Message")),
        request_id=text(child(root, "RequestId")),
    )


def describe(exchange: Exchange) -> str:
    """One line saying what came back: status plus error code and message, a listing, or why it is unreadable."""
    error = read_error(exchange)
    if error is not None:
        return f"HTTP {exchange.status} {error.code}: {error.message}"
    if read_listing(exchange) is not None:
        return f"HTTP {exchange.status} with a listing"
    reason = exchange.unreadable_reason
    return f"HTTP {exchange.status}" + (
        f" ({reason})" if reason else f" with root <{local(cast(etree._Element, exchange.root))}>"
    )


JSON_READ_BYTES = 64 << 10  # the largest JSON body looked into for the query protocol's error structure


def in_query_shape(exchange: Exchange) -> bool:
    """Whether an answer is in the query protocol's shape, right or wrong in its details: an XML <ErrorResponse>
    (IAM's namespace, the front end's AWSFault, any other), an XML <...Response> of an action, or the query
    protocol's error structure rendered as JSON ({"Error": {"Code": ...}}). Anything else (an HTML page, another
    API's JSON, other XML, nothing at all) is no IAM endpoint's answer."""
    root = exchange.root
    if root is not None:
        return local(root) == "ErrorResponse" or local(root).endswith("Response")
    body = exchange.body.strip()
    if exchange.truncated or not body.startswith(b"{") or len(body) > JSON_READ_BYTES:
        return False
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return False
    error = document.get("Error") if isinstance(document, dict) else None
    return isinstance(error, dict) and isinstance(error.get("Code"), str)


def result_element(exchange: Exchange, action: str) -> etree._Element | None:
    """`<{action}Result>` of a success body, for the seeding calls (CreateUser, UploadSigningCertificate...)."""
    root = exchange.root
    if root is None or local(root) != f"{action}Response":
        return None
    return child(root, f"{action}Result")
