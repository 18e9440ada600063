"""Conformant variants: named combinations of the reference's LEGAL Flavour choices.

The suite must pass every one of them; a failed requirement here is a false positive of the suite. Together
they cover each legal variation at least once: element order, namespace prefix, XML declaration, pages shorter
than MaxItems (page_cap=1), exotic markers (spaces, + = /, Latin-1), reverse certificate order, millisecond
UploadDate, the Result's own <UserName> both present and absent, future fields no schema names, an unknown
Action answered in the query front end's fault namespace, and parameters validated before the credential; every
other legal way of writing the same XML (`legal_xml_forms`: conformance.selftest.xml_forms); and the answers real IAM
may give where the suite is lenient because nobody recorded IAM's (`unrecorded_leniencies`).
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass

from conformance.reference import Flavour, IamError, ReferenceApp, Renderer, Store
from conformance.reference.principals import User
from conformance.reference.render import Node
from conformance.reference.store import Certificate, no_such_user
from conformance.selftest.xml_forms import random_pick, rewrite


class LegalXmlForms(Renderer):
    """The reference's listings and errors, each written in another legal XML form (its own choices per answer):
    declarations with any encoding label, a BOM, comments and instructions, prefixes, CDATA, CRLF indentation.
    Other actions' answers stay as they are: the suite reads their secrets, and redacts them by their text."""

    def __init__(self, flavour: Flavour) -> None:
        super().__init__(flavour)
        self._answers = itertools.count(1)
        self._lock = threading.Lock()

    def _another_form(self, body: bytes) -> bytes:
        with self._lock:
            seed = next(self._answers)
        return rewrite(body, random_pick(seed))

    def success(self, action: str, result: list[Node] | None, request_id: str) -> bytes:
        body = super().success(action, result, request_id)
        return self._another_form(body) if action == "ListSigningCertificates" else body

    def error(self, error: IamError, request_id: str) -> bytes:
        return self._another_form(super().error(error, request_id))


class UnrecordedRendering(Renderer):
    """A certificate body without the blanks around it, and its carriage returns written as they are (an XML
    reader then sees line feeds): whether IAM keeps either is not recorded."""

    def certificate(self, cert: Certificate, tag: str = "member") -> Node:
        node = super().certificate(cert, tag)
        for leaf in node.children:
            if leaf.tag == "CertificateBody" and leaf.text is not None:
                leaf.text = leaf.text.strip()
        return node

    def text(self, value: str) -> str:
        escaped = super().text  # (a bare super() does not work inside the generator below)
        return "\r".join(escaped(part) for part in value.split("\r"))  # a CR as it is, not &#13;


class UnrecordedStore(Store):
    """Identity-based policies enforced (a user's key naming another user is refused AccessDenied), and names looked
    up in the case they were created with (a name in another case is no one's): both legal where IAM's answer is
    not recorded."""

    def __init__(self) -> None:
        super().__init__(enforce_policies=True)

    def get_user(self, name: str) -> User:
        user = super().get_user(name)
        if user.name != name:
            raise no_such_user(name)
        return user


@dataclass(frozen=True)
class Variant:
    name: str
    description: str
    flavour: Flavour
    renderer: type[Renderer] = Renderer
    store: type[Store] = Store

    def build(self) -> ReferenceApp:
        app = ReferenceApp(self.flavour, store=self.store())
        app.renderer = self.renderer(self.flavour)
        return app


VARIANTS: tuple[Variant, ...] = (
    Variant(
        "page_sample", "the page's sample style: default namespace, page order, Result UserName present", Flavour()
    ),
    Variant(
        "reordered_prefixed",
        "every record reversed, iam: prefix, XML declaration, no Result UserName, an unknown Action answered in the "
        "query front end's fault namespace, parameters validated before the credential is checked",
        Flavour(
            element_order="reversed",
            namespace_prefix="iam",
            xml_declaration=True,
            result_username=False,
            front_end_faults=True,
            validate_first=True,
        ),
    ),
    Variant(
        "short_pages_exotic_markers",
        "one item per page whatever MaxItems, markers with spaces/+/=/'/'/Latin-1, newest first, ms dates",
        Flavour(page_cap=1, marker_style="exotic", certificate_order="reverse", upload_date_precision="millis"),
    ),
    Variant(
        "future_fields",
        "plausible future elements at every depth (member Tags and PermissionsBoundary, a "
        "Result field, ResponseMetadata and error extras): notes, never failures",
        Flavour(extra_elements=True),
    ),
    Variant(
        "everything_at_once",
        "every non-default choice together",
        Flavour(
            element_order="reversed",
            namespace_prefix="iam",
            xml_declaration=True,
            page_cap=1,
            marker_style="exotic",
            certificate_order="reverse",
            upload_date_precision="millis",
            result_username=False,
            extra_elements=True,
            front_end_faults=True,
            validate_first=True,
        ),
    ),
    Variant(
        "legal_xml_forms",
        "every listing and error in another legal form of the same XML: encoding labels (UTF-16, Latin-1, ASCII...), "
        "a BOM, comments and instructions anywhere, prefixes and redeclarations, CDATA, CRLF and indentation",
        Flavour(),
        LegalXmlForms,
    ),
    Variant(
        "unrecorded_leniencies",
        "where IAM's answer is not recorded, the other legal one: a name in another case is no one's (404), a user's "
        "key naming another user is refused by policy, a body comes back without its surrounding blanks and its CRs "
        "unescaped",
        Flavour(),
        UnrecordedRendering,
        UnrecordedStore,
    ),
)


def variants() -> list[Variant]:
    return list(VARIANTS)
