"""Pure rules of places: areas, building rules, the support threshold."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidInput, RuleViolation
from domain.places import BuildingRules, check_voting_area, format_area, parse_area, support_threshold


@given(st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2))
def test_every_two_decimal_area_parses_to_itself(area):
    assert parse_area(str(area), "a") == area
    assert format_area(parse_area(str(area), "a")) == f"{area:.2f}"


@given(st.integers(min_value=0, max_value=99_999_999))
def test_whole_numbers_gain_two_decimals(number):
    assert format_area(parse_area(number, "a")) == f"{number}.00"


@given(st.one_of(
    st.decimals(max_value=Decimal("-0.01"), places=2, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=Decimal("100000000"), allow_nan=False, allow_infinity=False),
    st.decimals(min_value=0, max_value=1000, places=3).filter(lambda d: d != d.quantize(Decimal("0.01"))),
    st.sampled_from(["abc", "", "NaN", "Infinity", "1e400", True]),
))
def test_other_areas_are_refused_with_the_field_named(value):
    with pytest.raises(InvalidInput) as refused:
        parse_area(value if not isinstance(value, Decimal) else str(value), "body.area_m2")
    assert refused.value.field_path == "body.area_m2"


def brute_force_threshold(minimum: int, percent: int, households: int) -> int:
    """The smallest n ≥ minimum with n / households ≥ percent / 100, counted up one by one."""
    n = 0
    while n < minimum or n * 100 < percent * households:
        n += 1
    return n


@given(st.integers(1, 50), st.integers(0, 100), st.integers(0, 3000))
def test_support_threshold_matches_brute_force(minimum, percent, households):
    rules = BuildingRules(support_min_households=minimum, support_percent=percent)
    assert support_threshold(rules, households) == brute_force_threshold(minimum, percent, households)


def test_default_threshold_is_the_larger_of_three_and_ten_percent():
    assert support_threshold(BuildingRules(), 10) == 3
    assert support_threshold(BuildingRules(), 45) == 5
    assert support_threshold(BuildingRules(), 41) == math.ceil(4.1)


def test_rule_changes_are_checked():
    rules = BuildingRules().changed({"collect_days": 30, "default_decision_rule": "civil_code_major"})
    assert rules.collect_days == 30 and rules.default_decision_rule == "civil_code_major"
    for bad in ({"collect_days": 0}, {"support_percent": 101}, {"default_decision_rule": "dictator"},
                {"evaluation_days": True}):
        with pytest.raises(InvalidInput):
            BuildingRules().changed(bad)


def test_stored_rules_ignore_unknown_keys_and_fill_defaults():
    rules = BuildingRules.from_stored({"collect_days": 9, "retired_rule": 1})
    assert rules.collect_days == 9 and rules.support_min_households == 3


@given(st.floats(min_value=0, max_value=99_999_999.99, allow_nan=False))
def test_numbers_are_taken_as_written_or_refused(number):
    """A JSON number is read as its shortest decimal form (what the client wrote, for any
    number a client would write): at most two decimals, or refused like the string form."""
    written = Decimal(repr(number))
    if written != written.quantize(Decimal("0.01")):
        with pytest.raises(InvalidInput):
            parse_area(number, "a")
        return
    area = parse_area(number, "a")
    assert area == written and area.as_tuple().exponent == -2


def test_a_number_with_more_than_two_decimals_is_refused_not_rounded():
    for number in (0.005, 89.555, 1e-05):
        with pytest.raises(InvalidInput):
            parse_area(number, "a")
    assert parse_area(89.5, "a") == Decimal("89.50")


@given(area=st.decimals(min_value=0, max_value=1000, places=2), votes=st.booleans())
def test_a_household_that_votes_has_an_area(area, votes):
    if votes and area == 0:
        with pytest.raises(RuleViolation) as refused:
            check_voting_area(area, votes)
        assert refused.value.code == "area_required_to_vote"
    else:
        check_voting_area(area, votes)
