"""Communities, buildings and households: created and changed by whoever may manage the
street's places, each change with its event."""

from __future__ import annotations

from typing import Any, Callable

import asyncpg

from domain.errors import NotFound
from domain.ids import new_id
from domain.permissions import Principal, can_manage_places, can_read_street
from domain.places import BuildingRules, parse_area
from store import buildings, communities, households
from store.events import Subject, append_event
from store.paging import Keyset
from store.rows import snapshot

Precondition = Callable[[asyncpg.Record], None]


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


# Communities

async def get_community(conn: asyncpg.Connection, who: Principal, community_id: str) -> asyncpg.Record:
    can_read_street(who)
    return _found(await communities.get(conn, who.street_id, community_id))


async def create_community(conn: asyncpg.Connection, who: Principal, fields: dict[str, Any]) -> asyncpg.Record:
    can_manage_places(who)
    record = await communities.insert(conn, id=new_id("community"), street_id=who.street_id,
                                      name=fields["name"], external_id=fields.get("external_id"))
    await _record_event(conn, "community", "created", record)
    return record


async def update_community(conn: asyncpg.Connection, who: Principal, community_id: str,
                           changes: dict[str, Any], precondition: Precondition) -> asyncpg.Record:
    can_read_street(who)
    current = _found(await communities.get(conn, who.street_id, community_id, for_update=True))
    can_manage_places(who)
    precondition(current)
    if not changes:
        return current
    record = await communities.update(conn, who.street_id, community_id, changes)
    await _record_event(conn, "community", "updated", record, sorted(changes))
    return record


# Buildings

async def get_building(conn: asyncpg.Connection, who: Principal, building_id: str) -> asyncpg.Record:
    can_read_street(who)
    return _found(await buildings.get(conn, who.street_id, building_id))


async def create_building(conn: asyncpg.Connection, who: Principal, community_id: str,
                          fields: dict[str, Any]) -> asyncpg.Record:
    can_read_street(who)
    community = _found(await communities.get(conn, who.street_id, community_id))
    can_manage_places(who)
    rules = BuildingRules().changed(fields.pop("rules", None) or {})
    record = await buildings.insert(conn, id=new_id("building"), street_id=who.street_id,
                                    community_id=community["id"],
                                    fields={**fields, "rules": rules.to_stored()})
    await _record_event(conn, "building", "created", record)
    return record


async def update_building(conn: asyncpg.Connection, who: Principal, building_id: str,
                          changes: dict[str, Any], precondition: Precondition) -> asyncpg.Record:
    can_read_street(who)
    current = _found(await buildings.get(conn, who.street_id, building_id, for_update=True))
    can_manage_places(who)
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
    can_read_street(who)
    return _found(await households.get(conn, who.street_id, household_id))


async def create_household(conn: asyncpg.Connection, who: Principal, building_id: str,
                           fields: dict[str, Any]) -> asyncpg.Record:
    can_read_street(who)
    building = _found(await buildings.get(conn, who.street_id, building_id))
    can_manage_places(who)
    record = await households.insert(
        conn, id=new_id("household"), street_id=who.street_id, community_id=building["community_id"],
        building_id=building["id"], unit_label=fields["unit_label"],
        area_m2=parse_area(fields["area_m2"], "body.area_m2"), votes=fields.get("votes", True),
        external_id=fields.get("external_id"),
    )
    await _record_event(conn, "household", "created", record)
    return record


async def update_household(conn: asyncpg.Connection, who: Principal, household_id: str,
                           changes: dict[str, Any], precondition: Precondition) -> asyncpg.Record:
    can_read_street(who)
    current = _found(await households.get(conn, who.street_id, household_id, for_update=True))
    can_manage_places(who)
    precondition(current)
    if "area_m2" in changes:
        changes["area_m2"] = parse_area(changes["area_m2"], "body.area_m2")
    if not changes:
        return current
    record = await households.update(conn, who.street_id, household_id, changes)
    await _record_event(conn, "household", "updated", record, sorted(changes))
    return record


# Lists (every list is street-scoped by the store; these add the read permission)

async def list_communities(conn: asyncpg.Connection, who: Principal, keyset: Keyset,
                           external_id: str | None) -> list[asyncpg.Record]:
    can_read_street(who)
    return await communities.page(conn, who.street_id, keyset, external_id=external_id)


async def list_buildings(conn: asyncpg.Connection, who: Principal, keyset: Keyset, *,
                         community_id: str | None = None, external_id: str | None = None
                         ) -> list[asyncpg.Record]:
    can_read_street(who)
    if community_id is not None:
        _found(await communities.get(conn, who.street_id, community_id))
    return await buildings.page(conn, who.street_id, keyset, community_id=community_id,
                                external_id=external_id)


async def list_households(conn: asyncpg.Connection, who: Principal, building_id: str,
                          keyset: Keyset, external_id: str | None) -> list[asyncpg.Record]:
    can_read_street(who)
    _found(await buildings.get(conn, who.street_id, building_id))
    return await households.page(conn, who.street_id, building_id, keyset, external_id=external_id)
