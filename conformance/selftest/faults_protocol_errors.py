"""Faults in the query protocol (PROTO-*: GET against POST, unknown actions, Content-Type) and in errors (ERR-*:
NoSuchEntity, the envelope's Type and RequestId, markers the service never issued).

Each class overrides exactly one behaviour of the reference; the override is the mistake itself. The GET faults
change how a GET's query string is read, never a POST's body: PROTO-01 compares the two transports.
"""

from __future__ import annotations

import abc
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote, unquote_plus
from wsgiref.types import StartResponse, WSGIEnvironment

from werkzeug.wrappers import Request

from conformance.reference import Flavour, IamError, ReferenceApp, Renderer, Store
from conformance.reference.principals import User
from conformance.reference.render import branch, leaf
from conformance.reference.store import Certificate
from conformance.selftest.registry import fault

if TYPE_CHECKING:
    from _typeshed import OptExcInfo

EXOTIC = Flavour(marker_style="exotic")  # markers with spaces, '+', '/', '=' and Latin-1 letters (legal)


class _GetReadAs(ReferenceApp, abc.ABC):
    """The mistake: a GET's query string is split into parameters by `pairs` (the fault's own decoding)."""

    @abc.abstractmethod
    def pairs(self, query: str) -> list[tuple[str, str]]:
        """The query string split into (name, value) pairs, the fault's way."""

    def read_params(self, request: Request, body: bytes) -> dict[str, str]:
        if request.method != "GET":
            return super().read_params(request, body)
        params: dict[str, str] = {}
        for key, value in self.pairs(request.environ.get("QUERY_STRING", "")):
            params.setdefault(key, value)
        return params


def _split(query: str) -> list[tuple[str, str]]:
    return [(key, value) for key, _, value in (part.partition("=") for part in query.split("&") if part)]


# -- protocol: GET against POST ----------------------------------------------------------------------------------


@fault(
    "get_query_plus_kept",
    "PROTO-01",
    "a GET's query decoded with unquote, not unquote_plus: '+' (an encoded space) stays '+' in a Marker",
    flavour=EXOTIC,
)
class GetQueryPlusKept(_GetReadAs):
    def pairs(self, query: str) -> list[tuple[str, str]]:
        return [(unquote(k), unquote(v)) for k, v in _split(query)]


@fault(
    "get_query_decoded_twice",
    "PROTO-01",
    "a GET's query percent-decoded twice: a UserName's '+' (sent as %2B) is read as a space",
)
class GetQueryDecodedTwice(_GetReadAs):
    def pairs(self, query: str) -> list[tuple[str, str]]:
        return [(unquote_plus(unquote_plus(k)), unquote_plus(unquote_plus(v))) for k, v in _split(query)]


@fault(
    "get_query_not_decoded",
    "PROTO-01",
    "a GET's query string is split on & and = but never percent-decoded: 'a%2Bb' is read literally",
)
class GetQueryNotDecoded(_GetReadAs):
    def pairs(self, query: str) -> list[tuple[str, str]]:
        return _split(query)


@fault(
    "get_query_read_as_latin1",
    "PROTO-01",
    "a GET's percent-decoded bytes read as Latin-1 (POST bodies as UTF-8): a Marker's 'é' comes back mangled",
    flavour=EXOTIC,
)
class GetQueryReadAsLatin1(_GetReadAs):
    def pairs(self, query: str) -> list[tuple[str, str]]:
        return parse_qsl(query, keep_blank_values=True, encoding="latin-1")


@fault("get_ignores_marker", "PROTO-01", "a GET's Marker is dropped: every GET starts the listing over")
class GetIgnoresMarker(_GetReadAs):
    def pairs(self, query: str) -> list[tuple[str, str]]:
        return [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "Marker"]


@fault("get_ignores_max_items", "PROTO-01", "a GET's MaxItems is dropped: GET pages hold up to 100")
class GetIgnoresMaxItems(_GetReadAs):
    def pairs(self, query: str) -> list[tuple[str, str]]:
        return [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "MaxItems"]


@fault(
    "get_lists_newest_first",
    "PROTO-01",
    "GETs are served by another code path that sorts newest first (and resumes as POST does)",
)
class GetListsNewestFirst(ReferenceApp):
    def __init__(self, flavour: Flavour | None = None, store: Store | None = None) -> None:
        super().__init__(flavour, store)
        self._request = threading.local()

    def read_params(self, request: Request, body: bytes) -> dict[str, str]:
        self._request.method = request.method
        return super().read_params(request, body)

    def order_certificates(self, certificates: list[Certificate]) -> list[Certificate]:
        ordered = super().order_certificates(certificates)
        return ordered[::-1] if getattr(self._request, "method", "POST") == "GET" else ordered


# -- protocol: actions and Content-Type --------------------------------------------------------------------------


@fault("unknown_action_404", "PROTO-02", "an unknown Action gets 404 UnknownOperation (a router's not-found)")
class UnknownAction404(ReferenceApp):
    def resolve_action(self, params: dict[str, str]) -> str:
        try:
            return super().resolve_action(params)
        except IamError as error:
            if error.code != "InvalidAction":
                raise
            raise IamError(404, "UnknownOperation", f"Unknown operation {params.get('Action')}") from None


@fault(
    "unknown_action_lists_certificates",
    "PROTO-02",
    "an unknown Action falls through to the default handler, ListSigningCertificates: 200 with a listing",
)
class UnknownActionListsCertificates(ReferenceApp):
    def resolve_action(self, params: dict[str, str]) -> str:
        try:
            return super().resolve_action(params)
        except IamError as error:
            if error.code != "InvalidAction":
                raise
            return "ListSigningCertificates"


class _ContentTypeFor(ReferenceApp, abc.ABC):
    """The mistake: answers whose status `relabels` get Content-Type `media_type`."""

    media_type: str

    @abc.abstractmethod
    def relabels(self, status: int) -> bool:
        """Whether an answer with this status gets the wrong Content-Type."""

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        def relabel(
            status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None
        ) -> Callable[[bytes], object]:
            if self.relabels(int(status.split()[0])):
                headers = [(k, self.media_type if k.lower() == "content-type" else v) for k, v in headers]
            return start_response(status, headers, exc_info)

        return super().__call__(environ, relabel)


@fault("errors_served_as_html", "PROTO-03", "error bodies (still XML) are sent with Content-Type text/html")
class ErrorsServedAsHtml(_ContentTypeFor):
    media_type = "text/html; charset=utf-8"

    def relabels(self, status: int) -> bool:
        return status >= 400


@fault("successes_served_as_text_plain", "PROTO-03", "success bodies (still XML) are sent with Content-Type text/plain")
class SuccessesServedAsTextPlain(_ContentTypeFor):
    media_type = "text/plain"

    def relabels(self, status: int) -> bool:
        return status < 400


# -- errors ------------------------------------------------------------------------------------------------------


@fault("absent_user_code_no_such_user", ("ERR-01", "PARAM-04"), "an absent user gets 404 NoSuchUser, not NoSuchEntity")
class AbsentUserCodeNoSuchUser(Store):
    def get_user(self, name: str) -> User:
        try:
            return super().get_user(name)
        except IamError as error:
            raise IamError(404, "NoSuchUser", error.message) from None


@fault(
    "absent_user_lookup_crash",
    ("ERR-01", "PARAM-04"),
    "users looked up with users[name]: an absent user's KeyError is a 500 InternalFailure",
)
class AbsentUserLookupCrash(Store):
    def get_user(self, name: str) -> User:
        with self.lock:
            return self.users[name.lower()]


@fault("error_type_client", "ERR-02", "4xx errors say <Type>Client</Type> (SOAP's fault code), not Sender")
class ErrorTypeClient(Renderer):
    def error(self, error: IamError, request_id: str) -> bytes:
        kind = "Client" if error.status < 500 else error.type
        detail = branch("Error", leaf("Type", kind), leaf("Code", error.code), leaf("Message", error.message))
        return self.serialize(branch("ErrorResponse", detail, leaf("RequestId", request_id)))


@fault(
    "error_request_id_in_metadata",
    ("ERR-03", "SHAPE-02"),
    "error bodies put RequestId in <ResponseMetadata>, as successes do, not directly under ErrorResponse",
)
class ErrorRequestIdInMetadata(Renderer):
    def error(self, error: IamError, request_id: str) -> bytes:
        detail = branch("Error", leaf("Type", error.type), leaf("Code", error.code), leaf("Message", error.message))
        return self.serialize(
            branch("ErrorResponse", detail, branch("ResponseMetadata", leaf("RequestId", request_id)))
        )


@fault(
    "error_request_id_header_only",
    ("ERR-03", "SHAPE-02"),
    "errors carry the request id only in the x-amzn-RequestId header, none in the body",
)
class ErrorRequestIdHeaderOnly(Renderer):
    def error(self, error: IamError, request_id: str) -> bytes:
        detail = branch("Error", leaf("Type", error.type), leaf("Code", error.code), leaf("Message", error.message))
        return self.serialize(branch("ErrorResponse", detail))


@fault(
    "error_request_id_header_disagrees",
    "PROTO-04",
    "errors carry one request id in the x-amzn-RequestId header and another (fresh, unique) in the body",
)
class ErrorRequestIdHeaderDisagrees(Renderer):
    def error(self, error: IamError, request_id: str) -> bytes:
        return super().error(error, str(uuid.uuid4()))


@fault(
    "unknown_marker_decode_crash",
    ("ERR-04", "PARAM-08"),
    "a Marker that is not the service's base64 makes the decoder raise: 500 instead of a client error",
)
class UnknownMarkerDecodeCrash(ReferenceApp):
    def decode_marker(self, marker: str, owner: User) -> int:
        import base64

        base64.b64decode(marker.encode("latin-1"), validate=True)  # binascii.Error escapes: the unguarded decode
        return super().decode_marker(marker, owner)


@fault(
    "unknown_marker_empty_page",
    "ERR-04",
    "a Marker the service never issued is taken as 'past the end': 200 with an empty, complete page",
)
class UnknownMarkerEmptyPage(ReferenceApp):
    def decode_marker(self, marker: str, owner: User) -> int:
        try:
            return super().decode_marker(marker, owner)
        except IamError:
            return 1 << 62


@fault(
    "error_fields_without_error_wrapper",
    ("SHAPE-02", "ERR-02"),
    "error bodies put Type, Code and Message directly under ErrorResponse, with no <Error> element",
)
class ErrorFieldsWithoutErrorWrapper(Renderer):
    def error(self, error: IamError, request_id: str) -> bytes:
        return self.serialize(
            branch(
                "ErrorResponse",
                leaf("Type", error.type),
                leaf("Code", error.code),
                leaf("Message", error.message),
                leaf("RequestId", request_id),
            )
        )


@fault(
    "non_ascii_parameter_crash",
    ("PARAM-08", "ERR-04"),
    "every parameter is logged as ASCII before validation: a legal Latin-1 Marker ('\\u00e9') crashes it (500)",
)
class NonAsciiParameterCrash(ReferenceApp):
    def validate(self, action: str, params: dict[str, str]) -> None:
        " ".join(f"{k}={v}" for k, v in params.items()).encode("ascii")  # UnicodeEncodeError: the unguarded log line
        super().validate(action, params)


@fault(
    "non_integer_max_items_own_code",
    "ERR-05",
    "a non-integer MaxItems gets 400 with a code of the implementer's own, InvalidMaxItems (no IAM code)",
)
class NonIntegerMaxItemsOwnCode(ReferenceApp):
    def validate(self, action: str, params: dict[str, str]) -> None:
        raw = params.get("MaxItems")
        if raw is not None and not raw.strip().lstrip("+-").isdigit():
            raise IamError(400, "InvalidMaxItems", f"MaxItems must be an integer, not {raw!r}")
        super().validate(action, params)


@fault(
    "validation_error_code_lower_case",
    ("ERR-05", "PARAM-02", "PARAM-05", "PARAM-06", "PARAM-07"),
    "every ValidationError is coded validationError (the code's case is wrong; SDKs match it exactly)",
)
class ValidationErrorCodeLowerCase(ReferenceApp):
    def validate(self, action: str, params: dict[str, str]) -> None:
        try:
            super().validate(action, params)
        except IamError as error:
            if error.code != "ValidationError":
                raise
            raise IamError(error.status, "validationError", error.message) from None


class _MarkerRefusedAs(ReferenceApp):
    """The mistake: a Marker the service never issued is refused, but with `refusal` instead of 400 ValidationError."""

    refusal: IamError

    def decode_marker(self, marker: str, owner: User) -> int:
        try:
            return super().decode_marker(marker, owner)
        except IamError:
            raise self.refusal from None


@fault(
    "unknown_marker_not_found",
    "ERR-04",
    "a Marker never issued is answered 404 NoSuchEntity, as if it named a missing entity, not 400",
)
class UnknownMarkerNotFound(_MarkerRefusedAs):
    refusal = IamError(404, "NoSuchEntity", "The marker cannot be found.")


@fault(
    "unknown_marker_own_code",
    "ERR-05",
    "a Marker never issued is refused with 400 InvalidMarker, a code of the implementer's own",
)
class UnknownMarkerOwnCode(_MarkerRefusedAs):
    refusal = IamError(400, "InvalidMarker", "Invalid Marker.")


@fault(
    "error_request_id_constant", "ERR-03", "every error carries the same RequestId (a constant left in the error path)"
)
class ErrorRequestIdConstant(Renderer):
    def error(self, error: IamError, request_id: str) -> bytes:
        return super().error(error, "00000000-0000-0000-0000-000000000000")
