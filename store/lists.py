"""The three lists of a community: needs, partner resources and projects. A need's match to a
project is a conditional UPDATE (only an open need is taken), so two projects never take the
same need."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

import asyncpg

from domain.ids import new_id
from domain.lists import Need, PartnerResource, Project
from store.paging import Keyset, keyset_sql
from store.rows import model, models, one, set_clause

M = TypeVar("M")
_TABLES: dict[type, tuple[str, str]] = {Need: ("needs", "need"), PartnerResource: ("partner_resources", "partner_resource"),
                                        Project: ("projects", "project")}
UPDATABLE = {
    Need: ("title", "description", "category", "building_id"),
    PartnerResource: ("kind", "description", "capacity", "available_from", "available_until", "status",
                      "organization_id"),
    Project: ("title", "description", "building_ids", "resource_ids", "organization_ids"),
}


async def insert(conn: asyncpg.Connection, model_type: type[M], columns: dict[str, Any]) -> M:
    """A new row of ``model_type``'s table; the column names come from the use case, never a client."""
    table, kind = _TABLES[model_type]
    names = ["id", *columns]
    placeholders = ", ".join(f"${n}" for n in range(1, len(names) + 1))
    return one(model_type, await conn.fetchrow(
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({placeholders}) RETURNING *",
        new_id(kind), *columns.values()))


async def get(conn: asyncpg.Connection, model_type: type[M], street_id: str, thing_id: str, *,
              lock: bool = False) -> M | None:
    table, _ = _TABLES[model_type]
    suffix = " FOR UPDATE" if lock else ""
    return model(model_type, await conn.fetchrow(
        f"SELECT * FROM {table} WHERE id = $1 AND street_id = $2{suffix}", thing_id, street_id))


async def page(conn: asyncpg.Connection, model_type: type[M], street_id: str, community_id: str, keyset: Keyset,
               filters: dict[str, Any]) -> list[M]:
    """A community's rows, with the equality ``filters`` that are not None (names from the route)."""
    table, _ = _TABLES[model_type]
    params: list[Any] = [street_id, community_id]
    conditions = ["t.street_id = $1", "t.community_id = $2"]
    for column, value in filters.items():
        if value is not None:
            params.append(value)
            conditions.append(f"t.{column} = ${len(params)}")
    condition, order = keyset_sql(keyset, "t", params)
    return models(model_type, await conn.fetch(
        f"SELECT t.* FROM {table} t WHERE {' AND '.join(conditions)} AND {condition} {order}", *params))


async def update(conn: asyncpg.Connection, model_type: type[M], thing_id: str, changes: dict[str, Any]) -> M:
    table, _ = _TABLES[model_type]
    params: list[Any] = [thing_id]
    assignments = set_clause(changes, UPDATABLE[model_type], params)
    return one(model_type, await conn.fetchrow(
        f"UPDATE {table} SET {assignments} WHERE id = $1 RETURNING *", *params))


async def count_in(conn: asyncpg.Connection, model_type: type, street_id: str, community_id: str,
                   ids: list[str]) -> int:
    """How many of ``ids`` are rows of the community."""
    table, _ = _TABLES[model_type]
    return await conn.fetchval(
        f"SELECT count(*) FROM {table} WHERE street_id = $1 AND community_id = $2 AND id = ANY($3)",
        street_id, community_id, ids)


# Needs

async def close_need(conn: asyncpg.Connection, need_id: str, *, reason: str | None, at: datetime,
                     by: str | None) -> Need:
    """``by``: the person who typed ``reason``."""
    return one(Need, await conn.fetchrow(
        """UPDATE needs SET status = 'closed', reason = $2, reason_by = CASE WHEN $2::text IS NULL THEN NULL ELSE $4 END,
                  closed_at = $3, updated_at = clock_timestamp()
           WHERE id = $1 RETURNING *""", need_id, reason, at, by))


async def match_needs(conn: asyncpg.Connection, street_id: str, community_id: str, project_id: str,
                      need_ids: list[str], at: datetime) -> list[Need]:
    """Take the open ones of ``need_ids`` (of the community) for the project; the caller compares
    what came back with what it asked for."""
    return models(Need, await conn.fetch(
        """UPDATE needs SET status = 'matched', project_id = $3, matched_at = $5, updated_at = clock_timestamp()
           WHERE street_id = $1 AND community_id = $2 AND id = ANY($4) AND status = 'open'
           RETURNING *""", street_id, community_id, project_id, need_ids, at))


async def release_needs(conn: asyncpg.Connection, project_id: str, need_ids: list[str]) -> list[Need]:
    """The project lets these matched needs go: open again."""
    return models(Need, await conn.fetch(
        """UPDATE needs SET status = 'open', project_id = NULL, matched_at = NULL, updated_at = clock_timestamp()
           WHERE project_id = $1 AND id = ANY($2) AND status = 'matched' RETURNING *""", project_id, need_ids))


async def meet_needs(conn: asyncpg.Connection, project_id: str, at: datetime) -> list[Need]:
    """Every matched need of the completed project is met."""
    return models(Need, await conn.fetch(
        """UPDATE needs SET status = 'met', met_at = $2, updated_at = clock_timestamp()
           WHERE project_id = $1 AND status = 'matched' RETURNING *""", project_id, at))


async def need_ids_of(conn: asyncpg.Connection, project_id: str) -> list[str]:
    return [r["id"] for r in await conn.fetch("SELECT id FROM needs WHERE project_id = $1 ORDER BY id", project_id)]


async def need_ids_of_many(conn: asyncpg.Connection, project_ids: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {p: [] for p in project_ids}
    for row in await conn.fetch("SELECT project_id, id FROM needs WHERE project_id = ANY($1) ORDER BY id",
                                project_ids):
        found[row["project_id"]].append(row["id"])
    return found


# Projects

async def move_project(conn: asyncpg.Connection, project_id: str, *, to: str, at: datetime) -> Project:
    stamp = {"active": "active_at", "completed": "completed_at"}[to]
    return one(Project, await conn.fetchrow(
        f"""UPDATE projects SET status = $2, {stamp} = $3, updated_at = clock_timestamp()
            WHERE id = $1 RETURNING *""", project_id, to, at))


async def buildings_of(conn: asyncpg.Connection, street_id: str, community_id: str,
                       building_ids: list[str]) -> list[str]:
    """Those of ``building_ids`` that are buildings of the community, sorted."""
    return [r["id"] for r in await conn.fetch(
        "SELECT id FROM buildings WHERE street_id = $1 AND community_id = $2 AND id = ANY($3) ORDER BY id",
        street_id, community_id, building_ids)]
