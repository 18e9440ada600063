"""Pagination faults across a whole walk (PAG-*): where a Marker resumes, what the last page says, whose listing a
Marker continues, and what a listing shows after writes.

Each class overrides exactly one behaviour of the reference; the override is the mistake itself. Real IAM holds
at most 2 certificates per user, so only MaxItems=1 truncates: mistakes that show only with longer listings (a page
size applied only to resumed pages, say) cannot show here and are not catalogued.
"""

from __future__ import annotations

import base64
import threading
from dataclasses import replace
from typing import cast

from conformance.contract.spec import operation, parse_integer
from conformance.reference import Flavour, IamError, Principal, ReferenceApp, Store
from conformance.reference.principals import User
from conformance.reference.render import Node
from conformance.reference.store import Certificate
from conformance.selftest.registry import fault

DEFAULT_MAX_ITEMS = operation().parameters["MaxItems"].default


def _max_items(params: dict[str, str]) -> int:
    # validated by now: MaxItems, given or the default, is an integer
    return cast(int, parse_integer(params.get("MaxItems", str(DEFAULT_MAX_ITEMS))))


# -- where a Marker resumes --------------------------------------------------------------------------------------


@fault(
    "marker_is_page_number",
    "PAG-11",
    "the Marker holds a page number and resumes at page x MaxItems of the NEW call: another MaxItems skips items",
)
class MarkerIsPageNumber(ReferenceApp):
    def action_ListSigningCertificates(self, caller: Principal, p: dict[str, str]) -> list[Node]:
        owner = self.owner(caller, p)
        size = self.page_size(_max_items(p))
        page_number = self.decode_marker(p["Marker"], owner) if "Marker" in p else 0
        listed = self.order_certificates(self.store.certificates_of(owner))
        start = page_number * size  # the mistake: the offset is recomputed with this call's page size
        page, truncated = listed[start : start + size], len(listed) > start + size
        marker = self.encode_marker(owner, page_number + 1) if truncated else None
        return self.renderer.certificate_page(owner, page, truncated, marker)


@fault(
    "marker_skips_boundary_item",
    "PAG-01",
    "the Marker names the next page's first certificate, but the resumed call starts after it: that one is skipped",
)
class MarkerSkipsBoundaryItem(ReferenceApp):
    def paginate(self, items: list[Certificate], after_seq: int | None, size: int) -> tuple[list[Certificate], bool]:
        if after_seq is None:
            return super().paginate(items, after_seq, size)
        remaining = [c for c in items if c.seq > after_seq][1:]
        return remaining[:size], len(remaining) > size


@fault(
    "marker_repeats_boundary_item",
    "PAG-01",
    "the resumed call starts AT the Marker's certificate (>= instead of >): the boundary item is listed again",
)
class MarkerRepeatsBoundaryItem(ReferenceApp):
    def paginate(self, items: list[Certificate], after_seq: int | None, size: int) -> tuple[list[Certificate], bool]:
        if after_seq is None:
            return super().paginate(items, after_seq, size)
        remaining = [c for c in items if c.seq >= after_seq]
        return remaining[:size], len(remaining) > size


@fault(
    "resume_ignores_listing_order",
    "PAG-01",
    "listing newest first, but a Marker resumes with the ascending comparison: the older certificates are lost",
    flavour=Flavour(certificate_order="reverse"),
)
class ResumeIgnoresListingOrder(ReferenceApp):
    def paginate(self, items: list[Certificate], after_seq: int | None, size: int) -> tuple[list[Certificate], bool]:
        if after_seq is not None:
            items = [c for c in items if c.seq > after_seq]
        return items[:size], len(items) > size


@fault(
    "marker_ignored_without_max_items",
    "PAG-11",
    "a Marker is applied only together with MaxItems: resuming without MaxItems starts the listing over",
)
class MarkerIgnoredWithoutMaxItems(ReferenceApp):
    def action_ListSigningCertificates(self, caller: Principal, p: dict[str, str]) -> list[Node]:
        if "MaxItems" not in p:
            p = {k: v for k, v in p.items() if k != "Marker"}
        return super().action_ListSigningCertificates(caller, p)


@fault(
    "markers_single_use",
    ("PAG-09", "PAG-11", "PROTO-01"),
    "a Marker is struck off once used: listing the same pages again (a retry, a second walk) gets 400 Invalid Marker",
)
class MarkersSingleUse(ReferenceApp):
    def __init__(self, flavour: Flavour | None = None, store: Store | None = None) -> None:
        super().__init__(flavour, store)
        self._spent: set[str] = set()
        self._spent_lock = threading.Lock()

    def decode_marker(self, marker: str, owner: User) -> int:
        with self._spent_lock:
            if marker in self._spent:
                raise IamError(400, "ValidationError", "Invalid Marker.")
            self._spent.add(marker)
        return super().decode_marker(marker, owner)


@fault(
    "marker_continues_its_own_user",
    "PAG-08",
    "a Marker carries its user, and a resumed call lists THAT user whatever UserName says",
)
class MarkerContinuesItsOwnUser(ReferenceApp):
    def owner(self, caller: Principal, params: dict[str, str]) -> User:
        named = super().owner(caller, params)
        marker = params.get("Marker")
        if marker is None or params.get("Action") != "ListSigningCertificates":
            return named
        try:
            payload = base64.b64decode(marker.encode("ascii"), validate=True)[12:].decode("ascii")
        except ValueError:
            return named
        user_id = payload.partition("/")[0]
        with self.store.lock:
            return next((u for u in self.store.users.values() if u.user_id == user_id), named)


# -- what the pages say ------------------------------------------------------------------------------------------


@fault(
    "truncated_when_page_exactly_full",
    "PAG-03",
    "IsTruncated is len >= MaxItems, not >: a page that ends the listing exactly says true, then an empty page",
)
class TruncatedWhenPageExactlyFull(ReferenceApp):
    def paginate(self, items: list[Certificate], after_seq: int | None, size: int) -> tuple[list[Certificate], bool]:
        page, _ = super().paginate(items, after_seq, size)
        remaining = len(super().paginate(items, after_seq, len(items) + 1)[0])
        return page, remaining >= size and remaining > 0


@fault(
    "truncated_off_by_one_low",
    ("PAG-03", "PAG-01"),
    "IsTruncated is len > MaxItems + 1: a page with exactly one certificate after it says false",
)
class TruncatedOffByOneLow(ReferenceApp):
    def paginate(self, items: list[Certificate], after_seq: int | None, size: int) -> tuple[list[Certificate], bool]:
        page, _ = super().paginate(items, after_seq, size)
        remaining = len(super().paginate(items, after_seq, len(items) + 1)[0])
        return page, remaining > size + 1


@fault(
    "short_page_flagged_complete",
    ("PAG-03", "PAG-01"),
    "pages cut short by the service's own cap say IsTruncated by MaxItems (false) though items remain",
    flavour=Flavour(page_cap=1),
)
class ShortPageFlaggedComplete(ReferenceApp):
    def action_ListSigningCertificates(self, caller: Principal, p: dict[str, str]) -> list[Node]:
        owner = self.owner(caller, p)
        max_items = _max_items(p)
        after = self.decode_marker(p["Marker"], owner) if "Marker" in p else None
        listed = self.order_certificates(self.store.certificates_of(owner))
        page, _ = self.paginate(listed, after, self.page_size(max_items))
        remaining, _ = self.paginate(listed, after, len(listed) + 1)
        truncated = len(remaining) > max_items  # the mistake: compared with MaxItems, not with the page served
        marker = self.encode_marker(owner, page[-1].seq) if truncated else None
        return self.renderer.certificate_page(owner, page, truncated, marker)


@fault(
    "marker_empty_on_truncated_page",
    ("PAG-04", "PAG-01"),
    "a truncated page carries an empty <Marker></Marker> (the next-token field was never filled in)",
)
class MarkerEmptyOnTruncatedPage(ReferenceApp):
    def encode_marker(self, owner: User, last_seq: int) -> str:
        return ""


@fault(
    "marker_base64_with_newline",
    "PAG-04",
    "the Marker is MIME base64 (base64.encodebytes): it ends with a newline, outside [\\u0020-\\u00FF]",
)
class MarkerBase64WithNewline(ReferenceApp):
    def encode_marker(self, owner: User, last_seq: int) -> str:
        token = super().encode_marker(owner, last_seq)
        return base64.encodebytes(base64.b64decode(token)).decode("ascii")

    def decode_marker(self, marker: str, owner: User) -> int:
        return super().decode_marker(marker.replace("\n", ""), owner)


@fault(
    "default_max_items_zero",
    "PAG-05",
    "MaxItems omitted is read as 0 (an unset integer), not the page's default 100: a user's listing fails (500)",
)
class DefaultMaxItemsZero(ReferenceApp):
    def action_ListSigningCertificates(self, caller: Principal, p: dict[str, str]) -> list[Node]:
        return super().action_ListSigningCertificates(caller, {"MaxItems": "0", **p})


# -- what a listing shows after writes ---------------------------------------------------------------------------


@fault(
    "status_change_not_saved",
    ("PAG-06", "PAG-10"),
    "UpdateSigningCertificate answers 200 but changes a copy: the listing keeps the old Status",
)
class StatusChangeNotSaved(Store):
    def update_certificate(self, owner: User, certificate_id: str, status: str) -> None:
        with self.lock:
            replace(self.get_certificate(owner, certificate_id), status=status)


@fault(
    "status_change_applies_to_every_certificate",
    ("PAG-06", "PAG-10"),
    "UpdateSigningCertificate sets the Status of every certificate of the user, not just the one named",
)
class StatusChangeAppliesToEveryCertificate(Store):
    def update_certificate(self, owner: User, certificate_id: str, status: str) -> None:
        with self.lock:
            self.get_certificate(owner, certificate_id)
            for certificate in self.certificates_of(owner):
                certificate.status = status


@fault(
    "delete_removes_first_of_user",
    ("PAG-07", "PAG-10"),
    "DeleteSigningCertificate checks the id, then deletes the user's FIRST certificate",
)
class DeleteRemovesFirstOfUser(Store):
    def delete_certificate(self, owner: User, certificate_id: str) -> None:
        with self.lock:
            self.get_certificate(owner, certificate_id)
            del self.certificates[self.certificates_of(owner)[0].certificate_id]


@fault(
    "listing_cache_stale_after_delete",
    ("PAG-07", "PAG-10"),
    "listings are cached per user; uploads and status changes clear the cache, deletions do not",
)
class ListingCacheStaleAfterDelete(ReferenceApp):
    def __init__(self, flavour: Flavour | None = None, store: Store | None = None) -> None:
        super().__init__(flavour, store)
        self._cache: dict[str, list[Certificate]] = {}

    def order_certificates(self, certificates: list[Certificate]) -> list[Certificate]:
        if not certificates:
            return super().order_certificates(certificates)
        owner_id = certificates[0].owner_id
        listed = self._cache.setdefault(owner_id, super().order_certificates(certificates))
        return list(listed)

    def action_UploadSigningCertificate(self, caller: Principal, p: dict[str, str]) -> list[Node]:
        self._cache.pop(self.owner(caller, p).user_id, None)
        return super().action_UploadSigningCertificate(caller, p)

    def action_UpdateSigningCertificate(self, caller: Principal, p: dict[str, str]) -> None:
        self._cache.pop(self.owner(caller, p).user_id, None)
        return super().action_UpdateSigningCertificate(caller, p)


@fault(
    "upload_reactivates_siblings",
    "PAG-10",
    "an upload rewrites the user's other certificates from a stale copy: an Inactive one is Active again",
)
class UploadReactivatesSiblings(Store):
    def upload_certificate(self, owner: User, body: str, der: bytes) -> Certificate:
        with self.lock:
            uploaded = super().upload_certificate(owner, body, der)
            for certificate in self.certificates_of(owner):
                certificate.status = "Active"
            return uploaded


@fault(
    "marker_on_last_page",
    "PAG-12",
    "every page carries the Marker of its last certificate, the last page (IsTruncated false) too",
)
class MarkerOnLastPage(ReferenceApp):
    def action_ListSigningCertificates(self, caller: Principal, p: dict[str, str]) -> list[Node]:
        owner = self.owner(caller, p)
        after = self.decode_marker(p["Marker"], owner) if "Marker" in p else None
        listed = self.order_certificates(self.store.listed_certificates(owner))
        page, truncated = self.paginate(listed, after, self.page_size(_max_items(p)))
        marker = self.encode_marker(owner, page[-1].seq) if page else None
        return self.renderer.certificate_page(owner, page, truncated, marker) + (
            [] if truncated or marker is None else [Node("Marker", text=marker)]
        )
