"""Wire probes of the faults issue 27 added (conformance/selftest/faults_naming_writes.py, faults_tampering.py): for
each, a short deterministic request sequence whose normalised answers differ between the fault and the reference.
The helpers are catalogue_probes' (one Context per server, answers normalised the same way)."""

from __future__ import annotations

import time

from botocore.credentials import Credentials

from conformance.checks.observations import same_body
from conformance.protocol.client import Identity
from conformance.protocol.signing import Signing
from conformance.protocol.wire import child, read_listing, result_element, text
from conformance.suite.fixtures import one_character_changed
from conformance.world.certificates import new_certificate_pem
from support.catalogue_probes import _OWN_KEY, ABSENT, USER, Context, another_users_marker, as_identity, listing, walk


def own_key_names_another(c: Context):
    """The seeded user's own key listing another user (who holds one certificate) by name."""
    c.user("selftest-other", 1)
    key = child(result_element(c.call("CreateAccessKey", UserName=USER), "CreateAccessKey"), "AccessKey")
    own = Identity("own key", Credentials(text(child(key, "AccessKeyId")), text(child(key, "SecretAccessKey"))))
    return c.seen(c.call(identity=own, UserName="selftest-other"))


def id_after_delete(c: Context):
    """Whether the upload after deleting the second certificate gets the deleted one's id."""
    deleted = c.ids[1]
    c.call("DeleteSigningCertificate", UserName=USER, CertificateId=deleted)
    c.upload(USER)
    return c.ids[-1] == deleted


def all_inactive_walk(c: Context):
    """Both certificates set Inactive, then every page of MaxItems=1."""
    for certificate_id in c.ids:
        c.call("UpdateSigningCertificate", UserName=USER, CertificateId=certificate_id, Status="Inactive")
    return walk(1)(c)


def date_after_late_status_change(c: Context):
    """The first certificate's listed UploadDate, set Inactive a second after its upload: the upload's, or not."""
    time.sleep(max(0.0, c.answered_at + 1.1 - time.time()))
    c.call("UpdateSigningCertificate", UserName=USER, CertificateId=c.ids[0], Status="Inactive")
    listed = read_listing(c.call(UserName=USER)).certificates
    return [m.upload_date for m in listed if m.certificate_id == c.ids[0]] == c.dates[:1]


def resumed_after_deletion(c: Context):
    """The first page of MaxItems=1, the certificate it did not show deleted, then that page's Marker resumed."""
    first = read_listing(c.call(UserName=USER, MaxItems="1"))
    other = next(i for i in c.ids if i not in first.ids)
    c.call("DeleteSigningCertificate", UserName=USER, CertificateId=other)
    return c.seen(c.call(UserName=USER, MaxItems="1", Marker=first.marker))


def _marker_probe(change):
    def probe(c: Context):
        first = read_listing(c.call(UserName=USER, MaxItems="1"))
        return c.seen(c.call(UserName=USER, MaxItems="1", Marker=change(first.marker)))

    return probe


def crlf_body(c: Context):
    """A certificate uploaded with CR LF line ends, listed: whether its body comes back as uploaded."""
    c.user("selftest-crlf", 0)
    body = new_certificate_pem("selftest-crlf", "\r\n")
    c.call("UploadSigningCertificate", UserName="selftest-crlf", CertificateBody=body)
    return [same_body(body, m.body) for m in read_listing(c.call(UserName="selftest-crlf")).certificates]


def invalid_utf8(c: Context):
    raw = Signing(percent_encoded=("UserName",))
    return c.seen(c.iam.call("ListSigningCertificates", {"UserName": "a%FFb"}, signing=raw))


PROBES = {
    "user_name_case_filter": listing(UserName=USER.upper()),
    "user_name_pattern_dollar_anchor": listing(UserName=f"{ABSENT}\n"),
    "named_user_ignored_for_user_keys": own_key_names_another,
    "get_caller_read_from_query_only": as_identity("own key", "GET"),
    "implicit_listing_result_user_name_from_request": _OWN_KEY,
    "lookup_before_validation": listing(UserName=ABSENT, MaxItems="0"),
    "validation_skipped_without_user_name": listing(MaxItems="0"),
    "certificate_id_reused_after_delete": id_after_delete,
    "resumed_pages_skip_inactive": all_inactive_walk,
    "status_change_restamps_upload_date": date_after_late_status_change,
    "is_truncated_from_cursor_count": resumed_after_deletion,
    "marker_integrity_unchecked": _marker_probe(one_character_changed),
    "marker_owner_unchecked": another_users_marker,
    "marker_pattern_dollar_anchor": _marker_probe(lambda marker: marker + "\n"),
    "marker_decoder_skips_stray_characters": _marker_probe(lambda marker: marker + "!"),
    "payload_hash_trusted": as_identity("over another body"),
    "signature_scope_region_unchecked": as_identity("scoped to eu-west-1"),
    "invalid_utf8_parameter_crash": invalid_utf8,
    "unsigned_get_served": as_identity("unsigned", "GET"),
    "certificate_body_carriage_return_as_space": crlf_body,
}
