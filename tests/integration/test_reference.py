"""The reference IAM server over real HTTP on 127.0.0.1, signed the way every client in the project signs."""

from __future__ import annotations

import datetime
import itertools
import re
from urllib.parse import urlencode

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from lxml import etree

from conformance.contract.schemas import ERROR_SCHEMA, SUCCESS_SCHEMA, read_against
from conformance.contract.spec import operation
from conformance.reference import ROOT_ACCESS_KEY, ROOT_SECRET_KEY, Flavour, IamError, ReferenceApp, ReferenceServer

NS = {"i": "https://iam.amazonaws.com/doc/2010-05-08/"}
FORM = "application/x-www-form-urlencoded; charset=utf-8"
_names = itertools.count()


# -- helpers -------------------------------------------------------------------------------------------------
def sign(request: AWSRequest, key: str, secret: str, service: str = "iam") -> requests.Response:
    SigV4Auth(Credentials(key, secret), service, "us-east-1").add_auth(request)
    prepared = request.prepare()
    return requests.request(
        prepared.method, prepared.url, headers=dict(prepared.headers), data=prepared.body, timeout=10
    )


def call(
    server, action: str, method: str = "GET", key: str = ROOT_ACCESS_KEY, secret: str = ROOT_SECRET_KEY, **params: str
) -> requests.Response:
    params = {"Action": action, "Version": "2010-05-08", **params}
    if method == "GET":
        return sign(AWSRequest(method="GET", url=server.url, params=params), key, secret)
    return sign(AWSRequest(method="POST", url=server.url, data=params, headers={"Content-Type": FORM}), key, secret)


def xml(response: requests.Response):
    return etree.fromstring(response.content)


def text(root, path: str) -> str | None:
    found = root.find(path, NS)
    return None if found is None else found.text


def error_of(response: requests.Response) -> tuple[int, str, str, str]:
    root = xml(response)
    assert root.tag == f"{{{NS['i']}}}ErrorResponse"
    assert text(root, "i:RequestId")
    return (
        response.status_code,
        text(root, "i:Error/i:Type"),
        text(root, "i:Error/i:Code"),
        text(root, "i:Error/i:Message"),
    )


def new_user(server, **extra: str) -> str:
    name = f"user{next(_names)}"
    assert call(server, "CreateUser", UserName=name, **extra).status_code == 200
    return name


def upload(server, user: str, body: str, **kw) -> requests.Response:
    return call(server, "UploadSigningCertificate", method="POST", UserName=user, CertificateBody=body, **kw)


def listing(server, method: str = "GET", **params: str) -> tuple[list[str], bool, str | None, object]:
    response = call(server, "ListSigningCertificates", method=method, **params)
    assert response.status_code == 200, response.text
    root = xml(response)
    result = root.find("i:ListSigningCertificatesResult", NS)
    ids = [m.findtext("i:CertificateId", namespaces=NS) for m in result.findall("i:Certificates/i:member", NS)]
    return ids, text(result, "i:IsTruncated") == "true", text(result, "i:Marker"), root


def walk(server, method: str = "GET", **params: str) -> list[str]:
    ids, truncated, marker, _ = listing(server, method, **params)
    while truncated:
        assert marker
        page, truncated, marker, _ = listing(server, method, Marker=marker, **params)
        ids += page
    assert marker is None
    return ids


# -- fixtures ------------------------------------------------------------------------------------------------
def _certificate(index: int) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"reference-test-{index}")])
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


@pytest.fixture(scope="module")
def certs() -> list[str]:
    return [_certificate(i) for i in range(3)]


@pytest.fixture(scope="module")
def server():
    with ReferenceServer(flavour=Flavour()) as running:
        yield running


FLAVOURS = [
    Flavour(),
    Flavour(element_order="reversed"),
    Flavour(namespace_prefix="iam", xml_declaration=True),
    Flavour(page_cap=1),
    Flavour(marker_style="exotic"),
    Flavour(marker_style="exotic", certificate_order="reverse", page_cap=1),
    Flavour(upload_date_precision="millis", result_username=False),
    Flavour(extra_elements=True, element_order="reversed"),
]


# -- certificates and quota ----------------------------------------------------------------------------------
def test_upload_two_then_limit_exceeded(server, certs):
    user = new_user(server)
    for body in certs[:2]:
        response = upload(server, user, body)
        assert response.status_code == 200, response.text
        cert = xml(response).find("i:UploadSigningCertificateResult/i:Certificate", NS)
        assert re.fullmatch(r"[A-Z0-9]{32}", cert.findtext("i:CertificateId", namespaces=NS))
        assert cert.findtext("i:Status", namespaces=NS) == "Active"
        assert cert.findtext("i:CertificateBody", namespaces=NS) == body
    assert error_of(upload(server, user, certs[2])) == (
        409,
        "Sender",
        "LimitExceeded",
        "Cannot exceed quota for CertificatesPerUser: 2",
    )


def test_duplicate_and_malformed_certificates(server, certs):
    user = new_user(server)
    assert upload(server, user, certs[0]).status_code == 200
    assert error_of(upload(server, user, certs[0]))[:3] == (409, "Sender", "DuplicateCertificate")
    assert error_of(upload(server, user, "not a certificate")) == (
        400,
        "Sender",
        "MalformedCertificate",
        "Certificate not a certificate is malformed.",
    )


def test_status_update_and_delete(server, certs):
    user = new_user(server)
    first, second = (xml(upload(server, user, b)).findtext(".//i:CertificateId", namespaces=NS) for b in certs[:2])
    assert call(server, "UpdateSigningCertificate", UserName=user, CertificateId=first, Status="Inactive").ok
    _, _, _, root = listing(server, UserName=user)
    statuses = {
        m.findtext("i:CertificateId", namespaces=NS): m.findtext("i:Status", namespaces=NS)
        for m in root.iterfind(".//i:member", NS)
    }
    assert statuses == {first: "Inactive", second: "Active"}
    assert call(server, "DeleteSigningCertificate", UserName=user, CertificateId=first).ok
    assert listing(server, UserName=user)[0] == [second]
    missing = error_of(call(server, "DeleteSigningCertificate", UserName=user, CertificateId=first))
    assert missing == (404, "Sender", "NoSuchEntity", f"The Certificate with id {first} cannot be found.")


# -- paging, flavours ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("flavour", FLAVOURS, ids=repr)
def test_paging_and_shape_in_every_flavour(flavour, certs):
    marker_spec = operation().response["Marker"]
    with ReferenceServer(flavour=flavour) as server:
        user = new_user(server)
        uploaded = [xml(upload(server, user, b)).findtext(".//i:CertificateId", namespaces=NS) for b in certs[:2]]
        first, truncated, marker, root = listing(server, UserName=user, MaxItems="1")
        assert len(first) == 1 and truncated and marker
        assert not marker_spec.violations(marker)
        assert (root.tag == f"{{{NS['i']}}}ListSigningCertificatesResponse") and text(root, ".//i:RequestId")
        if flavour.namespace_prefix:
            assert root.prefix == flavour.namespace_prefix
        for method in ("GET", "POST"):  # the marker round-trips URL-encoded in a query string and in a form body
            second, truncated, marker2, _ = listing(server, method, UserName=user, MaxItems="1", Marker=marker)
            assert len(second) == 1 and not truncated and marker2 is None
            assert sorted(first + second) == sorted(uploaded)
        whole = walk(server, UserName=user)
        assert whole == walk(server, UserName=user) == walk(server, "POST", UserName=user)
        assert whole == (uploaded[::-1] if flavour.certificate_order == "reverse" else uploaded)
        stamp = text(root, ".//i:UploadDate")
        assert re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d" + (r"\.\d{3}" if flavour.upload_date_precision == "millis" else "") + "Z",
            stamp,
        )
        assert (text(root, "i:ListSigningCertificatesResult/i:UserName") == user) == flavour.result_username
        err = call(server, "ListSigningCertificates", UserName="absent-user")
        assert error_of(err)[2] == "NoSuchEntity"
        if flavour.namespace_prefix:
            assert xml(err).prefix == flavour.namespace_prefix
        if flavour.xml_declaration:
            assert err.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')


def test_extra_elements_are_future_fields_the_open_reading_notes(certs):
    with ReferenceServer(flavour=Flavour(extra_elements=True)) as server:
        user = new_user(server)
        upload(server, user, certs[0])
        body = xml(call(server, "ListSigningCertificates", UserName=user))
        reading = read_against(body, SUCCESS_SCHEMA)
        assert reading.errors == [] and sorted(reading.notes) == [
            "unknown element <CertificatesQuota> in <ListSigningCertificatesResult>",
            "unknown element <HostId> in <ResponseMetadata>",
            "unknown element <PermissionsBoundary> in <member>",
            "unknown element <Tags> in <member>",
        ]
        assert read_against(body, SUCCESS_SCHEMA, strict=True).errors
        error = xml(call(server, "ListSigningCertificates", UserName="absent-user"))
        reading = read_against(error, ERROR_SCHEMA)  # <Detail/> is declared (other query services send it): no note
        assert reading.errors == [] and sorted(reading.notes) == [
            "unknown element <HostId> in <ErrorResponse>",
            "unknown element <Retryable> in <Error>",
        ]
        assert read_against(error, ERROR_SCHEMA, strict=True).errors
    with ReferenceServer(flavour=Flavour()) as plain:
        user = new_user(plain)
        upload(plain, user, certs[0])
        assert read_against(xml(call(plain, "ListSigningCertificates", UserName=user)), SUCCESS_SCHEMA).notes == []


def test_page_cap_shortens_default_page(certs):
    with ReferenceServer(flavour=Flavour(page_cap=1)) as server:
        user = new_user(server)
        for body in certs[:2]:
            upload(server, user, body)
        ids, truncated, marker, _ = listing(server, UserName=user)
        assert len(ids) == 1 and truncated and marker


def test_empty_list_and_full_page(server, certs):
    user = new_user(server)
    ids, truncated, marker, root = listing(server, UserName=user)
    assert (ids, truncated, marker) == ([], False, None)
    assert root.find(".//i:Certificates", NS) is not None
    upload(server, user, certs[0])
    upload(server, user, certs[1])
    assert listing(server, UserName=user, MaxItems="2")[1:3] == (False, None)


def test_exotic_marker_survives_a_raw_query_client(certs):
    # A client that builds the URL itself (urlencode: '+' for space) signs the raw query string.
    with ReferenceServer(flavour=Flavour(marker_style="exotic")) as server:
        user = new_user(server)
        for body in certs[:2]:
            upload(server, user, body)
        _, _, marker, _ = listing(server, UserName=user, MaxItems="1")
        assert " " in marker and "+" in marker and "é" in marker
        query = urlencode(
            {
                "Action": "ListSigningCertificates",
                "Version": "2010-05-08",
                "UserName": user,
                "MaxItems": "1",
                "Marker": marker,
            }
        )
        response = sign(AWSRequest(method="GET", url=f"{server.url}?{query}"), ROOT_ACCESS_KEY, ROOT_SECRET_KEY)
        assert response.status_code == 200, response.text
        assert text(xml(response), ".//i:IsTruncated") == "false"


def test_forged_and_foreign_markers_are_invalid(server, certs):
    owner, other = new_user(server), new_user(server)
    for body in certs[:2]:
        upload(server, owner, body)
    _, _, marker, _ = listing(server, UserName=owner, MaxItems="1")
    invalid = (400, "Sender", "ValidationError", "Invalid Marker.")
    assert error_of(call(server, "ListSigningCertificates", UserName=other, Marker=marker)) == invalid
    assert error_of(call(server, "ListSigningCertificates", UserName=owner, Marker=marker[:-4] + "AAA=")) == invalid
    assert error_of(call(server, "ListSigningCertificates", UserName=owner, Marker="forged")) == invalid
    too_long = error_of(call(server, "ListSigningCertificates", UserName=owner, Marker="x" * 321))
    assert too_long[3] == (
        "1 validation error detected: Value at 'marker' failed to satisfy constraint: "
        "Member must have length less than or equal to 320"
    )


# -- validation and lookup -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "params, clause",
    [
        (
            {"MaxItems": "0"},
            "Value at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1",
        ),
        (
            {"MaxItems": "1001"},
            "Value at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000",
        ),
        ({"MaxItems": "abc"}, "Value at 'maxItems' failed to satisfy constraint: Member must be an integer"),
        (
            {"UserName": "u" * 129},
            "Value at 'userName' failed to satisfy constraint: Member must have length less than or equal to 128",
        ),
        (
            {"UserName": "bad name!"},
            r"Value at 'userName' failed to satisfy constraint: "
            r"Member must satisfy regular expression pattern: [\w+=,.@-]+",
        ),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_validation_errors(server, params, clause, method):
    response = call(server, "ListSigningCertificates", method=method, **params)
    assert error_of(response) == (400, "Sender", "ValidationError", f"1 validation error detected: {clause}")


def test_several_violations_are_counted(server):
    status, _, code, message = error_of(call(server, "ListSigningCertificates", MaxItems="0", UserName="bad name!"))
    assert (status, code) == (400, "ValidationError") and message.startswith("2 validation errors detected: ")
    assert "Value at 'userName'" in message and "Value at 'maxItems'" in message


def test_absent_user_and_other_actions_validate(server):
    assert error_of(call(server, "ListSigningCertificates", UserName="nonexistent-user")) == (
        404,
        "Sender",
        "NoSuchEntity",
        "The user with name nonexistent-user cannot be found.",
    )
    assert error_of(call(server, "GetUser", UserName="bad name!"))[2] == "ValidationError"
    assert error_of(call(server, "DeleteUser"))[3] == (
        "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null"
    )


# -- identity ------------------------------------------------------------------------------------------------
def test_caller_identity_decides_an_omitted_username(server, certs):
    user = new_user(server)
    created = xml(call(server, "CreateAccessKey", UserName=user)).find(".//i:AccessKey", NS)
    key, secret = created.findtext("i:AccessKeyId", namespaces=NS), created.findtext("i:SecretAccessKey", namespaces=NS)
    uploaded = {xml(upload(server, user, b)).findtext(".//i:CertificateId", namespaces=NS) for b in certs[:2]}
    for method in ("GET", "POST"):
        response = call(server, "ListSigningCertificates", method=method, key=key, secret=secret)
        root = xml(response)
        assert {m.findtext("i:CertificateId", namespaces=NS) for m in root.iterfind(".//i:member", NS)} == uploaded
        assert {m.findtext("i:UserName", namespaces=NS) for m in root.iterfind(".//i:member", NS)} == {user}
    assert text(xml(call(server, "GetUser", key=key, secret=secret)), ".//i:UserName") == user
    keys = xml(call(server, "ListAccessKeys", UserName=user)).findall(".//i:AccessKeyMetadata/i:member", NS)
    assert [k.findtext("i:AccessKeyId", namespaces=NS) for k in keys] == [key]
    assert listing(server)[0] == []  # the root's own certificates: none


def test_delete_conflict_then_delete(server, certs):
    user = new_user(server)
    cert_id = xml(upload(server, user, certs[0])).findtext(".//i:CertificateId", namespaces=NS)
    assert error_of(call(server, "DeleteUser", UserName=user)) == (
        409,
        "Sender",
        "DeleteConflict",
        "Cannot delete entity, must delete signing certificates first.",
    )
    assert call(server, "DeleteSigningCertificate", UserName=user, CertificateId=cert_id).ok
    key_id = xml(call(server, "CreateAccessKey", UserName=user)).findtext(".//i:AccessKeyId", namespaces=NS)
    assert error_of(call(server, "DeleteUser", UserName=user))[3] == (
        "Cannot delete entity, must delete access keys first."
    )
    assert call(server, "DeleteAccessKey", UserName=user, AccessKeyId=key_id).ok
    assert call(server, "DeleteUser", UserName=user).ok
    assert error_of(call(server, "GetUser", UserName=user))[2] == "NoSuchEntity"


def test_list_users_by_path(server):
    name = new_user(server, Path="/reference-tests/")
    response = call(server, "ListUsers", PathPrefix="/reference-tests/")
    assert response.status_code == 200, response.text
    users = xml(response).findall(".//i:Users/i:member", NS)
    assert [u.findtext("i:UserName", namespaces=NS) for u in users] == [name]


# -- authentication and protocol errors ----------------------------------------------------------------------
def test_authentication_errors(server):
    unsigned = requests.get(server.url, params={"Action": "ListSigningCertificates", "Version": "2010-05-08"})
    assert error_of(unsigned) == (
        403,
        "Sender",
        "MissingAuthenticationToken",
        "Request is missing Authentication Token",
    )
    for method in ("GET", "POST"):
        assert error_of(call(server, "ListSigningCertificates", method, secret="x" * 40))[:3] == (
            403,
            "Sender",
            "SignatureDoesNotMatch",
        )
    assert error_of(call(server, "ListSigningCertificates", key="AKIAUNKNOWNKEY000000")) == (
        403,
        "Sender",
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
    )
    broken = requests.get(
        server.url,
        params={"Action": "GetUser", "Version": "2010-05-08"},
        headers={"Authorization": "AWS4-HMAC-SHA256 Credential=garbage"},
    )
    assert error_of(broken)[:3] == (400, "Sender", "IncompleteSignature")
    other_service = AWSRequest(method="GET", url=server.url, params={"Action": "GetUser", "Version": "2010-05-08"})
    assert error_of(sign(other_service, ROOT_ACCESS_KEY, ROOT_SECRET_KEY, service="sts"))[2] == "SignatureDoesNotMatch"


def test_tampered_request_fails(server):
    request = AWSRequest(method="GET", url=server.url, params={"Action": "GetUser", "Version": "2010-05-08"})
    SigV4Auth(Credentials(ROOT_ACCESS_KEY, ROOT_SECRET_KEY), "iam", "us-east-1").add_auth(request)
    prepared = request.prepare()
    assert requests.get(prepared.url, headers=dict(prepared.headers)).status_code == 200
    tampered = requests.get(prepared.url + "&UserName=someone", headers=dict(prepared.headers))
    assert error_of(tampered)[2] == "SignatureDoesNotMatch"


@pytest.mark.parametrize(("accepted", "refused"), [("us-east-1", "eu-west-1"), ("cn-north-1", "us-east-1")])
def test_only_the_endpoints_own_credential_scope_is_accepted(accepted, refused):
    """As IAM's endpoints do: iam.amazonaws.com signs for us-east-1 only, the China endpoint for cn-north-1 only."""

    def get_user(url: str, region: str) -> requests.Response:
        request = AWSRequest(method="GET", url=url, params={"Action": "GetUser", "Version": "2010-05-08"})
        SigV4Auth(Credentials(ROOT_ACCESS_KEY, ROOT_SECRET_KEY), "iam", region).add_auth(request)
        prepared = request.prepare()
        return requests.get(prepared.url, headers=dict(prepared.headers), timeout=30)

    with ReferenceServer(app=ReferenceApp(Flavour(), signing_region=accepted)) as endpoint:
        assert get_user(endpoint.url, accepted).status_code == 200
        status, _, code, message = error_of(get_user(endpoint.url, refused))
    assert (status, code) == (403, "SignatureDoesNotMatch")
    assert message.startswith(f"Credential should be scoped to a valid region, not '{refused}'.")


def test_action_errors(server):
    assert error_of(call(server, ""))[:3] == (400, "Sender", "MissingAction")
    assert error_of(call(server, "NoSuchThing")) == (
        400,
        "Sender",
        "InvalidAction",
        "Could not find operation NoSuchThing for version 2010-05-08",
    )
    assert error_of(call(server, "GetUser", Version="2099-01-01"))[2] == "InvalidAction"


def test_unexpected_exception_is_internal_failure():
    class Broken(ReferenceApp):
        def action_GetUser(self, caller, params):
            raise RuntimeError("bug")

    with ReferenceServer(app=Broken(Flavour(element_order="reversed"))) as server:
        response = call(server, "GetUser")
        assert response.headers["Content-Type"] == "text/xml"
        assert error_of(response)[:3] == (500, "Receiver", "InternalFailure")
        assert server.requests_served == 1
        assert isinstance(IamError(503, "ServiceUnavailable", "x").type, str)


def test_start_stop_without_context_manager():
    server = ReferenceServer()
    server.start()
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", server.url)
        assert call(server, "GetUser").status_code == 200
    finally:
        server.stop()
    with pytest.raises(RuntimeError):
        _ = server.url


def test_latency_holds_back_every_answer(monkeypatch):
    from conformance.reference import server as server_module

    waits: list[float] = []
    monkeypatch.setattr(server_module, "time", type("FakeTime", (), {"sleep": staticmethod(waits.append)}))
    with ReferenceServer(latency_s=0.025) as held_back:
        answers = [call(held_back, "ListUsers").status_code for _ in range(3)]
    assert answers == [200] * 3
    assert waits == [0.025] * 3
