"""Tasks of a building's list and their progress notes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from domain.ids import new_id
from domain.tasks import ProgressNote, Task
from store.paging import Keyset, keyset_sql
from store.rows import model, models, one, set_clause

UPDATABLE = ("title", "description", "assignee_type", "assignee_id", "due_at", "priority", "checklist", "points",
             "overdue_at", "source_id")
_STAMPS = {"in_progress": "in_progress_at", "done": "done_at", "verified": "verified_at",
           "cancelled": "cancelled_at"}
_INSERTED = ("street_id", "community_id", "building_id", "title", "description", "source", "source_id",
             "reporter_id", "assignee_type", "assignee_id", "due_at", "priority", "checklist", "points",
             "created_by_type", "created_by_id")


async def insert(conn: asyncpg.Connection, fields: dict[str, Any]) -> Task:
    """``fields``: the columns of ``_INSERTED`` (the ones left out are NULL)."""
    columns = ("id", *_INSERTED)
    values = [new_id("task"), *(fields.get(c) for c in _INSERTED)]
    placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    return one(Task, await conn.fetchrow(
        f"INSERT INTO tasks ({', '.join(columns)}) VALUES ({placeholders}) RETURNING *", *values))


async def get(conn: asyncpg.Connection, street_id: str, task_id: str, *, lock: bool = False) -> Task | None:
    suffix = " FOR UPDATE" if lock else ""
    return model(Task, await conn.fetchrow(f"SELECT * FROM tasks WHERE id = $1 AND street_id = $2{suffix}",
                                           task_id, street_id))


async def page(conn: asyncpg.Connection, street_id: str, keyset: Keyset, *, building_id: str | None = None,
               status: str | None = None, assignee_id: str | None = None, source: str | None = None,
               overdue: bool = False, assigned_to: list[str] | None = None,
               source_id: str | None = None) -> list[Task]:
    """``assigned_to``: only tasks whose assignee is one of these (a person and their organisations)."""
    params: list[Any] = [street_id]
    filters = ["t.street_id = $1"]
    for column, value in (("building_id", building_id), ("status", status), ("assignee_id", assignee_id),
                          ("source", source), ("source_id", source_id)):
        if value is not None:
            params.append(value)
            filters.append(f"t.{column} = ${len(params)}")
    if assigned_to is not None:
        params.append(assigned_to)
        filters.append(f"t.assignee_id = ANY(${len(params)}::text[])")
    if overdue:
        filters.append("t.overdue_at IS NOT NULL AND t.status IN ('open', 'in_progress')")
    condition, order = keyset_sql(keyset, "t", params)
    return models(Task, await conn.fetch(
        f"SELECT t.* FROM tasks t WHERE {' AND '.join(filters)} AND {condition} {order}", *params))


async def update(conn: asyncpg.Connection, task_id: str, changes: dict[str, Any]) -> Task:
    params: list[Any] = [task_id]
    assignments = set_clause(changes, UPDATABLE, params)
    return one(Task, await conn.fetchrow(f"UPDATE tasks SET {assignments} WHERE id = $1 RETURNING *", *params))


async def move(conn: asyncpg.Connection, task_id: str, *, to: str, reason: str | None, at: datetime,
               by: str | None = None) -> Task:
    """Change the status (the caller holds the row lock and asked domain/tasks.py); ``by`` is
    the person who typed ``reason`` (kept so that their erasure finds it)."""
    return one(Task, await conn.fetchrow(
        f"""UPDATE tasks SET status = $2, reason = coalesce($3, reason),
                   reason_by = CASE WHEN $3::text IS NULL THEN reason_by ELSE $5 END, {_STAMPS[to]} = $4,
                   updated_at = clock_timestamp() WHERE id = $1 RETURNING *""", task_id, to, reason, at, by))


_LADDER_COLUMNS = {"overdue": "overdue_at", "community": "escalated_community_at",
                   "street": "escalated_street_at"}


async def stamp(conn: asyncpg.Connection, task_id: str, rung: str, at: datetime) -> Task:
    """Mark a rung of the overdue ladder (``domain.tasks.LADDER``) as reached."""
    column = _LADDER_COLUMNS[rung]
    return one(Task, await conn.fetchrow(
        f"UPDATE tasks SET {column} = $2, updated_at = clock_timestamp() WHERE id = $1 RETURNING *", task_id, at))


async def statuses_of_source(conn: asyncpg.Connection, source: str, source_id: str) -> list[str]:
    rows = await conn.fetch("SELECT status FROM tasks WHERE source = $1 AND source_id = $2", source, source_id)
    return [row["status"] for row in rows]


async def add_update(conn: asyncpg.Connection, task: Task, *, author_type: str, author_id: str | None,
                     note: str, photo_urls: list[str], media_ids: list[str]) -> ProgressNote:
    update = model(ProgressNote, await conn.fetchrow(
        """INSERT INTO task_updates (id, street_id, task_id, author_type, author_id, note, photo_urls, media_ids)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *""",
        new_id("task_update"), task.street_id, task.id, author_type, author_id, note, photo_urls, media_ids))
    assert update is not None
    return update


async def updates_page(conn: asyncpg.Connection, task_id: str, keyset: Keyset) -> list[ProgressNote]:
    params: list[Any] = [task_id]
    condition, order = keyset_sql(keyset, "u", params)
    return models(ProgressNote, await conn.fetch(
        f"SELECT u.* FROM task_updates u WHERE u.task_id = $1 AND {condition} {order}", *params))


async def buildings_of(conn: asyncpg.Connection, street_id: str, *, community_id: str | None,
                       building_ids: list[str] | None) -> list[tuple[str, str]]:
    """The buildings a dispatch reaches, as (community id, building id): of a community or the
    street, or the named ones in it."""
    params: list[Any] = [street_id]
    filters = ["b.street_id = $1"]
    if community_id is not None:
        params.append(community_id)
        filters.append(f"b.community_id = ${len(params)}")
    if building_ids is not None:
        params.append(building_ids)
        filters.append(f"b.id = ANY(${len(params)}::text[])")
    rows = await conn.fetch(
        f"SELECT b.id, b.community_id FROM buildings b WHERE {' AND '.join(filters)} ORDER BY b.id", *params)
    return [(row["community_id"], row["id"]) for row in rows]
