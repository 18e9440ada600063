"""Faults no earlier catalogue named (issue 27), second half: requests changed on the way and accepted (a Marker
tampered with, or from another user's listing, or with a line break after it; a body changed after signing), bytes
that are no UTF-8 text, an unsigned GET, a carriage return in a certificate body changed on the way out.

Each class overrides exactly one part of the reference; the override is the mistake itself.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from datetime import UTC, datetime
from urllib.parse import parse_qsl

from botocore.credentials import Credentials
from werkzeug.wrappers import Request

from conformance.contract.spec import Constraint, Parameter, operation
from conformance.reference import IamError, Principal, ReferenceApp, Renderer, sigv4
from conformance.reference.principals import User
from conformance.reference.store import ROOT
from conformance.selftest.registry import fault

MARKER_PATTERN = str(operation().parameters["Marker"].bound("pattern"))
INVALID_MARKER = "Invalid Marker."


def _marker_parts(marker: str) -> tuple[bytes, bytes]:
    """(tag, payload) of one of the reference's markers (plain style), or Invalid Marker."""
    try:
        raw = base64.b64decode(marker.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise IamError(400, "ValidationError", INVALID_MARKER) from None
    return raw[:12], raw[12:]


@fault(
    "marker_integrity_unchecked",
    "ERR-04",
    "the Marker's authentication tag is never checked: a real Marker with one character changed is served as a "
    "position in the listing",
)
class MarkerIntegrityUnchecked(ReferenceApp):
    def decode_marker(self, marker: str, owner: User) -> int:
        _, payload = _marker_parts(marker)
        user_id, _, seq = payload.decode("ascii", errors="replace").partition("/")
        if user_id != owner.user_id or not seq.isdigit():
            raise IamError(400, "ValidationError", INVALID_MARKER)
        return int(seq)


@fault(
    "marker_owner_unchecked",
    "ERR-04",
    "a Marker's tag is checked but not whose listing it was issued for: another user's Marker resumes this user's "
    "listing from that position",
)
class MarkerOwnerUnchecked(ReferenceApp):
    def decode_marker(self, marker: str, owner: User) -> int:
        tag, payload = _marker_parts(marker)
        expected = hmac.new(self.store.marker_key, payload, hashlib.sha256).digest()[:12]
        _, _, seq = payload.decode("ascii", errors="replace").partition("/")
        if not hmac.compare_digest(tag, expected) or not seq.isdigit():
            raise IamError(400, "ValidationError", INVALID_MARKER)
        return int(seq)


@fault(
    "marker_decoder_skips_stray_characters",
    "ERR-04",
    "the Marker's base64 is decoded leniently, skipping characters base64 does not use: a real Marker with a "
    "character appended ('!') is served as the Marker it was",
)
class MarkerDecoderSkipsStrayCharacters(ReferenceApp):
    def decode_marker(self, marker: str, owner: User) -> int:
        stray = re.compile(r"[^A-Za-z0-9+/=]")  # what b64decode(validate=False) discards
        return super().decode_marker(stray.sub("", marker), owner)


@fault(
    "marker_pattern_dollar_anchor",
    "PARAM-07",
    "Marker's pattern is matched as ^...$ ('$' matches before a final line break) and the Marker is read with its "
    "line break stripped: a real Marker followed by '\\n' is served",
)
class MarkerPatternDollarAnchor(ReferenceApp):
    def violations(self, parameter: Parameter, raw: str, enum: tuple[str, ...]) -> list[Constraint]:
        found = super().violations(parameter, raw, enum)
        if parameter.name != "Marker" or re.match(f"^{MARKER_PATTERN}$", raw) is None:
            return found
        return [c for c in found if c.kind != "pattern"]

    def decode_marker(self, marker: str, owner: User) -> int:
        return super().decode_marker(marker.rstrip("\n"), owner)


@fault(
    "payload_hash_trusted",
    "AUTH-05",
    "the canonical request takes the payload's hash from X-Amz-Content-SHA256 as declared (as S3's own verifier "
    "may), never hashing the body that arrived: a body changed after signing is served",
)
class PayloadHashTrusted(ReferenceApp):
    def verify_signature(self, wire: sigv4.WireRequest, auth: sigv4.Authorization, secret: str) -> None:
        timestamp = sigv4.request_timestamp(wire.headers, auth)
        sigv4.check_scope(auth, timestamp, datetime.now(UTC))
        signed = sigv4.signed_header_map(wire, auth)
        signer = sigv4.WireSigV4Auth(Credentials(auth.access_key, secret), auth.region, signed)
        declared = signed.get("x-amz-content-sha256")
        for request in sigv4.candidate_requests(wire, signed, timestamp):
            if declared:
                request.headers["X-Amz-Content-SHA256"] = declared  # botocore then signs it verbatim
            expected = signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)
            if hmac.compare_digest(expected.encode(), auth.signature.encode()):
                return
        raise sigv4.mismatch()


@fault(
    "signature_scope_region_unchecked",
    "AUTH-05",
    "the credential scope's region is never compared with the endpoint's: a signature scoped to eu-west-1, verified "
    "for the region it names, is served",
)
class SignatureScopeRegionUnchecked(ReferenceApp):
    def verify_signature(self, wire: sigv4.WireRequest, auth: sigv4.Authorization, secret: str) -> None:
        sigv4.verify(wire, auth, secret, region=None)


@fault(
    "invalid_utf8_parameter_crash",
    "PARAM-08",
    "parameters are percent-decoded as strict UTF-8: a byte that is no UTF-8 (%FF) raises, and the answer is a 500",
)
class InvalidUtf8ParameterCrash(ReferenceApp):
    @staticmethod
    def _pairs(encoded: str) -> list[tuple[str, str]]:
        return parse_qsl(encoded, keep_blank_values=True, encoding="utf-8", errors="strict")


@fault(
    "unsigned_get_served",
    "AUTH-01",
    "a GET with no Authorization header is taken for a presigned URL, and one without query-string credentials "
    "either is served as the account's",
)
class UnsignedGetServed(ReferenceApp):
    def authenticate(self, request: Request, body: bytes) -> Principal:
        if request.method == "GET" and "Authorization" not in request.headers and "X-Amz-Signature" not in request.args:
            return ROOT
        return super().authenticate(request, body)


class _CarriageReturnAsSpace(Renderer):
    def text(self, value: str) -> str:
        return super().text(value.replace("\r", " "))  # the mistake: XML "has no CR", so it is written as a space


fault(
    "certificate_body_carriage_return_as_space",
    ("SHAPE-05", "ID-01"),
    "a carriage return in a certificate body is written as a space: a body uploaded with CR LF line ends comes back "
    "with a blank before each line break",
)(_CarriageReturnAsSpace)
