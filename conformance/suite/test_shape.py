"""shape: what every body looks like (schemas/*.xsd), and that members report what was uploaded."""

from __future__ import annotations

import time

from conformance.checks import Judge
from conformance.checks.responses import listing_unless_an_error, no_server_error
from conformance.checks.shape import (
    body_in_iam_namespace,
    empty_list_for_user_without_certificates,
    error_body_matches_schema,
    members_report_uploaded,
    request_ids_differ,
    success_body_matches_schema,
    success_carries_request_id,
    upload_date_is_when_uploaded,
    upload_dates_agree,
)
from conformance.protocol.client import IamClient
from conformance.protocol.wire import Exchange
from conformance.suite import beside, requirement, waits_on_the_clock
from conformance.suite.fixtures import Target
from conformance.world.seeding import SeededUser, Seeder, SeedingError
from conformance.world.walking import Walker

# Every test here runs beside the others (conformance.suite.side_by_side): its requests overlap theirs.
pytestmark = beside

STEP_S = 1.1  # UploadDate has second precision: listings this far apart show a date that moves


def success_pages(seeded_users: list[SeededUser], walker: Walker) -> list[Exchange]:
    """Whole listings and single-item pages (truncated ones carry a Marker) of every seeded user."""
    return [page for user in seeded_users for max_items in (None, 1) for page in walker(user.name, max_items).pages]


@requirement("SHAPE-01")
def test_every_success_body_validates_against_the_response_schema(
    seeded_users: list[SeededUser], walker: Walker, judge: Judge, conformance_target: Target
) -> None:
    judge.each(
        success_body_matches_schema,
        success_pages(seeded_users, walker),
        strict=conformance_target.settings.strict_schema,
    )


@requirement("SHAPE-01")
def test_the_callers_own_listing_validates_before_any_user_is_made(
    walker: Walker, judge: Judge, conformance_target: Target
) -> None:
    # The caller's own certificates (UserName omitted), which need nothing the run makes: judged even when the
    # target's other actions are too broken for the run to set its users up. The walk is PROTO-01's own, when it ran.
    for page in walker(None, None).pages:
        judge(no_server_error, page)  # whoever the caller is (a role's session may get an error), never a 5xx
        judge(listing_unless_an_error, page)  # whether the caller may list is ID-01's and ID-02's to judge
        judge(success_body_matches_schema, page, strict=conformance_target.settings.strict_schema)


@requirement("SHAPE-02")
def test_every_error_body_validates_against_the_error_schema(
    error_samples: dict[str, Exchange], judge: Judge, conformance_target: Target
) -> None:
    judge.each(error_body_matches_schema, error_samples.values(), strict=conformance_target.settings.strict_schema)


@requirement("SHAPE-03")
def test_bodies_use_the_iam_namespace(
    seeded_users: list[SeededUser], walker: Walker, error_samples: dict[str, Exchange], judge: Judge
) -> None:
    judge.each(body_in_iam_namespace, success_pages(seeded_users, walker) + list(error_samples.values()))


@requirement("SHAPE-04")
def test_every_success_carries_a_request_id(seeded_users: list[SeededUser], walker: Walker, judge: Judge) -> None:
    pages = success_pages(seeded_users, walker)
    judge.each(success_carries_request_id, pages)
    judge(request_ids_differ, pages)


@requirement("SHAPE-05")
def test_members_report_the_uploaded_certificates(seeded_users: list[SeededUser], walker: Walker, judge: Judge) -> None:
    for user in seeded_users:
        judge.each(members_report_uploaded, walker(user.name, None).pages, user.name, user.by_id())


@requirement("SHAPE-05")
def test_an_upload_is_listed_whatever_the_upload_answered(
    seeder: Seeder, walker: Walker, iam: IamClient, judge: Judge, conformance_target: Target
) -> None:
    # A user and an upload of its own, apart from the shared users: judged even when those cannot be made. The
    # upload's own answer is UploadSigningCertificate's, not the page's: when it cannot be read (no CertificateId)
    # or is an error, the listing of that user is judged all the same, for what every listing must be.
    strict = conformance_target.settings.strict_schema
    user = seeder.user("one-upload")
    try:
        seeder.fill(user, 1)
    except SeedingError as failed:
        page = iam.call("ListSigningCertificates", {"UserName": user.name})
        judge(no_server_error, page)
        judge(success_body_matches_schema, page, strict=strict)
        if failed.exchange.status != 200:
            raise  # refused: what the listing shows is judged; what was uploaded is unknown
        return
    pages = walker(user.name, None).pages
    judge.each(success_body_matches_schema, pages, strict=strict)
    judge.each(members_report_uploaded, pages, user.name, user.by_id())


@requirement("SHAPE-06")
def test_a_user_without_certificates_gets_an_empty_list(
    user_without_certificates: SeededUser, walker: Walker, judge: Judge
) -> None:
    judge(empty_list_for_user_without_certificates, walker(user_without_certificates.name, None).pages[0])


@requirement("SHAPE-07")
@waits_on_the_clock
def test_upload_dates_are_when_the_certificates_were_uploaded(
    seeded_users: list[SeededUser], walker: Walker, judge: Judge
) -> None:
    for user in seeded_users:
        judge.each(upload_date_is_when_uploaded, walker(user.name, None).pages, user.by_id())
    # The same instant in a listing made a second or more after the upload was answered: a date rendered at
    # listing time (or rounded differently each time) moves. The first seeded user holding a certificate, whatever
    # order the uploads were answered in: which requests a run sends depends on its seed only, never on timing.
    user = next(user for user in seeded_users if user.certificates)
    answered = max((c.answered_at or 0.0) for c in user.certificates)
    time.sleep(max(0.0, answered + STEP_S - time.time()))
    later = walker(user.name, None, cached=False).pages
    judge(upload_dates_agree, walker(user.name, None).pages + later, user.by_id())
