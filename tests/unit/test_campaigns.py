"""The rules of 最美楼栋 campaigns (domain/campaigns.py) against brute-force models: the phase of
a day, the exact score, its rendering with two places half-up, and the ranking with ties to
more raters, then shared ranks."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import campaigns as rules
from domain.campaigns import Criterion
from domain.errors import Conflict, RuleViolation
from domain.permissions import Actor, Grants, Principal, Tie

KEYS = ("environment", "self_governance", "civility", "neighbourliness")


@st.composite
def campaigns(draw):  # type: ignore[no-untyped-def]
    n = draw(st.integers(1, 4))
    criteria = [Criterion(KEYS[i], KEYS[i], draw(st.integers(1, 5))) for i in range(n)]
    buildings = draw(st.integers(1, 6))
    sheets = {
        f"bld_{b}": [{c.key: draw(st.integers(1, 10)) for c in criteria} for _ in range(draw(st.integers(0, 4)))]
        for b in range(buildings)}
    return criteria, sheets, draw(st.integers(1, 4))


def brute_score(criteria: list[Criterion], sheets: list[dict[str, int]]) -> Fraction | None:
    """Σ_c w_c · Σ_r s_rc ÷ (n · Σ w): the same number, summed the other way round."""
    if not sheets:
        return None
    total = sum(c.weight * s[c.key] for s in sheets for c in criteria)
    return Fraction(total, len(sheets) * sum(c.weight for c in criteria))


def brute_rank(scores: dict[str, tuple[Fraction | None, int]], building: str) -> int | None:
    """1 + the buildings strictly ahead: a higher score, or the same score and more raters."""
    mine, n = scores[building]
    if mine is None:
        return None
    return 1 + sum(1 for s, m in scores.values() if s is not None and (s > mine or (s == mine and m > n)))


@settings(max_examples=300, deadline=None)
@given(campaigns())
def test_standings_match_a_brute_force_model(drawn):  # type: ignore[no-untyped-def]
    criteria, sheets, winners = drawn
    found = rules.standings(criteria, sheets, winners)
    assert sorted(s.building_id for s in found) == sorted(sheets)
    scores = {b: (brute_score(criteria, sheets[b]), len(sheets[b])) for b in sheets}
    for standing in found:
        assert standing.score == scores[standing.building_id][0]
        assert standing.raters == len(sheets[standing.building_id])
        assert standing.rank == brute_rank(scores, standing.building_id)
        assert standing.winner == (standing.rank is not None and standing.rank <= winners)
        for c in criteria:
            if standing.raters:
                assert standing.means[c.key] == Fraction(sum(s[c.key] for s in sheets[standing.building_id]),
                                                         standing.raters)
    ranks = [s.rank for s in found if s.rank is not None]
    assert ranks == sorted(ranks)  # best first, the unrated last
    assert all(s.rank is None for s in found[len(ranks):])


@settings(max_examples=500, deadline=None)
@given(st.integers(0, 10**9), st.integers(1, 10**6))
def test_two_places_half_up_is_exact(numerator, denominator):  # type: ignore[no-untyped-def]
    value = Fraction(numerator, denominator)
    with localcontext() as ctx:
        ctx.prec = 200
        expected = (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert rules.decimal_2(value) == str(expected)


def test_half_up_at_the_edges():
    assert rules.decimal_2(Fraction(1, 8)) == "0.13"  # 0.125 → up
    assert rules.decimal_2(Fraction(201, 200)) == "1.01"  # 1.005 exactly → up, where a float would give 1.00
    assert rules.decimal_2(Fraction(10)) == "10.00"
    assert rules.decimal_2(Fraction(2, 3)) == "0.67"


def test_a_tie_on_score_goes_to_more_raters_then_shares_the_rank():
    criteria = [Criterion("a", "A", 1)]
    found = rules.standings(criteria, {
        "bld_few": [{"a": 8}], "bld_many": [{"a": 8}, {"a": 8}], "bld_same": [{"a": 8}, {"a": 8}],
        "bld_low": [{"a": 3}], "bld_none": []}, winners=1)
    assert [(s.building_id, s.rank, s.winner) for s in found] == [
        ("bld_many", 1, True), ("bld_same", 1, True), ("bld_few", 3, False), ("bld_low", 4, False),
        ("bld_none", None, False)]


@settings(max_examples=300, deadline=None)
@given(st.dates(date(2020, 1, 1), date(2030, 1, 1)), st.integers(1, 20), st.integers(1, 20), st.integers(1, 20),
       st.integers(-5, 70))
def test_the_phase_of_a_day_matches_a_day_by_day_walk(start, a, b, c, offset):  # type: ignore[no-untyped-def]
    nominate, assess, rate = start + timedelta(days=a), start + timedelta(days=a + b), start + timedelta(days=a + b + c)
    today = start + timedelta(days=offset)
    # Walk from the start: each phase lasts through its last day, inclusive.
    phase, day = rules.NOMINATING, start - timedelta(days=10)
    ends = {rules.NOMINATING: nominate, rules.ASSESSING: assess, rules.RATING: rate}
    while day < today:
        day += timedelta(days=1)
        while phase in ends and day > ends[phase]:
            phase = rules.PHASES[rules.PHASES.index(phase) + 1]
    assert rules.phase_on(today, nominate, assess, rate) == phase
    assert rules.steps_to(rules.NOMINATING, phase) == list(rules.PHASES[1:rules.PHASES.index(phase) + 1])


def test_dates_and_scores_are_checked():
    day = date(2026, 12, 1)
    with pytest.raises(RuleViolation) as order:
        rules.check_dates(day, day, day + timedelta(days=1), day, rules.NOMINATING)
    assert order.value.code == "invalid_campaign_dates"
    with pytest.raises(RuleViolation):  # would already be assessing today
        rules.check_dates(day - timedelta(days=1), day + timedelta(days=1), day + timedelta(days=2), day,
                          rules.NOMINATING)
    rules.check_dates(day, day + timedelta(days=1), day + timedelta(days=2), day, rules.NOMINATING)
    criteria = [Criterion("a", "A", 1), Criterion("b", "B", 2)]
    rules.check_scores(criteria, {"a": 1, "b": 10})
    for bad in ({"a": 1}, {"a": 1, "b": 11}, {"a": 0, "b": 5}, {"a": 1, "b": 2, "c": 3}):
        with pytest.raises(RuleViolation) as refused:
            rules.check_scores(criteria, bad)
        assert refused.value.code == "invalid_scores"
    with pytest.raises(RuleViolation):
        rules.check_criteria([Criterion("a", "A", 1), Criterion("a", "B", 1)])


def test_a_phase_whose_last_day_passed_is_closed_before_the_service_moves_it():
    from datetime import datetime, timezone
    stamp = datetime(2026, 12, 1, tzinfo=timezone.utc)
    campaign = rules.Campaign("cmp_x", "str_x", None, "t", [], date(2026, 12, 1), date(2026, 12, 2),
                              date(2026, 12, 3), 1, None, rules.RATING, None, None, None, stamp, stamp)
    rules.check_open(campaign, date(2026, 12, 3), rules.RATING)
    with pytest.raises(Conflict) as closed:
        rules.check_open(campaign, date(2026, 12, 4), rules.RATING)
    assert closed.value.code == "phase_closed"


def test_a_rater_never_rates_a_building_they_live_in_or_lead():
    principal = Principal("person", "cli_x", "str_x", person_id="psn_x")
    resident = Actor(principal, Grants(households={"hh_1": Tie("hh_1", "bld_home", "com_1", "owner", False)}))
    leader = Actor(principal, Grants(buildings={"bld_led": "com_1"}))
    for actor, building in ((resident, "bld_home"), (leader, "bld_led")):
        with pytest.raises(RuleViolation) as conflict:
            rules.check_not_own_building(actor, building)
        assert conflict.value.code == "rater_conflict"
    rules.check_not_own_building(resident, "bld_other")
