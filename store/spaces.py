"""Shared spaces of a building or a community."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import asyncpg

from domain.bookings import SpaceRules
from domain.spaces import Bookable, Closure, Space
from store.paging import Keyset, keyset_sql
from store.rows import model, set_clause

_COLUMNS = ("s.id, s.street_id, s.community_id, s.building_id, s.name, s.kind, s.capacity, s.timezone, "
            "s.opening_hours, s.closures, s.rules, s.created_at, s.updated_at")
_FIELDS = ("name", "kind", "capacity", "timezone", "opening_hours", "closures", "rules")


def _space(record: asyncpg.Record | None) -> Space | None:
    """The row as a Space; its JSON columns (rules, closures) become their models too."""
    space = model(Space, record)
    if space is None:
        return None
    closures = tuple(Closure(datetime.fromisoformat(c["start_at"]), datetime.fromisoformat(c["end_at"]),
                             c.get("reason", "")) for c in record["closures"])
    return replace(space, rules=SpaceRules.from_stored(space.rules), closures=closures)


def stored_closures(closures: list[Closure]) -> list[dict[str, str]]:
    """Closures as the JSON column keeps them (the times as the client wrote them)."""
    return [{"start_at": c.start_at.isoformat(), "end_at": c.end_at.isoformat(), "reason": c.reason}
            for c in closures]


async def insert(conn: asyncpg.Connection, *, id: str, street_id: str, community_id: str,
                 building_id: str | None, fields: dict[str, Any]) -> Space:
    return _space(await conn.fetchrow(
        f"""INSERT INTO spaces AS s (id, street_id, community_id, building_id, name, kind, capacity, timezone,
                                     opening_hours, closures, rules)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING {_COLUMNS}""",
        id, street_id, community_id, building_id, fields["name"], fields["kind"], fields["capacity"],
        fields["timezone"], fields["opening_hours"], fields["closures"], fields["rules"]))


async def get(conn: asyncpg.Connection, street_id: str, space_id: str, *,
              for_update: bool = False) -> Space | None:
    """With ``for_update`` the row lock that serialises the bookings of one space."""
    lock = " FOR UPDATE" if for_update else ""
    return _space(await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM spaces s WHERE s.id = $1 AND s.street_id = $2{lock}", space_id, street_id))


async def update(conn: asyncpg.Connection, street_id: str, space_id: str, changes: dict[str, Any]) -> Space:
    params: list[Any] = [space_id, street_id]
    assignments = set_clause(changes, _FIELDS, params)
    return _space(await conn.fetchrow(
        f"UPDATE spaces AS s SET {assignments} WHERE s.id = $1 AND s.street_id = $2 RETURNING {_COLUMNS}", *params))


async def page(conn: asyncpg.Connection, street_id: str, keyset: Keyset, *, building_id: str | None = None,
               community_id: str | None = None, bookable: Bookable | None = None) -> list[Space]:
    """A page of spaces: of one building, of one community (its own, not its buildings'), or
    with ``bookable`` (the caller's ties) those the caller may book."""
    params: list[Any] = [street_id]
    filters = ["s.street_id = $1"]
    if building_id is not None:
        params.append(building_id)
        filters.append(f"s.building_id = ${len(params)}")
    if community_id is not None:
        params.append(community_id)
        filters.append(f"s.community_id = ${len(params)} AND s.building_id IS NULL")
    if bookable is not None:
        params.extend([bookable.buildings, bookable.communities, bookable.any_household,
                       bookable.organizations, bookable.led_buildings, bookable.led_communities])
        n = len(params)
        filters.append(
            f"""((s.rules->>'who_can_book' = 'building' AND s.building_id = ANY(${n - 5}::text[]))
                 OR (s.rules->>'who_can_book' = 'community' AND s.community_id = ANY(${n - 4}::text[]))
                 OR (s.rules->>'who_can_book' = 'street' AND ${n - 3}::boolean)
                 OR (s.rules->'partner_organization_ids' ?| ${n - 2}::text[])
                 OR s.building_id = ANY(${n - 1}::text[]) OR s.community_id = ANY(${n}::text[]))""")
    condition, order = keyset_sql(keyset, "s", params)
    records = await conn.fetch(
        f"SELECT {_COLUMNS} FROM spaces s WHERE {' AND '.join(filters)} AND {condition} {order}", *params)
    return [_space(r) for r in records]


async def set_calendar_digest(conn: asyncpg.Connection, space_id: str, digest: bytes) -> None:
    await conn.execute("UPDATE spaces SET calendar_token_digest = $2 WHERE id = $1", space_id, digest)


async def calendar_digest(conn: asyncpg.Connection, space_id: str) -> tuple[Space, bytes] | None:
    """The space (any street: the feed's token is its only credential) and its feed digest."""
    row = await conn.fetchrow(f"SELECT {_COLUMNS}, s.calendar_token_digest FROM spaces s WHERE s.id = $1",
                              space_id)
    if row is None or row["calendar_token_digest"] is None:
        return None
    return _space(row), bytes(row["calendar_token_digest"])
