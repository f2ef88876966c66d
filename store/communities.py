"""Communities (社区/居民区) of a street."""

from __future__ import annotations

from typing import Any

import asyncpg

from domain.places import Community
from store.paging import Keyset, keyset_sql
from store.rows import conflict_from, model, models, set_clause

_UNIQUE = {"communities_external_id_key": "duplicate_external_id"}
_COLUMNS = "c.id, c.street_id, c.name, c.external_id, c.created_at, c.updated_at"


async def insert(conn: asyncpg.Connection, *, id: str, street_id: str, name: str,
                 external_id: str | None) -> Community:
    try:
        return model(Community, await conn.fetchrow(
            f"""INSERT INTO communities AS c (id, street_id, name, external_id)
                VALUES ($1, $2, $3, $4) RETURNING {_COLUMNS}""",
            id, street_id, name, external_id,
        ))
    except asyncpg.UniqueViolationError as error:
        raise conflict_from(error, _UNIQUE) from None


async def get(conn: asyncpg.Connection, street_id: str, community_id: str, *,
              for_update: bool = False) -> Community | None:
    lock = " FOR UPDATE" if for_update else ""
    return model(Community, await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM communities c WHERE c.id = $1 AND c.street_id = $2{lock}",
        community_id, street_id,
    ))


async def page(conn: asyncpg.Connection, street_id: str, keyset: Keyset, *,
               external_id: str | None = None,
               scope: tuple[list[str], list[str]] | None = None) -> list[Community]:
    """A page of the street's communities; with ``scope`` (community ids, building ids) only
    those communities and the ones holding those buildings."""
    params: list[Any] = [street_id]
    filters = ["c.street_id = $1"]
    if scope is not None:
        params.extend(scope)
        filters.append(f"(c.id = ANY(${len(params) - 1}) OR EXISTS (SELECT 1 FROM buildings b "
                       f"WHERE b.community_id = c.id AND b.id = ANY(${len(params)})))")
    if external_id is not None:
        params.append(external_id)
        filters.append(f"c.external_id = ${len(params)}")
    condition, order = keyset_sql(keyset, "c", params)
    return models(Community, await conn.fetch(
        f"SELECT {_COLUMNS} FROM communities c WHERE {' AND '.join(filters)} AND {condition} {order}",
        *params,
    ))


async def update(conn: asyncpg.Connection, street_id: str, community_id: str,
                 changes: dict[str, Any]) -> Community:
    params: list[Any] = [community_id, street_id]
    assignments = set_clause(changes, ("name", "external_id"), params)
    try:
        return model(Community, await conn.fetchrow(
            f"UPDATE communities AS c SET {assignments} WHERE c.id = $1 AND c.street_id = $2 "
            f"RETURNING {_COLUMNS}",
            *params,
        ))
    except asyncpg.UniqueViolationError as error:
        raise conflict_from(error, _UNIQUE) from None
