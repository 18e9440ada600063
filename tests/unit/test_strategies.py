"""Every value the strategies call valid satisfies the spec; every invalid one breaks exactly its constraint."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.contract.spec import operation
from conformance.contract.strategies import allowed_special_characters, invalid_values, probed_kinds, valid_values

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


@pytest.mark.parametrize("where, name", [("parameters", "UserName"), ("parameters", "Marker"), ("response", "Marker")])
def test_the_pages_patterns_admit_no_character_outside_the_explicit_alphabet(where, name):
    from conformance.contract.strategies import PAGE_ALPHABET

    parameter = getattr(operation(), where)[name]
    if parameter.regex is None:
        pytest.skip(f"{name} has no pattern")
    beyond = [c for c in map(chr, range(len(PAGE_ALPHABET), 0x110000)) if parameter.regex.fullmatch(c)]
    assert beyond == [], beyond[:5]


def test_no_strategy_builds_the_utf8_table():
    """Hypothesis' table of what UTF-8 encodes costs a second of CPU in a process with an empty cache: the suite's
    strategies draw from explicit alphabets instead (test_the_pages_patterns_admit_no_character_outside...)."""
    from hypothesis import given, settings
    from hypothesis.internal import charmap

    from conformance.contract.strategies import invalid_values, probed_kinds, valid_values

    charmap.intervals_from_codec.cache_clear()
    every = [valid_values(p) for p in PARAMETERS.values()] + [
        invalid_values(p, kind) for p in PARAMETERS.values() for kind in probed_kinds(p)
    ]

    @settings(max_examples=30, database=None, deadline=None)
    @given(st.one_of(every))
    def draw(value):
        pass

    draw()
    assert charmap.intervals_from_codec.cache_info().currsize == 0
