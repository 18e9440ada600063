"""Parameter faults (PARAM-*): integer readings laxer than the page's Type: Integer, MaxItems wrapped around or
overflowing 32/64 bits, off-by-one bounds, and UserName patterns matched the wrong way.

Each class overrides exactly one behaviour of the reference; the override is the mistake itself. They touch
ListSigningCertificates' own parameters only (the page's, by identity): the supporting actions the suite seeds
with keep the reference's validation.
"""

from __future__ import annotations

import abc
import re
import struct
from typing import cast

from conformance.contract.spec import Constraint, Parameter, operation, parse_integer
from conformance.reference import IamError, Principal, ReferenceApp
from conformance.reference.render import Node
from conformance.selftest.registry import fault
from conformance.selftest.request_faults import _ConstraintDropped

PAGE = operation().parameters  # ListSigningCertificates' parameters: the page's, not another action's model
MAX_ITEMS, USER_NAME = PAGE["MaxItems"], PAGE["UserName"]
NOT_AN_INTEGER = Constraint("type", "integer", "Type: Integer")


def _limit(parameter: Parameter, kind: str) -> int:
    """An integer bound the page gives `parameter` (MaxItems' range, UserName's lengths)."""
    return cast(int, parameter.bound(kind))


class _MaxItemsReadAs(ReferenceApp, abc.ABC):
    """The mistake: MaxItems' wire value is read by `read` (the fault's own integer parser), for validation and
    for the page size alike."""

    @abc.abstractmethod
    def read(self, raw: str) -> int | None:
        """MaxItems as the fault reads it (None: not an integer)."""

    def violations(self, parameter: Parameter, raw: str, enum: tuple[str, ...]) -> list[Constraint]:
        if parameter is not MAX_ITEMS:
            return super().violations(parameter, raw, enum)
        value = self.read(raw)
        if value is None:
            return [NOT_AN_INTEGER]
        return [c for c in parameter.constraints if c.violated_by(value)]

    def action_ListSigningCertificates(self, caller: Principal, p: dict[str, str]) -> list[Node]:
        if "MaxItems" in p:
            p = {**p, "MaxItems": str(self.read(p["MaxItems"]))}
        return super().action_ListSigningCertificates(caller, p)


class _UserNameCheckedAs(ReferenceApp, abc.ABC):
    """The mistake: ListSigningCertificates' UserName is validated by `broken` (the fault's own rule)."""

    @abc.abstractmethod
    def broken(self, raw: str) -> list[Constraint]:
        """The constraints the fault finds broken."""

    def violations(self, parameter: Parameter, raw: str, enum: tuple[str, ...]) -> list[Constraint]:
        if parameter is not USER_NAME:
            return super().violations(parameter, raw, enum)
        return self.broken(raw)


def _pattern_violations(raw: str, regex: str, flags: int = re.ASCII, whole: bool = True) -> list[Constraint]:
    """UserName's constraints `raw` breaks when its pattern is `regex`, matched whole or as a prefix."""
    matched = re.fullmatch(regex, raw, flags) if whole else re.match(regex, raw, flags)
    found = [] if matched else [cast(Constraint, USER_NAME.constraint("pattern"))]  # the page gives one
    return found + [c for c in USER_NAME.constraints if c.kind != "pattern" and c.violated_by(raw)]


def _length_violations(raw: str, maximum: int) -> list[Constraint]:
    """UserName's constraints `raw` breaks when its maximum length is `maximum`."""
    found = [c for c in USER_NAME.constraints if c.kind != "max_length" and c.violated_by(raw)]
    return found + ([Constraint("max_length", maximum, "a wrong bound")] if len(raw) > maximum else [])


# -- integer readings laxer than the page's Type: Integer -------------------------------------------------------


@fault(
    "max_items_python_int",
    "PARAM-03",
    "MaxItems read with Python's int(): '1_000' and digits of other scripts ('\\u0663') are accepted as numbers",
)
class MaxItemsPythonInt(_MaxItemsReadAs):
    def read(self, raw: str) -> int | None:
        try:
            return int(raw)
        except ValueError:
            return None


@fault("max_items_via_float", "PARAM-03", "MaxItems read through float(): '1e3' is 1000 and '1.5' is 1")
class MaxItemsViaFloat(_MaxItemsReadAs):
    def read(self, raw: str) -> int | None:
        try:
            return int(float(raw))
        except (ValueError, OverflowError):
            return None


@fault(
    "max_items_leading_digits",
    "PARAM-03",
    "MaxItems read like C's atoi / JavaScript's parseInt: the leading digits count ('1.5' is 1, '10abc' is 10)",
)
class MaxItemsLeadingDigits(_MaxItemsReadAs):
    def read(self, raw: str) -> int | None:
        digits = re.match(r"[+-]?[0-9]+", raw)
        return int(digits.group()) if digits else None


@fault("max_items_any_base", "PARAM-03", "MaxItems read with int(raw, 0): '0x10' is 16, '0o7' is 7")
class MaxItemsAnyBase(_MaxItemsReadAs):
    def read(self, raw: str) -> int | None:
        try:
            return int(raw, 0)
        except ValueError:
            return None


# -- beyond 32 and 64 bits ---------------------------------------------------------------------------------------


def _wrapped(value: int | None, bits: int) -> int | None:
    if value is None:
        return None
    half = 1 << (bits - 1)
    return (value + half) % (1 << bits) - half


@fault(
    "max_items_wraps_32_bits",
    "PARAM-09",
    "MaxItems stored in a 32-bit integer without an overflow check: 4294967297 wraps around to 1 and is served",
)
class MaxItemsWraps32Bits(_MaxItemsReadAs):
    def read(self, raw: str) -> int | None:
        return _wrapped(parse_integer(raw), 32)


@fault(
    "max_items_wraps_64_bits",
    "PARAM-09",
    "MaxItems stored in a 64-bit integer without an overflow check: 2**64 + 1000 wraps around to 1000",
)
class MaxItemsWraps64Bits(_MaxItemsReadAs):
    def read(self, raw: str) -> int | None:
        return _wrapped(parse_integer(raw), 64)


@fault(
    "max_items_overflow_crash",
    ("PARAM-09", "PARAM-08"),
    "MaxItems packed into a signed 64-bit field unguarded: a value beyond 2**63 raises and the answer is 500",
)
class MaxItemsOverflowCrash(_MaxItemsReadAs):
    def read(self, raw: str) -> int | None:
        value = parse_integer(raw)
        if value is not None:
            struct.pack(">q", value)  # struct.error beyond 64 bits: the unguarded overflow
        return value


# -- MaxItems' range ---------------------------------------------------------------------------------------------


@fault(
    "max_items_minimum_unchecked",
    ("PARAM-02", "PARAM-08"),
    "MaxItems' minimum never checked: 0 crashes the pager (500), negatives slice from the end",
)
class MaxItemsMinimumUnchecked(_ConstraintDropped):
    parameter_name, kind = "MaxItems", "minimum"


@fault("max_items_1000_refused", "PARAM-01", "MaxItems' range read as exclusive at the top: 1000 itself is refused")
class MaxItems1000Refused(_MaxItemsReadAs):
    def read(self, raw: str) -> int | None:
        return parse_integer(raw)

    def violations(self, parameter: Parameter, raw: str, enum: tuple[str, ...]) -> list[Constraint]:
        found = super().violations(parameter, raw, enum)
        # nothing found: raw reads as an integer
        if parameter is MAX_ITEMS and not found and cast(int, parse_integer(raw)) >= _limit(MAX_ITEMS, "maximum"):
            found.append(Constraint("maximum", _limit(MAX_ITEMS, "maximum") - 1, "an exclusive bound"))
        return found


@fault("max_items_1_refused", "PARAM-01", "MaxItems' range read as exclusive at the bottom: MaxItems=1 is refused")
class MaxItems1Refused(_MaxItemsReadAs):
    def read(self, raw: str) -> int | None:
        return parse_integer(raw)

    def violations(self, parameter: Parameter, raw: str, enum: tuple[str, ...]) -> list[Constraint]:
        found = super().violations(parameter, raw, enum)
        # nothing found: raw reads as an integer
        if parameter is MAX_ITEMS and not found and cast(int, parse_integer(raw)) <= _limit(MAX_ITEMS, "minimum"):
            found.append(Constraint("minimum", _limit(MAX_ITEMS, "minimum") + 1, "an exclusive bound"))
        return found


@fault("max_items_clamped", "PARAM-02", "MaxItems outside 1-1000 silently clamped into range (0 -> 1, 1001 -> 1000)")
class MaxItemsClamped(ReferenceApp):
    def validate(self, action: str, params: dict[str, str]) -> None:
        value = parse_integer(params.get("MaxItems", ""))
        if action == "ListSigningCertificates" and value is not None:
            params["MaxItems"] = str(min(max(value, _limit(MAX_ITEMS, "minimum")), _limit(MAX_ITEMS, "maximum")))
        super().validate(action, params)


# -- how a validation failure is answered ------------------------------------------------------------------------


@fault(
    "validation_error_422",
    ("PARAM-02", "PARAM-05", "PARAM-06"),
    "ValidationError answered with HTTP 422 (REST's Unprocessable Entity), not 400",
)
class ValidationError422(ReferenceApp):
    def validate(self, action: str, params: dict[str, str]) -> None:
        try:
            super().validate(action, params)
        except IamError as error:
            raise IamError(422, error.code, error.message) from None


@fault(
    "validation_error_invalid_parameter_value",
    ("PARAM-02", "PARAM-05", "PARAM-06"),
    "a broken constraint gets EC2's InvalidParameterValue, not IAM's ValidationError",
)
class ValidationErrorInvalidParameterValue(ReferenceApp):
    def validate(self, action: str, params: dict[str, str]) -> None:
        try:
            super().validate(action, params)
        except IamError as error:
            raise IamError(error.status, "InvalidParameterValue", error.message) from None


# -- UserName: lengths and patterns ------------------------------------------------------------------------------


@fault(
    "user_name_max_length_129", "PARAM-05", "UserName's length checked with > 129: a 129-character name is looked up"
)
class UserNameMaxLength129(_UserNameCheckedAs):
    def broken(self, raw: str) -> list[Constraint]:
        return _length_violations(raw, _limit(USER_NAME, "max_length") + 1)


@fault(
    "user_name_max_length_127",
    "PARAM-04",
    "UserName's length checked with >= 128: a legal 128-character name is refused",
)
class UserNameMaxLength127(_UserNameCheckedAs):
    def broken(self, raw: str) -> list[Constraint]:
        return _length_violations(raw, _limit(USER_NAME, "max_length") - 1)


@fault(
    "user_name_unicode_word",
    "PARAM-06",
    "UserName's pattern matched with Python's Unicode \\w: 'caf\\u00e9' passes and is looked up (404)",
)
class UserNameUnicodeWord(_UserNameCheckedAs):
    def broken(self, raw: str) -> list[Constraint]:
        return _pattern_violations(raw, r"[\w+=,.@-]+", flags=0)


@fault(
    "user_name_pattern_prefix_match",
    "PARAM-06",
    "UserName's pattern applied with re.match (a prefix), not the whole value: 'bad name' passes and is looked up",
)
class UserNamePatternPrefixMatch(_UserNameCheckedAs):
    def broken(self, raw: str) -> list[Constraint]:
        return _pattern_violations(raw, r"[\w+=,.@-]+", whole=False)


@fault(
    "user_name_pattern_hyphen_range",
    ("PARAM-04", "PARAM-06"),
    "UserName's pattern written [\\w+=,.-@]+: '.-@' is a range, so '-' is refused and '/', ':' or '?' pass",
)
class UserNamePatternHyphenRange(_UserNameCheckedAs):
    def broken(self, raw: str) -> list[Constraint]:
        return _pattern_violations(raw, r"[\w+=,.-@]+")


@fault(
    "user_name_pattern_without_underscore",
    "PARAM-04",
    "UserName's \\w spelled out as [A-Za-z0-9]: a legal '_' is refused",
)
class UserNamePatternWithoutUnderscore(_UserNameCheckedAs):
    def broken(self, raw: str) -> list[Constraint]:
        return _pattern_violations(raw, r"[A-Za-z0-9+=,.@-]+")


@fault(
    "user_name_pattern_allows_slash",
    "PARAM-06",
    "UserName checked with the Path pattern's character set: 'a/b' passes and is looked up (404)",
)
class UserNamePatternAllowsSlash(_UserNameCheckedAs):
    def broken(self, raw: str) -> list[Constraint]:
        return _pattern_violations(raw, r"[\w+=,.@/-]+")
