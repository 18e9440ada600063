"""parameters: every constraint of the page, valid and invalid values, boundaries included.

Each property is drawn in batches whose requests overlap (conformance.suite.batched); the page's boundaries are
explicit examples, sent on every seed.
"""

from __future__ import annotations

from hypothesis import strategies as st

from conformance.checks import Judge
from conformance.checks.responses import (
    accepted_with_listing,
    error_with_code,
    no_server_error,
    rejected_as_client_error,
    rejected_as_validation_error,
)
from conformance.contract.spec import operation
from conformance.contract.strategies import allowed_special_characters, beyond_32_bits, invalid_values, valid_values
from conformance.protocol.client import IamClient
from conformance.protocol.wire import Exchange
from conformance.suite import batched, beside, requirement
from conformance.world.seeding import SeededUser

# Every test here runs beside the others (conformance.suite.side_by_side): its requests overlap theirs.
pytestmark = beside

PARAMETERS = operation().parameters
MAX_ITEMS, USER_NAME, MARKER = PARAMETERS["MaxItems"], PARAMETERS["UserName"], PARAMETERS["Marker"]
USER_NAME_MAX = USER_NAME.limit("max_length")


def absent(name: str, run_id: str) -> str:
    """A valid name no account holds: the run id is appended, the length kept within the maximum."""
    return (name + "." + run_id)[-USER_NAME_MAX:]


def list_each(iam: IamClient, name: str, values: list[str], user_name: str | None = None) -> list[Exchange]:
    """One ListSigningCertificates per value of parameter `name` (for `user_name`, if given), overlapped."""
    base = {"UserName": user_name} if user_name is not None else {}
    return iam.map("ListSigningCertificates", [{**base, name: value} for value in values])


@requirement("PARAM-01")
@batched(valid_values(MAX_ITEMS), str(MAX_ITEMS.bound("minimum")), str(MAX_ITEMS.bound("maximum")))
def test_every_max_items_in_range_is_accepted(
    values: list[str], iam: IamClient, user_with_two_certificates: SeededUser, judge: Judge
) -> None:
    judge.each(accepted_with_listing, list_each(iam, "MaxItems", values, user_with_two_certificates.name))


@requirement("PARAM-02")
@batched(
    st.one_of(invalid_values(MAX_ITEMS, "minimum"), invalid_values(MAX_ITEMS, "maximum")),
    str(MAX_ITEMS.limit("minimum") - 1),
    str(MAX_ITEMS.limit("maximum") + 1),
    "-1",
)
def test_max_items_out_of_range_is_a_validation_error(
    values: list[str], iam: IamClient, validated_user: str, judge: Judge
) -> None:
    judge.each(rejected_as_validation_error, list_each(iam, "MaxItems", values, validated_user), MAX_ITEMS)


@requirement("PARAM-03")
# What Python's int() would read as a number: digit groups, an exponent, hex; and plain non-numbers.
@batched(invalid_values(MAX_ITEMS, "type"), "abc", "1.5", "1_000", "1e3", "0x10")
def test_non_integer_max_items_is_a_client_error(
    values: list[str], iam: IamClient, validated_user: str, judge: Judge
) -> None:
    judge.each(rejected_as_client_error, list_each(iam, "MaxItems", values, validated_user))


@requirement("PARAM-04")
@batched(valid_values(USER_NAME), "x" * USER_NAME_MAX, *allowed_special_characters(USER_NAME))
def test_a_valid_name_of_an_absent_user_is_not_found(
    values: list[str], iam: IamClient, run_id: str, judge: Judge
) -> None:
    # Each allowed special character of the pattern, alone in a name, is among the explicit values.
    names = [absent(f"ic{value}absent" if len(value) == 1 else value, run_id) for value in values]
    judge.each(error_with_code, list_each(iam, "UserName", names), 404, "NoSuchEntity")


@requirement("PARAM-05")
@batched(invalid_values(USER_NAME, "max_length"), "x" * (USER_NAME_MAX + 1))
def test_a_user_name_over_the_maximum_length_is_a_validation_error(
    values: list[str], iam: IamClient, judge: Judge
) -> None:
    judge.each(rejected_as_validation_error, list_each(iam, "UserName", values), USER_NAME)


@requirement("PARAM-06")
# A valid name but for a trailing line break: a pattern matched as ^...$ lets it through in many languages.
@batched(invalid_values(USER_NAME, "pattern"), "bad name", "caf\u00e9", "a/b", "iam-conformance-absent\n")
def test_a_user_name_outside_the_pattern_is_a_validation_error(values: list[str], iam: IamClient, judge: Judge) -> None:
    judge.each(rejected_as_validation_error, list_each(iam, "UserName", values), USER_NAME)


@requirement("PARAM-07")
@batched(
    st.one_of(invalid_values(MARKER, "max_length"), invalid_values(MARKER, "pattern")),
    "x" * (MARKER.limit("max_length") + 1),
    "\u0100",
)
def test_a_marker_breaking_its_constraints_is_a_validation_error(
    values: list[str], iam: IamClient, validated_user: str, judge: Judge
) -> None:
    judge.each(rejected_as_validation_error, list_each(iam, "Marker", values, validated_user), MARKER)


@requirement("PARAM-08")
@batched(
    st.fixed_dictionaries(
        {},
        optional={
            "MaxItems": st.one_of(
                valid_values(MAX_ITEMS), *(invalid_values(MAX_ITEMS, k) for k in ("minimum", "maximum", "type"))
            ),
            "Marker": st.one_of(valid_values(MARKER), invalid_values(MARKER, "pattern")),
            "UserName": st.one_of(valid_values(USER_NAME), invalid_values(USER_NAME, "pattern")),
        },
    ),
    {"MaxItems": "abc"},
    {"UserName": "bad name", "Marker": "\u0100"},
    {"Marker": "never issued \u00e9 \u00fc \u00ff"},
)
def test_no_parameter_value_gets_a_server_error(values: list[dict[str, str]], iam: IamClient, judge: Judge) -> None:
    judge.each(no_server_error, iam.map("ListSigningCertificates", values))


@requirement("PARAM-09")
# 4294967297 wraps around to 1 in 32 bits, 2**64 + 1000 to 1000 in 64 bits.
@batched(beyond_32_bits(MAX_ITEMS), str(2**32 + 1), str(2**64 + 1000), str(2**31), str(-(2**31) - 1))
def test_max_items_beyond_32_bits_is_refused(
    values: list[str], iam: IamClient, validated_user: str, judge: Judge
) -> None:
    # Out of the page's range in any reading; which 4xx IAM sends for a number no integer holds is not recorded.
    judge.each(rejected_as_client_error, list_each(iam, "MaxItems", values, validated_user))
