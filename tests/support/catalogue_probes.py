"""Wire probes for the fault catalogue: for every fault, a short deterministic request sequence whose normalised
answers differ between the fault and the reference (tests/test_selftest_catalogue.py runs them side by side).

Each probe starts from the same state on both servers (one user holding two certificates, made by the root) and
returns what it saw with everything random normalised away: request ids, certificate ids and bodies (named by
upload order), dates (judged by the date probes only) and markers (shown only when they break the page's
constraints). A probe is made once per arguments (functools.cache), so the reference's answer to it is observed
once per flavour.
"""

from __future__ import annotations

import datetime
import functools
import html
import re
import time
from dataclasses import dataclass, field

from botocore.credentials import Credentials

from conformance.checks.observations import same_body
from conformance.contract.spec import operation
from conformance.protocol.client import IamClient, Identity
from conformance.protocol.signing import Signing
from conformance.protocol.wire import Exchange, child, read_error, read_listing, result_element, text
from conformance.reference import ROOT_ACCESS_KEY, ROOT_SECRET_KEY
from conformance.world.certificates import new_certificate_pem

ROOT = Identity("root", Credentials(ROOT_ACCESS_KEY, ROOT_SECRET_KEY))
USER = "selftest-user"
ABSENT = "nobody-here"
_ID = re.compile(r"\w{24,128}", re.ASCII)  # the model's CertificateId: anything else is shown as it came
_DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z|\d{8}T\d{6}Z")  # ISO 8601, and SigV4's basic form
_REQUEST_ID = re.compile(r"(<(?:\w+:)?RequestId>)[^<]+(</)")
_MARKER = re.compile(r"(<(?:\w+:)?Marker>)(.*?)(</)", re.DOTALL)
CLOCK_TOLERANCE_S = 15 * 60


@dataclass
class Context:
    """One server's side of a probe: a root client and the seeded user's certificates, in upload order."""

    iam: IamClient
    ids: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    dates: list[str | None] = field(default_factory=list)
    answered_at: float = 0.0

    def upload(self, user: str) -> Exchange:
        body = new_certificate_pem(user)
        done = self.iam.call("UploadSigningCertificate", {"UserName": user, "CertificateBody": body})
        certificate = child(result_element(done, "UploadSigningCertificate"), "Certificate")
        if done.status == 200:
            self.ids.append(text(child(certificate, "CertificateId")))
            self.bodies.append(body)
            self.dates.append(text(child(certificate, "UploadDate")))
            self.answered_at = time.time()
        return done

    def user(self, name: str, certificates: int) -> None:
        assert self.iam.call("CreateUser", {"UserName": name}).status == 200
        for _ in range(certificates):
            assert self.upload(name).status == 200

    def call(
        self,
        action: str = "ListSigningCertificates",
        method: str = "POST",
        identity: Identity | None = None,
        signing: Signing | None = None,
        **params: str,
    ) -> Exchange:
        return self.iam.call(action, params, method=method, identity=identity, signing=signing)

    def seen(self, exchange: Exchange) -> tuple:
        """(status, media type, body) with everything random replaced by what it stands for."""
        body = exchange.body.decode("utf-8", "replace")
        body = _REQUEST_ID.sub(r"\1<request-id>\2", body)
        body = re.sub(r"Signature=[0-9a-f]{64}", "Signature=<signature>", body)  # echoed in IncompleteSignature
        body = _MARKER.sub(lambda m: m.group(1) + _marker_shape(m.group(2)) + m.group(3), body)
        for n, certificate_id in enumerate(self.ids, 1):
            if _ID.fullmatch(certificate_id or ""):
                body = body.replace(certificate_id, f"<id-{n}>")
        body = re.sub(
            r"(<(?:\w+:)?CertificateBody>)(.*?)(</)",
            lambda m: m.group(1) + self._body_name(html.unescape(m.group(2))) + m.group(3),
            body,
            flags=re.DOTALL,
        )
        return exchange.status, exchange.content_type.split(";")[0], _DATE.sub("<date>", body)

    def _body_name(self, body: str) -> str:
        return next((f"<body-{n}>" for n, sent in enumerate(self.bodies, 1) if body == sent), body)


def _marker_shape(escaped: str) -> str:
    marker = html.unescape(escaped)
    return "<marker>" if not operation().response["Marker"].violations(marker) else escaped


def observe(iam: IamClient, probe) -> object:
    context = Context(iam)
    context.user(USER, 2)
    return probe(context)


# -- probes ------------------------------------------------------------------------------------------------------


@functools.cache
def listing(method: str = "POST", **params: str):
    """One ListSigningCertificates call ('{user}' stands for the seeded user)."""

    def probe(c: Context):
        return c.seen(c.call(method=method, **{k: v.replace("{user}", USER) for k, v in params.items()}))

    return probe


OWN = listing(UserName="{user}")
ABSENT_USER = listing(UserName=ABSENT)
NEVER_ISSUED = listing(UserName="{user}", MaxItems="1", Marker="never-issued")


@functools.cache
def walk(first: int | None, then: int | None = None, method: str = "POST", twice: bool = False):
    """Every page of the seeded user's listing, first asking `first` and then `then` items per page."""

    def probe(c: Context):
        pages, marker = [], None
        for _ in range(4):
            max_items = first if marker is None else then
            params = {k: str(v) for k, v in (("UserName", USER), ("MaxItems", max_items), ("Marker", marker)) if v}
            exchange = c.call(method=method, **params)
            pages.append(c.seen(exchange))
            found = read_listing(exchange)
            if found is None or not found.truncated or not found.marker:
                break
            marker = found.marker
        return pages + (walk(first, then, method)(c) if twice else [])

    return probe


@functools.cache
def as_identity(kind: str, method: str = "POST", **params: str):
    """The seeded user's listing (or `params`) signed otherwise: unsigned, wrong secret, unknown key, an hour ago or
    ahead, without its Signature, or with the seeded user's own new access key (UserName omitted)."""

    def probe(c: Context):
        signing = None
        if kind == "unsigned":
            identity = Identity.unsigned()
        elif kind == "wrong secret":
            identity = Identity("wrong secret", Credentials(ROOT_ACCESS_KEY, ROOT_SECRET_KEY[::-1] + "x"))
        elif kind == "unknown key":
            identity = Identity("unknown key", Credentials("AKIA" + "Q" * 16, "not-a-secret"))
        elif kind == "an hour ago":
            identity = ROOT
            at = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) - datetime.timedelta(hours=1)
            signing = Signing(at=at)
        elif kind == "an hour ahead":
            identity = ROOT
            at = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) + datetime.timedelta(hours=1)
            signing = Signing(at=at)
        elif kind == "scoped to sts":
            identity, signing = ROOT, Signing(service="sts")
        elif kind == "scoped to eu-west-1":
            identity, signing = ROOT, Signing(region="eu-west-1")
        elif kind == "without date":
            identity, signing = ROOT, Signing(drop_headers=("X-Amz-Date",))
        elif kind == "without signature":
            identity, signing = ROOT, Signing(authorization="without its Signature")
        elif kind == "over another body":  # signed over MaxItems=1, its hash declared; sent with MaxItems=2
            identity = ROOT
            signing = Signing(params={"UserName": USER, "MaxItems": "1"}, payload_hash=True)
        else:  # "own key"
            key = child(result_element(c.call("CreateAccessKey", UserName=USER), "CreateAccessKey"), "AccessKey")
            identity = Identity(
                "own key", Credentials(text(child(key, "AccessKeyId")), text(child(key, "SecretAccessKey")))
            )
        asked = params if kind == "own key" or params else {"UserName": USER}
        if kind == "over another body":
            asked = {"UserName": USER, "MaxItems": "2"}
        return c.seen(c.call(identity=identity, signing=signing, method=method, **asked))

    return probe


def request_ids_differ(c: Context):
    """Whether two answers to the same listing, and two errors, carry different RequestIds (the normalised view
    hides them)."""
    ids = [read_listing(c.call(UserName=USER)).request_id for _ in range(2)]
    errors = [read_error(c.call(UserName=ABSENT)).request_id for _ in range(2)]
    return ids[0] != ids[1], errors[0] != errors[1]


def empty_user(c: Context):
    c.user("selftest-empty", 0)
    return c.seen(c.call(UserName="selftest-empty"))


def history(c: Context):
    """First certificate set Inactive, the second deleted, a third uploaded: the listing after each step."""
    first, second = c.ids
    seen = [c.seen(c.call(UserName=USER))]
    c.call("UpdateSigningCertificate", UserName=USER, CertificateId=first, Status="Inactive")
    seen.append(c.seen(c.call(UserName=USER)))
    c.call("DeleteSigningCertificate", UserName=USER, CertificateId=second)
    seen.append(c.seen(c.call(UserName=USER)))
    seen.append(c.seen(c.upload(USER)))
    return seen + [c.seen(c.call(UserName=USER))]


def another_users_marker(c: Context):
    """The seeded user's first-page Marker sent with another user's name."""
    c.user("selftest-other", 1)
    first = read_listing(c.call(UserName=USER, MaxItems="1"))
    return c.seen(c.call(UserName="selftest-other", MaxItems="1", Marker=first.marker))


def other_user_then_walk(c: Context):
    """Another user uploads after the seeded one; then the seeded user's pages, one item each."""
    c.user("selftest-other", 1)
    return walk(1)(c)


def same_order_twice(c: Context):
    return read_listing(c.call(UserName=USER)).ids == read_listing(c.call(UserName=USER)).ids


def _instant(value: str | None) -> datetime.datetime | None:
    try:
        parsed = datetime.datetime.fromisoformat((value or "").replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def upload_dates(c: Context):
    """Listed a second after the last upload: (listed as the uploads answered, every date an instant close to now,
    the answers' dates too)."""
    time.sleep(max(0.0, c.answered_at + 1.1 - time.time()))
    listed = [m.upload_date for m in read_listing(c.call(UserName=USER)).certificates]
    near = lambda d: (p := _instant(d)) is not None and abs(p.timestamp() - time.time()) < CLOCK_TOLERANCE_S  # noqa
    return listed == c.dates, all(map(near, listed)), all(map(near, c.dates))


def request_id_header_agrees(c: Context):
    """Whether an error's x-amzn-RequestId header names the id in its body."""
    answer = c.call(UserName=ABSENT)
    header = next((v for k, v in answer.headers.items() if k.lower() == "x-amzn-requestid"), None)
    found = re.search(rb"<RequestId>([^<]*)</RequestId>", answer.body)
    return header is not None and found is not None and found.group(1).decode() == header


def unknown_action(c: Context):
    return c.seen(c.call("IamConformanceNoSuchAction"))


def same_bodies(c: Context):
    """Whether each listed body is one uploaded (line endings and blanks aside)."""
    listed = read_listing(c.call(UserName=USER)).certificates
    return [any(same_body(sent, m.body) for sent in c.bodies) for m in listed]


# -- every catalogued fault, the probe that shows it -------------------------------------------------------------
_UNSIGNED, _WRONG, _UNKNOWN = as_identity("unsigned"), as_identity("wrong secret"), as_identity("unknown key")
_OWN_KEY = as_identity("own key")

PROBES = {
    # shape
    "wrong_namespace": OWN,
    "no_namespace": OWN,
    "namespace_http_scheme": OWN,
    "success_without_request_id": OWN,
    "success_request_id_empty": OWN,
    "success_request_id_outside_metadata": OWN,
    "status_lower_case": OWN,
    "status_enabled_disabled": OWN,
    "pem_armour_stripped": OWN,
    "certificate_body_line_breaks_removed": same_bodies,
    "certificate_id_uuid": OWN,
    "certificate_id_16_characters": OWN,
    "listing_ids_lower_cased": OWN,
    "list_members_named_item": OWN,
    "certificate_list_flattened": OWN,
    "result_element_missing": OWN,
    "member_user_name_is_caller": OWN,
    "result_user_name_none": OWN,
    "upload_date_without_zone": upload_dates,
    "upload_date_is_not_before": upload_dates,
    "upload_date_is_not_before_everywhere": upload_dates,
    "upload_date_is_render_time": upload_dates,
    "upload_date_local_time_as_utc": upload_dates,
    "upload_date_fixed": upload_dates,
    "upload_date_epoch_seconds": upload_dates,
    "upload_date_http_format": upload_dates,
    "empty_certificates_omitted": empty_user,
    "empty_listing_not_found": empty_user,
    "empty_listing_blank_member": empty_user,
    "error_type_lower_case_element": ABSENT_USER,
    "error_body_without_namespace": ABSENT_USER,
    "error_fields_without_error_wrapper": ABSENT_USER,
    # pagination
    "is_truncated_python_bool": OWN,
    "is_truncated_numeric": OWN,
    "is_truncated_omitted_when_false": OWN,
    "truncated_page_flagged_false": walk(1),
    "truncated_page_without_marker": walk(1),
    "marker_over_320": walk(1),
    "marker_outside_latin1": walk(1),
    "marker_empty_on_truncated_page": walk(1),
    "marker_base64_with_newline": walk(1),
    "utf8_read_as_latin1": walk(1),
    "marker_restarts_listing": walk(1),
    "last_item_dropped_when_paging": walk(1),
    "marker_skips_boundary_item": walk(1),
    "marker_repeats_boundary_item": walk(1),
    "resume_ignores_listing_order": walk(1),
    "truncated_off_by_one_low": walk(1),
    "truncated_when_page_exactly_full": walk(2),
    "short_page_flagged_complete": walk(None),
    "marker_is_page_number": walk(1, then=2),
    "marker_ignored_without_max_items": walk(1, then=None),
    "markers_single_use": walk(1, then=1, twice=True),
    "max_items_ignored": walk(1),
    "page_size_off_by_one": walk(1),
    "default_max_items_crash": OWN,
    "default_max_items_zero": OWN,
    "inactive_hidden": history,
    "status_always_active": history,
    "deleted_still_listed": history,
    "status_change_not_saved": history,
    "status_change_applies_to_every_certificate": history,
    "delete_removes_first_of_user": history,
    "listing_cache_stale_after_delete": history,
    "upload_reactivates_siblings": history,
    "delete_reactivates_siblings": history,
    "quota_counts_deleted": history,
    "resume_forgets_owner_filter": other_user_then_walk,
    "marker_continues_its_own_user": another_users_marker,
    "order_alternates": same_order_twice,
    # eventual consistency that never converges (or not within the suite's bound)
    "status_change_never_listed": history,
    "delete_never_listed": history,
    "upload_never_listed": history,
    "lags_beyond_the_bound": history,
    # parameters
    "max_items_zero_as_default": listing(UserName="{user}", MaxItems="0"),
    "max_items_minimum_unchecked": listing(UserName="{user}", MaxItems="0"),
    "max_items_clamped": listing(UserName="{user}", MaxItems="0"),
    "validation_names_wrong_member": listing(UserName="{user}", MaxItems="0"),
    "validation_error_422": listing(UserName="{user}", MaxItems="0"),
    "validation_error_invalid_parameter_value": listing(UserName="{user}", MaxItems="0"),
    "max_items_upper_bound_unchecked": listing(UserName="{user}", MaxItems="1001"),
    "max_items_upper_bound_100": listing(UserName="{user}", MaxItems="101"),
    "max_items_1000_refused": listing(UserName="{user}", MaxItems="1000"),
    "max_items_1_refused": listing(UserName="{user}", MaxItems="1"),
    "non_integer_max_items_crash": listing(UserName="{user}", MaxItems="abc"),
    "max_items_python_int": listing(UserName="{user}", MaxItems="1_000"),
    "max_items_via_float": listing(UserName="{user}", MaxItems="1e3"),
    "max_items_leading_digits": listing(UserName="{user}", MaxItems="1.5"),
    "max_items_any_base": listing(UserName="{user}", MaxItems="0x10"),
    "max_items_wraps_32_bits": listing(UserName="{user}", MaxItems=str(2**32 + 1)),
    "max_items_wraps_64_bits": listing(UserName="{user}", MaxItems=str(2**64 + 1000)),
    "max_items_overflow_crash": listing(UserName="{user}", MaxItems=str(2**64 + 1000)),
    "user_name_max_64": listing(UserName="x" * 65),
    "user_name_max_length_127": listing(UserName="x" * 128),
    "user_name_length_unchecked": listing(UserName="x" * 129),
    "user_name_max_length_129": listing(UserName="x" * 129),
    "user_name_pattern_without_plus": listing(UserName="a+b"),
    "user_name_pattern_violation_not_found": listing(UserName="bad name"),
    "user_name_pattern_prefix_match": listing(UserName="bad name"),
    "user_name_unicode_word": listing(UserName="caf\u00e9"),
    "user_name_pattern_allows_slash": listing(UserName="a/b"),
    "user_name_pattern_hyphen_range": listing(UserName="a-b"),
    "user_name_pattern_without_underscore": listing(UserName="a_b"),
    "marker_not_validated": listing(UserName="{user}", Marker="\u0100"),
    "marker_violation_invalid_input": listing(UserName="{user}", Marker="x" * 321),
    "latin1_marker_crash": listing(UserName="{user}", Marker="never issued \u00e9"),
    "non_ascii_parameter_crash": listing(UserName="{user}", Marker="never issued \u00e9"),
    # errors
    "absent_user_400": ABSENT_USER,
    "absent_user_empty_list": ABSENT_USER,
    "not_found_message_generic": ABSENT_USER,
    "absent_user_code_no_such_user": ABSENT_USER,
    "absent_user_lookup_crash": ABSENT_USER,
    "type_receiver_on_4xx": ABSENT_USER,
    "error_type_client": ABSENT_USER,
    "error_request_id_inside_error": ABSENT_USER,
    "error_request_id_in_metadata": ABSENT_USER,
    "error_request_id_header_only": ABSENT_USER,
    "error_request_id_header_disagrees": request_id_header_agrees,
    "unknown_marker_restarts": NEVER_ISSUED,
    "unknown_marker_decode_crash": NEVER_ISSUED,
    "unknown_marker_empty_page": NEVER_ISSUED,
    # identity
    "omitted_user_name_lists_root": _OWN_KEY,
    "omitted_user_name_rejected": _OWN_KEY,
    "omitted_user_name_not_found": _OWN_KEY,
    "access_key_owner_inverted": _OWN_KEY,
    "root_lists_every_certificate": listing(),
    "root_not_found": listing(),
    # protocol
    "get_ignores_query_string": listing("GET", UserName="{user}"),
    "get_lists_newest_first": listing("GET", UserName="{user}"),
    "get_ignores_max_items": listing("GET", UserName="{user}", MaxItems="1"),
    "get_query_decoded_twice": listing("GET", UserName="a+b"),
    "get_query_not_decoded": listing("GET", UserName="a+b"),
    "get_query_plus_kept": walk(1, then=1, method="GET"),
    "get_query_read_as_latin1": walk(1, then=1, method="GET"),
    "get_ignores_marker": walk(1, then=1, method="GET"),
    "unknown_action_crash": unknown_action,
    "unknown_action_404": unknown_action,
    "unknown_action_lists_certificates": unknown_action,
    "json_content_type": OWN,
    "successes_served_as_text_plain": OWN,
    "errors_served_as_html": ABSENT_USER,
    # auth
    "unsigned_accepted": _UNSIGNED,
    "unsigned_access_denied": _UNSIGNED,
    "unsigned_incomplete_signature": _UNSIGNED,
    "signature_not_verified": _WRONG,
    "wrong_secret_access_denied": _WRONG,
    "wrong_secret_invalid_client_token": _WRONG,
    "unknown_key_signature_mismatch": _UNKNOWN,
    "unknown_key_crash": _UNKNOWN,
    "lookup_before_authentication": as_identity("wrong secret", UserName=ABSENT),
    "signature_expiry_not_checked": as_identity("an hour ago"),
    "signature_clock_by_scope_day": as_identity("an hour ago"),
    "signature_future_not_checked": as_identity("an hour ahead"),
    "signature_scope_service_unchecked": as_identity("scoped to sts"),
    "signature_without_signature_served": as_identity("without signature"),
    "signature_without_signature_crash": as_identity("without signature"),
    "missing_date_crash": as_identity("without date"),
    "marker_on_last_page": OWN,
    "get_signature_not_verified": as_identity("wrong secret", "GET"),
    "success_request_id_constant": request_ids_differ,
    "error_request_id_constant": request_ids_differ,
    "unknown_marker_not_found": NEVER_ISSUED,
    "unknown_marker_own_code": NEVER_ISSUED,
    "non_integer_max_items_own_code": listing(UserName="{user}", MaxItems="abc"),
    "validation_error_code_lower_case": listing(UserName="{user}", MaxItems="0"),
}
