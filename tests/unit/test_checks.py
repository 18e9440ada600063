"""Checks are pure functions over exchanges: each passes on conformant input and fails, by name, on a deviation."""

import importlib
import pkgutil
from pathlib import Path

import pytest

import conformance.suite
from conformance.checks import REGISTRY, Judge, check, load_all
from conformance.checks import pagination as pg
from conformance.checks import responses as rs
from conformance.checks import shape as sh
from conformance.checks.failures import Deviation, NothingToJudge
from conformance.checks.observations import UploadedCertificate
from conformance.contract.spec import data_dir, operation, requirements
from conformance.protocol.wire import Exchange, SentRequest

NS = "https://iam.amazonaws.com/doc/2010-05-08/"
SAMPLE = (data_dir("fixtures") / "page-sample-response.xml").read_bytes()
SAMPLE_ID = "TA7SMEXAMPLEZ26OBPJE7EXAMPLE"


def exchange(body: bytes | str, status: int = 200, content_type: str = "text/xml", method: str = "POST") -> Exchange:
    body = body.encode() if isinstance(body, str) else body
    sent = SentRequest("ListSigningCertificates", {}, method, "http://127.0.0.1:1/", "caller")
    return Exchange(sent, status, {"content-type": content_type}, body)


def listing(
    ids: list[str],
    truncated: str | None = "false",
    marker: str | None = None,
    user: str = "bob",
    status: str = "Active",
) -> Exchange:
    members = "".join(
        f"<member><UserName>{user}</UserName><CertificateId>{i}</CertificateId>"
        f"<CertificateBody>PEM-{i}</CertificateBody><Status>{status}</Status></member>"
        for i in ids
    )
    flag = f"<IsTruncated>{truncated}</IsTruncated>" if truncated is not None else ""
    mark = f"<Marker>{marker}</Marker>" if marker is not None else ""
    return exchange(
        f'<ListSigningCertificatesResponse xmlns="{NS}"><ListSigningCertificatesResult>'
        f"<Certificates>{members}</Certificates>{flag}{mark}</ListSigningCertificatesResult>"
        "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ListSigningCertificatesResponse>"
    )


def error(
    code: str, status: int, message: str = "m", type_: str = "Sender", request_id: str = "<RequestId>r</RequestId>"
):
    return exchange(
        f'<ErrorResponse xmlns="{NS}"><Error><Type>{type_}</Type><Code>{code}</Code>'
        f"<Message>{message}</Message></Error>{request_id}</ErrorResponse>",
        status,
    )


def fails(check_function, *args, **kwargs) -> Deviation:
    with pytest.raises(Deviation) as caught:
        check_function(*args, **kwargs)
    assert caught.value.check == check_function.__name__
    return caught.value


def nothing_to_judge(check_function, *args, **kwargs) -> str:
    with pytest.raises(NothingToJudge) as caught:
        check_function(*args, **kwargs)
    return caught.value.reason


def walk(*pages: Exchange, max_items: int | None = 1, user: str = "bob", stopped: str | None = None) -> pg.Walk:
    return pg.Walk(user, max_items, list(pages), stopped)


A, B = "A" * 32, "B" * 32


def test_shape_checks_on_the_sample_and_its_breakages():
    sh.success_body_matches_schema(exchange(SAMPLE))
    sh.body_in_iam_namespace(exchange(SAMPLE))
    sh.success_carries_request_id(exchange(SAMPLE))
    fails(sh.success_body_matches_schema, exchange(SAMPLE.replace(b"<Status>Active", b"<Status>active")))
    fails(sh.success_body_matches_schema, exchange(b"<html/>", content_type="text/html"))
    fails(sh.body_in_iam_namespace, exchange(SAMPLE.replace(NS.encode(), b"urn:other")))
    fails(sh.success_carries_request_id, exchange(SAMPLE.replace(b"7a62c49f-347e-4fc4-9331-6e8eEXAMPLE", b"")))


def test_members_report_uploaded():
    body = (data_dir("fixtures") / "page-sample-response.xml").read_text()
    pem = body.split("<CertificateBody>")[1].split("</CertificateBody>")[0]
    uploaded = {SAMPLE_ID: UploadedCertificate(SAMPLE_ID, pem)}
    sh.members_report_uploaded(exchange(SAMPLE), "Bob", uploaded)
    assert "UserName" in fails(sh.members_report_uploaded, exchange(SAMPLE), "Alice", uploaded).expected
    fails(sh.members_report_uploaded, exchange(SAMPLE), "Bob", {SAMPLE_ID: UploadedCertificate(SAMPLE_ID, "other")})
    fails(sh.members_report_uploaded, exchange(SAMPLE), "Bob", {})
    inactive = {SAMPLE_ID: UploadedCertificate(SAMPLE_ID, pem, status="Inactive")}
    fails(sh.members_report_uploaded, exchange(SAMPLE), "Bob", inactive)
    dated = SAMPLE.replace(
        b"<Status>Active</Status>", b"<Status>Active</Status><UploadDate>2010-09-08T09:24:47.900Z</UploadDate>"
    )
    at_upload = {SAMPLE_ID: UploadedCertificate(SAMPLE_ID, pem, upload_date="2010-09-08T09:24:47Z")}
    sh.members_report_uploaded(exchange(dated), "Bob", at_upload)  # milliseconds vs seconds: the same instant
    a_day_off = {SAMPLE_ID: UploadedCertificate(SAMPLE_ID, pem, upload_date="2010-09-07T09:24:47Z")}
    fails(sh.members_report_uploaded, exchange(dated), "Bob", a_day_off)
    no_zone = SAMPLE.replace(
        b"<Status>Active</Status>", b"<Status>Active</Status><UploadDate>2010-09-08T09:24:47</UploadDate>"
    )
    fails(sh.members_report_uploaded, exchange(no_zone), "Bob", uploaded)


def test_pagination_checks_on_a_correct_two_page_walk():
    good = walk(listing([A], "true", "é ü+/="), listing([B], "false"))
    pg.walk_yields_each_certificate_once(good, {A, B})
    pg.pages_within_max_items(good)
    pg.truncation_flag_tells_the_truth(good, 2)
    pg.truncated_pages_carry_marker(good)
    pg.no_foreign_certificates(good, {A, B})
    # A short page (legal: "IAM might return fewer results") followed by the rest.
    short = walk(listing([], "true", "m"), listing([A, B], "false"), max_items=5)
    pg.walk_yields_each_certificate_once(short, {A, B})
    pg.truncation_flag_tells_the_truth(short, 2)


@pytest.mark.parametrize(
    "broken,check,args",
    [
        (
            walk(listing([A], "true", "m"), listing([A, B], "false"), max_items=2),
            pg.walk_yields_each_certificate_once,
            ({A, B},),
        ),
        (walk(listing([A], "false")), pg.walk_yields_each_certificate_once, ({A, B},)),
        (
            walk(listing([A], "true", "m"), stopped="still truncated after 12 pages"),
            pg.walk_yields_each_certificate_once,
            ({A},),
        ),
        (walk(listing([A, B], "false")), pg.pages_within_max_items, ()),
        (walk(listing([A, B], None), max_items=None), pg.truncation_flag_tells_the_truth, (2,)),
        (walk(listing([A], "false")), pg.truncation_flag_tells_the_truth, (2,)),
        (walk(listing([A], "True", "m"), listing([B])), pg.truncation_flag_tells_the_truth, (2,)),
        (walk(listing([A], "true")), pg.truncated_pages_carry_marker, ()),
        (walk(listing([A], "true", "\u2192")), pg.truncated_pages_carry_marker, ()),
        (walk(listing([A], "true", "x" * 321)), pg.truncated_pages_carry_marker, ()),
        (walk(listing([A, B], "false")), pg.no_foreign_certificates, ({A},)),
        (walk(listing([A], "false", user="eve")), pg.no_foreign_certificates, ({A},)),
    ],
)
def test_pagination_checks_catch_deviations(broken, check, args):
    fails(check, broken, *args)


def test_listing_meaning_checks():
    pg.listed_with_status(walk(listing([A], status="Inactive")), A, "Inactive")
    fails(pg.listed_with_status, walk(listing([A])), A, "Inactive")
    fails(pg.listed_with_status, walk(listing([B])), A, "Active")
    pg.deleted_not_listed(walk(listing([B])), A, {B})
    fails(pg.deleted_not_listed, walk(listing([A, B])), A, {B})
    fails(pg.deleted_not_listed, walk(listing([])), A, {B})
    pg.same_order_twice(walk(listing([A, B])), walk(listing([A, B])))
    fails(pg.same_order_twice, walk(listing([A, B])), walk(listing([B, A])))


def test_response_checks():
    max_items = operation().parameters["MaxItems"]
    rs.rejected_as_validation_error(
        error("ValidationError", 400, "1 validation error detected: Value at 'maxItems' failed to satisfy constraint"),
        max_items,
    )
    rs.rejected_as_validation_error(error("ValidationError", 400, "Value '0' at 'maxItems' failed"), max_items)
    fails(rs.rejected_as_validation_error, error("ValidationError", 400, "Value at 'userName' failed"), max_items)
    fails(rs.rejected_as_validation_error, error("NoSuchEntity", 404), max_items)
    fails(rs.rejected_as_validation_error, listing([A]), max_items)
    rs.rejected_as_client_error(error("MalformedInput", 400))
    rs.rejected_as_bad_request(error("ValidationError", 400, "Invalid Marker."))
    fails(rs.rejected_as_bad_request, error("NoSuchEntity", 404))
    fails(rs.rejected_as_bad_request, listing([A]))
    fails(rs.rejected_as_client_error, exchange(b"<!doctype html><p>500", 500, "text/html"))
    rs.no_server_error(error("ValidationError", 400))
    fails(rs.no_server_error, error("InternalFailure", 500, type_="Receiver"))
    rs.not_found_names_user(error("NoSuchEntity", 404, "The user with name bob cannot be found."), "bob")
    fails(rs.not_found_names_user, error("NoSuchEntity", 404, "The user cannot be found."), "bob")
    rs.client_error_typed_sender(error("NoSuchEntity", 404))
    fails(rs.client_error_typed_sender, error("NoSuchEntity", 404, type_="Receiver"))
    rs.error_carries_request_id(error("NoSuchEntity", 404))
    fails(rs.error_carries_request_id, error("NoSuchEntity", 404, request_id=""))
    rs.error_with_code(error("InvalidAction", 400), 400, "InvalidAction")
    fails(rs.error_with_code, error("InvalidAction", 404), 400, "InvalidAction")
    rs.xml_content_type(listing([A]))
    fails(rs.xml_content_type, exchange(b"{}", content_type="application/json"))
    rs.accepted_with_listing(listing([A]))
    fails(rs.accepted_with_listing, error("ValidationError", 400))
    rs.listing_unless_an_error(listing([A]))
    nothing_to_judge(rs.listing_unless_an_error, error("ValidationError", 400))
    fails(rs.listing_unless_an_error, exchange(b"<html>500</html>", status=500, content_type="text/html"))
    fails(rs.listing_unless_an_error, exchange(listing([A]).body, status=201))


def test_same_answer_ignores_request_ids_and_markers_only():
    rs.same_answer(listing([A], "true", "m1"), listing([A], "true", "m2"))
    fails(rs.same_answer, listing([A]), listing([B]))
    fails(rs.same_answer, listing([A]), error("InvalidAction", 400))


def test_the_registry_refuses_a_second_check_of_the_same_name():
    load_all()

    with pytest.raises(ValueError, match="registered twice"):

        @check
        def same_order_twice():  # noqa: F811 - the point of the test
            pass


def suite_requirement_ids() -> set[str]:
    found = set()
    for module in pkgutil.iter_modules(conformance.suite.__path__):
        loaded = importlib.import_module(f"conformance.suite.{module.name}")
        for value in vars(loaded).values():
            for mark in getattr(value, "pytestmark", []):
                if mark.name == "requirement":
                    found.add(mark.args[0])
    return found


def test_every_catalogued_requirement_has_a_conformance_test_and_every_check_is_used():
    assert suite_requirement_ids() == set(requirements())
    sources = "".join(p.read_text() for p in Path(conformance.suite.__file__).parent.glob("test_*.py"))
    unused = [name for name in load_all() if name not in sources]
    assert unused == []
    assert REGISTRY


NOT_IAM = exchange(b"<x/>")  # HTTP 200 with something that is no IAM answer at all


def _empty_walk():
    return walk(listing([], "false"))


# Each check given a response of another kind than it judges: nothing to judge (it must not pass vacuously).
NOTHING_TO_JUDGE = [
    *((c, (NOT_IAM,)) for c in ("error_body_matches_schema", "client_error_typed_sender", "error_carries_request_id")),
    *(
        (c, (listing([A]),))
        for c in ("error_body_matches_schema", "client_error_typed_sender", "error_carries_request_id")
    ),
    *((c, (error("NoSuchEntity", 404),)) for c in ("success_body_matches_schema", "success_carries_request_id")),
    ("no_server_error", (NOT_IAM,)),
    ("members_report_uploaded", (NOT_IAM, "bob", {})),
    ("members_report_uploaded", (listing([]), "bob", {})),
    ("body_in_iam_namespace", (exchange(b"not xml"),)),
    ("body_in_iam_namespace", (exchange(b'<ListAllMyBucketsResult xmlns="urn:s3"/>'),)),
    ("pages_within_max_items", (_empty_walk(),)),
    ("no_foreign_certificates", (_empty_walk(), {A})),
    ("truncated_pages_carry_marker", (_empty_walk(),)),
    ("truncated_pages_carry_marker", (walk(listing([A, B], "false")),)),
    ("same_order_twice", (walk(listing([A])), walk(listing([A])))),
]
# ...while a client error without an ErrorResponse body, or a 200 that is no listing, is a deviation.
DEVIATION_NOT_NOTHING = [
    ("client_error_typed_sender", (exchange(b"<!doctype html><p>no", 403, "text/html"),)),
    ("error_carries_request_id", (exchange(b"<!doctype html><p>500", 500, "text/html"),)),
    ("success_body_matches_schema", (NOT_IAM,)),
    ("no_server_error", (exchange(b"<!doctype html><p>500", 500, "text/html"),)),
]


@pytest.mark.parametrize(
    ("name", "args"), NOTHING_TO_JUDGE, ids=[f"{n}-{i}" for i, (n, _) in enumerate(NOTHING_TO_JUDGE)]
)
def test_a_check_given_another_kind_of_response_has_nothing_to_judge(name, args):
    assert nothing_to_judge(load_all()[name], *args)


@pytest.mark.parametrize(("name", "args"), DEVIATION_NOT_NOTHING, ids=[n for n, _ in DEVIATION_NOT_NOTHING])
def test_a_response_that_is_no_answer_of_its_kind_is_a_deviation_not_nothing(name, args):
    fails(load_all()[name], *args)


def test_deviations_are_typed():
    assert fails(rs.error_with_code, error("InvalidAction", 404), 400, "InvalidAction").kind == "status"
    assert fails(sh.body_in_iam_namespace, exchange(SAMPLE.replace(NS.encode(), b"urn:other"))).kind == "body"
    assert fails(pg.no_foreign_certificates, walk(listing([A, B], "false")), {A}).kind == "content"


def test_the_judge_counts_only_real_judgments():
    judge = Judge()
    judge(rs.client_error_typed_sender, listing([A]))
    judge.each(rs.error_carries_request_id, [NOT_IAM, listing([A])])
    assert judge.ledger.judged == 0 and len(judge.ledger.nothing_to_judge) == 3
    judge(rs.client_error_typed_sender, error("NoSuchEntity", 404))
    assert judge.ledger.judged == 1
    with pytest.raises(Deviation):
        judge(rs.client_error_typed_sender, error("NoSuchEntity", 404, type_="Receiver"))


def test_a_policy_refusal_of_the_suites_own_credentials_is_never_judged():
    judge = Judge()
    denied = error("AccessDenied", 403, "User: arn:aws:iam::1:user/ci is not authorized to perform: iam:X")
    judge(rs.error_with_code, denied, 404, "NoSuchEntity")  # the caller's request: nothing about the target
    assert judge.ledger.judged == 0 and "AccessDenied" in judge.ledger.nothing_to_judge[0]
    unsigned = Exchange(
        SentRequest("ListSigningCertificates", {}, "POST", "http://127.0.0.1:1/", "unsigned"),
        403,
        {"content-type": "text/xml"},
        denied.body,
    )
    with pytest.raises(Deviation):  # an unsigned request is not the policy's business: AccessDenied is wrong there
        judge(rs.error_with_code, unsigned, 403, "MissingAuthenticationToken")


def test_a_foreign_marker_may_be_refused_or_ignored_but_never_followed():
    pg.foreign_marker_not_followed(error("ValidationError", 400, "Invalid Marker."), {A}, {B})
    pg.foreign_marker_not_followed(listing([A]), {A}, {B})  # the named user's own listing, from its start
    assert fails(pg.foreign_marker_not_followed, listing([B]), {A}, {B}).kind == "content"
    assert (
        fails(pg.foreign_marker_not_followed, error("InternalFailure", 500, type_="Receiver"), {A}, {B}).kind
        == "status"
    )


def test_error_codes_are_judged_against_iams_vocabulary_exactly():
    for code in (
        "NoSuchEntity",
        "ValidationError",
        "SignatureDoesNotMatch",
        "InvalidClientTokenId",
        "AccessDenied",
        "Throttling",
        "ServiceFailure",
    ):
        rs.error_code_is_iams(error(code, 400))
    assert "InvalidMaxItems" in str(fails(rs.error_code_is_iams, error("InvalidMaxItems", 400)).actual)
    fails(rs.error_code_is_iams, error("validationError", 400))  # SDKs match the case too
    fails(rs.error_code_is_iams, error("NoSuchEntityException", 404))  # boto3's class name, not the wire code
    fails(rs.error_code_is_iams, error("InternalError", 500, type_="Receiver"))
    assert "no XML error" in nothing_to_judge(rs.error_code_is_iams, listing([A]))
    assert "no XML error" in nothing_to_judge(
        rs.error_code_is_iams, exchange(b"<!doctype html><p>500", 500, "text/html")
    )


def test_a_malformed_signature_is_incomplete_with_a_lenient_status():
    rs.malformed_signature_is_incomplete(error("IncompleteSignature", 400))
    rs.malformed_signature_is_incomplete(error("IncompleteSignature", 403))
    fails(rs.malformed_signature_is_incomplete, error("IncompleteSignature", 500, type_="Receiver"))
    fails(rs.malformed_signature_is_incomplete, error("SignatureDoesNotMatch", 403))
    fails(rs.malformed_signature_is_incomplete, error("InternalFailure", 500, type_="Receiver"))
    fails(rs.malformed_signature_is_incomplete, listing([A]))


def _with_request_id(request_id: str) -> Exchange:
    return exchange(
        listing([A]).body.replace(b"<RequestId>r</RequestId>", f"<RequestId>{request_id}</RequestId>".encode())
    )


def test_request_ids_differ_between_answers():
    sh.request_ids_differ([_with_request_id("a"), _with_request_id("b"), _with_request_id("c")])
    same = _with_request_id("a")
    sh.request_ids_differ([same, same, _with_request_id("b")])  # one answer judged twice is one answer
    deviation = fails(sh.request_ids_differ, [_with_request_id("a"), _with_request_id("b"), _with_request_id("a")])
    assert "'a'" in deviation.actual
    sh.request_ids_differ([_with_request_id("a"), error("X", 400, request_id="<RequestId>b</RequestId>")])
    fails(sh.request_ids_differ, [error("X", 400), error("Y", 404)])  # both "r": errors are judged too
    assert "fewer than two" in nothing_to_judge(
        sh.request_ids_differ, [_with_request_id("a"), error("X", 400, request_id="")]
    )
    assert "fewer than two" in nothing_to_judge(sh.request_ids_differ, [_with_request_id(""), _with_request_id(" ")])


def test_the_last_page_carries_no_marker():
    pg.last_page_carries_no_marker(walk(listing([A], "true", "m"), listing([B], "false")))
    deviation = fails(pg.last_page_carries_no_marker, walk(listing([A], "true", "m"), listing([B], "false", "m2")))
    assert "'m2'" in deviation.actual
    fails(pg.last_page_carries_no_marker, walk(listing([A, B], "false", "")))  # an empty Marker is still one
    assert "no page said IsTruncated false" in nothing_to_judge(
        pg.last_page_carries_no_marker, walk(listing([A], "true", "m"))
    )


def _with_header(answer: Exchange, name: str, value: str) -> Exchange:
    return Exchange(answer.request, answer.status, {**answer.headers, name: value}, answer.body)


def test_an_errors_request_id_header_names_the_body_s_request():
    rs.request_id_header_agrees(_with_header(error("NoSuchEntity", 404), "x-amzn-RequestId", "r"))
    rs.request_id_header_agrees(_with_header(error("NoSuchEntity", 404), "X-Amzn-RequestId", " r "))
    deviation = fails(rs.request_id_header_agrees, _with_header(error("NoSuchEntity", 404), "x-amzn-requestid", "s"))
    assert "'s'" in deviation.actual and "'r'" in deviation.actual
    # Lenient where IAM is not recorded: no header, a success, an error without a RequestId in its body.
    assert "x-amzn-RequestId" in nothing_to_judge(rs.request_id_header_agrees, error("NoSuchEntity", 404))
    nothing_to_judge(rs.request_id_header_agrees, _with_header(listing([A]), "x-amzn-RequestId", "other"))
    nothing_to_judge(rs.request_id_header_agrees, _with_header(error("X", 400, request_id=""), "x-amzn-RequestId", "s"))


def test_a_bad_credential_with_an_invalid_parameter_gets_its_403_or_the_parameters_400():
    check = rs.credential_refused_whatever_the_parameters
    check(error("SignatureDoesNotMatch", 403), "SignatureDoesNotMatch")
    check(error("ValidationError", 400), "SignatureDoesNotMatch")  # lenient: IAM's order is not recorded
    fails(check, error("NoSuchEntity", 404), "SignatureDoesNotMatch")  # a lookup's answer to a bad credential
    fails(check, error("InvalidClientTokenId", 403), "SignatureDoesNotMatch")  # another credential's code
    fails(check, error("ValidationError", 403), "SignatureDoesNotMatch")
    fails(check, error("InternalFailure", 500, type_="Receiver"), "MissingAuthenticationToken")
    fails(check, listing([A]), "MissingAuthenticationToken")
