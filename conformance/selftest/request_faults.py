"""Faults in how a request is judged: parameters (PARAM-*), errors (ERR-*), identity (ID-*), the query
protocol (PROTO-*) and authentication (AUTH-*).

Each class overrides exactly one behaviour of the reference; the override is the mistake itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, cast
from wsgiref.types import StartResponse, WSGIEnvironment

from werkzeug.wrappers import Request

from conformance.contract.spec import Constraint, Parameter
from conformance.reference import IamError, Principal, ReferenceApp, Renderer, sigv4
from conformance.reference.principals import User
from conformance.reference.render import branch, leaf
from conformance.reference.store import ROOT
from conformance.selftest.registry import fault

if TYPE_CHECKING:
    from _typeshed import OptExcInfo

# -- parameters ------------------------------------------------------------------------------------------------


def _is_integer(raw: str) -> bool:
    return re.fullmatch(r"[+-]?[0-9]+", raw) is not None


class _ConstraintDropped(ReferenceApp):
    """The mistake: one constraint of one parameter is never checked."""

    parameter_name: str
    kind: str

    def violations(self, parameter: Parameter, raw: str, enum: tuple[str, ...]) -> list[Constraint]:
        found = super().violations(parameter, raw, enum)
        return [c for c in found if not (parameter.name == self.parameter_name and c.kind == self.kind)]


class _ConstraintTightened(ReferenceApp):
    """The mistake: a legal value of one parameter is refused by a wrong, tighter constraint."""

    parameter_name: str
    wrong: Constraint
    refuses: Callable[[str], bool]  # each fault's own method: which legal values it wrongly refuses

    def violations(self, parameter: Parameter, raw: str, enum: tuple[str, ...]) -> list[Constraint]:
        found = super().violations(parameter, raw, enum)
        if parameter.name == self.parameter_name and not found and self.refuses(raw):
            found.append(self.wrong)
        return found


@fault("max_items_zero_as_default", "PARAM-02", "MaxItems=0 read as 'not given' (MaxItems or 100): a full page")
class MaxItemsZeroAsDefault(ReferenceApp):
    def validate(self, action: str, params: dict[str, str]) -> None:
        if params.get("MaxItems") == "0":
            del params["MaxItems"]
        super().validate(action, params)


@fault("max_items_upper_bound_unchecked", "PARAM-02", "MaxItems over 1000 accepted (moto)")
class MaxItemsUpperBoundUnchecked(_ConstraintDropped):
    parameter_name, kind = "MaxItems", "maximum"


@fault("max_items_upper_bound_100", "PARAM-01", "MaxItems capped at 100 (the default mistaken for the maximum)")
class MaxItemsUpperBound100(_ConstraintTightened):
    parameter_name, wrong = "MaxItems", Constraint("maximum", 100, "a wrong bound")

    def refuses(self, raw: str) -> bool:
        return int(raw) > 100


@fault(
    "non_integer_max_items_crash",
    ("PARAM-03", "PARAM-08"),
    "MaxItems' type never checked: int('abc') raises and the answer is 500 InternalFailure",
)
class NonIntegerMaxItemsCrash(ReferenceApp):
    def violations(self, parameter: Parameter, raw: str, enum: tuple[str, ...]) -> list[Constraint]:
        if parameter.name == "MaxItems" and not _is_integer(raw):
            return []
        return super().violations(parameter, raw, enum)


@fault("user_name_max_64", "PARAM-04", "UserName limited to 64 characters instead of 128")
class UserNameMax64(_ConstraintTightened):
    parameter_name, wrong = "UserName", Constraint("max_length", 64, "a wrong bound")

    def refuses(self, raw: str) -> bool:
        return len(raw) > 64


@fault(
    "user_name_length_unchecked",
    "PARAM-05",
    "UserName's 128-character maximum never checked: a 129-character name gets 404 NoSuchEntity",
)
class UserNameLengthUnchecked(_ConstraintDropped):
    parameter_name, kind = "UserName", "max_length"


@fault("user_name_pattern_without_plus", "PARAM-04", "UserName pattern [\\w=,.@-]+: a legal '+' is rejected")
class UserNamePatternWithoutPlus(_ConstraintTightened):
    parameter_name, wrong = "UserName", Constraint("pattern", r"[\w=,.@-]+", "a wrong pattern")

    def refuses(self, raw: str) -> bool:
        return "+" in raw


@fault(
    "user_name_pattern_violation_not_found",
    "PARAM-06",
    "UserName's pattern never checked: 'bad name' answered 404 NoSuchEntity (moto)",
)
class UserNamePatternViolationNotFound(_ConstraintDropped):
    parameter_name, kind = "UserName", "pattern"


@fault(
    "validation_names_wrong_member",
    ("PARAM-02", "PARAM-07"),
    "every ValidationError clause names 'userName', whichever parameter broke its constraint",
)
class ValidationNamesWrongMember(ReferenceApp):
    def validate(self, action: str, params: dict[str, str]) -> None:
        try:
            super().validate(action, params)
        except IamError as error:
            error.message = re.sub(r"Value at '\w+'", "Value at 'userName'", error.message)
            raise


@fault(
    "marker_not_validated",
    "PARAM-07",
    "Marker's length/pattern never checked; the decoder assumes Latin-1 and crashes (500) on U+0100",
)
class MarkerNotValidated(ReferenceApp):
    def violations(self, parameter: Parameter, raw: str, enum: tuple[str, ...]) -> list[Constraint]:
        return [] if parameter.name == "Marker" else super().violations(parameter, raw, enum)

    def decode_marker(self, marker: str, owner: User) -> int:
        marker.encode("latin-1")  # what the page's pattern promises; unguarded because validation was skipped
        return super().decode_marker(marker, owner)


@fault(
    "latin1_marker_crash",
    ("PARAM-08", "ERR-04"),
    "a never-issued Marker with Latin-1 letters (legal per the pattern, e.g. 'é') crashes the decoder: 500",
)
class Latin1MarkerCrash(ReferenceApp):
    def decode_marker(self, marker: str, owner: User) -> int:
        marker.encode("ascii")  # base64 is ASCII, but the page's pattern admits \u0080-\u00FF: unguarded
        return super().decode_marker(marker, owner)


@fault(
    "marker_violation_invalid_input",
    "PARAM-07",
    "a Marker breaking its length/pattern gets 400 InvalidInput instead of ValidationError",
)
class MarkerViolationInvalidInput(ReferenceApp):
    def validate(self, action: str, params: dict[str, str]) -> None:
        marker = params.get("Marker")
        if marker is not None and self.violations(self._marker_spec(action), marker, ()):
            raise IamError(400, "InvalidInput", "Invalid value for parameter Marker.")
        super().validate(action, params)

    @staticmethod
    def _marker_spec(action: str) -> Parameter:
        from conformance.reference import parameters_for

        return parameters_for(action)["Marker"][0]


# -- errors ----------------------------------------------------------------------------------------------------


def _named_user(app: ReferenceApp, params: dict[str, str]) -> tuple[str | None, IamError | None]:
    """The UserName asked for and, when no such user exists, the reference's NoSuchEntity for it."""
    name = params.get("UserName")
    try:
        if name is not None:
            app.store.get_user(name)
    except IamError as error:
        return name, error
    return name, None


@fault("absent_user_400", ("ERR-01", "PARAM-04"), "an absent user gets 400 NoSuchEntity instead of 404")
class AbsentUser400(ReferenceApp):
    def owner(self, caller: Principal, params: dict[str, str]) -> User:
        name, missing = _named_user(self, params)
        if missing is not None:
            raise IamError(400, missing.code, missing.message)
        return super().owner(caller, params)


@fault("absent_user_empty_list", ("ERR-01", "PARAM-04"), "an absent user gets 200 with an empty list")
class AbsentUserEmptyList(ReferenceApp):
    def owner(self, caller: Principal, params: dict[str, str]) -> User:
        name, missing = _named_user(self, params)
        if missing is not None:
            # only a named user is found missing
            return User(name=cast(str, name), path="/", user_id="AIDANOSUCHUSER", created=ROOT.created)
        return super().owner(caller, params)


@fault(
    "not_found_message_generic", "ERR-01", "NoSuchEntity's message does not name the user: 'The user cannot be found.'"
)
class NotFoundMessageGeneric(ReferenceApp):
    def owner(self, caller: Principal, params: dict[str, str]) -> User:
        name, missing = _named_user(self, params)
        if missing is not None:
            raise IamError(404, "NoSuchEntity", "The user cannot be found.")
        return super().owner(caller, params)


@fault("type_receiver_on_4xx", "ERR-02", "every error says <Type>Receiver</Type>, 4xx included")
class TypeReceiverOn4xx(Renderer):
    def error(self, error: IamError, request_id: str) -> bytes:
        detail = branch("Error", leaf("Type", "Receiver"), leaf("Code", error.code), leaf("Message", error.message))
        return self.serialize(branch("ErrorResponse", detail, leaf("RequestId", request_id)))


@fault("error_request_id_inside_error", "ERR-03", "the error's RequestId sits inside <Error>, not under ErrorResponse")
class ErrorRequestIdInsideError(Renderer):
    def error(self, error: IamError, request_id: str) -> bytes:
        detail = branch(
            "Error",
            leaf("Type", error.type),
            leaf("Code", error.code),
            leaf("Message", error.message),
            leaf("RequestId", request_id),
        )
        return self.serialize(branch("ErrorResponse", detail))


@fault("unknown_marker_restarts", "ERR-04", "a Marker never issued silently restarts the listing (200)")
class UnknownMarkerRestarts(ReferenceApp):
    # The mistake itself breaks decode_marker's contract; the reference's caller reads None as "no Marker".
    def decode_marker(self, marker: str, owner: User) -> int | None:  # type: ignore[override]
        try:
            return super().decode_marker(marker, owner)
        except IamError:
            return None


# -- identity --------------------------------------------------------------------------------------------------


@fault("omitted_user_name_lists_root", "ID-01", "UserName omitted: the account root's certificates, not the signer's")
class OmittedUserNameListsRoot(ReferenceApp):
    def owner(self, caller: Principal, params: dict[str, str]) -> User:
        return ROOT if params.get("UserName") is None else super().owner(caller, params)


@fault(
    "omitted_user_name_rejected",
    "ID-01",
    "UserName omitted with a user's key: 400 'Must specify userName' (as for non-user credentials)",
)
class OmittedUserNameRejected(ReferenceApp):
    def owner(self, caller: Principal, params: dict[str, str]) -> User:
        if params.get("UserName") is None and not caller.root:
            raise IamError(400, "ValidationError", "Must specify userName when calling with non-User credentials")
        return super().owner(caller, params)


# -- protocol --------------------------------------------------------------------------------------------------


@fault("get_ignores_query_string", "PROTO-01", "only the POST form body is read: a GET's query string is ignored")
class GetIgnoresQueryString(ReferenceApp):
    def read_params(self, request: Request, body: bytes) -> dict[str, str]:
        if request.method != "POST":
            return {}
        return super().read_params(request, body)


@fault(
    "unknown_action_crash",
    "PROTO-02",
    "Action never checked against the known actions: an unknown one crashes dispatch (500)",
)
class UnknownActionCrash(ReferenceApp):
    def resolve_action(self, params: dict[str, str]) -> str:
        action = params.get("Action")
        return action if action else super().resolve_action(params)


@fault("json_content_type", "PROTO-03", "XML bodies sent with Content-Type application/json")
class JsonContentType(ReferenceApp):
    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        def relabel(
            status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None
        ) -> Callable[[bytes], object]:
            headers = [(k, "application/json" if k.lower() == "content-type" else v) for k, v in headers]
            return start_response(status, headers, exc_info)

        return super().__call__(environ, relabel)


# -- auth ------------------------------------------------------------------------------------------------------


@fault("unsigned_accepted", "AUTH-01", "a request without Authorization is served as the account root")
class UnsignedAccepted(ReferenceApp):
    def authenticate(self, request: Request, body: bytes) -> Principal:
        return ROOT if not request.headers.get("Authorization") else super().authenticate(request, body)


@fault("signature_not_verified", "AUTH-02", "the access key is looked up but the signature is never verified")
class SignatureNotVerified(ReferenceApp):
    def authenticate(self, request: Request, body: bytes) -> Principal:
        header = request.headers.get("Authorization")
        if not header:
            return super().authenticate(request, body)
        found = self.store.principal_for(sigv4.parse_authorization(header).access_key)
        return found[0] if found is not None else super().authenticate(request, body)


@fault("unknown_key_signature_mismatch", "AUTH-03", "an unknown access key gets 403 SignatureDoesNotMatch")
class UnknownKeySignatureMismatch(ReferenceApp):
    def authenticate(self, request: Request, body: bytes) -> Principal:
        try:
            return super().authenticate(request, body)
        except IamError as error:
            if error.code == "InvalidClientTokenId":
                raise sigv4.mismatch() from None
            raise
