"""Households (户) of a building."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import asyncpg

from domain.places import Household
from store.paging import Keyset, keyset_sql
from store.rows import conflict_from, model, models, set_clause

_UNIQUE = {
    "households_external_id_key": "duplicate_external_id",
    "households_unit_label_key": "duplicate_unit_label",
}
_COLUMNS = """h.id, h.street_id, h.community_id, h.building_id, h.unit_label, h.area_m2,
    h.votes, h.external_id, h.created_at, h.updated_at"""
UPDATABLE = ("unit_label", "area_m2", "votes", "external_id")


async def insert(conn: asyncpg.Connection, *, id: str, street_id: str, community_id: str,
                 building_id: str, unit_label: str, area_m2: Decimal, votes: bool,
                 external_id: str | None) -> Household:
    try:
        return model(Household, await conn.fetchrow(
            f"""INSERT INTO households AS h (id, street_id, community_id, building_id, unit_label,
                                             area_m2, votes, external_id)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {_COLUMNS}""",
            id, street_id, community_id, building_id, unit_label, area_m2, votes, external_id,
        ))
    except asyncpg.UniqueViolationError as error:
        raise conflict_from(error, _UNIQUE) from None


async def get(conn: asyncpg.Connection, street_id: str, household_id: str, *,
              for_update: bool = False) -> Household | None:
    lock = " FOR UPDATE" if for_update else ""
    return model(Household, await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM households h WHERE h.id = $1 AND h.street_id = $2{lock}",
        household_id, street_id,
    ))


async def page(conn: asyncpg.Connection, street_id: str, building_id: str, keyset: Keyset, *,
               external_id: str | None = None) -> list[Household]:
    params: list[Any] = [street_id, building_id]
    filters = ["h.street_id = $1", "h.building_id = $2"]
    if external_id is not None:
        params.append(external_id)
        filters.append(f"h.external_id = ${len(params)}")
    condition, order = keyset_sql(keyset, "h", params)
    return models(Household, await conn.fetch(
        f"SELECT {_COLUMNS} FROM households h WHERE {' AND '.join(filters)} AND {condition} {order}",
        *params,
    ))


async def update(conn: asyncpg.Connection, street_id: str, household_id: str,
                 changes: dict[str, Any]) -> Household:
    params: list[Any] = [household_id, street_id]
    assignments = set_clause(changes, UPDATABLE, params)
    try:
        return model(Household, await conn.fetchrow(
            f"UPDATE households AS h SET {assignments} WHERE h.id = $1 AND h.street_id = $2 "
            f"RETURNING {_COLUMNS}",
            *params,
        ))
    except asyncpg.UniqueViolationError as error:
        raise conflict_from(error, _UNIQUE) from None
