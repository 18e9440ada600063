"""The reference IAM refuses what was changed on the way: a body changed after signing whatever hash it declares,
bytes that are no UTF-8; and the suite's client sends such requests as asked (conformance.protocol.signing)."""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

import pytest
import requests
from botocore.auth import UNSIGNED_PAYLOAD, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from support.catalogue_probes import ROOT

from conformance.protocol.client import IamClient
from conformance.protocol.signing import Signing
from conformance.protocol.wire import read_error, read_listing
from conformance.reference import ROOT_ACCESS_KEY, ROOT_SECRET_KEY, ReferenceServer

FORM = "application/x-www-form-urlencoded; charset=utf-8"
LIST = {"Action": "ListSigningCertificates", "Version": "2010-05-08"}


@pytest.fixture(scope="module")
def server():
    with ReferenceServer() as running:
        yield running


def send(server, signed_body: bytes, sent_body: bytes, declared: str | None) -> requests.Response:
    """A POST signed over `signed_body` (declaring `declared` in X-Amz-Content-SHA256), sent with `sent_body`."""
    request = AWSRequest(method="POST", url=server.url, data=signed_body, headers={"Content-Type": FORM})
    if declared is not None:
        request.headers["X-Amz-Content-SHA256"] = declared
    SigV4Auth(Credentials(ROOT_ACCESS_KEY, ROOT_SECRET_KEY), "iam", "us-east-1").add_auth(request)
    prepared = request.prepare()
    headers = {k: v for k, v in prepared.headers.items() if k.lower() != "content-length"}
    return requests.post(server.url, headers=headers, data=sent_body, timeout=10)


def code(response: requests.Response) -> tuple[int, str | None]:
    from lxml import etree

    root = etree.fromstring(response.content)
    found = root.find(".//{*}Code")
    return response.status_code, None if found is None else found.text


def test_a_body_changed_after_signing_is_refused_whatever_hash_it_declares(server):
    body = urlencode(LIST).encode()
    changed = urlencode({**LIST, "MaxItems": "1"}).encode()
    assert send(server, body, body, hashlib.sha256(body).hexdigest()).status_code == 200  # declared right
    assert send(server, body, body, None).status_code == 200
    for declared in (hashlib.sha256(body).hexdigest(), None, UNSIGNED_PAYLOAD):
        assert code(send(server, body, changed, declared)) == (403, "SignatureDoesNotMatch"), declared


def test_the_client_signs_over_another_body_declaring_its_hash_and_sends_raw_bytes(server):
    iam = IamClient(server.url, "us-east-1", ROOT)
    try:
        asked = {"MaxItems": "2"}
        changed = iam.call(
            "ListSigningCertificates", asked, signing=Signing(params={"MaxItems": "1"}, payload_hash=True)
        )
        assert read_error(changed).code == "SignatureDoesNotMatch"
        right = iam.call("ListSigningCertificates", asked, signing=Signing(payload_hash=True))
        assert read_listing(right) is not None
        for method in ("POST", "GET"):
            raw = iam.call(
                "ListSigningCertificates",
                {"UserName": "a%FFb"},
                method=method,
                signing=Signing(percent_encoded=("UserName",)),
            )
            assert (raw.status, read_error(raw).code) == (400, "ValidationError"), method
    finally:
        iam.close()
