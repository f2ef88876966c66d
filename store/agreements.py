"""Co-building agreements between a community (or a building) and a partner organisation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from domain.agreements import Agreement
from domain.ids import new_id
from store.paging import Keyset, keyset_sql
from store.rows import model, one, set_clause

UPDATABLE = ("organization_id", "title", "commitments", "starts_on", "ends_on", "building_id")
_STAMPS = {"signed": "signed_at", "active": "active_at", "expired": "expired_at", "terminated": "terminated_at"}


def _agreement(record: asyncpg.Record | None) -> Agreement | None:
    return model(Agreement, record)


def _one(record: asyncpg.Record | None) -> Agreement:
    return one(Agreement, record)


async def insert(conn: asyncpg.Connection, columns: dict[str, Any]) -> Agreement:
    values = dict(columns)
    names = ["id", *values]
    placeholders = ", ".join(f"${n}" for n in range(1, len(names) + 1))
    return _one(await conn.fetchrow(
        f"INSERT INTO agreements ({', '.join(names)}) VALUES ({placeholders}) RETURNING *",
        new_id("agreement"), *values.values()))


async def get(conn: asyncpg.Connection, street_id: str, agreement_id: str, *, lock: bool = False) -> Agreement | None:
    suffix = " FOR UPDATE" if lock else ""
    return _agreement(await conn.fetchrow(
        f"SELECT * FROM agreements WHERE id = $1 AND street_id = $2{suffix}", agreement_id, street_id))


async def page(conn: asyncpg.Connection, street_id: str, community_id: str, keyset: Keyset, *,
               status: str | None, organization_id: str | None, organization_ids: list[str] | None) -> list[Agreement]:
    params: list[Any] = [street_id, community_id]
    filters = ["a.street_id = $1", "a.community_id = $2"]
    for column, value in (("status", status), ("organization_id", organization_id)):
        if value is not None:
            params.append(value)
            filters.append(f"a.{column} = ${len(params)}")
    if organization_ids is not None:
        params.append(organization_ids)
        filters.append(f"a.organization_id = ANY(${len(params)})")
    condition, order = keyset_sql(keyset, "a", params)
    rows = await conn.fetch(f"SELECT a.* FROM agreements a WHERE {' AND '.join(filters)} AND {condition} {order}",
                            *params)
    return [_one(row) for row in rows]


async def update(conn: asyncpg.Connection, agreement_id: str, changes: dict[str, Any]) -> Agreement:
    """A draft's change clears the signatures it had."""
    values = dict(changes)
    params: list[Any] = [agreement_id]
    assignments = set_clause(values, UPDATABLE, params)
    return _one(await conn.fetchrow(
        f"""UPDATE agreements SET {assignments}, community_signed_by = NULL, community_signed_at = NULL,
                   organization_signed_by = NULL, organization_signed_at = NULL
            WHERE id = $1 RETURNING *""", *params))


async def sign(conn: asyncpg.Connection, agreement_id: str, *, side: str, person_id: str, at: datetime) -> Agreement:
    column = {"community": "community", "organization": "organization"}[side]
    return _one(await conn.fetchrow(
        f"""UPDATE agreements SET {column}_signed_by = $2, {column}_signed_at = $3, updated_at = clock_timestamp()
            WHERE id = $1 RETURNING *""", agreement_id, person_id, at))


async def move(conn: asyncpg.Connection, agreement_id: str, *, to: str, at: datetime, reason: str | None = None,
               by: str | None = None) -> Agreement:
    return _one(await conn.fetchrow(
        f"""UPDATE agreements SET status = $2, {_STAMPS[to]} = $3, reason = coalesce($4, reason),
                   reason_by = CASE WHEN $4::text IS NULL THEN reason_by ELSE $5 END, updated_at = clock_timestamp()
            WHERE id = $1 RETURNING *""", agreement_id, to, at, reason, by))


async def mark_expiring(conn: asyncpg.Connection, agreement_id: str, at: datetime) -> Agreement | None:
    """Stamp the expiring notice once: None when it was already raised."""
    return _agreement(await conn.fetchrow(
        """UPDATE agreements SET expiring_at = $2, updated_at = clock_timestamp()
           WHERE id = $1 AND expiring_at IS NULL RETURNING *""", agreement_id, at))


async def timezone_of(conn: asyncpg.Connection, street_id: str) -> str:
    return await conn.fetchval("SELECT timezone FROM streets WHERE id = $1", street_id)
