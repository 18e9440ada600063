"""What listings say across writes: a page resumed after a deletion, and certificate ids across a deletion and a new
upload."""

from __future__ import annotations

from conformance.checks import check
from conformance.checks.failures import BodyDeviation, ContentDeviation, NothingToJudge, StatusDeviation
from conformance.checks.observations import UploadedCertificate
from conformance.protocol.wire import Exchange, describe, read_listing


@check
def truncation_after_writes(exchange: Exchange, listed_before: set[str], remaining: set[str]) -> None:
    """A page resumed from a Marker after certificates were deleted since it was issued (the walk's earlier pages
    showed `listed_before`; `remaining` is what the user holds now, every listing showing it). IsTruncated tells
    whether certificates remain that no page of this walk has shown: true while one does, false once none does,
    whatever the count was when the walk began."""
    listing = read_listing(exchange)
    if listing is None:
        raise StatusDeviation("the listing resumed where its Marker says", describe(exchange), exchange)
    if listing.is_truncated not in ("true", "false"):
        raise BodyDeviation("IsTruncated true or false", repr(listing.is_truncated), exchange)
    unseen = remaining - listed_before - {cid or "" for cid in listing.ids}
    if unseen and not listing.truncated:
        raise ContentDeviation(
            f"IsTruncated true: {sorted(unseen)} remain, listed on no page yet", "IsTruncated false", exchange
        )
    if not unseen and listing.truncated:
        raise ContentDeviation(
            f"IsTruncated false: every certificate left ({sorted(remaining) or 'none'}) was listed",
            "IsTruncated true",
            exchange,
        )


@check
def certificate_ids_name_one_certificate(uploads: list[UploadedCertificate]) -> None:
    """Every certificate uploaded, the deleted ones included, got an id of its own: an upload after a deletion
    never gets the deleted certificate's id (an id naming two certificates over time lets a delete or a status
    change meant for the old one reach the new one)."""
    if len(uploads) < 2:
        raise NothingToJudge("fewer than two uploads: no ids to tell apart")
    seen: dict[str, UploadedCertificate] = {}
    for upload in uploads:
        earlier = seen.get(upload.certificate_id)
        if earlier is not None and earlier.body != upload.body:
            raise ContentDeviation(
                f"a CertificateId of its own for each upload ({upload.certificate_id} was an earlier certificate's)",
                f"{upload.certificate_id} again",
            )
        seen[upload.certificate_id] = upload
