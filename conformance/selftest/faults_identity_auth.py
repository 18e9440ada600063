"""Identity faults (ID-*: whose certificates an omitted UserName lists, root and user keys) and authentication
faults (AUTH-*: which error a bad credential gets, what is checked before it, and the signature's clock).

Each class overrides exactly one behaviour of the reference; the override is the mistake itself.
"""

from __future__ import annotations

import abc
from datetime import UTC, datetime, timedelta
from typing import cast

from botocore.auth import SIGV4_TIMESTAMP
from botocore.credentials import Credentials
from werkzeug.wrappers import Request

from conformance.reference import IamError, Principal, ReferenceApp, Store, sigv4
from conformance.reference.principals import User
from conformance.reference.store import Certificate, no_such_user
from conformance.selftest.registry import fault

# -- identity: UserName omitted ----------------------------------------------------------------------------------


@fault(
    "root_lists_every_certificate",
    "ID-02",
    "UserName omitted with the root's key: every certificate of the account (an admin view), not the root's own",
)
class RootListsEveryCertificate(Store):
    def certificates_of(self, owner: User) -> list[Certificate]:
        if not owner.root:
            return super().certificates_of(owner)
        with self.lock:
            return sorted(self.certificates.values(), key=lambda c: c.seq)


@fault(
    "root_not_found",
    "ID-02",
    "UserName omitted with the root's key: the root is looked up as a user by its name and is not found (404)",
)
class RootNotFound(ReferenceApp):
    def owner(self, caller: Principal, params: dict[str, str]) -> User:
        if params.get("UserName") is None and caller.root:
            return self.store.get_user(caller.name)
        return super().owner(caller, params)


@fault(
    "omitted_user_name_not_found",
    "ID-01",
    "UserName omitted with a user's key: 404 'The user with name None cannot be found.' (moto)",
)
class OmittedUserNameNotFound(ReferenceApp):
    def owner(self, caller: Principal, params: dict[str, str]) -> User:
        if params.get("UserName") is None and not caller.root:
            raise no_such_user(str(params.get("UserName")))
        return super().owner(caller, params)


@fault(
    "access_key_owner_inverted",
    ("ID-01", "PAG-10"),
    "an access key's owner looked up with != instead of ==: a user's key signs as another user",
)
class AccessKeyOwnerInverted(Store):
    def principal_for(self, access_key_id: str) -> tuple[Principal, str] | None:
        found = super().principal_for(access_key_id)
        if found is None or found[0].root:
            return found
        with self.lock:
            other = next((u for u in self.users.values() if u.user_id != found[0].user_id), None)
        return None if other is None else (other, found[1])


# -- auth: what comes first --------------------------------------------------------------------------------------


@fault(
    "lookup_before_authentication",
    ("AUTH-04", "AUTH-02", "AUTH-03"),
    "the named user is looked up before the signature is checked: a bad credential for an absent user gets 404",
)
class LookupBeforeAuthentication(ReferenceApp):
    def authenticate(self, request: Request, body: bytes) -> Principal:
        params = self.read_params(request, body)
        if params.get("Action") == "ListSigningCertificates" and params.get("UserName") is not None:
            self.store.get_user(params["UserName"])
        return super().authenticate(request, body)


# -- auth: which error ------------------------------------------------------------------------------------------


def _recoded(
    app: ReferenceApp, request: Request, body: bytes, code: str, status: int, replacement: IamError
) -> Principal:
    try:
        return ReferenceApp.authenticate(app, request, body)
    except IamError as error:
        if error.code == code and error.status == status:
            raise replacement from None
        raise


@fault(
    "unsigned_access_denied",
    ("AUTH-01", "AUTH-04"),
    "a request without Authorization gets 403 AccessDenied, not MissingAuthenticationToken",
)
class UnsignedAccessDenied(ReferenceApp):
    def authenticate(self, request: Request, body: bytes) -> Principal:
        return _recoded(
            self,
            request,
            body,
            "MissingAuthenticationToken",
            403,
            IamError(403, "AccessDenied", "Anonymous access is forbidden for this operation"),
        )


@fault(
    "unsigned_incomplete_signature",
    ("AUTH-01", "AUTH-04"),
    "a request without Authorization is parsed as an empty header: 400 IncompleteSignature",
)
class UnsignedIncompleteSignature(ReferenceApp):
    def authenticate(self, request: Request, body: bytes) -> Principal:
        return _recoded(
            self,
            request,
            body,
            "MissingAuthenticationToken",
            403,
            sigv4.incomplete("Unsupported AWS 'algorithm': ''. Authorization="),
        )


@fault(
    "wrong_secret_access_denied",
    ("AUTH-02", "AUTH-04"),
    "a signature that does not match gets 403 AccessDenied, not SignatureDoesNotMatch",
)
class WrongSecretAccessDenied(ReferenceApp):
    def authenticate(self, request: Request, body: bytes) -> Principal:
        return _recoded(
            self,
            request,
            body,
            "SignatureDoesNotMatch",
            403,
            IamError(403, "AccessDenied", "Access denied: the request signature is invalid"),
        )


@fault(
    "wrong_secret_invalid_client_token",
    ("AUTH-02", "AUTH-04"),
    "a signature that does not match gets 403 InvalidClientTokenId, as if the key were unknown",
)
class WrongSecretInvalidClientToken(ReferenceApp):
    def authenticate(self, request: Request, body: bytes) -> Principal:
        return _recoded(
            self,
            request,
            body,
            "SignatureDoesNotMatch",
            403,
            IamError(403, "InvalidClientTokenId", "The security token included in the request is invalid."),
        )


@fault(
    "unknown_key_crash",
    ("AUTH-03", "AUTH-04"),
    "an unknown access key is looked up with keys[key_id]: the KeyError is a 500 InternalFailure",
)
class UnknownKeyCrash(ReferenceApp):
    def authenticate(self, request: Request, body: bytes) -> Principal:
        header = request.headers.get("Authorization")
        key_id = sigv4.parse_authorization(header).access_key if header else None
        if key_id is not None and self.store.principal_for(key_id) is None:
            raise KeyError(key_id)  # what keys[key_id] raises: the unguarded lookup
        return super().authenticate(request, body)


@fault(
    "signature_without_signature_served",
    "AUTH-06",
    "an Authorization header without its Signature is served: the key is looked up, the missing signature skipped",
)
class SignatureWithoutSignatureServed(ReferenceApp):
    def authenticate(self, request: Request, body: bytes) -> Principal:
        header = request.headers.get("Authorization") or ""
        if header and "Signature=" not in header:
            credential = header.split("Credential=", 1)[-1].split("/", 1)[0]
            found = self.store.principal_for(credential)
            if found is not None:
                return found[0]
        return super().authenticate(request, body)


@fault(
    "signature_without_signature_crash",
    "AUTH-06",
    "an Authorization header without its Signature raises KeyError('Signature'): 500 InternalFailure",
)
class SignatureWithoutSignatureCrash(ReferenceApp):
    def authenticate(self, request: Request, body: bytes) -> Principal:
        header = request.headers.get("Authorization") or ""
        if header and "Signature=" not in header:
            raise KeyError("Signature")
        return super().authenticate(request, body)


@fault(
    "missing_date_crash",
    "AUTH-06",
    "a signed request without X-Amz-Date (or Date) is read with headers['X-Amz-Date']: 500 InternalFailure",
)
class MissingDateCrash(ReferenceApp):
    def authenticate(self, request: Request, body: bytes) -> Principal:
        if request.headers.get("Authorization") and not (
            request.headers.get("X-Amz-Date") or request.headers.get("Date")
        ):
            raise KeyError("X-Amz-Date")
        return super().authenticate(request, body)


@fault(
    "get_signature_not_verified",
    "AUTH-02",
    "a GET's signature is never verified (only form bodies are): a GET with the wrong secret is served",
)
class GetSignatureNotVerified(ReferenceApp):
    def authenticate(self, request: Request, body: bytes) -> Principal:
        if request.method != "GET" or not request.headers.get("Authorization"):
            return super().authenticate(request, body)
        found = self.store.principal_for(sigv4.parse_authorization(request.headers["Authorization"]).access_key)
        if found is None:
            raise IamError(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
        return found[0]


# -- auth: the signature's clock ---------------------------------------------------------------------------------


def _wire(request: Request, body: bytes) -> sigv4.WireRequest:
    raw_uri = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.path
    return sigv4.WireRequest(
        method=request.method,
        host=request.headers.get("Host", ""),
        path=raw_uri.split("?", 1)[0],
        query=request.environ.get("QUERY_STRING", ""),
        headers=request.headers,
        body=body,
    )


class _ClockLenient(ReferenceApp, abc.ABC):
    """The mistake: a signature refused only for its age is verified again as of the moment it claims."""

    @abc.abstractmethod
    def clock_accepts(self, auth: sigv4.Authorization, signed_at: datetime) -> bool:
        """Whether the fault accepts a signature as of `signed_at`."""

    def authenticate(self, request: Request, body: bytes) -> Principal:
        try:
            return super().authenticate(request, body)
        except IamError as error:
            if not error.message.startswith(("Signature expired", "Signature not yet current")):
                raise
            auth = sigv4.parse_authorization(request.headers["Authorization"])
            signed_at = datetime.strptime(sigv4.request_timestamp(request.headers, auth), SIGV4_TIMESTAMP)
            signed_at = signed_at.replace(tzinfo=UTC)
            if not self.clock_accepts(auth, signed_at):
                raise
            # the key was found: only the signature's clock was refused
            principal, secret = cast("tuple[Principal, str]", self.store.principal_for(auth.access_key))
            sigv4.verify(_wire(request, body), auth, secret, now=signed_at)
            return principal


@fault(
    "signature_expiry_not_checked",
    "AUTH-05",
    "the signature is verified but its X-Amz-Date never compared with the clock: an hour-old request is served",
)
class SignatureExpiryNotChecked(_ClockLenient):
    def clock_accepts(self, auth: sigv4.Authorization, signed_at: datetime) -> bool:
        return True


@fault(
    "signature_clock_by_scope_day",
    "AUTH-05",
    "the clock check compares only the credential scope's day (today +- 1): a signature hours old is served",
)
class SignatureClockByScopeDay(_ClockLenient):
    def clock_accepts(self, auth: sigv4.Authorization, signed_at: datetime) -> bool:
        today = datetime.now(UTC)
        days = {(today + timedelta(days=d)).strftime("%Y%m%d") for d in (-1, 0, 1)}
        return auth.date in days


@fault(
    "signature_future_not_checked",
    "AUTH-05",
    "only a signature's age is checked: one dated an hour ahead of the clock is served",
)
class SignatureFutureNotChecked(_ClockLenient):
    def clock_accepts(self, auth: sigv4.Authorization, signed_at: datetime) -> bool:
        return signed_at > datetime.now(UTC)


@fault(
    "signature_scope_service_unchecked",
    "AUTH-05",
    "the signature is recomputed for the service its Credential scope names: one scoped to sts is served",
)
class SignatureScopeServiceUnchecked(ReferenceApp):
    def authenticate(self, request: Request, body: bytes) -> Principal:
        try:
            return super().authenticate(request, body)
        except IamError as error:
            if not error.message.startswith("Credential should be scoped to correct service"):
                raise
            auth = sigv4.parse_authorization(request.headers["Authorization"])
            # the key was found: only the credential scope's service was refused
            principal, secret = cast("tuple[Principal, str]", self.store.principal_for(auth.access_key))
            wire, timestamp = _wire(request, body), sigv4.request_timestamp(request.headers, auth)
            signed = sigv4.signed_header_map(wire, auth)
            signer = sigv4.WireSigV4Auth(Credentials(auth.access_key, secret), auth.region, signed, auth.service)
            for candidate in sigv4.candidate_requests(wire, signed, timestamp):
                if (
                    signer.signature(signer.string_to_sign(candidate, signer.canonical_request(candidate)), candidate)
                    == auth.signature
                ):
                    return principal
            raise
