"""SigV4 verification of a request exactly as it arrived on the wire.

The canonical request, string to sign and signing-key chain are botocore's own (the signer every client in
this project uses), so the reference cannot drift from what `SigV4Auth.add_auth` produced. Only two inputs
are taken from the wire instead of botocore's defaults: the header set (exactly the SignedHeaders the client
named) and the query string, for which both canonical forms a botocore client can have signed are tried.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl

from botocore.auth import SIGV4_TIMESTAMP, UNSIGNED_PAYLOAD, SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials
from werkzeug.datastructures import Headers

from .store import IamError

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "iam"
TERMINATOR = "aws4_request"
MAX_SKEW = timedelta(minutes=15)
MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details."
)


@dataclass(frozen=True)
class WireRequest:
    method: str
    host: str
    path: str  # raw, still percent-encoded, as the client signed it
    query: str  # raw query string, without '?'
    headers: Headers  # case-insensitive, offering getlist
    body: bytes


@dataclass(frozen=True)
class Authorization:
    access_key: str
    date: str
    region: str
    service: str
    terminator: str
    signed_headers: tuple[str, ...]
    signature: str
    raw: str


def incomplete(message: str) -> IamError:
    return IamError(400, "IncompleteSignature", message)


def mismatch(message: str = MISMATCH) -> IamError:
    return IamError(403, "SignatureDoesNotMatch", message)


def parse_authorization(header: str) -> Authorization:
    """Split an Authorization header into its parts; anything malformed is IncompleteSignature."""
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise incomplete(f"Unsupported AWS 'algorithm': '{algorithm}'. Authorization={header}")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        key, eq, value = part.strip().partition("=")
        if eq:
            fields[key.strip()] = value.strip()
    missing = [
        f"Authorization header requires '{n}' parameter."
        for n in ("Credential", "Signature", "SignedHeaders")
        if not fields.get(n)
    ]
    if missing:
        raise incomplete(" ".join(missing) + f" Authorization={header}")
    scope = fields["Credential"].split("/")
    if len(scope) != 5 or not all(scope):
        raise incomplete(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
            f"got '{fields['Credential']}'"
        )
    signed = tuple(fields["SignedHeaders"].lower().split(";"))
    if "host" not in signed:
        raise incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    return Authorization(scope[0], scope[1], scope[2], scope[3], scope[4], signed, fields["Signature"], header)


def request_timestamp(headers: Headers, auth: Authorization) -> str:
    """The signing time in SigV4 basic format, from X-Amz-Date or else the Date header (botocore uses either)."""
    amz_date = headers.get("X-Amz-Date")
    if amz_date:
        try:
            datetime.strptime(amz_date, SIGV4_TIMESTAMP)
        except ValueError:
            raise incomplete(
                f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'. See http://en.wikipedia.org/wiki/ISO_8601"
            ) from None
        return amz_date
    date = headers.get("Date")
    if date:
        try:
            return parsedate_to_datetime(date).astimezone(UTC).strftime(SIGV4_TIMESTAMP)
        except (TypeError, ValueError):
            raise incomplete(f"Date must be in RFC 1123 format. Got '{date}'.") from None
    raise incomplete(
        f"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={auth.raw}"
    )


def check_scope(auth: Authorization, timestamp: str, now: datetime, region: str | None = None) -> None:
    """Scope and clock checks real AWS makes before comparing signatures; `region`: the one region IAM's endpoint
    accepts (recorded: "Credential should be scoped to a valid region, not 'us-east-2'."), None for any."""
    if auth.service != SERVICE:
        raise mismatch(f"Credential should be scoped to correct service: '{SERVICE}'. ")
    if region is not None and auth.region != region:
        raise mismatch(f"Credential should be scoped to a valid region, not '{auth.region}'. ")
    if auth.terminator != TERMINATOR:
        raise mismatch(
            f"Credential should be scoped with a valid terminator: '{TERMINATOR}', not '{auth.terminator}'. "
        )
    if auth.date != timestamp[:8]:
        raise mismatch(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
            f"'{auth.date}' != '{timestamp[:8]}', from '{timestamp}'."
        )
    signed_at = datetime.strptime(timestamp, SIGV4_TIMESTAMP).replace(tzinfo=UTC)
    if signed_at < now - MAX_SKEW:
        earliest = (now - MAX_SKEW).strftime(SIGV4_TIMESTAMP)
        raise mismatch(
            f"Signature expired: {timestamp} is now earlier than {earliest} ({now.strftime(SIGV4_TIMESTAMP)} - 15 min.)"
        )
    if signed_at > now + MAX_SKEW:
        latest = (now + MAX_SKEW).strftime(SIGV4_TIMESTAMP)
        raise mismatch(
            f"Signature not yet current: {timestamp} is still later than {latest} "
            f"({now.strftime(SIGV4_TIMESTAMP)} + 15 min.)"
        )


class WireSigV4Auth(SigV4Auth):
    """botocore's signer, told which headers the client signed instead of choosing them itself."""

    def __init__(self, credentials: Credentials, region: str, signed: HTTPHeaders, service: str = SERVICE) -> None:
        super().__init__(credentials, service, region)
        self._signed = signed

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        return self._signed


def signed_header_map(wire: WireRequest, auth: Authorization) -> HTTPHeaders:
    signed = HTTPHeaders()
    for name in auth.signed_headers:
        for value in wire.headers.getlist(name):
            signed[name] = value
    return signed


def candidate_requests(wire: WireRequest, signed: HTTPHeaders, timestamp: str) -> list[AWSRequest]:
    """The request rebuilt from the wire, once per canonical query form a botocore client may have signed:
    the raw query string (URL built by the caller) and the decoded-then-SigV4-encoded pairs (params dict,
    which botocore canonicalises with %20 but puts on the wire with urlencode's '+')."""
    base = f"http://{wire.host}{wire.path or '/'}"
    # Signed as a header like any other, but never taken for the payload's hash (botocore would take it verbatim):
    # the canonical request hashes the body that arrived, so a body changed after signing never matches.
    headers = {name: value for name, value in signed.items() if name.lower() != "x-amz-content-sha256"}
    raw = AWSRequest(
        method=wire.method, url=f"{base}?{wire.query}" if wire.query else base, headers=headers, data=wire.body
    )
    candidates = [raw]
    pairs = parse_qsl(wire.query, keep_blank_values=True, encoding="utf-8", errors="replace")
    if pairs:
        # botocore canonicalises a list of pairs as it does a dict; its stubs only name Mapping
        candidates.append(
            AWSRequest(method=wire.method, url=base, headers=headers, data=wire.body, params=pairs)  # type: ignore[arg-type]
        )
    for request in candidates:
        request.context["timestamp"] = timestamp
    return candidates


def check_payload_hash(wire: WireRequest, signed: HTTPHeaders) -> None:
    # botocore signs a declared X-Amz-Content-SHA256 verbatim, so the declaration itself must be true.
    declared = signed.get("x-amz-content-sha256")
    if declared and declared != UNSIGNED_PAYLOAD and declared != hashlib.sha256(wire.body).hexdigest():
        raise mismatch("The provided 'x-amz-content-sha256' header does not match what was computed.")


def verify(
    wire: WireRequest, auth: Authorization, secret: str, now: datetime | None = None, region: str | None = None
) -> None:
    """Raise IamError unless the request carries a valid SigV4 signature for `secret`, scoped to `region`."""
    timestamp = request_timestamp(wire.headers, auth)
    check_scope(auth, timestamp, now or datetime.now(UTC), region)
    signed = signed_header_map(wire, auth)
    check_payload_hash(wire, signed)
    signer = WireSigV4Auth(Credentials(auth.access_key, secret), auth.region, signed)
    for request in candidate_requests(wire, signed, timestamp):
        expected = signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)
        if hmac.compare_digest(expected.encode(), auth.signature.encode()):
            return
    raise mismatch()
