"""How a new answer differs from the recorded one, both normalised (conformance.recording.normalise): status,
content type, the x-amzn-RequestId header, the document (XML or not, its root, namespace, prefix, declaration), and
element by element the set of elements, their order (a list's members matched by their id), and their values: the
error code, type and message, IsTruncated and the Marker, and every other value.

Values of the noise kinds (dates, Markers, RequestIds) are equal whatever their number when their shape is: such a
pair is noise, named by its kind, never a difference.
"""

from __future__ import annotations

import re
from collections import Counter

from lxml import etree

from conformance.protocol.wire import UnreadableBody, local, namespace, parse_xml
from conformance.recording.differences import Aspect, Difference
from conformance.recording.format import RecordedAnswer
from conformance.recording.placeholders import NOISE, TOKEN

ASPECT_OF_ELEMENT = {
    "Code": Aspect.ERROR_CODE,
    "Type": Aspect.ERROR_TYPE,
    "Message": Aspect.MESSAGE,
    "IsTruncated": Aspect.TRUNCATION,
    "Marker": Aspect.MARKER,
}
IDENTITIES = ("CertificateId", "AccessKeyId", "UserName", "PolicyName")  # what tells a list's members apart
SHOWN = 300  # characters of a value in a difference


def canonical(text: str) -> tuple[str, set[str]]:
    """`text` with every noise placeholder reduced to its kind and shape, and the noise kinds it held."""
    kinds: set[str] = set()

    def reduce(match: re.Match[str]) -> str:
        kind = match.group("kind")
        if kind is not None and kind in NOISE:
            kinds.add(kind)
            return f"⟦{kind}:{match.group('shape') or ''}⟧"
        return match.group()

    return TOKEN.sub(reduce, text), kinds


def _cut(text: str | None) -> str:
    shown = "(absent)" if text is None else text
    return shown if len(shown) <= SHOWN else shown[: SHOWN - 1] + "…"


class Comparison:
    def __init__(self) -> None:
        self.differences: list[Difference] = []
        self.noise: set[str] = set()

    def differ(self, aspect: Aspect, where: str, recorded: str | None, new: str | None) -> None:
        self.differences.append(Difference(aspect, where, _cut(recorded), _cut(new)))

    def value(self, aspect: Aspect, where: str, recorded: str | None, new: str | None) -> None:
        if recorded is None or new is None:
            if recorded != new:
                self.differ(aspect, where, recorded, new)
            return
        a, kinds_a = canonical(recorded)
        b, kinds_b = canonical(new)
        if a != b:
            self.differ(aspect, where, recorded, new)
        elif recorded != new or kinds_a:
            self.noise |= kinds_a | kinds_b


def compare(recorded: RecordedAnswer, new: RecordedAnswer) -> Comparison:
    found = Comparison()
    if recorded.status != new.status:
        found.differ(Aspect.STATUS, "", str(recorded.status), str(new.status))
    if (recorded.content_type or "").lower() != (new.content_type or "").lower():
        found.differ(Aspect.CONTENT_TYPE, "", recorded.content_type, new.content_type)
    _request_id_header(found, recorded, new)
    roots = _root(recorded), _root(new)
    if roots[0] is None or roots[1] is None:
        if (roots[0] is None) != (roots[1] is None):
            found.differ(Aspect.DOCUMENT, "", _kind_of(roots[0], recorded), _kind_of(roots[1], new))
        else:
            found.value(Aspect.BODY, "", recorded.body, new.body)
        return found
    a, b = roots[0], roots[1]
    if local(a) != local(b):
        found.differ(Aspect.DOCUMENT, "", f"<{local(a)}>", f"<{local(b)}>")
        return found
    if namespace(a) != namespace(b):
        found.differ(Aspect.NAMESPACE, local(a), namespace(a), namespace(b))
    if a.prefix != b.prefix:
        found.differ(Aspect.PREFIX, local(a), a.prefix or "(default)", b.prefix or "(default)")
    if recorded.declaration != new.declaration:
        found.differ(Aspect.DECLARATION, "", _said(recorded.declaration), _said(new.declaration))
    _elements(found, a, b, local(a))
    return found


def _said(present: bool) -> str:
    return "present" if present else "absent"


def _root(answer: RecordedAnswer) -> etree._Element | None:
    if not answer.xml:
        return None
    try:
        return parse_xml(answer.body.encode("utf-8"))
    except UnreadableBody:
        return None


def _kind_of(root: etree._Element | None, answer: RecordedAnswer) -> str:
    return f"XML <{local(root)}>" if root is not None else f"no XML document: {answer.body[:120]!r}"


def _request_id_header(found: Comparison, recorded: RecordedAnswer, new: RecordedAnswer) -> None:
    if (recorded.request_id_header is None) != (new.request_id_header is None):
        found.differ(
            Aspect.REQUEST_ID_HEADER,
            "",
            _said(recorded.request_id_header is not None),
            _said(new.request_id_header is not None),
        )
        return
    if recorded.request_id_header is None or new.request_id_header is None:
        return
    agrees = [(answer.request_id_header or "") in answer.body for answer in (recorded, new)]
    if agrees[0] != agrees[1]:
        said = ["the body's RequestId" if agree else "another id than the body's" for agree in agrees]
        found.differ(Aspect.REQUEST_ID_HEADER, "", said[0], said[1])
    else:
        found.noise.add("request-id")


def _children(element: etree._Element) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str)]


def _identity(member: etree._Element) -> str | None:
    for name in IDENTITIES:
        for item in _children(member):
            if local(item) == name:
                return item.text or ""
    return member.text if not _children(member) else None


def _aspect(name: str) -> Aspect:
    return ASPECT_OF_ELEMENT.get(name, Aspect.VALUE)


def _elements(found: Comparison, a: etree._Element, b: etree._Element, where: str) -> None:
    kids_a, kids_b = _children(a), _children(b)
    if not kids_a and not kids_b:
        found.value(_aspect(local(a)), where, a.text or "", b.text or "")
        return
    names_a, names_b = (
        Counter(local(k) for k in kids_a if local(k) != "member"),
        Counter(local(k) for k in kids_b if local(k) != "member"),
    )
    for name in sorted(set(names_a) | set(names_b)):
        if names_a[name] != names_b[name]:
            aspect = ASPECT_OF_ELEMENT.get(name, Aspect.ELEMENT_SET)
            aspect = aspect if aspect in (Aspect.TRUNCATION, Aspect.MARKER) else Aspect.ELEMENT_SET
            found.differ(aspect, f"{where}/{name}", _count(names_a[name]), _count(names_b[name]))
    order_a = [local(k) for k in kids_a if local(k) != "member" and names_b[local(k)]]
    order_b = [local(k) for k in kids_b if local(k) != "member" and names_a[local(k)]]
    if order_a != order_b:
        found.differ(Aspect.ELEMENT_ORDER, where, " ".join(order_a), " ".join(order_b))
    firsts_b: dict[str, etree._Element] = {}
    for kid in kids_b:
        firsts_b.setdefault(local(kid), kid)
    for kid in kids_a:
        name = local(kid)
        if name != "member" and name in firsts_b:
            _elements(found, kid, firsts_b[name], f"{where}/{name}")
    _members(found, [k for k in kids_a if local(k) == "member"], [k for k in kids_b if local(k) == "member"], where)


def _count(n: int) -> str:
    return "absent" if n == 0 else "present" if n == 1 else f"{n} times"


def _members(found: Comparison, a: list[etree._Element], b: list[etree._Element], where: str) -> None:
    if not a and not b:
        return
    ids_a, ids_b = [_identity(m) for m in a], [_identity(m) for m in b]
    canonical_a = [canonical(i)[0] if i is not None else None for i in ids_a]
    canonical_b = [canonical(i)[0] if i is not None else None for i in ids_b]
    if Counter(canonical_a) != Counter(canonical_b):
        found.differ(Aspect.ELEMENT_SET, f"{where}/member", _ids(ids_a), _ids(ids_b))
    elif canonical_a != canonical_b:
        found.differ(Aspect.ELEMENT_ORDER, f"{where}/member", _ids(ids_a), _ids(ids_b))
    by_id_b = {key: member for key, member in zip(canonical_b, b, strict=True)}
    for key, member, shown in zip(canonical_a, a, ids_a, strict=True):
        if key in by_id_b:
            _elements(found, member, by_id_b[key], f"{where}/member[{shown}]")


def _ids(ids: list[str | None]) -> str:
    return ", ".join(i if i is not None else "(no id)" for i in ids) or "(none)"
