"""Communities, buildings and households: read by whoever may see them, created and changed
by whoever may manage them, each change with its event.

Communities and buildings are the street's registry (street-wide writers); households are
managed by community staff; a building's rules by its leaders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg

from domain.errors import NotFound
from domain.ids import new_id
from domain.permissions import (
    Actor,
    Place,
    Principal,
    can_manage,
    ensure_for,
    ensure_street_wide,
    ensure_visible,
)
from domain.places import BuildingRules, check_voting_area, parse_area
from store import buildings, communities, households
from store.events import Subject, append_event
from store.paging import Keyset
from store.rows import snapshot
from usecases.actors import actor_for, visible_scope

Precondition = Callable[[asyncpg.Record], None]


def community_place(row: asyncpg.Record) -> Place:
    return Place(row["street_id"], community_id=row["id"])


def building_place(row: asyncpg.Record) -> Place:
    return Place(row["street_id"], community_id=row["community_id"], building_id=row["id"])


def household_place(row: asyncpg.Record) -> Place:
    return Place(row["street_id"], community_id=row["community_id"], building_id=row["building_id"],
                 household_id=row["id"])


async def _record_event(conn: asyncpg.Connection, kind: str, action: str, record: asyncpg.Record,
                        changed: list[str] | None = None) -> None:
    data: dict[str, Any] = {kind: snapshot(record)}
    if changed is not None:
        data["changed"] = changed
    await append_event(
        conn, type=f"{kind}.{action}", street_id=record["street_id"],
        subject=Subject(kind, record["id"]), data=data,
        community_id=record["id"] if kind == "community" else record.get("community_id"),
        building_id=record["id"] if kind == "building" else record.get("building_id"),
    )


def _found(record: asyncpg.Record | None) -> asyncpg.Record:
    if record is None:
        raise NotFound("not_found")
    return record


async def _visible(actor: Actor, record: asyncpg.Record | None,
                   place_of: Callable[[asyncpg.Record], Place]) -> asyncpg.Record:
    ensure_visible(actor, place_of(_found(record)))
    return record  # type: ignore[return-value]


# Communities

async def get_community(conn: asyncpg.Connection, who: Principal, community_id: str) -> asyncpg.Record:
    actor = await actor_for(conn, who)
    return await _visible(actor, await communities.get(conn, who.street_id, community_id), community_place)


async def list_communities(conn: asyncpg.Connection, who: Principal, keyset: Keyset,
                           external_id: str | None) -> list[asyncpg.Record]:
    actor = await actor_for(conn, who)
    if actor.is_platform:
        ensure_street_wide(actor, write=False)
    return await communities.page(conn, who.street_id, keyset, external_id=external_id,
                                  scope=visible_scope(actor))


async def create_community(conn: asyncpg.Connection, who: Principal, fields: dict[str, Any]) -> asyncpg.Record:
    ensure_street_wide(await actor_for(conn, who), write=True)
    record = await communities.insert(conn, id=new_id("community"), street_id=who.street_id,
                                      name=fields["name"], external_id=fields.get("external_id"))
    await _record_event(conn, "community", "created", record)
    return record


async def update_community(conn: asyncpg.Connection, who: Principal, community_id: str,
                           changes: dict[str, Any], precondition: Precondition) -> asyncpg.Record:
    actor = await actor_for(conn, who)
    current = await _visible(actor, await communities.get(conn, who.street_id, community_id, for_update=True),
                             community_place)
    ensure_street_wide(actor, write=True)
    precondition(current)
    if not changes:
        return current
    record = await communities.update(conn, who.street_id, community_id, changes)
    await _record_event(conn, "community", "updated", record, sorted(changes))
    return record


# Buildings

async def get_building(conn: asyncpg.Connection, who: Principal, building_id: str) -> asyncpg.Record:
    actor = await actor_for(conn, who)
    return await _visible(actor, await buildings.get(conn, who.street_id, building_id), building_place)


async def list_buildings(conn: asyncpg.Connection, who: Principal, keyset: Keyset, *,
                         community_id: str | None = None, external_id: str | None = None
                         ) -> list[asyncpg.Record]:
    actor = await actor_for(conn, who)
    if actor.is_platform:
        ensure_street_wide(actor, write=False)
    if community_id is not None:
        await _visible(actor, await communities.get(conn, who.street_id, community_id), community_place)
    return await buildings.page(conn, who.street_id, keyset, community_id=community_id,
                                external_id=external_id, scope=visible_scope(actor))


async def create_building(conn: asyncpg.Connection, who: Principal, community_id: str,
                          fields: dict[str, Any]) -> asyncpg.Record:
    actor = await actor_for(conn, who)
    community = await _visible(actor, await communities.get(conn, who.street_id, community_id),
                               community_place)
    ensure_street_wide(actor, write=True)
    rules = BuildingRules().changed(fields.pop("rules", None) or {})
    record = await buildings.insert(conn, id=new_id("building"), street_id=who.street_id,
                                    community_id=community["id"],
                                    fields={**fields, "rules": rules.to_stored()})
    await _record_event(conn, "building", "created", record)
    return record


async def update_building(conn: asyncpg.Connection, who: Principal, building_id: str,
                          changes: dict[str, Any], precondition: Precondition) -> asyncpg.Record:
    actor = await actor_for(conn, who)
    current = await _visible(actor, await buildings.get(conn, who.street_id, building_id, for_update=True),
                             building_place)
    place = building_place(current)
    if set(changes) - {"rules"}:
        ensure_street_wide(actor, write=True)
    else:
        ensure_for(actor, actor.leader_of(place))
    precondition(current)
    if "rules" in changes:
        changes["rules"] = BuildingRules.from_stored(current["rules"]).changed(changes["rules"]).to_stored()
    if not changes:
        return current
    record = await buildings.update(conn, who.street_id, building_id, changes)
    await _record_event(conn, "building", "updated", record, sorted(changes))
    return record


# Households

async def get_household(conn: asyncpg.Connection, who: Principal, household_id: str) -> asyncpg.Record:
    actor = await actor_for(conn, who)
    record = _found(await households.get(conn, who.street_id, household_id))
    place = household_place(record)
    if not (actor.leader_of(place, write=False) or actor.resident_of(place)):
        raise NotFound("not_found")
    return record


async def list_households(conn: asyncpg.Connection, who: Principal, building_id: str,
                          keyset: Keyset, external_id: str | None) -> list[asyncpg.Record]:
    actor = await actor_for(conn, who)
    building = await _visible(actor, await buildings.get(conn, who.street_id, building_id), building_place)
    ensure_for(actor, actor.leader_of(building_place(building), write=False), "street:read")
    return await households.page(conn, who.street_id, building_id, keyset, external_id=external_id)


async def create_household(conn: asyncpg.Connection, who: Principal, building_id: str,
                           fields: dict[str, Any]) -> asyncpg.Record:
    actor = await actor_for(conn, who)
    building = await _visible(actor, await buildings.get(conn, who.street_id, building_id), building_place)
    can_manage(actor, building_place(building))
    area, votes = parse_area(fields["area_m2"], "body.area_m2"), fields.get("votes", True)
    check_voting_area(area, votes)
    record = await households.insert(
        conn, id=new_id("household"), street_id=who.street_id, community_id=building["community_id"],
        building_id=building["id"], unit_label=fields["unit_label"], area_m2=area, votes=votes,
        external_id=fields.get("external_id"),
    )
    await _record_event(conn, "household", "created", record)
    return record


async def update_household(conn: asyncpg.Connection, who: Principal, household_id: str,
                           changes: dict[str, Any], precondition: Precondition) -> asyncpg.Record:
    actor = await actor_for(conn, who)
    current = _found(await households.get(conn, who.street_id, household_id, for_update=True))
    place = household_place(current)
    if not (actor.leader_of(place, write=False) or actor.resident_of(place)):
        raise NotFound("not_found")
    can_manage(actor, place)
    precondition(current)
    if "area_m2" in changes:
        changes["area_m2"] = parse_area(changes["area_m2"], "body.area_m2")
    check_voting_area(changes.get("area_m2", current["area_m2"]), changes.get("votes", current["votes"]))
    if not changes:
        return current
    record = await households.update(conn, who.street_id, household_id, changes)
    await _record_event(conn, "household", "updated", record, sorted(changes))
    return record
