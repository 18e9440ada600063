"""Cleanup asks the target only about what a user may hold, and still leaves nothing behind."""

from __future__ import annotations

import pytest
from botocore.credentials import Credentials

from conformance.protocol.client import IamClient, Identity
from conformance.reference import ROOT_ACCESS_KEY, ROOT_SECRET_KEY, Flavour, ReferenceApp, ReferenceServer
from conformance.world.certificates import new_certificate_pem
from conformance.world.seeding import Seeder


class RecordsActions(ReferenceApp):
    def __init__(self) -> None:
        super().__init__(Flavour())
        self.calls: list[tuple[str, str]] = []

    def resolve_action(self, params: dict[str, str]) -> str:
        action = super().resolve_action(params)
        self.calls.append((action, params.get("UserName", "")))
        return action


@pytest.fixture
def target():
    app = RecordsActions()
    with ReferenceServer(app=app) as server:
        client = IamClient(server.url, "us-east-1", Identity("root", Credentials(ROOT_ACCESS_KEY, ROOT_SECRET_KEY)))
        yield app, client
        client.close()


def test_cleanup_lists_only_what_the_seeder_tried_to_create(target):
    app, client = target
    seeder = Seeder(client, "0123abcd-test")
    bare, with_certificate, with_key = seeder.user("bare"), seeder.fill(seeder.user("cert"), 1), seeder.user("key")
    seeder.access_key(with_key)
    app.calls.clear()

    assert seeder.cleanup() == []

    def sent_for(user) -> list[str]:
        return [action for action, name in app.calls if name == user.name]

    assert sent_for(bare) == ["DeleteUser"]
    assert sent_for(with_certificate) == ["ListSigningCertificates", "DeleteSigningCertificate", "DeleteUser"]
    # The listings side by side, then the deletions side by side, then the user.
    listings, deletions, last = sent_for(with_key)[:2], sent_for(with_key)[2:4], sent_for(with_key)[4:]
    assert sorted(listings) == ["ListAccessKeys", "ListUserPolicies"]
    assert sorted(deletions) == ["DeleteAccessKey", "DeleteUserPolicy"] and last == ["DeleteUser"]
    assert app.store.list_users() == []


def test_a_user_found_under_the_run_path_but_never_recorded_is_emptied_and_deleted(target):
    app, client = target
    seeder = Seeder(client, "0123abcd-test")
    # Made behind the Seeder's back (as a call whose answer was lost would leave it): only ListUsers finds it.
    name = "ic-0123abcd-test-orphan"
    assert client.call("CreateUser", {"UserName": name, "Path": seeder.path}).status == 200
    assert (
        client.call("UploadSigningCertificate", {"UserName": name, "CertificateBody": new_certificate_pem(name)}).status
        == 200
    )
    assert client.call("CreateAccessKey", {"UserName": name}).status == 200
    seeder.created_anything = True  # the Seeder had tried to create something: its path is listed at cleanup

    assert seeder.cleanup() == []

    sent = [action for action, user in app.calls if user == name][-6:]
    # Everything a leftover may hold is listed, what is found deleted, then the user.
    assert sorted(sent[:3]) == ["ListAccessKeys", "ListSigningCertificates", "ListUserPolicies"]
    assert sorted(sent[3:5]) == ["DeleteAccessKey", "DeleteSigningCertificate"] and sent[5] == "DeleteUser"
    assert app.store.list_users() == []


def test_a_seeder_that_created_nothing_asks_nothing_at_cleanup(target):
    app, client = target
    assert Seeder(client, "0123abcd-test").cleanup() == []
    assert app.calls == []  # no ListUsers: --read-only credentials may not list users at all
