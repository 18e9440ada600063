"""Shape: bodies validate against schemas/, live in IAM's namespace, and report what was uploaded."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from lxml import etree

from conformance.checks import check
from conformance.checks.failures import BodyDeviation, ContentDeviation, NothingToJudge, StatusDeviation
from conformance.checks.observations import UploadedCertificate, same_body
from conformance.contract.schemas import ERROR_SCHEMA, SUCCESS_SCHEMA, SchemaReading, read_against, renamespaced
from conformance.contract.spec import FRONT_END_CODES, FRONT_END_NAMESPACE, operation
from conformance.protocol.wire import Exchange, child, describe, local, namespace, read_error, read_listing, text


def _root(exchange: Exchange) -> etree._Element:
    if exchange.root is None:
        raise BodyDeviation("an XML body", f"HTTP {exchange.status}, {exchange.unreadable_reason}", exchange)
    return exchange.root


def _front_end_fault(root: etree._Element) -> bool:
    """An ErrorResponse of the shared query front end: in its fault namespace, of a code only it answers with."""
    if local(root) != "ErrorResponse" or namespace(root) != FRONT_END_NAMESPACE:
        return False
    error = child(root, "Error")
    return text(child(error, "Code")) in FRONT_END_CODES


def _judged(exchange: Exchange, schema: str, strict: bool) -> list[str]:
    """Schema errors raise; unknown elements (open reading) come back as notes for the report. The front end's fault
    envelope is judged by the same schema, read in IAM's namespace."""
    root, owned = _root(exchange), not exchange.keeps_tree
    if _front_end_fault(root):
        root, owned = renamespaced(root, FRONT_END_NAMESPACE, operation().namespace), True  # a copy of its own
    # A large body's tree is parsed for this reading alone: pruned in place, not copied (conformance.protocol.wire)
    reading: SchemaReading = read_against(root, schema, strict=strict, owned=owned)
    if reading.errors:
        set_aside = f" (set aside as unknown: {'; '.join(reading.notes)})" if reading.notes else ""
        raise BodyDeviation(f"a body valid against schemas/{schema}", "; ".join(reading.errors) + set_aside, exchange)
    return reading.notes


@check
def success_body_matches_schema(exchange: Exchange, strict: bool = False) -> list[str]:
    """Judges successes (HTTP 200) only: whether an answer should have been one is other requirements' business."""
    if exchange.status != 200:
        raise NothingToJudge(f"no success body to judge: {describe(exchange)}")
    root = _root(exchange)
    if local(root) != "ListSigningCertificatesResponse":
        raise BodyDeviation("root element ListSigningCertificatesResponse", f"root element {local(root)}", exchange)
    # The open reading sets unknown elements aside as future fields, but a query-protocol list holds <member>
    # entries and nothing else: <item> entries are a list SDKs read as empty, not a new field.
    for wrapper in root.iter(tag=etree.Element):  # elements only: comments and instructions have no name
        entries = [e for e in wrapper if isinstance(e.tag, str)] if local(wrapper) == "Certificates" else []
        strangers = sorted({local(e) for e in entries if local(e) != "member"})
        if strangers:
            raise BodyDeviation("<Certificates> holding <member> entries only", f"<{'>, <'.join(strangers)}>", exchange)
    return _judged(exchange, SUCCESS_SCHEMA, strict)


@check
def error_body_matches_schema(exchange: Exchange, strict: bool = False) -> list[str]:
    """Judges error answers (4xx/5xx) only."""
    if exchange.status < 400:
        raise NothingToJudge(f"no error body to judge: {describe(exchange)}")
    root = _root(exchange)
    if local(root) != "ErrorResponse":
        raise BodyDeviation("root element ErrorResponse", f"root element {local(root)}", exchange)
    return _judged(exchange, ERROR_SCHEMA, strict)


@check
def body_in_iam_namespace(exchange: Exchange) -> None:
    """Judges IAM answers only (a listing or an ErrorResponse, whatever their namespace): an unreadable body, or a
    document of another kind, is for the schema and status checks."""
    if exchange.root is None or local(exchange.root) not in ("ListSigningCertificatesResponse", "ErrorResponse"):
        raise NothingToJudge(f"no IAM answer to judge: {describe(exchange)}")
    expected = FRONT_END_NAMESPACE if _front_end_fault(exchange.root) else operation().namespace
    outside = sorted(
        {
            f"{local(e)} in {namespace(e) or 'no namespace'}"
            for e in exchange.root.iter()
            if isinstance(e.tag, str) and namespace(e) != expected
        }
    )
    if outside:
        raise BodyDeviation(f"every element in namespace {expected}", ", ".join(outside[:5]), exchange)
    # (An unknown Action's error may come in the front end's fault namespace: FRONT_END_NAMESPACE, analogy.)


@check
def success_carries_request_id(exchange: Exchange) -> None:
    """Judges listings only."""
    listing = read_listing(exchange)
    if listing is None:
        raise NothingToJudge(f"no listing to judge: {describe(exchange)}")
    if not (listing.request_id or "").strip():
        raise BodyDeviation("ResponseMetadata/RequestId with a value", "no RequestId", exchange)


@check
def request_ids_differ(exchanges: Iterable[Exchange]) -> None:
    """A RequestId names one request (it is what AWS support asks for): two answers never share one. Judges the
    answers with a RequestId (a listing's or an error's) among distinct exchanges; a missing one is
    success_carries_request_id's and error_carries_request_id's business."""
    seen: dict[str, Exchange] = {}
    for exchange in {id(e): e for e in exchanges}.values():
        answer = read_listing(exchange) or read_error(exchange)
        request_id = (answer.request_id or "").strip() if answer else ""
        if not request_id:
            continue
        if request_id in seen:
            raise ContentDeviation(
                "a RequestId of its own for every answer", f"RequestId {request_id!r} on two answers", exchange
            )
        seen[request_id] = exchange
    if len(seen) < 2:
        raise NothingToJudge("fewer than two answers with a RequestId to compare")


def _parse_timestamp(value: str) -> datetime.datetime | None:
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


@check
def members_report_uploaded(exchange: Exchange, user_name: str, uploaded: dict[str, UploadedCertificate]) -> None:
    """Each listed member is one of the user's uploads, reported as uploaded (body, id, user, status)."""
    listing = read_listing(exchange)
    if listing is None:
        raise NothingToJudge(f"no listing to judge: {describe(exchange)}")
    # The page's sample also names the user directly in the Result (real captures may leave it out): when present,
    # it is the user listed.
    result_user = text(child(child(exchange.root, "ListSigningCertificatesResult"), "UserName"))
    if result_user is not None and result_user != user_name:
        raise ContentDeviation(
            f"ListSigningCertificatesResult/UserName {user_name!r} (or none)", repr(result_user), exchange
        )
    if not listing.certificates:
        raise NothingToJudge("no member listed: nothing to compare with the uploads")
    for member in listing.certificates:
        known = uploaded.get(member.certificate_id or "")
        if known is None:
            raise ContentDeviation(
                f"CertificateId among those uploaded ({', '.join(uploaded)})", repr(member.certificate_id), exchange
            )
        if member.user_name != user_name:
            raise ContentDeviation(f"member UserName {user_name!r}", repr(member.user_name), exchange)
        if not same_body(known.body, member.body):
            raise ContentDeviation("CertificateBody equal to the uploaded PEM", repr(member.body or ""), exchange)
        if member.status != known.status:
            raise ContentDeviation(f"Status {known.status!r} for {known.certificate_id}", repr(member.status), exchange)
        # UploadDate is optional in the model; when present it must be an ISO-8601 instant with a zone...
        if member.upload_date is None:
            continue
        listed = _parse_timestamp(member.upload_date)
        if listed is None:
            raise ContentDeviation(
                "UploadDate as ISO-8601 UTC (e.g. 2010-09-08T09:24:47Z)", repr(member.upload_date), exchange
            )
        # ...and the instant the upload reported (precision may differ: seconds vs milliseconds).
        uploaded_at = _parse_timestamp(known.upload_date or "")
        if uploaded_at is not None and abs((listed - uploaded_at).total_seconds()) >= 1:
            raise ContentDeviation(
                f"UploadDate {known.upload_date} as UploadSigningCertificate reported",
                repr(member.upload_date),
                exchange,
            )


@check
def empty_list_for_user_without_certificates(exchange: Exchange) -> None:
    listing = read_listing(exchange)
    if exchange.status != 200 or listing is None:
        raise StatusDeviation("HTTP 200 with an empty Certificates list", describe(exchange), exchange)
    if listing.certificates:
        raise ContentDeviation("no members", f"{len(listing.certificates)} members", exchange)
    if exchange.root is not None and not any(
        local(e) == "Certificates" for e in exchange.root.iter() if isinstance(e.tag, str)
    ):
        raise BodyDeviation("an empty <Certificates/> element", "no Certificates element", exchange)


# SigV4: AWS refuses a request signed more than 15 minutes off its clock, so a target that authenticates the suite
# shares the suite's clock within that; an UploadDate further from the upload than this is not the upload's time.
CLOCK_TOLERANCE_S = 15 * 60


def _instant(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).isoformat(timespec="seconds")


@check
def upload_date_is_when_uploaded(exchange: Exchange, uploaded: dict[str, UploadedCertificate]) -> None:
    """Each listed member's UploadDate lies within the clock tolerance of when the suite sent and saw the upload."""
    listing = read_listing(exchange)
    if listing is None:
        raise NothingToJudge(f"no listing to judge: {describe(exchange)}")
    placed = 0
    for member in listing.certificates:
        known = uploaded.get(member.certificate_id or "")
        listed = _parse_timestamp(member.upload_date or "")
        if known is None or known.sent_at is None or known.answered_at is None or listed is None:
            continue  # an unknown member or an unreadable date is SHAPE-05's to judge
        placed += 1
        if not known.sent_at - CLOCK_TOLERANCE_S <= listed.timestamp() <= known.answered_at + CLOCK_TOLERANCE_S:
            raise ContentDeviation(
                f"UploadDate within 15 minutes of the upload of {known.certificate_id} (sent "
                f"{_instant(known.sent_at)}, answered {_instant(known.answered_at)}, suite's clock)",
                repr(member.upload_date),
                exchange,
            )
    if not placed:
        raise NothingToJudge("no listed member with an UploadDate to place in time")


def _to_the_second(instant: datetime.datetime) -> datetime.datetime:
    return instant.astimezone(datetime.UTC).replace(microsecond=0)


@check
def upload_dates_agree(exchanges: list[Exchange], uploaded: dict[str, UploadedCertificate]) -> None:
    """A certificate's UploadDate is one instant, to the second as the target stored it: the upload's answer and
    every listing (whole or paged, before and after a status change, which touches no date) name the same second,
    whatever precision each writes it with."""
    seen: dict[str, tuple[datetime.datetime, str]] = {}
    compared = 0
    for exchange in exchanges:
        listing = read_listing(exchange)
        for member in listing.certificates if listing else []:
            listed = _parse_timestamp(member.upload_date or "")
            known = uploaded.get(member.certificate_id or "")
            if listed is None or known is None:
                continue
            answered = _parse_timestamp(known.upload_date or "")
            if answered is not None and _to_the_second(listed) != _to_the_second(answered):
                raise ContentDeviation(
                    f"UploadDate {known.upload_date} of {known.certificate_id}, as its upload answered",
                    repr(member.upload_date),
                    exchange,
                )
            first = seen.setdefault(known.certificate_id, (listed, member.upload_date or ""))
            if _to_the_second(first[0]) != _to_the_second(listed):
                raise ContentDeviation(
                    f"UploadDate of {known.certificate_id} as listed before ({first[1]})",
                    repr(member.upload_date),
                    exchange,
                )
            compared += 1
    if compared < 2:
        raise NothingToJudge("no certificate with an UploadDate listed twice")
