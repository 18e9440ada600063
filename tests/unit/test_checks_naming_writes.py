"""The checks of whose listing a request names and of listings across writes: each passes on conformant input,
fails on a deviation by name, and has nothing to judge where it should not judge."""

import pytest
from test_checks import A, B, error, exchange, fails, listing, nothing_to_judge, walk

from conformance.checks import naming as nm
from conformance.checks import shape as sh
from conformance.checks import writes as wr
from conformance.checks.observations import UploadedCertificate, same_body
from conformance.contract.spec import operation

C = "C" * 32
MAX_ITEMS, MARKER = operation().parameters["MaxItems"], operation().parameters["Marker"]


def test_a_named_user_is_listed_whoever_signs():
    bobs = walk(listing([A]), user="bob")
    nm.named_user_listed(bobs, {A}, {B})
    assert "signer's own" in fails(nm.named_user_listed, walk(listing([B]), user="bob"), {A}, {B}).actual
    fails(nm.named_user_listed, walk(listing([]), user="bob"), {A}, {B})  # none of the named user's
    fails(nm.named_user_listed, walk(listing([A], user="eve"), user="bob"), {A}, {B})  # members naming another
    fails(nm.named_user_listed, walk(error("NoSuchEntity", 404), user="bob"), {A}, {B})
    refused = error("AccessDenied", 403, "User: arn:aws:iam::1:user/x is not authorized")
    assert "AccessDenied" in nothing_to_judge(nm.named_user_listed, walk(refused, user="bob"), {A}, {B})


def test_a_name_in_another_case_is_that_user_or_no_one():
    variant = walk(listing([A, B], user="bob"), user="BOB")
    nm.case_variant_names_that_user(variant, "bob", {A, B})
    nm.case_variant_names_that_user(walk(listing([A, B], user="BOB"), user="BOB"), "bob", {A, B})
    nm.case_variant_names_that_user(walk(error("NoSuchEntity", 404), user="BOB"), "bob", {A, B})
    assert "empty list" in fails(nm.case_variant_names_that_user, walk(listing([]), user="BOB"), "bob", {A, B}).actual
    fails(nm.case_variant_names_that_user, walk(listing([C], user="bob"), user="BOB"), "bob", {A, B})
    fails(nm.case_variant_names_that_user, walk(listing([A, B], user="eve"), user="BOB"), "bob", {A, B})
    fails(nm.case_variant_names_that_user, walk(error("ValidationError", 400), user="BOB"), "bob", {A, B})


def test_validation_comes_before_any_lookup():
    message = "1 validation error detected: Value at 'maxItems' failed to satisfy constraint"
    nm.rejected_before_lookup(error("ValidationError", 400, message), MAX_ITEMS, False)
    not_found = error("NoSuchEntity", 404, "The user with name x cannot be found.")
    fails(nm.rejected_before_lookup, not_found, MAX_ITEMS, False)
    fails(nm.rejected_before_lookup, listing([]), MAX_ITEMS, False)
    non_user = error("ValidationError", 400, "Must specify userName when calling with non-User credentials")
    fails(nm.rejected_before_lookup, non_user, MAX_ITEMS, False)  # a user's credentials: the value is at fault
    nm.rejected_before_lookup(non_user, MAX_ITEMS, True)  # credentials of no user: either may come first
    fails(nm.rejected_before_lookup, error("ValidationError", 400, "Value at 'userName' failed"), MARKER, True)


def test_is_truncated_after_writes_tells_what_is_left():
    wr.truncation_after_writes(listing([], "false"), {A}, {A})  # the rest was deleted: nothing left
    wr.truncation_after_writes(listing([B], "false"), {A}, {A, B})
    wr.truncation_after_writes(listing([], "true", "m"), {A}, {A, B})  # a short page while B remains: legal
    deviation = fails(wr.truncation_after_writes, listing([], "true", "m"), {A}, {A})
    assert "every certificate left" in deviation.expected
    fails(wr.truncation_after_writes, listing([], "false"), {A}, {A, B})
    fails(wr.truncation_after_writes, listing([], None), {A}, {A})
    fails(wr.truncation_after_writes, error("ValidationError", 400, "Invalid Marker."), {A}, {A})


def test_an_upload_after_a_deletion_gets_an_id_of_its_own():
    first, second = UploadedCertificate(A, "PEM-1"), UploadedCertificate(B, "PEM-2")
    wr.certificate_ids_name_one_certificate([first, second, UploadedCertificate(C, "PEM-3")])
    fails(wr.certificate_ids_name_one_certificate, [first, second, UploadedCertificate(B, "PEM-3")])
    assert "fewer than two" in nothing_to_judge(wr.certificate_ids_name_one_certificate, [first])


def test_bodies_compare_as_uploaded_after_xml_end_of_line_handling_only():
    sent = "-----BEGIN CERTIFICATE-----\r\nMIIB\r\n-----END CERTIFICATE-----\r\n"
    assert same_body(sent, sent)
    assert same_body(sent, sent.replace("\r\n", "\n"))  # a CR written as such reaches every reader as LF
    assert same_body(sent, "\n" + sent.rstrip())  # blanks around the PEM: whether IAM keeps them is unknown
    assert not same_body(sent, sent.replace("\r", " "))  # a CR turned into a blank
    assert not same_body(sent, sent.replace("\r\n", "\n\n"))
    assert not same_body(sent, sent.replace("MIIB", "MI IB"))


@pytest.mark.parametrize(
    ("listed", "holds"),
    [
        ("2010-09-08T09:24:47Z", True),
        ("2010-09-08T09:24:47.900Z", True),  # another precision, the same second
        ("2010-09-08T09:24:48Z", False),  # the next second: another date
        ("2010-09-08T10:24:47+01:00", True),  # the same instant in another zone
    ],
)
def test_upload_dates_agree_to_the_second(listed: str, holds: bool):
    dated = listing([A]).body.replace(b"<Status>Active</Status>", f"<UploadDate>{listed}</UploadDate>".encode())
    uploaded = {A: UploadedCertificate(A, "PEM-" + A, upload_date="2010-09-08T09:24:47Z")}
    pages = [exchange(dated), exchange(dated)]
    if holds:
        sh.upload_dates_agree(pages, uploaded)
    else:
        fails(sh.upload_dates_agree, pages, uploaded)
