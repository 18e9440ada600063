"""How a request is signed otherwise than botocore's SigV4 would sign it as sent: over other parameters, as of another
moment, for another service's scope, with its Authorization header rewritten, without a signed header, with the
signed body's hash declared, or with values percent-encoded by hand.

Every variation is plain data (a rewrite is named, not a function), so that a request signed so can be recorded and
sent again (conformance.recording, conformance.differential).
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def _without_signature(authorization: str) -> str:
    return authorization.split(", Signature=")[0]


def _four_part_scope(authorization: str) -> str:
    """keyid/date/region/service/aws4_request less its region."""
    credential = cast(re.Match[str], re.search(r"Credential=([^,]+)", authorization)).group(1)  # botocore names it
    key_id, day, _region, service, terminator = credential.split("/")
    return authorization.replace(credential, "/".join((key_id, day, service, terminator)))


# The malformed Authorization headers the suite sends (AUTH-06), by name.
AUTHORIZATION_REWRITES: dict[str, Callable[[str], str]] = {
    "without its Signature": _without_signature,
    "with a credential scope of four parts": _four_part_scope,
}


@dataclass(frozen=True)
class Signing:
    """How the auth checks sign a request otherwise than it is sent: over other parameters than the request
    carries, as of another moment (UTC), for another service's or region's scope, with its Authorization header
    rewritten (one of AUTHORIZATION_REWRITES, by name), with the signed body's hash declared, or with values
    percent-encoded by hand. Everything else is botocore's SigV4."""

    params: dict[str, str] | None = None
    at: datetime.datetime | None = None
    authorization: str | None = None  # a name of AUTHORIZATION_REWRITES: a malformed header
    service: str = "iam"  # the credential scope's service: a correct signature for another service is no IAM one
    drop_headers: tuple[str, ...] = ()  # signed headers left out of the request as sent (X-Amz-Date, say)
    # Declare the signed body's SHA-256 in a signed X-Amz-Content-SHA256 header (with `params`: the body signed is
    # not the body sent, and the header says so to a verifier that hashes what arrived).
    payload_hash: bool = False
    # Parameters whose values are sent as given, already percent-encoded: bytes no UTF-8 text holds (%FF).
    percent_encoded: tuple[str, ...] = ()
    # The credential scope's region (None: the endpoint's own): a correct signature scoped to a region the endpoint
    # does not serve is refused by IAM ("Credential should be scoped to a valid region").
    region: str | None = None

    def __post_init__(self) -> None:
        if self.authorization is not None and self.authorization not in AUTHORIZATION_REWRITES:
            raise ValueError(f"no Authorization rewrite named {self.authorization!r}")

    def rewrite(self, authorization: str) -> str:
        return AUTHORIZATION_REWRITES[self.authorization](authorization) if self.authorization else authorization


class SigV4At(SigV4Auth):
    """botocore's SigV4Auth.add_auth, with the signing moment given instead of read from the clock."""

    def __init__(self, credentials: Credentials, service: str, region: str, at: datetime.datetime) -> None:
        super().__init__(credentials, service, region)
        self._at = at

    def add_auth(self, request: AWSRequest) -> None:
        request.context["timestamp"] = self._at.strftime(SIGV4_TIMESTAMP)
        self._modify_request_before_signing(request)
        signature = self.signature(self.string_to_sign(request, self.canonical_request(request)), request)
        self._inject_signature_to_request(request, signature)

    if TYPE_CHECKING:  # the private steps of SigV4Auth.add_auth, which botocore's stubs leave out

        def _modify_request_before_signing(self, request: AWSRequest) -> None: ...
        def _inject_signature_to_request(self, request: AWSRequest, signature: str) -> None: ...


def declare_payload_hash(request: AWSRequest, signing: Signing) -> None:
    """The signed body's SHA-256 in an X-Amz-Content-SHA256 header, when `signing` asks for it (before signing)."""
    if signing.payload_hash:
        body: object = request.prepare().body or b""
        data = body.encode() if isinstance(body, str) else body if isinstance(body, bytes) else b""
        request.headers["X-Amz-Content-SHA256"] = hashlib.sha256(data).hexdigest()
