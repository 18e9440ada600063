"""Listings across writes (the run's History): pages read after a deletion and after status changes, UploadDate
across a status change, certificate ids across a deletion and a new upload."""

from __future__ import annotations

import time
from concurrent.futures import Future

from conformance.checks import Judge
from conformance.checks.observations import Walk
from conformance.checks.pagination import deleted_not_listed, listed_with_status, listing_matches_model
from conformance.checks.pagination import truncation_flag_tells_the_truth as truncation_tells_the_truth
from conformance.checks.shape import upload_dates_agree
from conformance.checks.writes import certificate_ids_name_one_certificate, truncation_after_writes
from conformance.protocol.wire import Exchange, read_listing
from conformance.suite import beside, requirement, waits_on_the_clock
from conformance.suite.fixtures import History
from conformance.world.seeding import SeededUser, Seeder
from conformance.world.walking import Walker

# Every test here runs beside the others (conformance.suite.side_by_side): its requests overlap theirs.
pytestmark = beside

STEP_S = 1.1  # UploadDate has second precision: a write this long after an upload would show in a moved date


def _held(made: History) -> dict[str, int]:
    """How many certificates the user held at each walk of the History."""
    after_upload = 1 if isinstance(made.upload_after_deletion, Exchange) else 2
    return {
        "before deletion, paged": 2,
        "status change": 2,
        "deletion": 1,
        "upload after deletion": after_upload,
        "all inactive, paged": after_upload,
    }


@requirement("PAG-03")
def test_is_truncated_tells_what_is_left_on_every_page_after_writes(history: Future[History], judge: Judge) -> None:
    # Every page of every walk of the History; and the first page's Marker resumed after a certificate that page
    # did not show was deleted: nothing is left to list, whatever the count was when the walk began.
    made = history.result()
    for name, held in _held(made).items():
        if name in made.walks:
            judge(truncation_tells_the_truth, made.walks[name], held)
    if made.resumed_after_deletion is not None:
        first = read_listing(made.walks["before deletion, paged"].pages[0])
        listed = {cid or "" for cid in first.ids} if first else set()
        judge(truncation_after_writes, made.resumed_after_deletion, listed, {made.inactive.certificate_id})


@requirement("PAG-07")
def test_a_page_read_after_a_deletion_never_shows_it(history: Future[History], judge: Judge) -> None:
    made = history.result()
    if made.resumed_after_deletion is not None:
        resumed = Walk(made.user.name, 1, [made.resumed_after_deletion])
        judge(deleted_not_listed, resumed, made.deleted.certificate_id, set())


@requirement("PAG-06")
def test_every_page_lists_every_certificate_whatever_its_status(history: Future[History], judge: Judge) -> None:
    # MaxItems=1 over two Inactive certificates: whichever page each lands on, it is listed, as Inactive.
    made = history.result()
    walk = made.walks.get("all inactive, paged")
    if walk is None:  # the upload after the deletion was refused (PAG-10 judges that)
        return
    expected = {c.certificate_id: "Inactive" for c in made.uploads if c is not made.deleted}
    judge(listing_matches_model, walk, expected)
    for certificate_id in expected:
        judge(listed_with_status, walk, certificate_id, "Inactive")


@requirement("SHAPE-07")
@waits_on_the_clock
def test_upload_dates_hold_across_pages_and_status_changes(
    history: Future[History], seeded_users: list[SeededUser], seeder: Seeder, walker: Walker, judge: Judge
) -> None:
    # Across the pages of every walk (whole listings and one certificate a page), and after a status change made a
    # second or more after the upload: UpdateSigningCertificate changes the status, never the date.
    pages = [page for user in seeded_users for max_items in (None, 1) for page in walker(user.name, max_items).pages]
    judge(upload_dates_agree, pages, {c.certificate_id: c for user in seeded_users for c in user.certificates})
    made = history.result()
    first = next(c for c in made.user.certificates if c.certificate_id == made.inactive.certificate_id)
    time.sleep(max(0.0, (made.inactive.answered_at or 0.0) + STEP_S - time.time()))
    seeder.set_status(made.user, first, "Active")
    after = walker(made.user.name, None, cached=False).pages
    walked = [page for walk in made.walks.values() for page in walk.pages]
    judge(upload_dates_agree, walked + after, {c.certificate_id: c for c in made.uploads})


@requirement("SHAPE-08")
def test_an_upload_after_a_deletion_gets_an_id_of_its_own(history: Future[History], judge: Judge) -> None:
    judge(certificate_ids_name_one_certificate, history.result().uploads)
