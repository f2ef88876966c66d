"""Rules of the places of a street: areas, building rules and their defaults."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.errors import InvalidInput, RuleViolation

_CENT = Decimal("0.01")
MAX_AREA = Decimal("99999999.99")  # numeric(10, 2)

DECISION_RULES = ("simple_majority", "two_thirds", "civil_code_ordinary", "civil_code_major")


def parse_area(value: Any, field_path: str) -> Decimal:
    """An exclusive floor area in m², never negative, normalised to exactly two decimals
    ("89.5" → 89.50) so that tallies that weigh by area stay exact. A decimal string or a JSON
    number must have at most two decimals; a number is read as its shortest decimal form (what
    the client wrote: 89.55, not the binary float's 89.5499…) and is refused, never rounded,
    beyond the cent — the same answer as for the string form."""
    if isinstance(value, bool):
        raise InvalidInput(field_path, "invalid_area")
    try:
        area = value if isinstance(value, Decimal) else Decimal(repr(value) if isinstance(value, float) else str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(field_path, "invalid_area") from None
    if not area.is_finite() or area < 0 or area > MAX_AREA or area != area.quantize(_CENT):
        raise InvalidInput(field_path, "invalid_area")
    return area.quantize(_CENT)


def check_voting_area(area: Decimal, votes: bool) -> None:
    """A household that takes part in ballots needs an area above zero: the Civil Code rules
    weigh ballots by area, and a zero-area voter would count for a household but not for
    area (422 ``area_required_to_vote``). A storeroom or a shop that does not vote may have none."""
    if votes and area == 0:
        raise RuleViolation("area_required_to_vote")


def format_area(area: Decimal) -> str:
    return str(area.quantize(_CENT))


@dataclass(frozen=True)
class BuildingRules:
    """A building's own rules of procedure (议事规则), with the spec's defaults."""

    support_min_households: int = 3
    support_percent: int = 10
    collect_days: int = 14
    default_decision_rule: str = "simple_majority"
    vote_min_hours: int = 24
    evaluation_days: int = 7

    _BOUNDS = {
        "support_min_households": (1, 10_000),
        "support_percent": (0, 100),
        "collect_days": (1, 90),
        "vote_min_hours": (1, 24 * 30),
        "evaluation_days": (1, 60),
    }

    @classmethod
    def from_stored(cls, stored: dict[str, Any] | BuildingRules) -> BuildingRules:
        if isinstance(stored, BuildingRules):
            return stored
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in stored.items() if k in known})

    def changed(self, changes: dict[str, Any], field_prefix: str = "body.rules") -> BuildingRules:
        """Apply a partial update, checking every changed value."""
        for name, value in changes.items():
            if name == "default_decision_rule":
                if value not in DECISION_RULES:
                    raise InvalidInput(f"{field_prefix}.{name}", "invalid_choice")
                continue
            low, high = self._BOUNDS[name]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise InvalidInput(f"{field_prefix}.{name}", "out_of_range", min=low, max=high)
        return replace(self, **changes)

    def to_stored(self) -> dict[str, Any]:
        return asdict(self)


def support_threshold(rules: BuildingRules, voting_households: int) -> int:
    """Households needed to move a proposal to deliberation: the larger of the minimum
    and the percentage of voting households, rounded up (exact integer arithmetic)."""
    by_percent = -(-rules.support_percent * voting_households // 100)
    return max(rules.support_min_households, by_percent)


@dataclass(frozen=True, slots=True)
class Community:
    id: str
    street_id: str
    name: str
    external_id: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def community_id(self) -> str:
        return self.id

    @property
    def building_id(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class Building:
    id: str
    street_id: str
    community_id: str
    name: str
    address: str
    compound_name: str | None
    floors: int | None
    units: int | None
    external_id: str | None
    rules: dict[str, Any]  # as stored; building_rules reads it with the defaults
    created_at: datetime
    updated_at: datetime
    household_count: int

    @property
    def building_id(self) -> str:
        return self.id

    @property
    def building_rules(self) -> BuildingRules:
        return BuildingRules.from_stored(self.rules)


@dataclass(frozen=True, slots=True)
class Household:
    id: str
    street_id: str
    community_id: str
    building_id: str
    unit_label: str
    area_m2: Decimal
    votes: bool
    external_id: str | None
    created_at: datetime
    updated_at: datetime
