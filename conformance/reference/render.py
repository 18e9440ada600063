"""XML bodies of the reference server, in one of several legal styles (Flavour).

Responses are built as small Node trees first and serialised last, so element order, namespace prefix and the
XML declaration are decided in one place each (`Renderer.arrange`, `Renderer.qname`, `Renderer.serialize`),
and a fault can override exactly one of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from xml.sax.saxutils import escape

from conformance.contract.spec import FRONT_END_CODES, FRONT_END_NAMESPACE, operation

from .principals import User
from .store import AccessKey, Certificate, IamError

NAMESPACE = operation().namespace
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
# Characters XML 1.0 cannot carry at all; echoed client input (an action name) may contain them.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Flavour:
    """Legal variations of the reference's output; the defaults follow the page's sample response."""

    element_order: str = "page"  # page | reversed
    namespace_prefix: str | None = None  # None: default namespace; "iam": <iam:...> everywhere
    xml_declaration: bool = False
    page_cap: int | None = None  # at most this many items per page, whatever MaxItems says
    marker_style: str = "plain"  # plain | exotic
    certificate_order: str = "upload"  # upload | reverse
    upload_date_precision: str = "seconds"  # seconds | millis
    result_username: bool = True  # the sample's <UserName> directly inside ListSigningCertificatesResult
    # Plausible future fields no schema names, at every depth: SDKs ignore elements they do not know.
    extra_elements: bool = False
    # An unknown Action answered as the query protocol's shared front end answers it (recorded for SES and STS): in
    # its fault namespace rather than IAM's.
    front_end_faults: bool = False
    # Parameters validated before the credential is checked (a bad credential with MaxItems=0 gets the 400
    # ValidationError, not its 403): IAM's order is not recorded, so either is legal (AUTH-04). Lookups still come
    # after authentication.
    validate_first: bool = False

    def __post_init__(self) -> None:
        choices = {
            "element_order": ("page", "reversed"),
            "marker_style": ("plain", "exotic"),
            "certificate_order": ("upload", "reverse"),
            "upload_date_precision": ("seconds", "millis"),
        }
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"Flavour.{name} must be one of {allowed}, not {getattr(self, name)!r}")
        if self.page_cap is not None and self.page_cap < 1:
            raise ValueError("Flavour.page_cap must be at least 1")
        if self.namespace_prefix is not None and not re.fullmatch(r"[A-Za-z_][\w.-]*", self.namespace_prefix):
            raise ValueError(f"Flavour.namespace_prefix {self.namespace_prefix!r} is not an XML name")


@dataclass
class Node:
    tag: str
    text: str | None = None
    children: list[Node] = field(default_factory=list)
    is_list: bool = False  # a <member> container: member order is data and never rearranged


def leaf(tag: str, value: object) -> Node:
    return Node(tag, text=str(value))


def branch(tag: str, *children: Node | None) -> Node:
    return Node(tag, children=[c for c in children if c is not None])


def listing(tag: str, members: list[Node]) -> Node:
    return Node(tag, children=members, is_list=True)


class Renderer:
    def __init__(self, flavour: Flavour) -> None:
        self.flavour = flavour

    # -- values --------------------------------------------------------------------------------------------
    def date(self, when: datetime) -> str:
        text = when.strftime("%Y-%m-%dT%H:%M:%S")
        if self.flavour.upload_date_precision == "millis":
            text += f".{when.microsecond // 1000:03d}"
        return text + "Z"

    def boolean(self, value: bool) -> str:
        return "true" if value else "false"

    def extras(self, *nodes: Node) -> list[Node]:
        """`nodes` when the flavour adds future fields, else nothing."""
        return list(nodes) if self.flavour.extra_elements else []

    # -- entities ------------------------------------------------------------------------------------------
    def user(self, user: User) -> Node:
        if user.root:  # GetUser as root: IAM shows no Path or UserName for the root identity
            return branch(
                "User", leaf("UserId", user.user_id), leaf("Arn", user.arn), leaf("CreateDate", self.date(user.created))
            )
        return branch(
            "User",
            leaf("Path", user.path),
            leaf("UserName", user.name),
            leaf("UserId", user.user_id),
            leaf("Arn", user.arn),
            leaf("CreateDate", self.date(user.created)),
        )

    def certificate(self, cert: Certificate, tag: str = "member") -> Node:
        return branch(
            tag,
            leaf("UserName", cert.user_name),
            leaf("CertificateId", cert.certificate_id),
            leaf("CertificateBody", cert.body),
            leaf("Status", cert.status),
            leaf("UploadDate", self.date(cert.uploaded)),
            *self.extras(
                listing("Tags", []),
                branch("PermissionsBoundary", leaf("PermissionsBoundaryType", "Policy"), leaf("Status", "Active")),
            ),
        )

    def access_key(self, key: AccessKey, tag: str = "member", with_secret: bool = False) -> Node:
        return branch(
            tag,
            leaf("UserName", key.user_name),
            leaf("AccessKeyId", key.access_key_id),
            leaf("Status", key.status),
            leaf("SecretAccessKey", key.secret) if with_secret else None,
            leaf("CreateDate", self.date(key.created)),
        )

    # -- results -------------------------------------------------------------------------------------------
    def certificate_page(self, owner: User, page: list[Certificate], truncated: bool, marker: str | None) -> list[Node]:
        username = leaf("UserName", owner.name) if self.flavour.result_username and not owner.root else None
        return [
            c
            for c in (
                username,
                listing("Certificates", [self.certificate(c) for c in page]),
                leaf("IsTruncated", self.boolean(truncated)),
                leaf("Marker", marker) if truncated else None,
                *self.extras(leaf("CertificatesQuota", 2)),
            )
            if c is not None
        ]

    def users_page(self, users: list[User]) -> list[Node]:
        members = [self.user(u) for u in users]
        for member in members:
            member.tag = "member"
        return [listing("Users", members), leaf("IsTruncated", "false")]

    def access_keys_page(self, owner: User, keys: list[AccessKey]) -> list[Node]:
        return [
            leaf("UserName", owner.name),
            listing("AccessKeyMetadata", [self.access_key(k) for k in keys]),
            leaf("IsTruncated", "false"),
        ]

    # -- documents -----------------------------------------------------------------------------------------
    def success(self, action: str, result: list[Node] | None, request_id: str) -> bytes:
        """<ActionResponse>[<ActionResult>...]<ResponseMetadata>; actions without output have no Result."""
        body = branch(f"{action}Result", *result) if result is not None else None
        metadata = branch("ResponseMetadata", leaf("RequestId", request_id), *self.extras(leaf("HostId", "reference")))
        return self.serialize(branch(f"{action}Response", body, metadata))

    def error(self, error: IamError, request_id: str) -> bytes:
        detail = branch(
            "Error",
            leaf("Type", error.type),
            leaf("Code", error.code),
            leaf("Message", error.message),
            *self.extras(Node("Detail"), leaf("Retryable", "false")),
        )
        front_end = self.flavour.front_end_faults and error.code in FRONT_END_CODES
        return self.serialize(
            branch("ErrorResponse", detail, leaf("RequestId", request_id), *self.extras(leaf("HostId", "reference"))),
            FRONT_END_NAMESPACE if front_end else NAMESPACE,
        )

    # -- serialisation -------------------------------------------------------------------------------------
    def arrange(self, node: Node, top: bool) -> list[Node]:
        """Children in emission order. 'reversed' flips every record (never the document's top level, never
        a list's members, whose order is the listing's order)."""
        if self.flavour.element_order == "reversed" and not top and not node.is_list:
            return list(reversed(node.children))
        return list(node.children)

    def qname(self, tag: str) -> str:
        prefix = self.flavour.namespace_prefix
        return f"{prefix}:{tag}" if prefix else tag

    def text(self, value: str) -> str:
        # &#13; keeps a carriage return in a certificate body from being normalised away by the parser.
        return escape(_NOT_XML.sub("\ufffd", value), {"\r": "&#13;"})

    def serialize(self, root: Node, namespace: str = NAMESPACE) -> bytes:
        prefix = self.flavour.namespace_prefix
        xmlns = f' xmlns:{prefix}="{namespace}"' if prefix else f' xmlns="{namespace}"'
        out = [DECLARATION] if self.flavour.xml_declaration else []
        self._emit(root, out, xmlns, top=True)
        return "".join(out).encode("utf-8")

    def _emit(self, node: Node, out: list[str], attributes: str = "", top: bool = False) -> None:
        name = self.qname(node.tag)
        if node.text is not None:
            out.append(f"<{name}{attributes}>{self.text(node.text)}</{name}>")
            return
        children = self.arrange(node, top)
        if not children:
            out.append(f"<{name}{attributes}/>")
            return
        out.append(f"<{name}{attributes}>")
        for child in children:
            self._emit(child, out)
        out.append(f"</{name}>")
