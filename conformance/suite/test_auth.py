"""auth: the common errors for a missing, wrong or unknown SigV4 credential."""

from __future__ import annotations

import datetime
import secrets
import string
from typing import cast

from botocore.credentials import Credentials

from conformance.checks import Judge
from conformance.checks.responses import (
    credential_refused_whatever_the_parameters,
    error_with_code,
    malformed_signature_is_incomplete,
)
from conformance.protocol.client import RESIGNED, UNKNOWN_KEY, WRONG_SECRET, IamClient, Identity
from conformance.protocol.signing import Signing
from conformance.protocol.wire import Exchange
from conformance.suite import beside, requirement
from conformance.suite.fixtures import Target

# A credential scope's region that is not the endpoint's (the spare one when the endpoint's is that one).
OTHER_REGION, SPARE_REGION = "eu-west-1", "us-west-2"

# Every test here runs beside the others (conformance.suite.side_by_side): its requests overlap theirs.
pytestmark = beside


def list_as(iam: IamClient, user_name: str, identity: Identity, method: str = "POST") -> Exchange:
    # Authentication comes before any lookup: an absent user keeps these checks read-only.
    return iam.call("ListSigningCertificates", {"UserName": user_name}, identity=identity, method=method)


@requirement("AUTH-01")
def test_an_unsigned_request_is_missing_authentication(error_samples: dict[str, Exchange], judge: Judge) -> None:
    judge(error_with_code, error_samples["unsigned"], 403, "MissingAuthenticationToken")


@requirement("AUTH-02")
def test_a_wrong_secret_does_not_match(
    iam: IamClient, conformance_target: Target, absent_user_name: str, judge: Judge
) -> None:
    # The real access key id and session token (temporary credentials are only known with their token), a secret
    # that is not theirs: for every kind of credentials, AWS answers SignatureDoesNotMatch.
    real = cast(Credentials, conformance_target.identity.credentials)  # the caller signs
    wrong = Identity(WRONG_SECRET, Credentials(real.access_key, real.secret_key[::-1] + "x", real.token))
    # SigV4 signs a query string as it signs a form body: GET is checked as well as POST.
    for method in ("POST", "GET"):
        judge(error_with_code, list_as(iam, absent_user_name, wrong, method), 403, "SignatureDoesNotMatch")


@requirement("AUTH-03")
def test_an_unknown_access_key_is_an_invalid_token(iam: IamClient, absent_user_name: str, judge: Judge) -> None:
    key_id = "AKIA" + "".join(secrets.choice(string.ascii_uppercase + "234567") for _ in range(16))
    unknown = Identity(f"{UNKNOWN_KEY} {key_id}", Credentials(key_id, secrets.token_urlsafe(30)))
    for method in ("POST", "GET"):
        judge(error_with_code, list_as(iam, absent_user_name, unknown, method), 403, "InvalidClientTokenId")


@requirement("AUTH-04")
def test_authentication_comes_before_validation_and_lookup(
    iam: IamClient, conformance_target: Target, absent_user_name: str, judge: Judge
) -> None:
    real = cast(Credentials, conformance_target.identity.credentials)  # the caller signs
    wrong = Identity(WRONG_SECRET, Credentials(real.access_key, real.secret_key[::-1] + "x", real.token))
    key_id = "AKIA" + "".join(secrets.choice(string.ascii_uppercase + "234567") for _ in range(16))
    unknown = Identity(f"{UNKNOWN_KEY} {key_id}", Credentials(key_id, secrets.token_urlsafe(30)))
    cases = (
        (Identity.unsigned(), "MissingAuthenticationToken"),
        (wrong, "SignatureDoesNotMatch"),
        (unknown, "InvalidClientTokenId"),
    )
    for identity, code in cases:
        # Before lookup: a bad credential naming a user learns nothing of it (recorded by analogy: IAM answers an
        # unauthorised caller 403 for a key that does not exist, ls-access-denied.xml).
        judge(error_with_code, list_as(iam, absent_user_name, identity), 403, code)
    for (identity, code), params in zip(
        cases, ({"MaxItems": "0"}, {"UserName": "bad name"}, {"MaxItems": "abc"}), strict=True
    ):
        # With an invalid parameter: the credential's 403 or the parameter's 400 (IAM's order is not recorded).
        judge(
            credential_refused_whatever_the_parameters,
            iam.call("ListSigningCertificates", params, identity=identity),
            code,
        )


@requirement("AUTH-05")
def test_the_signature_covers_the_parameters_and_the_time(
    iam: IamClient, conformance_target: Target, absent_user_name: str, judge: Judge
) -> None:
    credentials = conformance_target.identity.credentials
    asked = {"UserName": absent_user_name, "MaxItems": "2"}
    for method in ("POST", "GET"):  # the form body, and the query string, are both signed
        changed = iam.call(
            "ListSigningCertificates",
            asked,
            method=method,
            identity=Identity(f"{RESIGNED}over other parameters", credentials),
            signing=Signing(params={**asked, "MaxItems": "1"}),
        )
        judge(error_with_code, changed, 403, "SignatureDoesNotMatch")
    # A signature right in every other respect, scoped to another service: AWS answers "Credential should be scoped
    # to correct service: 'iam'." A verifier that takes the service from the header accepts it.
    other_service = iam.call(
        "ListSigningCertificates",
        {"UserName": absent_user_name},
        signing=Signing(service="sts"),
        identity=Identity(f"{RESIGNED}for another service (sts)", credentials),
    )
    judge(error_with_code, other_service, 403, "SignatureDoesNotMatch")
    # Scoped to a region the endpoint does not serve (IAM's global endpoint signs in us-east-1 only, China's in
    # cn-north-1): IAM answers "Credential should be scoped to a valid region, not '...'". A verifier that takes the
    # region from the header, or checks none, accepts it.
    other_region = iam.call(
        "ListSigningCertificates",
        {"UserName": absent_user_name},
        signing=Signing(region=OTHER_REGION if iam.region != OTHER_REGION else SPARE_REGION),
        identity=Identity(f"{RESIGNED}for another region", credentials),
    )
    judge(error_with_code, other_region, 403, "SignatureDoesNotMatch")
    # SigV4 allows 15 minutes of clock difference. A target that accepts the suite's other requests keeps a clock
    # within 15 minutes of the suite's, so a signature an hour old is at least 45 minutes off its clock.
    at = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) - datetime.timedelta(hours=1)
    expired = iam.call(
        "ListSigningCertificates",
        {"UserName": absent_user_name},
        identity=Identity(f"{RESIGNED}an hour ago", credentials),
        signing=Signing(at=at),
    )
    judge(error_with_code, expired, 403, "SignatureDoesNotMatch")
    # An hour ahead is as far outside the 15 minutes as an hour behind.
    ahead = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) + datetime.timedelta(hours=1)
    future = iam.call(
        "ListSigningCertificates",
        {"UserName": absent_user_name},
        identity=Identity(f"{RESIGNED}an hour ahead", credentials),
        signing=Signing(at=ahead),
    )
    judge(error_with_code, future, 403, "SignatureDoesNotMatch")


@requirement("AUTH-06")
def test_a_malformed_signature_is_incomplete(
    iam: IamClient, conformance_target: Target, absent_user_name: str, judge: Judge
) -> None:
    # The caller's own, correctly signed request, then made malformed as AWS's signature parser sees it: the header
    # without its Signature (POST and GET), a credential scope of four parts, no X-Amz-Date. AWS answers each with
    # IncompleteSignature ("Authorization header requires 'Signature' parameter", "Credential must have exactly 5
    # slash-delimited elements", "... requires existence of either a 'X-Amz-Date' or a 'Date' header").
    # (the rewrites of the Authorization header, by name: conformance.protocol.signing.AUTHORIZATION_REWRITES)
    malformed = [
        ("without its Signature", "POST", Signing(authorization="without its Signature")),
        ("without its Signature", "GET", Signing(authorization="without its Signature")),
        (
            "with a credential scope of four parts",
            "POST",
            Signing(authorization="with a credential scope of four parts"),
        ),
        ("without its X-Amz-Date", "POST", Signing(drop_headers=("X-Amz-Date",))),
    ]
    for how, method, signing in malformed:
        answer = iam.call(
            "ListSigningCertificates",
            {"UserName": absent_user_name},
            method=method,
            signing=signing,
            identity=Identity(f"{RESIGNED}{how}", conformance_target.identity.credentials),
        )
        judge(malformed_signature_is_incomplete, answer)
