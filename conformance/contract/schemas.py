"""XSD validation of response bodies against schemas/*.xsd, each schema compiled once per process.

libxml2 (through lxml, already parsing every body) validates: it compiles in milliseconds and validates in
microseconds. The project's own tests check the same schemas with xmlschema too, as an independent validator.

Open reading (the default): SDKs ignore elements they do not know and AWS adds fields over time, so a child
element whose name the schema declares nowhere is removed from a copy of the body before validation and
reported as a note. XSD 1.0 cannot say this itself (`xs:all`, which lets elements come in any order, admits
no `xs:any`). Everything the schema does name is still judged: a missing, misspelt (unknown + the real one
missing), misplaced (a known name under the wrong parent) or wrongly typed element fails. `strict=True`
validates the body as it came, closed.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol, cast

from lxml import etree

from conformance.contract.spec import data_dir

SUCCESS_SCHEMA = "ListSigningCertificatesResponse.xsd"
ERROR_SCHEMA = "ErrorResponse.xsd"
XSD = "http://www.w3.org/2001/XMLSchema"
MAX_NOTES = 5  # unknown elements named per answer; the others are counted
# Our schemas are local files that import nothing: no DTD, no entity, no network while compiling them.
_SCHEMA_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass(frozen=True)
class SchemaReading:
    errors: list[str]  # why the body does not validate (empty when it does)
    notes: list[str] = field(default_factory=list)  # unknown elements set aside by the open reading


@dataclass
class Declared:
    """An element declaration; `children` is None where the schema fixes no element vocabulary (simple
    content is judged by the validator, xs:anyType or xs:any content admits anything)."""

    name: str
    children: dict[str, Declared] | None = None


@dataclass(frozen=True)
class Vocabulary:
    namespace: str | None  # the schema's targetNamespace
    roots: dict[str, Declared]
    names: frozenset[str]  # every element name declared anywhere in the schema


def _schema_document(name: str) -> etree._ElementTree:
    return etree.parse(str(data_dir("schemas") / name), _SCHEMA_PARSER)


def renamespaced(root: etree._Element, namespace: str | None, into: str) -> etree._Element:
    """A copy of `root` with every element of `namespace` moved into `into` (the query front end's fault envelope
    read as IAM's, to be judged by the same schema)."""
    copied = copy.deepcopy(root)
    for element in copied.iter():
        if isinstance(element.tag, str) and etree.QName(element).namespace == namespace:
            element.tag = f"{{{into}}}{etree.QName(element).localname}"
    etree.cleanup_namespaces(copied)
    return copied


@functools.cache
def compiled(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(_schema_document(name))


@functools.cache
def vocabulary(name: str) -> Vocabulary:
    """Which child elements each declared element may have, read from the XSD itself."""
    schema = _schema_document(name).getroot()
    complex_types = {node.get("name"): node for node in schema.findall(f"{{{XSD}}}complexType")}
    by_type: dict[str, Declared] = {}  # named complex types, memoised (and safe against recursion)
    names: set[str] = set()

    def content(type_node: etree._Element, into: Declared) -> None:
        into.children = {}
        for node in type_node.iter():
            if node is type_node or not _is_element(node):
                continue
            tag = etree.QName(node).localname
            if tag == "any" and _owner(node, type_node):
                into.children = None  # the schema itself is open here
                return
            if tag in ("group", "complexContent", "extension") or (tag == "element" and node.get("ref")):
                raise ValueError(f"schemas/{name}: the open reading does not understand xs:{tag} here")
            if tag == "element" and _owner(node, type_node):
                child = declare(node)
                into.children[child.name] = child

    def declare(node: etree._Element) -> Declared:
        element_name = _declared_name(node)
        names.add(element_name)
        inline = node.find(f"{{{XSD}}}complexType")
        if inline is not None:
            declared = Declared(element_name)
            content(inline, declared)
            return declared
        prefix, _, type_name = (node.get("type") or "").rpartition(":")
        if node.nsmap.get(prefix or None) == XSD or type_name not in complex_types:
            return Declared(element_name)  # a simple or built-in type (no type: xs:anyType): no children to vet
        if type_name not in by_type:
            by_type[type_name] = Declared(type_name)
            content(complex_types[type_name], by_type[type_name])
        return Declared(element_name, by_type[type_name].children)

    roots = {_declared_name(node): declare(node) for node in schema.findall(f"{{{XSD}}}element")}
    return Vocabulary(schema.get("targetNamespace"), roots, frozenset(names))


def _declared_name(node: etree._Element) -> str:
    """An xs:element's name: every declaration in our schemas has one (xs:element ref=... is refused above)."""
    return cast(str, node.get("name"))


def _is_element(node: etree._Element) -> bool:
    """False for comments and processing instructions, whose tag is a function (lxml-stubs type every tag as str)."""
    tag: object = node.tag
    return isinstance(tag, str)


def _owner(element: etree._Element, type_node: etree._Element) -> bool:
    """True when `element` belongs to `type_node`'s own content model, not to a nested element's."""
    parent = element.getparent()
    while parent is not None and parent is not type_node:
        if etree.QName(parent).localname == "element":
            return False
        parent = parent.getparent()
    return True


def _local_name(element: etree._Element) -> str:
    return etree.QName(element).localname


@dataclass
class _Unknowns:
    """The unknown elements of one answer: counted, and the first MAX_NOTES distinct ones noted."""

    notes: list[str] = field(default_factory=list)
    more: int = 0  # unknown elements past those noted (repeats of a noted one aside)

    def note(self, text: str) -> None:
        if text in self.notes:
            return
        if len(self.notes) < MAX_NOTES:
            self.notes.append(text)
        else:
            self.more += 1

    def summary(self) -> list[str]:
        more = [f"{self.more} more unknown elements (only the first {MAX_NOTES} are named)"] if self.more else []
        return self.notes + more


def _prune(element: etree._Element, declared: Declared, known: Vocabulary, found: _Unknowns) -> None:
    """Remove from `element` (and, through the declared children, below it) every child element the schema declares
    nowhere, noting it. One pass, holding one child at a time: the text that followed a removed element (which lxml
    removes with it) is kept after the element kept before it, or in the parent's text, joined once."""
    if declared.children is None:
        return
    kept: etree._Element | None = None
    pending: list[str] = []

    def flush() -> None:
        if pending:
            if kept is None:
                element.text = (element.text or "") + "".join(pending)
            else:
                kept.tail = (kept.tail or "") + "".join(pending)
            pending.clear()

    for child in _one_by_one(element):
        if _is_element(child):
            name, child_namespace = _local_name(child), etree.QName(child).namespace
            expected = declared.children.get(name)
            if expected is not None and child_namespace == known.namespace:
                _prune(child, expected, known, found)
            elif name not in known.names:  # (a known one misplaced or in another namespace: the validator says)
                where = "" if child_namespace == known.namespace else f" (namespace {child_namespace or 'none'})"
                found.note(f"unknown element <{name}>{where} in <{_local_name(element)}>")
                pending.append(child.tail or "")
                element.remove(child)
                continue
        flush()
        kept = child
    flush()


def _one_by_one(element: etree._Element) -> Iterator[etree._Element]:
    """The children of `element`, each looked up before the one before it is handed out (and perhaps removed)."""
    child = element[0] if len(element) else None
    while child is not None:
        following = child.getnext()
        yield child
        child = following


def without_unknown_elements(
    root: etree._Element, name: str, in_place: bool = False
) -> tuple[etree._Element, list[str]]:
    """`root` without the child elements schema `name` declares nowhere (a copy of it, unless `in_place`: a tree its
    caller owns); a note for each of the first MAX_NOTES, and one counting the rest."""
    known = vocabulary(name)
    declared = known.roots.get(_local_name(root))
    pruned = root if in_place else copy.deepcopy(root)
    found = _Unknowns()
    if declared is not None and etree.QName(root).namespace == known.namespace:
        _prune(pruned, declared, known, found)
    return pruned, found.summary()


def read_against(
    root: etree._Element, name: str, strict: bool = False, limit: int = 5, owned: bool = False
) -> SchemaReading:
    """Validate `root` against schema `name`: open by default (unknown elements become notes), or closed. `owned`: a
    tree no one else reads, pruned in place rather than copied (a large body's, parsed for this reading)."""
    schema = compiled(name)
    if schema.validate(root):
        return SchemaReading([])  # a body valid as it came holds no unknown element worth a note
    if not strict:
        pruned, notes = without_unknown_elements(root, name, in_place=owned)
        if notes:
            valid = schema.validate(pruned)
            return SchemaReading([] if valid else _messages(schema, limit), notes)
    return SchemaReading(_messages(schema, limit))


class _LogEntry(Protocol):
    message: str


def _messages(schema: etree.XMLSchema, limit: int) -> list[str]:
    entries = cast(Iterable[_LogEntry], schema.error_log)  # lxml-stubs leave out that an error log iterates
    return [error.message for error in list(entries)[:limit]]


def schema_errors(root: etree._Element, name: str, limit: int = 5, strict: bool = False) -> list[str]:
    """Human-readable reasons `root` does not validate against schema `name` (empty when it does)."""
    return read_against(root, name, strict=strict, limit=limit).errors
