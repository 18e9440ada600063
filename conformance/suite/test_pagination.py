"""pagination: walking pages by sending back each Marker, and what a listing means over time."""
from hypothesis import example, given
from hypothesis import strategies as st

from conformance.checks.pagination import (Walk, deleted_not_listed, listed_with_status, listing_matches_model,
                                           no_foreign_certificates, pages_within_max_items, same_order_twice,
                                           truncated_pages_carry_marker, truncation_flag_tells_the_truth,
                                           upload_refused_only_at_quota, walk_yields_each_certificate_once)
from conformance.spec import operation
from conformance.strategies import valid_values
from conformance.suite import follow, requirement
from conformance.wire import Exchange, read_listing

MAX_ITEMS = operation().parameters["MaxItems"]
# Small page sizes are where paging happens with a handful of certificates; the whole range is drawn too.
max_items_values = st.one_of(st.integers(1, 3), valid_values(MAX_ITEMS).map(int))


@requirement("PAG-01")
@given(max_items=max_items_values)
@example(max_items=1)
def test_walking_all_pages_yields_each_certificate_once(max_items, seeded_users, walker, judge):
    for user in seeded_users:
        judge(walk_yields_each_certificate_once, walker(user.name, max_items), set(user.by_id()))


@requirement("PAG-02")
@given(max_items=max_items_values)
@example(max_items=1)
def test_no_page_exceeds_max_items(max_items, seeded_users, walker, judge):
    for user in seeded_users:
        judge(pages_within_max_items, walker(user.name, max_items))


@requirement("PAG-03")
@given(max_items=max_items_values)
@example(max_items=1)
def test_is_truncated_tells_whether_items_remain(max_items, seeded_users, walker, judge):
    for user in seeded_users:
        judge(truncation_flag_tells_the_truth, walker(user.name, max_items), len(user.certificates))


@requirement("PAG-04")
@given(max_items=max_items_values)
@example(max_items=1)
def test_truncated_pages_carry_a_valid_marker(max_items, seeded_users, walker, judge):
    for user in seeded_users:
        judge(truncated_pages_carry_marker, walker(user.name, max_items))


@requirement("PAG-05")
def test_without_max_items_walking_lists_everything(seeded_users, walker, judge):
    for user in seeded_users:
        walk = walker(user.name, None)
        judge(walk_yields_each_certificate_once, walk, set(user.by_id()))
        judge(pages_within_max_items, walk)


@requirement("PAG-06")
def test_an_inactive_certificate_is_listed_as_inactive(history, judge):
    walk = history.walks["status change"]
    judge(listed_with_status, walk, history.inactive.certificate_id, "Inactive")
    judge(listed_with_status, walk, history.deleted.certificate_id, "Active")


@requirement("PAG-07")
def test_a_deleted_certificate_is_no_longer_listed(history, judge):
    judge(deleted_not_listed, history.walks["deletion"], history.deleted.certificate_id,
          {history.inactive.certificate_id})


@requirement("PAG-10")
def test_a_deletion_keeps_the_others_statuses_and_frees_its_quota_slot(history, judge):
    """The sequence where a sibling's deletion rewrites statuses, or a quota counts deleted certificates, shows."""
    inactive = history.inactive.certificate_id
    judge(listing_matches_model, history.walks["deletion"], {inactive: "Inactive"})
    uploaded = history.upload_after_deletion
    if isinstance(uploaded, Exchange):  # refused: with one certificate held, only a wrong quota refuses
        judge(upload_refused_only_at_quota, uploaded, 1)
    judge(listing_matches_model, history.walks["upload after deletion"],
          {inactive: "Inactive", uploaded.certificate_id: "Active"})


@requirement("PAG-08")
@given(max_items=max_items_values)
def test_a_listing_never_shows_another_users_certificates(max_items, seeded_users, walker, judge):
    for user in seeded_users:
        judge(no_foreign_certificates, walker(user.name, max_items), set(user.by_id()))


@requirement("PAG-08")
def test_a_marker_from_another_users_listing_never_shows_that_user(user_with_one_certificate,
                                                                    user_with_two_certificates, walker, iam, judge):
    # A Marker says where the next call starts in the listing it came from. Sent with another UserName it may be
    # refused, or resume the named user's listing (IAM's answer is not recorded), but never continue the other one.
    theirs = read_listing(walker(user_with_two_certificates.name, 1).pages[0])
    own = Walk(user_with_one_certificate.name, 1)
    if theirs is not None and theirs.marker:
        params = {"UserName": own.user_name, "MaxItems": "1", "Marker": theirs.marker}
        own.pages.append(iam.call("ListSigningCertificates", params))
    judge(no_foreign_certificates, own, set(user_with_one_certificate.by_id()))


@requirement("PAG-09")
def test_the_same_listing_twice_comes_back_in_the_same_order(user_with_most_certificates, walker, judge):
    for max_items in (None, 1):
        first = walker(user_with_most_certificates.name, max_items, cached=False)
        second = walker(user_with_most_certificates.name, max_items, cached=False)
        judge(same_order_twice, first, second)


@requirement("PAG-11")
def test_resuming_with_another_max_items_continues_where_the_marker_says(user_with_most_certificates, judge, iam):
    # The Marker says where the next call starts, whatever page size that call asks for: a larger one, or none.
    user = user_with_most_certificates
    for then_max_items in (2, None):
        judge(walk_yields_each_certificate_once, follow(iam, user.name, 1, then_max_items), set(user.by_id()))
