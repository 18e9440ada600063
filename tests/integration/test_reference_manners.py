"""Real IAM's manners in the reference, as options: a role's temporary credentials, enforced identity-based policies,
and listings that lag behind writes. Over HTTP on loopback where the wire matters, on the Store where time does
(its clock is turned by hand: no test here waits for a lag to pass).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conformance.protocol.client import IamClient, Identity
from conformance.protocol.wire import read_error, read_listing
from conformance.reference import ACCOUNT_ID, ROOT_ACCESS_KEY, ROOT_SECRET_KEY, ReferenceApp, ReferenceServer, Store
from conformance.reference.policy import allows
from conformance.reference.store import ROOT
from conformance.world.certificates import new_certificate_pem

RECORDED = Path(__file__).resolve().parents[2] / "fixtures" / "recorded"
ROOT_IDENTITY = Identity("root", Credentials(ROOT_ACCESS_KEY, ROOT_SECRET_KEY))


@pytest.fixture
def served():
    """(store, server, root client) of a fresh reference whose Store the test configures before requests."""
    made = []

    def serve(store: Store):
        server = ReferenceServer(app=ReferenceApp(store=store)).start()
        client = IamClient(server.url, "us-east-1", ROOT_IDENTITY)
        made.append((server, client))
        return server, client

    yield serve
    for server, client in made:
        client.close()
        server.stop()


def error_of(exchange) -> tuple[int, str | None, str | None, str | None]:
    error = read_error(exchange)
    assert error is not None, exchange.body
    return exchange.status, error.type, error.code, error.message


def recorded_error(name: str) -> tuple[str | None, str | None]:
    from lxml import etree

    root = etree.fromstring((RECORDED / name).read_bytes())
    ns = {"i": "https://iam.amazonaws.com/doc/2010-05-08/"}
    return root.findtext("i:Error/i:Code", namespaces=ns), root.findtext("i:Error/i:Message", namespaces=ns)


# -- temporary credentials of a role -------------------------------------------------------------------------------
@pytest.fixture
def role(served):
    store = Store()
    issued = store.issue_session(role_name="ci-role", session_name="run")
    server, root = served(store)
    assert root.call("CreateUser", {"UserName": "alice"}).status == 200
    return server, root, issued


def test_a_session_has_a_temporary_key_id_a_secret_and_a_token():
    issued = Store().issue_session()
    assert issued.access_key_id.startswith("ASIA") and len(issued.access_key_id) == 20
    assert len(issued.secret) == 40 and len(issued.token) > 100
    assert issued.principal.arn == f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/iam-conformance-ci/ci"


def test_a_role_session_signed_with_its_token_is_served(role):
    server, root, issued = role
    signed = Identity("role", Credentials(issued.access_key_id, issued.secret, issued.token))
    exchange = root.call("ListSigningCertificates", {"UserName": "alice"}, identity=signed)
    assert exchange.status == 200 and read_listing(exchange) is not None


@pytest.mark.parametrize("token", [None, "a-token-of-another-session"])
def test_a_temporary_key_without_its_token_is_an_invalid_token(role, token):
    server, root, issued = role
    unsigned_token = Identity("role", Credentials(issued.access_key_id, issued.secret, token))
    exchange = root.call("ListSigningCertificates", {"UserName": "alice"}, identity=unsigned_token)
    assert error_of(exchange)[:3] == (403, "Sender", "InvalidClientTokenId")


def test_a_token_sent_but_left_out_of_the_signature_is_an_invalid_token(role):
    server, root, issued = role
    request = AWSRequest(
        method="GET",
        url=server.url,
        params={"Action": "ListSigningCertificates", "Version": "2010-05-08", "UserName": "alice"},
    )
    SigV4Auth(Credentials(issued.access_key_id, issued.secret), "iam", "us-east-1").add_auth(request)
    prepared = request.prepare()
    headers = dict(prepared.headers) | {"X-Amz-Security-Token": issued.token}
    response = requests.get(prepared.url, headers=headers, timeout=10)
    assert response.status_code == 403 and b"<Code>InvalidClientTokenId</Code>" in response.content


def test_a_wrong_secret_with_the_right_token_does_not_match(role):
    server, root, issued = role
    wrong = Identity("role", Credentials(issued.access_key_id, issued.secret[::-1] + "x", issued.token))
    exchange = root.call("ListSigningCertificates", {"UserName": "alice"}, identity=wrong)
    assert error_of(exchange)[:3] == (403, "Sender", "SignatureDoesNotMatch")


@pytest.mark.parametrize("action", ["ListSigningCertificates", "GetUser"])
def test_user_name_omitted_by_a_role_is_the_recorded_validation_error(role, action):
    server, root, issued = role
    signed = Identity("role", Credentials(issued.access_key_id, issued.secret, issued.token))
    status, kind, code, message = error_of(root.call(action, {}, identity=signed))
    assert (status, kind) == (400, "Sender")
    assert (code, message) == recorded_error("ls-delete-access-key-non-user-credentials.xml")


# -- identity-based policies ---------------------------------------------------------------------------------------
def own_read_policy() -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["iam:ListSigningCertificates", "iam:getuser"],
                    "Resource": "arn:aws:iam::*:user/team/*/${aws:username}",
                },
                {"Effect": "Deny", "Action": "iam:GetUser", "Resource": "*"},
            ],
        }
    )


@pytest.fixture
def enforced(served):
    store = Store(enforce_policies=True)
    bob = store.create_user("bob", "/team/a/")
    store.put_user_policy(bob, "own", own_read_policy())
    key = store.create_access_key(bob)
    server, root = served(store)
    return server, root, Identity("bob", Credentials(key.access_key_id, key.secret))


def test_an_allowed_action_on_an_allowed_resource_is_served(enforced):
    server, root, bob = enforced
    assert root.call("ListSigningCertificates", {"UserName": "bob"}, identity=bob).status == 200
    assert root.call("ListSigningCertificates", {}, identity=bob).status == 200  # bob himself, by his own key


def test_anything_else_is_access_denied_in_the_recorded_shape(enforced):
    server, root, bob = enforced
    assert root.call("CreateUser", {"UserName": "carol", "Path": "/team/a/"}).status == 200
    for action, params, resource in (
        ("ListSigningCertificates", {"UserName": "carol"}, "user/team/a/carol"),  # another user's
        ("CreateUser", {"UserName": "dave", "Path": "/team/a/"}, "user/team/a/dave"),  # an action not granted
        ("GetUser", {}, "user/team/a/bob"),  # granted, but explicitly denied
        ("ListSigningCertificates", {"UserName": "nobody"}, "user/nobody"),
    ):  # an absent user: no path
        status, kind, code, message = error_of(root.call(action, params, identity=bob))
        assert (status, kind, code) == (403, "Sender", "AccessDenied")
        assert message == (
            f"User: arn:aws:iam::{ACCOUNT_ID}:user/team/a/bob is not authorized to perform "
            f"iam:{action} on resource: arn:aws:iam::{ACCOUNT_ID}:{resource}"
        )
    recorded_code, recorded_message = recorded_error("ls-access-denied.xml")
    assert recorded_code == "AccessDenied" and " is not authorized to perform iam:" in recorded_message


def test_the_root_is_never_restricted_and_policies_are_off_by_default(enforced, served):
    server, root, bob = enforced
    assert root.call("CreateUser", {"UserName": "erin"}).status == 200
    store = Store()
    frank = store.create_user("frank")
    key = store.create_access_key(frank)
    _, open_root = served(store)
    assert (
        open_root.call(
            "CreateUser", {"UserName": "gina"}, identity=Identity("frank", Credentials(key.access_key_id, key.secret))
        ).status
        == 200
    )


def test_every_call_is_counted_with_its_caller_action_resource_and_verdict(enforced):
    server, root, bob = enforced
    root.call("ListSigningCertificates", {"UserName": "bob"}, identity=bob)
    root.call("ListSigningCertificates", {"UserName": "bob"}, identity=bob)
    root.call("DeleteUser", {"UserName": "bob"}, identity=bob)
    bob_arn = f"arn:aws:iam::{ACCOUNT_ID}:user/team/a/bob"
    assert server.app.call_counts[(bob_arn, "iam:ListSigningCertificates", bob_arn, True)] == 2
    assert server.app.call_counts[(bob_arn, "iam:DeleteUser", bob_arn, False)] == 1


@pytest.mark.parametrize(
    "statement, action, resource, expected",
    [
        ({"Effect": "Allow", "Action": "iam:List*", "Resource": "*"}, "iam:ListUsers", "arn:aws:iam::1:user/", True),
        ({"Effect": "Allow", "Action": "iam:List*", "Resource": "*"}, "iam:GetUser", "arn:aws:iam::1:user/x", False),
        ({"Effect": "Allow", "Action": "IAM:LISTUSERS", "Resource": "*"}, "iam:ListUsers", "x", True),  # case-blind
        (
            {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::1:user/a/*"},
            "iam:GetUser",
            "arn:aws:iam::1:user/a/b/c",
            True,
        ),  # * spans slashes
        (
            {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::1:user/A?"},
            "iam:GetUser",
            "arn:aws:iam::1:user/a1",
            False,
        ),  # resources are case-sensitive
        (
            {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::1:user/${aws:userid}"},
            "iam:GetUser",
            "arn:aws:iam::1:user/",
            False,
        ),  # an unknown variable matches nothing
        (
            {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*", "Condition": {"Bool": {"aws:x": "true"}}},
            "iam:GetUser",
            "x",
            False,
        ),  # what the reference cannot evaluate grants nothing
    ],
)
def test_policy_statements(statement, action, resource, expected):
    document = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    assert allows([document], action, resource) is expected


# -- eventual consistency --------------------------------------------------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def shown(store: Store, owner) -> dict[str, str]:
    return {c.certificate_id: c.status for c in store.listed_certificates(owner)}


def test_a_listing_shows_each_users_certificates_as_they_were_lag_seconds_ago():
    clock = Clock()
    store = Store(consistency_lag_s=2.0, clock=clock)
    user, other = store.create_user("u"), store.create_user("v")
    a = store.upload_certificate(user, "a", b"a").certificate_id
    clock.now += 1.0
    b = store.upload_certificate(user, "b", b"b").certificate_id
    store.upload_certificate(other, "c", b"c")
    assert shown(store, user) == {} and shown(store, other) == {}
    clock.now += 1.0
    assert shown(store, user) == {a: "Active"}
    clock.now += 1.0
    assert shown(store, user) == {a: "Active", b: "Active"}
    store.update_certificate(user, a, "Inactive")
    clock.now += 0.5
    store.delete_certificate(user, b)
    assert shown(store, user) == {a: "Active", b: "Active"}  # neither write seen yet
    clock.now += 1.5
    assert shown(store, user) == {a: "Inactive", b: "Active"}  # the status change seen, the delete not yet
    clock.now += 0.5
    assert shown(store, user) == {a: "Inactive"}
    assert {c.certificate_id for c in store.certificates_of(user)} == {a}  # quotas and lookups: at once


def test_a_lagging_listing_over_http_pages_the_earlier_state(served):
    clock = Clock()
    store = Store(consistency_lag_s=5.0, visibility_lag_s=0.0, clock=clock)  # the listing's lag, not the user's
    server, root = served(store)
    assert root.call("CreateUser", {"UserName": "u"}).status == 200
    ids = []
    for _ in range(2):
        done = root.call("UploadSigningCertificate", {"UserName": "u", "CertificateBody": new_certificate_pem("u")})
        assert done.status == 200
        ids.append(store.certificates_of(store.get_user("u"))[-1].certificate_id)
    clock.now += 6.0
    store.delete_certificate(store.get_user("u"), ids[0])
    first = read_listing(root.call("ListSigningCertificates", {"UserName": "u", "MaxItems": "1"}))
    assert first.ids == [ids[0]] and first.truncated
    second = read_listing(
        root.call("ListSigningCertificates", {"UserName": "u", "MaxItems": "1", "Marker": first.marker})
    )
    assert second.ids == [ids[1]] and not second.truncated
    clock.now += 5.0
    assert read_listing(root.call("ListSigningCertificates", {"UserName": "u"})).ids == [ids[1]]


def test_without_a_lag_nothing_is_kept():
    store = Store()
    user = store.create_user("u")
    certificate = store.upload_certificate(user, "a", b"a")
    store.update_certificate(user, certificate.certificate_id, "Inactive")
    store.delete_certificate(user, certificate.certificate_id)
    assert store.listed_certificates(user) == [] and not any(store._unseen.values())
    assert ROOT.kind == "root" and user.kind == "user"
