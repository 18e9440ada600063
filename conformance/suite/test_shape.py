"""shape: what every body looks like (schemas/*.xsd), and that members report what was uploaded."""
from conformance.checks.shape import (body_in_iam_namespace, empty_list_for_user_without_certificates,
                                      error_body_matches_schema, members_report_uploaded,
                                      success_body_matches_schema, success_carries_request_id)
from conformance.suite import requirement


def success_pages(seeded_users, walker):
    """Whole listings and single-item pages (truncated ones carry a Marker) of every seeded user."""
    return [page for user in seeded_users for max_items in (None, 1) for page in walker(user.name, max_items).pages]


def error_pages(error_samples):
    # Only bodies that are errors are judged here; whether each *should* be an error is another requirement's.
    return [exchange for exchange in error_samples.values() if exchange.status >= 400]


@requirement("SHAPE-01")
def test_every_success_body_validates_against_the_response_schema(seeded_users, walker):
    for page in success_pages(seeded_users, walker):
        success_body_matches_schema(page)


@requirement("SHAPE-02")
def test_every_error_body_validates_against_the_error_schema(error_samples):
    for exchange in error_pages(error_samples):
        error_body_matches_schema(exchange)


@requirement("SHAPE-03")
def test_bodies_use_the_iam_namespace(seeded_users, walker, error_samples):
    for exchange in success_pages(seeded_users, walker) + error_pages(error_samples):
        if exchange.root is not None:
            body_in_iam_namespace(exchange)


@requirement("SHAPE-04")
def test_every_success_carries_a_request_id(seeded_users, walker):
    for page in success_pages(seeded_users, walker):
        success_carries_request_id(page)


@requirement("SHAPE-05")
def test_members_report_the_uploaded_certificates(seeded_users, walker):
    for user in seeded_users:
        for page in walker(user.name, None).pages:
            members_report_uploaded(page, user.name, user.by_id())


@requirement("SHAPE-06")
def test_a_user_without_certificates_gets_an_empty_list(user_without_certificates, walker):
    empty_list_for_user_without_certificates(walker(user_without_certificates.name, None).pages[0])
