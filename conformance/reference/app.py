"""The reference IAM endpoint as a WSGI app: read parameters, authenticate, validate, dispatch, render.

Each step is a method, so a fault can subclass ReferenceApp and change exactly one behaviour (for example
`page_size`, `encode_marker`, `order_certificates` or `validation_message`) while everything else stays
known-good.

Every call that reaches authorization is counted in `call_counts` (caller ARN, iam:Action, resource ARN, allowed):
what a run sent, and whether the caller's policies let it through.
"""

from __future__ import annotations

import base64
import binascii
import collections
import functools
import hashlib
import hmac
import json
import threading
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, cast
from urllib.parse import parse_qsl
from wsgiref.types import StartResponse, WSGIEnvironment

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from werkzeug.wrappers import Request, Response

from conformance.contract.spec import Constraint, Parameter, operation, parse_integer

from . import sigv4
from .principals import ACCOUNT_ID, Principal, User
from .render import Flavour, Node, Renderer, leaf, listing
from .store import Certificate, IamError, Store

if TYPE_CHECKING:
    from botocore.model import ServiceModel, Shape

SPEC = operation()
VERSION = SPEC.api_version
ACTIONS = (
    "CreateUser",
    "GetUser",
    "DeleteUser",
    "ListUsers",
    "UploadSigningCertificate",
    "UpdateSigningCertificate",
    "DeleteSigningCertificate",
    "ListSigningCertificates",
    "CreateAccessKey",
    "DeleteAccessKey",
    "ListAccessKeys",
    "PutUserPolicy",
    "DeleteUserPolicy",
    "ListUserPolicies",
)
SETTABLE_STATUSES = ("Active", "Inactive")  # the model's enum also lists Expired, which only IAM itself sets
EXOTIC_PREFIX, EXOTIC_SUFFIX = "é ü+/= ", " Ä ÿ"
INTERNAL_FAILURE = "The request processing has failed because of an unknown error, exception or failure."
INVALID_TOKEN = "The security token included in the request is invalid."
NON_USER_CALLER = "Must specify userName when calling with non-User credentials"  # recorded (DeleteAccessKey)
CLAUSES = {
    "min_length": "Member must have length greater than or equal to {}",
    "max_length": "Member must have length less than or equal to {}",
    "pattern": "Member must satisfy regular expression pattern: {}",
    "minimum": "Member must have value greater than or equal to {}",
    "maximum": "Member must have value less than or equal to {}",
    "type": "Member must be an integer",
    "enum": "Member must satisfy enum value set: [{}]",
}


@functools.cache
def _iam_model() -> ServiceModel:
    import botocore.session  # deferred: only the non-ListSigningCertificates actions need the model

    return botocore.session.get_session().get_service_model("iam")


def _from_shape(name: str, shape: Shape, required: bool) -> tuple[Parameter, tuple[str, ...]]:
    meta = shape.metadata
    integer = shape.type_name == "integer"
    kinds = ("minimum", "maximum") if integer else ("min_length", "max_length")
    constraints = [
        Constraint(kind, meta[key], "botocore model")
        for kind, key in zip(kinds, ("min", "max"), strict=True)
        if key in meta
    ]
    if "pattern" in meta:
        constraints.append(Constraint("pattern", meta["pattern"], "botocore model"))
    member = name[:1].lower() + name[1:]
    parameter = Parameter(
        name, member, "integer" if integer else "string", required, "botocore model", tuple(constraints)
    )
    return parameter, tuple(getattr(shape, "enum", None) or ())


@functools.cache
def parameters_for(action: str) -> dict[str, tuple[Parameter, tuple[str, ...]]]:
    """Wire name -> (Parameter, enum). ListSigningCertificates' bounds come from the spec module (the
    page); the supporting actions take theirs from the botocore model, i.e. real IAM's own contract."""
    if action == SPEC.operation:
        return {name: (p, ()) for name, p in SPEC.parameters.items()}
    shape = _iam_model().operation_model(action).input_shape
    if shape is None:
        return {}
    return {
        name: _from_shape(name, member, name in shape.required_members)
        for name, member in shape.members.items()
        if member.type_name in ("string", "integer")
    }


def _first_wins(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    params: dict[str, str] = {}
    for key, value in pairs:
        params.setdefault(key, value)
    return params


class ReferenceApp:
    def __init__(
        self, flavour: Flavour | None = None, store: Store | None = None, signing_region: str = "us-east-1"
    ) -> None:
        self.flavour = flavour or Flavour()
        # The one credential scope region this endpoint accepts, as IAM's do (iam.amazonaws.com: us-east-1; the China
        # endpoint: cn-north-1): a request scoped to another is refused before its signature is compared.
        self.signing_region = signing_region
        self.store = store or Store()
        self.renderer = Renderer(self.flavour)
        self.requests_served = 0
        self.call_counts: collections.Counter[tuple[str, str, str, bool]] = collections.Counter()
        self._counter = threading.Lock()

    # -- WSGI ----------------------------------------------------------------------------------------------
    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        with self._counter:
            self.requests_served += 1
        request_id = str(uuid.uuid4())
        try:
            status, body = 200, self.handle(Request(environ), request_id)
        except IamError as error:
            status, body = error.status, self.render_error(error, request_id)
        except Exception:  # never a traceback page: any bug is an XML InternalFailure
            status, body = 500, self.render_error(IamError(500, "InternalFailure", INTERNAL_FAILURE), request_id)
        headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]
        return Response(body, status=status, headers=headers)(environ, start_response)

    def render_error(self, error: IamError, request_id: str) -> bytes:
        try:
            return self.renderer.error(error, request_id)
        except Exception:
            error = IamError(500, "InternalFailure", INTERNAL_FAILURE)
            return Renderer(Flavour()).error(error, request_id)

    def handle(self, request: Request, request_id: str) -> bytes:
        body = request.get_data(cache=True)
        params = self.read_params(request, body)
        if self.flavour.validate_first:
            action = self.resolve_action(params)
            self.validate(action, params)
            caller = self.authenticate(request, body)
        else:
            caller = self.authenticate(request, body)
            action = self.resolve_action(params)
            self.validate(action, params)
        self.authorize(caller, action, params)
        result = getattr(self, f"action_{action}")(caller, params)
        return self.renderer.success(action, result, request_id)

    # -- request reading -----------------------------------------------------------------------------------
    def read_params(self, request: Request, body: bytes) -> dict[str, str]:
        """GET query string and POST form body are one parameter set; the body wins a clash."""
        params = _first_wins(self._pairs(request.environ.get("QUERY_STRING", "")))
        if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", ""):
            params.update(_first_wins(self._pairs(body.decode("utf-8", errors="replace"))))
        return params

    @staticmethod
    def _pairs(encoded: str) -> list[tuple[str, str]]:
        return parse_qsl(encoded, keep_blank_values=True, encoding="utf-8", errors="replace")

    def authenticate(self, request: Request, body: bytes) -> Principal:
        header = request.headers.get("Authorization")
        if not header:
            raise IamError(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
        auth = sigv4.parse_authorization(header)
        found = self.store.principal_for(auth.access_key)
        if found is None:
            raise IamError(403, "InvalidClientTokenId", INVALID_TOKEN)
        principal, secret = found
        self.check_session_token(request, auth, self.store.session_token_of(auth.access_key))
        raw_uri = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.path
        wire = sigv4.WireRequest(
            method=request.method,
            host=request.headers.get("Host", ""),
            path=raw_uri.split("?", 1)[0],
            query=request.environ.get("QUERY_STRING", ""),
            headers=request.headers,
            body=body,
        )
        self.verify_signature(wire, auth, secret)
        return principal

    def verify_signature(self, wire: sigv4.WireRequest, auth: sigv4.Authorization, secret: str) -> None:
        sigv4.verify(wire, auth, secret, region=self.signing_region)

    def check_session_token(self, request: Request, auth: sigv4.Authorization, token: str | None) -> None:
        """A temporary key is only known together with its session token, sent and signed (recorded: boto/boto#1279,
        a temporary key without its token is InvalidClientTokenId). Checked before the signature, so a wrong secret
        with the right token is SignatureDoesNotMatch."""
        if token is None:
            return
        sent = request.headers.get("X-Amz-Security-Token")
        if (
            sent is None
            or "x-amz-security-token" not in auth.signed_headers
            or not hmac.compare_digest(sent.encode(), token.encode())
        ):
            raise IamError(403, "InvalidClientTokenId", INVALID_TOKEN)

    def resolve_action(self, params: dict[str, str]) -> str:
        action = params.get("Action")
        if not action:
            raise IamError(400, "MissingAction", "The request must contain the parameter Action.")
        version = params.get("Version") or "NO_VERSION_SPECIFIED"
        if action not in ACTIONS or version != VERSION:
            raise IamError(400, "InvalidAction", f"Could not find operation {action} for version {version}")
        return action

    # -- validation ----------------------------------------------------------------------------------------
    def violations(self, parameter: Parameter, raw: str, enum: tuple[str, ...]) -> list[Constraint]:
        found = list(parameter.violations(raw))
        if enum and raw not in enum:
            found.append(Constraint("enum", ", ".join(enum), "botocore model"))
        return found

    def validation_message(self, clauses: list[str]) -> str:
        noun = "error" if len(clauses) == 1 else "errors"
        return f"{len(clauses)} validation {noun} detected: " + "; ".join(clauses)

    def validate(self, action: str, params: dict[str, str]) -> None:
        clauses = []
        for name, (parameter, enum) in parameters_for(action).items():
            raw = params.get(name)
            if raw is None:
                if parameter.required:
                    clauses.append(
                        f"Value null at '{parameter.member}' failed to satisfy constraint: Member must not be null"
                    )
                continue
            for violated in self.violations(parameter, raw, enum):
                clause = CLAUSES[violated.kind].format(violated.value)
                clauses.append(f"Value at '{parameter.member}' failed to satisfy constraint: {clause}")
        if clauses:
            raise IamError(400, "ValidationError", self.validation_message(clauses))

    # -- authorization -------------------------------------------------------------------------------------
    def resource_of(self, caller: Principal, action: str, params: dict[str, str]) -> str:
        """The ARN an action is about: the named user (the one being created, for CreateUser), else the caller."""
        if action == "ListUsers":
            return f"arn:aws:iam::{ACCOUNT_ID}:user{params.get('PathPrefix', '/')}"
        name = params.get("UserName")
        if name is None:
            return caller.arn
        return self.store.resource_arn(name, params.get("Path") if action == "CreateUser" else None)

    def authorize(self, caller: Principal, action: str, params: dict[str, str]) -> None:
        """The caller's identity-based policies (when the store enforces them); each call counted in `call_counts`."""
        resource = self.resource_of(caller, action, params)
        allowed = self.store.allows(caller, f"iam:{action}", resource)
        with self._counter:
            self.call_counts[(caller.arn, f"iam:{action}", resource, allowed)] += 1
        if not allowed:  # the recorded message's shape (fixtures/recorded/ls-access-denied.xml)
            raise IamError(
                403,
                "AccessDenied",
                f"User: {caller.arn} is not authorized to perform iam:{action} on resource: {resource}",
            )

    # -- identity ------------------------------------------------------------------------------------------
    def owner(self, caller: Principal, params: dict[str, str]) -> User:
        """The user an action is about: the named one, else the caller (root included), as the page says. A role
        is no user: without UserName its session has no certificates to speak of (recorded ValidationError)."""
        name = params.get("UserName")
        if name is not None:
            return self.store.get_user(name)
        if caller.kind == "role":
            raise IamError(400, "ValidationError", NON_USER_CALLER)
        return caller

    # -- paging (ListSigningCertificates) ------------------------------------------------------------------
    def order_certificates(self, certificates: list[Certificate]) -> list[Certificate]:
        return certificates[::-1] if self.flavour.certificate_order == "reverse" else certificates

    def page_size(self, max_items: int) -> int:
        cap = self.flavour.page_cap
        return max_items if cap is None else min(max_items, cap)

    def encode_marker(self, owner: User, last_seq: int) -> str:
        """Opaque, deterministic, and forgery-proof: the position is authenticated with the store's key."""
        payload = f"{owner.user_id}/{last_seq}".encode()
        tag = hmac.new(self.store.marker_key, payload, hashlib.sha256).digest()[:12]
        token = base64.b64encode(tag + payload).decode("ascii")
        return EXOTIC_PREFIX + token + EXOTIC_SUFFIX if self.flavour.marker_style == "exotic" else token

    def decode_marker(self, marker: str, owner: User) -> int:
        invalid = IamError(400, "ValidationError", "Invalid Marker.")
        if self.flavour.marker_style == "exotic":
            if not (marker.startswith(EXOTIC_PREFIX) and marker.endswith(EXOTIC_SUFFIX)):
                raise invalid
            marker = marker[len(EXOTIC_PREFIX) : -len(EXOTIC_SUFFIX)]
        try:
            raw = base64.b64decode(marker.encode("ascii"), validate=True)
        except (UnicodeEncodeError, binascii.Error):
            raise invalid from None
        tag, payload = raw[:12], raw[12:]
        expected = hmac.new(self.store.marker_key, payload, hashlib.sha256).digest()[:12]
        user_id, _, seq = payload.decode("ascii", errors="replace").partition("/")
        if not hmac.compare_digest(tag, expected) or user_id != owner.user_id or not seq.isdigit():
            raise invalid  # forged, or issued for another user's listing
        return int(seq)

    def paginate(self, items: list[Certificate], after_seq: int | None, size: int) -> tuple[list[Certificate], bool]:
        """One page of `items` (already in listing order) resuming after the item numbered `after_seq`.
        Comparing sequence numbers (not positions) keeps paging right when items are deleted between pages."""
        if after_seq is not None:
            ascending = self.flavour.certificate_order != "reverse"
            items = [c for c in items if (c.seq > after_seq if ascending else c.seq < after_seq)]
        return items[:size], len(items) > size

    # -- actions -------------------------------------------------------------------------------------------
    def action_CreateUser(self, caller: Principal, p: dict[str, str]) -> list[Node]:
        return [self.renderer.user(self.store.create_user(p["UserName"], p.get("Path", "/")))]

    def action_GetUser(self, caller: Principal, p: dict[str, str]) -> list[Node]:
        return [self.renderer.user(self.owner(caller, p))]

    def action_DeleteUser(self, caller: Principal, p: dict[str, str]) -> None:
        self.store.delete_user(p["UserName"])

    def action_ListUsers(self, caller: Principal, p: dict[str, str]) -> list[Node]:
        return self.renderer.users_page(self.store.list_users(p.get("PathPrefix", "/")))

    def parse_certificate(self, body: str) -> bytes:
        try:
            return x509.load_pem_x509_certificate(body.encode("utf-8")).public_bytes(Encoding.DER)
        except Exception:  # cryptography raises ValueError and friends for anything that is not one PEM cert
            raise IamError(400, "MalformedCertificate", f"Certificate {body} is malformed.") from None

    def action_UploadSigningCertificate(self, caller: Principal, p: dict[str, str]) -> list[Node]:
        owner = self.owner(caller, p)
        der = self.parse_certificate(p["CertificateBody"])
        certificate = self.store.upload_certificate(owner, p["CertificateBody"], der)
        return [self.renderer.certificate(certificate, tag="Certificate")]

    def action_UpdateSigningCertificate(self, caller: Principal, p: dict[str, str]) -> None:
        owner = self.owner(caller, p)
        if p["Status"] not in SETTABLE_STATUSES:
            clause = CLAUSES["enum"].format(", ".join(SETTABLE_STATUSES))
            raise IamError(
                400,
                "ValidationError",
                self.validation_message([f"Value at 'status' failed to satisfy constraint: {clause}"]),
            )
        self.store.update_certificate(owner, p["CertificateId"], p["Status"])

    def action_DeleteSigningCertificate(self, caller: Principal, p: dict[str, str]) -> None:
        self.store.delete_certificate(self.owner(caller, p), p["CertificateId"])

    def action_ListSigningCertificates(self, caller: Principal, p: dict[str, str]) -> list[Node]:
        owner = self.owner(caller, p)
        # validated by now: MaxItems, given or the default, is an integer
        max_items = cast(int, parse_integer(p.get("MaxItems", str(SPEC.parameters["MaxItems"].default))))
        after = self.decode_marker(p["Marker"], owner) if "Marker" in p else None
        listed = self.order_certificates(self.store.listed_certificates(owner))
        page, truncated = self.paginate(listed, after, self.page_size(max_items))
        marker = self.encode_marker(owner, page[-1].seq) if truncated else None
        return self.renderer.certificate_page(owner, page, truncated, marker)

    def action_CreateAccessKey(self, caller: Principal, p: dict[str, str]) -> list[Node]:
        key = self.store.create_access_key(self.owner(caller, p))
        return [self.renderer.access_key(key, tag="AccessKey", with_secret=True)]

    def action_DeleteAccessKey(self, caller: Principal, p: dict[str, str]) -> None:
        self.store.delete_access_key(self.owner(caller, p), p["AccessKeyId"])

    def action_ListAccessKeys(self, caller: Principal, p: dict[str, str]) -> list[Node]:
        owner = self.owner(caller, p)
        return self.renderer.access_keys_page(owner, self.store.access_keys_of(owner))

    def action_PutUserPolicy(self, caller: Principal, p: dict[str, str]) -> None:
        try:
            json.loads(p["PolicyDocument"])
        except ValueError:
            raise IamError(400, "MalformedPolicyDocument", "Syntax errors in policy.") from None
        self.store.put_user_policy(self.store.get_user(p["UserName"]), p["PolicyName"], p["PolicyDocument"])

    def action_DeleteUserPolicy(self, caller: Principal, p: dict[str, str]) -> None:
        self.store.delete_user_policy(self.store.get_user(p["UserName"]), p["PolicyName"])

    def action_ListUserPolicies(self, caller: Principal, p: dict[str, str]) -> list[Node]:
        names = self.store.policy_names_of(self.store.get_user(p["UserName"]))
        return [listing("PolicyNames", [leaf("member", n) for n in names]), leaf("IsTruncated", "false")]
