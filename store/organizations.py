"""Organisations of a street: property companies, owners' committees, volunteer teams,
partner units."""

from __future__ import annotations

from typing import Any

import asyncpg

from domain.ids import new_id
from domain.organizations import Organization
from store.paging import Keyset, keyset_sql
from store.rows import conflict_from, model, models

_COLUMNS = "o.id, o.street_id, o.community_id, o.name, o.kind, o.external_id, o.created_at, o.updated_at"
_UNIQUE = {"organizations_external_id_key": "duplicate_external_id"}


async def insert(conn: asyncpg.Connection, *, street_id: str, community_id: str | None, name: str, kind: str,
                 external_id: str | None) -> Organization:
    try:
        return model(Organization, await conn.fetchrow(
            f"""INSERT INTO organizations AS o (id, street_id, community_id, name, kind, external_id)
                VALUES ($1, $2, $3, $4, $5, $6) RETURNING {_COLUMNS}""",
            new_id("organization"), street_id, community_id, name, kind, external_id))
    except asyncpg.UniqueViolationError as error:
        raise conflict_from(error, _UNIQUE) from None


async def get(conn: asyncpg.Connection, street_id: str, organization_id: str) -> Organization | None:
    return model(Organization, await conn.fetchrow(f"SELECT {_COLUMNS} FROM organizations o WHERE o.id = $1 AND o.street_id = $2",
                               organization_id, street_id))


async def page(conn: asyncpg.Connection, street_id: str, keyset: Keyset, *, kind: str | None = None,
               community_ids: list[str] | None = None) -> list[Organization]:
    params: list[Any] = [street_id]
    filters = ["o.street_id = $1"]
    if kind is not None:
        params.append(kind)
        filters.append(f"o.kind = ${len(params)}")
    if community_ids is not None:
        params.append(community_ids)
        filters.append(f"o.community_id = ANY(${len(params)})")
    condition, order = keyset_sql(keyset, "o", params)
    return models(Organization, await conn.fetch(
        f"SELECT {_COLUMNS} FROM organizations o WHERE {' AND '.join(filters)} AND {condition} {order}", *params))
