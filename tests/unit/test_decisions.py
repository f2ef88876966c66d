"""The tally and the four decision rules against a brute-force reference (hypothesis), and
the Civil Code cases by name."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.decisions import RULE_NAMES, Cast, tally

OPTIONS_POOL = ["a", "b", "c", "d"]


def reference(rule: str, options: list[str], electorate: dict[str, Decimal], ballots: dict[str, frozenset]) -> dict:
    """Written apart from the domain: integer arithmetic on cents, ratios by cross-multiplying
    with integers, the winner found by sorting."""
    cents = {h: int(a * 100) for h, a in electorate.items()}
    n_eligible, a_eligible = len(cents), sum(cents.values())
    voters = list(ballots)
    n, a = len(voters), sum(cents[h] for h in voters)
    if rule in ("civil_code_ordinary", "civil_code_major"):
        quorum = 3 * n >= 2 * n_eligible and 3 * a >= 2 * a_eligible
    else:
        quorum = True

    def meets(count: int, area: int) -> bool:
        if count == 0:
            return False
        if rule == "simple_majority":
            return 2 * count > n
        if rule == "two_thirds":
            return 3 * count >= 2 * n
        if rule == "civil_code_ordinary":
            return 2 * count > n and 2 * area > a
        return 4 * count >= 3 * n and 4 * area >= 3 * a

    scores = []
    for option in options:
        backers = [h for h in voters if option in ballots[h]]
        if meets(len(backers), sum(cents[h] for h in backers)):
            scores.append((len(backers), option))
    scores.sort(reverse=True)
    winner = None
    if quorum and scores and (len(scores) == 1 or scores[0][0] != scores[1][0]):
        winner = scores[0][1]
    outcome = "no_quorum" if not quorum else ("adopted" if winner else "rejected")
    return {"outcome": outcome, "winner": winner, "participating": n, "area": Decimal(a) / 100}


@st.composite
def elections(draw):
    rule = draw(st.sampled_from(RULE_NAMES))
    options = OPTIONS_POOL[: draw(st.integers(1, 4))]
    size = draw(st.integers(1, 12))
    areas = draw(st.lists(st.integers(0, 20000), min_size=size, max_size=size))
    electorate = {f"h{i}": Decimal(c) / 100 for i, c in enumerate(areas)}
    ballots = {}
    for household in electorate:
        if draw(st.booleans()):  # this household voted
            if len(options) == 1:
                chosen = frozenset(options) if draw(st.sampled_from(["yes", "no", "abstain"])) == "yes" else frozenset()
            else:
                chosen = frozenset(draw(st.lists(st.sampled_from(options), max_size=len(options), unique=True)))
            ballots[household] = chosen
    return rule, options, electorate, ballots


@settings(max_examples=400, deadline=None)
@given(elections())
def test_the_tally_agrees_with_the_reference(election):
    rule, options, electorate, ballots = election
    result = tally(rule, options, electorate, [Cast(electorate[h], c) for h, c in ballots.items()])
    expected = reference(rule, options, electorate, ballots)
    assert result.outcome == expected["outcome"]
    assert result.winning_option_id == expected["winner"]
    assert result.participating_households == expected["participating"]
    assert result.participating_area == expected["area"]
    for option in result.options:
        assert option.households == sum(1 for c in ballots.values() if option.option_id in c)


def _vote(rule: str, electorate: dict[str, str], yes: list[str], no: list[str] = (), abstain: list[str] = ()):
    areas = {h: Decimal(a) for h, a in electorate.items()}
    casts = [Cast(areas[h], frozenset({"x"})) for h in yes] + [Cast(areas[h], frozenset()) for h in [*no, *abstain]]
    return tally(rule, ["x"], areas, casts)


def test_civil_code_quorum_met_by_count_but_not_by_area_is_no_quorum():
    # 3 households of 6 small flats and one big one: 4 of 6 vote (2/3 by count), but only
    # 4 × 50 = 200 of 200 + 2 × 400 = 1000 m² (1/5 by area).
    electorate = {"h1": "50", "h2": "50", "h3": "50", "h4": "50", "h5": "400", "h6": "400"}
    result = _vote("civil_code_ordinary", electorate, yes=["h1", "h2", "h3", "h4"])
    assert result.participating_households == 4 and not result.quorum_met
    assert result.outcome == "no_quorum"


def test_civil_code_major_passes_and_fails_on_area_alone():
    electorate = {"h1": "100", "h2": "100", "h3": "100", "h4": "100"}
    passing = _vote("civil_code_major", {**electorate, "h4": "100.00"}, yes=["h1", "h2", "h3"], no=["h4"])
    assert passing.outcome == "adopted"  # 3/4 of households and exactly 3/4 of area
    failing = _vote("civil_code_major", {**electorate, "h4": "100.01"}, yes=["h1", "h2", "h3"], no=["h4"])
    assert failing.quorum_met and failing.options[0].households == 3
    assert failing.outcome == "rejected"  # same count; 300 / 400.01 < 3/4 by one cent


def test_civil_code_ordinary_needs_more_than_half_of_area_too():
    electorate = {"h1": "60", "h2": "60", "h3": "200"}
    result = _vote("civil_code_ordinary", electorate, yes=["h1", "h2"], no=["h3"])
    assert result.quorum_met and result.outcome == "rejected"  # 2 of 3 households, 120 of 320 m²


def test_abstentions_participate_without_approving():
    electorate = {f"h{i}": "80" for i in range(6)}
    # 3 yes of 6 ballots (3 abstain): not more than half → rejected, though nobody said no.
    assert _vote("simple_majority", electorate, yes=["h0", "h1", "h2"], abstain=["h3", "h4", "h5"]).outcome == "rejected"
    # Without the abstainers the same 3 yes of 4 would pass.
    assert _vote("simple_majority", electorate, yes=["h0", "h1", "h2"], no=["h3"]).outcome == "adopted"
    # Abstentions help the civil-code quorum: 4 of 6 take part, 2 yes of 4 is not more than half.
    result = _vote("civil_code_ordinary", electorate, yes=["h0", "h1"], abstain=["h2", "h3"])
    assert result.quorum_met and result.outcome == "rejected"


def test_two_thirds_is_at_least_and_simple_majority_is_more_than():
    electorate = {f"h{i}": "80" for i in range(6)}
    assert _vote("two_thirds", electorate, yes=["h0", "h1", "h2", "h3"], no=["h4", "h5"]).outcome == "adopted"
    assert _vote("simple_majority", electorate, yes=["h0", "h1", "h2"], no=["h3", "h4", "h5"]).outcome == "rejected"


def test_an_empty_vote_and_a_single_household():
    assert tally("two_thirds", ["x"], {"h": Decimal("80")}, []).outcome == "rejected"
    assert tally("civil_code_major", ["x"], {"h": Decimal("80")}, []).outcome == "no_quorum"
    assert _vote("civil_code_major", {"h": "80"}, yes=["h"]).outcome == "adopted"


def test_a_tie_for_first_place_is_rejected():
    areas = {f"h{i}": Decimal("80") for i in range(4)}
    casts = [Cast(areas[h], frozenset({"a", "b"})) for h in ("h0", "h1", "h2")] + [Cast(areas["h3"], frozenset())]
    result = tally("simple_majority", ["a", "b"], areas, casts)
    assert result.threshold_met and result.winning_option_id is None and result.outcome == "rejected"
