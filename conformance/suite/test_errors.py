"""errors: NoSuchEntity, the error envelope's Type and RequestId, and markers the service never issued."""

from __future__ import annotations

import base64
import hashlib

from conformance.checks import Judge
from conformance.checks.responses import (
    client_error_typed_sender,
    error_carries_request_id,
    error_code_is_iams,
    not_found_names_user,
    rejected_as_bad_request,
)
from conformance.checks.shape import request_ids_differ
from conformance.protocol.client import IamClient
from conformance.protocol.wire import Exchange
from conformance.suite import beside, requirement
from conformance.world.seeding import SeededUser

# Every test here runs beside the others (conformance.suite.side_by_side): its requests overlap theirs.
pytestmark = beside


@requirement("ERR-01")
def test_an_absent_user_is_not_found_and_named(
    error_samples: dict[str, Exchange], absent_user_name: str, judge: Judge
) -> None:
    judge(not_found_names_user, error_samples["no such user"], absent_user_name)


@requirement("ERR-02")
def test_client_errors_are_typed_sender(error_samples: dict[str, Exchange], judge: Judge) -> None:
    judge.each(client_error_typed_sender, error_samples.values())


@requirement("ERR-03")
def test_every_error_carries_a_request_id(error_samples: dict[str, Exchange], judge: Judge) -> None:
    judge.each(error_carries_request_id, error_samples.values())
    judge(request_ids_differ, error_samples.values())


@requirement("ERR-04")
def test_a_marker_never_issued_is_a_bad_request(
    iam: IamClient, user_with_two_certificates: SeededUser, run_id: str, judge: Judge
) -> None:
    # Plain ASCII; with spaces and Latin-1 letters (legal per the pattern [\u0020-\u00FF]+), by POST and by GET (a
    # query string carries its spaces as '+'); and base64 of arbitrary bytes, as opaque markers often look (it
    # decodes, to nothing the service issued).
    opaque = base64.b64encode(hashlib.sha256(b"iam-conformance: a Marker never issued").digest() * 2).decode()
    latin1 = f"iam-conformance never issued \u00e9 \u00fc \u00ff {run_id}"
    for marker, method in (
        (f"iam-conformance-never-issued-{run_id}", "POST"),
        (latin1, "POST"),
        (latin1, "GET"),
        (opaque, "POST"),
    ):
        params = {"UserName": user_with_two_certificates.name, "MaxItems": "1", "Marker": marker}
        judge(rejected_as_bad_request, iam.call("ListSigningCertificates", params, method=method))


@requirement("ERR-05")
def test_every_error_code_is_one_iam_uses(error_samples: dict[str, Exchange], judge: Judge) -> None:
    judge.each(error_code_is_iams, error_samples.values())
