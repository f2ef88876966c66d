"""Decision rules and the tally (resources.md §2), in exact rational arithmetic.

A ballot approves a set of options: with one option, ``yes`` approves it and ``no`` or
``abstain`` approve nothing; with several, the chosen ``option_ids`` (an empty set is an
abstention). Every ballot participates — abstentions too — but only approvals approve.

| rule | quorum (of the eligible) | approval (of the participating) |
|---|---|---|
| simple_majority | none | > 1/2 of ballots |
| two_thirds | none | ≥ 2/3 of ballots |
| civil_code_ordinary (民法典第278条) | ≥ 2/3 of households and ≥ 2/3 of area | > 1/2 of households and > 1/2 of area |
| civil_code_major (第278条 第6–8项) | same | ≥ 3/4 of households and ≥ 3/4 of area |

Counts are integers, areas Decimals with two places; every comparison is made with
``fractions.Fraction``, never floats. The winner is the option with the most approving
households among those that meet the rule; a tie for first place means ``rejected``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

RULE_NAMES = ("simple_majority", "two_thirds", "civil_code_ordinary", "civil_code_major")
CHOICES = ("yes", "no", "abstain")


@dataclass(frozen=True)
class Rule:
    name: str
    quorum: Fraction | None  # share of eligible households and area that must take part
    approval: Fraction  # share of participating ballots (and area, when by_area) that must approve
    strictly_more: bool  # "more than" (>) rather than "at least" (≥)
    by_area: bool  # the civil-code rules weigh households and area alike


RULES: dict[str, Rule] = {
    "simple_majority": Rule("simple_majority", None, Fraction(1, 2), True, False),
    "two_thirds": Rule("two_thirds", None, Fraction(2, 3), False, False),
    "civil_code_ordinary": Rule("civil_code_ordinary", Fraction(2, 3), Fraction(1, 2), True, True),
    "civil_code_major": Rule("civil_code_major", Fraction(2, 3), Fraction(3, 4), False, True),
}


@dataclass(frozen=True)
class Cast:
    """One counted ballot: the weight of its household and the options it approves."""

    area: Decimal
    approvals: frozenset[str]


@dataclass(frozen=True)
class OptionTally:
    option_id: str
    households: int
    area: Decimal
    meets_rule: bool


@dataclass(frozen=True)
class Tally:
    rule: str
    eligible_households: int
    eligible_area: Decimal
    participating_households: int
    participating_area: Decimal
    quorum_met: bool
    threshold_met: bool
    options: tuple[OptionTally, ...]
    winning_option_id: str | None
    outcome: str  # adopted, rejected, no_quorum


def _share(part: Fraction, whole: Fraction, ratio: Fraction, strictly_more: bool) -> bool:
    """part / whole > ratio (or ≥), without dividing: an empty whole meets an "at least"
    of nothing and never a "more than"."""
    return part > ratio * whole if strictly_more else part >= ratio * whole


def approves(rule: Rule, households: int, area: Decimal, participating: int,
             participating_area: Decimal) -> bool:
    """Does an option approved by ``households`` of ``area`` meet the rule's approval?"""
    if households == 0:
        return False  # nothing approved by nobody, whatever the arithmetic of empty votes says
    ok = _share(Fraction(households), Fraction(participating), rule.approval, rule.strictly_more)
    if rule.by_area:
        ok = ok and _share(Fraction(area), Fraction(participating_area), rule.approval, rule.strictly_more)
    return ok


def quorum_met(rule: Rule, participating: int, participating_area: Decimal, eligible: int,
               eligible_area: Decimal) -> bool:
    if rule.quorum is None:
        return True
    return (Fraction(participating) >= rule.quorum * eligible
            and Fraction(participating_area) >= rule.quorum * Fraction(eligible_area))


def tally(rule_name: str, option_ids: Iterable[str], electorate: Mapping[str, Decimal],
          casts: Iterable[Cast]) -> Tally:
    """Count ``casts`` (one per participating household of ``electorate``, household → area
    frozen at opening) for ``option_ids`` under the named rule."""
    rule = RULES[rule_name]
    options = list(option_ids)
    casts = list(casts)
    eligible_area = sum(electorate.values(), Decimal("0"))
    participating = len(casts)
    participating_area = sum((c.area for c in casts), Decimal("0"))
    per_option = []
    for option in options:
        backing = [c for c in casts if option in c.approvals]
        households, area = len(backing), sum((c.area for c in backing), Decimal("0"))
        per_option.append(OptionTally(option, households, area,
                                      approves(rule, households, area, participating, participating_area)))
    quorum = quorum_met(rule, participating, participating_area, len(electorate), eligible_area)
    passing = [o for o in per_option if o.meets_rule]
    winner = None
    if quorum and passing:
        best = max(o.households for o in passing)
        leaders = [o for o in passing if o.households == best]
        winner = leaders[0].option_id if len(leaders) == 1 else None
    outcome = "no_quorum" if not quorum else ("adopted" if winner is not None else "rejected")
    return Tally(rule_name, len(electorate), eligible_area, participating, participating_area, quorum,
                 bool(passing), tuple(per_option), winner, outcome)


def approvals_of(option_ids: list[str], choice: str | None, chosen: list[str] | None) -> frozenset[str]:
    """The options a ballot approves (see the module docstring)."""
    if len(option_ids) == 1:
        return frozenset(option_ids) if choice == "yes" else frozenset()
    return frozenset(chosen or ())
