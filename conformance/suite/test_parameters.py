"""parameters: every constraint of the page, valid and invalid values, boundaries included."""
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from conformance.checks.responses import (accepted_with_listing, error_with_code, no_server_error,
                                          rejected_as_client_error, rejected_as_validation_error)
from conformance.spec import operation
from conformance.strategies import allowed_special_characters, beyond_32_bits, invalid_values, valid_values
from conformance.suite import requirement

PARAMETERS = operation().parameters
MAX_ITEMS, USER_NAME, MARKER = PARAMETERS["MaxItems"], PARAMETERS["UserName"], PARAMETERS["Marker"]
USER_NAME_MAX = USER_NAME.bound("max_length")


def absent(name: str, run_id: str) -> str:
    """A valid name no account holds: the run id is appended, the length kept within the maximum."""
    return (name + "." + run_id)[-USER_NAME_MAX:]


def list_certificates(iam, **params):
    return iam.call("ListSigningCertificates", {k: str(v) for k, v in params.items()})


@requirement("PARAM-01")
@given(max_items=valid_values(MAX_ITEMS))
@example(max_items=str(MAX_ITEMS.bound("minimum")))
@example(max_items=str(MAX_ITEMS.bound("maximum")))
def test_every_max_items_in_range_is_accepted(max_items, iam, user_with_two_certificates, judge):
    judge(accepted_with_listing, list_certificates(iam, UserName=user_with_two_certificates.name, MaxItems=max_items))


@requirement("PARAM-02")
@given(max_items=st.one_of(invalid_values(MAX_ITEMS, "minimum"), invalid_values(MAX_ITEMS, "maximum")))
@example(max_items=str(MAX_ITEMS.bound("minimum") - 1))
@example(max_items=str(MAX_ITEMS.bound("maximum") + 1))
@example(max_items="-1")
def test_max_items_out_of_range_is_a_validation_error(max_items, iam, validated_user, judge):
    exchange = list_certificates(iam, UserName=validated_user, MaxItems=max_items)
    judge(rejected_as_validation_error, exchange, MAX_ITEMS)


@requirement("PARAM-03")
@given(max_items=invalid_values(MAX_ITEMS, "type"))
@example(max_items="abc")
@example(max_items="1.5")
@example(max_items="1_000")  # what Python's int() reads as 1000
@example(max_items="1e3")
@example(max_items="0x10")
def test_non_integer_max_items_is_a_client_error(max_items, iam, validated_user, judge):
    exchange = list_certificates(iam, UserName=validated_user, MaxItems=max_items)
    judge(rejected_as_client_error, exchange)


@requirement("PARAM-04")
@given(name=valid_values(USER_NAME))
@example(name="x" * USER_NAME_MAX)
def test_a_valid_name_of_an_absent_user_is_not_found(name, iam, run_id, judge):
    judge(error_with_code, list_certificates(iam, UserName=absent(name, run_id)), 404, "NoSuchEntity")


@requirement("PARAM-04")
@pytest.mark.parametrize("special", allowed_special_characters(USER_NAME))
def test_each_allowed_special_character_is_accepted_in_user_name(special, iam, run_id, judge):
    judge(error_with_code, list_certificates(iam, UserName=absent(f"ic{special}absent", run_id)), 404, "NoSuchEntity")


@requirement("PARAM-05")
@given(name=invalid_values(USER_NAME, "max_length"))
@example(name="x" * (USER_NAME_MAX + 1))
def test_a_user_name_over_the_maximum_length_is_a_validation_error(name, iam, judge):
    judge(rejected_as_validation_error, list_certificates(iam, UserName=name), USER_NAME)


@requirement("PARAM-06")
@given(name=invalid_values(USER_NAME, "pattern"))
@example(name="bad name")
@example(name="caf\u00e9")
@example(name="a/b")
def test_a_user_name_outside_the_pattern_is_a_validation_error(name, iam, judge):
    judge(rejected_as_validation_error, list_certificates(iam, UserName=name), USER_NAME)


@requirement("PARAM-07")
@given(marker=st.one_of(invalid_values(MARKER, "max_length"), invalid_values(MARKER, "pattern")))
@example(marker="x" * (MARKER.bound("max_length") + 1))
@example(marker="\u0100")
def test_a_marker_breaking_its_constraints_is_a_validation_error(marker, iam, validated_user, judge):
    exchange = list_certificates(iam, UserName=validated_user, Marker=marker)
    judge(rejected_as_validation_error, exchange, MARKER)


@requirement("PARAM-09")
@given(max_items=beyond_32_bits(MAX_ITEMS))
@example(max_items=str(2**32 + 1))  # wraps around to 1 in 32 bits
@example(max_items=str(2**64 + 1000))  # wraps around to 1000 in 64 bits
@example(max_items=str(2**31))
@example(max_items=str(-(2**31) - 1))
def test_max_items_beyond_32_bits_is_refused(max_items, iam, validated_user, judge):
    # Out of the page's range in any reading; which 4xx IAM sends for a number no integer holds is not recorded.
    exchange = list_certificates(iam, UserName=validated_user, MaxItems=max_items)
    judge(rejected_as_client_error, exchange)


@requirement("PARAM-08")
@given(params=st.fixed_dictionaries({}, optional={
    "MaxItems": st.one_of(valid_values(MAX_ITEMS),
                          *(invalid_values(MAX_ITEMS, k) for k in ("minimum", "maximum", "type"))),
    "Marker": st.one_of(valid_values(MARKER), invalid_values(MARKER, "pattern")),
    "UserName": st.one_of(valid_values(USER_NAME), invalid_values(USER_NAME, "pattern")),
}))
@example(params={"MaxItems": "abc"})
@example(params={"UserName": "bad name", "Marker": "\u0100"})
@example(params={"Marker": "never issued \u00e9 \u00fc \u00ff"})
def test_no_parameter_value_gets_a_server_error(params, iam, judge):
    judge(no_server_error, list_certificates(iam, **params))
