"""Single-response checks for parameters, errors, protocol and auth: status, error code, Type, RequestId."""

from __future__ import annotations

import re

from conformance.checks import check
from conformance.checks.failures import BodyDeviation, ContentDeviation, NothingToJudge, StatusDeviation
from conformance.contract.spec import Parameter, is_iam_error_code
from conformance.protocol.wire import ErrorInfo, Exchange, Listing, describe, read_error, read_listing


def _error_or_deviation(exchange: Exchange, expected: str) -> ErrorInfo:
    """The ErrorResponse a check expects; an answer that is none is the wrong answer (a status deviation)."""
    error = read_error(exchange)
    if error is None:
        raise StatusDeviation(expected, describe(exchange), exchange)
    return error


@check
def accepted_with_listing(exchange: Exchange) -> None:
    if exchange.status != 200 or read_listing(exchange) is None:
        raise StatusDeviation("HTTP 200 with a listing", describe(exchange), exchange)


@check
def listing_unless_an_error(exchange: Exchange) -> None:
    """An answer that is no ErrorResponse is the listing, as HTTP 200. Whether this caller should have got an error
    (a role's session, a policy) is other requirements' to judge: an error is nothing to judge here."""
    if read_error(exchange) is not None:
        raise NothingToJudge(f"an error, not a listing, to judge: {describe(exchange)}")
    if exchange.status != 200 or read_listing(exchange) is None:
        raise StatusDeviation("an ErrorResponse, or HTTP 200 with a listing", describe(exchange), exchange)


@check
def error_with_code(exchange: Exchange, status: int, code: str) -> None:
    expected = f"HTTP {status} {code}"
    error = _error_or_deviation(exchange, expected)
    if exchange.status != status or error.code != code:
        raise StatusDeviation(expected, describe(exchange), exchange)


def _names_member(message: str, member: str) -> bool:
    # Current IAM: "Value at 'maxItems' failed to satisfy constraint"; older IAM: "Value '0' at 'maxItems'".
    # Matched case-insensitively: the page fixes no wording, only that the error concerns this member.
    return re.search(rf"\b{re.escape(member)}\b", message, re.IGNORECASE) is not None


@check
def rejected_as_validation_error(exchange: Exchange, parameter: Parameter) -> None:
    expected = f"HTTP 400 ValidationError naming '{parameter.member}'"
    error = _error_or_deviation(exchange, expected)
    if exchange.status != 400 or error.code != "ValidationError":
        raise StatusDeviation(expected, describe(exchange), exchange)
    if not _names_member(error.message or "", parameter.member):
        raise ContentDeviation(expected, f"message {error.message!r}", exchange)


@check
def rejected_as_client_error(exchange: Exchange) -> None:
    """Any 4xx with an XML ErrorResponse: for inputs whose exact error code real IAM has not published."""
    expected = "HTTP 4xx with an XML ErrorResponse"
    _error_or_deviation(exchange, expected)
    if not 400 <= exchange.status < 500:
        raise StatusDeviation(expected, describe(exchange), exchange)


@check
def rejected_as_bad_request(exchange: Exchange) -> None:
    """HTTP 400 with an XML ErrorResponse, any code (the code is error_code_is_iams' business): for a bad input
    real IAM was recorded refusing with 400 in another action of the same family."""
    expected = "HTTP 400 with an XML ErrorResponse"
    _error_or_deviation(exchange, expected)
    if exchange.status != 400:
        raise StatusDeviation(expected, describe(exchange), exchange)


@check
def no_server_error(exchange: Exchange) -> None:
    """A 5xx of any kind breaks it; only an IAM answer (a listing or an ErrorResponse) is judged to keep it."""
    if exchange.status >= 500:
        raise StatusDeviation("no 5xx for any parameter value", describe(exchange), exchange)
    if read_error(exchange) is None and read_listing(exchange) is None:
        raise NothingToJudge(f"no IAM answer to judge: {describe(exchange)}")


@check
def not_found_names_user(exchange: Exchange, user_name: str) -> None:
    expected = f"HTTP 404 NoSuchEntity naming {user_name!r}"
    error = _error_or_deviation(exchange, expected)
    if exchange.status != 404 or error.code != "NoSuchEntity":
        raise StatusDeviation(expected, describe(exchange), exchange)
    if user_name not in (error.message or ""):
        raise ContentDeviation(expected, f"message {error.message!r}", exchange)


@check
def client_error_typed_sender(exchange: Exchange) -> None:
    """Judges client errors (4xx) only: their body must be an ErrorResponse with Type Sender."""
    if not 400 <= exchange.status < 500:
        raise NothingToJudge(f"no client error to judge: {describe(exchange)}")
    error = read_error(exchange)
    if error is None:
        raise BodyDeviation(
            f"an ErrorResponse with Type Sender for HTTP {exchange.status}", describe(exchange), exchange
        )
    if error.type != "Sender":
        raise ContentDeviation(f"Type Sender for HTTP {exchange.status}", f"Type {error.type!r}", exchange)


@check
def error_carries_request_id(exchange: Exchange) -> None:
    """Judges error answers (4xx/5xx) only: an error without an ErrorResponse body has no RequestId either."""
    if exchange.status < 400:
        raise NothingToJudge(f"no error to judge: {describe(exchange)}")
    error = read_error(exchange)
    if error is None:
        raise BodyDeviation("an ErrorResponse with a RequestId", describe(exchange), exchange)
    if not (error.request_id or "").strip():
        raise BodyDeviation(
            "ErrorResponse/RequestId with a value", "no RequestId directly under ErrorResponse", exchange
        )


@check
def malformed_signature_is_incomplete(exchange: Exchange) -> None:
    """IncompleteSignature, exact. Its status is lenient: IAM's Common Errors page lists it as 400, the newer lists of
    other AWS services as 403, and no IAM answer to a malformed header is recorded with its status."""
    expected = "HTTP 400 or 403 IncompleteSignature"
    error = _error_or_deviation(exchange, expected)
    if exchange.status not in (400, 403) or error.code != "IncompleteSignature":
        raise StatusDeviation(expected, describe(exchange), exchange)


@check
def credential_refused_whatever_the_parameters(exchange: Exchange, code: str) -> None:
    """A bad credential (`code`: its 403) sent with an invalid parameter: its 403, or the parameter's 400
    ValidationError. Lenient, explicitly: which of the two IAM checks first is recorded nowhere (no IAM answer to a
    bad credential with an invalid parameter is known), and neither tells the caller anything about the account.
    Never a success, never a lookup's answer (404: the caller would learn what exists), never a 5xx."""
    expected = f"HTTP 403 {code} (or the parameter's 400 ValidationError)"
    error = _error_or_deviation(exchange, expected)
    if (exchange.status, error.code) not in ((403, code), (400, "ValidationError")):
        raise StatusDeviation(expected, describe(exchange), exchange)


@check
def error_code_is_iams(exchange: Exchange) -> None:
    """Judges XML errors only: their Code must be one IAM uses (schemas/error_codes.json), spelled exactly. Which
    code fits which request is for the other checks; a code no IAM action answers with is no IAM answer at all."""
    error = read_error(exchange)
    if exchange.status < 400 or error is None:
        raise NothingToJudge(f"no XML error to judge: {describe(exchange)}")
    if not is_iam_error_code(error.code):
        raise ContentDeviation(
            "an error Code IAM uses, spelled as IAM spells it (schemas/error_codes.json)",
            f"Code {error.code!r}",
            exchange,
        )


@check
def xml_content_type(exchange: Exchange) -> None:
    media_type = exchange.content_type.split(";")[0].strip().lower()
    if media_type not in ("text/xml", "application/xml"):
        raise BodyDeviation("Content-Type text/xml (or application/xml)", repr(exchange.content_type), exchange)


def _comparable(listing: Listing) -> tuple[str | None, list[tuple[str | None, ...]]]:
    # Request ids differ per call by design; everything else about the same listing must not.
    # Markers are opaque: a target may mint a new one per call (a nonce, a timestamp), so they are not compared.
    return (
        listing.is_truncated,
        [(c.certificate_id, c.user_name, c.status, c.body, c.upload_date) for c in listing.certificates],
    )


@check
def same_answer(first: Exchange, second: Exchange) -> None:
    """The same request over two transports: the same listing, or the same error (status, code and message)."""
    a, b = read_listing(first), read_listing(second)
    if a is not None and b is not None:
        if _comparable(a) != _comparable(b):
            raise ContentDeviation(
                f"the same listing over {first.request.method} and {second.request.method}",
                f"{a.ids} (truncated {a.is_truncated}) vs {b.ids} (truncated {b.is_truncated})",
                second,
            )
        return
    errors = read_error(first), read_error(second)
    if errors[0] is not None and errors[1] is not None:
        if (first.status, errors[0].code, errors[0].message) != (second.status, errors[1].code, errors[1].message):
            raise ContentDeviation(
                f"the same error over {first.request.method} and {second.request.method}",
                f"{describe(first)} vs {describe(second)}",
                second,
            )
        return
    if (a is None and errors[0] is None) or (b is None and errors[1] is None):
        if first.status == second.status and first.body == second.body:
            raise NothingToJudge(f"no IAM answer to compare: {describe(first)}")
    raise StatusDeviation(
        f"the same answer to {first.request.method} and {second.request.method}",
        f"{describe(first)} vs {describe(second)}",
        second,
    )


REQUEST_ID_HEADER = "x-amzn-requestid"


@check
def request_id_header_agrees(exchange: Exchange) -> None:
    """An XML error whose x-amzn-RequestId header and body RequestId are both present names one request in both.

    Recorded (analogy): IAM's GetRole 403 and STS's 403 carry the header equal to the body's RequestId. Lenient
    where IAM is not recorded: an error without the header (the page names no header; SDKs read the body's id) and
    successes (no IAM success answer's headers are recorded) are not judged."""
    error = read_error(exchange)
    if exchange.status < 400 or error is None or not error.request_id:
        raise NothingToJudge(f"no XML error with a RequestId to judge: {describe(exchange)}")
    sent = [value for name, value in exchange.headers.items() if name.lower() == REQUEST_ID_HEADER]
    if not sent:
        raise NothingToJudge("no error carried an x-amzn-RequestId header (not required: the page names none)")
    if sent[0].strip() != error.request_id.strip():
        raise ContentDeviation(
            "the x-amzn-RequestId header equal to the body's RequestId (one request, one id)",
            f"header {sent[0][:80]!r}, body {error.request_id[:80]!r}",
            exchange,
        )
