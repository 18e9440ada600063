"""Pagination and what a listing means: checks over a Walk, the pages got by sending back each Marker."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import cast

from conformance.checks import check
from conformance.checks.failures import BodyDeviation, ContentDeviation, NothingToJudge, StatusDeviation
from conformance.checks.observations import Walk
from conformance.checks.responses import same_answer
from conformance.contract.spec import operation
from conformance.protocol.caller import Caller, CallerKind
from conformance.protocol.wire import Exchange, describe, read_error, read_listing


def _in_order(ids: Iterable[str | None]) -> list[str]:
    """Listed certificate ids, sorted for a message: a member without CertificateId is the schema checks' business."""
    return sorted(cast(Iterable[str], ids))


def _all_pages_are_listings(walk: Walk) -> None:
    for page in walk.pages:
        if read_listing(page) is None:
            raise StatusDeviation("every page a ListSigningCertificatesResponse", describe(page), page)


def _some_certificate_listed(walk: Walk, what: str) -> None:
    if not walk.ids():
        raise NothingToJudge(f"no certificate listed: nothing to judge {what}")


@check
def walk_yields_each_certificate_once(walk: Walk, expected_ids: set[str]) -> None:
    _all_pages_are_listings(walk)
    if walk.stopped_early:
        raise ContentDeviation("a walk that ends with IsTruncated false", walk.stopped_early, walk.last)
    ids = walk.ids()
    duplicates = _in_order(cid for cid, n in Counter(ids).items() if n > 1)
    if duplicates:
        raise ContentDeviation("each certificate on exactly one page", f"repeated: {duplicates}", walk.last)
    if set(ids) != expected_ids:
        missing, extra = sorted(expected_ids - set(ids)), _in_order(set(ids) - expected_ids)
        raise ContentDeviation(
            f"exactly the {len(expected_ids)} uploaded certificates",
            f"missing {missing}, unexpected {extra}",
            walk.last,
        )


@check
def pages_within_max_items(walk: Walk) -> None:
    _some_certificate_listed(walk, "against MaxItems")
    default = operation().parameters["MaxItems"].default  # the page gives one: 100
    limit = walk.max_items if walk.max_items is not None else cast(int, default)
    for page in walk.pages:
        listing = read_listing(page)
        if listing is not None and len(listing.certificates) > limit:
            raise ContentDeviation(f"at most MaxItems={limit} members per page", f"{len(listing.certificates)}", page)


@check
def truncation_flag_tells_the_truth(walk: Walk, total: int) -> list[str]:
    """IsTruncated present on every page; true while items remain; false on the page that completes the listing.

    Short pages are legal ("IAM might return fewer results, even when there are more results available"), so a
    page holding fewer than MaxItems may say true while items remain. But IsTruncated "indicates whether there are
    more items to return": a page after which nothing remains says false. (A Marker on such a page is
    last_page_carries_no_marker's business.)
    """
    _all_pages_are_listings(walk)
    seen = 0
    notes: list[str] = []
    for page, listing in zip(walk.pages, walk.listings(), strict=False):
        seen += len(listing.certificates)
        if listing.is_truncated not in ("true", "false"):
            raise BodyDeviation("IsTruncated true or false on every page", repr(listing.is_truncated), page)
        if seen < total and not listing.truncated:
            raise ContentDeviation(
                f"IsTruncated true: {total - seen} certificate(s) remain after this page", "IsTruncated false", page
            )
        if seen >= total and listing.truncated:
            raise ContentDeviation(
                f"IsTruncated false on the page that completes the listing ({total} "
                "certificate(s) listed, none remain)",
                "IsTruncated true",
                page,
            )
    if walk.stopped_early:
        raise ContentDeviation("a last page with IsTruncated false", walk.stopped_early, walk.last)
    return notes


@check
def last_page_carries_no_marker(walk: Walk) -> None:
    """A page that says IsTruncated false carries no Marker, as every recorded IAM listing shows: a client that
    pages while a Marker comes back (boto's old get_all_* loops, many scripts) would never stop."""
    finished = [
        (page, listing)
        for page in walk.pages
        if (listing := read_listing(page)) is not None and listing.is_truncated == "false"
    ]
    if not finished:
        raise NothingToJudge("no page said IsTruncated false: no last page to judge")
    for page, listing in finished:
        marker = listing.marker
        if marker is not None:
            raise BodyDeviation("no Marker on a page that says IsTruncated false", f"Marker {marker!r}", page)


@check
def truncated_pages_carry_marker(walk: Walk) -> None:
    marker_spec = operation().response["Marker"]
    truncated = [
        (page, listing) for page in walk.pages if (listing := read_listing(page)) is not None and listing.truncated
    ]
    if not truncated:
        raise NothingToJudge("no page said IsTruncated true: no Marker to judge")
    for page, listing in truncated:
        if listing.marker is None:
            raise BodyDeviation("a Marker element on a truncated page", "no Marker", page)
        broken = marker_spec.violations(listing.marker)
        if broken:
            raise BodyDeviation("a Marker of " + "; ".join(c.source for c in broken), repr(listing.marker), page)


@check
def listed_with_status(walk: Walk, certificate_id: str, status: str) -> None:
    _all_pages_are_listings(walk)
    found = [c for listing in walk.listings() for c in listing.certificates if c.certificate_id == certificate_id]
    if not found:
        raise ContentDeviation(f"{certificate_id} listed", f"listed: {walk.ids()}", walk.last)
    if found[0].status != status:
        raise ContentDeviation(f"{certificate_id} with Status {status}", repr(found[0].status), walk.last)


@check
def deleted_not_listed(walk: Walk, deleted_id: str, kept_ids: set[str]) -> None:
    _all_pages_are_listings(walk)
    if deleted_id in walk.ids():
        raise ContentDeviation(f"deleted certificate {deleted_id} gone", "still listed", walk.last)
    if not kept_ids <= set(walk.ids()):
        raise ContentDeviation(
            f"the remaining certificates {sorted(kept_ids)} listed", f"listed: {walk.ids()}", walk.last
        )


@check
def listing_matches_model(walk: Walk, expected_statuses: dict[str, str]) -> None:
    """The walk shows exactly the certificates the model holds for the user, each with its status."""
    _all_pages_are_listings(walk)
    listed = {c.certificate_id: c.status for listing in walk.listings() for c in listing.certificates}
    if len(walk.ids()) != len(listed) or listed != expected_statuses:
        raise ContentDeviation(
            f"exactly {expected_statuses or 'no certificates'}", f"{listed or 'no certificates'}", walk.last
        )


@check
def upload_refused_only_at_quota(exchange: Exchange, held: int) -> None:
    """IAM refuses a third certificate (LimitExceeded, quota 2); a user holding fewer must be able to upload."""
    error = read_error(exchange)
    if error is None or error.code != "LimitExceeded" or held < operation().certificates_per_user:
        raise StatusDeviation(
            f"a successful upload while the user holds {held} certificate(s)", describe(exchange), exchange
        )


@check
def no_foreign_certificates(walk: Walk, own_ids: set[str]) -> None:
    _some_certificate_listed(walk, "as foreign or own")
    for page in walk.pages:
        listing = read_listing(page)
        for certificate in listing.certificates if listing else []:
            if certificate.certificate_id not in own_ids or certificate.user_name != walk.user_name:
                raise ContentDeviation(
                    f"only certificates of {walk.user_name}",
                    f"{certificate.certificate_id} of {certificate.user_name}",
                    page,
                )


@check
def same_order_twice(first: Walk, second: Walk) -> None:
    if len(first.ids()) < 2:
        raise NothingToJudge("fewer than two certificates listed: no order to compare")
    if first.ids() != second.ids():
        raise ContentDeviation(f"the same order both times: {first.ids()}", f"{second.ids()}", second.last)


@check
def caller_listing_is_the_callers_own(walk: Walk, others: set[str], caller: Caller) -> list[str]:
    """UserName omitted, signed with the caller's own credentials. Credentials that act as a user (the root's, a
    user's long-term key, a user's own session from GetSessionToken) list that user's certificates: none of another
    user's, one owner for all. Credentials of no user (a role's session, a federated one) get 400 ValidationError
    (recorded for another action: analogy). A caller the target did not name may get either answer."""
    first = walk.pages[0]
    error = read_error(first)
    non_user_answer = first.status == 400 and error is not None and error.code == "ValidationError"
    notes = [f"the caller: {caller.kind} ({caller.basis})"]
    if caller.kind.is_no_user:
        if not non_user_answer:
            raise StatusDeviation(
                "HTTP 400 ValidationError: UserName must be given with non-user credentials", describe(first), first
            )
        return notes
    if caller.kind == CallerKind.UNKNOWN and non_user_answer:
        return notes
    _all_pages_are_listings(walk)
    if walk.stopped_early:
        raise ContentDeviation("a walk that ends with IsTruncated false", walk.stopped_early, walk.last)
    foreign = _in_order(set(walk.ids()) & others)
    if foreign:
        raise ContentDeviation(
            "only the caller's own certificates, none of the users the suite created", f"{foreign}", walk.last
        )
    owners = sorted({c.user_name or "" for listing in walk.listings() for c in listing.certificates})
    if len(owners) > 1:
        raise ContentDeviation("one owner (the caller) for every listed certificate", f"owners {owners}", walk.last)
    return notes


@check
def same_walk(first: Walk, second: Walk) -> None:
    """One listing walked twice (over GET and over POST): the same pages, each with the same certificates, in order."""
    _all_pages_are_listings(first)
    _all_pages_are_listings(second)
    pages = [
        [(c.certificate_id, c.user_name, c.status, c.body) for c in listing.certificates]
        for listing in first.listings()
    ]
    again = [
        [(c.certificate_id, c.user_name, c.status, c.body) for c in listing.certificates]
        for listing in second.listings()
    ]
    if pages != again or bool(first.stopped_early) != bool(second.stopped_early):
        method: Callable[[Walk], str] = lambda walk: walk.pages[0].request.method  # noqa: E731
        raise ContentDeviation(
            f"the same pages over {method(first)} and {method(second)}: {[[c[0] for c in page] for page in pages]}",
            f"{[[c[0] for c in page] for page in again]}"
            + (f" ({second.stopped_early})" if second.stopped_early else ""),
            second.last,
        )


@check
def get_and_post_agree(posted: Walk, got: Walk) -> None:
    """One listing asked over POST and over GET: the same pages when both list, else the same answer to the first
    request (the same error). Which it is, is read from these answers, not the run's: so a recording judged again on
    another target (conformance.differential) judges what the run would there."""
    if read_listing(posted.pages[0]) is not None and read_listing(got.pages[0]) is not None:
        same_walk(posted, got)
    else:
        same_answer(posted.pages[0], got.pages[0])


@check
def foreign_marker_not_followed(exchange: Exchange, own_ids: set[str], their_ids: set[str]) -> None:
    """A Marker from another user's listing, sent with this user's name: refusing it (any client error) or listing
    this user's own certificates are both legal (IAM's answer is not recorded); continuing the other listing is not."""
    if 400 <= exchange.status < 500 and read_error(exchange) is not None:
        return
    listing = read_listing(exchange)
    if listing is None:
        raise StatusDeviation(
            "a client error, or a listing of the named user's own certificates", describe(exchange), exchange
        )
    foreign = _in_order(set(listing.ids) - own_ids)
    if foreign:
        shown = [f"{cid} (the other user's)" if cid in their_ids else cid for cid in foreign]
        raise ContentDeviation(
            "only the named user's certificates, whatever Marker came with the name", f"{shown}", exchange
        )
