"""Real IAM comes out conformant: every check that applies to a recorded response (fixtures/recorded/) accepts it.

Each recording is judged with the expectation the suite itself would hold in that situation (the user it asked
about, the member a validation message names, the code a requirement expects). Where a recording disagrees with
a check, the check is wrong. A check is not run where everything it judges is a stand-in (manifest `stand_ins`:
values the recording redacted or did not keep), nor on a status the recording did not keep.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from typing import NamedTuple

import pytest

from conformance.checks import load_all
from conformance.checks.observations import UploadedCertificate, Walk
from conformance.contract.spec import Parameter, data_dir, operation
from conformance.protocol.caller import Caller, CallerKind
from conformance.protocol.wire import Exchange, SentRequest, child, read_listing, result_element, text

RECORDED = data_dir("fixtures") / "recorded"
MANIFEST = json.loads((RECORDED / "manifest.json").read_text(encoding="utf-8"))
ENTRIES = {entry["file"]: entry for entry in MANIFEST["fixtures"]}
BODIES = ("success", "error", "upload")  # kinds kept as the bytes of an answer; "quoted" and "snapshot" are not
# The answers IAM gives: its own, and the query front end's fault envelope (an unknown Action), whichever service it
# was recorded from; another service's own answers (STS's, SES's) are evidence by analogy, not judged as IAM's.
JUDGED = {
    file
    for file, entry in ENTRIES.items()
    if entry["kind"] in ("success", "error")
    and (entry.get("service", "iam") == "iam" or b"AWSFault/2005-15-09" in (RECORDED / file).read_bytes())
}
CHECKS = load_all()
ROLE = Caller(CallerKind.ROLE, None, "the recording's caller: an assumed role's session")
# A recording of a listing the suite may ask for: what the suite expects of it (the recordings sent no MaxItems).
LISTINGS = [
    "cap2010-list-signing-certificates.xml",
    "ls-list-active.xml",
    "ls-list-inactive.xml",
    "ls-list-after-delete.xml",
]
# Checks no recording can judge yet, and why (manifest `not_found_recorded`).
EXCUSED = {
    "named_user_listed": "no listing signed by one user's key and naming another user has been recorded",
    "case_variant_names_that_user": "no listing of a user's name in another case has been recorded",
    "truncation_after_writes": "no page resumed from a Marker after a write has been recorded",
    "certificate_ids_name_one_certificate": "no recording holds two uploads, one after a deletion",
    "same_answer": "no GET/POST pair of the same listing has been recorded",
    "same_walk": "no GET/POST pair of the same listing has been recorded",
    "get_and_post_agree": "no GET/POST pair of the same listing has been recorded",
    "same_order_twice": "no listing of two or more certificates has been recorded twice",
    "upload_date_is_when_uploaded": "a recording holds no reading of the suite's own clock around an upload",
    "malformed_signature_is_incomplete": "IAM's IncompleteSignature is recorded by code and message only (no body)",
    "request_ids_differ": "one recorded listing keeps its real RequestId (LocalStack's snapshots replace them)",
}


def exchange(file: str) -> Exchange:
    entry = ENTRIES[file]
    params = {key: value for key, value in entry["request"].items()}
    sent = SentRequest(entry["action"], params, "POST", "https://iam.amazonaws.com/", "recorded")
    headers = {"content-type": entry["content_type"]} if entry["content_type"] else {}
    headers |= entry.get("headers", {})  # the other headers the recording shows (x-amzn-RequestId)
    return Exchange(sent, entry["status"], headers, (RECORDED / file).read_bytes())


def recorded(file: str, value: str) -> bool:
    return value not in ENTRIES[file]["stand_ins"]


def walk_of(file: str) -> Walk:
    return Walk(ENTRIES[file]["request"].get("UserName"), None, [exchange(file)])


def listed_ids(file: str) -> set[str]:
    return {c.certificate_id for c in read_listing(exchange(file)).certificates}


def uploaded(file: str) -> dict[str, UploadedCertificate]:
    """What was uploaded: the recorded upload where there is one, else what the listing reports (stand-ins)."""
    upload = ENTRIES[file].get("uploaded_by")
    if upload is not None:
        certificate = child(result_element(exchange(upload), "UploadSigningCertificate"), "Certificate")
        found = [
            UploadedCertificate(
                text(child(certificate, "CertificateId")),
                text(child(certificate, "CertificateBody")),
                text(child(certificate, "Status")),
                text(child(certificate, "UploadDate")),
            )
        ]
    else:
        found = [
            UploadedCertificate(c.certificate_id, c.body, c.status, c.upload_date)
            for c in read_listing(exchange(file)).certificates
        ]
    return {c.certificate_id: c for c in found}


def parameter_named(member: str) -> Parameter:
    """The request parameter a validation message names: ListSigningCertificates' own, or another action's."""
    ours = [p for p in operation().parameters.values() if p.member == member]
    return ours[0] if ours else dataclasses.replace(operation().parameters["UserName"], name=member, member=member)


class Judgement(NamedTuple):
    file: str
    check: str
    arguments: Callable[[], tuple]  # built when the test runs, so a broken fixture fails one test, not collection

    @property
    def id(self) -> str:
        return f"{self.file.removesuffix('.xml')}:{self.check}"


def _shape(file: str) -> list[Judgement]:
    entry, one = ENTRIES[file], (lambda: (exchange(file),))
    status_kept = entry["status_recorded"]
    judged = [Judgement(file, "body_in_iam_namespace", one)]
    if entry["kind"] == "success":
        judged += [Judgement(file, "success_body_matches_schema", one), Judgement(file, "accepted_with_listing", one)]
        judged.append(Judgement(file, "listing_unless_an_error", one))
        if recorded(file, "RequestId"):
            judged.append(Judgement(file, "success_carries_request_id", one))
    else:
        judged += [Judgement(file, "error_body_matches_schema", one), Judgement(file, "error_code_is_iams", one)]
        if recorded(file, "RequestId"):
            judged.append(Judgement(file, "error_carries_request_id", one))
        if recorded(file, "Type") and status_kept:
            judged.append(Judgement(file, "client_error_typed_sender", one))
        if status_kept:
            judged += [Judgement(file, "rejected_as_client_error", one), Judgement(file, "no_server_error", one)]
            if entry["status"] == 400:
                judged.append(Judgement(file, "rejected_as_bad_request", one))
    if entry["content_type"]:
        judged.append(Judgement(file, "xml_content_type", one))
    if "x-amzn-RequestId" in entry.get("headers", {}) and recorded(file, "RequestId"):
        judged.append(Judgement(file, "request_id_header_agrees", one))
    return judged


def _situation(file: str) -> list[Judgement]:
    entry, ex = ENTRIES[file], (lambda: exchange(file))
    judged = []
    if "names_user" in entry:  # ERR-01: the suite names the absent user it asked for
        judged.append(Judgement(file, "not_found_names_user", lambda: (ex(), entry["names_user"])))
    if "names_member" in entry:  # PARAM-02/05/06/07: the message names the member at fault
        judged.append(
            Judgement(file, "rejected_as_validation_error", lambda: (ex(), parameter_named(entry["names_member"])))
        )
        judged.append(  # PARAM-10: the same answer, whoever the request named
            Judgement(file, "rejected_before_lookup", lambda: (ex(), parameter_named(entry["names_member"]), False))
        )
    if file == "ls-mfa-invalid-marker.xml":  # PAG-08: a Marker IAM did not issue for this listing is refused
        judged.append(Judgement(file, "foreign_marker_not_followed", lambda: (ex(), set(), set())))
    if "held" in entry:  # the quota: refused only when the user already holds two
        judged.append(Judgement(file, "upload_refused_only_at_quota", lambda: (ex(), entry["held"])))
    if file == "ls-delete-access-key-non-user-credentials.xml":  # ID-02: UserName omitted, non-user credentials
        judged.append(
            Judgement(file, "caller_listing_is_the_callers_own", lambda: (Walk(None, None, [ex()]), set(), ROLE))
        )
    if entry["stand_ins"] == {} and "InvalidClientTokenId" in entry["shows"]:  # AUTH-03's expectation
        judged.append(Judgement(file, "error_with_code", lambda: (ex(), 403, "InvalidClientTokenId")))
        judged.append(  # AUTH-04: a bad credential's answer, whatever the parameters
            Judgement(file, "credential_refused_whatever_the_parameters", lambda: (ex(), "InvalidClientTokenId"))
        )
    return judged


def _listing(file: str) -> list[Judgement]:
    walk = lambda: walk_of(file)  # noqa: E731
    statuses = lambda: {c.certificate_id: c.status for c in read_listing(exchange(file)).certificates}  # noqa: E731
    judged = [
        Judgement(file, "walk_yields_each_certificate_once", lambda: (walk(), listed_ids(file))),
        Judgement(file, "pages_within_max_items", lambda: (walk(),)),
        Judgement(file, "truncation_flag_tells_the_truth", lambda: (walk(), len(listed_ids(file)))),
        Judgement(file, "truncated_pages_carry_marker", lambda: (walk(),)),
        Judgement(file, "last_page_carries_no_marker", lambda: (walk(),)),
        Judgement(file, "no_foreign_certificates", lambda: (walk(), listed_ids(file))),
        Judgement(file, "listing_matches_model", lambda: (walk(), statuses())),
    ]
    if listed_ids(file):  # SHAPE-05 and PAG-06: each member is the upload, with the status it was set to
        judged.append(
            Judgement(
                file,
                "members_report_uploaded",
                lambda: (exchange(file), ENTRIES[file]["request"]["UserName"], uploaded(file)),
            )
        )
        judged += [
            Judgement(file, "listed_with_status", lambda i=i, s=s: (walk(), i, s)) for i, s in statuses().items()
        ]
    return judged


def plan() -> list[Judgement]:
    judged = [j for file in sorted(JUDGED) for j in _shape(file) + _situation(file)]
    judged += [j for file in LISTINGS for j in _listing(file)]
    # PAG-07 and SHAPE-06: the listing right after DeleteSigningCertificate no longer shows the certificate
    deleted = "ls-list-after-delete.xml"
    judged += [
        Judgement(
            deleted,
            "deleted_not_listed",
            lambda: (walk_of(deleted), next(iter(listed_ids("ls-list-active.xml"))), set()),
        ),
        Judgement(deleted, "empty_list_for_user_without_certificates", lambda: (exchange(deleted),)),
    ]
    # SHAPE-07: one certificate listed Active, then Inactive: the same UploadDate both times, as its upload said
    active, inactive = "ls-list-active.xml", "ls-list-inactive.xml"
    judged.append(
        Judgement(inactive, "upload_dates_agree", lambda: ([exchange(active), exchange(inactive)], uploaded(active)))
    )
    return judged


def judge(check: Callable, *arguments):
    """Run a check as a plain function; a check that finds nothing to judge says so by raising NothingToJudge."""
    try:
        return check(*arguments)
    except Exception as raised:  # noqa: BLE001 - only the lead's NothingToJudge is let through, by name
        if type(raised).__name__ == "NothingToJudge":
            pytest.skip(f"{check.__name__}: nothing to judge ({raised})")
        raise


@pytest.mark.parametrize("judgement", plan(), ids=lambda j: j.id)
def test_every_applicable_check_accepts_the_recording(judgement: Judgement):
    judge(CHECKS[judgement.check], *judgement.arguments())


@pytest.mark.parametrize("file", sorted(JUDGED))
def test_recorded_bodies_validate_strictly_too(file):
    """The recordings carry no element our schemas do not name: the closed reading accepts them as well."""
    ex = exchange(file)
    check = CHECKS["success_body_matches_schema" if ENTRIES[file]["kind"] == "success" else "error_body_matches_schema"]
    judge(check, ex, True)
    assert judge(getattr(check, "__wrapped__", check), ex) in ([], None)  # and the open reading notes nothing


def test_every_registered_check_judges_a_recording_or_is_excused():
    applied = {j.check for j in plan()}
    assert set(CHECKS) == applied | set(EXCUSED), {
        "neither applied nor excused": sorted(set(CHECKS) - applied - set(EXCUSED)),
        "excused but unknown": sorted(set(EXCUSED) - set(CHECKS)),
    }
    assert not applied & set(EXCUSED)


# -- the corpus and its manifest ---------------------------------------------------------------------------------
def test_the_manifest_names_exactly_the_files_of_the_corpus():
    kept = {p.name for p in RECORDED.iterdir()} - {"manifest.json"}
    assert kept == set(ENTRIES) | {MANIFEST["stand_in_certificate"]["file"]}


@pytest.mark.parametrize("file", sorted(ENTRIES))
def test_every_fixture_has_its_provenance_and_is_unchanged(file):
    entry = ENTRIES[file]
    assert hashlib.sha256((RECORDED / file).read_bytes()).hexdigest() == entry["sha256"]
    provenance = entry["provenance"]
    assert provenance["repository"] and provenance["url"].startswith("https://github.com/") and provenance["recorded"]
    assert entry["form"] in ("raw", "rendered") and entry["shows"].strip()
    if entry["form"] == "rendered":
        assert "rendered from" in entry["render_note"]
    if not entry["status_recorded"]:
        assert entry["status_basis"].strip()
    assert entry["kind"] in (*BODIES, "quoted", "snapshot") and entry.get("service", "iam") in ("iam", "sts", "ses")


def test_stand_ins_are_well_formed_and_marked():
    """A redacted value becomes a plausible one (never a <placeholder>) and the manifest says so."""
    for file, entry in ENTRIES.items():
        if entry["kind"] not in BODIES:
            continue  # a quoted account or a snapshot excerpt keeps the recording's own redactions, as recorded
        body = (RECORDED / file).read_text(encoding="utf-8")
        assert "&lt;" not in body and "<datetime>" not in body, file
        if entry["form"] == "rendered" and entry["provenance"]["repository"] == "localstack/localstack":
            assert "RequestId" in entry["stand_ins"], file
    stand_in = RECORDED / MANIFEST["stand_in_certificate"]["file"]
    assert hashlib.sha256(stand_in.read_bytes()).hexdigest() == MANIFEST["stand_in_certificate"]["sha256"]


def test_the_raw_capture_with_headers_is_the_logged_length():
    """aws/aws-cli#8918 logged Content-Length 305 and x-amzn-RequestId 6ca66a39-…: the kept bytes agree."""
    body = (RECORDED / "awscli8918-get-role-invalid-client-token-id.xml").read_bytes()
    assert len(body) == 305 and b"<RequestId>6ca66a39-87b0-4d36-aab9-4bff707642a2</RequestId>" in body
