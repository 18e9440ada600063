"""Whose listing a request names: UserName decides, whoever signs and whatever the case of its letters; a request
naming no one, or no one who exists, is validated before anyone is looked up."""

from __future__ import annotations

from collections.abc import Callable

from conformance.checks import Judge
from conformance.checks.naming import case_variant_names_that_user, named_user_listed, rejected_before_lookup
from conformance.contract.spec import operation
from conformance.protocol.caller import Caller
from conformance.protocol.client import IamClient, Identity
from conformance.protocol.wire import Exchange
from conformance.suite import beside, requirement
from conformance.world.seeding import SeededUser
from conformance.world.walking import Walker

# Every test here runs beside the others (conformance.suite.side_by_side): its requests overlap theirs.
pytestmark = beside

PARAMETERS = operation().parameters
MAX_ITEMS, MARKER = PARAMETERS["MaxItems"], PARAMETERS["Marker"]


@requirement("PAG-08")
def test_a_users_key_naming_another_user_lists_that_users_certificates(
    user_with_one_certificate: SeededUser,
    user_with_two_certificates: SeededUser,
    identity_of: Callable[[SeededUser], Identity],
    walker: Walker,
    judge: Judge,
) -> None:
    # The signer's own certificates answer a name that is not the signer's: the request's UserName decides. Where a
    # policy keeps the signer to itself (the suite's self-read policy on real IAM), AccessDenied is the answer.
    named, signer = user_with_one_certificate, user_with_two_certificates
    walk = walker(named.name, None, identity=identity_of(signer))
    judge(named_user_listed, walk, set(named.by_id()), set(signer.by_id()))


@requirement("PARAM-11")
def test_a_name_in_another_case_is_that_user_or_no_one(
    user_with_two_certificates: SeededUser, walker: Walker, judge: Judge
) -> None:
    # IAM names are not distinguished by case (CreateUser: "you cannot create resources named both 'MyResource' and
    # 'myresource'"): the name in capitals is this user's, or, to a lookup that keeps case, no one's.
    user = user_with_two_certificates
    judge(case_variant_names_that_user, walker(user.name.upper(), None), user.name, set(user.by_id()))


@requirement("PARAM-10")
def test_validation_comes_before_any_lookup(
    iam: IamClient, error_samples: dict[str, Exchange], caller: Caller, judge: Judge
) -> None:
    # Invalid values naming a user who does not exist (made once per run for the error checks), and with UserName
    # omitted: the same ValidationError as for an existing user. Without UserName, credentials of no user may also
    # be told to name one (which of the two IAM says first is not recorded).
    non_user = not caller.kind.is_a_user  # a role's or federated session, or a caller the target did not name
    judge(rejected_before_lookup, error_samples["MaxItems=0"], MAX_ITEMS, False)
    judge(rejected_before_lookup, error_samples["Marker over 320"], MARKER, False)
    too_long = "m" * (MARKER.limit("max_length") + 1)
    unnamed = iam.map("ListSigningCertificates", [{"MaxItems": "0"}, {"Marker": too_long}])
    judge(rejected_before_lookup, unnamed[0], MAX_ITEMS, non_user)
    judge(rejected_before_lookup, unnamed[1], MARKER, non_user)
