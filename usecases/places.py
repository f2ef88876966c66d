"""Communities, buildings and households: read by whoever may see them, created and changed
by whoever may manage them, each change with its event.

Communities and buildings are the street's registry (street-wide writers); households are
managed by community staff; a building's rules by its leaders. Other features reach a place
through ``visible_community``, ``visible_building`` and ``building_rules``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import asyncpg
import msgspec
from msgspec import UNSET, UnsetType

from domain.errors import NotFound, RuleViolation
from domain.ids import new_id
from domain.permissions import (
    Actor,
    Place,
    Principal,
    can_manage,
    ensure_for,
    ensure_street_wide,
)
from domain.places import Building, BuildingRules, Community, Household, check_voting_area, parse_area
from store import buildings, communities, households
from store.events import Subject, append_event
from store.paging import Keyset
from store.rows import snapshot
from usecases import documents_guard
from usecases.actors import actor_for, visible_scope
from usecases.kernel import changes_of, place_of, visible_or_404

T = TypeVar("T")
Precondition = Callable[[T], None]


# Commands

class CommunityCreate(msgspec.Struct):
    name: str
    external_id: str | None = None


class CommunityChange(msgspec.Struct):
    name: str | UnsetType = UNSET
    external_id: str | None | UnsetType = UNSET


class RulesChange(msgspec.Struct):
    """Rules of procedure to change; each value is checked by ``BuildingRules.changed``."""

    support_min_households: int | UnsetType = UNSET
    support_percent: int | UnsetType = UNSET
    collect_days: int | UnsetType = UNSET
    default_decision_rule: str | UnsetType = UNSET
    vote_min_hours: int | UnsetType = UNSET
    evaluation_days: int | UnsetType = UNSET


class BuildingCreate(msgspec.Struct):
    name: str
    address: str = ""
    compound_name: str | None = None
    floors: int | None = None
    units: int | None = None
    external_id: str | None = None
    rules: RulesChange | None = None


class BuildingChange(msgspec.Struct):
    name: str | UnsetType = UNSET
    address: str | UnsetType = UNSET
    compound_name: str | None | UnsetType = UNSET
    floors: int | None | UnsetType = UNSET
    units: int | None | UnsetType = UNSET
    external_id: str | None | UnsetType = UNSET
    rules: RulesChange | UnsetType = UNSET


class HouseholdCreate(msgspec.Struct):
    unit_label: str
    area_m2: str | float  # read exactly by domain.places.parse_area
    votes: bool = True
    external_id: str | None = None


class HouseholdChange(msgspec.Struct):
    unit_label: str | UnsetType = UNSET
    area_m2: str | float | UnsetType = UNSET
    votes: bool | UnsetType = UNSET
    external_id: str | None | UnsetType = UNSET


# Places

def community_place(community: Community) -> Place:
    return place_of(community)


def building_place(building: Building) -> Place:
    return place_of(building)


def household_place(household: Household) -> Place:
    return Place(household.street_id, community_id=household.community_id, building_id=household.building_id,
                 household_id=household.id)


async def _record_event(conn: asyncpg.Connection, kind: str, action: str, thing: Community | Building | Household,
                        changed: list[str] | None = None) -> None:
    data: dict[str, Any] = {kind: snapshot(thing)}
    if changed is not None:
        data["changed"] = changed
    await append_event(conn, type=f"{kind}.{action}", street_id=thing.street_id, subject=Subject(kind, thing.id),
                       data=data, community_id=thing.community_id, building_id=thing.building_id)


def _sees(actor: Actor) -> Callable[[Community | Building], bool]:
    return lambda thing: actor.sees(place_of(thing))


def _sees_household(actor: Actor) -> Callable[[Household], bool]:
    def sees(household: Household) -> bool:
        place = household_place(household)
        return actor.leader_of(place, write=False) or actor.resident_of(place)
    return sees


async def visible_community(conn: asyncpg.Connection, actor: Actor, community_id: str, *,
                            for_update: bool = False) -> Community:
    """The community when the actor may see it, else 404 ``not_found``."""
    found = await communities.get(conn, actor.principal.street_id, community_id, for_update=for_update)
    return visible_or_404(found, _sees(actor))


async def visible_building(conn: asyncpg.Connection, actor: Actor, building_id: str, *,
                           for_update: bool = False) -> Building:
    """The building when the actor may see it, else 404 ``not_found``."""
    found = await buildings.get(conn, actor.principal.street_id, building_id, for_update=for_update)
    return visible_or_404(found, _sees(actor))


async def find_community(conn: asyncpg.Connection, street_id: str, community_id: str) -> Community | None:
    """The street's community, seen or not: for a caller that applies a rule of its own."""
    return await communities.get(conn, street_id, community_id)


async def find_building(conn: asyncpg.Connection, street_id: str, building_id: str) -> Building | None:
    """The street's building, seen or not: for a caller that applies a rule of its own."""
    return await buildings.get(conn, street_id, building_id)


async def find_household(conn: asyncpg.Connection, street_id: str, household_id: str) -> Household | None:
    """The street's household, seen or not: for a caller that applies a rule of its own."""
    return await households.get(conn, street_id, household_id)


async def place_of_building(conn: asyncpg.Connection, street_id: str, building_id: str) -> Place:
    """Where the street's building lives, seen or not (404 ``not_found`` when there is none):
    for a feature that decides visibility by a rule of its own (an organisation's member may
    work a task in a building they cannot see)."""
    building = await buildings.get(conn, street_id, building_id)
    if building is None:
        raise NotFound("not_found")
    return building_place(building)


async def building_rules(conn: asyncpg.Connection, street_id: str, building_id: str) -> BuildingRules:
    """A building's rules of procedure, for the street's own jobs (no caller to check)."""
    building = await buildings.get(conn, street_id, building_id)
    if building is None:
        raise NotFound("not_found")
    return building.building_rules


# Communities

async def get_community(conn: asyncpg.Connection, who: Principal, community_id: str) -> Community:
    return await visible_community(conn, await actor_for(conn, who), community_id)


async def list_communities(conn: asyncpg.Connection, who: Principal, keyset: Keyset,
                           external_id: str | None) -> list[Community]:
    actor = await actor_for(conn, who)
    if actor.is_platform:
        ensure_street_wide(actor, write=False)
    return await communities.page(conn, who.street_id, keyset, external_id=external_id,
                                  scope=visible_scope(actor))


async def create_community(conn: asyncpg.Connection, who: Principal, command: CommunityCreate) -> Community:
    ensure_street_wide(await actor_for(conn, who), write=True)
    community = await communities.insert(conn, id=new_id("community"), street_id=who.street_id,
                                         name=command.name, external_id=command.external_id)
    await _record_event(conn, "community", "created", community)
    return community


async def update_community(conn: asyncpg.Connection, who: Principal, community_id: str,
                           command: CommunityChange, precondition: Precondition[Community]) -> Community:
    actor = await actor_for(conn, who)
    current = await visible_community(conn, actor, community_id, for_update=True)
    ensure_street_wide(actor, write=True)
    precondition(current)
    changes = changes_of(command)
    if not changes:
        return current
    community = await communities.update(conn, who.street_id, community_id, changes)
    await _record_event(conn, "community", "updated", community, sorted(changes))
    return community


# Buildings

async def get_building(conn: asyncpg.Connection, who: Principal, building_id: str) -> Building:
    return await visible_building(conn, await actor_for(conn, who), building_id)


async def list_buildings(conn: asyncpg.Connection, who: Principal, keyset: Keyset, *,
                         community_id: str | None = None, external_id: str | None = None) -> list[Building]:
    actor = await actor_for(conn, who)
    if actor.is_platform:
        ensure_street_wide(actor, write=False)
    if community_id is not None:
        await visible_community(conn, actor, community_id)
    return await buildings.page(conn, who.street_id, keyset, community_id=community_id,
                                external_id=external_id, scope=visible_scope(actor))


async def create_building(conn: asyncpg.Connection, who: Principal, community_id: str,
                          command: BuildingCreate) -> Building:
    actor = await actor_for(conn, who)
    community = await visible_community(conn, actor, community_id)
    ensure_street_wide(actor, write=True)
    rules = BuildingRules().changed(changes_of(command.rules) if command.rules else {})
    fields = {name: getattr(command, name) for name in command.__struct_fields__}
    building = await buildings.insert(conn, id=new_id("building"), street_id=who.street_id,
                                      community_id=community.id, fields={**fields, "rules": rules.to_stored()})
    await _record_event(conn, "building", "created", building)
    return building


async def update_building(conn: asyncpg.Connection, who: Principal, building_id: str,
                          command: BuildingChange, precondition: Precondition[Building]) -> Building:
    actor = await actor_for(conn, who)
    current = await visible_building(conn, actor, building_id, for_update=True)
    changes = changes_of(command)
    if set(changes) - {"rules"}:
        ensure_street_wide(actor, write=True)
    else:
        ensure_for(actor, actor.leader_of(building_place(current)))
    precondition(current)
    if "rules" in changes:
        await documents_guard.ensure_rules_not_governed(conn, current.street_id, current.id)
        changes["rules"] = current.building_rules.changed(changes["rules"]).to_stored()
    if not changes:
        return current
    building = await buildings.update(conn, who.street_id, building_id, changes)
    await _record_event(conn, "building", "updated", building, sorted(changes))
    return building


async def adopt_rules(conn: asyncpg.Connection, street_id: str, building_id: str, rules: BuildingRules) -> Building:
    """The rules a rules-of-procedure version puts in force, in the transaction of the vote
    that adopted it (usecases/document_amendments.py): no caller to check."""
    building = await buildings.update(conn, street_id, building_id, {"rules": rules.to_stored()})
    await _record_event(conn, "building", "updated", building, ["rules"])
    return building


# Households

async def get_household(conn: asyncpg.Connection, who: Principal, household_id: str) -> Household:
    return await visible_household(conn, await actor_for(conn, who), household_id)


async def visible_household(conn: asyncpg.Connection, actor: Actor, household_id: str, *,
                            for_update: bool = False) -> Household:
    """The household when the actor lives in it or leads its building, else 404."""
    found = await households.get(conn, actor.principal.street_id, household_id, for_update=for_update)
    return visible_or_404(found, _sees_household(actor))


async def list_households(conn: asyncpg.Connection, who: Principal, building_id: str,
                          keyset: Keyset, external_id: str | None) -> list[Household]:
    actor = await actor_for(conn, who)
    building = await visible_building(conn, actor, building_id)
    ensure_for(actor, actor.leader_of(building_place(building), write=False), "street:read")
    return await households.page(conn, who.street_id, building_id, keyset, external_id=external_id)


async def create_household(conn: asyncpg.Connection, who: Principal, building_id: str,
                           command: HouseholdCreate) -> Household:
    actor = await actor_for(conn, who)
    building = await visible_building(conn, actor, building_id)
    can_manage(actor, building_place(building))
    area = parse_area(command.area_m2, "body.area_m2")
    check_voting_area(area, command.votes)
    household = await households.insert(
        conn, id=new_id("household"), street_id=who.street_id, community_id=building.community_id,
        building_id=building.id, unit_label=command.unit_label, area_m2=area, votes=command.votes,
        external_id=command.external_id,
    )
    await _record_event(conn, "household", "created", household)
    return household


async def update_household(conn: asyncpg.Connection, who: Principal, household_id: str,
                           command: HouseholdChange, precondition: Precondition[Household]) -> Household:
    actor = await actor_for(conn, who)
    current = await visible_household(conn, actor, household_id, for_update=True)
    can_manage(actor, household_place(current))
    precondition(current)
    changes = changes_of(command)
    if "area_m2" in changes:
        changes["area_m2"] = parse_area(changes["area_m2"], "body.area_m2")
    check_voting_area(changes.get("area_m2", current.area_m2), changes.get("votes", current.votes))
    if not changes:
        return current
    household = await households.update(conn, who.street_id, household_id, changes)
    await _record_event(conn, "household", "updated", household, sorted(changes))
    return household


async def place_in_community(conn: asyncpg.Connection, community: Place, building_id: str | None) -> Place:
    """The community's place, or that of one of its buildings when ``building_id`` names one;
    422 ``invalid_buildings`` for a building that is not the community's."""
    if building_id is None:
        return community
    building = await find_building(conn, community.street_id, building_id)
    if building is None or building.community_id != community.community_id:
        raise RuleViolation("invalid_buildings")
    return Place(community.street_id, community_id=community.community_id, building_id=building_id)
