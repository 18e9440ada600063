"""Who the caller's credentials are, as the target tells it (conformance.protocol.caller), and ID-02 judged by it:
a user's own session lists that user's certificates; only credentials of no user get the ValidationError."""

from __future__ import annotations

import pytest
from test_checks import NS, A, B, error, exchange, fails, listing, walk

from conformance.checks import pagination as pg
from conformance.protocol.caller import NON_USER_MESSAGE, Caller, CallerKind, caller_of

ACCOUNT = "123456789012"


def get_user(arn: str) -> str:
    return (
        f'<GetUserResponse xmlns="{NS}"><GetUserResult><User><UserName>ci</UserName><Arn>{arn}</Arn></User>'
        "</GetUserResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetUserResponse>"
    )


@pytest.mark.parametrize(
    ("answer", "kind", "arn"),
    [
        (exchange(get_user(f"arn:aws:iam::{ACCOUNT}:user/ci")), CallerKind.USER, f"arn:aws:iam::{ACCOUNT}:user/ci"),
        (exchange(get_user(f"arn:aws:iam::{ACCOUNT}:root")), CallerKind.ROOT, f"arn:aws:iam::{ACCOUNT}:root"),
        (error("ValidationError", 400, NON_USER_MESSAGE), CallerKind.ROLE, None),
        (
            error(
                "AccessDenied",
                403,
                f"User: arn:aws:sts::{ACCOUNT}:assumed-role/ci/s is not authorized to perform: "
                "iam:GetUser on resource: x",
            ),
            CallerKind.ROLE,
            f"arn:aws:sts::{ACCOUNT}:assumed-role/ci/s",
        ),
        (
            error(
                "AccessDenied",
                403,
                f"User: arn:aws:sts::{ACCOUNT}:federated-user/bob is not authorized to perform: iam:GetUser",
            ),
            CallerKind.FEDERATED,
            f"arn:aws:sts::{ACCOUNT}:federated-user/bob",
        ),
        (
            error(
                "AccessDenied",
                403,
                f"User: arn:aws:iam::{ACCOUNT}:user/iam-conformance/ci is not authorized to perform: iam:GetUser",
            ),
            CallerKind.USER,
            f"arn:aws:iam::{ACCOUNT}:user/iam-conformance/ci",
        ),
        (error("ValidationError", 400, "1 validation error detected"), CallerKind.UNKNOWN, None),
        (exchange(b"<!doctype html><p>no", 404, "text/html"), CallerKind.UNKNOWN, None),
    ],
)
def test_the_target_tells_who_the_caller_is(answer, kind, arn):
    found = caller_of(answer)
    assert (found.kind, found.arn) == (kind, arn) and found.basis


USER = Caller(CallerKind.USER, f"arn:aws:iam::{ACCOUNT}:user/ci", "told")
ROOT = Caller(CallerKind.ROOT, f"arn:aws:iam::{ACCOUNT}:root", "told")
ROLE = Caller(CallerKind.ROLE, None, "told")
UNKNOWN = Caller(CallerKind.UNKNOWN, None, "not told")
NON_USER = error("ValidationError", 400, NON_USER_MESSAGE)


@pytest.mark.parametrize("caller", [USER, ROOT])
def test_credentials_that_act_as_a_user_list_that_users_own_certificates(caller):
    notes = pg.caller_listing_is_the_callers_own(walk(listing([A], user="ci")), {B}, caller)
    assert notes and caller.kind in notes[0]
    assert fails(pg.caller_listing_is_the_callers_own, walk(NON_USER), {B}, caller).kind == "status"
    assert fails(pg.caller_listing_is_the_callers_own, walk(listing([B])), {B}, caller).kind == "content"


def test_credentials_of_no_user_get_the_validation_error_and_nothing_else():
    pg.caller_listing_is_the_callers_own(walk(NON_USER), {B}, ROLE)
    assert fails(pg.caller_listing_is_the_callers_own, walk(listing([A])), {B}, ROLE).kind == "status"


def test_a_caller_the_target_did_not_name_may_get_either_answer():
    pg.caller_listing_is_the_callers_own(walk(NON_USER), {B}, UNKNOWN)
    pg.caller_listing_is_the_callers_own(walk(listing([A])), {B}, UNKNOWN)
    assert fails(pg.caller_listing_is_the_callers_own, walk(listing([B])), {B}, UNKNOWN).kind == "content"
