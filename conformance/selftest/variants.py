"""Conformant variants: named combinations of the reference's LEGAL Flavour choices.

The suite must pass every one of them; a failed requirement here is a false positive of the suite. Together
they cover each legal variation at least once: element order, namespace prefix, XML declaration, pages shorter
than MaxItems (page_cap=1), exotic markers (spaces, + = /, Latin-1), reverse certificate order, millisecond
UploadDate, the Result's own <UserName> both present and absent, future fields no schema names, an unknown
Action answered in the query front end's fault namespace, and parameters validated before the credential.
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.reference import Flavour, ReferenceApp


@dataclass(frozen=True)
class Variant:
    name: str
    description: str
    flavour: Flavour

    def build(self) -> ReferenceApp:
        return ReferenceApp(self.flavour)


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
)


def variants() -> list[Variant]:
    return list(VARIANTS)
