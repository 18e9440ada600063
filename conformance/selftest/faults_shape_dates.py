"""Shape and date faults (SHAPE-*): UploadDate that is not the upload's instant, members and wrappers rendered in
another style, the namespace and RequestId, and an empty listing.

Each class overrides exactly one behaviour of the reference; the override is the mistake itself.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from cryptography import x509

from conformance.reference import IamError, Principal, ReferenceApp, Renderer, Store
from conformance.reference.principals import User
from conformance.reference.render import NAMESPACE, Node, branch, leaf, listing
from conformance.reference.store import Certificate, random_id
from conformance.selftest.registry import fault

# -- UploadDate: when, and how written ---------------------------------------------------------------------------


@fault(
    "upload_date_is_not_before_everywhere",
    "SHAPE-07",
    "UploadDate is the certificate's notBefore (validity start) in the upload's answer AND in every listing",
)
class UploadDateIsNotBeforeEverywhere(Renderer):
    def certificate(self, cert: Certificate, tag: str = "member") -> Node:
        valid_from = x509.load_der_x509_certificate(cert.der).not_valid_before_utc
        return super().certificate(replace(cert, uploaded=valid_from), tag)


@fault(
    "upload_date_is_render_time",
    ("SHAPE-07", "SHAPE-05"),
    "UploadDate is the time the answer is rendered (now), so every later listing shows a later date",
)
class UploadDateIsRenderTime(Renderer):
    def certificate(self, cert: Certificate, tag: str = "member") -> Node:
        return super().certificate(replace(cert, uploaded=datetime.now(UTC)), tag)


@fault(
    "upload_date_local_time_as_utc",
    "SHAPE-07",
    "UploadDate is the wall-clock time of a server in UTC+2, labelled Z: two hours off, in every answer",
)
class UploadDateLocalTimeAsUtc(Renderer):
    def date(self, when: datetime) -> str:
        return super().date(when + timedelta(hours=2))


@fault(
    "upload_date_fixed", "SHAPE-07", "UploadDate is a column default never set: 1970-01-01T00:00:00Z in every answer"
)
class UploadDateFixed(Renderer):
    def certificate(self, cert: Certificate, tag: str = "member") -> Node:
        return super().certificate(replace(cert, uploaded=datetime(1970, 1, 1, tzinfo=UTC)), tag)


@fault("upload_date_epoch_seconds", ("SHAPE-05", "SHAPE-01"), "UploadDate rendered as Unix seconds: 1764465943")
class UploadDateEpochSeconds(Renderer):
    def date(self, when: datetime) -> str:
        return str(int(when.timestamp()))


@fault(
    "upload_date_http_format",
    ("SHAPE-05", "SHAPE-01"),
    "UploadDate rendered as an HTTP date: 'Mon, 30 Nov 2026 01:25:43 GMT'",
)
class UploadDateHttpFormat(Renderer):
    def date(self, when: datetime) -> str:
        return format_datetime(when.astimezone(UTC), usegmt=True)


# -- members -----------------------------------------------------------------------------------------------------


@fault("list_members_named_item", "SHAPE-01", "list entries rendered <item> (EC2's query style), not <member>")
class ListMembersNamedItem(Renderer):
    def certificate_page(self, owner: User, page: list[Certificate], truncated: bool, marker: str | None) -> list[Node]:
        nodes = super().certificate_page(owner, page, truncated, marker)
        for node in nodes:
            for member in node.children if node.tag == "Certificates" else ():
                member.tag = "item"
        return nodes


@fault(
    "certificate_list_flattened",
    "SHAPE-01",
    "the list is flattened: <member> elements directly in the Result, with no <Certificates> wrapper",
)
class CertificateListFlattened(Renderer):
    def certificate_page(self, owner: User, page: list[Certificate], truncated: bool, marker: str | None) -> list[Node]:
        nodes = super().certificate_page(owner, page, truncated, marker)
        flat = []
        for node in nodes:
            flat.extend(node.children if node.tag == "Certificates" else [node])
        return flat


@fault(
    "result_element_missing",
    "SHAPE-01",
    "ListSigningCertificates' fields sit directly in the Response: no <ListSigningCertificatesResult>",
)
class ResultElementMissing(Renderer):
    def success(self, action: str, result: list[Node] | None, request_id: str) -> bytes:
        if action != "ListSigningCertificates":
            return super().success(action, result, request_id)
        metadata = branch("ResponseMetadata", leaf("RequestId", request_id))
        return self.serialize(branch(f"{action}Response", *(result or []), metadata))


@fault(
    "status_enabled_disabled",
    ("SHAPE-01", "SHAPE-05", "PAG-06"),
    "Status rendered S3-style: Enabled / Disabled instead of Active / Inactive",
)
class StatusEnabledDisabled(Renderer):
    def certificate(self, cert: Certificate, tag: str = "member") -> Node:
        shown = {"Active": "Enabled", "Inactive": "Disabled"}.get(cert.status, cert.status)
        return super().certificate(replace(cert, status=shown), tag)


@fault(
    "certificate_id_16_characters",
    "SHAPE-01",
    "CertificateIds of 16 characters, under the model's minimum length of 24",
)
class CertificateId16Characters(Store):
    def upload_certificate(self, owner: User, body: str, der: bytes) -> Certificate:
        with self.lock:
            certificate = super().upload_certificate(owner, body, der)
            del self.certificates[certificate.certificate_id]
            certificate.certificate_id = random_id("", 16)
            self.certificates[certificate.certificate_id] = certificate
            return certificate


@fault(
    "listing_ids_lower_cased",
    ("SHAPE-05", "PAG-01"),
    "listed CertificateIds are lower-cased (the upload's answer had them upper-case): not the ids uploaded",
)
class ListingIdsLowerCased(Renderer):
    def certificate(self, cert: Certificate, tag: str = "member") -> Node:
        if tag != "member":
            return super().certificate(cert, tag)
        return super().certificate(replace(cert, certificate_id=cert.certificate_id.lower()), tag)


@fault(
    "certificate_body_line_breaks_removed",
    "SHAPE-05",
    "CertificateBody listed with its line breaks removed (one line), not as uploaded",
)
class CertificateBodyLineBreaksRemoved(Renderer):
    def certificate(self, cert: Certificate, tag: str = "member") -> Node:
        if tag != "member":
            return super().certificate(cert, tag)
        return super().certificate(replace(cert, body="".join(cert.body.split())), tag)


@fault(
    "member_user_name_is_caller",
    ("SHAPE-05", "PAG-08"),
    "each member's UserName is the signing identity's (the root: the account id), not the certificate's owner",
)
class MemberUserNameIsCaller(ReferenceApp):
    def action_ListSigningCertificates(self, caller: Principal, p: dict[str, str]) -> list[Node]:
        nodes = super().action_ListSigningCertificates(caller, p)
        for node in nodes:
            for member in node.children if node.tag == "Certificates" else ():
                next(c for c in member.children if c.tag == "UserName").text = caller.name
        return nodes


@fault(
    "result_user_name_none",
    "SHAPE-05",
    "the Result's own <UserName> is rendered from an unset attribute: the text 'None', not the listed user",
)
class ResultUserNameNone(Renderer):
    def certificate_page(self, owner: User, page: list[Certificate], truncated: bool, marker: str | None) -> list[Node]:
        nodes = super().certificate_page(owner, page, truncated, marker)
        for node in nodes:
            if node.tag == "UserName":
                node.text = str(getattr(owner, "user_name", None))
        return nodes


# -- namespace, RequestId, empty listing -------------------------------------------------------------------------


@fault("no_namespace", ("SHAPE-03", "SHAPE-01"), "bodies carry no xmlns at all")
class NoNamespace(Renderer):
    def serialize(self, root: Node, namespace: str = NAMESPACE) -> bytes:
        return super().serialize(root, namespace).replace(f' xmlns="{NAMESPACE}"'.encode(), b"")


@fault(
    "namespace_http_scheme",
    ("SHAPE-03", "SHAPE-01"),
    "xmlns with http: instead of https: http://iam.amazonaws.com/doc/2010-05-08/",
)
class NamespaceHttpScheme(Renderer):
    def serialize(self, root: Node, namespace: str = NAMESPACE) -> bytes:
        return (
            super()
            .serialize(root, namespace)
            .replace(NAMESPACE.encode(), NAMESPACE.replace("https:", "http:").encode())
        )


@fault(
    "error_body_without_namespace",
    ("SHAPE-03", "SHAPE-02"),
    "error bodies come from a separate template without xmlns (successes are right)",
)
class ErrorBodyWithoutNamespace(Renderer):
    def error(self, error: IamError, request_id: str) -> bytes:
        return super().error(error, request_id).replace(f' xmlns="{NAMESPACE}"'.encode(), b"")


@fault("success_request_id_empty", "SHAPE-04", "successes carry an empty <RequestId></RequestId>")
class SuccessRequestIdEmpty(Renderer):
    def success(self, action: str, result: list[Node] | None, request_id: str) -> bytes:
        return super().success(action, result, "")


@fault(
    "success_request_id_constant",
    "SHAPE-04",
    "every success carries the same RequestId (the page's sample id, served as a constant)",
)
class SuccessRequestIdConstant(Renderer):
    def success(self, action: str, result: list[Node] | None, request_id: str) -> bytes:
        return super().success(action, result, "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE")


@fault(
    "success_request_id_outside_metadata",
    ("SHAPE-04", "SHAPE-01"),
    "a listing's RequestId sits directly in the Response, without <ResponseMetadata>",
)
class SuccessRequestIdOutsideMetadata(Renderer):
    def success(self, action: str, result: list[Node] | None, request_id: str) -> bytes:
        if action != "ListSigningCertificates":
            return super().success(action, result, request_id)
        body = branch(f"{action}Result", *(result or []))
        return self.serialize(branch(f"{action}Response", body, leaf("RequestId", request_id)))


@fault(
    "empty_listing_not_found",
    "SHAPE-06",
    "a user without certificates gets 404 NoSuchEntity ('no signing certificates'), not an empty list",
)
class EmptyListingNotFound(ReferenceApp):
    def action_ListSigningCertificates(self, caller: Principal, p: dict[str, str]) -> list[Node]:
        owner = self.owner(caller, p)
        if not self.store.certificates_of(owner):
            raise IamError(404, "NoSuchEntity", f"The user with name {owner.name} has no signing certificates.")
        return super().action_ListSigningCertificates(caller, p)


@fault(
    "empty_listing_blank_member",
    "SHAPE-06",
    "an empty listing renders one blank <member/> (a template loop over [None])",
)
class EmptyListingBlankMember(Renderer):
    def certificate_page(self, owner: User, page: list[Certificate], truncated: bool, marker: str | None) -> list[Node]:
        nodes = super().certificate_page(owner, page, truncated, marker)
        if not page:
            nodes = [listing("Certificates", [Node("member")]) if n.tag == "Certificates" else n for n in nodes]
        return nodes
