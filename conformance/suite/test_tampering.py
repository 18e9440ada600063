"""Requests changed on the way: a Marker tampered with or carried to another user's listing, a body changed after
signing, bytes that are no UTF-8 text, a line break after a valid value, an unsigned GET."""

from __future__ import annotations

from conformance.checks import Judge
from conformance.checks.responses import (
    error_with_code,
    no_server_error,
    rejected_as_bad_request,
    rejected_as_validation_error,
    same_answer,
)
from conformance.contract.spec import operation
from conformance.protocol.client import RESIGNED, IamClient, Identity
from conformance.protocol.signing import Signing
from conformance.protocol.wire import Exchange
from conformance.suite import beside, requirement
from conformance.suite.fixtures import Target

# Every test here runs beside the others (conformance.suite.side_by_side): its requests overlap theirs.
pytestmark = beside

MARKER = operation().parameters["Marker"]


@requirement("ERR-04")
def test_a_marker_tampered_with_or_from_another_users_listing_is_a_bad_request(
    marker_answers: dict[str, Exchange], judge: Judge
) -> None:
    # A real Marker with one character changed, or one appended, was never issued; one from another user's listing
    # was not issued for this one. IAM refuses a Marker it did not issue for the listing (400 "Invalid Marker.",
    # recorded for other list calls, a foreign Marker among them: trek10inc/awsets#21).
    for how in ("one character changed", "one character appended", "another user's"):
        if how in marker_answers:  # else the listing gave no Marker to tamper with (PAG-04 says why)
            judge(rejected_as_bad_request, marker_answers[how])


@requirement("PARAM-07")
def test_a_marker_with_a_trailing_line_break_is_a_validation_error(
    marker_answers: dict[str, Exchange], judge: Judge
) -> None:
    # A line break is outside [\u0020-\u00FF]; a pattern matched as ^...$ lets "value\n" through in many languages.
    if "with a trailing line break" in marker_answers:
        judge(rejected_as_validation_error, marker_answers["with a trailing line break"], MARKER)


@requirement("PARAM-08")
def test_bytes_that_are_no_utf8_are_never_a_server_error(
    iam: IamClient, absent_user_name: str, validated_user: str, judge: Judge
) -> None:
    # %FF decodes to no UTF-8 character: a malformed parameter, never a crash (which 4xx, or whether a lenient
    # decoder reads it as something else, is other requirements' business).
    for method, params, raw in (
        ("POST", {"UserName": f"{absent_user_name[:100]}%FF"}, "UserName"),
        ("GET", {"UserName": validated_user, "Marker": "%FFiam-conformance"}, "Marker"),
    ):
        answer = iam.call("ListSigningCertificates", params, method=method, signing=Signing(percent_encoded=(raw,)))
        judge(no_server_error, answer)


@requirement("AUTH-05")
def test_a_body_changed_after_signing_is_refused(
    iam: IamClient,
    conformance_target: Target,
    validated_user: str,
    error_samples: dict[str, Exchange],
    absent_user_name: str,
    judge: Judge,
) -> None:
    # Signed with the body's SHA-256 declared in X-Amz-Content-SHA256, then sent with another body: a verifier that
    # takes the declared hash for the payload's instead of hashing what arrived serves it. For IAM that header is one
    # more signed header; the payload's hash is the body's, and the signature does not match.
    asked = {"UserName": validated_user, "MaxItems": "2"}
    changed = iam.call(
        "ListSigningCertificates",
        asked,
        identity=Identity(f"{RESIGNED}over another body, its hash declared", conformance_target.identity.credentials),
        signing=Signing(params={**asked, "MaxItems": "1"}, payload_hash=True),
    )
    judge(error_with_code, changed, 403, "SignatureDoesNotMatch")
    # The control: the hash declared right changes nothing (else the refusal above proves nothing).
    declared = iam.call("ListSigningCertificates", {"UserName": absent_user_name}, signing=Signing(payload_hash=True))
    judge(same_answer, error_samples["no such user"], declared)


@requirement("AUTH-01")
def test_an_unsigned_get_is_missing_authentication(iam: IamClient, absent_user_name: str, judge: Judge) -> None:
    # The page's sample request is a query string: unsigned, it is refused as an unsigned POST is.
    params = {"UserName": absent_user_name}
    answer = iam.call("ListSigningCertificates", params, method="GET", identity=Identity.unsigned())
    judge(error_with_code, answer, 403, "MissingAuthenticationToken")
