"""The implicit listing (UserName omitted) under every identity and both transports: the signing user's own
certificates, its members and its Result naming that user, over GET as over POST."""

from __future__ import annotations

from collections.abc import Callable

from conformance.checks import Judge
from conformance.checks.pagination import get_and_post_agree, no_foreign_certificates, walk_yields_each_certificate_once
from conformance.checks.shape import members_report_uploaded
from conformance.protocol.client import Identity
from conformance.suite import beside, requirement
from conformance.world.seeding import SeededUser
from conformance.world.walking import Walker

# Every test here runs beside the others (conformance.suite.side_by_side): its requests overlap theirs.
pytestmark = beside


@requirement("ID-01")
def test_the_implicit_listing_names_the_signing_user_over_get_and_post(
    user_with_two_certificates: SeededUser,
    identity_of: Callable[[SeededUser], Identity],
    walker: Walker,
    judge: Judge,
) -> None:
    # Its members (and the Result's own UserName, when there is one) name the user the key belongs to, its bodies,
    # statuses and dates are the uploads'; over GET, the page's sample transport, the same.
    user = user_with_two_certificates
    for method in ("POST", "GET"):
        walk = walker(None, None, identity=identity_of(user), method=method)
        walk.user_name = user.name  # whom the walk lists: the key's user
        judge(walk_yields_each_certificate_once, walk, set(user.by_id()))
        judge(no_foreign_certificates, walk, set(user.by_id()))
        judge.each(members_report_uploaded, walk.pages, user.name, user.by_id())


@requirement("PROTO-01")
def test_get_and_post_agree_on_the_implicit_listing_under_every_identity(
    user_with_two_certificates: SeededUser,
    identity_of: Callable[[SeededUser], Identity],
    walker: Walker,
    judge: Judge,
) -> None:
    # The caller's own credentials and a user's access key: the same pages, or the same refusal (whether a refusal
    # is right is ID-01's and ID-02's to judge; that GET and POST agree is this one's).
    for identity in (None, identity_of(user_with_two_certificates)):
        posted, got = walker(None, None, identity=identity), walker(None, None, identity=identity, method="GET")
        judge(get_and_post_agree, posted, got)
