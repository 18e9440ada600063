"""Faults in what a listing says: the body's shape (SHAPE-*) and pagination/listing semantics (PAG-*).

Each class overrides exactly one behaviour of the reference; the override is the mistake itself.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from cryptography import x509

from conformance.reference import Flavour, IamError, Principal, ReferenceApp, Renderer, Store
from conformance.reference.principals import User
from conformance.reference.render import NAMESPACE, Node, branch, leaf
from conformance.reference.store import CERTIFICATES_PER_USER, Certificate
from conformance.selftest.registry import fault

# -- shape -----------------------------------------------------------------------------------------------------


@fault("wrong_namespace", "SHAPE-03", "xmlns without its trailing slash: https://iam.amazonaws.com/doc/2010-05-08")
class WrongNamespace(Renderer):
    def serialize(self, root: Node, namespace: str = NAMESPACE) -> bytes:
        return super().serialize(root, namespace).replace(NAMESPACE.encode(), NAMESPACE.rstrip("/").encode())


@fault("success_without_request_id", "SHAPE-04", "success bodies have no <ResponseMetadata><RequestId>")
class SuccessWithoutRequestId(Renderer):
    def success(self, action: str, result: list[Node] | None, request_id: str) -> bytes:
        body = branch(f"{action}Result", *result) if result is not None else None
        return self.serialize(branch(f"{action}Response", body))


@fault("status_lower_case", ("SHAPE-05", "SHAPE-01"), "Status rendered lower-case: active / inactive")
class StatusLowerCase(Renderer):
    def certificate(self, cert: Certificate, tag: str = "member") -> Node:
        return super().certificate(replace(cert, status=cert.status.lower()), tag)


@fault(
    "pem_armour_stripped", "SHAPE-05", "CertificateBody without its -----BEGIN/END CERTIFICATE----- lines (base64 only)"
)
class PemArmourStripped(Renderer):
    def certificate(self, cert: Certificate, tag: str = "member") -> Node:
        body = "\n".join(line for line in cert.body.splitlines() if not line.startswith("-----"))
        return super().certificate(replace(cert, body=body), tag)


@fault("upload_date_without_zone", "SHAPE-05", "UploadDate without a zone designator: 2024-01-02T03:04:05")
class UploadDateWithoutZone(Renderer):
    def date(self, when: datetime) -> str:
        return super().date(when).removesuffix("Z")


@fault(
    "upload_date_is_not_before",
    "SHAPE-05",
    "the listing's UploadDate is the certificate's notBefore (validity start), not when it was uploaded",
)
class UploadDateIsNotBefore(Renderer):
    def certificate_page(self, owner: User, page: list[Certificate], truncated: bool, marker: str | None) -> list[Node]:
        dated = [replace(c, uploaded=x509.load_der_x509_certificate(c.der).not_valid_before_utc) for c in page]
        return super().certificate_page(owner, dated, truncated, marker)


@fault("certificate_id_uuid", "SHAPE-01", "CertificateId is a UUID with hyphens, outside the model's [\\w]+")
@dataclass
class CertificateIdUuid(Store):
    def upload_certificate(self, owner: User, body: str, der: bytes) -> Certificate:
        with self.lock:
            certificate = super().upload_certificate(owner, body, der)
            del self.certificates[certificate.certificate_id]
            certificate.certificate_id = str(uuid.uuid4())
            self.certificates[certificate.certificate_id] = certificate
            return certificate


@fault("empty_certificates_omitted", "SHAPE-06", "a user without certificates gets no <Certificates> element at all")
class EmptyCertificatesOmitted(Renderer):
    def certificate_page(self, owner: User, page: list[Certificate], truncated: bool, marker: str | None) -> list[Node]:
        nodes = super().certificate_page(owner, page, truncated, marker)
        return [n for n in nodes if n.tag != "Certificates" or n.children]


@fault(
    "error_type_lower_case_element",
    ("SHAPE-02", "ERR-02"),
    "error bodies spell the Type element <type>: SDKs find no Type (an extra element is legal, a missing one not)",
)
class ErrorTypeLowerCaseElement(Renderer):
    def error(self, error: IamError, request_id: str) -> bytes:
        detail = branch("Error", leaf("type", error.type), leaf("Code", error.code), leaf("Message", error.message))
        return self.serialize(branch("ErrorResponse", detail, leaf("RequestId", request_id)))


# -- pagination: IsTruncated and Marker --------------------------------------------------------------------------


@fault("is_truncated_python_bool", ("PAG-03", "SHAPE-01"), "IsTruncated rendered as Python's True / False")
class IsTruncatedPythonBool(Renderer):
    def boolean(self, value: bool) -> str:
        return str(value)


@fault("is_truncated_numeric", ("PAG-03", "SHAPE-01"), "IsTruncated rendered as 1 / 0")
class IsTruncatedNumeric(Renderer):
    def boolean(self, value: bool) -> str:
        return "1" if value else "0"


@fault("is_truncated_omitted_when_false", "PAG-03", "IsTruncated left out when false (moto-style)")
class IsTruncatedOmittedWhenFalse(Renderer):
    def certificate_page(self, owner: User, page: list[Certificate], truncated: bool, marker: str | None) -> list[Node]:
        nodes = super().certificate_page(owner, page, truncated, marker)
        return nodes if truncated else [n for n in nodes if n.tag != "IsTruncated"]


@fault(
    "truncated_page_flagged_false",
    ("PAG-03", "PAG-01"),
    "IsTruncated false (and no Marker) on a page that has items after it",
)
class TruncatedPageFlaggedFalse(Renderer):
    def certificate_page(self, owner: User, page: list[Certificate], truncated: bool, marker: str | None) -> list[Node]:
        return super().certificate_page(owner, page, False, None)


@fault("truncated_page_without_marker", ("PAG-04", "PAG-01"), "IsTruncated true but no <Marker> element")
class TruncatedPageWithoutMarker(Renderer):
    def certificate_page(self, owner: User, page: list[Certificate], truncated: bool, marker: str | None) -> list[Node]:
        return [n for n in super().certificate_page(owner, page, truncated, marker) if n.tag != "Marker"]


_PADDING = "0" * 330


@fault("marker_over_320", "PAG-04", "Marker is a 370-odd character token, over the page's 320")
class MarkerOver320(ReferenceApp):
    def encode_marker(self, owner: User, last_seq: int) -> str:
        return super().encode_marker(owner, last_seq) + _PADDING

    def decode_marker(self, marker: str, owner: User) -> int:
        return super().decode_marker(marker.removesuffix(_PADDING), owner)


@fault("marker_outside_latin1", "PAG-04", "Marker carries a character outside [\\u0020-\\u00FF]: 'next→<token>'")
class MarkerOutsideLatin1(ReferenceApp):
    def encode_marker(self, owner: User, last_seq: int) -> str:
        return "next\u2192" + super().encode_marker(owner, last_seq)

    def decode_marker(self, marker: str, owner: User) -> int:
        return super().decode_marker(marker.removeprefix("next\u2192"), owner)


@fault(
    "utf8_read_as_latin1",
    "PAG-01",
    "percent-decoded parameters read as Latin-1, not UTF-8: an exotic Marker ('é ü+/= ...') comes back mangled",
    flavour=Flavour(marker_style="exotic"),
)
class Utf8ReadAsLatin1(ReferenceApp):
    @staticmethod
    def _pairs(encoded: str) -> list[tuple[str, str]]:
        return parse_qsl(encoded, keep_blank_values=True, encoding="latin-1", errors="replace")


@fault("marker_restarts_listing", "PAG-01", "the Marker is decoded but not applied: every page starts over")
class MarkerRestartsListing(ReferenceApp):
    def paginate(self, items: list[Certificate], after_seq: int | None, size: int) -> tuple[list[Certificate], bool]:
        return super().paginate(items, None, size)


@fault(
    "last_item_dropped_when_paging",
    "PAG-01",
    "off-by-one on the last page of a paged walk: its final certificate is cut",
)
class LastItemDroppedWhenPaging(ReferenceApp):
    def paginate(self, items: list[Certificate], after_seq: int | None, size: int) -> tuple[list[Certificate], bool]:
        page, truncated = super().paginate(items, after_seq, size)
        return (page[:-1] if after_seq is not None and not truncated else page), truncated


# -- pagination: MaxItems ----------------------------------------------------------------------------------------


@fault("max_items_ignored", "PAG-02", "MaxItems accepted but ignored: every certificate on one page")
class MaxItemsIgnored(ReferenceApp):
    def page_size(self, max_items: int) -> int:
        return 1 << 30


@fault("page_size_off_by_one", "PAG-02", "pages hold MaxItems+1 certificates")
class PageSizeOffByOne(ReferenceApp):
    def page_size(self, max_items: int) -> int:
        return super().page_size(max_items) + 1


@fault(
    "default_max_items_crash",
    "PAG-05",
    "the page's default of 100 never implemented: MaxItems omitted -> 500 (int(params['MaxItems']))",
)
class DefaultMaxItemsCrash(ReferenceApp):
    def action_ListSigningCertificates(self, caller: Principal, p: dict[str, str]) -> list[Node]:
        int(p["MaxItems"])  # the KeyError this raises without MaxItems is the fault
        return super().action_ListSigningCertificates(caller, p)


# -- what a listing contains -------------------------------------------------------------------------------------


@fault("inactive_hidden", "PAG-06", "Inactive certificates are left out of the listing")
class InactiveHidden(ReferenceApp):
    def order_certificates(self, certificates: list[Certificate]) -> list[Certificate]:
        return [c for c in super().order_certificates(certificates) if c.status == "Active"]


@fault("status_always_active", "PAG-06", "Status rendered as Active whatever the certificate's status")
class StatusAlwaysActive(Renderer):
    def certificate(self, cert: Certificate, tag: str = "member") -> Node:
        return super().certificate(replace(cert, status="Active"), tag)


@fault("deleted_still_listed", "PAG-07", "deletion leaves a tombstone that the listing query does not skip")
@dataclass
class DeletedStillListed(Store):
    tombstones: dict[str, Certificate] = field(default_factory=dict)

    def delete_certificate(self, owner: User, certificate_id: str) -> None:
        with self.lock:
            self.tombstones[certificate_id] = self.get_certificate(owner, certificate_id)
            super().delete_certificate(owner, certificate_id)

    def certificates_of(self, owner: User) -> list[Certificate]:
        with self.lock:
            dead = [c for c in self.tombstones.values() if c.owner_id == owner.user_id]
            return sorted(super().certificates_of(owner) + dead, key=lambda c: c.seq)


@fault(
    "resume_forgets_owner_filter",
    "PAG-08",
    "a page resumed from a Marker scans the whole account's certificates, not just the user's",
)
class ResumeForgetsOwnerFilter(ReferenceApp):
    def paginate(self, items: list[Certificate], after_seq: int | None, size: int) -> tuple[list[Certificate], bool]:
        if after_seq is not None:
            with self.store.lock:
                items = sorted(self.store.certificates.values(), key=lambda c: c.seq)
        return super().paginate(items, after_seq, size)


@fault(
    "order_alternates",
    "PAG-09",
    "two replicas sort differently (upload order, reverse) and calls alternate between them",
)
class OrderAlternates(ReferenceApp):
    def __init__(self, flavour: Flavour | None = None, store: Store | None = None) -> None:
        super().__init__(flavour, store)
        self._calls = itertools.count()

    def order_certificates(self, certificates: list[Certificate]) -> list[Certificate]:
        ordered = super().order_certificates(certificates)
        return ordered if next(self._calls) % 2 == 0 else ordered[::-1]


# -- faults only a sequence of calls reveals (PAG-10, the state machine) -----------------------------------------
# The quick profile's few sequences are for users' fast runs; proving the machine finds these takes more of them.
SEQUENCES = ("--stateful-sequences", "40")


@fault(
    "delete_reactivates_siblings",
    "PAG-10",
    "deleting a certificate rewrites the user's remaining ones from a stale copy: an Inactive one is Active again",
    suite_args=SEQUENCES,
)
class DeleteReactivatesSiblings(Store):
    def delete_certificate(self, owner: User, certificate_id: str) -> None:
        with self.lock:
            super().delete_certificate(owner, certificate_id)
            for certificate in self.certificates_of(owner):
                certificate.status = "Active"


@fault(
    "quota_counts_deleted",
    "PAG-10",
    "the per-user quota counts every certificate ever uploaded, deleted ones included",
    suite_args=SEQUENCES,
)
class QuotaCountsDeleted(Store):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ever: dict[str, int] = {}

    def upload_certificate(self, owner: User, body: str, der: bytes) -> Certificate:
        from conformance.reference import IamError

        with self.lock:
            if self._ever.get(owner.user_id, 0) >= CERTIFICATES_PER_USER:
                raise IamError(
                    409, "LimitExceeded", f"Cannot exceed quota for CertificatesPerUser: {CERTIFICATES_PER_USER}"
                )
            certificate = super().upload_certificate(owner, body, der)
            self._ever[owner.user_id] = self._ever.get(owner.user_id, 0) + 1
            return certificate
