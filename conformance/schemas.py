"""XSD validation of response bodies against schemas/*.xsd, each schema compiled once per process.

libxml2 (through lxml, already parsing every body) validates: it compiles in milliseconds and validates in
microseconds. The project's own tests check the same schemas with xmlschema too, as an independent validator.
"""
from __future__ import annotations

import functools

from lxml import etree

from conformance.spec import data_dir

SUCCESS_SCHEMA = "ListSigningCertificatesResponse.xsd"
ERROR_SCHEMA = "ErrorResponse.xsd"
# Our schemas are local files that import nothing: no DTD, no entity, no network while compiling them.
_SCHEMA_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@functools.cache
def compiled(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(data_dir("schemas") / name), _SCHEMA_PARSER))


def schema_errors(root: etree._Element, name: str, limit: int = 5) -> list[str]:
    """Human-readable reasons `root` does not validate against schema `name` (empty when it does)."""
    schema = compiled(name)
    if schema.validate(root):
        return []
    return [error.message for error in list(schema.error_log)[:limit]]
