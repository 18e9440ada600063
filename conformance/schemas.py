"""XSD validation of response bodies against schemas/*.xsd, each schema compiled once per process."""
from __future__ import annotations

import functools

import xmlschema
from lxml import etree

from conformance.spec import data_dir

SUCCESS_SCHEMA = "ListSigningCertificatesResponse.xsd"
ERROR_SCHEMA = "ErrorResponse.xsd"


@functools.cache
def compiled(name: str) -> xmlschema.XMLSchema10:
    # The schemas are ours and local; nothing they reference may come from the network.
    return xmlschema.XMLSchema10(str(data_dir("schemas") / name), allow="local")


def schema_errors(root: etree._Element, name: str, limit: int = 5) -> list[str]:
    """Human-readable reasons `root` does not validate against schema `name` (empty when it does)."""
    errors = []
    for error in compiled(name).iter_errors(root):
        errors.append(f"{error.path or '/'}: {error.reason}")
        if len(errors) >= limit:
            break
    return errors
