"""pagination: walking pages by sending back each Marker, and what a listing means over time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import Future

from hypothesis import strategies as st

from conformance.checks import Judge
from conformance.checks.observations import Walk
from conformance.checks.pagination import (
    deleted_not_listed,
    foreign_marker_not_followed,
    last_page_carries_no_marker,
    listed_with_status,
    listing_matches_model,
    no_foreign_certificates,
    pages_within_max_items,
    same_order_twice,
    truncated_pages_carry_marker,
    truncation_flag_tells_the_truth,
    upload_refused_only_at_quota,
    walk_yields_each_certificate_once,
)
from conformance.contract.spec import operation
from conformance.contract.strategies import valid_values
from conformance.protocol.wire import Exchange
from conformance.suite import batched, beside, requirement
from conformance.suite.fixtures import History
from conformance.world.seeding import SeededUser
from conformance.world.walking import Walker

# Every test here runs beside the others (conformance.suite.side_by_side): its requests overlap theirs.
pytestmark = beside

MAX_ITEMS = operation().parameters["MaxItems"]
ORDER_SAMPLES = 8  # PAG-09: how many times one listing is asked for, to see an order that changes per call
# Small page sizes are where paging happens with a handful of certificates; the whole range is drawn too.
max_items_values = st.one_of(st.integers(1, 3), valid_values(MAX_ITEMS).map(int))


def walks_of(
    seeded_users: list[SeededUser], walker: Walker, values: Sequence[int | None]
) -> Iterator[tuple[SeededUser, Walk]]:
    """(user, walk) for every seeded user and every MaxItems of the batch, walked at once (overlapped)."""
    asks = [(user, max_items) for max_items in values for user in seeded_users]
    walks = walker.many([(user.name, max_items) for user, max_items in asks])
    return zip([user for user, _ in asks], walks, strict=True)


@requirement("PAG-01")
@batched(max_items_values, 1, 2)
def test_walking_all_pages_yields_each_certificate_once(
    values: list[int], seeded_users: list[SeededUser], walker: Walker, judge: Judge
) -> None:
    for user, walk in walks_of(seeded_users, walker, values):
        judge(walk_yields_each_certificate_once, walk, set(user.by_id()))


@requirement("PAG-02")
@batched(max_items_values, 1, 2)
def test_no_page_exceeds_max_items(
    values: list[int], seeded_users: list[SeededUser], walker: Walker, judge: Judge
) -> None:
    for _, walk in walks_of(seeded_users, walker, values):
        judge(pages_within_max_items, walk)


@requirement("PAG-03")
@batched(max_items_values, 1, 2)
def test_is_truncated_tells_whether_items_remain(
    values: list[int], seeded_users: list[SeededUser], walker: Walker, judge: Judge
) -> None:
    for user, walk in walks_of(seeded_users, walker, values):
        judge(truncation_flag_tells_the_truth, walk, len(user.certificates))


@requirement("PAG-04")
@batched(max_items_values, 1)
def test_truncated_pages_carry_a_valid_marker(
    values: list[int], seeded_users: list[SeededUser], walker: Walker, judge: Judge
) -> None:
    for _, walk in walks_of(seeded_users, walker, values):
        judge(truncated_pages_carry_marker, walk)


@requirement("PAG-12")
@batched(max_items_values, 1)
def test_the_last_page_carries_no_marker(
    values: list[int], seeded_users: list[SeededUser], walker: Walker, judge: Judge
) -> None:
    for _, walk in walks_of(seeded_users, walker, values):
        judge(last_page_carries_no_marker, walk)


@requirement("PAG-05")
def test_without_max_items_walking_lists_everything(
    seeded_users: list[SeededUser], walker: Walker, judge: Judge
) -> None:
    for user, walk in walks_of(seeded_users, walker, [None]):
        judge(walk_yields_each_certificate_once, walk, set(user.by_id()))
        judge(pages_within_max_items, walk)


@requirement("PAG-06")
def test_an_inactive_certificate_is_listed_as_inactive(history: Future[History], judge: Judge) -> None:
    made = history.result()
    walk = made.walks["status change"]
    judge(listed_with_status, walk, made.inactive.certificate_id, "Inactive")
    judge(listed_with_status, walk, made.deleted.certificate_id, "Active")


@requirement("PAG-07")
def test_a_deleted_certificate_is_no_longer_listed(history: Future[History], judge: Judge) -> None:
    made = history.result()
    judge(deleted_not_listed, made.walks["deletion"], made.deleted.certificate_id, {made.inactive.certificate_id})


@requirement("PAG-10")
def test_a_deletion_keeps_the_others_statuses_and_frees_its_quota_slot(history: Future[History], judge: Judge) -> None:
    """The sequence where a sibling's deletion rewrites statuses, or a quota counts deleted certificates, shows."""
    made = history.result()
    inactive = made.inactive.certificate_id
    judge(listing_matches_model, made.walks["deletion"], {inactive: "Inactive"})
    uploaded = made.upload_after_deletion
    if isinstance(uploaded, Exchange):  # refused: with one certificate held, only a wrong quota refuses
        judge(upload_refused_only_at_quota, uploaded, 1)  # a deviation, raised; or a policy's refusal, not judged
        return
    judge(
        listing_matches_model,
        made.walks["upload after deletion"],
        {inactive: "Inactive", uploaded.certificate_id: "Active"},
    )


@requirement("PAG-08")
@batched(max_items_values, 1)
def test_a_listing_never_shows_another_users_certificates(
    values: list[int], seeded_users: list[SeededUser], walker: Walker, judge: Judge
) -> None:
    for user, walk in walks_of(seeded_users, walker, values):
        judge(no_foreign_certificates, walk, set(user.by_id()))


@requirement("PAG-08")
def test_a_marker_from_another_users_listing_never_shows_that_user(
    user_with_one_certificate: SeededUser,
    user_with_two_certificates: SeededUser,
    marker_answers: dict[str, Exchange],
    judge: Judge,
) -> None:
    # A Marker says where the next call starts in the listing it came from. Sent with another UserName it is refused
    # (ERR-04 judges that), but whatever the answer, it never continues the other listing.
    if "another user's" in marker_answers:  # else there is no Marker to try (PAG-04 says why)
        judge(
            foreign_marker_not_followed,
            marker_answers["another user's"],
            set(user_with_one_certificate.by_id()),
            set(user_with_two_certificates.by_id()),
        )


@requirement("PAG-09")
def test_the_same_listing_twice_comes_back_in_the_same_order(
    user_with_most_certificates: SeededUser, walker: Walker, judge: Judge
) -> None:
    # An order that changes from call to call (a hash, replicas behind a balancer) agrees with itself half the time
    # on two certificates, and other tests' requests land between these: a one-page listing asked ORDER_SAMPLES
    # times misses such a target once in 2**(ORDER_SAMPLES-1) runs; the paged walk is asked twice.
    for max_items, times in ((None, ORDER_SAMPLES), (1, 2)):
        first, *later = (walker(user_with_most_certificates.name, max_items, cached=False) for _ in range(times))
        for again in later:
            judge(same_order_twice, first, again)


@requirement("PAG-11")
def test_resuming_with_another_max_items_continues_where_the_marker_says(
    user_with_most_certificates: SeededUser, walker: Walker, judge: Judge
) -> None:
    # The Marker says where the next call starts, whatever page size that call asks for: a larger one, or none.
    user = user_with_most_certificates
    for then_max_items in (2, None):
        judge(walk_yields_each_certificate_once, walker(user.name, 1, then_max_items=then_max_items), set(user.by_id()))
