"""One XML document written in another legal form: the same elements, namespaces and text, written otherwise.

What a conformant target may send besides the reference's own style, and what no check may judge: an XML
declaration with any encoding label the document is then encoded in (UTF-8 with or without a BOM, UTF-16 with its
BOM, Latin-1, ASCII, windows-1252, ISO-8859-15: characters the encoding lacks written as character references),
comments and processing instructions wherever XML allows them (before and after the root, between elements, inside
an element's text), namespace prefixes, redeclarations of the default namespace and of prefixes, declarations
nothing uses, CDATA sections, CRLF line ends and indentation between elements, either form of an empty element.

`rewrite(body, pick)` makes every choice through `pick(options)`: Hypothesis draws them in the property test
(tests/unit/test_xml_forms.py), a seeded random generator in the selftest's conformant variant `legal_xml_forms`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import TypeVar, cast

from lxml import etree

from conformance.protocol.wire import parse_xml

T = TypeVar("T")
Pick = Callable[[Sequence[T]], T]

# (label in the declaration, Python codec, byte order mark written first). A document in another encoding than
# UTF-8 or UTF-16 must declare it; UTF-16 must start with its byte order mark.
ENCODINGS: tuple[tuple[str, str, bytes], ...] = (
    ("UTF-8", "utf-8", b""),
    ("utf-8", "utf-8", b"\xef\xbb\xbf"),
    ("UTF-16", "utf-16-le", b"\xff\xfe"),
    ("UTF-16", "utf-16-be", b"\xfe\xff"),
    ("ISO-8859-1", "latin-1", b""),
    ("latin1", "latin-1", b""),
    ("US-ASCII", "ascii", b""),
    ("windows-1252", "cp1252", b""),
    ("ISO-8859-15", "iso8859-15", b""),
)
COMMENTS = ("<!-- a comment -->", "<!---->", "<!-- iam-conformance: <not an element/> & no entity -->")
INSTRUCTIONS = ("<?iam-conformance note?>", "<?target?>", "<?xml-stylesheet href='x.xsl' type='text/xsl'?>")
BLANKS = ("", " ", "\n", "\r\n", "\n  ", "\r\n    ", "\t", "\n\n")
UNUSED_NAMESPACE = "urn:iam-conformance:unused"


def rewrite(body: bytes, pick: Pick[object]) -> bytes:
    """`body` (well-formed XML without a DTD) in another legal form of the same document."""
    root = parse_xml(body)
    label, codec, bom = _choose(pick, ENCODINGS)
    unicode_codec = codec.startswith("utf")
    declared = True if not unicode_codec else _choose(pick, (True, False))
    writer = _Writer(pick, codec)
    text = ""
    if declared:
        quote = _choose(pick, ('"', "'"))
        standalone = _choose(pick, ("", f" standalone={quote}yes{quote}", f" standalone={quote}no{quote}"))
        space = _choose(pick, (" ", "  "))
        text += f"<?xml version={quote}1.0{quote}{space}encoding={quote}{label}{quote}{standalone}?>"
    text += writer.misc() + writer.element(root, {None: None}, 0) + writer.misc()
    encoded = text.encode(codec, errors="xmlcharrefreplace")  # only text may lack a character: see _Writer.text
    if not declared and codec == "utf-8":
        bom = _choose(pick, (b"", bom or b"\xef\xbb\xbf"))
    return bom + encoded


def _choose(pick: Pick[object], options: Sequence[T]) -> T:
    return cast(T, pick(options))  # pick returns one of `options`


def random_pick(seed: int | None = None) -> Pick[object]:
    chooser = random.Random(seed)
    return lambda options: chooser.choice(list(options))


class _Writer:
    def __init__(self, pick: Pick[object], codec: str) -> None:
        self.pick, self.codec = pick, codec
        self.prefixes = 0

    def choose(self, options: Sequence[T]) -> T:
        return _choose(self.pick, options)

    def misc(self) -> str:
        """Blanks, comments and processing instructions, as the prolog, the epilog or element-only content hold."""
        out = self.choose(BLANKS)
        for _ in range(self.choose((0, 0, 1, 2))):
            out += self.choose(COMMENTS + INSTRUCTIONS) + self.choose(BLANKS)
        return out

    def encodable(self, value: str) -> bool:
        try:
            value.encode(self.codec)
        except UnicodeEncodeError:
            return False
        return True

    def text(self, value: str) -> str:
        """Character data: escaped text, or CDATA where CDATA can hold it (no CR, which a parser turns into LF; no
        ']]>'; only characters the encoding has, since a character reference means nothing inside CDATA)."""
        if not value:
            return ""
        cut = self.choose((0, len(value) // 2, len(value) - 1))
        pieces = [value[:cut], value[cut:]] if 0 < cut < len(value) else [value]
        out = []
        for piece in pieces:
            cdata = "\r" not in piece and "]]>" not in piece and self.encodable(piece) and self.choose((False, True))
            if cdata:
                out.append(f"<![CDATA[{piece}]]>")
            else:
                escaped = piece.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                out.append(escaped.replace("\r", "&#13;"))
            out.append(self.choose(("", "", self.choose(COMMENTS + INSTRUCTIONS))))
        return "".join(out)

    def name(self, element: etree._Element, scope: dict[str | None, str | None]) -> tuple[str, list[str]]:
        """The element's qualified name in this form and the namespace declarations it carries; updates `scope`."""
        qname = etree.QName(element)
        uri, local = cast("str | None", qname.namespace), qname.localname  # lxml-stubs say str: None means none
        declarations: list[str] = []
        if uri is None:
            if scope.get(None):  # a default namespace is in scope: undeclare it
                declarations.append('xmlns=""')
                scope[None] = None
            return local, declarations
        ways = ["default"] + (["bound"] if any(p and u == uri for p, u in scope.items()) else []) + ["new prefix"]
        way = self.choose(ways)
        if way == "bound":
            prefix = next(p for p, u in scope.items() if p and u == uri)
        elif way == "new prefix":
            self.prefixes += 1
            prefix = self.choose(("iam", "p", "ns", "a")) + str(self.prefixes)
            scope[prefix] = uri
            declarations.append(f'xmlns:{prefix}="{uri}"')
        else:
            prefix = None
            if scope.get(None) != uri or self.choose((False, False, True)):  # declared, or redeclared as it is
                declarations.append(f'xmlns="{uri}"')
                scope[None] = uri
        if self.choose((False, False, True)):
            declarations.append(f'xmlns:unused{self.prefixes}="{UNUSED_NAMESPACE}"')
        return (f"{prefix}:{local}" if prefix else local), declarations

    def element(self, element: etree._Element, outer: dict[str | None, str | None], depth: int) -> str:
        scope = dict(outer)
        name, declarations = self.name(element, scope)
        quote = self.choose(('"', "'"))
        attributes = [d.replace('"', quote) for d in declarations]
        for key, value in element.attrib.items():
            key, value = str(key), str(value)  # (text: the parser decoded them)
            if key.startswith("{"):  # an attribute in a namespace: the suite's documents carry none
                raise ValueError(f"attribute {key} in a namespace: not rewritten")
            escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
            attributes.append(f'{key}="{escaped}"')
        start = name + "".join(" " + a for a in attributes)
        kids = [child for child in element if isinstance(child.tag, str)]
        if not kids:  # text only: comments and instructions may split it, nothing else changes it
            value = (element.text or "") + "".join(c.tail or "" for c in element)
            inner = self.text(value)
            if not inner and self.choose((True, False)):
                return f"<{start}/>"
            return f"<{start}>{inner}</{name}>"
        segments = [element.text or ""] + [child.tail or "" for child in element]
        element_only = not any(segment.strip() for segment in segments)
        out = [f"<{start}>"]
        for at, child in enumerate(element):
            if at == 0:
                out.append(self.between(segments[0], element_only, depth + 1))
            if isinstance(child.tag, str):
                out.append(self.element(child, scope, depth + 1))
            last = at == len(element) - 1
            out.append(self.between(child.tail or "", element_only, depth if last else depth + 1))
        out.append(f"</{name}>")
        return "".join(out)

    def between(self, text: str, element_only: bool, depth: int) -> str:
        """What stands between two children: in element-only content any blanks, comments and instructions (the
        infoset keeps no whitespace there that anyone reads); in mixed content the text itself."""
        if not element_only:
            return self.text(text)
        indent = self.choose(("", "\n", "\r\n")) + self.choose(("", "  " * depth, "\t" * depth))
        return indent + (self.misc() if self.choose((False, True)) else "")
