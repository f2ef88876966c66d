"""Reports of problems (问题上报) by residents of a building."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from domain.ids import new_id
from domain.reports import Report
from store.paging import Keyset, keyset_sql
from store.rows import model, models, one, set_clause

UPDATABLE = ("reason", "duplicate_of", "task_id", "feedback_rating", "feedback_comment", "feedback_at")
_STAMPS = {"acknowledged": "acknowledged_at", "in_progress": "in_progress_at", "resolved": "resolved_at",
           "closed": "closed_at", "rejected": "closed_at", "duplicate": "closed_at"}


async def insert(conn: asyncpg.Connection, *, street_id: str, community_id: str, building_id: str, reporter_id: str,
                 category: str, description: str, location: str, photo_urls: list[str], urgency: str,
                 media_ids: list[str]) -> Report:
    return one(Report, await conn.fetchrow(
        """INSERT INTO reports (id, street_id, community_id, building_id, reporter_id, category, description,
                                location, photo_urls, urgency, media_ids)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *""",
        new_id("report"), street_id, community_id, building_id, reporter_id, category, description, location,
        photo_urls, urgency, media_ids))


async def get(conn: asyncpg.Connection, street_id: str, report_id: str, *,
              lock: bool = False) -> Report | None:
    suffix = " FOR UPDATE" if lock else ""
    return model(Report, await conn.fetchrow(f"SELECT * FROM reports WHERE id = $1 AND street_id = $2{suffix}",
                                             report_id, street_id))


async def page(conn: asyncpg.Connection, street_id: str, building_id: str, keyset: Keyset, *,
               status: str | None, category: str | None, urgency: str | None,
               reporter_id: str | None) -> list[Report]:
    params: list[Any] = [street_id, building_id]
    filters = ["r.street_id = $1", "r.building_id = $2"]
    for column, value in (("status", status), ("category", category), ("urgency", urgency),
                          ("reporter_id", reporter_id)):
        if value is not None:
            params.append(value)
            filters.append(f"r.{column} = ${len(params)}")
    condition, order = keyset_sql(keyset, "r", params)
    return models(Report, await conn.fetch(
        f"SELECT r.* FROM reports r WHERE {' AND '.join(filters)} AND {condition} {order}", *params))


async def update(conn: asyncpg.Connection, report_id: str, changes: dict[str, Any]) -> Report:
    params: list[Any] = [report_id]
    assignments = set_clause(changes, UPDATABLE, params)
    return one(Report, await conn.fetchrow(f"UPDATE reports SET {assignments} WHERE id = $1 RETURNING *", *params))


async def move(conn: asyncpg.Connection, report_id: str, *, to: str, reason: str | None,
               at: datetime, by: str | None = None) -> Report:
    """``by``: the person who typed ``reason`` (None for the service's codes)."""
    return one(Report, await conn.fetchrow(
        f"""UPDATE reports SET status = $2, reason = coalesce($3, reason),
                   reason_by = CASE WHEN $3::text IS NULL THEN reason_by ELSE $5 END, {_STAMPS[to]} = $4,
                   updated_at = clock_timestamp() WHERE id = $1 RETURNING *""", report_id, to, reason, at, by))
