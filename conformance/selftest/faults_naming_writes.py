"""Faults no earlier catalogue named (issue 27), first half: whose listing a request names (the case of a name, a
user's key naming another user, GET's caller, the implicit listing's Result), the order of validation and lookup,
and what listings say across writes (ids after a deletion, Inactive certificates on resumed pages, UploadDate after
a status change, IsTruncated after a deletion between pages).

Each class overrides exactly one part of the reference; the override is the mistake itself.
"""

from __future__ import annotations

import hashlib
import re
import threading
from typing import cast

from werkzeug.wrappers import Request

from conformance.contract.spec import Constraint, Parameter, operation, parse_integer
from conformance.reference import Flavour, Principal, ReferenceApp, Store
from conformance.reference.principals import User
from conformance.reference.render import Node
from conformance.reference.store import ROOT, Certificate, now
from conformance.selftest.registry import fault

LIST = operation().operation
DEFAULT_MAX_ITEMS = operation().parameters["MaxItems"].default
USER_NAME = operation().parameters["UserName"]
USER_NAME_PATTERN = str(USER_NAME.bound("pattern"))


def _max_items(params: dict[str, str]) -> int:
    return cast(int, parse_integer(params.get("MaxItems", str(DEFAULT_MAX_ITEMS))))  # validated by now


# -- whose listing a request names -------------------------------------------------------------------------------


@fault(
    "user_name_case_filter",
    "PARAM-11",
    "the user is found whatever the case of its name, but the certificates are filtered by the name as asked: "
    "a name in another case lists none",
)
class UserNameCaseFilter(ReferenceApp):
    def action_ListSigningCertificates(self, caller: Principal, p: dict[str, str]) -> list[Node]:
        owner = self.owner(caller, p)
        asked = p.get("UserName", owner.name)
        after = self.decode_marker(p["Marker"], owner) if "Marker" in p else None
        listed = [c for c in self.order_certificates(self.store.listed_certificates(owner)) if c.user_name == asked]
        page, truncated = self.paginate(listed, after, self.page_size(_max_items(p)))
        marker = self.encode_marker(owner, page[-1].seq) if truncated else None
        return self.renderer.certificate_page(owner, page, truncated, marker)


@fault(
    "user_name_pattern_dollar_anchor",
    "PARAM-06",
    "UserName's pattern is matched as ^...$ with re.match: '$' matches before a final line break, so 'name\\n' "
    "passes validation and is looked up (404)",
)
class UserNamePatternDollarAnchor(ReferenceApp):
    def violations(self, parameter: Parameter, raw: str, enum: tuple[str, ...]) -> list[Constraint]:
        found = super().violations(parameter, raw, enum)
        if parameter.name != "UserName" or re.match(f"^{USER_NAME_PATTERN}$", raw, re.ASCII) is None:
            return found
        return [c for c in found if c.kind != "pattern"]


@fault(
    "named_user_ignored_for_user_keys",
    "PAG-08",
    "a user's own key always lists its own certificates: UserName naming another user is ignored (a user 'may only "
    "see its own'), instead of listing that user or refusing by policy",
)
class NamedUserIgnoredForUserKeys(ReferenceApp):
    def action_ListSigningCertificates(self, caller: Principal, p: dict[str, str]) -> list[Node]:
        if caller.kind == "user":
            p = {k: v for k, v in p.items() if k != "UserName"}
        return super().action_ListSigningCertificates(caller, p)


@fault(
    "get_caller_read_from_query_only",
    ("ID-01", "PROTO-01"),
    "over GET the caller is taken from the query string's X-Amz-Credential (presigned URLs); a GET signed in its "
    "Authorization header counts as the account's root: its implicit listing is the root's",
)
class GetCallerReadFromQueryOnly(ReferenceApp):
    def authenticate(self, request: Request, body: bytes) -> Principal:
        principal = super().authenticate(request, body)
        return principal if request.method != "GET" or "X-Amz-Credential" in request.args else ROOT


@fault(
    "implicit_listing_result_user_name_from_request",
    "ID-01",
    "the Result's own <UserName> echoes the request's UserName parameter: empty in the implicit listing",
)
class ImplicitListingResultUserNameFromRequest(ReferenceApp):
    def action_ListSigningCertificates(self, caller: Principal, p: dict[str, str]) -> list[Node]:
        nodes = super().action_ListSigningCertificates(caller, p)
        for node in nodes:
            if node.tag == "UserName":
                node.text = p.get("UserName", "")
        return nodes


# -- which comes first: validation or lookup ---------------------------------------------------------------------


@fault(
    "lookup_before_validation",
    "PARAM-10",
    "a well-formed UserName is looked up before MaxItems and Marker are validated: an absent user with MaxItems=0 "
    "gets 404 NoSuchEntity instead of the ValidationError",
)
class LookupBeforeValidation(ReferenceApp):
    def validate(self, action: str, params: dict[str, str]) -> None:
        name = params.get("UserName")
        if action == LIST and name is not None and not USER_NAME.violations(name):
            self.store.get_user(name)
        super().validate(action, params)


@fault(
    "validation_skipped_without_user_name",
    ("PARAM-10", "PARAM-08"),
    "parameters are validated only when UserName is given: the implicit listing takes MaxItems=0 (and crashes on "
    "MaxItems=abc)",
)
class ValidationSkippedWithoutUserName(ReferenceApp):
    def validate(self, action: str, params: dict[str, str]) -> None:
        if action == LIST and "UserName" not in params:
            return
        super().validate(action, params)


# -- listings across writes --------------------------------------------------------------------------------------


@fault(
    "certificate_id_reused_after_delete",
    "SHAPE-08",
    "a certificate's id is derived from its user and quota slot: an upload after a deletion gets the deleted "
    "certificate's id",
)
class CertificateIdReusedAfterDelete(Store):
    def upload_certificate(self, owner: User, body: str, der: bytes) -> Certificate:
        with self.lock:
            held = {c.certificate_id for c in self.certificates_of(owner)}
            certificate = super().upload_certificate(owner, body, der)
            slots = (self._slot_id(owner, n) for n in range(len(held) + 1))
            slot = next(i for i in slots if i not in held)
            del self.certificates[certificate.certificate_id]
            certificate.certificate_id = slot
            self.certificates[slot] = certificate
            return certificate

    @staticmethod
    def _slot_id(owner: User, slot: int) -> str:
        return hashlib.sha256(f"{owner.user_id}/{slot}".encode()).hexdigest()[:32].upper()


@fault(
    "resumed_pages_skip_inactive",
    ("PAG-06", "PAG-03", "PAG-10"),
    "pages resumed from a Marker list Active certificates only (a filter meant for another query): an Inactive "
    "certificate past the first page is never listed",
)
class ResumedPagesSkipInactive(ReferenceApp):
    def paginate(self, items: list[Certificate], after_seq: int | None, size: int) -> tuple[list[Certificate], bool]:
        if after_seq is not None:
            items = [c for c in items if c.status == "Active"]
        return super().paginate(items, after_seq, size)


@fault(
    "status_change_restamps_upload_date",
    "SHAPE-07",
    "UpdateSigningCertificate stamps the certificate's UploadDate with the time of the status change",
)
class StatusChangeRestampsUploadDate(Store):
    def update_certificate(self, owner: User, certificate_id: str, status: str) -> None:
        with self.lock:
            super().update_certificate(owner, certificate_id, status)
            self.certificates[certificate_id].uploaded = now()


@fault(
    "is_truncated_from_cursor_count",
    "PAG-03",
    "a resumed page's IsTruncated is reckoned from how many certificates were left when its Marker was issued: "
    "after a deletion between pages, an empty last page still says true",
)
class IsTruncatedFromCursorCount(ReferenceApp):
    def __init__(self, flavour: Flavour | None = None, store: Store | None = None) -> None:
        super().__init__(flavour, store)
        self._left: dict[str, int] = {}  # Marker -> certificates left after the page that issued it
        self._cursors = threading.Lock()

    def action_ListSigningCertificates(self, caller: Principal, p: dict[str, str]) -> list[Node]:
        owner = self.owner(caller, p)
        after = self.decode_marker(p["Marker"], owner) if "Marker" in p else None
        listed = self.order_certificates(self.store.listed_certificates(owner))
        page, truncated = self.paginate(listed, after, self.page_size(_max_items(p)))
        with self._cursors:
            left_then = self._left.get(p.get("Marker", ""))
            left = (len(listed) if left_then is None else left_then) - len(page)
            if left_then is not None:
                truncated = left > 0  # the mistake: the count of the Marker's time, not what is there now
            last = page[-1].seq if page else after
            marker = self.encode_marker(owner, last) if truncated and last is not None else None
            if marker is not None:
                self._left[marker] = left
        return self.renderer.certificate_page(owner, page, truncated, marker)
