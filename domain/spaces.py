"""A shared space as a frozen model, and who may see and book it.

The booking rules of a space (hours, grid, window, quota) are in ``domain/bookings.py``;
this module says what a space is and which of a caller's ties qualify for it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.bookings import UTC, SpaceRules, SpaceTerms
from domain.errors import Forbidden, RuleViolation
from domain.permissions import Actor, Place


@dataclass(frozen=True, slots=True)
class Closure:
    start_at: datetime
    end_at: datetime
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Space:
    id: str
    street_id: str
    community_id: str
    building_id: str | None
    name: str
    kind: str
    capacity: int
    timezone: str
    opening_hours: Mapping[str, Sequence[str]]  # "mon" → ["08:00-22:00", …]
    closures: tuple[Closure, ...]
    rules: SpaceRules
    created_at: datetime
    updated_at: datetime

    @property
    def place(self) -> Place:
        return Place(self.street_id, community_id=self.community_id, building_id=self.building_id)

    @property
    def terms(self) -> SpaceTerms:
        """Everything that decides whether a time may be booked here."""
        closures = [(c.start_at.astimezone(UTC), c.end_at.astimezone(UTC)) for c in self.closures]
        return SpaceTerms(timezone=self.timezone, opening_hours=self.opening_hours, closures=closures,
                          rules=self.rules, capacity=self.capacity)


def qualifying_households(actor: Actor, space: Space) -> list[str]:
    """The caller's households that may book the space under its ``who_can_book``."""
    who = space.rules.who_can_book
    ties = actor.grants.households.values()
    if who == "building" and space.building_id is not None:
        return sorted(t.household_id for t in ties if t.building_id == space.building_id)
    if who in ("building", "community"):
        return sorted(t.household_id for t in ties if t.community_id == space.community_id)
    return sorted(t.household_id for t in ties)


def partner_organizations(actor: Actor, space: Space) -> list[str]:
    return sorted(set(space.rules.partner_organization_ids) & actor.grants.organizations)


def check_closures(closures: Sequence[Closure]) -> None:
    if any(c.end_at <= c.start_at for c in closures):
        raise RuleViolation("invalid_period")


def check_fits_place(rules: SpaceRules, building_id: str | None) -> None:
    """Only a building's space can be booked by "its building" (a community's has none)."""
    if rules.who_can_book == "building" and building_id is None:
        raise RuleViolation("invalid_space_rules")


@dataclass(frozen=True, slots=True)
class Party:
    """Who a booking is for: a household, a partner organisation, or (both None) the place."""

    household_id: str | None = None
    organization_id: str | None = None


def party_for(actor: Actor, space: Space, household_id: str | None, *, leader: bool) -> Party:
    """Who the caller books for: the household they name (it must qualify), else their one
    qualifying household, else a partner organisation, else — leaders only — the place itself.
    Only a signed-in person books (403 ``person_required``)."""
    if actor.is_platform or actor.person_id is None:
        raise Forbidden("person_required")
    households = qualifying_households(actor, space)
    if household_id is not None:
        if household_id not in households:
            raise RuleViolation("not_eligible")
        return Party(household_id=household_id)
    if len(households) > 1:
        raise RuleViolation("household_required")
    if households:
        return Party(household_id=households[0])
    organizations = partner_organizations(actor, space)
    if organizations:
        return Party(organization_id=organizations[0])
    if leader:
        return Party()
    raise RuleViolation("not_eligible")


def may_see(actor: Actor, space: Space) -> bool:
    """Those who see the space's place, and those who may book it."""
    return (actor.sees(space.place) or bool(qualifying_households(actor, space))
            or bool(partner_organizations(actor, space)))


@dataclass(frozen=True, slots=True)
class Bookable:
    """The caller's ties that make spaces bookable for them (the list of "spaces I may book"
    filters by these in SQL, the same test as ``may_see`` for one space)."""

    buildings: list[str]
    communities: list[str]
    any_household: bool
    organizations: list[str]
    led_buildings: list[str]
    led_communities: list[str]


def bookable_by(actor: Actor) -> Bookable:
    grants, ties = actor.grants, actor.grants.households.values()
    return Bookable(buildings=sorted({t.building_id for t in ties}), communities=sorted({t.community_id for t in ties}),
                    any_household=bool(grants.households), organizations=sorted(grants.organizations),
                    led_buildings=sorted(grants.buildings), led_communities=sorted(grants.communities))
