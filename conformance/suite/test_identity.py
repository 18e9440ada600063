"""identity: with UserName omitted, the signing access key decides whose certificates are listed."""

from __future__ import annotations

from collections.abc import Callable

from conformance.checks import Judge
from conformance.checks.pagination import (
    caller_listing_is_the_callers_own,
    no_foreign_certificates,
    walk_yields_each_certificate_once,
)
from conformance.protocol.caller import Caller
from conformance.protocol.client import Identity
from conformance.suite import beside, requirement
from conformance.world.seeding import SeededUser
from conformance.world.walking import Walker

# Every test here runs beside the others (conformance.suite.side_by_side): its requests overlap theirs.
pytestmark = beside


@requirement("ID-01")
def test_without_user_name_the_signing_users_certificates_are_listed(
    user_with_two_certificates: SeededUser,
    identity_of: Callable[[SeededUser], Identity],
    walker: Walker,
    judge: Judge,
) -> None:
    user = user_with_two_certificates
    walk = walker(None, None, identity=identity_of(user))
    walk.user_name = user.name
    judge(walk_yields_each_certificate_once, walk, set(user.by_id()))
    judge(no_foreign_certificates, walk, set(user.by_id()))


@requirement("ID-02")
def test_without_user_name_the_callers_own_credentials_list_the_callers_own(
    created_certificate_ids: set[str], walker: Walker, judge: Judge, caller: Caller
) -> None:
    # The root's own certificates are never touched: the suite only reads what the caller's listing holds, and that
    # none of it belongs to the users the suite created. Who the caller is, the target itself says (`caller`).
    judge(caller_listing_is_the_callers_own, walker(None, None), created_certificate_ids, caller)
