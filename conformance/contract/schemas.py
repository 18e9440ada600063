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
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol, cast

from lxml import etree

from conformance.contract.spec import data_dir

SUCCESS_SCHEMA = "ListSigningCertificatesResponse.xsd"
ERROR_SCHEMA = "ErrorResponse.xsd"
XSD = "http://www.w3.org/2001/XMLSchema"
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


def _set_aside(element: etree._Element) -> None:
    """Remove `element`, keeping the text that followed it where lxml would otherwise drop it."""
    parent = cast(etree._Element, element.getparent())  # a child element: it has a parent
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _prune(element: etree._Element, declared: Declared, known: Vocabulary, notes: list[str]) -> None:
    if declared.children is None:
        return
    for child in list(element):
        if not _is_element(child):
            continue  # comments and processing instructions are no elements
        name, child_namespace = _local_name(child), etree.QName(child).namespace
        expected = declared.children.get(name)
        if expected is not None and child_namespace == known.namespace:
            _prune(child, expected, known, notes)
        elif name in known.names:
            continue  # a known element misplaced or in another namespace: the validator says what is wrong
        else:
            where = "" if child_namespace == known.namespace else f" (namespace {child_namespace or 'none'})"
            note = f"unknown element <{name}>{where} in <{_local_name(element)}>"
            if note not in notes:
                notes.append(note)
            _set_aside(child)


def without_unknown_elements(root: etree._Element, name: str) -> tuple[etree._Element, list[str]]:
    """A copy of `root` without the child elements schema `name` declares nowhere, and a note for each."""
    known = vocabulary(name)
    declared = known.roots.get(_local_name(root))
    pruned = copy.deepcopy(root)
    notes: list[str] = []
    if declared is not None and etree.QName(root).namespace == known.namespace:
        _prune(pruned, declared, known, notes)
    return pruned, notes


def read_against(root: etree._Element, name: str, strict: bool = False, limit: int = 5) -> SchemaReading:
    """Validate `root` against schema `name`: open by default (unknown elements become notes), or closed."""
    schema = compiled(name)
    if schema.validate(root):
        return SchemaReading([])  # a body valid as it came holds no unknown element worth a note
    if not strict:
        pruned, notes = without_unknown_elements(root, name)
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
