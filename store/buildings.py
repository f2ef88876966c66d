"""Buildings (楼栋/楼组) of a street, with the counts a building answers with."""

from __future__ import annotations

from typing import Any

import asyncpg

from domain.places import Building
from store.paging import Keyset, keyset_sql
from store.rows import conflict_from, model, models, set_clause

_UNIQUE = {"buildings_external_id_key": "duplicate_external_id"}
_COLUMNS = """b.id, b.street_id, b.community_id, b.name, b.address, b.compound_name, b.floors,
    b.units, b.external_id, b.rules, b.created_at, b.updated_at,
    (SELECT count(*) FROM households h WHERE h.building_id = b.id) AS household_count"""
UPDATABLE = ("name", "address", "compound_name", "floors", "units", "external_id", "rules")


async def insert(conn: asyncpg.Connection, *, id: str, street_id: str, community_id: str,
                 fields: dict[str, Any]) -> Building:
    try:
        await conn.execute(
            """INSERT INTO buildings (id, street_id, community_id, name, address, compound_name,
                                      floors, units, external_id, rules)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
            id, street_id, community_id, fields["name"], fields["address"],
            fields["compound_name"], fields["floors"], fields["units"], fields["external_id"],
            fields["rules"],
        )
    except asyncpg.UniqueViolationError as error:
        raise conflict_from(error, _UNIQUE) from None
    return await get(conn, street_id, id)


async def get(conn: asyncpg.Connection, street_id: str, building_id: str, *,
              for_update: bool = False) -> Building | None:
    lock = " FOR UPDATE OF b" if for_update else ""
    return model(Building, await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM buildings b WHERE b.id = $1 AND b.street_id = $2{lock}",
        building_id, street_id,
    ))


async def page(conn: asyncpg.Connection, street_id: str, keyset: Keyset, *,
               community_id: str | None = None, external_id: str | None = None,
               scope: tuple[list[str], list[str]] | None = None) -> list[Building]:
    """A page of the street's buildings; with ``scope`` (community ids, building ids) only
    the buildings of those communities and those buildings."""
    params: list[Any] = [street_id]
    filters = ["b.street_id = $1"]
    if scope is not None:
        params.extend(scope)
        filters.append(f"(b.community_id = ANY(${len(params) - 1}) OR b.id = ANY(${len(params)}))")
    for column, value in (("community_id", community_id), ("external_id", external_id)):
        if value is not None:
            params.append(value)
            filters.append(f"b.{column} = ${len(params)}")
    condition, order = keyset_sql(keyset, "b", params)
    return models(Building, await conn.fetch(
        f"SELECT {_COLUMNS} FROM buildings b WHERE {' AND '.join(filters)} AND {condition} {order}",
        *params,
    ))


async def update(conn: asyncpg.Connection, street_id: str, building_id: str,
                 changes: dict[str, Any]) -> Building:
    params: list[Any] = [building_id, street_id]
    assignments = set_clause(changes, UPDATABLE, params)
    try:
        await conn.execute(
            f"UPDATE buildings SET {assignments} WHERE id = $1 AND street_id = $2", *params
        )
    except asyncpg.UniqueViolationError as error:
        raise conflict_from(error, _UNIQUE) from None
    return await get(conn, street_id, building_id)
