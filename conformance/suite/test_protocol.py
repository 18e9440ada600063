"""protocol: the query protocol's two transports, unknown actions, and XML responses."""

from __future__ import annotations

from conformance.checks import Judge
from conformance.checks.pagination import same_walk
from conformance.checks.responses import (
    accepted_with_listing,
    error_with_code,
    request_id_header_agrees,
    same_answer,
    xml_content_type,
)
from conformance.contract.spec import operation
from conformance.contract.strategies import allowed_special_characters
from conformance.protocol.client import IamClient
from conformance.protocol.wire import Exchange
from conformance.suite import beside, requirement
from conformance.world.seeding import SeededUser, Seeder
from conformance.world.walking import Walker

# Every test here runs beside the others (conformance.suite.side_by_side): its requests overlap theirs.
pytestmark = beside

SPECIALS = "".join(allowed_special_characters(operation().parameters["UserName"]))  # _+=,.@- for UserName


@requirement("PROTO-01")
def test_get_and_post_give_the_same_answer(
    iam: IamClient, user_with_two_certificates: SeededUser, judge: Judge
) -> None:
    for params in (
        {"UserName": user_with_two_certificates.name},
        {"UserName": user_with_two_certificates.name, "MaxItems": "1"},
    ):
        posted = iam.call("ListSigningCertificates", params, method="POST")
        got = iam.call("ListSigningCertificates", params, method="GET")
        judge(same_answer, posted, got)


@requirement("PROTO-01")
def test_get_and_post_walk_every_page_alike(
    user_with_two_certificates: SeededUser, walker: Walker, judge: Judge
) -> None:
    # Resumed pages too: the Marker goes back over the same transport, whatever characters it holds.
    name = user_with_two_certificates.name
    judge(same_walk, walker(name, 1), walker(name, 1, method="GET"))


@requirement("PROTO-01")
def test_get_and_post_agree_on_names_with_every_allowed_character(
    iam: IamClient, seeder: Seeder, walker: Walker, run_id: str, judge: Judge
) -> None:
    # '+' is where form and query decoding part ways (a space to a lax decoder); an absent user's error names
    # exactly what the target read, and an existing user's listing shows whether it found that user.
    for name in (f"ic+{run_id}+absent", f"ic{SPECIALS}{run_id}-absent"):
        posted = iam.call("ListSigningCertificates", {"UserName": name}, method="POST")
        judge(same_answer, posted, iam.call("ListSigningCertificates", {"UserName": name}, method="GET"))
    user = seeder.fill(seeder.user(f"p{SPECIALS}q"), 1)
    walker(user.name, None)  # once a listing shows the upload (IAM is eventually consistent)
    posted = iam.call("ListSigningCertificates", {"UserName": user.name}, method="POST")
    judge(accepted_with_listing, posted)
    judge(same_answer, posted, iam.call("ListSigningCertificates", {"UserName": user.name}, method="GET"))


@requirement("PROTO-02")
def test_an_unknown_action_is_invalid(error_samples: dict[str, Exchange], judge: Judge) -> None:
    judge(error_with_code, error_samples["unknown action"], 400, "InvalidAction")


@requirement("PROTO-03")
def test_responses_are_xml(
    seeded_users: list[SeededUser], walker: Walker, error_samples: dict[str, Exchange], judge: Judge
) -> None:
    judge.each(xml_content_type, [walker(u.name, None).pages[0] for u in seeded_users] + list(error_samples.values()))


@requirement("PROTO-04")
def test_an_errors_request_id_header_names_the_same_request(error_samples: dict[str, Exchange], judge: Judge) -> None:
    judge.each(request_id_header_agrees, error_samples.values())
