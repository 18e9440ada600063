"""Every value the strategies call valid satisfies the spec; every invalid one breaks exactly its constraint."""
import pytest
from hypothesis import given, settings

from conformance.spec import operation
from conformance.strategies import allowed_special_characters, invalid_values, probed_kinds, valid_values

PARAMETERS = operation().parameters


@pytest.mark.parametrize("name", PARAMETERS)
def test_valid_values_satisfy_every_constraint(name):
    parameter = PARAMETERS[name]

    @settings(max_examples=200, deadline=None)
    @given(valid_values(parameter))
    def property_(value):
        assert parameter.violations(value) == []

    property_()


@pytest.mark.parametrize("name,kind", [(n, k) for n, p in PARAMETERS.items() for k in probed_kinds(p)])
def test_invalid_values_break_exactly_their_constraint(name, kind):
    parameter = PARAMETERS[name]

    @settings(max_examples=200, deadline=None)
    @given(invalid_values(parameter, kind))
    def property_(value):
        assert [c.kind for c in parameter.violations(value)] == [kind]
        value.encode("utf-8")  # sendable

    property_()


def test_probed_kinds_follow_the_spec():
    assert probed_kinds(PARAMETERS["MaxItems"]) == ["type", "minimum", "maximum"]
    assert probed_kinds(PARAMETERS["UserName"]) == ["max_length", "pattern"]


def test_user_name_special_characters_come_from_the_pattern():
    assert set(allowed_special_characters(PARAMETERS["UserName"])) == set("_+=,.@-")
