"""Requests and answers in their recorded form: every value that differs from run to run replaced by its placeholder
(conformance.recording.placeholders), secrets already redacted (the caller redacts before normalising).

An XML answer is re-serialised with each element's text normalised by what the element is (a CertificateId, a
Marker, a date...) and the rest as free text; any other body is normalised as free text. The same Normaliser, given
the recorded answer as `hints`, normalises a replay's new answer: a new value takes the placeholder the recorded
answer had in the same place, so that equal answers read equal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from conformance.protocol.wire import UnreadableBody, local, parse_xml
from conformance.protocol.wire import text as character_data
from conformance.recording.format import RecordedAnswer, RecordedRequest, SignedBy, SignerKind, SigningRecord
from conformance.recording.placeholders import Kind, Placeholders, Token, tokens
from conformance.safety.redaction import MASK

# Elements whose text is one value of a kind; UserName is the suite's own name (holding the run id) or a user's.
ELEMENT_KINDS = {
    "UserId": Kind.USER_ID,
    "CertificateId": Kind.CERTIFICATE,
    "CertificateBody": Kind.CERTIFICATE_BODY,
    "UploadDate": Kind.DATE,
    "CreateDate": Kind.DATE,
    "Marker": Kind.MARKER,
    "RequestId": Kind.REQUEST_ID,
    "AccessKeyId": Kind.ACCESS_KEY,
}
SECRET_ELEMENTS = ("SecretAccessKey", "SessionToken")
# Parameters that only repeat a value an answer gave (or a body the request gives first).
PARAMETER_KINDS = {
    "CertificateId": Kind.CERTIFICATE,
    "Marker": Kind.MARKER,
    "AccessKeyId": Kind.ACCESS_KEY,
    "UserName": Kind.USER,
}
MAX_TEXT_BODY = 4096  # characters of a body that is no XML document (an HTML error page, say)
Path = tuple[tuple[str, int], ...]  # an element's place: (local name, index among same-named siblings) from the root
_DECLARATION = re.compile(r"\ufeff?[ \t\r\n]*<\?xml[ \t\r\n][^?]*(?:\?(?!>)[^?]*)*\?>")


def body_text(body: bytes) -> str:
    """A body as text: decoded in the encoding its XML document names (a BOM, its declaration: any legal label), else
    as UTF-8 with replacements. `parse_text` reads it back."""
    try:
        encoding = parse_xml(body).getroottree().docinfo.encoding
        return body.decode(encoding or "utf-8")
    except (UnreadableBody, LookupError, UnicodeDecodeError):
        return body.decode("utf-8", "replace")


def parse_text(body: str) -> etree._Element:
    """A body held as text (decoded already) parsed as XML, past the declaration that named its encoding."""
    declaration = _DECLARATION.match(body)
    return parse_xml(body[declaration.end() if declaration else 0 :].lstrip("\ufeff").encode("utf-8"))


@dataclass(frozen=True)
class RawExchange:
    """One exchange as a process captured it (conformance.recording.capture), already redacted."""

    action: str
    method: str
    params: dict[str, str]
    signer_kind: SignerKind
    signer_label: str
    signer_key: str | None  # the access key id, for a created or unknown key
    signing: dict[str, Any] | None
    status: int
    content_type: str | None
    request_id_header: str | None
    body: str
    truncated: bool


def places(root: etree._Element) -> dict[Path, etree._Element]:
    """Every element of a document by its place."""
    found: dict[Path, etree._Element] = {}

    def visit(element: etree._Element, path: Path) -> None:
        found[path] = element
        seen: dict[str, int] = {}
        for item in element:
            if isinstance(item.tag, str):
                name = local(item)
                seen[name] = seen.get(name, -1) + 1
                visit(item, (*path, (name, seen[name])))

    visit(root, ((local(root), 0),))
    return found


class Normaliser:
    def __init__(self, placeholders: Placeholders) -> None:
        self.placeholders = placeholders

    def user_name(self, value: str, hint: Token | None = None) -> str:
        """The suite's own names hold the run id and read the same in every run; any other user's is a placeholder."""
        ours = self.placeholders.run_id is not None and self.placeholders.run_id in value
        return self.placeholders.text(value) if ours or not value else self.placeholders.token(Kind.USER, value, hint)

    def request(self, raw: RawExchange) -> RecordedRequest:
        signing = None
        if raw.signing is not None:
            signed_params = raw.signing.get("params")
            signing = SigningRecord(
                params=None if signed_params is None else self.params(signed_params),
                at_offset_s=raw.signing.get("at_offset_s"),
                rewrite=raw.signing.get("rewrite"),
                service=raw.signing.get("service", "iam"),
                drop_headers=tuple(raw.signing.get("drop_headers", ())),
                payload_hash=bool(raw.signing.get("payload_hash", False)),
                percent_encoded=tuple(raw.signing.get("percent_encoded", ())),
                region=raw.signing.get("region"),
            )
        key = None
        if raw.signer_key is not None and raw.signer_kind in (SignerKind.CREATED_KEY, SignerKind.UNKNOWN_KEY):
            key = self.placeholders.token(Kind.ACCESS_KEY, raw.signer_key)
        signed_by = SignedBy(raw.signer_kind, self.placeholders.text(raw.signer_label), key)
        return RecordedRequest(raw.action, raw.method, self.params(raw.params), signed_by, signing)

    def params(self, params: dict[str, str]) -> dict[str, str]:
        found = {}
        for name, value in params.items():
            kind = PARAMETER_KINDS.get(name)
            if name == "CertificateBody":
                found[name] = self.placeholders.token(Kind.CERTIFICATE_BODY, value)
            elif name == "UserName" and self.placeholders.run_id and self.placeholders.run_id in value:
                found[name] = self.placeholders.text(value)
            elif kind is not None and (known := self.placeholders.known(kind, value)) is not None:
                found[name] = known
            else:
                found[name] = self.placeholders.text(value)
        return found

    def answer(self, raw: RawExchange, hints: RecordedAnswer | None = None) -> RecordedAnswer:
        hinted = hint_places(hints)
        header = raw.request_id_header
        if header is not None:
            recorded = hints.request_id_header if hints is not None else None
            header = self.placeholders.token(Kind.REQUEST_ID, header, _first(recorded))
        try:
            root = None if raw.truncated else parse_text(raw.body)
        except UnreadableBody:
            root = None
        if root is None:
            text = self.placeholders.text(raw.body[:MAX_TEXT_BODY])
            return RecordedAnswer(raw.status, raw.content_type, header, text, False, False, raw.truncated)
        for path, element in places(root).items():
            hint = hinted.get(path)
            if not [c for c in element if isinstance(c.tag, str)]:
                # A leaf's value is all its character data, comments and processing instructions inside it left out
                # (a legal form of the same value: "Activ<!-- -->e" is "Active").
                whole = character_data(element) or ""
                for inside in list(element):
                    element.remove(inside)
                element.text = self.value(local(element), whole, hint) if whole else None
            for name, value in element.attrib.items():
                element.set(name, self.placeholders.text(str(value)))
            if element.tail is not None and element.tail.strip():
                element.tail = self.placeholders.text(element.tail)
        declaration = raw.body.lstrip("\ufeff \t\r\n").startswith("<?xml")
        body = etree.tostring(root, encoding="unicode")
        return RecordedAnswer(raw.status, raw.content_type, header, body, True, declaration, False)

    def value(self, element: str, text: str, hint: str | None) -> str:
        """An element's text, normalised by what the element holds; `hint`: the recorded text in its place."""
        if element in SECRET_ELEMENTS:
            return MASK
        if not text.strip():
            return text
        token = _first(hint)
        if element == "UserName":
            return self.user_name(text, token)
        kind = ELEMENT_KINDS.get(element)
        if kind is not None:
            return self.placeholders.token(kind, text, token)
        if element == "Arn" and hint is not None:  # an ARN's account takes the recorded ARN's placeholder
            accounts = iter(t for t in tokens(hint) if t.kind == Kind.ACCOUNT.value)
            self.placeholders.learn_accounts(text, lambda: next(accounts, None))
        return self.placeholders.text(text)


def hint_places(hints: RecordedAnswer | None) -> dict[Path, str]:
    """The recorded answer's leaf texts by place: where a new answer's values take their placeholders from."""
    if hints is None or not hints.xml:
        return {}
    try:
        root = parse_xml(hints.body.encode("utf-8"))
    except UnreadableBody:
        return {}
    return {path: element.text or "" for path, element in places(root).items() if element.text is not None}


def _first(text: str | None) -> Token | None:
    found = [t for t in tokens(text or "") if t.kind not in ("!", "run")]
    return found[0] if found else None
